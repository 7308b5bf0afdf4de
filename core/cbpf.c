// SPDX-License-Identifier: GPL-2.0-only
/*
 * Classic BPF to eBPF, for pcap-filter expressions evaluated in the kernel.
 *
 * Register use (r1-r5 are clobbered by the helper call of every load, so
 * the cBPF state lives in callee-saved registers):
 *	r6 = A, r7 = X (both kept zero-extended 32-bit values)
 *	r8 = data, r9 = data_end - data (the packet length)
 *	fp-64..fp-1 = M[0..15], fp-72 = buffer for packet loads,
 *	fp-136..fp-73 = the packet's first CBPF_WINDOW bytes
 *
 * Every helper call costs: the prologue reads the packet's first
 * CBPF_WINDOW bytes (the headers most expressions look at) with one, and
 * loads inside them are plain stack loads; loads beyond take a helper call
 * each.
 *
 * Semantics follow libpcap's bpf_filter(): A and X start at 0, loads out of
 * the packet and division by a zero X return 0 (no match), and a shift by
 * 32 or more gives 0 (eBPF would mask the count; the verifier rejects such
 * constant counts).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cbpf.h"

#define CB_A		BPF_REG_6
#define CB_X		BPF_REG_7
#define CB_DATA		BPF_REG_8
#define CB_LEN		BPF_REG_9
#define CB_MEM_OFF	(-64)
#define CB_BUF_OFF	(-72)
#define CB_WIN_OFF	(CB_BUF_OFF - CBPF_WINDOW)

_Static_assert(-CB_WIN_OFF == CBPF_STACK_SIZE, "stack layout");
_Static_assert(BPF_MEMWORDS == 16, "M[] is 16 words");

/* A jump to patch once every cBPF instruction has its eBPF position. */
struct cb_fixup {
	size_t at;		/* eBPF index of the jump */
	size_t target;		/* cBPF index; the program length = return 0 */
};

struct cb_ctx {
	struct bpf_insn *insns;
	size_t n, cap;
	struct cb_fixup *fix;
	size_t nfix, capfix;
	size_t *start;		/* cBPF index -> first eBPF index */
	bool *reach;		/* cBPF index -> reachable from the start */
	int error;		/* sticky -ENOMEM from emit */
	char *err;
	size_t errlen;
};

static int cb_fail(struct cb_ctx *c, int ret, const char *fmt, ...)
{
	va_list ap;

	if (c->err && c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static void cb_emit(struct cb_ctx *c, __u8 code, __u8 dst, __u8 src,
		    __s16 off, __s32 imm)
{
	struct bpf_insn *insn;

	if (c->error)
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;

		insn = realloc(c->insns, cap * sizeof(*insn));
		if (!insn) {
			c->error = -ENOMEM;
			return;
		}
		c->insns = insn;
		c->cap = cap;
	}
	insn = &c->insns[c->n++];
	memset(insn, 0, sizeof(*insn));
	insn->code = code;
	insn->dst_reg = dst;
	insn->src_reg = src;
	insn->off = off;
	insn->imm = imm;
}

/* Emit a jump (offset patched later) to cBPF instruction @target. */
static void cb_emit_jmp(struct cb_ctx *c, __u8 code, __u8 dst, __u8 src,
			__s32 imm, size_t target)
{
	struct cb_fixup *f;

	if (c->error)
		return;
	if (c->nfix == c->capfix) {
		size_t cap = c->capfix ? c->capfix * 2 : 128;

		f = realloc(c->fix, cap * sizeof(*f));
		if (!f) {
			c->error = -ENOMEM;
			return;
		}
		c->fix = f;
		c->capfix = cap;
	}
	c->fix[c->nfix].at = c->n;
	c->fix[c->nfix].target = target;
	c->nfix++;
	cb_emit(c, code, dst, src, 0, imm);
}

static __u8 cb_size(__u16 code)
{
	switch (BPF_SIZE(code)) {
	case BPF_W:
		return 4;
	case BPF_H:
		return 2;
	case BPF_B:
		return 1;
	}
	return 0;
}

/*
 * Load @size bytes at offset @k (plus X if @ind) into @dst in host order,
 * or return 0 from the filter if they are not all inside the packet.
 * The offset is computed in 64 bits so that X + k cannot wrap, and it is
 * bounded by a constant so that the verifier accepts data + offset when
 * data is a packet pointer. Inside the window the prologue read, a stack
 * load at a bounded variable offset; beyond it, a probe read.
 */
static void cb_emit_load(struct cb_ctx *c, __u8 dst, __u8 size, bool ind,
			 __u32 k, size_t out)
{
	static const __u8 ldx_size[] = { [1] = BPF_B, [2] = BPF_H,
					  [4] = BPF_W };
	__s16 i;

	cb_emit(c, BPF_ALU | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, (__s32)k);
	if (ind) {
		cb_emit(c, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_2, CB_X, 0, 0);
		cb_emit(c, BPF_ALU64 | BPF_ADD | BPF_X, BPF_REG_1, BPF_REG_2,
			0, 0);
	}
	cb_emit_jmp(c, BPF_JMP | BPF_JGT | BPF_K, BPF_REG_1, 0,
		    CBPF_MAX_PKT_OFF, out);
	cb_emit(c, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_1, 0, 0);
	cb_emit(c, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, size);
	cb_emit_jmp(c, BPF_JMP | BPF_JGT | BPF_X, BPF_REG_2, CB_LEN, 0, out);
	/*
	 * In the window: byte by byte (the verifier wants aligned stack
	 * loads; the offset is only known to be in range), most significant
	 * first, which is also network order; then over the probe read.
	 */
	cb_emit(c, BPF_JMP | BPF_JGT | BPF_K, BPF_REG_1, 0, 3 * size + 1,
		CBPF_WINDOW - size);
	cb_emit(c, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_10, 0, 0);
	cb_emit(c, BPF_ALU64 | BPF_ADD | BPF_X, BPF_REG_3, BPF_REG_1, 0, 0);
	cb_emit(c, BPF_LDX | BPF_MEM | BPF_B, dst, BPF_REG_3, CB_WIN_OFF, 0);
	for (i = 1; i < size; i++) {
		cb_emit(c, BPF_ALU | BPF_LSH | BPF_K, dst, 0, 0, 8);
		cb_emit(c, BPF_LDX | BPF_MEM | BPF_B, BPF_REG_4, BPF_REG_3,
			CB_WIN_OFF + i, 0);
		cb_emit(c, BPF_ALU | BPF_OR | BPF_X, dst, BPF_REG_4, 0, 0);
	}
	cb_emit(c, BPF_JMP | BPF_JA, 0, 0, size > 1 ? 9 : 8, 0);
	cb_emit(c, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, CB_DATA, 0, 0);
	cb_emit(c, BPF_ALU64 | BPF_ADD | BPF_X, BPF_REG_3, BPF_REG_1, 0, 0);
	cb_emit(c, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_10, 0, 0);
	cb_emit(c, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0, CB_BUF_OFF);
	cb_emit(c, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, size);
	cb_emit(c, BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel);
	cb_emit_jmp(c, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 0, out);
	cb_emit(c, BPF_LDX | BPF_MEM | ldx_size[size], dst, BPF_REG_10,
		CB_BUF_OFF, 0);
	if (size > 1)	/* cBPF loads are network order */
		cb_emit(c, BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0,
			size * 8);
}

/* What the program touches: packet bytes (not only its length), M[]. */
static void cb_scan(const struct sock_filter *prog, size_t len, bool *pkt,
		    bool *mem)
{
	size_t i;

	*pkt = *mem = false;
	for (i = 0; i < len; i++) {
		__u16 cls = BPF_CLASS(prog[i].code);
		__u16 mode = BPF_MODE(prog[i].code);

		if ((cls == BPF_LD && (mode == BPF_ABS || mode == BPF_IND)) ||
		    (cls == BPF_LDX && mode == BPF_MSH))
			*pkt = true;
		if (cls == BPF_ST || cls == BPF_STX ||
		    ((cls == BPF_LD || cls == BPF_LDX) && mode == BPF_MEM))
			*mem = true;
	}
}

static int cb_alu(struct cb_ctx *c, size_t i, const struct sock_filter *f,
		  size_t out)
{
	__u8 op = BPF_OP(f->code);
	bool x = BPF_SRC(f->code) == BPF_X;

	switch (op) {
	case BPF_ADD:
	case BPF_SUB:
	case BPF_MUL:
	case BPF_AND:
	case BPF_OR:
	case BPF_XOR:
		break;
	case BPF_DIV:
	case BPF_MOD:
		/* bpf_filter() rejects the packet; eBPF would yield 0 or A */
		if (x)
			cb_emit_jmp(c, BPF_JMP32 | BPF_JEQ | BPF_K, CB_X, 0,
				    0, out);
		else if (f->k == 0)
			cb_emit_jmp(c, BPF_JMP | BPF_JA, 0, 0, 0, out);
		break;
	case BPF_LSH:
	case BPF_RSH:
		/* counts of 32 or more give 0, as in bpf_filter() */
		if (x) {
			cb_emit(c, BPF_JMP32 | BPF_JGE | BPF_K, CB_X, 0, 2, 32);
			cb_emit(c, BPF_ALU | op | BPF_X, CB_A, CB_X, 0, 0);
			cb_emit(c, BPF_JMP | BPF_JA, 0, 0, 1, 0);
			cb_emit(c, BPF_ALU | BPF_MOV | BPF_K, CB_A, 0, 0, 0);
		} else if (f->k < 32) {
			cb_emit(c, BPF_ALU | op | BPF_K, CB_A, 0, 0, f->k);
		} else {
			cb_emit(c, BPF_ALU | BPF_MOV | BPF_K, CB_A, 0, 0, 0);
		}
		return 0;
	case BPF_NEG:
		cb_emit(c, BPF_ALU | BPF_NEG, CB_A, 0, 0, 0);
		return 0;
	default:
		return cb_fail(c, -EINVAL,
			       "cBPF instruction %zu: unsupported ALU opcode 0x%04x",
			       i, f->code);
	}
	if (x)
		cb_emit(c, BPF_ALU | op | BPF_X, CB_A, CB_X, 0, 0);
	else if (!((op == BPF_DIV || op == BPF_MOD) && f->k == 0))
		cb_emit(c, BPF_ALU | op | BPF_K, CB_A, 0, 0, (__s32)f->k);
	return 0;
}

static int cb_jmp(struct cb_ctx *c, size_t i, const struct sock_filter *f,
		  size_t len)
{
	__u8 op = BPF_OP(f->code);
	bool x = BPF_SRC(f->code) == BPF_X;
	size_t jt = i + 1 + f->jt, jf = i + 1 + f->jf;

	if (op == BPF_JA) {
		/* libpcap's protochain loops; bounded loops are not done */
		if ((__s32)f->k < 0)
			return cb_fail(c, -EINVAL,
				       "cBPF instruction %zu: backward jump (protochain?) is not supported",
				       i);
		if (f->k >= len - i - 1)
			return cb_fail(c, -EINVAL,
				       "cBPF instruction %zu: jump out of the program",
				       i);
		cb_emit_jmp(c, BPF_JMP | BPF_JA, 0, 0, 0, i + 1 + f->k);
		return 0;
	}
	if (op != BPF_JEQ && op != BPF_JGT && op != BPF_JGE && op != BPF_JSET)
		return cb_fail(c, -EINVAL,
			       "cBPF instruction %zu: unsupported jump opcode 0x%04x",
			       i, f->code);
	if (jt >= len || jf >= len)
		return cb_fail(c, -EINVAL,
			       "cBPF instruction %zu: jump out of the program",
			       i);
	/* JMP32: cBPF compares 32-bit values and k must not sign-extend */
	cb_emit_jmp(c, BPF_JMP32 | op | (x ? BPF_X : BPF_K), CB_A,
		    x ? CB_X : 0, x ? 0 : (__s32)f->k, jt);
	if (jf != i + 1)
		cb_emit_jmp(c, BPF_JMP | BPF_JA, 0, 0, 0, jf);
	return 0;
}

static int cb_insn(struct cb_ctx *c, size_t i, const struct sock_filter *f,
		   size_t len)
{
	__u8 size = cb_size(f->code);
	__u8 mode = BPF_MODE(f->code);
	__s16 mem = CB_MEM_OFF + 4 * (__s16)(f->k & 0xf);
	bool bad_mem = f->k >= BPF_MEMWORDS;

	switch (BPF_CLASS(f->code)) {
	case BPF_LD:
		if ((mode == BPF_ABS || mode == BPF_IND) && size) {
			cb_emit_load(c, CB_A, size, mode == BPF_IND, f->k,
				     len);
			return 0;
		}
		if (BPF_SIZE(f->code) != BPF_W)
			break;
		if (mode == BPF_IMM) {
			cb_emit(c, BPF_ALU | BPF_MOV | BPF_K, CB_A, 0, 0,
				(__s32)f->k);
			return 0;
		}
		if (mode == BPF_LEN) {
			cb_emit(c, BPF_ALU | BPF_MOV | BPF_X, CB_A, CB_LEN,
				0, 0);
			return 0;
		}
		if (mode == BPF_MEM && !bad_mem) {
			cb_emit(c, BPF_LDX | BPF_MEM | BPF_W, CB_A,
				BPF_REG_10, mem, 0);
			return 0;
		}
		break;
	case BPF_LDX:
		if (mode == BPF_MSH && BPF_SIZE(f->code) == BPF_B) {
			/* X = 4 * (P[k] & 0xf), the IPv4 header length */
			cb_emit_load(c, CB_X, 1, false, f->k, len);
			cb_emit(c, BPF_ALU | BPF_AND | BPF_K, CB_X, 0, 0, 0xf);
			cb_emit(c, BPF_ALU | BPF_LSH | BPF_K, CB_X, 0, 0, 2);
			return 0;
		}
		if (BPF_SIZE(f->code) != BPF_W)
			break;
		if (mode == BPF_IMM) {
			cb_emit(c, BPF_ALU | BPF_MOV | BPF_K, CB_X, 0, 0,
				(__s32)f->k);
			return 0;
		}
		if (mode == BPF_LEN) {
			cb_emit(c, BPF_ALU | BPF_MOV | BPF_X, CB_X, CB_LEN,
				0, 0);
			return 0;
		}
		if (mode == BPF_MEM && !bad_mem) {
			cb_emit(c, BPF_LDX | BPF_MEM | BPF_W, CB_X,
				BPF_REG_10, mem, 0);
			return 0;
		}
		break;
	case BPF_ST:
	case BPF_STX:
		if (f->code != BPF_ST && f->code != BPF_STX)
			break;
		if (bad_mem)
			return cb_fail(c, -EINVAL,
				       "cBPF instruction %zu: M[%u] out of range",
				       i, f->k);
		cb_emit(c, BPF_STX | BPF_MEM | BPF_W, BPF_REG_10,
			f->code == BPF_ST ? CB_A : CB_X, mem, 0);
		return 0;
	case BPF_ALU:
		return cb_alu(c, i, f, len);
	case BPF_JMP:
		return cb_jmp(c, i, f, len);
	case BPF_RET:
		if (BPF_RVAL(f->code) == BPF_K)
			cb_emit(c, BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0,
				(__s32)f->k);
		else if (BPF_RVAL(f->code) == BPF_A)
			cb_emit(c, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_0, CB_A,
				0, 0);
		else
			break;
		cb_emit(c, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		return 0;
	case BPF_MISC:
		if (BPF_MISCOP(f->code) == BPF_TAX) {
			cb_emit(c, BPF_ALU | BPF_MOV | BPF_X, CB_X, CB_A, 0, 0);
			return 0;
		}
		if (BPF_MISCOP(f->code) == BPF_TXA) {
			cb_emit(c, BPF_ALU | BPF_MOV | BPF_X, CB_A, CB_X, 0, 0);
			return 0;
		}
		break;
	}
	return cb_fail(c, -EINVAL,
		       "cBPF instruction %zu: unsupported opcode 0x%04x (k %u)",
		       i, f->code, f->k);
}

/* Which instructions a run can reach: jumps only go forward, so one pass
 * in order marks them all. Targets out of the program are cb_jmp()'s to
 * refuse. */
static void cb_reach(const struct sock_filter *prog, size_t len, bool *reach)
{
	const struct sock_filter *f;
	size_t i;

	reach[0] = true;
	for (i = 0; i < len; i++) {
		f = &prog[i];
		if (!reach[i] || BPF_CLASS(f->code) == BPF_RET)
			continue;
		if (BPF_CLASS(f->code) != BPF_JMP) {
			if (i + 1 < len)
				reach[i + 1] = true;
		} else if (BPF_OP(f->code) == BPF_JA) {
			if ((__s32)f->k >= 0 && f->k < len - i - 1)
				reach[i + 1 + f->k] = true;
		} else {
			if (i + 1 + f->jt < len)
				reach[i + 1 + f->jt] = true;
			if (i + 1 + f->jf < len)
				reach[i + 1 + f->jf] = true;
		}
	}
}

static int cb_patch(struct cb_ctx *c)
{
	size_t i;

	for (i = 0; i < c->nfix; i++) {
		const struct cb_fixup *f = &c->fix[i];
		long off = (long)c->start[f->target] - (long)f->at - 1;

		if (off < 0 || off > INT16_MAX)
			return cb_fail(c, -E2BIG,
				       "translated filter too large: jump of %ld instructions",
				       off);
		c->insns[f->at].off = (__s16)off;
	}
	return 0;
}

int cbpf_to_ebpf(const struct sock_filter *prog, size_t len,
		 struct bpf_insn **out, size_t *out_len,
		 char *err, size_t errlen)
{
	struct cb_ctx c = { .err = err, .errlen = errlen };
	bool reads_pkt, uses_mem;
	size_t i;
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (!prog || !len)
		return cb_fail(&c, -EINVAL, "empty cBPF program");
	if (len > BPF_MAXINSNS)
		return cb_fail(&c, -EINVAL,
			       "cBPF program of %zu instructions (max %d)",
			       len, BPF_MAXINSNS);
	if (BPF_CLASS(prog[len - 1].code) != BPF_RET)
		return cb_fail(&c, -EINVAL,
			       "cBPF program does not end with a return");

	c.start = calloc(len + 1, sizeof(*c.start));
	c.reach = calloc(len, sizeof(*c.reach));
	if (!c.start || !c.reach) {
		ret = cb_fail(&c, -ENOMEM, "out of memory");
		goto out_free;
	}

	/* Out of the packet already (also a negative length): no match. */
	cb_emit_jmp(&c, BPF_JMP | BPF_JGT | BPF_X, BPF_REG_1, BPF_REG_2, 0,
		    len);
	cb_emit(&c, BPF_ALU64 | BPF_MOV | BPF_X, CB_DATA, BPF_REG_1, 0, 0);
	cb_emit(&c, BPF_ALU64 | BPF_MOV | BPF_X, CB_LEN, BPF_REG_2, 0, 0);
	cb_emit(&c, BPF_ALU64 | BPF_SUB | BPF_X, CB_LEN, CB_DATA, 0, 0);
	cb_emit(&c, BPF_ALU | BPF_MOV | BPF_K, CB_A, 0, 0, 0);
	cb_emit(&c, BPF_ALU | BPF_MOV | BPF_K, CB_X, 0, 0, 0);
	/*
	 * The window: min(length, CBPF_WINDOW) bytes in one probe read. If
	 * even that fails the packet is not readable: no match.
	 */
	cb_scan(prog, len, &reads_pkt, &uses_mem);
	if (reads_pkt) {
		cb_emit(&c, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_10,
			0, 0);
		cb_emit(&c, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_1, 0, 0,
			CB_WIN_OFF);
		cb_emit(&c, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, CB_LEN,
			0, 0);
		cb_emit(&c, BPF_JMP | BPF_JLE | BPF_K, BPF_REG_2, 0, 1,
			CBPF_WINDOW);
		cb_emit(&c, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0,
			CBPF_WINDOW);
		cb_emit(&c, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, CB_DATA,
			0, 0);
		cb_emit(&c, BPF_JMP | BPF_CALL, 0, 0, 0,
			BPF_FUNC_probe_read_kernel);
		cb_emit_jmp(&c, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 0,
			    len);
	}
	/* libpcap never reads M[] unwritten, but the verifier cannot know */
	if (uses_mem) {
		cb_emit(&c, BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
		for (i = 0; i < BPF_MEMWORDS / 2; i++)
			cb_emit(&c, BPF_STX | BPF_MEM | BPF_DW, BPF_REG_10,
				BPF_REG_0, CB_MEM_OFF + 8 * (__s16)i, 0);
	}

	/*
	 * Unreachable instructions (which the kernel's classic checker and
	 * bpf_filter() accept) are left out: the verifier refuses dead code.
	 */
	cb_reach(prog, len, c.reach);
	for (i = 0; i < len; i++) {
		c.start[i] = c.n;
		if (!c.reach[i])
			continue;
		ret = cb_insn(&c, i, &prog[i], len);
		if (ret)
			goto out_free;
	}
	c.start[len] = c.n;
	cb_emit(&c, BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	cb_emit(&c, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	if (c.error) {
		ret = cb_fail(&c, c.error, "out of memory");
		goto out_free;
	}
	ret = cb_patch(&c);
	if (ret)
		goto out_free;

	*out = c.insns;
	*out_len = c.n;
	c.insns = NULL;
out_free:
	free(c.insns);
	free(c.fix);
	free(c.start);
	free(c.reach);
	return ret;
}
