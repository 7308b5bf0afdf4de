/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Wire format of the synth plugin's events: __u* only, size locked. */
#ifndef SYNTH_H
#define SYNTH_H

#include <vista/event.h>

/* prctl(SYNTH_PRCTL, n, seq): emit n events numbered from seq. */
#define SYNTH_PRCTL	0x56535441	/* "VSTA": no such prctl option */
#define SYNTH_MAX_BATCH	(1 << 20)
#define SYNTH_NR_FUNCS	8

/* As large as an skb event, with the fields the text sink prints. */
struct synth_event {
	struct vista_event_hdr hdr;
	struct vista_skb_meta meta;
	__u32 func;		/* index into the plugin's function names */
	struct vista_tuple tuple;
	__u64 seq;
};

_Static_assert(sizeof(struct synth_event) == 152, "synth_event");

#endif /* SYNTH_H */
