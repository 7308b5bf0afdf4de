# SPDX-License-Identifier: GPL-2.0-only
# Unit test of the record-building helpers of <vista/output.h>.
if HAVE_CRITERION
check_PROGRAMS += %D%/test_output
%C%_test_output_SOURCES = %D%/test_output.c
%C%_test_output_CFLAGS = $(AM_CFLAGS) $(CRITERION_CFLAGS)
%C%_test_output_LDADD = $(CRITERION_LIBS)
endif
