/*
 * cmd-create.c - xk create: placeholder until lib/events lands.
 */
#include "xk.h"

int
cmd_create(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	xk_warnx("create", "not implemented yet");
	return XK_EXIT_FAIL;
}
