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
	    "[--json] FILE...", NULL, NULL },
	{ "show", cmd_cfg_show,
	    "show the normalized domain model of an xl.cfg",
	    "[--json | --canonical] FILE", NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

const struct xk_cmd xk_snapshot_commands[] = {
	{ "create", cmd_snapshot_create,
	    "snapshot a domain's disks (and with --memory its memory)",
	    "[--qmp SOCKET] [--qmp-lock FILE] [--memory] [--disk VDEV]... "
	    "[--description TEXT] [--catalog FILE] DOMAIN [NAME]", NULL, NULL },
	{ "list", cmd_snapshot_list, "list a domain's snapshots",
	    "[--qmp SOCKET] [--tree] [--json] [--catalog FILE] DOMAIN",
	    NULL, NULL },
	{ "info", cmd_snapshot_info, "show one snapshot",
	    "[--json] [--catalog FILE] DOMAIN NAME", NULL, NULL },
	{ "revert", cmd_snapshot_revert,
	    "bring a domain back to a snapshot", "[--qmp SOCKET] [--qmp-lock "
	    "FILE] [--catalog FILE] DOMAIN NAME", NULL, NULL },
	{ "delete", cmd_snapshot_delete,
	    "delete a snapshot, merging data the chain still needs",
	    "[--qmp SOCKET] [--qmp-lock FILE] [--catalog FILE] DOMAIN NAME",
	    NULL, NULL },
	{ "repair", cmd_snapshot_repair,
	    "finish or roll back an interrupted snapshot operation",
	    "[--qmp SOCKET] [--qmp-lock FILE] [--catalog FILE] DOMAIN",
	    NULL, NULL },
	{ "mirror", cmd_snapshot_mirror,
	    "copy a running domain's disks with drive-mirror",
	    "[--qmp SOCKET] [--qmp-lock FILE] [--catalog FILE] DOMAIN DEST-DIR",
	    NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

const struct xk_cmd xk_lab_commands[] = {
	{ "build", cmd_lab_build, "build or reuse the cached host image",
	    "[--force]", NULL, NULL },
	{ "xen", cmd_lab_xen, "build or reuse a hypervisor built from source",
	    "[--source debian|DIR] [--patch FILE|DIR]... "
	    "[--config CONFIG_NAME=VALUE]... [--force]", NULL, NULL },
	{ "up", cmd_lab_up, "boot the lab, wait until dom0 is ready",
	    "[--timeout SECONDS] [--add DIR] [--xen debian|BUILD]", NULL,
	    NULL },
	{ "down", cmd_lab_down, "shut the lab down (killed after a timeout)",
	    "", NULL, NULL },
	{ "status", cmd_lab_status, "is a lab running, is dom0 answering", "",
	    NULL, NULL },
	{ "exec", cmd_lab_exec, "run CMD in dom0",
	    "[-i | --stdin] [--timeout SECONDS] -- CMD...", NULL, NULL },
	{ "cp", cmd_lab_cp, "copy a file; prefix the dom0 side with lab:",
	    "SRC DST", NULL, NULL },
	{ "console", cmd_lab_console,
	    "attach to the serial console (Ctrl-] leaves)", "", NULL, NULL },
	{ "log", cmd_lab_log, "the tail of the serial log", "[-n LINES]",
	    NULL, NULL },
	{ "save", cmd_lab_save, "save the whole running lab to FILE "
	    "(a checkpoint)", "FILE", NULL, NULL },
	{ "restore", cmd_lab_restore, "start the lab from a checkpoint "
	    "FILE, as it was when saved", "FILE", NULL, NULL },
	{ "coverage", cmd_lab_coverage,
	    "reset or collect a coverage hypervisor's counters (lcov report)",
	    "reset | collect -o DIR", NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

const struct xk_cmd xk_fuzz_commands[] = {
	{ "run", cmd_fuzz_run,
	    "random toolstack operations (checked against a model) or "
	    "hypercalls from a lab's dom0 or an unprivileged guest",
	    "[--lab NAME] [--engine toolstack|hypercall|guest] [--seed N] "
	    "[--ops N] [--checkpoint N] [--log FILE] "
	    "[--reports DIR] [--timeout SECONDS]", NULL, NULL },
	{ "replay", cmd_fuzz_replay, "run a log's operations again",
	    "[--lab NAME] [--reports DIR] [--timeout SECONDS] FILE",
	    NULL, NULL },
	{ "shrink", cmd_fuzz_shrink,
	    "reduce a failing log to a short one that fails the same way",
	    "[--lab NAME] [--reports DIR] [--timeout SECONDS] [--tries N] "
	    "FILE -o|--output OUT",
	    NULL, NULL },
	{ "guided", cmd_fuzz_guided,
	    "coverage-guided hypercalls in a lab on a coverage build of Xen",
	    "[--lab NAME] [--minutes N] [--seed N] [--ops N] [--corpus DIR] "
	    "[--unguided] [--reports DIR] [--timeout SECONDS]", NULL, NULL },
	{ "engine", cmd_fuzz_engine,
	    "the engine itself, in dom0 (run and replay start it)",
	    "[--plant BUG] [--hypercall|--guest] --seed N --ops N [--first N] "
	    "[--resume [--reseed N]] [--keep] [--crash-at N] | --replay < LOG",
	    NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

const struct xk_cmd xk_powercap_commands[] = {
	{ "set", cmd_powercap_set,
	    "set the target idle percentage of the host's pCPUs",
	    "[--cpus LIST | --cpumask HEX] [--window MS] [--max-idle PERCENT] "
	    "[--mechanism caps|xen] [--period MS] [--dir DIR] PERCENT", NULL,
	    NULL },
	{ "show", cmd_powercap_show,
	    "measured idle per pCPU and for the host, target, daemon",
	    "[--json] [--interval MS] [--dir DIR]", NULL, NULL },
	{ "stop", cmd_powercap_stop, "set the target to 0: no idle injected",
	    "[--dir DIR]", NULL, NULL },
	{ "run", cmd_powercap_run,
	    "the daemon: hold the target with scheduler caps (foreground)",
	    "[--dir DIR]", NULL, NULL },
	{ "repair", cmd_powercap_repair,
	    "give back the caps a killed daemon left", "[--dir DIR]",
	    NULL, NULL },
	{ "aligned", cmd_powercap_aligned,
	    "how often all pCPUs were idle at once, from a xentrace file",
	    "[--json] FILE", NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

const struct xk_cmd xk_commands[] = {
	{ "cfg", NULL, "read, check and normalize xl.cfg domain configurations",
	    "SUBCOMMAND ...", xk_cfg_commands, NULL },
	{ "powercap", NULL, "hold a target idle percentage on the host's pCPUs",
	    "SUBCOMMAND ...", xk_powercap_commands, NULL },
	{ "lab", NULL, "a disposable Xen 4.17 host inside QEMU",
	    "[-n NAME] SUBCOMMAND ...", xk_lab_commands, cmd_lab_options },
	{ "export", cmd_export,
	    "export an xl domain (config and disks) to XVA, OVA or VHD",
	    "[--format xva|ova|vhd] [--checksum sha1|xxhash] [--disk-format "
	    "vhd|vmdk] [--to-hvm] [--strict] [--json] CFG -o|--output OUT",
	    NULL, NULL },
	{ "import", cmd_import,
	    "import an XVA, OVA/OVF or VHD as an xl.cfg and disks",
	    "[--disk-format raw|qcow2] [--json] IN -o|--output DIR",
	    NULL, NULL },
	{ "convert", cmd_convert, "convert a disk image between raw, qcow2 "
	    "and vhd", "[--from FMT] [--to FMT] [--json] IN OUT", NULL, NULL },
	{ "inspect", cmd_inspect, "show what an XVA, OVA or VHD holds",
	    "[--json] FILE", NULL, NULL },
	{ "snapshot", NULL, "create, list, revert and delete VM snapshots",
	    "SUBCOMMAND ...", xk_snapshot_commands, NULL },
	{ "monitor", cmd_monitor,
	    "watch every domain; export shutdown reasons to hooks, a log, "
	    "syslog", "[--hooks DIR] [--log FILE] [--socket PATH] "
	    "[--hook-timeout SECONDS] [--interval SECONDS] [--xl-logdir DIR] "
	    "[--sync] [--no-syslog]", NULL, NULL },
	{ "create", cmd_create,
	    "create a domain with xenkit as its monitor (no lost reasons)",
	    "[--hooks DIR] [--log FILE] [--socket PATH] [--hook-timeout "
	    "SECONDS] [--output FILE] [--foreground] CFG", NULL, NULL },
	{ "events", cmd_events, "show domain events from the event log",
	    "[--follow] [--since TIME] [--domain NAME] [--json] [--log FILE] "
	    "[--socket PATH]", NULL, NULL },
	{ "fuzz", NULL, "randomized, reproducible testing of the toolstack "
	    "and hypercalls in a lab", "SUBCOMMAND ...", xk_fuzz_commands, NULL },
	{ "help", NULL, "show the commands, or one command's usage",
	    "[COMMAND [SUBCOMMAND]]", NULL, NULL },
	{ "version", NULL, "print xenkit's version", "", NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};
