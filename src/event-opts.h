/*
 * event-opts.h - the options xk monitor and xk create share: where a
 * domain's events go (the hooks directory, the log, the socket) and how
 * long a hook may run.  One table and one parser, so the two commands
 * cannot drift apart.
 */
#ifndef XK_EVENT_OPTS_H
#define XK_EVENT_OPTS_H

#include <getopt.h>

#include "events/emitter.h"

/* getopt_long codes; a command numbers its own from XK_OPT_EVENTS_END. */
enum {
	XK_OPT_HOOKS = 1, XK_OPT_LOG, XK_OPT_SOCKET, XK_OPT_HOOK_TIMEOUT,
	XK_OPT_EVENTS_END
};

/* The shared entries of a command's struct option table. */
#define XK_EVENT_OPTIONS \
	{ "hooks", required_argument, NULL, XK_OPT_HOOKS }, \
	{ "log", required_argument, NULL, XK_OPT_LOG }, \
	{ "socket", required_argument, NULL, XK_OPT_SOCKET }, \
	{ "hook-timeout", required_argument, NULL, XK_OPT_HOOK_TIMEOUT }

/* The defaults: xk monitor's log, hooks directory and socket. */
void xk_event_opts_defaults(struct xk_emitter_cfg *em, const char **sock);
/*
 * Take option c (with optarg) if it is one of the shared ones: 1 when
 * taken, 0 when it is not, -1 after a usage error was printed.
 */
int xk_event_opt(const char *cmd, int c, struct xk_emitter_cfg *em,
    const char **sock);

#endif
