# SPDX-License-Identifier: GPL-2.0-only
# Man pages: vista(8) and vista.ini(5) are generated from the option
# table (core/options.c) by gendoc, so they never drift from --help;
# vista-plugin(7) is written by hand (gendoc only fills in the paths).
# Generated files live in the build tree.
noinst_PROGRAMS += %D%/gendoc
%C%_gendoc_SOURCES = %D%/gendoc.c core/options.c core/config.c core/config.h
%C%_gendoc_CPPFLAGS = $(AM_CPPFLAGS) $(INIH_CFLAGS)
%C%_gendoc_LDADD = $(INIH_LIBS)

nodist_man_MANS = %D%/vista.8 %D%/vista.ini.5 %D%/vista-plugin.7
EXTRA_DIST += %D%/vista.8.in %D%/vista.ini.5.in %D%/vista-plugin.7.in
CLEANFILES += $(nodist_man_MANS)

GENDOC = $(AM_V_GEN)$(MKDIR_P) $(@D) && \
	$(builddir)/%D%/gendoc$(EXEEXT) $(srcdir)/$@.in > $@.tmp && mv $@.tmp $@

%D%/vista.8: %D%/vista.8.in %D%/gendoc$(EXEEXT)
	$(GENDOC)
%D%/vista.ini.5: %D%/vista.ini.5.in %D%/gendoc$(EXEEXT)
	$(GENDOC)
%D%/vista-plugin.7: %D%/vista-plugin.7.in %D%/gendoc$(EXEEXT)
	$(GENDOC)
