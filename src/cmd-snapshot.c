/*
 * cmd-snapshot.c - xk snapshot: placeholders until lib/snapshot lands.
 */
#include "xk.h"

int
cmd_snapshot_create(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	xk_warnx("snapshot create", "not implemented yet");
	return XK_EXIT_FAIL;
}

int
cmd_snapshot_list(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	xk_warnx("snapshot list", "not implemented yet");
	return XK_EXIT_FAIL;
}

int
cmd_snapshot_info(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	xk_warnx("snapshot info", "not implemented yet");
	return XK_EXIT_FAIL;
}

int
cmd_snapshot_revert(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	xk_warnx("snapshot revert", "not implemented yet");
	return XK_EXIT_FAIL;
}

int
cmd_snapshot_delete(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	xk_warnx("snapshot delete", "not implemented yet");
	return XK_EXIT_FAIL;
}

int
cmd_snapshot_repair(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	xk_warnx("snapshot repair", "not implemented yet");
	return XK_EXIT_FAIL;
}

int
cmd_snapshot_mirror(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	xk_warnx("snapshot mirror", "not implemented yet");
	return XK_EXIT_FAIL;
}

