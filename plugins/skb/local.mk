# SPDX-License-Identifier: GPL-2.0-only
if ENABLE_TRACER_SKB
pkglib_LTLIBRARIES += %D%/tracer_skb.la
%C%_tracer_skb_la_SOURCES = %D%/skb.c %D%/skb.h
nodist_%C%_tracer_skb_la_SOURCES = %D%/skb.skel.h
%C%_tracer_skb_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/%D% -I%D%
%C%_tracer_skb_la_LIBADD = $(LIBBPF_LIBS)
%C%_tracer_skb_la_LDFLAGS = $(PLUGIN_LDFLAGS)
BUILT_SOURCES += %D%/skb.skel.h
CLEANFILES += %D%/skb.bpf.o %D%/skb.skel.h
%D%/skb.bpf.o: %D%/skb.h $(BPF_HDRS)
endif
EXTRA_DIST += %D%/skb.bpf.c
