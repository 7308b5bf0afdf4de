# SPDX-License-Identifier: GPL-2.0-only
# The JSON sink: sink_json.so in $(pkglibdir).
if ENABLE_SINK_JSON
pkglib_LTLIBRARIES += %D%/sink_json.la
%C%_sink_json_la_SOURCES = %D%/json.c
%C%_sink_json_la_LDFLAGS = $(PLUGIN_LDFLAGS)
endif
