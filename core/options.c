// SPDX-License-Identifier: GPL-2.0-only
/*
 * The core's option rows: every flag of the reference --help (same names,
 * metavars, defaults and help text) plus vista's own. Rows are kept in
 * flag order so that the table reads like the --help it produces.
 *
 * Plugin sections accept both the short key and the full flag name in a
 * profile; rows with key NULL are CLI-only, rows with flag NULL INI-only.
 */
#include <stdint.h>

#include "config.h"

#define NY	VISTA_OPTF_NOT_YET
#define ACT	VISTA_OPTF_ACTIVATES

const struct vista_option vista_core_options[] = {
	{
		.flag = "all-kmods", .section = "core", .key = "all-kmods",
		.type = VISTA_OPT_BOOL,
		.help = "attach to all available kernel modules",
	},
	{
		.flag = "filter-addr", .section = "core", .key = "filter-addr",
		.type = VISTA_OPT_STRING, .metavar = "string",
		.help = "filter IP address",
	},
	{
		.flag = "filter-ifname", .section = "core",
		.key = "filter-ifname",
		.type = VISTA_OPT_STRING, .metavar = "string",
		.help = "filter skb ifname in --filter-netns (if not specified, use current netns)",
	},
	{
		.flag = "filter-kprobe-batch", .section = "core",
		.key = "kprobe-batch",
		.type = VISTA_OPT_UINT, .metavar = "uint", .def = "10",
		.max = UINT64_MAX,
		.help = "batch size for kprobe attaching/detaching",
	},
	{
		.flag = "filter-netns", .section = "core", .key = "filter-netns",
		.type = VISTA_OPT_STRING, .metavar = "string",
		.help = "filter netns (\"/proc/<pid>/ns/net\", \"inode:<inode>\")",
	},
	{
		.flag = "filter-port", .section = "core", .key = "filter-port",
		.type = VISTA_OPT_UINT, .metavar = "uint16", .max = 65535,
		.help = "filter port",
	},
	{
		.flag = "filter-protocol", .section = "core",
		.key = "filter-protocol",
		.type = VISTA_OPT_ENUM, .metavar = "string",
		.choices = "tcp|udp|icmp|icmp6",
		.help = "filter protocol, tcp, udp, icmp, empty for any",
	},
	{
		.flag = "filter-sk-func", .section = "tracer.sk", .key = "func",
		.type = VISTA_OPT_STRING, .metavar = "string",
		.help = "filter kernel sk functions to be probed by name (whole-name match, POSIX extended regular expression)",
	},
	{
		.flag = "filter-sk-mark", .section = "tracer.sk", .key = "mark",
		.type = VISTA_OPT_UINT, .metavar = "uint32", .max = 0xffffffff,
		.help = "filter sk mark",
	},
	{
		.flag = "filter-skb-drop-stack", .section = "tracer.skb",
		.key = "drop-stack",
		.type = VISTA_OPT_BOOL,
		.help = "trace kfree_skb and print skb drop stack",
		.flags = ACT,
	},
	{
		.flag = "filter-skb-func", .section = "tracer.skb", .key = "func",
		.type = VISTA_OPT_STRING, .metavar = "string",
		.help = "filter kernel skb functions to be probed by name (whole-name match, POSIX extended regular expression)",
	},
	{
		.flag = "filter-skb-mark", .section = "tracer.skb", .key = "mark",
		.type = VISTA_OPT_UINT, .metavar = "uint32", .max = 0xffffffff,
		.help = "filter skb mark",
	},
	{
		.flag = "filter-tcp-lifetime", .section = "tracer.tcp",
		.key = "lifetime",
		.type = VISTA_OPT_DURATION, .metavar = "duration",
		.help = "filter TCP lifetime greater than or equal to the given duration (e.g., 100ms, 1s, 1m)",
	},
	{
		.flag = "filter-trace-iptables", .section = "tracer.iptables",
		.key = "trace",
		.type = VISTA_OPT_BOOL,
		.help = "trace iptables",
		.flags = ACT,
	},
	{
		.flag = "filter-trace-sk", .section = "tracer.sk", .key = "trace",
		.type = VISTA_OPT_BOOL,
		.help = "trace sock",
		.flags = ACT,
	},
	{
		.flag = "filter-trace-skb", .section = "tracer.skb",
		.key = "trace",
		.type = VISTA_OPT_BOOL,
		.help = "trace skb",
		.flags = ACT,
	},
	{
		.flag = "filter-trace-tc", .section = "tracer.tcxdp", .key = "tc",
		.type = VISTA_OPT_BOOL,
		.help = "trace TC bpf progs",
		.flags = ACT,
	},
	{
		.flag = "filter-trace-tcp", .section = "tracer.tcp",
		.key = "trace",
		.type = VISTA_OPT_BOOL,
		.help = "trace tcp socket lifetime",
		.flags = ACT,
	},
	{
		.flag = "filter-trace-xdp", .section = "tracer.tcxdp",
		.key = "xdp",
		.type = VISTA_OPT_BOOL,
		.help = "trace XDP bpf progs",
		.flags = ACT,
	},
	{
		.flag = "filter-track-skb", .section = "tracer.skb",
		.key = "track",
		.type = VISTA_OPT_BOOL,
		.help = "trace a packet even if it does not match given filters (e.g., after NAT or tunnel decapsulation)",
	},
	{
		.flag = "help", .short_flag = 'h', .section = "core",
		.type = VISTA_OPT_BOOL,
		.help = "display this message and exit",
	},
	{
		.flag = "kernel-btf", .section = "core", .key = "kernel-btf",
		.type = VISTA_OPT_STRING, .metavar = "string",
		.help = "specify kernel BTF file",
	},
	{
		.flag = "kmods", .section = "core", .key = "kmods",
		.type = VISTA_OPT_STRINGS, .metavar = "strings",
		.help = "list of kernel modules names to attach to",
	},
	{
		/* No default: the core picks the best one the kernel has. */
		.flag = "kprobe-backend", .section = "core", .key = "backend",
		.type = VISTA_OPT_ENUM, .metavar = "string",
		.choices = "kprobe|kprobe-multi|fentry|tracepoint",
		.help = "Tracing backend('kprobe', 'kprobe-multi', 'fentry', 'tracepoint'). Will auto-detect if not specified.",
	},
	{
		.flag = "list-plugins", .section = "core",
		.type = VISTA_OPT_BOOL,
		.help = "list the plugins found and exit",
	},
	{
		.flag = "output-file", .section = "sink.text", .key = "file",
		.type = VISTA_OPT_STRING, .metavar = "string",
		.help = "write traces to file",
		.flags = ACT,
	},
	{
		.flag = "output-iptables", .section = "tracer.iptables",
		.key = "output",
		.type = VISTA_OPT_BOOL,
		.help = "print iptables",
	},
	{
		.flag = "output-json", .section = "sink.json", .key = "output",
		.type = VISTA_OPT_BOOL,
		.help = "write events as JSON Lines (one object per line, doc/json.md) instead of text, to stdout or [sink.json] file",
		.flags = ACT,
	},
	{
		/* INI only: [sink.json] file = PATH ('-': stdout) */
		.section = "sink.json", .key = "file",
		.type = VISTA_OPT_STRING, .metavar = "string", .def = "-",
		.help = "where the JSON Lines go ('-': stdout)",
	},
	{
		/*
		 * The reference takes an int; a negative limit has no meaning,
		 * so max turns on the 0..max range check for this INT row.
		 */
		.flag = "output-limit-lines", .section = "core",
		.key = "output-limit-lines",
		.type = VISTA_OPT_INT, .metavar = "int", .max = INT64_MAX,
		.help = "exit the program after the number of events has been received/printed",
	},
	{
		.flag = "output-meta", .section = "core", .key = "output-meta",
		.type = VISTA_OPT_BOOL,
		.help = "print skb metadata",
	},
	{
		.flag = "output-sk", .section = "tracer.sk", .key = "output",
		.type = VISTA_OPT_BOOL,
		.help = "print sock",
	},
	{
		.flag = "output-skb", .section = "tracer.skb",
		.key = "output-skb",
		.type = VISTA_OPT_BOOL,
		.help = "print skb",
	},
	{
		.flag = "output-stack", .section = "core", .key = "output-stack",
		.type = VISTA_OPT_BOOL,
		.help = "print stack",
	},
	{
		.flag = "output-tcp", .section = "tracer.tcp", .key = "output",
		.type = VISTA_OPT_BOOL,
		.help = "print TCP",
	},
	{
		.flag = "output-tuple", .section = "core", .key = "output-tuple",
		.type = VISTA_OPT_BOOL,
		.help = "print L4 tuple",
	},
	{
		.flag = "pcap-file", .section = "sink.pcapng", .key = "file",
		.type = VISTA_OPT_STRING, .metavar = "string",
		/* the reference's text; ours also writes skb events (README) */
		.help = "write packets to pcap file, only work with --filter-trace-xdp/--filter-trace-tc",
		.flags = ACT,
	},
	{
		.flag = "pcap-mode", .section = "sink.pcapng", .key = "mode",
		.type = VISTA_OPT_STRINGS, .metavar = "strings",
		.def = "entry,exit", .choices = "entry|exit",
		.help = "pcap mode, can be 'entry' and/or 'exit', only work with --pcap-file. Default is 'entry' and 'exit'. 'entry' is to capture packet before BPF prog, 'exit' is to capture packet after BPF prog.",
	},
	{
		.flag = "pcap-snaplen", .section = "sink.pcapng",
		.key = "snaplen",
		.type = VISTA_OPT_UINT, .metavar = "uint16", .def = "256",
		/* VISTA_SNAPLEN_MAX: a per-CPU map value holds the bytes */
		.max = 16384,
		.help = "snapture length of packet for pcap",
	},
	{
		.flag = "plugin-dir", .section = "core",
		.type = VISTA_OPT_STRINGS, .metavar = "dir",
		.help = "also look for plugins in dir (repeatable)",
	},
	{
		/* CLI-only: a profile cannot name another profile. */
		.flag = "profile", .section = "core",
		.type = VISTA_OPT_STRING, .metavar = "file",
		.help = "read options from an INI profile (the command line overrides it)",
	},
	{
		.flag = "ring-size", .section = "core", .key = "ring-size",
		.type = VISTA_OPT_UINT, .metavar = "bytes", .def = "8388608",
		.max = 1U << 30,
		.help = "size of the event ring buffer shared by all plugins, a power of two of at least 4096",
	},
	{
		.flag = "track-size", .section = "core", .key = "track-size",
		.type = VISTA_OPT_UINT, .metavar = "entries", .def = "65536",
		.max = 1U << 24,
		.help = "packets --filter-track-skb follows at once (an LRU map: the least recently seen are evicted, and counted, when it is full)",
	},
	{
		.flag = "timestamp", .section = "core", .key = "timestamp",
		.type = VISTA_OPT_ENUM, .metavar = "string", .def = "none",
		.choices = "none|relative|absolute",
		.help = "print timestamp per event (\"relative\", \"absolute\", \"none\")",
	},
	{
		.flag = "version", .section = "core",
		.type = VISTA_OPT_BOOL,
		.help = "show vista version and exit",
	},
	{
		/* The positional pcap-filter arguments, as a profile key. */
		.section = "core", .key = "filter",
		.type = VISTA_OPT_STRING,
		.help = "pcap-filter expression",
	},
};

const size_t vista_nr_core_options =
	sizeof(vista_core_options) / sizeof(vista_core_options[0]);
