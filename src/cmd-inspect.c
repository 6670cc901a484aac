/*
 * cmd-inspect.c - xk inspect: placeholder until lib/formats lands.
 */
#include "xk.h"

int
cmd_inspect(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	xk_warnx("inspect", "not implemented yet");
	return XK_EXIT_FAIL;
}
