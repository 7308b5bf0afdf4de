# SPDX-License-Identifier: GPL-2.0-only
if ENABLE_TRACER_TCP
pkglib_LTLIBRARIES += %D%/tracer_tcp.la
%C%_tracer_tcp_la_SOURCES = %D%/tcp.c %D%/tcp.h
nodist_%C%_tracer_tcp_la_SOURCES = %D%/tcp.skel.h
%C%_tracer_tcp_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/%D% -I%D%
%C%_tracer_tcp_la_LIBADD = $(LIBBPF_LIBS)
%C%_tracer_tcp_la_LDFLAGS = $(PLUGIN_LDFLAGS)
BUILT_SOURCES += %D%/tcp.skel.h
CLEANFILES += %D%/tcp.bpf.o %D%/tcp.skel.h
%D%/tcp.bpf.o: %D%/tcp.h $(BPF_HDRS)
endif
EXTRA_DIST += %D%/tcp.bpf.c
