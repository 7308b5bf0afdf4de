# SPDX-License-Identifier: GPL-2.0-only
# The pcapng writer against golden bytes.
if HAVE_CRITERION
check_PROGRAMS += %D%/test_pcapng
%C%_test_pcapng_SOURCES = %D%/test_pcapng.c sinks/pcapng/pcapng.c \
	sinks/pcapng/pcapng.h
%C%_test_pcapng_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
%C%_test_pcapng_LDADD = $(CRITERION_LIBS)
endif
