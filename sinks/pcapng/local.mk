# SPDX-License-Identifier: GPL-2.0-only
# The pcapng sink: sink_pcapng.so in $(pkglibdir).
if ENABLE_SINK_PCAPNG
pkglib_LTLIBRARIES += %D%/sink_pcapng.la
%C%_sink_pcapng_la_SOURCES = %D%/sink.c %D%/pcapng.c %D%/pcapng.h
%C%_sink_pcapng_la_LDFLAGS = $(PLUGIN_LDFLAGS)
endif
