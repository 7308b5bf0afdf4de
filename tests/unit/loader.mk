# SPDX-License-Identifier: GPL-2.0-only
# Fixture plugins: shared objects (-rpath forces libtool to build them so).
FIXTURE_PLUGIN_LDFLAGS = $(PLUGIN_LDFLAGS) -rpath $(abs_builddir)
check_LTLIBRARIES += tests/fixtures/plugins/tracer_good.la \
	tests/fixtures/plugins/tracer_badabi.la \
	tests/fixtures/plugins/tracer_newminor.la \
	tests/fixtures/plugins/tracer_nosym.la
tests_fixtures_plugins_tracer_good_la_SOURCES = tests/fixtures/plugins/good.c
tests_fixtures_plugins_tracer_good_la_LDFLAGS = $(FIXTURE_PLUGIN_LDFLAGS)
tests_fixtures_plugins_tracer_badabi_la_SOURCES = tests/fixtures/plugins/badabi.c
tests_fixtures_plugins_tracer_badabi_la_LDFLAGS = $(FIXTURE_PLUGIN_LDFLAGS)
tests_fixtures_plugins_tracer_newminor_la_SOURCES = tests/fixtures/plugins/newminor.c
tests_fixtures_plugins_tracer_newminor_la_LDFLAGS = $(FIXTURE_PLUGIN_LDFLAGS)
tests_fixtures_plugins_tracer_nosym_la_SOURCES = tests/fixtures/plugins/nosym.c
tests_fixtures_plugins_tracer_nosym_la_LDFLAGS = -module -avoid-version \
	-shared -no-undefined -rpath $(abs_builddir)

check_PROGRAMS += tests/unit/test_loader
tests_unit_test_loader_SOURCES = tests/unit/test_loader.c core/loader.c \
	core/log.c core/config.c core/options.c
tests_unit_test_loader_LDADD = $(INIH_LIBS) $(DL_LIBS) $(CRITERION_LIBS)
