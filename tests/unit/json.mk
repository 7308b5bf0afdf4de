# SPDX-License-Identifier: GPL-2.0-only
# Unit test of the JSON sink, linked with the sink's source and the stub host.
if HAVE_CRITERION
check_PROGRAMS += %D%/test_json
%C%_test_json_SOURCES = %D%/test_json.c sinks/json/json.c \
	%D%/stub_host.c %D%/stub_host.h
%C%_test_json_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
%C%_test_json_LDADD = $(CRITERION_LIBS)
endif
