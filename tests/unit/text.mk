# SPDX-License-Identifier: GPL-2.0-only
# Unit test of the text sink, linked with the sink's source and the stub host.
# Per-target CFLAGS give the objects their own names, so text.c and
# stub_host.c can also be built into the plugin and into other tests.
if HAVE_CRITERION
check_PROGRAMS += %D%/test_text
%C%_test_text_SOURCES = %D%/test_text.c sinks/text/text.c \
	%D%/stub_host.c %D%/stub_host.h
%C%_test_text_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
%C%_test_text_LDADD = $(CRITERION_LIBS)
endif
