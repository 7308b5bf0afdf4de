# SPDX-License-Identifier: GPL-2.0-only
# The text sink: sink_text.so in $(pkglibdir), exporting only vista_plugin.
if ENABLE_SINK_TEXT
pkglib_LTLIBRARIES += %D%/sink_text.la
%C%_sink_text_la_SOURCES = %D%/text.c
%C%_sink_text_la_LDFLAGS = $(PLUGIN_LDFLAGS)
endif
