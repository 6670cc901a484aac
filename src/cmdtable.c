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

const struct xk_cmd xk_snapshot_commands[] = {
	{ "create", cmd_snapshot_create,
	    "snapshot a domain's disks (and with --memory its memory)",
	    "[--qmp SOCKET] [--memory] [--disk VDEV]... [--description TEXT] "
	    "DOMAIN [NAME]", NULL },
	{ "list", cmd_snapshot_list, "list a domain's snapshots",
	    "[--qmp SOCKET] [--tree] [--json] DOMAIN", NULL },
	{ "info", cmd_snapshot_info, "show one snapshot",
	    "[--json] DOMAIN NAME", NULL },
	{ "revert", cmd_snapshot_revert,
	    "bring a domain back to a snapshot", "[--qmp SOCKET] DOMAIN NAME",
	    NULL },
	{ "delete", cmd_snapshot_delete,
	    "delete a snapshot, merging data the chain still needs",
	    "[--qmp SOCKET] DOMAIN NAME", NULL },
	{ "repair", cmd_snapshot_repair,
	    "finish or roll back an interrupted snapshot operation",
	    "[--qmp SOCKET] DOMAIN", NULL },
	{ "mirror", cmd_snapshot_mirror,
	    "copy a running domain's disks with drive-mirror",
	    "[--qmp SOCKET] DOMAIN DEST-DIR", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

const struct xk_cmd xk_commands[] = {
	{ "cfg", NULL, "read, check and normalize xl.cfg domain configurations",
	    "SUBCOMMAND ...", xk_cfg_commands },
	{ "lab", cmd_lab, "a disposable Xen 4.17 host inside QEMU",
	    "build | up | down | status | exec -- CMD... | cp SRC DST | "
	    "console", NULL },
	{ "export", cmd_export,
	    "export an xl domain (config and disks) to XVA, OVA or VHD",
	    "[--format xva|ova|vhd] [--checksum sha1|xxhash] [--disk-format "
	    "vhd|vmdk] [--to-hvm] [--strict] [--json] CFG -o OUT", NULL },
	{ "import", cmd_import,
	    "import an XVA, OVA/OVF or VHD as an xl.cfg and disks",
	    "[--disk-format raw|qcow2] [--json] IN -o DIR", NULL },
	{ "convert", cmd_convert, "convert a disk image between raw, qcow2 "
	    "and vhd", "[--from FMT] [--to FMT] [--json] IN OUT", NULL },
	{ "inspect", cmd_inspect, "show what an XVA, OVA or VHD holds",
	    "[--json] FILE", NULL },
	{ "snapshot", NULL, "create, list, revert and delete VM snapshots",
	    "SUBCOMMAND ...", xk_snapshot_commands },
	{ "monitor", cmd_monitor,
	    "watch every domain; export shutdown reasons to hooks, a log, "
	    "syslog", "[--hooks DIR] [--log FILE] [--socket PATH] [--sync]",
	    NULL },
	{ "create", cmd_create,
	    "create a domain with xenkit as its monitor (no lost reasons)",
	    "[--hooks DIR] [--log FILE] [--foreground] CFG", NULL },
	{ "events", cmd_events, "show domain events from the event log",
	    "[--follow] [--since TIME] [--domain NAME] [--json] [--log FILE]",
	    NULL },
	{ "help", NULL, "show the commands, or one command's usage",
	    "[COMMAND [SUBCOMMAND]]", NULL },
	{ "version", NULL, "print xenkit's version", "", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};
