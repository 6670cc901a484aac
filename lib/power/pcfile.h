/*
 * pcfile.h - the power cap's two files, both small "KEY VALUE" text:
 *
 * settings (XK_PC_SETTINGS): what is asked for.  `xk powercap set`
 *	and `stop` write it, the xen_powerclamp module's forwarder too;
 *	the daemon reads it every control window.
 *		target 25
 *		max_idle 50
 *		window 1000
 *		cpus all		(or a list: 0-3,6)
 *		mechanism caps		(or xen: the hypervisor's idle
 *					injection, all pCPUs only)
 *		period 20		(xen: ms, idle the first target%)
 *
 * state (XK_PC_STATE): what the daemon changed, so that a killed
 *	daemon's changes can be undone (`xk powercap repair`, and the next
 *	daemon's start), and what it measured last (`xk powercap show`).
 *	A domain is recorded, with the cap it had, before it is capped.
 *		xk-powercap-state 1
 *		pid 1234
 *		target 25
 *		inject 27.3
 *		idle 24.8
 *		dom 3 0b9d3c38-...-0a 0		(domid, uuid, cap before)
 *		xen_inject 0 20000	(the hypervisor's idle injection
 *					before: percent, period in us)
 *
 * Both live in /run/xenkit: tmpfs has the lifetime of the domains the
 * caps apply to (a reboot ends both), and both are written through
 * util/tempfile (renamed into place: never seen half-written).
 */
#ifndef XK_POWER_PCFILE_H
#define XK_POWER_PCFILE_H

#include <stddef.h>
#include <stdint.h>

#include "power/cpuset.h"
#include "util/error.h"

#define XK_PC_DIR "/run/xenkit"
#define XK_PC_SETTINGS "powercap.conf"
#define XK_PC_STATE "powercap.state"
#define XK_PC_MAX_FILE (1 << 20)	/* bytes; bounds a hostile file */
#define XK_PC_MAX_DOMS 32768		/* Xen's domid space */

/* Ranges of the settings, powerclamp's where it has one. */
#define XK_PC_MAX_IDLE_DEFAULT 50	/* intel_powerclamp max_idle */
#define XK_PC_WINDOW_MIN 100		/* ms */
#define XK_PC_WINDOW_MAX 10000
#define XK_PC_WINDOW_DEFAULT 1000
/* mechanism xen: the period idle is injected in (the sysctl's range) */
#define XK_PC_PERIOD_MIN 1		/* ms */
#define XK_PC_PERIOD_MAX 1000
#define XK_PC_PERIOD_DEFAULT 20		/* the patch's default */

/* How the idle is enforced. */
enum xk_pc_mechanism {
	XK_PC_MECH_CAPS,	/* credit scheduler caps on every guest */
	XK_PC_MECH_XEN,		/* XEN_SYSCTL_idle_inject (power/xen.h) */
};

struct xk_pc_settings {
	int target;		/* idle percent, 0 = off; <= max_idle */
	int max_idle;		/* 1..100 */
	int window_ms;		/* the control window */
	int all_cpus;		/* 1: every pCPU of the host */
	struct xk_cpuset cpus;	/* when !all_cpus */
	enum xk_pc_mechanism mechanism;
	int period_ms;		/* mechanism xen's injection period */
};

/* "caps" or "xen". */
const char *xk_pc_mechanism_name(enum xk_pc_mechanism m);
int xk_pc_mechanism_parse(const char *s, enum xk_pc_mechanism *m);

struct xk_pc_dom {
	uint32_t domid;
	char uuid[37];
	int orig_cap;		/* the cap it had before, 0 = none */
	int cur_cap;		/* the daemon's, -1: unknown (not stored) */
};

struct xk_pc_state {
	long pid;		/* the daemon that wrote it */
	int target;
	double inject;
	double idle;		/* measured, -1: not yet */
	int xen_pct;		/* the hypervisor's injection before the */
	int xen_period_us;	/* daemon set it; xen_pct -1: not set */
	struct xk_pc_dom *doms;
	size_t n, alloc;
};

void xk_pc_settings_default(struct xk_pc_settings *s);
/* The ranges and target <= max_idle; what names the source. */
int xk_pc_settings_check(const struct xk_pc_settings *s, const char *what,
    struct xk_error *err);
/* Parse settings text; what names it in messages (a path). */
int xk_pc_settings_parse(const char *text, size_t len, const char *what,
    struct xk_pc_settings *s, struct xk_error *err);
int xk_pc_settings_format(const struct xk_pc_settings *s, char **out,
    struct xk_error *err);
/* Read dir/XK_PC_SETTINGS; no file is the defaults (target 0). */
int xk_pc_settings_load(const char *dir, struct xk_pc_settings *s,
    struct xk_error *err);
int xk_pc_settings_store(const char *dir, const struct xk_pc_settings *s,
    struct xk_error *err);

/* Read dir/name (path gets its name): 1 and *text, 0 when it is not there. */
int xk_pc_file_read(const char *dir, const char *name, char *path,
    size_t plen, char **text, size_t *len, struct xk_error *err);
/* Replace dir/name with text (util/tempfile: renamed into place). */
int xk_pc_file_write(const char *dir, const char *name, const char *text,
    struct xk_error *err);

void xk_pc_state_init(struct xk_pc_state *st);
void xk_pc_state_free(struct xk_pc_state *st);
struct xk_pc_dom *xk_pc_state_find(struct xk_pc_state *st, uint32_t domid);
int xk_pc_state_add(struct xk_pc_state *st, uint32_t domid,
    const char *uuid, int orig_cap, struct xk_error *err);
void xk_pc_state_remove(struct xk_pc_state *st, uint32_t domid);
int xk_pc_state_parse(const char *text, size_t len, const char *what,
    struct xk_pc_state *st, struct xk_error *err);
int xk_pc_state_format(const struct xk_pc_state *st, char **out,
    struct xk_error *err);
/* Read dir/XK_PC_STATE: 1 when there is one, 0 when not. */
int xk_pc_state_load(const char *dir, struct xk_pc_state *st,
    struct xk_error *err);
int xk_pc_state_store(const char *dir, const struct xk_pc_state *st,
    struct xk_error *err);
int xk_pc_state_remove_file(const char *dir, struct xk_error *err);

#endif
