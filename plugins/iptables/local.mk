# SPDX-License-Identifier: GPL-2.0-only
if ENABLE_TRACER_IPTABLES
pkglib_LTLIBRARIES += %D%/tracer_iptables.la
%C%_tracer_iptables_la_SOURCES = %D%/iptables.c %D%/iptables.h \
	%D%/tables.c %D%/tables.h
nodist_%C%_tracer_iptables_la_SOURCES = %D%/iptables.skel.h
%C%_tracer_iptables_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/%D% -I%D%
%C%_tracer_iptables_la_LIBADD = $(LIBBPF_LIBS)
%C%_tracer_iptables_la_LDFLAGS = $(PLUGIN_LDFLAGS)
BUILT_SOURCES += %D%/iptables.skel.h
CLEANFILES += %D%/iptables.bpf.o %D%/iptables.skel.h
%D%/iptables.bpf.o: %D%/iptables.h $(BPF_HDRS)
endif
EXTRA_DIST += %D%/iptables.bpf.c
