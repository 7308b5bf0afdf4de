// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * TCP connection lifetimes, from tracepoints only (so on every kernel):
 *
 * inet_sock_set_state  birth (SYN_SENT: the connecting task owns it;
 *                      SYN_RECV or a first ESTABLISHED), and at CLOSE the
 *                      event: lifetime and the socket's counters;
 * tcp_send_reset, tcp_receive_reset   the connection's reset flags (also
 *                      the reset an abort sends after CLOSE);
 * tcp_destroy_sock     sends the closed connection's event, forgets
 *                      sockets that never reached CLOSE;
 * sys_exit             accept()/accept4() returning: the accepting task
 *                      owns the passive side (x86-64 syscall numbers).
 *
 * Arguments come through BTF (tp_btf), not hard-coded record layouts.
 */
#include "vmlinux.h"
#include <vista/bpf/vista.bpf.h>
#include <vista/bpf/skb.bpf.h>
#include <vista/bpf/sock.bpf.h>
#include "tcp.h"

#define TCP_NR_ACCEPT		43	/* x86-64 */
#define TCP_NR_ACCEPT4		288

/* --filter-tcp-lifetime, in ns */
const volatile __u64 tcp_min_lifetime = 0;

struct tcp_conn {
	struct vista_tuple tuple;	/* as last seen complete */
	__u64 birth_ns;
	__u32 pid;
	__u32 tid;
	char comm[VISTA_COMM_LEN];
	__u8 rst;
	__u8 birth_state;
	__u8 pad[6];
};

/*
 * Closed connections waiting for tcp_destroy_sock: a reset is often sent
 * after CLOSE (tcp_close() with unread data), so the event leaves then.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct tcp_event);
} tcp_dead SEC(".maps");

/* Live connections; LRU bounds a long run, tcp_destroy_sock cleans up. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct tcp_conn);
} tcp_conns SEC(".maps");

static __always_inline void tcp_own(struct tcp_conn *c)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	c->pid = pid_tgid >> 32;
	c->tid = (__u32)pid_tgid;
	bpf_get_current_comm(c->comm, sizeof(c->comm));
}

static __always_inline void tcp_born(const struct sock *sk, int state)
{
	__u64 key = (__u64)sk;
	struct tcp_conn c = {
		.birth_ns = bpf_ktime_get_ns(),
		.birth_state = state,
	};

	/* connect() runs in the task that makes the connection */
	if (state == TCP_SYN_SENT)
		tcp_own(&c);
	vista_sk_tuple(sk, &c.tuple);
	bpf_map_update_elem(&tcp_conns, &key, &c, BPF_NOEXIST);
}

/*
 * By CLOSE the socket is unhashed and its port released: keep the tuple
 * from the last moment it was whole (a connect()ing socket gets its port
 * after SYN_SENT).
 */
static __always_inline void tcp_see(const struct sock *sk,
				    struct tcp_conn *c)
{
	struct vista_tuple t = {};

	vista_sk_tuple(sk, &t);
	if (t.sport && t.dport)
		c->tuple = t;
}

static __always_inline void tcp_closed(void *ctx, const struct sock *sk,
				       int oldstate)
{
	const struct vista_filter_cfg *cfg = vista_config();
	const struct tcp_sock *tp = (const void *)sk;
	const struct inet_connection_sock *icsk = (const void *)sk;
	__u64 key = (__u64)sk, now = bpf_ktime_get_ns();
	struct tcp_event ev = {};
	struct tcp_conn *c;

	c = bpf_map_lookup_elem(&tcp_conns, &key);
	if (!c)
		return;		/* born before vista started */
	ev.lifetime_ns = now - c->birth_ns;
	ev.hdr.netns = vista_sk_netns(sk);
	ev.tuple = c->tuple;
	if (ev.lifetime_ns < tcp_min_lifetime ||
	    !vista_sk_match(cfg, ev.hdr.netns, 0, sk, &ev.tuple))
		goto out;
	vista_fill_hdr(&ev.hdr, TCP_EV_CLOSE, key);	/* keeps netns */
	/* the owner, not whoever runs the last state change */
	ev.hdr.pid = c->pid;	/* 0: not known */
	ev.hdr.tid = c->tid;
	__builtin_memcpy(ev.hdr.comm, c->comm, sizeof(ev.hdr.comm));
	ev.rst = c->rst;
	ev.birth_state = c->birth_state;
	ev.last_state = oldstate;
	ev.bytes_received = BPF_CORE_READ(tp, bytes_received);
	ev.bytes_sent = BPF_CORE_READ(tp, bytes_sent);
	ev.srtt_us = BPF_CORE_READ(tp, srtt_us) >> 3;
	ev.total_retrans = BPF_CORE_READ(tp, total_retrans);
	ev.mark = BPF_CORE_READ(sk, sk_mark);
	bpf_probe_read_kernel_str(ev.ca, sizeof(ev.ca),
				  BPF_CORE_READ(icsk, icsk_ca_ops, name));
	bpf_map_update_elem(&tcp_dead, &key, &ev, BPF_ANY);
out:
	bpf_map_delete_elem(&tcp_conns, &key);
}

/* inet_sock_set_state(sk, oldstate, newstate) */
SEC(VISTA_SEC_TRACING)
int vista_tcp_state(__u64 *ctx)
{
	const struct sock *sk = (const struct sock *)ctx[0];
	int oldstate = (int)ctx[1], newstate = (int)ctx[2];
	__u64 key = (__u64)sk;
	struct tcp_conn *c;

	if (BPF_CORE_READ(sk, sk_protocol) != VISTA_IPPROTO_TCP)
		return 0;
	switch (newstate) {
	case TCP_SYN_SENT:
	case TCP_SYN_RECV:
		tcp_born(sk, newstate);
		break;
	case TCP_CLOSE:
		tcp_closed(ctx, sk, oldstate);
		break;
	default:
		c = bpf_map_lookup_elem(&tcp_conns, &key);
		if (c)
			tcp_see(sk, c);
		else if (newstate == TCP_ESTABLISHED)
			tcp_born(sk, newstate);	/* no SYN state seen */
		break;
	}
	return 0;
}

static __always_inline void tcp_flag_rst(const struct sock *sk, __u8 flag)
{
	__u64 key = (__u64)sk;
	struct tcp_event *ev;
	struct tcp_conn *c;

	if (!sk)
		return;
	ev = bpf_map_lookup_elem(&tcp_dead, &key);
	if (ev) {		/* the reset that follows an abort */
		ev->rst |= flag;
		return;
	}
	c = bpf_map_lookup_elem(&tcp_conns, &key);
	if (c) {
		c->rst |= flag;
		tcp_see(sk, c);
	}
}

/* tcp_send_reset(sk, skb[, reason]): sk is NULL when no socket matched. */
SEC(VISTA_SEC_TRACING)
int vista_tcp_send_reset(__u64 *ctx)
{
	tcp_flag_rst((const struct sock *)ctx[0], TCP_RST_SENT);
	return 0;
}

/* tcp_receive_reset(sk) */
SEC(VISTA_SEC_TRACING)
int vista_tcp_recv_reset(__u64 *ctx)
{
	tcp_flag_rst((const struct sock *)ctx[0], TCP_RST_RECV);
	return 0;
}

/*
 * tcp_destroy_sock(sk): the end of any TCP socket. A closed connection's
 * event leaves now; one that never reached CLOSE is forgotten.
 */
SEC(VISTA_SEC_TRACING)
int vista_tcp_destroy(__u64 *ctx)
{
	__u64 key = ctx[0];
	struct tcp_event *ev;

	ev = bpf_map_lookup_elem(&tcp_dead, &key);
	if (ev) {
		vista_submit(ctx, ev, sizeof(*ev), false);
		bpf_map_delete_elem(&tcp_dead, &key);
	}
	bpf_map_delete_elem(&tcp_conns, &key);
	return 0;
}

/* sys_exit(regs, ret): accept()/accept4() gave fd ret to this task. */
SEC(VISTA_SEC_TRACING)
int vista_tcp_accept(__u64 *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	long fd = (long)ctx[1];
	struct task_struct *task;
	struct file **fds, *file;
	struct socket *sock;
	struct tcp_conn *c;
	long nr;
	__u64 key;

	nr = BPF_CORE_READ(regs, orig_ax);
	if ((nr != TCP_NR_ACCEPT && nr != TCP_NR_ACCEPT4) || fd < 0 ||
	    fd > 0xfffff)
		return 0;
	task = (struct task_struct *)bpf_get_current_task();
	fds = BPF_CORE_READ(task, files, fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), fds + fd) || !file)
		return 0;
	sock = BPF_CORE_READ(file, private_data);
	if (!sock)
		return 0;
	key = (__u64)BPF_CORE_READ(sock, sk);
	c = bpf_map_lookup_elem(&tcp_conns, &key);
	if (c && !c->pid)		/* no owner yet */
		tcp_own(c);
	return 0;
}
