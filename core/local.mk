# SPDX-License-Identifier: GPL-2.0-only
bin_PROGRAMS += vista
vista_SOURCES = %D%/main.c %D%/core.h %D%/log.c \
	%D%/config.c %D%/config.h %D%/options.c \
	%D%/loader.c %D%/host.c %D%/backend.c %D%/bus.c %D%/filter.c \
	%D%/kbtf.c %D%/kbtf.h %D%/ksym.c %D%/netns.c %D%/tracefs.c \
	%D%/pcap.c %D%/pcap.h %D%/cbpf.c %D%/cbpf.h
vista_CPPFLAGS = $(AM_CPPFLAGS) $(LIBPCAP_CFLAGS) \
	-DVISTA_BUILDDIR='"$(abs_top_builddir)"' \
	-DVISTA_SRCDIR='"$(abs_top_srcdir)"'
vista_LDADD = $(LIBBPF_LIBS) $(LIBELF_LIBS) $(INIH_LIBS) $(DL_LIBS) \
	$(LIBPCAP_LIBS) \
	-lpthread
