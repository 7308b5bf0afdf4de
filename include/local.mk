# SPDX-License-Identifier: GPL-2.0-only
# The plugin SDK: public headers only.
vistaincludedir = $(includedir)/vista
vistainclude_HEADERS = %D%/vista/plugin.h %D%/vista/record.h \
	%D%/vista/event.h %D%/vista/output.h
vistabpfincludedir = $(includedir)/vista/bpf
vistabpfinclude_HEADERS = %D%/vista/bpf/vista.bpf.h %D%/vista/bpf/skb.bpf.h \
	%D%/vista/bpf/sock.bpf.h
BPF_HDRS = $(vistainclude_HEADERS) $(vistabpfinclude_HEADERS)

# The checked-in vmlinux.h, so plugins' BPF objects build against the
# same types as vista's (CO-RE relocates them on any kernel).
vmlinuxincludedir = $(includedir)/vista/bpf/$(BPF_ARCH)
nodist_vmlinuxinclude_HEADERS = $(top_srcdir)/vmlinux/$(BPF_ARCH)/vmlinux.h

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = vista-plugin.pc
EXTRA_DIST += vista-plugin.pc.in
