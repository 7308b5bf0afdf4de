// SPDX-License-Identifier: GPL-2.0-only
/*
 * The event bus: the maps every plugin's BPF object shares (one ring
 * buffer, the filter config, per-CPU lost-event counters), the poll loop,
 * decoding by the owning plugin, and fan-out of each record to every sink.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <vista/event.h>
#include "core.h"

#define BUS_MAX_COUNTS	4096

struct func_count {
	char *name;
	__u64 n;
};

struct bus {
	int events_fd;
	int cfg_fd;
	struct vista_filter_cfg filter;	/* what cfg_fd holds */
	int lost_fd;
	int track_fd;		/* --filter-track-skb: skb -> head (LRU) */
	int track_stats_fd;
	size_t track_size;	/* 0: not tracking */
	struct ring_buffer *rb;
	int ncpus;

	__u64 limit;
	__u64 events;		/* records handed to the sinks */
	__u64 malformed;	/* records no plugin could decode */
	__u64 lost;		/* last total read from the kernel */
	__s64 wall_off;		/* CLOCK_REALTIME - CLOCK_MONOTONIC, ns */
	bool dirty;		/* sinks have unflushed records */
	bool failed;		/* a sink cannot write any more */
	bool draining;		/* detached: read what is left, signals or not */
	char comm[VISTA_COMM_LEN + 1];	/* the record's, terminated */

	struct func_count *counts;
	size_t nr_counts;

	struct vista_frame frames[VISTA_STACK_DEPTH];
	char syms[VISTA_STACK_DEPTH][192];
};

static __s64 ts_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (__s64)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct bus *bus_new(size_t ring_bytes, size_t track_size)
{
	struct bus *bus = calloc(1, sizeof(*bus));
	int ret;

	if (!bus)
		return NULL;
	bus->events_fd = bus->cfg_fd = bus->lost_fd = -1;
	bus->track_fd = bus->track_stats_fd = -1;
	bus->track_size = track_size;
	bus->ncpus = libbpf_num_possible_cpus();
	if (bus->ncpus <= 0)
		goto out_err;
	bus->events_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "vista_events",
					0, 0, ring_bytes, NULL);
	if (bus->events_fd < 0)
		goto out_err;
	bus->cfg_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "vista_cfg",
				     sizeof(__u32),
				     sizeof(struct vista_filter_cfg), 1, NULL);
	if (bus->cfg_fd < 0)
		goto out_err;
	bus->lost_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "vista_lost",
				      sizeof(__u32), sizeof(__u64), 1, NULL);
	if (bus->lost_fd < 0)
		goto out_err;
	/* Not tracking: a one-entry map, nothing to preallocate. */
	bus->track_fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "vista_track",
				       sizeof(__u64), sizeof(__u64),
				       track_size ? track_size : 1, NULL);
	if (bus->track_fd < 0)
		goto out_err;
	bus->track_stats_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY,
					     "vista_track_stats",
					     sizeof(__u32), sizeof(__u64),
					     VISTA_TRACK_NR_STATS, NULL);
	if (bus->track_stats_fd < 0)
		goto out_err;
	bus->counts = calloc(BUS_MAX_COUNTS, sizeof(*bus->counts));
	if (!bus->counts)
		goto out_err;
	bus->wall_off = ts_ns(CLOCK_REALTIME) - ts_ns(CLOCK_MONOTONIC);
	return bus;

out_err:
	ret = errno;
	err("cannot create the event maps: %s", strerror(ret));
	bus_free(bus);
	errno = ret;
	return NULL;
}

void bus_free(struct bus *bus)
{
	size_t i;

	if (!bus)
		return;
	ring_buffer__free(bus->rb);
	if (bus->events_fd >= 0)
		close(bus->events_fd);
	if (bus->cfg_fd >= 0)
		close(bus->cfg_fd);
	if (bus->lost_fd >= 0)
		close(bus->lost_fd);
	if (bus->track_fd >= 0)
		close(bus->track_fd);
	if (bus->track_stats_fd >= 0)
		close(bus->track_stats_fd);
	for (i = 0; i < BUS_MAX_COUNTS && bus->counts; i++)
		free(bus->counts[i].name);
	free(bus->counts);
	free(bus);
}

int bus_map_fd(struct bus *bus, const char *name)
{
	if (!strcmp(name, "vista_events"))
		return bus->events_fd;
	if (!strcmp(name, "vista_cfg"))
		return bus->cfg_fd;
	if (!strcmp(name, "vista_lost"))
		return bus->lost_fd;
	if (!strcmp(name, "vista_track"))
		return bus->track_fd;
	if (!strcmp(name, "vista_track_stats"))
		return bus->track_stats_fd;
	return -ENOENT;
}

int bus_set_filter(struct bus *bus, const void *cfg, size_t size)
{
	__u32 zero = 0;

	if (size != sizeof(struct vista_filter_cfg))
		return -EINVAL;
	memcpy(&bus->filter, cfg, size);
	return bpf_map_update_elem(bus->cfg_fd, &zero, cfg, BPF_ANY) ? -errno
								     : 0;
}

const struct vista_filter_cfg *bus_filter(struct bus *bus)
{
	return &bus->filter;
}

/* Sum over CPUs of entry key of a per-CPU u64 array; fallback on error. */
static __u64 percpu_sum(struct bus *bus, int fd, __u32 key, __u64 fallback)
{
	__u64 *vals = calloc(bus->ncpus, sizeof(__u64)), sum = 0;
	int i;

	if (!vals)
		return fallback;
	if (!bpf_map_lookup_elem(fd, &key, vals))
		for (i = 0; i < bus->ncpus; i++)
			sum += vals[i];
	else
		sum = fallback;
	free(vals);
	return sum;
}

static __u64 read_lost(struct bus *bus)
{
	return percpu_sum(bus, bus->lost_fd, 0, bus->lost);
}

static void write_sinks(struct bus *bus, const struct vista_record *rec);

/*
 * Lost events: a warning, and a notice record for the sinks that know
 * them (ABI 1.4), so a JSON stream shows where it has holes.
 */
static void check_lost(struct bus *bus)
{
	__u64 now = read_lost(bus);
	struct vista_field f[2];
	struct vista_group g = { .fields = f, .nr_fields = 2 };
	struct vista_record rec = {
		.kind = VISTA_RECORD_LOST, .plugin = "vista",
		.groups = &g, .nr_groups = 1, .lost = now,
	};

	if (now > bus->lost) {
		warn("lost %llu events (ring buffer full; %llu lost so far)",
		     (unsigned long long)(now - bus->lost),
		     (unsigned long long)now);
		rec.ts_ns = ts_ns(CLOCK_MONOTONIC);
		rec.wall_ns = rec.ts_ns + bus->wall_off;
		vista_field_u(&f[0], "lost", VISTA_FIELD_UINT, now - bus->lost);
		vista_field_u(&f[1], "total", VISTA_FIELD_UINT, now);
		write_sinks(bus, &rec);
	}
	bus->lost = now;
}

/* FNV-1a over the function string, open addressing. */
static void count_func(struct bus *bus, const char *name)
{
	__u64 h = 1469598103934665603ULL;
	const char *p;
	size_t i, n;

	for (p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (n = 0; n < BUS_MAX_COUNTS; n++) {
		i = (h + n) % BUS_MAX_COUNTS;
		if (!bus->counts[i].name) {
			if (bus->nr_counts >= BUS_MAX_COUNTS / 2)
				return;	/* keep probing short; rest uncounted */
			bus->counts[i].name = strdup(name);
			if (!bus->counts[i].name)
				return;
			bus->nr_counts++;
		}
		if (!strcmp(bus->counts[i].name, name)) {
			bus->counts[i].n++;
			return;
		}
	}
}

/* Frames of vista's own BPF program and the tracepoint trampoline that
 * ran it: not part of the packet's story. */
static bool is_probe_frame(const char *sym)
{
	size_t n;

	if (!sym)
		return false;
	n = strlen(sym);
	return (n > 6 && !strcmp(sym + n - 6, " [bpf]")) ||
	       !strncmp(sym, "bpf_trace_run", 13) ||
	       !strncmp(sym, "__bpf_trace_", 12);
}

static void fill_stack(struct bus *bus, const void *data, size_t size,
		       struct vista_record *rec)
{
	const struct vista_event_hdr *hdr = data;
	const __u64 *ips;
	size_t i, out = 0, nr = hdr->stack_nr;
	const char *sym;

	if (!nr || hdr->stack_off < sizeof(*hdr) ||
	    hdr->stack_off % sizeof(__u64) ||
	    hdr->stack_off + nr * sizeof(__u64) > size)
		return;
	if (nr > VISTA_STACK_DEPTH)
		nr = VISTA_STACK_DEPTH;
	if (!vista->ksyms)
		vista->ksyms = ksyms_load();
	ips = (const __u64 *)((const char *)data + hdr->stack_off);
	for (i = 0; i < nr; i++) {
		sym = vista->ksyms ? ksyms_format(vista->ksyms, ips[i],
						  bus->syms[out],
						  sizeof(bus->syms[out]))
				   : NULL;
		if (!out && is_probe_frame(sym))
			continue;
		bus->frames[out].ip = ips[i];
		bus->frames[out].sym = sym;
		out++;
	}
	rec->stack = bus->frames;
	rec->nr_stack = out;
}

static int on_event(void *arg, void *data, size_t size)
{
	const struct vista_event_hdr *hdr = data;
	struct bus *bus = arg;
	struct vista_record rec = {};
	struct instance *inst;
	int ret;

	if (size < sizeof(*hdr) || hdr->size > size || !hdr->plugin_id ||
	    hdr->plugin_id > vista->nr_tracers) {
		bus->malformed++;
		return 0;
	}
	inst = vista->tracers[hdr->plugin_id - 1];
	rec.hdr = hdr;
	rec.plugin = inst->ctx.name;
	rec.obj = hdr->obj;
	rec.ts_ns = hdr->ts_ns;
	rec.wall_ns = hdr->ts_ns + bus->wall_off;
	rec.cpu = hdr->cpu;
	rec.pid = hdr->pid;
	rec.netns = hdr->netns;
	rec.comm = vista_record_str(bus->comm, hdr->comm, sizeof(hdr->comm));
	rec.lost = bus->lost;
	ret = inst->desc->tracer.decode(&inst->ctx, data, hdr->size, &rec);
	if (ret || !rec.func) {
		bus->malformed++;
		return 0;
	}
	inst->events++;
	fill_stack(bus, data, hdr->size, &rec);
	count_func(bus, rec.func);

	write_sinks(bus, &rec);
	bus->events++;
	if (bus->failed || (bus->limit && bus->events >= bus->limit)) {
		vista_stop = 1;
		return -ECANCELED;	/* libbpf stops consuming on < 0 */
	}
	/* Under a flood the ring never runs empty and libbpf would go on
	 * consuming: a signal must end the poll here. What is left is
	 * read after detaching (bus_drain). */
	if (vista_stop && !bus->draining)
		return -ECANCELED;
	return 0;
}

/* Every sink that still writes; notices only to those that know them. */
static void write_sinks(struct bus *bus, const struct vista_record *rec)
{
	size_t i;
	int ret;

	for (i = 0; i < vista->nr_sinks; i++) {
		struct instance *s = vista->sinks[i];

		if (s->write_err || (rec->kind != VISTA_RECORD_EVENT &&
				     s->desc->abi_minor < 4))
			continue;
		ret = s->desc->sink.write(&s->ctx, rec);
		if (ret) {
			s->write_err = ret;
			bus->failed = true;
		}
	}
	bus->dirty = true;
}

static void flush_sinks(struct bus *bus)
{
	size_t i;

	if (!bus->dirty)
		return;
	for (i = 0; i < vista->nr_sinks; i++) {
		struct instance *s = vista->sinks[i];
		int ret;

		if (s->write_err || !s->desc->sink.flush)
			continue;
		ret = s->desc->sink.flush(&s->ctx);
		if (ret) {
			s->write_err = ret;
			bus->failed = true;
			vista_stop = 1;
		}
	}
	bus->dirty = false;
}

int bus_run(struct bus *bus, __u64 limit)
{
	__s64 next_lost = ts_ns(CLOCK_MONOTONIC) + 1000000000LL;
	int ret;

	bus->limit = limit;
	bus->rb = ring_buffer__new(bus->events_fd, on_event, bus, NULL);
	if (!bus->rb) {
		ret = -errno;
		err("cannot poll the ring buffer: %s", strerror(-ret));
		return ret;
	}
	while (!vista_stop) {
		ret = ring_buffer__poll(bus->rb, 200);
		if (ret < 0 && ret != -EINTR && ret != -ECANCELED) {
			err("polling events: %s", strerror(-ret));
			return ret;
		}
		flush_sinks(bus);
		if (ts_ns(CLOCK_MONOTONIC) >= next_lost) {
			check_lost(bus);
			next_lost += 1000000000LL;
		}
	}
	return bus->failed ? -EIO : 0;
}

/* After detach: what is still in the ring buffer, unless the limit says
 * we are done. */
void bus_drain(struct bus *bus)
{
	if (bus->rb && !bus->failed &&
	    !(bus->limit && bus->events >= bus->limit)) {
		bus->draining = true;
		ring_buffer__consume(bus->rb);
		bus->draining = false;
	}
	flush_sinks(bus);
	check_lost(bus);
}

static int cmp_count(const void *a, const void *b)
{
	const struct func_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	if (!x->name || !y->name)
		return !x->name - !y->name;
	return strcmp(x->name, y->name);
}

/*
 * --filter-track-skb: what the LRU map did. Entries added but neither
 * removed on free, dropped as stale, nor still there were evicted.
 */
static void track_summary(struct bus *bus, FILE *out)
{
	__u64 st[VISTA_TRACK_NR_STATS], live = 0, gone, evicted;
	__u64 key, next, *prev = NULL;
	__u32 i;

	for (i = 0; i < VISTA_TRACK_NR_STATS; i++)
		st[i] = percpu_sum(bus, bus->track_stats_fd, i, 0);
	while (!bpf_map_get_next_key(bus->track_fd, prev, &next)) {
		live++;
		key = next;
		prev = &key;
	}
	gone = st[VISTA_TRACK_REMOVED] + st[VISTA_TRACK_STALE] + live;
	evicted = st[VISTA_TRACK_ADDED] > gone ? st[VISTA_TRACK_ADDED] - gone
					       : 0;
	fprintf(out, "vista: tracking: %llu skbs followed, %llu freed, "
		"%llu stale, %llu still tracked, %llu evicted%s\n",
		(unsigned long long)st[VISTA_TRACK_ADDED],
		(unsigned long long)st[VISTA_TRACK_REMOVED],
		(unsigned long long)st[VISTA_TRACK_STALE],
		(unsigned long long)live, (unsigned long long)evicted,
		evicted ? " (the map was full: raise --track-size)" : "");
}

void bus_summary(struct bus *bus, FILE *out)
{
	size_t i;

	fprintf(out, "vista: %llu events, %llu lost, %llu malformed\n",
		(unsigned long long)bus->events,
		(unsigned long long)bus->lost,
		(unsigned long long)bus->malformed);
	if (bus->track_size)
		track_summary(bus, out);
	qsort(bus->counts, BUS_MAX_COUNTS, sizeof(*bus->counts), cmp_count);
	for (i = 0; i < bus->nr_counts && i < 10; i++)
		fprintf(out, "vista: %10llu  %s\n",
			(unsigned long long)bus->counts[i].n,
			bus->counts[i].name);
	if (bus->nr_counts > 10)
		fprintf(out, "vista: (%zu more functions)\n",
			bus->nr_counts - 10);
}
