# SPDX-License-Identifier: GPL-2.0-only
# Unit tests of the option table, the CLI and profiles (core/config.c).
# Included from the top Makefile.am, which defines check_PROGRAMS,
# EXTRA_DIST and AM_CPPFLAGS and runs check_PROGRAMS as TESTS.

check_PROGRAMS += %D%/test_config
%C%_test_config_SOURCES = \
	%D%/test_config.c \
	core/config.c \
	core/config.h \
	core/options.c
# The fixtures are found from any build dir; $VISTA_FIXTURES overrides.
%C%_test_config_CPPFLAGS = $(AM_CPPFLAGS) $(INIH_CFLAGS) \
	$(CRITERION_CFLAGS) \
	-DVISTA_FIXTURES_DIR='"$(abs_top_srcdir)/tests/fixtures"'
%C%_test_config_LDADD = $(INIH_LIBS) $(CRITERION_LIBS)

EXTRA_DIST += \
	tests/fixtures/profiles/bad-value.ini \
	tests/fixtures/profiles/dup-key.ini \
	tests/fixtures/profiles/dup-section.ini \
	tests/fixtures/profiles/good.ini \
	tests/fixtures/profiles/instances.ini \
	tests/fixtures/profiles/long-line.ini \
	tests/fixtures/profiles/not-yet.ini \
	tests/fixtures/profiles/outside.ini \
	tests/fixtures/profiles/plugin.ini \
	tests/fixtures/profiles/syntax.ini \
	tests/fixtures/profiles/tracer-instance.ini \
	tests/fixtures/profiles/unknown-key.ini \
	tests/fixtures/profiles/unknown-section.ini
