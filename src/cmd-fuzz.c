/*
 * cmd-fuzz.c - xk fuzz run|replay|shrink|guided (on the host, against
 * a lab) and xk fuzz engine (in the lab's dom0, started by the others).
 *
 * Thin: options, then lib/fuzz (drive.h on the host, engine.h in dom0).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fuzz/drive.h"
#include "fuzz/engine.h"
#include "fuzz/guided.h"
#include "fuzz/segment.h"
#include "fuzz/shrink.h"
#include "lab/lab.h"
#include "lab/serial.h"
#include "lab/restart.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/strbuf.h"
#include "util/tempfile.h"
#include "xk.h"

#define DEFAULT_OPS	100
#define GUIDED_OPS	200	/* an input of guided's: a few seconds */
#define DEFAULT_REPORTS	"xk-fuzz-reports"
#define RESTART_TIMEOUT_MS (600 * 1000)	/* dom0 ready after a crash */
#define REPORT_TAIL_LINES 200	/* a panic dump and the operations before */

struct fuzz_opts {
	const char *lab, *log, *reports, *out;
	uint64_t seed;
	int has_seed;
	unsigned long ops;
	int has_ops;			/* --ops given */
	int timeout_s;
	int hcall;			/* --engine: 1 hypercall, 2 guest */
	int has_engine;			/* --engine given */
	unsigned long every;		/* --checkpoint: run's, segments */
	unsigned int tries;		/* --tries: shrink's, runs of a
					 * candidate (1 unless flaky) */
	unsigned long minutes;		/* guided's: --minutes, */
	const char *corpus;		/* --corpus */
	int unguided;			/* --unguided */
	char state[PATH_MAX];
};

static int
parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	*v = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' || *v > max ? -1 : 0;
}

/* The host subcommands' options (run, replay and shrink each refuse
 * the ones that are not theirs); returns optind or -1 (usage shown). */
static const struct option host_opts[] = {
	{ "lab", required_argument, NULL, 'l' },
	{ "seed", required_argument, NULL, 's' },
	{ "ops", required_argument, NULL, 'n' },
	{ "log", required_argument, NULL, 'L' },
	{ "reports", required_argument, NULL, 'r' },
	{ "timeout", required_argument, NULL, 't' },
	{ "output", required_argument, NULL, 'o' },
	{ "engine", required_argument, NULL, 'e' },
	{ "checkpoint", required_argument, NULL, 'c' },
	{ "tries", required_argument, NULL, 'T' },
	{ "minutes", required_argument, NULL, 'm' },
	{ "corpus", required_argument, NULL, 'C' },
	{ "unguided", no_argument, NULL, 'U' },
	{ NULL, 0, NULL, 0 },
};

/* --engine NAME: 0 toolstack, 1 hypercall, 2 guest, -1 none of them */
static int
engine_name(const char *s)
{
	if (strcmp(s, "toolstack") == 0)
		return 0;
	if (strcmp(s, "guest") == 0)
		return 2;
	return strcmp(s, "hypercall") == 0 ? 1 : -1;
}

static int
host_options(const char *cmd, int argc, char **argv, struct fuzz_opts *f)
{
	uint64_t v;
	int c;

	memset(f, 0, sizeof(*f));
	f->ops = DEFAULT_OPS;
	f->reports = DEFAULT_REPORTS;
	f->tries = 1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:", host_opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (*optarg == '\0' || strchr(optarg, '/') != NULL)
				return xk_usage_error(cmd, "bad lab name '%s'",
				    optarg), -1;
			f->lab = optarg;
			break;
		case 's':
			if (parse_u64(optarg, UINT64_MAX, &f->seed) == -1)
				return xk_usage_error(cmd, "bad --seed '%s': "
				    "want 0 to 2^64-1", optarg), -1;
			f->has_seed = 1;
			break;
		case 'n':
			if (parse_u64(optarg, XK_OPLOG_OPS_MAX, &v) == -1 ||
			    v == 0)
				return xk_usage_error(cmd, "bad --ops '%s': want "
				    "1 to %d", optarg, XK_OPLOG_OPS_MAX), -1;
			f->ops = (unsigned long)v;
			f->has_ops = 1;
			break;
		case 'c':
			if (parse_u64(optarg, XK_OPLOG_OPS_MAX, &v) == -1 ||
			    v == 0)
				return xk_usage_error(cmd, "bad --checkpoint "
				    "'%s': want operations, 1 to %d", optarg,
				    XK_OPLOG_OPS_MAX), -1;
			f->every = (unsigned long)v;
			break;
		case 'T':
			if (parse_u64(optarg, 100, &v) == -1 || v == 0)
				return xk_usage_error(cmd, "bad --tries '%s': "
				    "want 1 to 100", optarg), -1;
			f->tries = (unsigned int)v;
			break;
		case 't':
			if (parse_u64(optarg, 86400 * 7, &v) == -1 || v == 0)
				return xk_usage_error(cmd, "bad --timeout '%s': "
				    "want seconds", optarg), -1;
			f->timeout_s = (int)v;
			break;
		case 'L':
			f->log = optarg;
			break;
		case 'm':
			if (parse_u64(optarg, 60 * 24 * 7, &v) == -1 || v == 0)
				return xk_usage_error(cmd, "bad --minutes '%s': "
				    "want 1 to 10080", optarg), -1;
			f->minutes = (unsigned long)v;
			break;
		case 'C':
			f->corpus = optarg;
			break;
		case 'U':
			f->unguided = 1;
			break;
		case 'r':
			f->reports = optarg;
			break;
		case 'o':
			f->out = optarg;
			break;
		case 'e':
			if ((f->hcall = engine_name(optarg)) == -1)
				return xk_usage_error(cmd, "bad --engine '%s': "
				    "want toolstack, hypercall or guest",
				    optarg), -1;
			f->has_engine = 1;
			break;
		default:
			return xk_bad_option(cmd, c, argv), -1;
		}
	}
	return optind;
}

/* The lab's state directory: --lab, else XK_LAB_NAME, else "default". */
static int
lab_state(const char *cmd, struct fuzz_opts *f)
{
	struct xk_error err = { 0 };
	const char *name = f->lab != NULL ? f->lab : getenv("XK_LAB_NAME");

	if (name == NULL || *name == '\0')
		name = "default";
	if (xk_lab_state_dir(name, f->state, sizeof(f->state), &err) == -1)
		return xk_fail(cmd, &err), -1;
	return 0;
}

/* XK_FUZZ_PLANT, the test hook, checked here and passed to dom0. */
static int
plant_arg(const char *cmd, const char **plant)
{
	enum xk_fuzz_plant p;

	*plant = getenv("XK_FUZZ_PLANT");
	if (xk_fuzz_plant_parse(*plant, &p) == -1)
		return xk_usage_error(cmd, "XK_FUZZ_PLANT: unknown planted bug "
		    "'%s' (there is 'vcpus-pause')", *plant), -1;
	if (p == XK_PLANT_NONE)
		*plant = NULL;
	return 0;
}

/* XK_FUZZ_CRASH_AT=N, the checkpoints' test hook (xk-fuzz(1)): the
 * engine crashes Xen before operation N of a run's first path. */
static int
crash_arg(const char *cmd, const struct fuzz_opts *f, const char **crash)
{
	uint64_t v;

	*crash = getenv("XK_FUZZ_CRASH_AT");
	if (*crash == NULL || **crash == '\0') {
		*crash = NULL;
		return 0;
	}
	if (parse_u64(*crash, XK_OPLOG_OPS_MAX, &v) == -1 || v == 0)
		return xk_usage_error(cmd, "XK_FUZZ_CRASH_AT: bad operation "
		    "'%s'", *crash), -1;
	if (f->hcall)
		return xk_usage_error(cmd, "XK_FUZZ_CRASH_AT is the toolstack "
		    "engine's"), -1;
	return 0;
}

/*
 * A lab whose QEMU died (a crash the fuzzer found: Xen panicked and
 * QEMU exits on the reboot) is started again as it was booted, so
 * fuzzing goes on.  Nothing to do when it runs, or was brought down.
 */
static int
restart_if_dead(const struct fuzz_opts *f, struct xk_error *err)
{
	int64_t t0 = xk_mono_ms();

	if (!xk_lab_died(f->state))
		return 0;
	if (xk_lab_restart(f->state, RESTART_TIMEOUT_MS, err) == -1) {
		xk_error_prefix(err, "restart the lab");
		return -1;
	}
	printf("lab: restarted, dom0 ready in %.1f s\n", (double)(xk_mono_ms() -
	    t0) / 1000.0);
	fflush(stdout);
	return 0;
}

/* After a report: the lab up again for what comes next. */
static void
leave_lab_up(const char *cmd, const struct fuzz_opts *f)
{
	struct xk_error err = { 0 };

	if (restart_if_dead(f, &err) == -1)
		xk_fail(cmd, &err);
}

static int
engine_timeout(const struct fuzz_opts *f, size_t ops)
{
	/* creating a guest under TCG on a loaded host takes many seconds */
	return f->timeout_s > 0 ? f->timeout_s : 120 + 30 * (int)(ops > 10000 ?
	    10000 : ops);
}

/* Keep a finding as a report; print where. */
static void
report(const char *cmd, const struct fuzz_opts *f,
    const struct xk_fuzz_outcome *o, uint64_t seed, const char *log_text,
    const char *extra_name, const char *extra)
{
	struct xk_error err = { 0 };
	char path[PATH_MAX], *tail = NULL;
	int known = 0;

	if (xk_lab_log_tail(f->state, REPORT_TAIL_LINES, &tail, &err) == -1)
		tail = NULL;
	if (xk_fuzz_report(f->reports, o, seed, log_text, tail, extra_name,
	    extra, path, sizeof(path), &known, &err) == -1)
		xk_fail(cmd, &err);
	else
		printf("report: %s%s\n", path, known ? " (a known signature)" :
		    "");
	free(tail);
}

static void
print_outcome(const struct xk_fuzz_outcome *o)
{
	if (o->found)
		printf("found: %s\n  %s\n", o->sig, o->detail);
	else
		printf("passed: %zu operations\n", o->ops);
	if (o->ms > 0 && o->ops > 0)
		printf("speed: %zu operations in %.1f s, %.2f ops/s\n", o->ops,
		    (double)o->ms / 1000.0, (double)o->ops * 1000.0 /
		    (double)o->ms);
}

/* A crash a segmented run resumed from: its report, now (segment.h). */
static void
crash_found(void *arg, const struct xk_fuzz_outcome *o)
{
	const struct fuzz_opts *f = arg;
	struct xk_error err = { 0 };
	char *text;
	size_t tlen;

	print_outcome(o);
	if (xk_read_file(f->log, 64 << 20, &text, &tlen, &err) == -1) {
		xk_fail("fuzz run", &err);
		return;
	}
	report("fuzz run", f, o, f->seed, text, NULL, NULL);
	free(text);
}

/* Was one of guided's own options given? */
static int
guided_options(const struct fuzz_opts *f)
{
	return f->minutes != 0 || f->corpus != NULL || f->unguided;
}

/* The run: one engine run, or segments with checkpoints between. */
static int
run_engine(struct fuzz_opts *f, const char *const *dargv, int fd,
    struct xk_fuzz_outcome *o, struct xk_error *err)
{
	char ckpt[PATH_MAX + 32];
	int r;

	if (restart_if_dead(f, err) == -1)
		return -1;
	if (f->every == 0)
		return xk_fuzz_lab_exec(&(struct xk_fuzz_job){ .state =
		    f->state, .argv = dargv, .in_fd = -1, .log_fd = fd,
		    .err_fd = 2, .timeout_s = engine_timeout(f, f->ops) }, o,
		    err);
	snprintf(ckpt, sizeof(ckpt), "%s/fuzz.checkpoint", f->state);
	r = xk_fuzz_run_segments(&(struct xk_fuzz_segments){ f->state, dargv,
	    f->seed, f->ops, f->every, ckpt, fd, 2,
	    engine_timeout(f, f->every), stdout, crash_found, f }, o, err);
	unlink(ckpt);		/* hundreds of MB, of no use after the run */
	return r;
}

int
cmd_fuzz_run(int argc, char **argv)
{
	const char *cmd = "fuzz run", *plant, *crash, *dargv[12];
	struct xk_error err = { 0 };
	struct xk_fuzz_outcome o;
	struct fuzz_opts f;
	char seed[24], ops[24], logname[64], *text;
	size_t tlen;
	int first, fd, r, i = 0;

	if ((first = host_options(cmd, argc, argv, &f)) == -1)
		return XK_EXIT_USAGE;
	if (first != argc)
		return xk_usage_error(cmd, "unexpected argument '%s'",
		    argv[first]);
	if (f.out != NULL)
		return xk_usage_error(cmd, "-o is shrink's option (run takes "
		    "--log)");
	if (f.tries != 1)
		return xk_usage_error(cmd, "--tries is shrink's option");
	if (guided_options(&f))
		return xk_usage_error(cmd, "--minutes, --corpus and --unguided "
		    "are guided's options");
	if (plant_arg(cmd, &plant) == -1 || crash_arg(cmd, &f, &crash) == -1)
		return XK_EXIT_USAGE;
	if (plant != NULL && f.hcall)
		return xk_usage_error(cmd, "XK_FUZZ_PLANT plants in the "
		    "toolstack engine's checker (the hypercall engine's "
		    "planted bug is in the hypervisor)");
	if (f.every != 0 && f.hcall)
		return xk_usage_error(cmd, "--checkpoint is the toolstack "
		    "engine's (the hypercall engine's domains are made and "
		    "destroyed within a run)");
	if (lab_state(cmd, &f) == -1)
		return XK_EXIT_FAIL;
	if (!f.has_seed)	/* a seed of its own, printed to rerun it */
		f.seed = (uint64_t)time(NULL) * 1000003u + (uint64_t)getpid();
	snprintf(seed, sizeof(seed), "%" PRIu64, f.seed);
	snprintf(ops, sizeof(ops), "%lu", f.ops);
	if (f.log == NULL) {
		snprintf(logname, sizeof(logname), "xk-fuzz-%s.log", seed);
		f.log = logname;
	}
	dargv[i++] = XK_FUZZ_DOM0_XK;
	dargv[i++] = "fuzz";
	dargv[i++] = "engine";
	dargv[i++] = "--seed";
	dargv[i++] = seed;
	if (f.every == 0) {	/* segments say how many themselves */
		dargv[i++] = "--ops";
		dargv[i++] = ops;
	}
	if (f.hcall)
		dargv[i++] = f.hcall == 2 ? "--guest" : "--hypercall";
	if (plant != NULL) {
		dargv[i++] = "--plant";
		dargv[i++] = plant;
	}
	if (crash != NULL) {
		dargv[i++] = "--crash-at";
		dargv[i++] = crash;
	}
	dargv[i] = NULL;
	/* the log is written as the run goes, never over another file */
	fd = open(f.log, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC,
	    0666);
	if (fd == -1) {
		xk_error_errno(&err, errno, "%s%s", f.log, errno == EEXIST ?
		    ": will not write over it (--log names another)" : "");
		return xk_fail(cmd, &err);
	}
	printf("seed: %s\nlog: %s\n", seed, f.log);
	fflush(stdout);
	r = run_engine(&f, dargv, fd, &o, &err);
	if (fsync(fd) == -1 || close(fd) == -1) {
		if (r == 0)
			xk_error_errno(&err, errno, "%s", f.log);
		r = -1;
	}
	if (r == -1)
		return xk_fail(cmd, &err);
	print_outcome(&o);
	if (!o.found)
		return XK_EXIT_OK;
	if (xk_read_file(f.log, 64 << 20, &text, &tlen, &err) == -1)
		return xk_fail(cmd, &err);
	report(cmd, &f, &o, f.seed, text, NULL, NULL);
	free(text);
	leave_lab_up(cmd, &f);
	return XK_EXIT_FAIL;
}

/* Replay ops (with log's header) in the lab; their text goes as stdin. */
static int
replay_ops(const struct fuzz_opts *f, const struct xk_oplog *log,
    const struct xk_fuzz_op *ops, size_t n, int err_fd,
    struct xk_fuzz_outcome *o, struct xk_error *err)
{
	const char *plant = getenv("XK_FUZZ_PLANT");
	struct strbuf sb = STRBUF_INIT;
	int r = -1;

	if (plant != NULL && *plant == '\0')
		plant = NULL;
	if (xk_oplog_to_text(log, ops, n, &sb) == -1)
		xk_error_errno(err, ENOMEM, "log");
	else if (restart_if_dead(f, err) == 0)
		r = xk_fuzz_lab_replay(f->state, &sb, plant, err_fd,
		    engine_timeout(f, n), o, err);
	strbuf_free(&sb);
	return r;
}

/* The host subcommands that take one log: options, the lab, the log. */
static int
log_command(const char *cmd, int argc, char **argv, struct fuzz_opts *f,
    struct xk_oplog *log)
{
	struct xk_error err = { 0 };
	const char *plant;
	int first;

	if ((first = host_options(cmd, argc, argv, f)) == -1)
		return XK_EXIT_USAGE;
	if (first == argc)
		return xk_usage_error(cmd, "no log given");
	if (first + 1 != argc)
		return xk_usage_error(cmd, "unexpected argument '%s'",
		    argv[first + 1]);
	if (f->has_seed || f->log != NULL || f->has_ops || f->has_engine ||
	    f->every)
		return xk_usage_error(cmd, "--seed, --ops, --log, --engine and "
		    "--checkpoint are run's options (the log has them)");
	if (guided_options(f))
		return xk_usage_error(cmd, "--minutes, --corpus and --unguided "
		    "are guided's options");
	if (plant_arg(cmd, &plant) == -1)
		return XK_EXIT_USAGE;
	if (lab_state(cmd, f) == -1)
		return XK_EXIT_FAIL;
	if (xk_oplog_load(argv[first], log, &err) == -1)
		return xk_fail(cmd, &err);
	return XK_EXIT_OK;
}

int
cmd_fuzz_replay(int argc, char **argv)
{
	const char *cmd = "fuzz replay";
	struct xk_error err = { 0 };
	struct xk_fuzz_outcome o;
	struct strbuf sb = STRBUF_INIT;
	struct xk_oplog log;
	struct fuzz_opts f;
	int rc;

	if ((rc = log_command(cmd, argc, argv, &f, &log)) != XK_EXIT_OK)
		return rc;
	if (f.out != NULL || f.tries != 1) {
		xk_oplog_free(&log);
		return xk_usage_error(cmd, "%s is shrink's option",
		    f.out != NULL ? "-o" : "--tries");
	}
	if (replay_ops(&f, &log, log.ops, log.n, 2, &o, &err) == -1) {
		xk_oplog_free(&log);
		return xk_fail(cmd, &err);
	}
	print_outcome(&o);
	if (o.found && xk_oplog_to_text(&log, log.ops, log.n, &sb) == 0)
		report(cmd, &f, &o, log.seed, strbuf_str(&sb), NULL, NULL);
	leave_lab_up(cmd, &f);
	strbuf_free(&sb);
	xk_oplog_free(&log);
	return o.found ? XK_EXIT_FAIL : XK_EXIT_OK;
}

/* guided's callbacks: the lab up again, a finding kept */
static int
guided_restart(void *arg, struct xk_error *err)
{
	return restart_if_dead(arg, err);
}

static void
guided_found(void *arg, const struct xk_fuzz_outcome *o, const char *text)
{
	const struct fuzz_opts *f = arg;

	report("fuzz guided", f, o, f->seed, text, NULL, NULL);
}

int
cmd_fuzz_guided(int argc, char **argv)
{
	const char *cmd = "fuzz guided";
	struct xk_fuzz_guided_totals t;
	struct xk_error err = { 0 };
	struct fuzz_opts f;
	int first;

	if ((first = host_options(cmd, argc, argv, &f)) == -1)
		return XK_EXIT_USAGE;
	if (first != argc)
		return xk_usage_error(cmd, "unexpected argument '%s'",
		    argv[first]);
	if (f.out != NULL || f.tries != 1 || f.log != NULL || f.every != 0 ||
	    f.has_engine)
		return xk_usage_error(cmd, "-o, --tries, --log, --checkpoint "
		    "and --engine are not guided's (it drives the hypercall "
		    "engine; --corpus keeps its inputs)");
	if (getenv("XK_FUZZ_PLANT") != NULL && *getenv("XK_FUZZ_PLANT"))
		return xk_usage_error(cmd, "XK_FUZZ_PLANT plants in the "
		    "toolstack engine");
	if (f.corpus != NULL && !xk_is_dir(f.corpus))
		return xk_usage_error(cmd, "--corpus %s: not a directory",
		    f.corpus);
	if (lab_state(cmd, &f) == -1)
		return XK_EXIT_FAIL;
	if (!f.has_seed)
		f.seed = (uint64_t)time(NULL) * 1000003u + (uint64_t)getpid();
	if (!f.has_ops)
		f.ops = GUIDED_OPS;
	printf("seed: %" PRIu64 "\n", f.seed);
	fflush(stdout);
	if (xk_fuzz_guided_run(&(struct xk_fuzz_guided){ .state = f.state,
	    .seed = f.seed, .ops = f.ops, .guided = !f.unguided,
	    .duration_ms = (int64_t)(f.minutes ? f.minutes : 10) * 60000,
	    .timeout_s = engine_timeout(&f, f.ops), .corpus_dir = f.corpus,
	    .out = stdout, .restart = guided_restart, .found = guided_found,
	    .arg = &f }, &t, &err) == -1)
		return xk_fail(cmd, &err);
	return t.inputs > 0 ? XK_EXIT_OK : XK_EXIT_FAIL;
}

struct shrink_ctx {
	const struct fuzz_opts *f;
	const struct xk_oplog *log;
	const char *sig;
	int devnull;
};

/* Does this subsequence fail with the signature? */
static int
still_fails(const struct xk_fuzz_op *ops, size_t n, void *arg,
    struct xk_error *err)
{
	struct shrink_ctx *s = arg;
	struct xk_fuzz_outcome o;
	int same;

	if (replay_ops(s->f, s->log, ops, n, s->devnull, &o, err) == -1)
		return -1;
	same = o.found && strcmp(o.sig, s->sig) == 0;
	printf("  %zu operations: %s\n", n, same ? "fails the same way, kept" :
	    o.found ? "fails another way" : "passes");
	fflush(stdout);
	return same;
}

static int
shrink_log(const char *cmd, struct fuzz_opts *f, struct xk_oplog *log,
    const char *in)
{
	struct xk_error err = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct xk_fuzz_outcome o;
	struct shrink_ctx s = { f, log, NULL, -1 };
	struct xk_shrink_flaky fl = { still_fails, &s, f->tries };
	size_t n = log->n, runs = 0;
	unsigned int t = 0;
	int r = -1;

	/* a flaky failure may need several replays to show */
	do {
		if (replay_ops(f, log, log->ops, log->n, 2, &o, &err) == -1)
			return xk_fail(cmd, &err);
	} while (!o.found && ++t < f->tries);
	if (!o.found) {
		xk_warnx(cmd, "%s does not fail: nothing to shrink (%zu "
		    "operations replayed, %u time%s)", in, o.ops, t,
		    t == 1 ? "" : "s");
		return XK_EXIT_FAIL;
	}
	printf("signature: %s\n", o.sig);
	fflush(stdout);
	/* what follows the failing operation plays no part; when the
	 * lab was lost, each failing test costs a restart: pairs first */
	if (o.fail_op >= 0 && (size_t)o.fail_op < n)
		n = (size_t)o.fail_op + 1;
	s.sig = o.sig;
	if ((s.devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1)
		xk_error_errno(&err, errno, "/dev/null");
	else if (xk_fuzz_shrink_slice(log->ops, &n, xk_shrink_flaky_test,
	    &fl, &runs, &err) == 0 && (!o.lost || xk_fuzz_shrink_pairs(
	    log->ops, &n, xk_shrink_flaky_test, &fl, &runs, &err) == 0) &&
	    xk_fuzz_shrink(log->ops, &n, xk_shrink_flaky_test, &fl, &runs,
	    &err) == 0 &&
	    xk_oplog_to_text(log, log->ops, n, &sb) == 0 &&
	    strbuf_addf(&sb, "# shrunk from %s: %zu to %zu operations\n# "
	    "signature: %s\n", in, log->n, n, o.sig) == 0)
		r = xk_tempfile_write(f->out, sb.buf, sb.len, &err);
	if (s.devnull != -1)
		close(s.devnull);
	if (r == -1) {
		strbuf_free(&sb);
		return xk_fail(cmd, &err);
	}
	printf("shrunk: %zu to %zu operations in %zu replays: %s\n", log->n,
	    n, runs, f->out);
	report(cmd, f, &o, log->seed, strbuf_str(&sb), "reproducer",
	    strbuf_str(&sb));
	strbuf_free(&sb);
	leave_lab_up(cmd, f);
	return XK_EXIT_OK;
}

int
cmd_fuzz_shrink(int argc, char **argv)
{
	const char *cmd = "fuzz shrink";
	struct xk_oplog log;
	struct fuzz_opts f;
	int rc;

	if ((rc = log_command(cmd, argc, argv, &f, &log)) != XK_EXIT_OK)
		return rc;
	if (f.out == NULL) {
		xk_oplog_free(&log);
		return xk_usage_error(cmd, "-o OUT is needed (where the "
		    "reproducer goes)");
	}
	rc = shrink_log(cmd, &f, &log, argv[argc - 1]);
	xk_oplog_free(&log);
	return rc;
}

/* The log to replay, from stdin (bounded as xk_oplog_load is). */
static int
read_stdin_log(struct xk_oplog *log, struct xk_error *err)
{
	size_t max = (size_t)(XK_OPLOG_LINE_MAX + 1) * 2 *
	    (XK_OPLOG_OPS_MAX + 1);
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	ssize_t n;
	int r;

	while ((n = read(0, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || sb.len + (size_t)n > max ||
		    strbuf_add(&sb, buf, (size_t)n) == -1) {
			xk_error_errno(err, n < 0 ? errno : EFBIG, "stdin");
			strbuf_free(&sb);
			return -1;
		}
	}
	r = xk_oplog_parse(strbuf_str(&sb), sb.len, "stdin", log, err);
	strbuf_free(&sb);
	return r;
}

int
cmd_fuzz_engine(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'n' },
		{ "plant", required_argument, NULL, 'p' },
		{ "replay", no_argument, NULL, 'r' },
		{ "hypercall", no_argument, NULL, 'h' },
		{ "guest", no_argument, NULL, 'g' },
		{ "resume", no_argument, NULL, 'R' },
		{ "keep", no_argument, NULL, 'k' },
		{ "reseed", required_argument, NULL, 'S' },
		{ "first", required_argument, NULL, 'f' },
		{ "crash-at", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "fuzz engine";
	struct xk_fuzz_engine_opts e = { .ops = DEFAULT_OPS,
	    .plant = XK_PLANT_NONE, .out = stdout };
	struct xk_error err = { 0 };
	struct xk_oplog log;
	int c, replay = 0, found, r;
	uint64_t v;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		if (c == 's' && parse_u64(optarg, UINT64_MAX, &e.seed) == 0)
			continue;
		if (c == 'S' && parse_u64(optarg, UINT64_MAX, &e.reseed) == 0)
			continue;
		if ((c == 'n' || c == 'f' || c == 'c') &&
		    parse_u64(optarg, XK_OPLOG_OPS_MAX, &v) == 0) {
			*(c == 'n' ? &e.ops : c == 'f' ? &e.first :
			    &e.crash_at) = (size_t)v;
			continue;
		}
		if (c == 'p' && xk_fuzz_plant_parse(optarg, &e.plant) == 0)
			continue;
		if (c == 'r' || c == 'h' || c == 'g' || c == 'R' || c == 'k') {
			replay |= c == 'r';
			e.hcall |= c == 'h' || c == 'g';
			e.guest |= c == 'g';
			e.resume |= c == 'R';
			e.keep |= c == 'k';
			continue;
		}
		if (c == 's' || c == 'n' || c == 'p' || c == 'S' || c == 'f' ||
		    c == 'c')
			return xk_usage_error(cmd, "bad value '%s'", optarg);
		return xk_bad_option(cmd, c, argv);
	}
	if (optind != argc)
		return xk_usage_error(cmd, "unexpected argument '%s'",
		    argv[optind]);
	if ((e.resume || e.keep) && (replay || e.hcall))
		return xk_usage_error(cmd, "--resume and --keep are the "
		    "toolstack engine's, for a run (not a replay)");
	if (replay && read_stdin_log(&log, &err) == -1)
		return xk_fail(cmd, &err);
	if (replay) {	/* the log says which engine made it */
		e.hcall = xk_oplog_is_hcall(&log);
		e.guest = xk_oplog_is_guest(&log);
	}
	e.replay = replay ? &log : NULL;
	r = xk_fuzz_engine_run(&e, &found, &err);
	if (replay)
		xk_oplog_free(&log);
	if (r == -1)
		return xk_fail(cmd, &err);
	return found ? XK_EXIT_FAIL : XK_EXIT_OK;
}
