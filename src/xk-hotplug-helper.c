/*
 * xk-hotplug-helper - the part of xenkit's hotplug scripts that costs a
 * fork per xenstore node in shell (xk-hotplug(7)):
 *
 *   read BASE [VAR=]NODE...   print VAR='value' for each node present
 *   write BASE NODE=VALUE...  write them in one transaction
 *   rm BASE NODE...           remove them in one transaction
 *   attach BASE DEV [NODE=VALUE...]
 *                             physical-device, physical-device-path,
 *                             hotplug-status=connected and the nodes
 *                             given, in one transaction
 *   ident PATH                the disk's identity, a lock name
 *   share BASE TARGET r|w     Xen's sharing check: exit 1 and say why
 *                             when TARGET may not be used
 *   attach-disk BASE PATH r|w|! LOCKDIR SECONDS
 *                             a whole block add (lib/hotplug/disk.c):
 *                             print the device, or exit 1 and say why
 *
 * Exit status: 0 done, 1 refused (share), 2 error (message on stderr).
 * Not part of `xk`: a script runs it for each device, and this binary
 * loads libxenstore alone.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <xenstore.h>

#include "hotplug/hotplug.h"

#define MAXNODES	64

static int
usage(void)
{
	fprintf(stderr, "usage: xk-hotplug-helper read BASE [VAR=]NODE...\n"
	    "       xk-hotplug-helper write BASE NODE=VALUE...\n"
	    "       xk-hotplug-helper rm BASE NODE...\n"
	    "       xk-hotplug-helper attach BASE DEVICE [NODE=VALUE...]\n"
	    "       xk-hotplug-helper ident PATH\n"
	    "       xk-hotplug-helper share BASE TARGET r|w\n"
	    "       xk-hotplug-helper attach-disk BASE PATH r|w|! LOCKDIR "
	    "SECONDS\n");
	return 2;
}

static int
fail(const struct xk_error *err)
{
	fprintf(stderr, "xk-hotplug-helper: %s\n", err->msg);
	return 2;
}

/* libxl names backends relative to dom0's home; so does xenstored. */
static const char *
relative(const char *base)
{
	static const char home[] = "/local/domain/0/";

	return strncmp(base, home, sizeof(home) - 1) == 0 ?
	    base + sizeof(home) - 1 : base;
}

/* The shell variable a read spec names: VAR of VAR=NODE, else NODE's
 * last component with - and . as _; -1 when that is no name. */
static int
var_name(const char *spec, char *buf, size_t len)
{
	const char *eq = strchr(spec, '=');
	const char *p = strrchr(spec, '/') ? strrchr(spec, '/') + 1 : spec;
	size_t n = eq != NULL ? (size_t)(eq - spec) : strlen(p), i;

	if (eq != NULL)
		p = spec;
	if (n == 0 || n >= len || (p[0] >= '0' && p[0] <= '9'))
		return -1;
	for (i = 0; i < n; i++) {
		char c = p[i];

		if (eq == NULL && (c == '-' || c == '.'))
			c = '_';
		if (!(c == '_' || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return -1;
		buf[i] = c;
	}
	buf[n] = '\0';
	return 0;
}

/* VAR='value', the value quoted for sh's eval */
static void
print_var(const char *var, const char *value)
{
	const char *p;

	printf("%s='", var);
	for (p = value; *p != '\0'; p++) {
		if (*p == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*p);
	}
	fputs("'\n", stdout);
}

static int
cmd_read(struct xs_handle *xs, const char *base, int n, char **specs)
{
	const char *names[MAXNODES] = { NULL };
	char *values[MAXNODES];
	struct xk_error err = { 0 };
	int i;

	char var[128];

	for (i = 0; i < n; i++) {
		if (var_name(specs[i], var, sizeof(var)) == -1) {
			fprintf(stderr, "xk-hotplug-helper: read: %s: not a "
			    "shell variable name\n", specs[i]);
			return 2;
		}
		names[i] = strchr(specs[i], '=') ? strchr(specs[i], '=') + 1 :
		    specs[i];
	}
	if (xk_hp_read(xs, base, names, n, values, &err) == -1)
		return fail(&err);
	for (i = 0; i < n; i++) {
		if (values[i] != NULL &&
		    var_name(specs[i], var, sizeof(var)) == 0)
			print_var(var, values[i]);
		free(values[i]);
	}
	return fflush(stdout) == 0 ? 0 : 2;
}

static int
cmd_write(struct xs_handle *xs, const char *base, int n, char **pairs, int rm)
{
	const char *names[MAXNODES] = { NULL }, *values[MAXNODES] = { NULL };
	struct xk_error err = { 0 };
	int i;

	for (i = 0; i < n; i++) {
		char *eq = strchr(pairs[i], '=');

		if (!rm && (eq == NULL || eq == pairs[i])) {
			fprintf(stderr, "xk-hotplug-helper: write: %s: not "
			    "NODE=VALUE\n", pairs[i]);
			return 2;
		}
		if (!rm)
			*eq = '\0';
		names[i] = pairs[i];
		values[i] = rm ? NULL : eq + 1;
	}
	if (xk_hp_write(xs, base, names, values, n, &err) == -1)
		return fail(&err);
	return 0;
}

/* physical-device, physical-device-path, hotplug-status=connected and
 * any NODE=VALUE given, one transaction */
static int
cmd_attach(struct xs_handle *xs, const char *base, const char *dev, int n,
    char **pairs)
{
	const char *names[MAXNODES + 3] = { "physical-device",
	    "physical-device-path", "hotplug-status" };
	const char *values[MAXNODES + 3] = { NULL };
	struct xk_error err = { 0 };
	char mm[32];
	struct stat st;
	int i;

	if (stat(dev, &st) == -1 || !S_ISBLK(st.st_mode)) {
		fprintf(stderr, "xk-hotplug-helper: attach: %s: not a block "
		    "device\n", dev);
		return 2;
	}
	snprintf(mm, sizeof(mm), "%x:%x", major(st.st_rdev),
	    minor(st.st_rdev));
	values[0] = mm;
	values[1] = dev;
	values[2] = "connected";
	for (i = 0; i < n; i++) {
		char *eq = strchr(pairs[i], '=');

		if (eq == NULL || eq == pairs[i]) {
			fprintf(stderr, "xk-hotplug-helper: attach: %s: not "
			    "NODE=VALUE\n", pairs[i]);
			return 2;
		}
		*eq = '\0';
		names[i + 3] = pairs[i];
		values[i + 3] = eq + 1;
	}
	if (xk_hp_write(xs, base, names, values, n + 3, &err) == -1)
		return fail(&err);
	return 0;
}

static int
cmd_ident(const char *path)
{
	struct xk_error err = { 0 };
	struct xk_hp_ident id;

	if (xk_hp_ident_path(path, &id, &err) == -1)
		return fail(&err);
	char name[80];

	xk_hp_ident_name(&id, name, sizeof(name));
	printf("%s\n", name);
	return fflush(stdout) == 0 ? 0 : 2;
}

static int
cmd_share(struct xs_handle *xs, const char *base, const char *target,
    const char *mode)
{
	struct xk_error err = { 0 };
	char why[512];
	int r;

	if (strcmp(mode, "r") != 0 && strcmp(mode, "w") != 0)
		return usage();
	r = xk_hp_check_sharing(xs, base, target, mode[0], why, sizeof(why),
	    &err);
	if (r == -1)
		return fail(&err);
	if (r == 1)
		printf("%s\n", why);
	return r;
}

/* attach-disk BASE PATH MODE LOCKDIR SECONDS */
static int
cmd_attach_disk(struct xs_handle *xs, const char *base, char **argv)
{
	struct xk_error err = { 0 };
	char why[512], *end;
	unsigned long secs;
	int r;

	secs = strtoul(argv[3], &end, 10);
	if (*end != '\0' || secs == 0 || secs > 3600)
		return usage();
	r = xk_hp_attach_disk(xs, base, argv[0], argv[1][0], argv[2],
	    (unsigned int)secs, why, sizeof(why), &err);
	if (r == -1)
		return fail(&err);
	printf("%s\n", why);
	return r;
}

static int
with_xs(int argc, char **argv)
{
	struct xs_handle *xs;
	const char *base = relative(argv[2]);
	int r;

	xs = xs_open(0);
	if (xs == NULL) {
		fprintf(stderr, "xk-hotplug-helper: cannot connect to "
		    "xenstored: %s\n", strerror(errno));
		return 2;
	}
	if (strcmp(argv[1], "read") == 0)
		r = cmd_read(xs, base, argc - 3, argv + 3);
	else if (strcmp(argv[1], "write") == 0)
		r = cmd_write(xs, base, argc - 3, argv + 3, 0);
	else if (strcmp(argv[1], "rm") == 0)
		r = cmd_write(xs, base, argc - 3, argv + 3, 1);
	else if (strcmp(argv[1], "attach") == 0)
		r = cmd_attach(xs, base, argv[3], argc - 4, argv + 4);
	else if (strcmp(argv[1], "attach-disk") == 0 && argc == 7)
		r = cmd_attach_disk(xs, base, argv + 3);
	else if (strcmp(argv[1], "share") == 0 && argc == 5)
		r = cmd_share(xs, base, argv[3], argv[4]);
	else
		r = usage();
	xs_close(xs);
	return r;
}

/* The arguments' form, before a connection is worth opening: 0 or a
 * usage error's exit status. */
static int
check_args(int argc, char **argv)
{
	char var[128];
	int i, pairs = strcmp(argv[1], "write") == 0 ||
	    strcmp(argv[1], "attach") == 0;

	if (strcmp(argv[1], "attach-disk") == 0)
		return argc == 7 && argv[4][1] == '\0' &&
		    strchr("rw!", argv[4][0]) != NULL &&
		    strspn(argv[6], "0123456789") == strlen(argv[6]) &&
		    atoi(argv[6]) > 0 ? 0 : usage();
	if (strcmp(argv[1], "share") == 0)
		return argc == 5 && (strcmp(argv[4], "r") == 0 ||
		    strcmp(argv[4], "w") == 0) ? 0 : usage();
	for (i = strcmp(argv[1], "attach") == 0 ? 4 : 3; i < argc; i++) {
		if (strcmp(argv[1], "read") == 0 &&
		    var_name(argv[i], var, sizeof(var)) == -1) {
			fprintf(stderr, "xk-hotplug-helper: read: %s: not a "
			    "shell variable name\n", argv[i]);
			return 2;
		}
		if (pairs && (argv[i][0] == '=' || !strchr(argv[i], '='))) {
			fprintf(stderr, "xk-hotplug-helper: %s: %s: not "
			    "NODE=VALUE\n", argv[1], argv[i]);
			return 2;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int r;

	if (argc == 3 && strcmp(argv[1], "ident") == 0)
		return cmd_ident(argv[2]);
	if (argc < 4 || argc - 3 > MAXNODES)
		return usage();
	r = check_args(argc, argv);
	return r != 0 ? r : with_xs(argc, argv);
}
