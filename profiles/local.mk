# SPDX-License-Identifier: GPL-2.0-only
profilesdir = $(pkgdatadir)/profiles
dist_profiles_DATA = %D%/drops.ini
