/*
 * emitter.c - log, hooks, syslog, sink (see emitter.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "events/emitter.h"
#include "events/eventlog.h"

struct held {
	char *line;
	struct held *next;
};

struct xk_emitter {
	struct xk_emitter_cfg cfg;
	struct xk_evlog *log;
	struct xk_hookq *hooks;
	struct held *head, **tail;
	size_t nheld;
	char failure[XK_ERROR_MAX];	/* why the log fails, "" if not */
};

static void
say(struct xk_emitter *em, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct xk_emitter *em, int prio, const char *fmt, ...)
{
	char buf[XK_ERROR_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (em->cfg.say != NULL)
		em->cfg.say(prio, buf, em->cfg.say_arg);
}

struct xk_emitter *
xk_emitter_new(const struct xk_emitter_cfg *cfg, struct xk_error *err)
{
	struct xk_emitter *em = calloc(1, sizeof(*em));

	if (em == NULL) {
		xk_error_errno(err, ENOMEM, "emitter");
		return NULL;
	}
	em->cfg = *cfg;
	em->tail = &em->head;
	if (cfg->log_path != NULL) {
		em->log = xk_evlog_open(cfg->log_path, cfg->sync, err);
		if (em->log == NULL) {
			free(em);
			return NULL;
		}
	}
	em->hooks = xk_hookq_new(&cfg->hooks, err);
	if (em->hooks == NULL) {
		xk_evlog_close(em->log);
		free(em);
		return NULL;
	}
	return em;
}

/* Write held lines in order; stop at the first failure. */
static void
flush_held(struct xk_emitter *em)
{
	struct xk_error e = { 0 };
	size_t before = em->nheld;

	if (em->log == NULL)
		return;
	while (em->head != NULL) {
		struct held *h = em->head;

		if (xk_evlog_append(em->log, h->line, &e) < 0) {
			if (strcmp(e.msg, em->failure) != 0) {
				snprintf(em->failure, sizeof(em->failure),
				    "%s", e.msg);
				say(em, LOG_ERR, "%s; holding %zu event(s) in "
				    "memory until it can be written", e.msg,
				    em->nheld);
			}
			return;
		}
		em->head = h->next;
		free(h->line);
		free(h);
		em->nheld--;
	}
	em->tail = &em->head;
	if (em->failure[0] != '\0') {
		say(em, LOG_NOTICE, "event log %s writable again: wrote %zu "
		    "held event(s)", xk_evlog_path(em->log), before);
		em->failure[0] = '\0';
	}
}

static void
to_syslog(const struct xk_event *ev)
{
	if (ev->previous_domid != XK_NO_DOMID)
		syslog(LOG_INFO, "domain %s (domid %ld, uuid %s): %s, "
		    "reason %s, previous domid %ld", ev->domain, ev->domid,
		    ev->uuid, xk_evtype_name(ev->type),
		    xk_reason_name(ev->reason), ev->previous_domid);
	else
		syslog(LOG_INFO, "domain %s (domid %ld, uuid %s): %s, "
		    "reason %s", ev->domain, ev->domid, ev->uuid,
		    xk_evtype_name(ev->type), xk_reason_name(ev->reason));
}

int
xk_emitter_emit(struct xk_emitter *em, const struct xk_event *ev,
    struct xk_error *err)
{
	struct xk_error herr = { 0 };
	struct held *h;
	char *line;

	line = xk_event_to_line(ev, err);
	if (line == NULL)
		return -1;
	if (em->log != NULL) {
		h = calloc(1, sizeof(*h));
		if (h == NULL) {
			free(line);
			xk_error_errno(err, ENOMEM, "emitter");
			return -1;
		}
		h->line = strdup(line);
		if (h->line == NULL) {
			free(h);
			free(line);
			xk_error_errno(err, ENOMEM, "emitter");
			return -1;
		}
		*em->tail = h;
		em->tail = &h->next;
		em->nheld++;
		flush_held(em);
	}
	if (xk_hookq_push(em->hooks, ev, &herr) < 0)
		say(em, LOG_ERR, "hooks for %s of %s: %s",
		    xk_evtype_name(ev->type), ev->domain, herr.msg);
	if (em->cfg.syslog)
		to_syslog(ev);
	if (em->cfg.sink != NULL)
		em->cfg.sink(line, em->cfg.sink_arg);
	free(line);
	return 0;
}

size_t
xk_emitter_tick(struct xk_emitter *em)
{
	flush_held(em);
	xk_hookq_poll(em->hooks);
	return em->nheld;
}

size_t
xk_emitter_held(const struct xk_emitter *em)
{
	return em->nheld;
}

struct xk_hookq *
xk_emitter_hooks(struct xk_emitter *em)
{
	return em->hooks;
}

void
xk_emitter_free(struct xk_emitter *em)
{
	if (em == NULL)
		return;
	xk_hookq_drain(em->hooks);
	flush_held(em);
	if (em->nheld > 0)
		say(em, LOG_ERR, "event log: %zu event(s) could not be "
		    "written and are lost", em->nheld);
	while (em->head != NULL) {
		struct held *h = em->head;

		em->head = h->next;
		free(h->line);
		free(h);
	}
	xk_hookq_free(em->hooks);
	xk_evlog_close(em->log);
	free(em);
}
