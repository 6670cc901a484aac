/*
 * xen.c - the toolstack engine's operations through libxl and
 * xenstore, and the postconditions checked after each (see xen.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxl.h>
#include <libxl_utils.h>
#include <xenstore.h>
#include <xentoollog.h>

#include "fuzz/pool.h"
#include "fuzz/xen.h"
#include "util/xl.h"

/*
 * The lab's xenstore guest (guest/bin/xs.c): up in milliseconds where
 * the Debian Linux guest takes seconds, it waits for the toolstack and
 * answers control/shutdown (poweroff, reboot) as Linux does.  What the
 * engine tests is the toolstack, not the guest.
 */
#define GUEST_KERNEL	"/usr/lib/xk-lab/guests/xk-guest-xs"
#define GUEST_CMDLINE	"marker=fuzz"
/*
 * The disk of disk-attach: one file, read-only to every domain (Xen's
 * sharing rules let readers share it), as xvdb through blkback and the
 * host's default block script.  The guest has no block front end, so
 * disk-detach is libxl's forced removal (libxl_device_disk_destroy):
 * its ordinary one waits 10 s for a front end to close.
 */
#define DISK_PATH	"/var/tmp/xk-fuzz-disk.img"
#define DISK_VDEV	"xvdb"
#define DISK_DEVID	51728		/* xvdb: 202 << 8 | 16 */
#define DISK_BYTES	(4 << 20)
/* save's stream (xl save's file without xl's header: the engine keeps
 * the configuration itself), in dom0's memory, removed after each */
#define SAVE_PATH	"/tmp/xk-fuzz-save"

struct xk_fuzz_xen {
	struct xk_xl xl;
	struct xs_handle *xs;
	uint32_t domid[XK_FUZZ_DOMS];
	uint32_t poolid;		/* the engine's cpupool (pool.h) */
	enum xk_fuzz_plant plant;
	bool vcpus_done[XK_FUZZ_DOMS];	/* for the plant only */
};

int
xk_fuzz_plant_parse(const char *s, enum xk_fuzz_plant *p)
{
	if (s == NULL || *s == '\0')
		*p = XK_PLANT_NONE;
	else if (strcmp(s, "vcpus-pause") == 0)
		*p = XK_PLANT_VCPUS_PAUSE;
	else
		return -1;
	return 0;
}

struct xk_fuzz_xen *
xk_fuzz_xen_open(enum xk_fuzz_plant plant, struct xk_error *err)
{
	struct xk_fuzz_xen *x = calloc(1, sizeof(*x));

	if (x == NULL) {
		xk_error_errno(err, ENOMEM, "engine");
		return NULL;
	}
	x->plant = plant;
	/* libxl's own messages: errors only, on stderr */
	if (xk_xl_open(&x->xl, XTL_ERROR, err) == -1) {
		xk_fuzz_xen_close(x);
		return NULL;
	}
	if ((x->xs = xs_open(0)) == NULL) {
		xk_error_errno(err, errno, "cannot open xenstore");
		xk_fuzz_xen_close(x);
		return NULL;
	}
	return x;
}

void
xk_fuzz_xen_close(struct xk_fuzz_xen *x)
{
	if (x == NULL)
		return;
	if (x->xs != NULL)
		xs_close(x->xs);
	xk_xl_close(&x->xl);
	free(x);
}

static bool
fuzz_name(const char *name)
{
	return name != NULL && strncmp(name, "xk-fuzz-d", 9) == 0;
}

/* The disk's file made for a run (fresh), removed after one. */
static int
disk_file(bool fresh, struct xk_error *err)
{
	int fd;

	if (!fresh) {
		if (unlink(DISK_PATH) == -1 && errno != ENOENT) {
			xk_error_errno(err, errno, "%s", DISK_PATH);
			return -1;
		}
		return 0;
	}
	fd = open(DISK_PATH, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1 || ftruncate(fd, DISK_BYTES) == -1) {
		xk_error_errno(err, errno, "%s", DISK_PATH);
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (close(fd) == -1) {
		xk_error_errno(err, errno, "%s", DISK_PATH);
		return -1;
	}
	return 0;
}

int
xk_fuzz_xen_reset(struct xk_fuzz_xen *x, bool fresh, struct xk_error *err)
{
	libxl_dominfo *info;
	int n, r = 0;

	if ((info = libxl_list_domain(x->xl.ctx, &n)) == NULL) {
		xk_error_set(err, "libxl_list_domain failed");
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *name = libxl_domid_to_name(x->xl.ctx, info[i].domid);

		if (fuzz_name(name) && libxl_domain_destroy(x->xl.ctx,
		    info[i].domid, NULL) != 0) {
			xk_error_set(err, "cannot destroy %s (domid %u)", name,
			    info[i].domid);
			r = -1;
		}
		free(name);
	}
	libxl_dominfo_list_free(info, n);
	memset(x->domid, 0, sizeof(x->domid));
	memset(x->vcpus_done, 0, sizeof(x->vcpus_done));
	if (r == 0 && disk_file(fresh, err) != 0)
		r = -1;
	/* the pool goes after its domains, and comes anew for a run */
	if (r == 0 && xk_fuzz_pool_drop(x->xl.ctx, err) != 0)
		r = -1;
	if (r == 0 && fresh && xk_fuzz_pool_make(x->xl.ctx, &x->poolid, err) != 0)
		r = -1;
	if (r == 0 && (!xs_rm(x->xs, XBT_NULL, XK_FUZZ_XS_PREFIX) &&
	    errno != ENOENT)) {
		xk_error_errno(err, errno, "xenstore rm %s", XK_FUZZ_XS_PREFIX);
		r = -1;
	}
	if (r == 0 && fresh && !xs_write(x->xs, XBT_NULL, XK_FUZZ_XS_PREFIX, "", 0)) {
		xk_error_errno(err, errno, "xenstore write %s",
		    XK_FUZZ_XS_PREFIX);
		r = -1;
	}
	return r;
}

/* Fill v: sig is "after VERB: what" ("at resume: what" without an
 * op), detail adds the values. */
__attribute__((format(printf, 4, 5)))
static int
violation(struct xk_fuzz_violation *v, const struct xk_fuzz_op *op,
    const char *what, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (op != NULL)
		snprintf(v->sig, sizeof(v->sig), "after %s: %s",
		    xk_fuzz_verb_name(op->verb), what);
	else
		snprintf(v->sig, sizeof(v->sig), "at resume: %s", what);
	n = snprintf(v->detail, sizeof(v->detail), "%s: ", v->sig);
	va_start(ap, fmt);
	vsnprintf(v->detail + n, sizeof(v->detail) - (size_t)n, fmt, ap);
	va_end(ap);
	return 1;
}

static int
create(struct xk_fuzz_xen *x, const struct xk_fuzz_op *op,
    struct xk_fuzz_violation *v, struct xk_error *err)
{
	libxl_domain_config dc;
	char name[32];
	uint32_t domid;
	int r;

	snprintf(name, sizeof(name), XK_FUZZ_NAME_FMT, op->dom);
	libxl_domain_config_init(&dc);
	libxl_domain_create_info_init(&dc.c_info);
	dc.c_info.type = op->dom >= XK_FUZZ_PVH_FIRST ?
	    LIBXL_DOMAIN_TYPE_PVH : LIBXL_DOMAIN_TYPE_PV;
	libxl_domain_build_info_init_type(&dc.b_info, dc.c_info.type);
	dc.b_info.max_vcpus = (int)op->maxvcpus;
	dc.b_info.max_memkb = (uint64_t)op->maxmem * 1024;
	dc.b_info.target_memkb = (uint64_t)op->mem * 1024;
	dc.on_poweroff = LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
	dc.on_reboot = LIBXL_ACTION_ON_SHUTDOWN_RESTART;
	dc.on_crash = LIBXL_ACTION_ON_SHUTDOWN_PRESERVE;
	if ((dc.c_info.name = strdup(name)) == NULL ||
	    (dc.b_info.kernel = strdup(GUEST_KERNEL)) == NULL ||
	    (dc.b_info.cmdline = strdup(GUEST_CMDLINE)) == NULL ||
	    libxl_cpu_bitmap_alloc(x->xl.ctx, &dc.b_info.avail_vcpus,
	    (int)op->maxvcpus) != 0) {
		libxl_domain_config_dispose(&dc);
		xk_error_errno(err, ENOMEM, "create %s", name);
		return -1;
	}
	for (uint32_t i = 0; i < op->vcpus; i++)
		libxl_bitmap_set(&dc.b_info.avail_vcpus, (int)i);
	r = libxl_domain_create_new(x->xl.ctx, &dc, &domid, NULL, NULL);
	libxl_domain_config_dispose(&dc);
	if (r != 0)
		return violation(v, op, "libxl_domain_create_new failed",
		    "%s: libxl error %d", name, r);
	x->domid[op->dom] = domid;
	x->vcpus_done[op->dom] = false;
	/* libxl makes domains paused (xl create unpauses unless -p) */
	if (!op->paused && (r = libxl_domain_unpause(x->xl.ctx, domid,
	    NULL)) != 0)
		return violation(v, op, "libxl_domain_unpause failed",
		    "%s (domid %u): libxl error %d", name, domid, r);
	return 0;
}

static int
xs_op(struct xk_fuzz_xen *x, const struct xk_fuzz_model *m,
    const struct xk_fuzz_op *op, struct xk_fuzz_violation *v)
{
	const struct xk_fuzz_node *n = xk_fuzz_model_node(m, op->key);
	char path[128];
	unsigned int len;
	char *val;
	bool ok;

	snprintf(path, sizeof(path), XK_FUZZ_XS_PREFIX "/%s", op->key);
	switch (op->verb) {
	case XK_OP_XS_WRITE:
		if (!xs_write(x->xs, XBT_NULL, path, op->val, strlen(op->val)))
			return violation(v, op, "xenstore write failed",
			    "%s: %s", path, strerror(errno));
		return 0;
	case XK_OP_XS_READ:
		val = xs_read(x->xs, XBT_NULL, path, &len);
		if (val == NULL && n != NULL)
			return violation(v, op, "a node the model has cannot "
			    "be read", "%s: %s", path, strerror(errno));
		if (val != NULL && n == NULL) {
			free(val);
			return violation(v, op, "a node the model does not "
			    "have was read", "%s", path);
		}
		ok = val == NULL || strcmp(val, n->val) == 0;
		if (!ok)
			violation(v, op, "xenstore read a value other than the "
			    "model's", "%s: '%s', model '%s'", path, val,
			    n->val);
		free(val);
		return ok ? 0 : 1;
	default:
		ok = xs_rm(x->xs, XBT_NULL, path);
		if (ok != xk_fuzz_model_rm_ok(m, op->key))
			return violation(v, op, "xenstore rm did other than the "
			    "model expects", "%s: %s, model expects %s", path,
			    ok ? "removed" : strerror(errno), ok ? "ENOENT" :
			    "success");
		return 0;
	}
}

static int
set_vcpus(struct xk_fuzz_xen *x, const struct xk_fuzz_model *m,
    const struct xk_fuzz_op *op, uint32_t domid, int *r)
{
	libxl_bitmap map;

	libxl_bitmap_init(&map);
	if (libxl_cpu_bitmap_alloc(x->xl.ctx, &map,
	    (int)m->dom[op->dom].maxvcpus) != 0)
		return -1;
	for (uint32_t i = 0; i < op->online; i++)
		libxl_bitmap_set(&map, (int)i);
	*r = libxl_set_vcpuonline(x->xl.ctx, domid, &map, NULL);
	libxl_bitmap_dispose(&map);
	return 0;
}

static int
sched_set(struct xk_fuzz_xen *x, const struct xk_fuzz_op *op,
    uint32_t domid)
{
	libxl_domain_sched_params p;
	int r;

	libxl_domain_sched_params_init(&p);
	p.weight = (int)op->weight;
	p.cap = (int)op->cap;
	r = libxl_domain_sched_params_set(x->xl.ctx, domid, &p);
	libxl_domain_sched_params_dispose(&p);
	return r;
}

/* disk-attach (add) or disk-detach (destroy: see DISK_PATH); *r is
 * libxl's answer, -1 only when the disk cannot be described. */
static int
disk_op(struct xk_fuzz_xen *x, const struct xk_fuzz_op *op, uint32_t domid,
    int *r, struct xk_error *err)
{
	libxl_device_disk disk;

	libxl_device_disk_init(&disk);
	disk.backend = LIBXL_DISK_BACKEND_PHY;
	disk.format = LIBXL_DISK_FORMAT_RAW;
	disk.readwrite = 0;
	if ((disk.pdev_path = strdup(DISK_PATH)) == NULL ||
	    (disk.vdev = strdup(DISK_VDEV)) == NULL) {
		libxl_device_disk_dispose(&disk);
		xk_error_errno(err, ENOMEM, "disk");
		return -1;
	}
	if (op->verb == XK_OP_DISK_ATTACH)
		*r = libxl_device_disk_add(x->xl.ctx, domid, &disk, NULL);
	else
		*r = libxl_device_disk_destroy(x->xl.ctx, domid, &disk, NULL);
	libxl_device_disk_dispose(&disk);
	return 0;
}

/*
 * save: xl save and xl restore in one (libxl_domain_suspend into
 * SAVE_PATH with the configuration libxl keeps, the domain destroyed,
 * libxl_domain_create_restore from the file, unpaused).  *r is
 * libxl's first refusal; the domain's new domid goes to x->domid.
 */
static int
save_restore(struct xk_fuzz_xen *x, const struct xk_fuzz_op *op,
    uint32_t domid, int *r, struct xk_error *err)
{
	libxl_domain_restore_params params;
	libxl_domain_config dc;
	uint32_t newid = 0;
	int fd;

	/* no O_CLOEXEC: libxl hands the descriptor to its save helper */
	fd = open(SAVE_PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd == -1) {
		xk_error_errno(err, errno, "%s", SAVE_PATH);
		return -1;
	}
	libxl_domain_config_init(&dc);
	libxl_domain_restore_params_init(&params);
	params.stream_version = 2;	/* libxl_domain_suspend's (xl save's
					 * header says so; 1 is Xen 4.5's) */
	*r = libxl_retrieve_domain_configuration(x->xl.ctx, domid, &dc, NULL);
	if (*r == 0)
		*r = libxl_domain_suspend(x->xl.ctx, domid, fd, 0, NULL);
	if (*r == 0)
		*r = libxl_domain_destroy(x->xl.ctx, domid, NULL);
	if (*r == 0 && lseek(fd, 0, SEEK_SET) == -1)
		*r = ERROR_FAIL;
	if (*r == 0)
		*r = libxl_domain_create_restore(x->xl.ctx, &dc, &newid, fd, -1,
		    &params, NULL, NULL);
	if (*r == 0) {
		x->domid[op->dom] = newid;
		*r = libxl_domain_unpause(x->xl.ctx, newid, NULL);
	}
	libxl_domain_restore_params_dispose(&params);
	libxl_domain_config_dispose(&dc);
	close(fd);
	if (unlink(SAVE_PATH) == -1) {
		xk_error_errno(err, errno, "%s", SAVE_PATH);
		return -1;
	}
	return 0;
}

/* Do op; r is libxl's answer for the domain operations. */
static int
act(struct xk_fuzz_xen *x, const struct xk_fuzz_model *m,
    const struct xk_fuzz_op *op, struct xk_fuzz_violation *v,
    struct xk_error *err)
{
	uint32_t domid = x->domid[op->dom];
	int r = 0;

	switch (op->verb) {
	case XK_OP_CREATE:
		return create(x, op, v, err);
	case XK_OP_XS_WRITE:
	case XK_OP_XS_READ:
	case XK_OP_XS_RM:
		return xs_op(x, m, op, v);
	case XK_OP_PAUSE:
		r = libxl_domain_pause(x->xl.ctx, domid, NULL);
		break;
	case XK_OP_UNPAUSE:
		r = libxl_domain_unpause(x->xl.ctx, domid, NULL);
		break;
	case XK_OP_SHUTDOWN:
		r = libxl_domain_shutdown(x->xl.ctx, domid, NULL);
		break;
	case XK_OP_REBOOT:
		r = libxl_domain_reboot(x->xl.ctx, domid, NULL);
		break;
	case XK_OP_DESTROY:
		r = libxl_domain_destroy(x->xl.ctx, domid, NULL);
		break;
	case XK_OP_MEM:
		r = libxl_set_memory_target(x->xl.ctx, domid,
		    (int64_t)op->target * 1024, 0, 1);
		break;
	case XK_OP_VCPUS:
		if (set_vcpus(x, m, op, domid, &r) == -1) {
			xk_error_errno(err, ENOMEM, "vcpus");
			return -1;
		}
		x->vcpus_done[op->dom] = r == 0;
		break;
	case XK_OP_SCHED:
		r = sched_set(x, op, domid);
		break;
	case XK_OP_POOL:
		r = libxl_cpupool_movedomain(x->xl.ctx, op->pool ? x->poolid : 0,
		    domid);
		break;
	case XK_OP_DISK_ATTACH:
	case XK_OP_DISK_DETACH:
		if (disk_op(x, op, domid, &r, err) == -1)
			return -1;
		break;
	case XK_OP_SAVE:
		if (save_restore(x, op, domid, &r, err) == -1)
			return -1;
		break;
	default:
		break;
	}
	if (r != 0)
		return violation(v, op, "libxl refused an operation the model "
		    "allows", "d%d (domid %u): libxl error %d", op->dom,
		    domid, r);
	return 0;
}

/* A xenstore value of domain domid, as a number; -1 when absent. */
static int64_t
dom_xs_num(struct xk_fuzz_xen *x, uint32_t domid, const char *rel)
{
	char path[128], *val, *end;
	unsigned int len;
	long long n;

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, rel);
	if ((val = xs_read(x->xs, XBT_NULL, path, &len)) == NULL)
		return -1;
	n = strtoll(val, &end, 10);
	if (end == val || *end != '\0')
		n = -2;
	free(val);
	return n;
}

static char *
dom_xs_str(struct xk_fuzz_xen *x, uint32_t domid, const char *rel)
{
	char path[128];
	unsigned int len;

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, rel);
	return xs_read(x->xs, XBT_NULL, path, &len);
}

static int
check_vcpus(struct xk_fuzz_xen *x, const struct xk_fuzz_op *op, int i,
    const struct xk_fuzz_dom *d, struct xk_fuzz_violation *v)
{
	uint32_t domid = x->domid[i];

	for (uint32_t c = 0; c < d->maxvcpus; c++) {
		const char *want = c < d->online ? "online" : "offline";
		char rel[48], *got;
		int bad;

		snprintf(rel, sizeof(rel), "cpu/%u/availability", c);
		got = dom_xs_str(x, domid, rel);
		bad = got == NULL || strcmp(got, want) != 0;
		if (bad)
			violation(v, op, "a vCPU's availability differs from "
			    "the model", "d%d vcpu %u: '%s', model '%s'", i, c,
			    got != NULL ? got : "(none)", want);
		free(got);
		if (bad)
			return 1;
	}
	return 0;
}

static int
check_sched(struct xk_fuzz_xen *x, const struct xk_fuzz_op *op, int i,
    const struct xk_fuzz_dom *d, struct xk_fuzz_violation *v)
{
	libxl_domain_sched_params p;
	int r = 0;

	libxl_domain_sched_params_init(&p);
	if (libxl_domain_sched_params_get(x->xl.ctx, x->domid[i], &p) != 0)
		r = violation(v, op, "libxl cannot read the scheduler "
		    "parameters", "d%d", i);
	else if (p.weight != (int)d->weight || p.cap != (int)d->cap)
		r = violation(v, op, "scheduler parameters differ from the "
		    "model", "d%d: weight %d cap %d, model weight %u cap %u",
		    i, p.weight, p.cap, d->weight, d->cap);
	libxl_domain_sched_params_dispose(&p);
	return r;
}

/* The disk's back end is connected (its hotplug script's
 * hotplug-status) exactly when the model has it attached, and gone
 * when not. */
static int
check_disk(struct xk_fuzz_xen *x, const struct xk_fuzz_op *op, int i,
    const struct xk_fuzz_dom *d, struct xk_fuzz_violation *v)
{
	char path[96], *st;
	unsigned int len;
	int r = 0;

	snprintf(path, sizeof(path), "/local/domain/0/backend/vbd/%u/%u",
	    x->domid[i], DISK_DEVID);
	st = xs_read(x->xs, XBT_NULL, path, &len);
	if (d->disk && st == NULL)
		r = violation(v, op, "an attached disk has no back end",
		    "d%d: %s: %s", i, path, strerror(errno));
	else if (!d->disk && st != NULL)
		r = violation(v, op, "a detached disk's back end is left",
		    "d%d: %s", i, path);
	free(st);
	if (r != 0 || !d->disk)
		return r;
	strncat(path, "/hotplug-status", sizeof(path) - strlen(path) - 1);
	st = xs_read(x->xs, XBT_NULL, path, &len);
	if (st == NULL || strcmp(st, "connected") != 0)
		r = violation(v, op, "an attached disk's hotplug script did "
		    "not connect it", "d%d: %s: '%s'", i, path,
		    st != NULL ? st : "(none)");
	free(st);
	return r;
}

/* A live domain: running or paused as the model says, its memory
 * target, vCPUs, scheduler parameters and disk. */
static int
check_live(struct xk_fuzz_xen *x, const struct xk_fuzz_op *op, int i,
    const struct xk_fuzz_dom *d, const libxl_dominfo *info,
    struct xk_fuzz_violation *v)
{
	bool paused = info->paused;
	int64_t target;

	if (info->shutdown || info->dying)
		return violation(v, op, "a live domain has shut down",
		    "d%d: shutdown %d (reason %d), dying %d", i,
		    info->shutdown, (int)info->shutdown_reason, info->dying);
	/* the planted bug: see xen.h */
	if (x->plant == XK_PLANT_VCPUS_PAUSE && op != NULL &&
	    op->verb == XK_OP_PAUSE &&
	    op->dom == i && x->vcpus_done[i])
		paused = !paused;
	if (paused != (d->pauses > 0))
		return violation(v, op, "the paused flag differs from the "
		    "model", "d%d: libxl says %s, model pause count %d", i,
		    paused ? "paused" : "running", d->pauses);
	target = dom_xs_num(x, x->domid[i], "memory/target");
	if (target != (int64_t)d->target * 1024)
		return violation(v, op, "the memory target differs from the "
		    "model", "d%d: xenstore %" PRId64 " KiB, model %u KiB",
		    i, target, d->target * 1024);
	if (info->cpupool != (d->pool ? x->poolid : 0))
		return violation(v, op, "the cpupool differs from the model",
		    "d%d: cpupool %u, model %s (%u)", i, info->cpupool,
		    d->pool ? "xk-fuzz" : "Pool-0", d->pool ? x->poolid : 0);
	if (check_vcpus(x, op, i, d, v) || check_sched(x, op, i, d, v) ||
	    check_disk(x, op, i, d, v))
		return 1;
	return 0;
}

/*
 * Which xk-fuzz-dN domains exist: one domain list and one name read
 * per domain, not a libxl_name_to_domid (a list of its own) per slot.
 * domids[i] is -1 for none.
 */
static int
fuzz_domids(struct xk_fuzz_xen *x, int64_t domids[XK_FUZZ_DOMS])
{
	libxl_dominfo *info;
	int n;

	for (int i = 0; i < XK_FUZZ_DOMS; i++)
		domids[i] = -1;
	if ((info = libxl_list_domain(x->xl.ctx, &n)) == NULL)
		return -1;
	for (int k = 0; k < n; k++) {
		char *name = libxl_domid_to_name(x->xl.ctx, info[k].domid);

		/* exactly xk-fuzz-d0 ... xk-fuzz-d7 */
		if (fuzz_name(name) && name[9] >= '0' && name[9] <
		    '0' + XK_FUZZ_DOMS && name[10] == '\0')
			domids[name[9] - '0'] = info[k].domid;
		free(name);
	}
	libxl_dominfo_list_free(info, n);
	return 0;
}

static int
check_dom(struct xk_fuzz_xen *x, const struct xk_fuzz_op *op, int i,
    const struct xk_fuzz_dom *d, int64_t have, struct xk_fuzz_violation *v)
{
	char name[32];
	uint32_t domid = have >= 0 ? (uint32_t)have : 0;
	libxl_dominfo info;
	int found = have >= 0, r;

	snprintf(name, sizeof(name), XK_FUZZ_NAME_FMT, i);
	if (d->state == XK_DOM_NONE)
		return found ? violation(v, op, "a domain the model does not "
		    "have exists", "%s is domid %u", name, domid) : 0;
	if (!found || domid != x->domid[i])
		return violation(v, op, "a domain the model has is missing",
		    "%s (domid %u)", name, x->domid[i]);
	libxl_dominfo_init(&info);
	if (libxl_domain_info(x->xl.ctx, &info, domid) != 0)
		r = violation(v, op, "libxl has no information on a domain "
		    "the model has", "%s (domid %u)", name, domid);
	else
		r = d->state == XK_DOM_LIVE ? check_live(x, op, i, d, &info,
		    v) : 0;
	libxl_dominfo_dispose(&info);
	return r;
}

/* The nodes under the prefix, and their values, are the model's. */
static int
check_xs(struct xk_fuzz_xen *x, const struct xk_fuzz_op *op,
    const struct xk_fuzz_model *m, struct xk_fuzz_violation *v)
{
	size_t seen = 0;
	int r = 0;

	for (size_t i = 0; i < m->nxs && r == 0; i++) {
		char path[128], *val;
		unsigned int len;

		snprintf(path, sizeof(path), XK_FUZZ_XS_PREFIX "/%s",
		    m->xs[i].key);
		val = xs_read(x->xs, XBT_NULL, path, &len);
		if (val == NULL)
			r = violation(v, op, "a xenstore node of the model is "
			    "missing", "%s", path);
		else if (strcmp(val, m->xs[i].val) != 0)
			r = violation(v, op, "a xenstore value differs from "
			    "the model", "%s: '%s', model '%s'", path, val,
			    m->xs[i].val);
		free(val);
	}
	if (r != 0)
		return r;
	/* and no node the model lacks: count them, two levels deep */
	{
		unsigned int n, n2;
		char **top = xs_directory(x->xs, XBT_NULL, XK_FUZZ_XS_PREFIX,
		    &n);

		if (top == NULL)
			return violation(v, op, "the xenstore prefix is gone",
			    "%s: %s", XK_FUZZ_XS_PREFIX, strerror(errno));
		for (unsigned int i = 0; i < n; i++) {
			char path[160], **sub;

			snprintf(path, sizeof(path), XK_FUZZ_XS_PREFIX "/%s",
			    top[i]);
			sub = xs_directory(x->xs, XBT_NULL, path, &n2);
			seen += 1 + (sub != NULL ? n2 : 0);
			free(sub);
		}
		free(top);
	}
	if (seen != m->nxs)
		return violation(v, op, "xenstore holds nodes the model does "
		    "not", "%zu nodes under %s, model %zu", seen,
		    XK_FUZZ_XS_PREFIX, m->nxs);
	return 0;
}

/* Every domain and node against m (op: the last one, or NULL). */
static int
check_all(struct xk_fuzz_xen *x, const struct xk_fuzz_op *op,
    const struct xk_fuzz_model *m, struct xk_fuzz_violation *v)
{
	int64_t domids[XK_FUZZ_DOMS];
	int r = 0;

	if (fuzz_domids(x, domids) == -1)
		r = violation(v, op, "libxl cannot list the domains", "%s",
		    "libxl_list_domain failed");
	for (int i = 0; r == 0 && i < XK_FUZZ_DOMS; i++)
		r = check_dom(x, op, i, &m->dom[i], domids[i], v);
	if (r == 0)
		r = check_xs(x, op, m, v);
	return r;
}

int
xk_fuzz_xen_adopt(struct xk_fuzz_xen *x, const struct xk_fuzz_model *m,
    struct xk_fuzz_violation *v, struct xk_error *err)
{
	int64_t domids[XK_FUZZ_DOMS];

	if (xk_fuzz_pool_find(x->xl.ctx, &x->poolid, err) == -1)
		return -1;
	if (fuzz_domids(x, domids) == -1) {
		xk_error_set(err, "libxl_list_domain failed");
		return -1;
	}
	/* a domain the model has and Xen lacks keeps domid 0: the check
	 * names it missing */
	for (int i = 0; i < XK_FUZZ_DOMS; i++)
		x->domid[i] = domids[i] >= 0 ? (uint32_t)domids[i] : 0;
	return check_all(x, NULL, m, v);
}

int
xk_fuzz_xen_step(struct xk_fuzz_xen *x, const struct xk_fuzz_model *m,
    const struct xk_fuzz_op *op, const struct xk_fuzz_model *m_after,
    struct xk_fuzz_violation *v, struct xk_error *err)
{
	int r = act(x, m, op, v, err);

	if (r == 0)
		r = check_all(x, op, m_after, v);
	return r;
}
