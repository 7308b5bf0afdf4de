# SPDX-License-Identifier: GPL-2.0-only
profilesdir = $(pkgdatadir)/profiles
dist_profiles_DATA = %D%/drops.ini %D%/path.ini %D%/tcp-lifetime.ini \
	%D%/firewall.ini %D%/tcxdp-pcap.ini
