# SPDX-License-Identifier: GPL-2.0-only
# Bash completion: the template's logic around the flags, kinds and choices
# of the option table (man/gendoc writes them where @BASH@ stands). Built
# as completion/vista, the name bash-completion loads it by, and installed
# into --with-bash-completion-dir unless that is "no".
if INSTALL_BASH_COMPLETION
nodist_bashcompletion_DATA = %D%/vista
else
noinst_DATA += %D%/vista
endif
EXTRA_DIST += %D%/vista.bash.in
CLEANFILES += %D%/vista

%D%/vista: %D%/vista.bash.in man/gendoc$(EXEEXT)
	$(AM_V_GEN)$(MKDIR_P) $(@D) && \
	$(builddir)/man/gendoc$(EXEEXT) $(srcdir)/%D%/vista.bash.in \
		> $@.tmp && mv $@.tmp $@

# distcheck installs under a temporary prefix: keep the completion there,
# even where bash-completion's pkg-config file names a system directory.
AM_DISTCHECK_CONFIGURE_FLAGS = \
	--with-bash-completion-dir='$${datadir}/bash-completion/completions'
