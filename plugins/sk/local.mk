# SPDX-License-Identifier: GPL-2.0-only
if ENABLE_TRACER_SK
pkglib_LTLIBRARIES += %D%/tracer_sk.la
%C%_tracer_sk_la_SOURCES = %D%/sk.c %D%/sk.h
nodist_%C%_tracer_sk_la_SOURCES = %D%/sk.skel.h
%C%_tracer_sk_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/%D% -I%D%
%C%_tracer_sk_la_LIBADD = $(LIBBPF_LIBS)
%C%_tracer_sk_la_LDFLAGS = $(PLUGIN_LDFLAGS)
BUILT_SOURCES += %D%/sk.skel.h
CLEANFILES += %D%/sk.bpf.o %D%/sk.skel.h
%D%/sk.bpf.o: %D%/sk.h $(BPF_HDRS)
endif
EXTRA_DIST += %D%/sk.bpf.c
