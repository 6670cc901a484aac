/*
 * vmmodel-impl.h - what the files of the record model share and nobody
 * else needs: the export direction (vmmodel-vm.c, the VM record's
 * fields; vmmodel-export.c, the other records) and the import one
 * (vmmodel-import.c).
 */
#ifndef XK_FORMATS_VMMODEL_IMPL_H
#define XK_FORMATS_VMMODEL_IMPL_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>

#include "formats/vmmodel.h"

#define NULLREF		"OpaqueRef:NULL"
#define MIB		(1024ULL * 1024)
#define XL_DEFAULT_MEMORY 32	/* MiB: libxl's default max_memkb */
#define XL_DEFAULT_BRIDGE "xenbr0"

/* What export builds the records with (vmmodel-vm.c, -export.c). */
struct exp {
	const struct xk_domcfg *dc;
	const struct xk_vm_opts *o;
	struct xk_notes *w;
	enum xk_domtype type;
	int rc;
	const char *vm_uuid;	/* the records' UUIDs derive from it */
	unsigned nuuid;
};

/* A warning about the config (nothing when e->w is NULL). */
void xk_exp_warn(struct exp *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The VM record's fields (vmmodel-vm.c). */
void xk_exp_check_type(struct exp *e);
void xk_exp_check_unmapped(struct exp *e);
void xk_exp_vm_fixed(struct exp *e, struct xk_xv *vm);
void xk_exp_vm_mapped(struct exp *e, struct xk_xv *vm);
/* The xl.cfg kept in the VM's other_config (without disk and vif). */
char *xk_exp_xl_notes(const struct xk_domcfg *dc);

/*
 * Building records: every setter returns -1 on ENOMEM and the record
 * builders OR the results together, checking once at the end.
 */
static inline int
put(struct xk_xv *st, const char *k, struct xk_xv *v)
{
	return xk_xv_set(st, k, v);
}

static inline int
puts_(struct xk_xv *st, const char *k, const char *s)
{
	return put(st, k, xk_xv_str(s));
}

static inline int
putu(struct xk_xv *st, const char *k, uint64_t u)
{
	return put(st, k, xk_xv_strf("%" PRIu64, u));
}

static inline int
putb(struct xk_xv *st, const char *k, bool b)
{
	return put(st, k, xk_xv_bool(b));
}

static inline int
put_empty(struct xk_xv *st, const char *k, bool array)
{
	return put(st, k, array ? xk_xv_array() : xk_xv_struct());
}

static inline int
put_date0(struct xk_xv *st, const char *k)
{
	return put(st, k, xk_xv_new(XK_XV_DATE, "19700101T00:00:00Z"));
}

static inline int
put_refs(struct xk_xv *st, const char *k, char refs[][16], size_t n)
{
	struct xk_xv *a = xk_xv_array();
	int rc = 0;

	for (size_t i = 0; i < n && a != NULL; i++)
		rc |= xk_xv_append(a, xk_xv_str(refs[i]));
	return put(st, k, a) | rc;
}

/* Fields every object with operations carries. */
static inline int
put_ops(struct xk_xv *st)
{
	return put_empty(st, "allowed_operations", true) |
	    put_empty(st, "current_operations", false);
}

/*
 * The VM record fields export maps from dc, without warnings: import
 * checks a kept config against the record with them.  NULL on ENOMEM.
 */
struct xk_xv *xk_vm_mapped_record(const struct xk_domcfg *dc);

#endif
