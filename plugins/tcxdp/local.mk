# SPDX-License-Identifier: GPL-2.0-only
if ENABLE_TRACER_TCXDP
pkglib_LTLIBRARIES += %D%/tracer_tcxdp.la
%C%_tracer_tcxdp_la_SOURCES = %D%/tcxdp.c %D%/tcxdp.h
nodist_%C%_tracer_tcxdp_la_SOURCES = %D%/tcxdp.skel.h
%C%_tracer_tcxdp_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/%D% -I%D%
%C%_tracer_tcxdp_la_LIBADD = $(LIBBPF_LIBS)
%C%_tracer_tcxdp_la_LDFLAGS = $(PLUGIN_LDFLAGS)
BUILT_SOURCES += %D%/tcxdp.skel.h
CLEANFILES += %D%/tcxdp.bpf.o %D%/tcxdp.skel.h
%D%/tcxdp.bpf.o: %D%/tcxdp.h $(BPF_HDRS)
endif
EXTRA_DIST += %D%/tcxdp.bpf.c
