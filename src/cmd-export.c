/*
 * cmd-export.c - xk export: placeholder until lib/formats lands.
 */
#include "xk.h"

int
cmd_export(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	xk_warnx("export", "not implemented yet");
	return XK_EXIT_FAIL;
}
