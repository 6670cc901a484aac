/*
 * xk.h - the command table and what every command shares.
 *
 * Every command is one row of a table (src/cmdtable.c): its name, its
 * handler, a one-line summary and its usage, in the spirit of xl's
 * xl_cmdtable.c.  A command with subcommands ("cfg", "lab") points at a
 * table of its own, and may take options of its own before the
 * subcommand (`xk lab -n NAME up`).  Handlers get argv with argv[0] =
 * their own name and return an exit status: XK_EXIT_OK, XK_EXIT_FAIL or
 * XK_EXIT_USAGE.
 */
#ifndef XK_XK_H
#define XK_XK_H

#include <stdbool.h>

#include "util/error.h"

enum {
	XK_EXIT_OK = 0,		/* it worked */
	XK_EXIT_FAIL = 1,	/* it did not: bad input, a failed operation */
	XK_EXIT_USAGE = 2,	/* the command line itself was wrong */
};

struct xk_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage;		/* arguments after the name */
	const struct xk_cmd *sub;	/* subcommands, ended by a NULL name */
	/*
	 * A command with subcommands: its own options, before the
	 * subcommand (argv[0] is its name).  Returns how many words they
	 * take, or -1 after a usage error.  NULL: it has none.
	 */
	int (*opts)(int argc, char **argv);
};

extern const struct xk_cmd xk_commands[];
extern const struct xk_cmd xk_cfg_commands[];
extern const struct xk_cmd xk_snapshot_commands[];
extern const struct xk_cmd xk_lab_commands[];
extern const struct xk_cmd xk_fuzz_commands[];
extern const struct xk_cmd xk_powercap_commands[];

/* Diagnostics, "xk: CMD: what: why" on stderr (src/diag.c). */
void xk_warnx(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int xk_fail(const char *cmd, const struct xk_error *err);
/*
 * For commands that catch SIGINT and SIGTERM (util/interrupt.h): fail
 * as xk_fail does, but when a signal stopped the work, say so and die
 * of that signal, so that the shell and scripts see it.
 */
int xk_fail_or_raise(const char *cmd, struct xk_error *err);
struct xk_swept;
/* Say which stale temporaries a library call removed. */
void xk_report_swept(const char *cmd, const struct xk_swept *sw);
int xk_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Option parsing (getopt_long with a ':' first in optstring): the usage
 * error for what it returned, c ':' (a missing value) or anything else
 * (an unknown option); returns XK_EXIT_USAGE.
 */
int xk_bad_option(const char *cmd, int c, char **argv);

/* One allowed value of an option; tables end with a NULL name. */
struct xk_choice {
	const char *name;
	int value;
};

/*
 * arg, the value of option opt, as one of choices: 0 and *value, or
 * a usage error ("--format zip: expected xva, ova or vhd") and -1.
 */
int xk_option_choice(const char *cmd, const char *opt, const char *arg,
    const struct xk_choice *choices, int *value);
/* The choice path's extension names (".NAME", any case); -1 if none. */
int xk_choice_by_suffix(const char *path, const struct xk_choice *choices,
    int *value);
/* Does s end with suffix (any case)? */
bool xk_has_suffix(const char *s, const char *suffix);

/* "2.5" seconds -> 2500 ms (0.001 to 86400 s); -1 if not that. */
int xk_parse_seconds(const char *s, int *ms);

/* Find a command's row by its words ("cfg", "show"); NULL if none. */
const struct xk_cmd *xk_find_command(const char *cmd, const char *sub);
/* Print "usage: xk CMD USAGE" and the summary to f. */
void xk_print_usage(const char *path, const struct xk_cmd *c, void *f);
/* True when argv[1..] holds -h or --help (before any "--"). */
bool xk_wants_help(int argc, char **argv);

/* Subcommand handlers, one file each. */
int cmd_cfg_check(int argc, char **argv);
int cmd_cfg_show(int argc, char **argv);
int cmd_powercap_set(int argc, char **argv);
int cmd_powercap_show(int argc, char **argv);
int cmd_powercap_stop(int argc, char **argv);
int cmd_powercap_run(int argc, char **argv);
int cmd_powercap_repair(int argc, char **argv);
int cmd_powercap_aligned(int argc, char **argv);
int cmd_lab_options(int argc, char **argv);
int cmd_fuzz_run(int argc, char **argv);
int cmd_fuzz_replay(int argc, char **argv);
int cmd_fuzz_shrink(int argc, char **argv);
int cmd_fuzz_guided(int argc, char **argv);
int cmd_fuzz_engine(int argc, char **argv);
int cmd_lab_build(int argc, char **argv);
int cmd_lab_xen(int argc, char **argv);
int cmd_lab_up(int argc, char **argv);
int cmd_lab_down(int argc, char **argv);
int cmd_lab_status(int argc, char **argv);
int cmd_lab_exec(int argc, char **argv);
int cmd_lab_cp(int argc, char **argv);
int cmd_lab_console(int argc, char **argv);
int cmd_lab_log(int argc, char **argv);
int cmd_lab_coverage(int argc, char **argv);
int cmd_lab_save(int argc, char **argv);
int cmd_lab_restore(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_snapshot_create(int argc, char **argv);
int cmd_snapshot_list(int argc, char **argv);
int cmd_snapshot_info(int argc, char **argv);
int cmd_snapshot_revert(int argc, char **argv);
int cmd_snapshot_delete(int argc, char **argv);
int cmd_snapshot_repair(int argc, char **argv);
int cmd_snapshot_mirror(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_events(int argc, char **argv);

#endif
