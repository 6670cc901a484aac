/*
 * domcfg.h - what the keys of an xl.cfg mean: the typed domain model.
 *
 * xk_domcfg_from_xlcfg() checks every key xenkit maps (type, range,
 * enumerations, disk and vif specs) and reports the first bad value
 * with FILE:LINE:COLUMN.  It is stricter than xl, which ignores a bad
 * number and uses its default: a silent default hides mistakes.  Keys
 * xenkit does not map stay in the xlcfg and are written back unchanged.
 */
#ifndef XK_CONFIG_DOMCFG_H
#define XK_CONFIG_DOMCFG_H

#include <stdbool.h>
#include <stddef.h>

#include "config/diskspec.h"
#include "config/vifspec.h"
#include "config/xlcfg.h"
#include "util/error.h"

enum xk_domtype { XK_DOMTYPE_PV, XK_DOMTYPE_PVH, XK_DOMTYPE_HVM };

enum xk_action {
	XK_ACTION_DESTROY, XK_ACTION_RESTART, XK_ACTION_RENAME_RESTART,
	XK_ACTION_PRESERVE, XK_ACTION_COREDUMP_DESTROY,
	XK_ACTION_COREDUMP_RESTART, XK_ACTION_SOFT_RESET,
};

/* The on_* events, in xl.cfg order. */
enum xk_event {
	XK_ON_POWEROFF, XK_ON_REBOOT, XK_ON_CRASH, XK_ON_WATCHDOG,
	XK_ON_SOFT_RESET, XK_ON_COUNT,
};

#define XK_UNSET	(-1L)	/* a number or flag the file does not set */
/*
 * More disks or vifs are refused: each costs memory in the model, and a
 * guest needs an event channel for each (xl's default
 * max_event_channels, 1023, would not cover a quarter of this).
 */
#define XK_MAX_DEVICES	4096

struct xk_strlist {
	char **v;
	size_t n;
};

struct xk_domcfg {
	struct xlcfg *cfg;		/* owned: every setting, mapped or not */

	const char *name, *uuid;
	enum xk_domtype type;
	bool type_given;		/* false: xl's implicit PV default */
	long memory, maxmem, vcpus, maxvcpus, cpu_weight, cap;
	long videoram, rtc_timeoffset;
	const char *kernel, *ramdisk, *cmdline, *root, *extra;
	const char *bootloader, *firmware, *boot;
	long acpi, apic, pae, nx, hpet, stdvga, vnc, viridian;
	enum xk_action on[XK_ON_COUNT];
	struct xk_strlist cpus, bootloader_args, pci, serial, vfb;
	/* viridian=["GROUP", ...] as given; viridian is then 1 with
	 * "defaults" in it (as xl sets it), else XK_UNSET */
	struct xk_strlist viridian_groups;
	struct xk_disk *disks;
	size_t ndisks;
	struct xk_vif *vifs;
	size_t nvifs;
};

/* Takes ownership of cfg (freed with the domcfg, also on failure). */
struct xk_domcfg *xk_domcfg_from_xlcfg(struct xlcfg *cfg,
    struct xk_error *err);
struct xk_domcfg *xk_domcfg_load(const char *path, struct xk_error *err);
void xk_domcfg_free(struct xk_domcfg *dc);

/* Is key one xenkit maps (has typed access for)? */
bool xk_domcfg_key_mapped(const char *key);
/* The mapped keys in canonical order, NULL-terminated. */
const char *const *xk_domcfg_key_order(void);

const char *xk_domtype_name(enum xk_domtype t);
const char *xk_action_name(enum xk_action a);
const char *xk_event_key(enum xk_event e);

/*
 * Write the canonical xl.cfg: mapped keys in a fixed order, disks and
 * vifs in canonical spec form, then unknown keys as they were.
 */
int xk_domcfg_write(struct strbuf *out, const struct xk_domcfg *dc,
    struct xk_error *err);

#endif
