/*
 * cmd-events.c - xk events: placeholder until lib/events lands.
 */
#include "xk.h"

int
cmd_events(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	xk_warnx("events", "not implemented yet");
	return XK_EXIT_FAIL;
}
