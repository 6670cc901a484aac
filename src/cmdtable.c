/*
 * cmdtable.c - every xk command: name, handler, summary, usage.
 *
 * To add a command: write src/cmd-NAME.c with int cmd_NAME(int, char **),
 * declare it in xk.h, add a row here and a man page doc/xk-NAME.1.scd.
 */
#include <stddef.h>

#include "xk.h"

const struct xk_cmd xk_cfg_commands[] = {
	{ "check", cmd_cfg_check,
	    "check xl.cfg files: syntax, every mapped key, disk and vif specs",
	    "[--json] FILE...", NULL },
	{ "show", cmd_cfg_show,
	    "show the normalized domain model of an xl.cfg",
	    "[--json | --canonical] FILE", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct xk_cmd xk_commands[] = {
	{ "cfg", NULL, "read, check and normalize xl.cfg domain configurations",
	    "SUBCOMMAND ...", xk_cfg_commands },
	{ "lab", cmd_lab, "a disposable Xen 4.17 host inside QEMU",
	    "build | up | down | status | exec -- CMD... | cp SRC DST | "
	    "console", NULL },
	{ "help", NULL, "show the commands, or one command's usage",
	    "[COMMAND [SUBCOMMAND]]", NULL },
	{ "version", NULL, "print xenkit's version", "", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};
