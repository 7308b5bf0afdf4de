# SPDX-License-Identifier: GPL-2.0-only
# Event decoders and sinks (tests/fuzz/fuzz_decode.c): every tracer's and
# sink's source as its own object, its descriptor renamed so that all of
# them link into one binary; the skeleton headers come from $(B).
HARNESSES += fuzz_decode

DECODE_O := $(O)/decode
DECODE_VERSION := $(shell sed -n 's/^PACKAGE_VERSION = //p' $(B)/Makefile)
DECODE_CFLAGS := $(FUZZ_CFLAGS) -std=gnu11 -Wall -Wno-unused-parameter \
	-Wno-missing-field-initializers \
	-DPACKAGE_VERSION='"$(DECODE_VERSION)"'
DECODE_CC = $(CLANG) $(DECODE_CFLAGS) $(CPPFLAGS)
# A tracer's own headers and its skeleton.
decode_plugin = -I$(SRC)/plugins/$(1) -I$(B)/plugins/$(1) \
	-Dvista_plugin=vista_plugin_$(1)

DECODE_OBJS := $(addprefix $(DECODE_O)/,fuzz_decode.o stub_host.o skb.o \
	sk.o tcp.o iptables.o tables.o tcxdp.o text.o json.o pcapng_sink.o \
	pcapng.o)

$(DECODE_OBJS): $(HEADERS)
$(O)/fuzz_decode: $(DECODE_OBJS) | $(O)
	$(CLANG) $(DECODE_CFLAGS) $^ -o $@ $(LIBBPF_LIBS)

$(DECODE_O):
	mkdir -p $@

$(DECODE_O)/fuzz_decode.o: $(SRC)/tests/fuzz/fuzz_decode.c | $(DECODE_O)
	$(DECODE_CC) -I$(SRC)/tests/unit -I$(SRC)/plugins/tcxdp -c $< -o $@
$(DECODE_O)/stub_host.o: $(SRC)/tests/unit/stub_host.c | $(DECODE_O)
	$(DECODE_CC) -c $< -o $@

$(DECODE_O)/skb.o: $(SRC)/plugins/skb/skb.c \
		$(B)/plugins/skb/skb.skel.h | $(DECODE_O)
	$(DECODE_CC) $(call decode_plugin,skb) -c $< -o $@
$(DECODE_O)/sk.o: $(SRC)/plugins/sk/sk.c \
		$(B)/plugins/sk/sk.skel.h | $(DECODE_O)
	$(DECODE_CC) $(call decode_plugin,sk) -c $< -o $@
$(DECODE_O)/tcp.o: $(SRC)/plugins/tcp/tcp.c \
		$(B)/plugins/tcp/tcp.skel.h | $(DECODE_O)
	$(DECODE_CC) $(call decode_plugin,tcp) -c $< -o $@
$(DECODE_O)/iptables.o: $(SRC)/plugins/iptables/iptables.c \
		$(B)/plugins/iptables/iptables.skel.h | $(DECODE_O)
	$(DECODE_CC) $(call decode_plugin,iptables) -c $< -o $@
$(DECODE_O)/tables.o: $(SRC)/plugins/iptables/tables.c | $(DECODE_O)
	$(DECODE_CC) -c $< -o $@
# tcxdp.c inside fuzz_decode.c, which fills its table of programs.
$(DECODE_O)/tcxdp.o: $(SRC)/tests/fuzz/fuzz_decode.c \
		$(SRC)/plugins/tcxdp/tcxdp.c \
		$(B)/plugins/tcxdp/tcxdp.skel.h | $(DECODE_O)
	$(DECODE_CC) $(call decode_plugin,tcxdp) -DFUZZ_DECODE_TCXDP \
		-c $< -o $@

$(DECODE_O)/text.o: $(SRC)/sinks/text/text.c | $(DECODE_O)
	$(DECODE_CC) -Dvista_plugin=vista_plugin_text -c $< -o $@
$(DECODE_O)/json.o: $(SRC)/sinks/json/json.c | $(DECODE_O)
	$(DECODE_CC) -Dvista_plugin=vista_plugin_json -c $< -o $@
$(DECODE_O)/pcapng_sink.o: $(SRC)/sinks/pcapng/sink.c | $(DECODE_O)
	$(DECODE_CC) -Dvista_plugin=vista_plugin_pcapng -c $< -o $@
$(DECODE_O)/pcapng.o: $(SRC)/sinks/pcapng/pcapng.c | $(DECODE_O)
	$(DECODE_CC) -c $< -o $@
