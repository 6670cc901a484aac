/*
 * cmd-import.c - xk import: placeholder until lib/formats lands.
 */
#include "xk.h"

int
cmd_import(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	xk_warnx("import", "not implemented yet");
	return XK_EXIT_FAIL;
}
