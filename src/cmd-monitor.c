/*
 * cmd-monitor.c - xk monitor: placeholder until lib/events lands.
 */
#include "xk.h"

int
cmd_monitor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	xk_warnx("monitor", "not implemented yet");
	return XK_EXIT_FAIL;
}
