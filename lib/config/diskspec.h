/*
 * diskspec.h - the disk specification language of
 * xl-disk-configuration(5), as libxlutil 4.17's xlu_disk_parse reads it.
 */
#ifndef XK_CONFIG_DISKSPEC_H
#define XK_CONFIG_DISKSPEC_H

#include <stdbool.h>

#include "util/error.h"
#include "util/strbuf.h"

/* Names are libxl's (libxl_disk_format_to_string...). */
enum xk_disk_format {
	XK_DISK_FORMAT_UNKNOWN, XK_DISK_FORMAT_QCOW, XK_DISK_FORMAT_QCOW2,
	XK_DISK_FORMAT_VHD, XK_DISK_FORMAT_RAW, XK_DISK_FORMAT_EMPTY,
	XK_DISK_FORMAT_QED,
};
enum xk_disk_backend {
	XK_DISK_BACKEND_UNKNOWN, XK_DISK_BACKEND_PHY, XK_DISK_BACKEND_TAP,
	XK_DISK_BACKEND_QDISK, XK_DISK_BACKEND_STANDALONE,
};
enum xk_disk_spec {
	XK_DISK_SPEC_UNKNOWN, XK_DISK_SPEC_XEN, XK_DISK_SPEC_VIRTIO,
};

struct xk_disk {
	char *target;		/* NULL: none given (empty removable drive) */
	char *vdev;
	enum xk_disk_format format;
	enum xk_disk_backend backendtype;
	enum xk_disk_spec specification;
	char *script;
	char *backend;		/* backend domain name */
	bool readwrite;
	bool cdrom;
	bool removable;
	bool direct_io_safe;
	int discard;		/* -1 default, 0 no-discard, 1 discard */
	bool colo;
	char *colo_host, *colo_port, *colo_export, *active_disk, *hidden_disk;
	bool deprecated;	/* used a prefix or VDEV:TYPE */
};

/* Parse one disk spec string; on failure err says what and where. */
int xk_disk_parse(const char *spec, struct xk_disk *d, struct xk_error *err);
void xk_disk_free(struct xk_disk *d);
/*
 * Append the canonical key=value form (reads back to the same disk);
 * -1 when out of memory or the target holds a newline, which no spec
 * can express with target=.
 */
int xk_disk_format_spec(struct strbuf *out, const struct xk_disk *d);

const char *xk_disk_format_name(enum xk_disk_format f);
const char *xk_disk_backend_name(enum xk_disk_backend b);
const char *xk_disk_spec_name(enum xk_disk_spec s);

#endif
