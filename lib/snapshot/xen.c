/*
 * xen.c - find a running Xen domain's device model through libxl: its
 * domid and UUID (libxl_name_to_domid, libxl_domain_info), the QMP
 * socket libxl gives the device-model QEMU and the lock file libxl's
 * own QMP client takes (see doc/xk-snapshot.1.scd, XEN DOMAINS).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxl.h>
#include <libxl_utils.h>
#include <xentoollog.h>

#include "snapshot/snapshot.h"
#include "util/xl.h"

int
xk_snap_xen_find(const char *domain, struct xk_snap_xen *x,
    struct xk_error *err)
{
	struct xk_xl xl;
	libxl_dominfo info;
	struct stat st;
	char *end;
	int r = 0;

	memset(x, 0, sizeof(*x));
	/* libxl's own messages would go to stderr: keep them out */
	if (xk_xl_open(&xl, XTL_NUM_LEVELS, err) == -1)
		return 0;
	x->domid = (uint32_t)strtoul(domain, &end, 10);
	if ((*end != '\0' || end == domain) &&
	    libxl_name_to_domid(xl.ctx, domain, &x->domid) != 0) {
		xk_error_set(err, "Xen has no domain %s", domain);
		goto out;
	}
	libxl_dominfo_init(&info);
	if (libxl_domain_info(xl.ctx, &info, x->domid) != 0) {
		xk_error_set(err, "Xen has no domain %u", x->domid);
		libxl_dominfo_dispose(&info);
		goto out;
	}
	snprintf(x->uuid, sizeof(x->uuid), LIBXL_UUID_FMT,
	    LIBXL_UUID_BYTES(info.uuid));
	libxl_dominfo_dispose(&info);
	snprintf(x->qmp, sizeof(x->qmp), "/var/run/xen/qmp-libxl-%u",
	    x->domid);
	snprintf(x->lock, sizeof(x->lock),
	    "/var/lib/xen/userdata-l.%u.%s.qmp-socket-lock", x->domid,
	    x->uuid);
	x->has_qmp = stat(x->qmp, &st) == 0 && S_ISSOCK(st.st_mode);
	r = 1;
out:
	xk_xl_close(&xl);
	return r;
}
