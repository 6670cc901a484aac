/*
 * cmd-lab.c - xk lab: a disposable Xen 4.17 host inside QEMU.
 *
 * A thin layer over lib/lab: find the image (building it on a cache
 * miss), put this build's xk, agent, recipes and tests in the boot
 * overlay, start QEMU, and talk to dom0 over the control channel.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "lab/cpio.h"
#include "lab/ctl.h"
#include "lab/image.h"
#include "lab/lab-paths.h"
#include "lab/lab.h"
#include "lab/proto.h"
#include "xk.h"

#define READY_TIMEOUT_S	300	/* TCG on a loaded 2-core host is slow */
#define STOP_TIMEOUT_S	60
#define PRUNE_AGE_S	600	/* a dead lab's directory, untouched */
#define EXIT_LAB_ERROR	255	/* exec: the lab, not the command, failed */

struct lab_ctx {
	char state[PATH_MAX];
	char share[PATH_MAX];	/* share/lab: recipes, dom0 init, guests */
	char tests[PATH_MAX];	/* tests/lab, or "" when installed */
	char build[PATH_MAX];	/* build tree root, or "" when installed */
	char self[PATH_MAX];	/* this xk binary */
};

static double
secs(int64_t since)
{
	return (double)(xk_lab_now_ms() - since) / 1000.0;
}

static int
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Run from a build tree, xk uses the source tree's recipes and the
 * freshly built agent and tests; installed, the installed ones.
 */
static int
locate(struct lab_ctx *x, struct xk_error *err)
{
	const char *env = getenv("XK_LAB_SHARE");
	ssize_t n;

	n = readlink("/proc/self/exe", x->self, sizeof(x->self) - 1);
	if (n < 0) {
		xk_error_errno(err, errno, "/proc/self/exe");
		return -1;
	}
	x->self[n] = '\0';
	x->build[0] = x->tests[0] = '\0';
	if (strncmp(x->self, XK_LAB_BUILD_ROOT "/",
	    strlen(XK_LAB_BUILD_ROOT) + 1) == 0 && is_dir(XK_LAB_SRC_SHARE)) {
		snprintf(x->share, sizeof(x->share), "%s", XK_LAB_SRC_SHARE);
		snprintf(x->tests, sizeof(x->tests), "%s", XK_LAB_SRC_TESTS);
		snprintf(x->build, sizeof(x->build), "%s", XK_LAB_BUILD_ROOT);
	} else {
		snprintf(x->share, sizeof(x->share), "%s", XK_LAB_SHARE);
	}
	if (env != NULL && *env != '\0')
		snprintf(x->share, sizeof(x->share), "%s", env);
	if (!is_dir(x->share)) {
		xk_error_set(err, "%s: lab recipes not found (set "
		    "XK_LAB_SHARE)", x->share);
		return -1;
	}
	return 0;
}

/*
 * The image to boot: the entry for the current key, built on a miss.
 * Without apt lists no key can be computed: fall back to the newest
 * cached image, so a built lab keeps working offline.
 */
static int
find_image(const struct lab_ctx *x, int force, char *entry, size_t len,
    struct xk_error *err)
{
	char cache[PATH_MAX], key[XK_IMAGE_KEY_LEN], *desc = NULL;
	struct xk_error kerr = { 0 };
	int64_t t0 = xk_lab_now_ms();

	if (xk_image_cache_root(cache, sizeof(cache), err) == -1)
		return -1;
	if (xk_image_key(x->share, key, &desc, &kerr) == -1) {
		if (xk_image_entry(cache, NULL, entry, len, err) == -1)
			return -1;
		if (force || xk_image_verify(entry, err) == -1) {
			xk_error_set(err, "cannot compute the image key (%s) "
			    "and no usable cached image", kerr.msg);
			return -1;
		}
		xk_warnx("lab", "image key: %s; using the newest cached image",
		    kerr.msg);
		return 0;
	}
	if (xk_image_entry(cache, key, entry, len, err) == -1)
		goto fail;
	if (!force && is_dir(entry)) {
		if (xk_image_verify(entry, err) == 0) {
			fprintf(stderr, "xk: lab: image %.12s: cached, verified "
			    "in %.1f s\n", key, secs(t0));
			free(desc);
			return 0;
		}
		xk_warnx("lab", "cached image: %s; rebuilding", err->msg);
		xk_error_clear(err);
	}
	fprintf(stderr, "xk: lab: image %.12s: building from Debian packages "
	    "(a few minutes)\n", key);
	if (xk_image_build(x->share, cache, key, desc, 2, err) == -1)
		goto fail;
	fprintf(stderr, "xk: lab: image %.12s: built in %.1f s\n", key,
	    secs(t0));
	free(desc);
	return 0;
fail:
	free(desc);
	return -1;
}

/* dir/name in a PATH_MAX buffer; NULL (and err set) if it does not fit. */
static const char *
join(char *buf, const char *dir, const char *name, struct xk_error *err)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, name);

	if (n < 0 || n >= PATH_MAX) {
		xk_error_set(err, "%s/%s: path too long", dir, name);
		return NULL;
	}
	return buf;
}

/*
 * The boot overlay: dom0's /init and helpers, the agent, this xk, the
 * guest configs, the lab tests and their programs, and any --add DIR
 * (laid over /).  Rebuilt at every `up`; the base image never is.
 */
static int
make_overlay(const struct lab_ctx *x, const char *add, const char *out,
    struct xk_error *err)
{
	struct {
		const char *dest, *dir, *name;
		int optional;
	} items[] = {
		{ "init", x->share, "dom0-init", 0 },
		{ "usr/lib/xk-lab/shutdown", x->share, "dom0-shutdown", 0 },
		{ "usr/share/xenkit/lab/guests", x->share, "guests", 0 },
		{ "usr/lib/xk-lab/xk-agent", x->build[0] ? x->build :
		    XK_LAB_LIBEXEC, x->build[0] ? "src/xk-agent" : "xk-agent",
		    0 },
		{ "usr/lib/xk-lab/tests", x->tests, ".", 1 },
		/* what every area's shell tests share (tests/lib.sh) */
		{ "usr/lib/xk-lab/lib.sh", x->tests, "../lib.sh", 1 },
		{ "usr/lib/xk-lab/bin", x->build, "tests/lab", 1 },
		/* the events tests' guest kernel, built in tests/events */
		{ "usr/lib/xk-lab/bin/xk-tinypv", x->build,
		    "tests/events/xk-tinypv", 1 },
	};
	char p[PATH_MAX];
	struct xk_cpio *a;
	size_t i;
	int r = 0;

	a = xk_cpio_open(out, err);
	if (a == NULL)
		return -1;
	for (i = 0; r == 0 && i < sizeof(items) / sizeof(items[0]); i++) {
		if (items[i].dir[0] == '\0')
			continue;
		if (join(p, items[i].dir, items[i].name, err) == NULL)
			r = -1;
		else if (!items[i].optional || access(p, F_OK) == 0)
			r = xk_cpio_tree(a, items[i].dest, p, err);
	}
	/* The kernel drops a file whose directory the initramfs lacks,
	 * and boot.cpio has no /usr/local of its own. */
	if (r == 0 && (xk_cpio_dir(a, "usr/local", 0755, err) == -1 ||
	    xk_cpio_dir(a, "usr/local/bin", 0755, err) == -1))
		r = -1;
	if (r == 0)
		r = xk_cpio_file(a, "usr/local/bin/xk", x->self, 0755, err);
	if (r == 0 && add != NULL)
		r = xk_cpio_tree(a, ".", add, err);
	if (r == -1) {
		struct xk_error ignore;

		xk_cpio_close(a, &ignore);
		return -1;
	}
	return xk_cpio_close(a, err);
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
	fprintf(stderr, "--- last %d lines of %s/serial.log ---\n%s"
	    "--- end of serial log ---\n", lines, state, tail);
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
	if (locate(x, &err) == -1 || xk_lab_state_dir(name, x->state,
	    sizeof(x->state), &err) == -1)
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

int
cmd_lab_up(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "add", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct xk_lab_boot b = { 0 };
	struct xk_error err = { 0 };
	char entry[PATH_MAX], overlay[PATH_MAX];
	const char *cmd = "lab up", *add = NULL;
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
		if (c == 'a' && is_dir(optarg)) {
			add = optarg;
			continue;
		}
		if (c == 'a')
			return xk_usage_error(cmd, "bad --add '%s': not a "
			    "directory", optarg);
		return xk_bad_option(cmd, c, argv);
	}
	if (optind != argc)
		return xk_usage_error(cmd, "unexpected argument '%s'",
		    argv[optind]);
	if ((rc = lab_open(x, cmd)) != XK_EXIT_OK)
		return rc;
	if (find_image(x, 0, entry, sizeof(entry), &err) == -1)
		return xk_fail("lab up", &err);
	if (xk_lab_prepare(x->state, &err) == -1)
		return xk_fail("lab up", &err);
	/* labs killed without `down` leave their directories (MBs each) */
	xk_lab_prune(x->state, PRUNE_AGE_S);
	if (join(overlay, x->state, "overlay.cpio.gz", &err) == NULL)
		return xk_fail("lab up", &err);
	b.state = x->state;
	b.image = entry;
	b.overlay = overlay;
	t0 = xk_lab_now_ms();
	if (make_overlay(x, add, overlay, &err) == -1) {
		xk_error_prefix(&err, "overlay");
		return xk_fail("lab up", &err);
	}
	if (xk_lab_start(&b, &err) == -1)
		return xk_fail("lab up", &err);
	if (xk_lab_wait_ready(x->state, timeout * 1000, &err) == -1) {
		xk_fail("lab up", &err);
		print_tail(x->state, 40);
		xk_lab_kill(x->state, &err);
		return XK_EXIT_FAIL;
	}
	printf("lab up: dom0 ready in %.1f s (state %s)\n", secs(t0),
	    x->state);
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
	int killed, rc;
	pid_t pid;

	if ((rc = no_operands("lab down", argc, argv)) != XK_EXIT_OK ||
	    (rc = lab_open(x, "lab down")) != XK_EXIT_OK)
		return rc;
	xk_lab_pid(x->state, &pid, &err);
	if (pid <= 0) {
		if (!report_dead(x, "lab down"))
			printf("lab down: no lab running in %s\n", x->state);
		remove_state(x);
		return XK_EXIT_OK;
	}
	if (xk_lab_stop(x->state, STOP_TIMEOUT_S * 1000, &killed, &err) == -1)
		return xk_fail("lab down", &err);
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

int
cmd_lab_status(int argc, char **argv)
{
	struct lab_ctx lab, *x = &lab;
	struct xk_error err = { 0 };
	struct xk_ctl ctl;
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

/* Relay between the terminal and the serial socket until Ctrl-]. */
static int
relay(int sock)
{
	struct pollfd p[2] = { { .fd = 0, .events = POLLIN },
	    { .fd = sock, .events = POLLIN } };
	char buf[4096];
	ssize_t n;

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[0].revents) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0)
				return 0;
			if (memchr(buf, 0x1d, (size_t)n) != NULL)
				return 0;
			if (write(sock, buf, (size_t)n) != n)
				return -1;
		}
		if (p[1].revents) {
			n = read(sock, buf, sizeof(buf));
			if (n <= 0)
				return 0;
			if (write(1, buf, (size_t)n) != n)
				return -1;
		}
	}
}

int
cmd_lab_console(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct lab_ctx lab, *x = &lab;
	struct termios old, raw;
	int sock, tty, r;

	if ((r = no_operands("lab console", argc, argv)) != XK_EXIT_OK ||
	    (r = lab_open(x, "lab console")) != XK_EXIT_OK)
		return r;
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/serial.sock",
	    x->state) >= (int)sizeof(sa.sun_path)) {
		xk_warnx("lab console", "%s: path too long", x->state);
		return XK_EXIT_FAIL;
	}
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock == -1 || connect(sock, (struct sockaddr *)&sa,
	    sizeof(sa)) == -1) {
		xk_warnx("lab console", "%s: %s (is the lab up?)", sa.sun_path,
		    strerror(errno));
		if (sock != -1)
			close(sock);
		return XK_EXIT_FAIL;
	}
	tty = isatty(0) && tcgetattr(0, &old) == 0;
	if (tty) {
		fprintf(stderr, "xk: lab console: Ctrl-] leaves\r\n");
		raw = old;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
	}
	r = relay(sock);
	if (tty)
		tcsetattr(0, TCSANOW, &old);
	close(sock);
	return r == 0 ? XK_EXIT_OK : XK_EXIT_FAIL;
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
