/*
 * cmd-lab.c - xk lab build|xen|up|down|status|exec|cp|console|log|
 * coverage: a disposable Xen 4.17 host inside QEMU.
 *
 * Thin: each subcommand parses its options, makes its call into lib/lab
 * (cache.h picks the image, overlay.h boots it with this build's parts,
 * ctl.h talks to dom0) and prints what happened.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "lab/cache.h"
#include "lab/checkpoint.h"
#include "lab/coverage.h"
#include "lab/ctl.h"
#include "lab/lab.h"
#include "lab/serial.h"
#include "lab/overlay.h"
#include "lab/proto.h"
#include "lab/restart.h"
#include "lab/state.h"
#include "lab/xenbuild.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/strbuf.h"
#include "xk.h"

#define READY_TIMEOUT_S	300	/* TCG on a loaded 2-core host is slow */
#define STOP_TIMEOUT_S	60
#define CHECKPOINT_TIMEOUT_S 300	/* QEMU writes a few hundred MB */
#define EXIT_LAB_ERROR	255	/* exec: the lab, not the command, failed */

struct lab_ctx {
	char state[PATH_MAX];
	struct xk_lab_parts parts;
};

/* What the image cache did: "xk: lab: image 1234: cached ..." */
static void
note(const char *msg, void *arg)
{
	(void)arg;
	xk_warnx("lab", "%s", msg);
}

static int
find_image(const struct lab_ctx *x, int force, char *entry, size_t len,
    struct xk_error *err)
{
	return xk_lab_find_image(x->parts.share, force, 2, note, NULL, entry,
	    len, err);
}

static void
print_tail(const char *state, int lines)
{
	struct xk_error err = { 0 };
	char *tail;

	if (xk_lab_log_tail(state, lines, &tail, &err) == -1) {
		xk_warnx("lab", "serial log: %s", err.msg);
		return;
	}
	fprintf(stderr, "--- last %d lines of %s/" XK_LAB_SERIAL_LOG " ---\n"
	    "%s--- end of serial log ---\n", lines, state, tail);
	free(tail);
}

/* Options of a subcommand that takes none: only "--" and operands. */
static int
no_options(const char *cmd, int argc, char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	int c;

	optind = 0;
	opterr = 0;
	if ((c = getopt_long(argc, argv, "+:", none, NULL)) != -1)
		return xk_bad_option(cmd, c, argv), -1;
	return optind;
}

/* A subcommand that takes neither options nor operands. */
static int
no_operands(const char *cmd, int argc, char **argv)
{
	int first = no_options(cmd, argc, argv);

	if (first == -1)
		return XK_EXIT_USAGE;
	if (first != argc)
		return xk_usage_error(cmd, "unexpected argument '%s'",
		    argv[first]);
	return XK_EXIT_OK;
}

/* A count of seconds or lines: a whole number from 1 on, or -1. */
static int
positive(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > INT_MAX)
		return -1;
	return (int)v;
}

int
cmd_lab_options(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-n") != 0)
		return 0;
	if (argc < 3)
		return xk_usage_error("lab", "option '-n' needs a value"), -1;
	if (*argv[2] == '\0' || strchr(argv[2], '/') != NULL)
		return xk_usage_error("lab", "bad lab name '%s'", argv[2]), -1;
	/* the subcommand reads it where it reads XK_LAB_STATE */
	if (setenv("XK_LAB_NAME", argv[2], 1) == -1)
		return xk_usage_error("lab", "-n: %s", strerror(errno)), -1;
	return 2;
}

/*
 * The lab a subcommand works on (-n NAME, XK_LAB_NAME, XK_LAB_STATE):
 * XK_EXIT_OK, or the exit status after saying why not.
 */
static int
lab_open(struct lab_ctx *x, const char *cmd)
{
	const char *name = getenv("XK_LAB_NAME");
	struct xk_error err = { 0 };

	if (name == NULL || *name == '\0')
		name = "default";
	if (strchr(name, '/') != NULL)
		return xk_usage_error(cmd, "bad lab name '%s'", name);
	if (xk_lab_locate(&x->parts, &err) == -1 || xk_lab_state_dir(name,
	    x->state, sizeof(x->state), &err) == -1)
		return xk_fail(cmd, &err);
	return XK_EXIT_OK;
}

int
cmd_lab_build(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "lab build";
	struct xk_error err = { 0 };
	char entry[PATH_MAX];
	struct lab_ctx x;
	int force = 0, c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		if (c != 'f')
			return xk_bad_option(cmd, c, argv);
		force = 1;
	}
	if (optind != argc)
		return xk_usage_error(cmd, "unexpected argument '%s'",
		    argv[optind]);
	if ((rc = lab_open(&x, cmd)) != XK_EXIT_OK)
		return rc;
	if (find_image(&x, force, entry, sizeof(entry), &err) == -1)
		return xk_fail(cmd, &err);
	printf("%s\n", entry);
	return XK_EXIT_OK;
}

/* STATE/hypervisor: what `status` says the lab runs (a note if not). */
static void
record_hypervisor(const char *state, const char *image, const char *xentry)
{
	struct xk_error err = { 0 };
	char *text;

	if (xk_xen_describe(image, xentry, &text, &err) == -1) {
		xk_warnx("lab up", "hypervisor: %s", err.msg);
		return;
	}
	if (xk_xen_record(state, text, &err) == -1)
		xk_warnx("lab up", "%s", err.msg);
	free(text);
}

/* One option of xk lab xen into s: 0, or -1 with err set. */
static int
xen_option(struct xk_xen_spec *s, int c, int *force, struct xk_error *err)
{
	if (c == 's')
		return xk_xen_set_source(s, optarg, err);
	if (c == 'p')
		return xk_xen_add_patch(s, optarg, err);
	if (c == 'c')
		return xk_xen_add_config(s, optarg, err);
	*force = 1;
	return 0;
}

int
cmd_lab_xen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "patch", required_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'c' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "lab xen";
	struct xk_xen_spec s = { 0 };
	struct xk_error err = { 0 };
	char entry[PATH_MAX];
	struct lab_ctx x;
	int force = 0, c, rc = XK_EXIT_OK;

	optind = 0;
	opterr = 0;
	while (rc == XK_EXIT_OK &&
	    (c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		if (c != 's' && c != 'p' && c != 'c' && c != 'f')
			rc = xk_bad_option(cmd, c, argv);
		else if (xen_option(&s, c, &force, &err) == -1)	/* a bad
			 * option is a usage error, a missing file a failure */
			rc = c == 'c' ? xk_usage_error(cmd, "%s", err.msg) :
			    xk_fail(cmd, &err);
	}
	if (rc == XK_EXIT_OK && optind != argc)
		rc = xk_usage_error(cmd, "unexpected argument '%s'",
		    argv[optind]);
	if (rc == XK_EXIT_OK && s.source == NULL &&
	    xk_xen_set_source(&s, "debian", &err) == -1)
		rc = xk_fail(cmd, &err);
	if (rc == XK_EXIT_OK && (rc = lab_open(&x, cmd)) == XK_EXIT_OK &&
	    xk_xen_build(x.parts.share, &s, force, 2, note, NULL, entry,
	    sizeof(entry), &err) == -1)
		rc = xk_fail(cmd, &err);
	xk_xen_spec_free(&s);
	if (rc == XK_EXIT_OK)
		printf("%s\n", entry);
	return rc;
}

int
cmd_lab_up(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "add", required_argument, NULL, 'a' },
		{ "xen", required_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	struct xk_error err = { 0 };
	char entry[PATH_MAX], xentry[PATH_MAX], xen[PATH_MAX + 16];
	const char *cmd = "lab up", *add = NULL, *hv = NULL;
	int timeout = READY_TIMEOUT_S, c, rc;
	struct lab_ctx lab, *x = &lab;
	int64_t t0;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		if (c == 't' && (timeout = positive(optarg)) > 0)
			continue;
		if (c == 't')
			return xk_usage_error(cmd, "bad --timeout '%s': want "
			    "seconds", optarg);
		if (c == 'a' && xk_is_dir(optarg)) {
			add = optarg;
			continue;
		}
		if (c == 'a')
			return xk_usage_error(cmd, "bad --add '%s': not a "
			    "directory", optarg);
		if (c == 'x') {
			hv = optarg;
			continue;
		}
		return xk_bad_option(cmd, c, argv);
	}
	if (optind != argc)
		return xk_usage_error(cmd, "unexpected argument '%s'",
		    argv[optind]);
	if ((rc = lab_open(x, cmd)) != XK_EXIT_OK)
		return rc;
	if (hv != NULL && strcmp(hv, "debian") == 0)
		hv = NULL;
	if (hv != NULL && xk_xen_find(hv, xentry, sizeof(xentry), &err) == -1)
		return xk_fail("lab up", &err);
	snprintf(xen, sizeof(xen), "%s/xen.elf", xentry);
	if (find_image(x, 0, entry, sizeof(entry), &err) == -1)
		return xk_fail("lab up", &err);
	t0 = xk_mono_ms();
	if (xk_lab_boot_parts(x->state, entry, &x->parts, add,
	    hv != NULL ? xen : NULL, &err) == -1)
		return xk_fail("lab up", &err);
	record_hypervisor(x->state, entry, hv != NULL ? xentry : NULL);
	if (xk_lab_cov_record(x->state, hv != NULL ? xentry : NULL,
	    &err) == -1)
		xk_warnx(cmd, "%s", err.msg);	/* only coverage needs it */
	if (xk_lab_wait_ready(x->state, timeout * 1000, &err) == -1) {
		xk_fail("lab up", &err);
		print_tail(x->state, 40);
		xk_lab_kill(x->state, &err);
		return XK_EXIT_FAIL;
	}
	printf("lab up: dom0 ready in %.1f s (state %s)\n",
	    (double)(xk_mono_ms() - t0) / 1000.0, x->state);
	return XK_EXIT_OK;
}

/*
 * A lab that powered off cleanly leaves nothing: its directory goes
 * (one that had to be killed keeps it, serial log included, for a
 * look; `up` sweeps it later).  One given with XK_LAB_STATE is the
 * user's: left as it is, the next `up` clears what it needs to.
 */
static void
remove_state(const struct lab_ctx *x)
{
	const char *s = getenv("XK_LAB_STATE");
	struct xk_error err = { 0 };

	if (s != NULL && *s != '\0')
		return;
	if (xk_lab_remove_state(x->state, &err) == -1)
		xk_warnx("lab down", "%s", err.msg);
}

/*
 * A lab whose QEMU was killed or crashed leaves its state behind: say
 * so, with the serial log's tail, rather than "no lab running".
 */
static bool
report_dead(struct lab_ctx *x, const char *cmd)
{
	pid_t dead = xk_lab_dead_pid(x->state);

	if (dead <= 0)
		return false;
	xk_warnx(cmd, "the lab's QEMU (pid %ld) is gone: killed or crashed "
	    "(%s)", (long)dead, strcmp(cmd, "lab down") == 0 ?
	    "its state is removed" :
	    "xk lab down cleans up, xk lab up starts a new one");
	print_tail(x->state, 20);
	return true;
}

int
cmd_lab_down(int argc, char **argv)
{
	struct lab_ctx lab, *x = &lab;
	struct xk_error err = { 0 };
	char sig[512];
	int killed, rc;
	pid_t pid;

	if ((rc = no_operands("lab down", argc, argv)) != XK_EXIT_OK ||
	    (rc = lab_open(x, "lab down")) != XK_EXIT_OK)
		return rc;
	xk_lab_boot_forget(x->state);	/* down, not lost: no restart */
	xk_lab_pid(x->state, &pid, &err);
	if (pid <= 0) {
		if (!report_dead(x, "lab down"))
			printf("lab down: no lab running in %s\n", x->state);
		remove_state(x);
		return XK_EXIT_OK;
	}
	if (xk_lab_stop(x->state, STOP_TIMEOUT_S * 1000, &killed, &err) == -1)
		return xk_fail("lab down", &err);
	if (killed && xk_lab_panicked(x->state, sig, sizeof(sig)) == 1) {
		xk_warnx("lab down", "%s: QEMU killed", sig);
		print_tail(x->state, 20);
		return XK_EXIT_FAIL;
	}
	if (killed) {
		xk_warnx("lab down", "dom0 did not power off in %d s: QEMU "
		    "killed", STOP_TIMEOUT_S);
		print_tail(x->state, 20);
		return XK_EXIT_FAIL;
	}
	printf("lab down: stopped\n");
	remove_state(x);
	return XK_EXIT_OK;
}

static void
print_hypervisor(const char *state)
{
	struct xk_error err = { 0 };
	char *text;

	if (xk_xen_recorded(state, &text, &err) == -1) {
		printf("xen:    unknown (%s)\n", err.msg);
		return;
	}
	fputs(text, stdout);
	free(text);
}

int
cmd_lab_status(int argc, char **argv)
{
	struct lab_ctx lab, *x = &lab;
	struct xk_error err = { 0 };
	struct xk_ctl ctl;
	char sig[512];
	pid_t pid;
	int rc;

	if ((rc = no_operands("lab status", argc, argv)) != XK_EXIT_OK ||
	    (rc = lab_open(x, "lab status")) != XK_EXIT_OK)
		return rc;
	xk_lab_pid(x->state, &pid, &err);
	printf("state:  %s\n", x->state);
	if (pid <= 0) {
		printf("qemu:   not running\n");
		report_dead(x, "lab status");
		return XK_EXIT_FAIL;
	}
	printf("qemu:   running (pid %ld)\n", (long)pid);
	print_hypervisor(x->state);
	if (xk_lab_panicked(x->state, sig, sizeof(sig)) == 1) {
		printf("xen:    %s (xk lab down, then up)\n", sig);
		return XK_EXIT_FAIL;
	}
	if (xk_ctl_open(&ctl, x->state, 5000, &err) == -1) {
		printf("dom0:   not answering (%s)\n", err.msg);
		return XK_EXIT_FAIL;
	}
	xk_ctl_close(&ctl);
	printf("dom0:   answering\n");
	return XK_EXIT_OK;
}

/* Open the control channel or say why not, naming a dead QEMU. */
static int
open_ctl(struct lab_ctx *x, const char *cmd, struct xk_ctl *ctl)
{
	struct xk_error err = { 0 };
	pid_t pid;

	xk_lab_pid(x->state, &pid, &err);
	if (pid <= 0) {
		if (!report_dead(x, cmd))
			xk_warnx(cmd, "no lab running in %s (xk lab up)",
			    x->state);
		return -1;
	}
	if (xk_ctl_open(ctl, x->state, 60000, &err) == -1) {
		xk_fail(cmd, &err);
		return -1;
	}
	return 0;
}

/* After a failed exchange: was it QEMU dying?  Show why. */
static void
exec_failed(struct lab_ctx *x, const char *cmd, const struct xk_error *err)
{
	struct xk_error e2 = { 0 };
	pid_t pid;

	xk_fail(cmd, err);
	xk_lab_pid(x->state, &pid, &e2);
	if (pid <= 0) {
		xk_warnx(cmd, "the lab's QEMU is gone");
		print_tail(x->state, 30);
	}
}

int
cmd_lab_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "stdin", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	struct xk_error err = { 0 };
	struct lab_ctx lab, *x = &lab;
	struct xk_ctl ctl;
	int timeout = 0, in = -1, c, status, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:i", opts, NULL)) != -1) {
		if (c == 't' && (timeout = positive(optarg)) > 0)
			continue;
		if (c == 't')
			return xk_usage_error("lab exec", "bad --timeout '%s': "
			    "want seconds", optarg);
		if (c == 'i') {
			in = 0;
			continue;
		}
		return xk_bad_option("lab exec", c, argv);
	}
	if (optind >= argc)
		return xk_usage_error("lab exec", "no command given");
	if ((rc = lab_open(x, "lab exec")) != XK_EXIT_OK)
		return rc;
	if (open_ctl(x, "lab exec", &ctl) == -1)
		return EXIT_LAB_ERROR;
	if (xk_ctl_exec(&ctl, (const char *const *)argv + optind, in, 1, 2,
	    timeout, &status, &err) == -1) {
		xk_ctl_close(&ctl);
		exec_failed(x, "lab exec", &err);
		return EXIT_LAB_ERROR;
	}
	xk_ctl_close(&ctl);
	return status;
}

int
cmd_lab_cp(int argc, char **argv)
{
	const char *in_cmd[] = { "sh", "-c", "cat >\"$1\"", "sh", NULL, NULL };
	const char *out_cmd[] = { "cat", "--", NULL, NULL };
	const char *cmd = "lab cp";
	struct xk_error err = { 0 };
	struct lab_ctx lab, *x = &lab;
	struct xk_ctl ctl;
	int fd, status, r, to_lab, first;

	if ((first = no_options(cmd, argc, argv)) == -1)
		return XK_EXIT_USAGE;
	argc -= first - 1;
	argv += first - 1;
	if (argc != 3)
		return xk_usage_error(cmd, "need SRC and DST");
	if ((r = lab_open(x, cmd)) != XK_EXIT_OK)
		return r;
	to_lab = strncmp(argv[2], "lab:", 4) == 0;
	if (to_lab == (strncmp(argv[1], "lab:", 4) == 0))
		return xk_usage_error(cmd, "exactly one of SRC and DST must be "
		    "lab:PATH");
	if (to_lab) {
		in_cmd[4] = argv[2] + 4;
		fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	} else {
		out_cmd[2] = argv[1] + 4;
		fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0644);
	}
	if (fd == -1) {
		xk_warnx(cmd, "%s: %s", to_lab ? argv[1] : argv[2],
		    strerror(errno));
		return XK_EXIT_FAIL;
	}
	if (open_ctl(x, cmd, &ctl) == -1) {
		close(fd);
		return XK_EXIT_FAIL;
	}
	if (to_lab)
		r = xk_ctl_exec(&ctl, in_cmd, fd, 1, 2, 0, &status, &err);
	else
		r = xk_ctl_exec(&ctl, out_cmd, -1, fd, 2, 0, &status, &err);
	xk_ctl_close(&ctl);
	if (close(fd) == -1 && r == 0) {
		xk_error_errno(&err, errno, "%s", argv[2]);
		r = -1;
	}
	if (r == -1) {
		exec_failed(x, cmd, &err);
		return XK_EXIT_FAIL;
	}
	if (status != 0) {
		xk_warnx(cmd, "copy failed in dom0 (status %d)", status);
		return XK_EXIT_FAIL;
	}
	return XK_EXIT_OK;
}

int
cmd_lab_console(int argc, char **argv)
{
	struct lab_ctx lab, *x = &lab;
	struct xk_error err = { 0 };
	struct termios old, raw;
	int tty, r, sock;

	if ((r = no_operands("lab console", argc, argv)) != XK_EXIT_OK ||
	    (r = lab_open(x, "lab console")) != XK_EXIT_OK)
		return r;
	if ((sock = xk_lab_console_open(x->state, &err)) == -1) {
		xk_warnx("lab console", "%s (is the lab up?)", err.msg);
		return XK_EXIT_FAIL;
	}
	tty = isatty(0) && tcgetattr(0, &old) == 0;
	if (tty) {
		fprintf(stderr, "xk: lab console: Ctrl-] leaves\r\n");
		raw = old;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
	}
	r = xk_lab_console_relay(sock, 0, 1, &err);
	if (tty)
		tcsetattr(0, TCSANOW, &old);
	return r == 0 ? XK_EXIT_OK : xk_fail("lab console", &err);
}

int
cmd_lab_log(int argc, char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	struct lab_ctx lab, *x = &lab;
	struct xk_error err = { 0 };
	int lines = 50, c, rc;
	char *tail;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:n:", none, NULL)) != -1) {
		if (c != 'n')
			return xk_bad_option("lab log", c, argv);
		if ((lines = positive(optarg)) == -1)
			return xk_usage_error("lab log", "bad -n '%s': want a "
			    "number of lines", optarg);
	}
	if (optind != argc)
		return xk_usage_error("lab log", "unexpected argument '%s'",
		    argv[optind]);
	if ((rc = lab_open(x, "lab log")) != XK_EXIT_OK)
		return rc;
	if (xk_lab_log_tail(x->state, lines, &tail, &err) == -1)
		return xk_fail("lab log", &err);
	fputs(tail, stdout);
	free(tail);
	return XK_EXIT_OK;
}

/* lab save FILE, lab restore FILE: one operand, the checkpoint. */
static int
checkpoint_cmd(int argc, char **argv, const char *cmd, int save)
{
	struct lab_ctx lab, *x = &lab;
	struct xk_error err = { 0 };
	int first = no_options(cmd, argc, argv), rc;
	const char *file;
	int64_t t0;

	if (first == -1)
		return XK_EXIT_USAGE;
	if (argc - first != 1)
		return xk_usage_error(cmd, argc == first ? "a checkpoint FILE "
		    "is needed" : "unexpected argument '%s'", argv[first + 1]);
	file = argv[first];
	if ((rc = lab_open(x, cmd)) != XK_EXIT_OK)
		return rc;
	t0 = xk_mono_ms();
	if (save ? xk_lab_checkpoint_save(x->state, file,
	    CHECKPOINT_TIMEOUT_S * 1000, &err) : xk_lab_checkpoint_load(
	    x->state, file, READY_TIMEOUT_S * 1000, &err)) {
		if (!save)
			print_tail(x->state, 20);
		return xk_fail(cmd, &err);
	}
	printf("%s: %s %s in %.1f s\n", cmd, save ? "saved to" :
	    "dom0 answering, from", file, (double)(xk_mono_ms() - t0) /
	    1000.0);
	return XK_EXIT_OK;
}

int
cmd_lab_save(int argc, char **argv)
{
	return checkpoint_cmd(argc, argv, "lab save", 1);
}

int
cmd_lab_restore(int argc, char **argv)
{
	return checkpoint_cmd(argc, argv, "lab restore", 0);
}

/* xencov ARG in dom0 (read: its output into raw). */
static int
xencov(struct lab_ctx *x, const char *cmd, const char *arg,
    struct strbuf *raw)
{
	struct xk_error err = { 0 };
	pid_t pid;

	xk_lab_pid(x->state, &pid, &err);
	if (pid <= 0) {		/* as open_ctl says it */
		if (!report_dead(x, cmd))
			xk_warnx(cmd, "no lab running in %s (xk lab up)",
			    x->state);
		return -1;
	}
	if (xk_lab_xencov(x->state, arg, raw, &err) == -1) {
		exec_failed(x, cmd, &err);
		return -1;
	}
	return 0;
}

static int
coverage_collect(struct lab_ctx *x, const char *cmd, const char *entry,
    const char *out)
{
	struct strbuf raw = STRBUF_INIT;
	struct xk_error err = { 0 };
	size_t files;
	int r;

	if (xencov(x, cmd, "read", &raw) == -1) {
		strbuf_free(&raw);
		return XK_EXIT_FAIL;
	}
	r = xk_lab_cov_report(x->parts.share, entry, (uint8_t *)raw.buf,
	    raw.len, out, 2, &files, &err);
	strbuf_free(&raw);
	if (r == -1)
		return xk_fail(cmd, &err);
	printf("%s\n", out);
	xk_warnx(cmd, "the counters of %zu objects; lcov's tracefile is "
	    "%s/coverage.info", files, out);
	return XK_EXIT_OK;
}

int
cmd_lab_coverage(int argc, char **argv)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	const char *cmd = "lab coverage", *out = NULL, *what;
	struct xk_error err = { 0 };
	char entry[PATH_MAX];
	struct lab_ctx x;
	pid_t pid = 0;
	int c, rc;

	if (argc >= 2 && argv[1][0] == '-')	/* before the verb: none */
		return xk_usage_error(cmd, "unknown option '%s'", argv[1]);
	if (argc < 2 || (strcmp(argv[1], "reset") != 0 &&
	    strcmp(argv[1], "collect") != 0))
		return xk_usage_error(cmd, "want 'reset' or 'collect -o DIR'");
	what = argv[1];
	argc--;
	argv++;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:o:", none, NULL)) != -1) {
		if (c != 'o' || strcmp(what, "collect") != 0)
			return xk_bad_option(cmd, c, argv);
		out = optarg;
	}
	if (optind != argc)
		return xk_usage_error(cmd, "unexpected argument '%s'",
		    argv[optind]);
	if (strcmp(what, "collect") == 0 && out == NULL)
		return xk_usage_error(cmd, "collect: -o DIR is needed");
	if ((rc = lab_open(&x, cmd)) != XK_EXIT_OK)
		return rc;
	xk_lab_pid(x.state, &pid, &err);
	if (pid <= 0) {
		if (!report_dead(&x, cmd))
			xk_warnx(cmd, "no lab running in %s (xk lab up)",
			    x.state);
		return XK_EXIT_FAIL;
	}
	if (xk_lab_cov_entry(x.state, entry, sizeof(entry), &err) == -1)
		return xk_fail(cmd, &err);
	if (out != NULL)
		return coverage_collect(&x, cmd, entry, out);
	return xencov(&x, cmd, "reset", NULL) == -1 ? XK_EXIT_FAIL :
	    XK_EXIT_OK;
}
