/*
 * domtab.c - the domain table and its comparison with a scan.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "events/domtab.h"

void
xk_domtab_free(struct xk_domtab *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}

void
xk_evlist_free(struct xk_evlist *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static ssize_t
find_live(const struct xk_domtab *t, long domid)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].domid == domid && t->v[i].state != XK_DS_DEAD)
			return (ssize_t)i;
	return -1;
}

struct xk_dom *
xk_domtab_find(struct xk_domtab *t, long domid)
{
	ssize_t i = find_live(t, domid);

	return i < 0 ? NULL : &t->v[i];
}

static ssize_t
add(struct xk_domtab *t, const struct xk_event *ev, struct xk_error *err)
{
	struct xk_dom *d;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct xk_dom *v = realloc(t->v, cap * sizeof(*v));

		if (v == NULL) {
			xk_error_errno(err, ENOMEM, "domain table");
			return -1;
		}
		t->v = v;
		t->cap = cap;
	}
	d = &t->v[t->n];
	memset(d, 0, sizeof(*d));
	d->domid = ev->domid;
	d->state = XK_DS_RUNNING;
	d->reason = XK_R_NONE;
	return (ssize_t)t->n++;
}

/* A restart links to the dead (or renamed) domain it replaces. */
static void
mark_linked(struct xk_domtab *t, const struct xk_event *ev)
{
	for (size_t i = 0; i < t->n; i++) {
		struct xk_dom *d = &t->v[i];

		if (d->domid == ev->previous_domid && d->domid != ev->domid &&
		    d->state != XK_DS_RUNNING && !d->linked) {
			d->linked = true;
			return;
		}
	}
}

int
xk_domtab_apply(struct xk_domtab *t, const struct xk_event *ev,
    struct xk_error *err)
{
	ssize_t i = find_live(t, ev->domid);
	struct xk_dom *d;

	if (i < 0 && (i = add(t, ev, err)) < 0)
		return -1;
	d = &t->v[i];
	snprintf(d->name, sizeof(d->name), "%s", ev->domain);
	snprintf(d->uuid, sizeof(d->uuid), "%s", ev->uuid);
	d->since_ms = ev->ts_ms;
	switch (ev->type) {
	case XK_EV_CREATE:
	case XK_EV_RESTART:
		d->state = XK_DS_RUNNING;
		d->reason = XK_R_NONE;
		d->linked = false;
		if (ev->type == XK_EV_RESTART)
			mark_linked(t, ev);
		break;
	case XK_EV_SHUTDOWN:
		d->state = XK_DS_SHUTDOWN;
		d->reason = ev->reason;
		break;
	case XK_EV_DEATH:
		d->state = XK_DS_DEAD;
		d->reason = ev->reason;
		break;
	default:
		break;
	}
	return 0;
}

static int
emit(struct xk_domtab *t, struct xk_evlist *out, const struct xk_event *ev,
    struct xk_error *err)
{
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 16;
		struct xk_event *v = realloc(out->v, cap * sizeof(*v));

		if (v == NULL) {
			xk_error_errno(err, ENOMEM, "event list");
			return -1;
		}
		out->v = v;
		out->cap = cap;
	}
	out->v[out->n++] = *ev;
	return xk_domtab_apply(t, ev, err);
}

static void
fill(struct xk_event *ev, enum xk_evtype type, const struct xk_dom *d,
    enum xk_reason reason, int64_t now, const char *source)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts_ms = now;
	ev->type = type;
	snprintf(ev->domain, sizeof(ev->domain), "%s", d->name);
	ev->domid = d->domid;
	snprintf(ev->uuid, sizeof(ev->uuid), "%s", d->uuid);
	ev->reason = reason;
	ev->previous_domid = XK_NO_DOMID;
	snprintf(ev->source, sizeof(ev->source), "%s", source);
}

/*
 * The domain a new one replaces: same uuid (xl and libxl keep the uuid
 * across a restart), else same name, that shut down or died within the
 * window and was not destroyed.
 */
static ssize_t
restart_of(const struct xk_domtab *t, const struct xk_scan_dom *s,
    int64_t now)
{
	ssize_t by_name = -1;

	for (size_t i = 0; i < t->n; i++) {
		const struct xk_dom *d = &t->v[i];

		if (d->domid == s->domid || d->linked ||
		    d->state == XK_DS_RUNNING || d->reason == XK_R_DESTROYED ||
		    now - d->since_ms > XK_RESTART_WINDOW_MS)
			continue;
		if (s->uuid[0] != '\0' && strcmp(d->uuid, s->uuid) == 0)
			return (ssize_t)i;
		if (by_name < 0 && s->name[0] != '\0' &&
		    strcmp(d->name, s->name) == 0)
			by_name = (ssize_t)i;
	}
	return by_name;
}

static int
appeared(struct xk_domtab *t, const struct xk_scan_dom *s, int64_t now,
    const char *source, struct xk_evlist *out, struct xk_error *err)
{
	ssize_t p = restart_of(t, s, now);
	struct xk_dom tmp = { 0 };
	struct xk_event ev;

	tmp.domid = s->domid;
	snprintf(tmp.name, sizeof(tmp.name), "%s", s->name);
	snprintf(tmp.uuid, sizeof(tmp.uuid), "%s", s->uuid);
	if (p < 0) {
		fill(&ev, XK_EV_CREATE, &tmp, XK_R_NONE, now, source);
	} else {
		fill(&ev, XK_EV_RESTART, &tmp, t->v[p].reason, now, source);
		ev.previous_domid = t->v[p].domid;
	}
	return emit(t, out, &ev, err);
}

/* Transitions of a known domain d (by index) to what s shows. */
static int
changed(struct xk_domtab *t, size_t i, const struct xk_scan_dom *s,
    int64_t now, const char *source, struct xk_evlist *out,
    struct xk_error *err)
{
	struct xk_event ev;

	if (t->v[i].state == XK_DS_RUNNING && s->shutdown) {
		fill(&ev, XK_EV_SHUTDOWN, &t->v[i],
		    xk_reason_from_code(s->code), now, source);
		if (emit(t, out, &ev, err) < 0)
			return -1;
	} else if (t->v[i].state == XK_DS_SHUTDOWN && !s->shutdown &&
	    !s->dying) {
		/* back from a shutdown under the same domid: a soft
		 * reset, or a suspend that was resumed */
		fill(&ev, XK_EV_RESTART, &t->v[i], t->v[i].reason, now,
		    source);
		ev.previous_domid = t->v[i].domid;
		return emit(t, out, &ev, err);
	}
	if (s->dying) {
		enum xk_reason r = t->v[i].state == XK_DS_SHUTDOWN ?
		    t->v[i].reason : XK_R_DESTROYED;

		fill(&ev, XK_EV_DEATH, &t->v[i], r, now, source);
		return emit(t, out, &ev, err);
	}
	return 0;
}

static int
vanished(struct xk_domtab *t, size_t i, int64_t now, const char *source,
    xk_reason_fn fallback, void *arg, struct xk_evlist *out,
    struct xk_error *err)
{
	char src[16];
	enum xk_reason r;
	struct xk_event ev;

	if (t->v[i].state == XK_DS_SHUTDOWN) {
		fill(&ev, XK_EV_DEATH, &t->v[i], t->v[i].reason, now, source);
		return emit(t, out, &ev, err);
	}
	/* gone between two looks: ask who else saw it go, again on the
	 * next looks for a while before giving up */
	src[0] = '\0';
	if (fallback == NULL || fallback(&t->v[i], &r, src, arg) < 0) {
		/*
		 * A domain that never ran cannot have asked to shut down:
		 * it was destroyed while being built (a failed build, or
		 * `xl destroy` landing in the middle of xl's restart of
		 * it).  Its few pages go at once: Xen never shows it dying.
		 */
		if (!t->v[i].ran) {
			fill(&ev, XK_EV_DEATH, &t->v[i], XK_R_DESTROYED, now,
			    source);
			return emit(t, out, &ev, err);
		}
		if (t->v[i].gone_ms == 0)
			t->v[i].gone_ms = now;
		if (fallback != NULL &&
		    now - t->v[i].gone_ms < XK_FALLBACK_WAIT_MS)
			return 0;
		fill(&ev, XK_EV_DEATH, &t->v[i], XK_R_UNKNOWN, now, source);
		return emit(t, out, &ev, err);
	}
	src[sizeof(src) - 1] = '\0';
	fill(&ev, XK_EV_SHUTDOWN, &t->v[i], r, now, src);
	if (emit(t, out, &ev, err) < 0)
		return -1;
	fill(&ev, XK_EV_DEATH, &t->v[i], r, now, src);
	return emit(t, out, &ev, err);
}

static int
in_scan(const struct xk_scan_dom *scan, size_t n, const struct xk_dom *d)
{
	for (size_t i = 0; i < n; i++)
		if (scan[i].domid == d->domid && (scan[i].uuid[0] == '\0' ||
		    strcmp(scan[i].uuid, d->uuid) == 0))
			return 1;
	return 0;
}

/* A dead domain Xen still lists (dying, its memory not all freed). */
static int
zombie(const struct xk_domtab *t, const struct xk_scan_dom *s)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].state == XK_DS_DEAD && t->v[i].domid == s->domid &&
		    (s->uuid[0] == '\0' ||
		    strcmp(t->v[i].uuid, s->uuid) == 0))
			return 1;
	return 0;
}

/* Forget the dead, except those Xen still lists: a zombie must not
 * come back as a new domain. */
static void
prune(struct xk_domtab *t, const struct xk_scan_dom *scan, size_t nscan,
    int64_t now)
{
	size_t k = 0;

	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].state != XK_DS_DEAD ||
		    now - t->v[i].since_ms <= XK_RESTART_WINDOW_MS ||
		    in_scan(scan, nscan, &t->v[i]))
			t->v[k++] = t->v[i];
	t->n = k;
}

int
xk_domtab_update(struct xk_domtab *t, const struct xk_scan_dom *scan,
    size_t nscan, int64_t now_ms, const char *source,
    xk_reason_fn fallback, void *arg, struct xk_evlist *out,
    struct xk_error *err)
{
	/* first the domains that went (a new one may reuse a domid or
	 * be the restart of one of them) */
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].state != XK_DS_DEAD && t->v[i].domid != 0 &&
		    !in_scan(scan, nscan, &t->v[i]) &&
		    vanished(t, i, now_ms, source, fallback, arg, out,
		    err) < 0)
			return -1;
	for (size_t k = 0; k < nscan; k++) {
		const struct xk_scan_dom *s = &scan[k];
		ssize_t i;

		if (s->domid == 0)
			continue;
		i = find_live(t, s->domid);
		if (i < 0 && zombie(t, s))
			continue;	/* its death is already out */
		if (i < 0) {
			if (s->dying && !s->shutdown)
				continue;	/* born dying: nothing to say */
			if (appeared(t, s, now_ms, source, out, err) < 0)
				return -1;
			i = find_live(t, s->domid);
		}
		t->v[i].ran = t->v[i].ran || s->ran;
		if (changed(t, (size_t)i, s, now_ms, source, out, err) < 0)
			return -1;
	}
	prune(t, scan, nscan, now_ms);
	return 0;
}
