/*
 * xk.c - main(): find the command in the table and run it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xk-version.h"
#include "xk.h"

static const struct xk_cmd *
find_in(const struct xk_cmd *table, const char *name)
{
	for (const struct xk_cmd *c = table; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

const struct xk_cmd *
xk_find_command(const char *cmd, const char *sub)
{
	const struct xk_cmd *c = find_in(xk_commands, cmd);

	if (c == NULL || sub == NULL || c->sub == NULL)
		return c;
	return find_in(c->sub, sub);
}

void
xk_print_usage(const char *path, const struct xk_cmd *c, void *fp)
{
	FILE *f = fp;

	fprintf(f, "usage: xk %s%s%s\n", path, *c->usage ? " " : "",
	    c->usage);
	fprintf(f, "  %s\n", c->summary);
	if (c->sub == NULL)
		return;
	fprintf(f, "\nsubcommands:\n");
	for (const struct xk_cmd *s = c->sub; s->name != NULL; s++)
		fprintf(f, "  %-10s %s\n", s->name, s->summary);
	fprintf(f, "\nSee 'xk help %s SUBCOMMAND' or man xk-%s.\n", path, path);
}

bool
xk_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}

/* Levenshtein distance, for "did you mean" (names are short). */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64], prev, tmp;

	if (lb >= 64)
		return lb;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (tmp + 1 < row[j])
				row[j] = tmp + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

static int
unknown_command(const char *path, const struct xk_cmd *table,
    const char *name)
{
	const struct xk_cmd *best = NULL;
	size_t bestd = 3;	/* suggest only close names */

	for (const struct xk_cmd *c = table; c->name != NULL; c++) {
		size_t d = distance(name, c->name);

		if (d < bestd || (strncmp(c->name, name, strlen(name)) == 0 &&
		    best == NULL)) {
			best = c;
			bestd = d;
		}
	}
	fprintf(stderr, "xk: %s%s'%s' is not a command.", path,
	    *path ? ": " : "", name);
	if (best != NULL)
		fprintf(stderr, " Did you mean '%s'?", best->name);
	fprintf(stderr, "\nSee 'xk help%s%s'.\n", *path ? " " : "", path);
	return XK_EXIT_USAGE;
}

static void
print_commands(FILE *f)
{
	fprintf(f, "usage: xk [--version] COMMAND [ARGS...]\n\n"
	    "xenkit: a toolkit for Xen hosts.\n\ncommands:\n");
	for (const struct xk_cmd *c = xk_commands; c->name != NULL; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\nSee 'xk help COMMAND' or man xk-COMMAND.\n");
}

static int
cmd_help(int argc, char **argv)
{
	const struct xk_cmd *c;
	char path[64];

	if (argc < 2) {
		print_commands(stdout);
		return XK_EXIT_OK;
	}
	c = find_in(xk_commands, argv[1]);
	if (c == NULL)
		return unknown_command("help", xk_commands, argv[1]);
	if (argc >= 3 && c->sub != NULL) {
		const struct xk_cmd *s = find_in(c->sub, argv[2]);

		if (s == NULL)
			return unknown_command(argv[1], c->sub, argv[2]);
		snprintf(path, sizeof(path), "%s %s", c->name, s->name);
		xk_print_usage(path, s, stdout);
		return XK_EXIT_OK;
	}
	xk_print_usage(c->name, c, stdout);
	return XK_EXIT_OK;
}

/* Run a command with subcommands: argv[0] is its name. */
static int
run_group(const struct xk_cmd *group, int argc, char **argv)
{
	const struct xk_cmd *s;
	int used;

	if (group->opts != NULL) {
		if ((used = group->opts(argc, argv)) < 0)
			return XK_EXIT_USAGE;
		argc -= used;
		argv += used;
	}
	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		xk_print_usage(group->name, group, argc < 2 ? stderr : stdout);
		return argc < 2 ? XK_EXIT_USAGE : XK_EXIT_OK;
	}
	s = find_in(group->sub, argv[1]);
	if (s == NULL)
		return unknown_command(group->name, group->sub, argv[1]);
	if (xk_wants_help(argc - 1, argv + 1)) {
		char path[64];

		snprintf(path, sizeof(path), "%s %s", group->name, s->name);
		xk_print_usage(path, s, stdout);
		return XK_EXIT_OK;
	}
	return s->fn(argc - 1, argv + 1);
}

int
main(int argc, char **argv)
{
	const struct xk_cmd *c;

	if (argc < 2) {
		print_commands(stderr);
		return XK_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		printf("xk (xenkit) %s\n", XK_VERSION);
		return XK_EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return cmd_help(1, argv + 1);
	c = find_in(xk_commands, argv[1]);
	if (c == NULL)
		return unknown_command("", xk_commands, argv[1]);
	if (strcmp(c->name, "help") == 0)
		return cmd_help(argc - 1, argv + 1);
	if (c->sub != NULL)
		return run_group(c, argc - 1, argv + 1);
	if (xk_wants_help(argc - 1, argv + 1)) {
		xk_print_usage(c->name, c, stdout);
		return XK_EXIT_OK;
	}
	return c->fn(argc - 1, argv + 1);
}
