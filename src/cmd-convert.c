/*
 * cmd-convert.c - xk convert: placeholder until lib/formats lands.
 */
#include "xk.h"

int
cmd_convert(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	xk_warnx("convert", "not implemented yet");
	return XK_EXIT_FAIL;
}
