/*
 * vmmodel.h - an xl.cfg domain as XAPI records, and back.
 *
 * Export maps every key of the xl.cfg model to VM, VBD, VDI, VIF, SR and
 * network records as `xe vm-export` writes them in ova.xml (the table in
 * xk-xva(5)).  What has no XAPI counterpart is reported as a warning
 * naming the key, never dropped silently: its exact xl.cfg value is also
 * kept in VM.other_config under "xl:KEY" (XAPI keeps other_config), and
 * "xl:keys" lists the mapped keys the file set, so `xk import` gives
 * back the same model.  Import uses a kept value only where it agrees
 * with the XAPI fields (a VM changed in XCP-ng wins over stale notes).
 */
#ifndef XK_FORMATS_VMMODEL_H
#define XK_FORMATS_VMMODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "config/domcfg.h"
#include "formats/ovaxml.h"
#include "util/error.h"
#include "util/strbuf.h"

#define XK_CHUNK_SIZE	(1024u * 1024)	/* XVA chunk: 1 MiB */
#define XK_OTHER_PREFIX	"xl:"		/* other_config notes */
/* Larger virtual sizes are refused on import (XAPI's own limit is 16 TiB). */
#define XK_VDI_MAX_SIZE	(64ULL << 40)

/* Warnings: "KEY: what happens to it". */
struct xk_notes {
	char **v;
	size_t n;
};

int xk_notes_add(struct xk_notes *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void xk_notes_free(struct xk_notes *w);

/* Per dc->disks[i], filled by the caller before export. */
struct xk_vm_disk {
	uint64_t size;		/* virtual size in bytes */
	uint64_t allocated;	/* bytes holding data */
	char ref[16];		/* set by export: VDI id, "" if none */
};

struct xk_vm_opts {
	bool to_hvm;		/* map a PV guest to HVM */
	const char *hostname;	/* ova.xml version.hostname */
	int64_t date;		/* ova.xml version.date, seconds since the
				 * epoch: fixed (SOURCE_DATE_EPOCH or 0), so
				 * the same VM exports the same bytes */
};

/*
 * The VM's UUID: dc's own, else one derived from its name and whole
 * canonical config (UUID version 5), the same for the same config.
 */
int xk_vm_uuid(const struct xk_domcfg *dc, char out[37],
    struct xk_error *err);

/* Does export write this disk's data (a disk with a target)? */
bool xk_vm_disk_exported(const struct xk_disk *d);
/* "xvdb", "hdb", "sdb" -> 1; -1 if vdev names no disk letter. */
int xk_vm_vdev_index(const char *vdev, bool *partition);

/*
 * The whole ova.xml value (version, objects) for dc; disks has
 * dc->ndisks entries.  Warnings go to warn.
 */
struct xk_xv *xk_vm_to_ova(const struct xk_domcfg *dc,
    struct xk_vm_disk *disks, const struct xk_vm_opts *o,
    struct xk_notes *warn, struct xk_error *err);

/* A VM read back from XAPI records (ova.xml or OVF). */
struct xk_vm_in_disk {
	const char *vdi_ref;	/* NULL: no VDI (empty CD drive) */
	uint64_t size;
	const char *name;	/* VDI name_label */
	char *vdev;
	bool readwrite, cdrom, bootable;
	const struct xk_xv *vbd_other;
	char *target;		/* set by the caller (owned) */
	enum xk_disk_format format;	/* set by the caller */
};

struct xk_vm_in_vif {
	const char *mac, *bridge, *mtu, *device;
	const struct xk_xv *other;
};

struct xk_vm_in {
	const struct xk_xv *vm;		/* the VM record */
	struct xk_vm_in_disk *disks;
	size_t ndisks;
	struct xk_vm_in_vif *vifs;
	size_t nvifs;
	struct xk_xv *owned;		/* freed with it (OVF builds one) */
};

/*
 * Read the objects of an ova.xml: exactly one VM, its VBDs, VDIs, VIFs
 * and networks, every reference checked.  in borrows from ova.
 */
int xk_vm_from_ova(const struct xk_xv *ova, struct xk_vm_in *in,
    struct xk_error *err);
/* Find a disk by VDI id; NULL if none. */
struct xk_vm_in_disk *xk_vm_in_disk_by_ref(struct xk_vm_in *in,
    const char *ref);
void xk_vm_in_free(struct xk_vm_in *in);

/*
 * The xl.cfg for in (disk targets and formats set by the caller),
 * checked by loading it back through the domain model.
 */
int xk_vm_write_xlcfg(const struct xk_vm_in *in, struct strbuf *out,
    struct xk_notes *warn, struct xk_error *err);

/* Expand an xl cpus string ("0-3,^2") into "0,1,3"; NULL if invalid. */
char *xk_vm_cpumask(const char *cpus);

#endif
