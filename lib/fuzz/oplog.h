/*
 * oplog.h - the fuzzer's operation log: what a run did, one line per
 * operation, replayable.  Text, so that a person reads a report and
 * edits a reproducer by hand:
 *
 *	xk-fuzz-log 1 engine=toolstack seed=42
 *	create d0 mem=128 maxmem=192 vcpus=1 maxvcpus=2 paused=0
 *	vcpus d0 online=2
 *	pool d0 pool=1
 *	disk-attach d0
 *	xs-write k1/k3 v7
 *	# violation: ...		(comments: what the engine found)
 *
 * or, from the hypercall engine (engine=hypercall), calls only:
 *
 *	hc domctl.ioport_permission dom=@1 first_port=5 nr_ports=0 allow=0
 *
 * or, from the guest engine (engine=guest), a guest's calls only:
 *
 *	hc guest.evtchn.bind_virq virq=3 vcpu=0
 *
 * The first line names the format's version, the engine and the seed.
 * Every other line is a comment ('#' first) or one operation: a verb,
 * then its operands separated by single spaces, each checked for type
 * and range.  A line is at most XK_OPLOG_LINE_MAX bytes, a log at most
 * XK_OPLOG_OPS_MAX operations: a bad log is refused with LINE:COLUMN
 * and why, never read without bound.  doc/xk-fuzz.1.scd describes it
 * for people.
 */
#ifndef XK_FUZZ_OPLOG_H
#define XK_FUZZ_OPLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz/hcall.h"
#include "util/error.h"
#include "util/strbuf.h"

#define XK_OPLOG_VERSION	1
#define XK_OPLOG_LINE_MAX	256
#define XK_OPLOG_OPS_MAX	100000
#define XK_FUZZ_DOMS		8	/* domains d0 ... d7 */
#define XK_FUZZ_KEY_MAX		18	/* "abcdefgh/abcdefgh" + NUL */
#define XK_FUZZ_VAL_MAX		17

enum xk_fuzz_verb {
	XK_OP_CREATE, XK_OP_PAUSE, XK_OP_UNPAUSE, XK_OP_SHUTDOWN,
	XK_OP_REBOOT, XK_OP_DESTROY, XK_OP_MEM, XK_OP_VCPUS, XK_OP_SCHED,
	XK_OP_POOL, XK_OP_DISK_ATTACH, XK_OP_DISK_DETACH,
	XK_OP_SAVE,		/* save and restore (xl save, xl restore) */
	XK_OP_XS_WRITE, XK_OP_XS_READ, XK_OP_XS_RM,
	XK_OP_HCALL,		/* the hypercall engine's only verb */
	XK_OP_NVERBS
};

/* One operation.  The operands a verb does not take are 0 or "". */
struct xk_fuzz_op {
	enum xk_fuzz_verb verb;
	int dom;		/* d0..d7: the domain's index */
	uint32_t mem, maxmem;	/* create: MiB */
	uint32_t vcpus, maxvcpus, paused;
	uint32_t target;	/* mem: MiB */
	uint32_t online;	/* vcpus */
	uint32_t weight, cap;	/* sched */
	uint32_t pool;		/* pool: 0 Pool-0, 1 the fuzzer's */
	char key[XK_FUZZ_KEY_MAX];
	char val[XK_FUZZ_VAL_MAX];
	uint16_t call;		/* hc: the call (hcall.h's table) */
	uint64_t arg[XK_HC_ARGS];	/* hc: its arguments */
};

struct xk_oplog {
	char engine[16];
	uint64_t seed;
	struct xk_fuzz_op *ops;
	size_t n;
};

const char *xk_fuzz_verb_name(enum xk_fuzz_verb v);
/* Is it a log of calls (the hypercall or the guest engine's)? */
bool xk_oplog_is_hcall(const struct xk_oplog *log);
/* Is it the guest engine's? */
bool xk_oplog_is_guest(const struct xk_oplog *log);

/* Append op as one line (with its newline) to sb. */
int xk_oplog_format(const struct xk_fuzz_op *op, struct strbuf *sb);
/* The header line (with its newline). */
int xk_oplog_header(const char *engine, uint64_t seed, struct strbuf *sb);

/*
 * Read one operation line (len bytes, no newline); lineno for messages
 * ("LINE:COLUMN: why").
 */
int xk_oplog_parse_op(const char *line, size_t len, size_t lineno,
    struct xk_fuzz_op *op, struct xk_error *err);

/* Read a whole log from memory; name prefixes the messages. */
int xk_oplog_parse(const char *data, size_t len, const char *name,
    struct xk_oplog *log, struct xk_error *err);
/* Read a log file (bounded: at most what the limits allow). */
int xk_oplog_load(const char *path, struct xk_oplog *log,
    struct xk_error *err);
void xk_oplog_free(struct xk_oplog *log);

#endif
