# SPDX-License-Identifier: GPL-2.0-only
# Profiles and the command line (core/config.c, core/options.c).
HARNESSES += fuzz_profile fuzz_cli
$(O)/fuzz_profile: $(SRC)/tests/fuzz/fuzz_profile.c $(SRC)/core/config.c \
		$(SRC)/core/options.c $(HEADERS) | $(O)
	$(CLANG) $(FUZZ_CFLAGS) $(CPPFLAGS) $(filter %.c,$^) -o $@ \
		$(INIH_LIBS)
$(O)/fuzz_cli: $(SRC)/tests/fuzz/fuzz_cli.c $(SRC)/core/config.c \
		$(SRC)/core/options.c $(HEADERS) | $(O)
	$(CLANG) $(FUZZ_CFLAGS) $(CPPFLAGS) $(filter %.c,$^) -o $@ \
		$(INIH_LIBS)
