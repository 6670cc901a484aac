/*
 * cmd-lab.c - xk lab: placeholder until lib/lab lands.
 */
#include "xk.h"

int
cmd_lab(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	xk_warnx("lab", "not built yet");
	return XK_EXIT_FAIL;
}
