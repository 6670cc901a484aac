/*
 * copy.c - xk_disk_copy: a source into a sink, reading and writing in
 * two threads (see disk.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "formats/disk-impl.h"
#include "util/interrupt.h"

/* Copy buffer size: one VHD block, a multiple of every format's unit. */
#define COPY_CHUNK (2u << 20)

/*
 * xk_disk_copy runs two threads: this one reads the source into a ring
 * of buffers while a writer thread hands them to the sink, so reading,
 * the sink's work (zero scans, bitmaps) and its writes overlap, as in
 * qemu-img's parallel requests.  Memory: COPY_SLOTS chunks.
 */
#define COPY_SLOTS 4

struct copy_slot {
	unsigned char *buf;
	uint64_t off;
	size_t len;
};

struct copy_pipe {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct copy_slot slot[COPY_SLOTS];
	unsigned head;		/* next slot the reader fills */
	unsigned tail;		/* next slot the writer drains */
	bool done;		/* the reader has no more slots */
	bool stop;		/* the reader failed: drop what is queued */
	bool failed;		/* the writer failed: werr says why */
	struct xk_disk_sink *sink;
	struct xk_progress *progress;
	struct xk_error werr;
};

static void *
copy_writer(void *arg)
{
	struct copy_pipe *cp = arg;

	pthread_mutex_lock(&cp->lock);
	for (;;) {
		struct copy_slot *s;
		int rc;

		while (cp->head == cp->tail && !cp->done && !cp->stop)
			pthread_cond_wait(&cp->cond, &cp->lock);
		if (cp->stop || cp->head == cp->tail)
			break;
		s = &cp->slot[cp->tail % COPY_SLOTS];
		pthread_mutex_unlock(&cp->lock);
		/* no sink: the source is only read through (checked) */
		rc = cp->sink == NULL ? 0 : xk_disk_sink_pwrite(cp->sink,
		    s->buf, s->len, s->off, &cp->werr);
		if (rc == 0)
			xk_progress_update(cp->progress, s->off + s->len);
		pthread_mutex_lock(&cp->lock);
		if (rc < 0) {
			cp->failed = true;
			pthread_cond_broadcast(&cp->cond);
			break;
		}
		cp->tail++;
		pthread_cond_broadcast(&cp->cond);
	}
	pthread_mutex_unlock(&cp->lock);
	return NULL;
}

/* Wait for a free slot; NULL if the writer failed. */
static struct copy_slot *
copy_get_slot(struct copy_pipe *cp)
{
	struct copy_slot *s = NULL;

	pthread_mutex_lock(&cp->lock);
	while (cp->head - cp->tail == COPY_SLOTS && !cp->failed)
		pthread_cond_wait(&cp->cond, &cp->lock);
	if (!cp->failed)
		s = &cp->slot[cp->head % COPY_SLOTS];
	pthread_mutex_unlock(&cp->lock);
	return s;
}

static void
copy_put_slot(struct copy_pipe *cp)
{
	pthread_mutex_lock(&cp->lock);
	cp->head++;
	pthread_cond_broadcast(&cp->cond);
	pthread_mutex_unlock(&cp->lock);
}

/* Read every extent into slots; 0, or -1 with err set. */
static int
copy_reader(struct xk_disk_src *src, struct copy_pipe *cp, uint64_t *data,
    struct xk_error *err)
{
	uint64_t off = 0, start, len;
	int r;

	while ((r = xk_disk_src_next_data(src, off, &start, &len, err)) == 0) {
		uint64_t end = start + len;

		if (start < off || len == 0 || end > src->size) {
			xk_error_set(err, "%s: bad extent %llu+%llu",
			    src->path, (unsigned long long)start,
			    (unsigned long long)len);
			return -1;
		}
		for (uint64_t pos = start; pos < end;) {
			/* keep pieces aligned to COPY_CHUNK boundaries */
			uint64_t n = COPY_CHUNK - pos % COPY_CHUNK;
			struct copy_slot *s = copy_get_slot(cp);

			if (s == NULL)
				return 0;	/* the writer's error wins */
			if (n > end - pos)
				n = end - pos;
			if (xk_disk_src_pread(src, s->buf, n, pos, err) < 0)
				return -1;
			s->off = pos;
			s->len = n;
			copy_put_slot(cp);
			pos += n;
			*data += n;
		}
		off = end;
	}
	return r < 0 ? -1 : 0;
}

int
xk_disk_copy(struct xk_disk_src *src, struct xk_disk_sink *sink,
    struct xk_progress *progress, struct xk_disk_copy_stats *stats,
    struct xk_error *err)
{
	struct copy_pipe cp = { .sink = sink, .progress = progress };
	uint64_t data = 0;
	pthread_t writer;
	int rc = -1, e;

	if (sink != NULL && sink->size < src->size) {
		xk_error_set(err, "%s: image of %llu bytes is smaller than "
		    "its source %s (%llu bytes)", sink->out.dest,
		    (unsigned long long)sink->size, src->path,
		    (unsigned long long)src->size);
		return -1;
	}
	for (int i = 0; i < COPY_SLOTS; i++) {
		cp.slot[i].buf = malloc(COPY_CHUNK);
		if (cp.slot[i].buf == NULL) {
			xk_error_errno(err, ENOMEM, "%s", src->path);
			goto out;
		}
	}
	/* what is written at offset X was read at X: where the file
	 * system can share the source's extents, the sink may clone */
	if (sink != NULL)
		sink->origin_fd = src->origin_fd;
	pthread_mutex_init(&cp.lock, NULL);
	pthread_cond_init(&cp.cond, NULL);
	e = pthread_create(&writer, NULL, copy_writer, &cp);
	if (e != 0) {
		xk_error_errno(err, e, "%s: cannot start a writer thread",
		    src->path);
		goto destroy;
	}
	rc = copy_reader(src, &cp, &data, err);
	pthread_mutex_lock(&cp.lock);
	cp.done = true;
	cp.stop = rc < 0;
	pthread_cond_broadcast(&cp.cond);
	pthread_mutex_unlock(&cp.lock);
	pthread_join(writer, NULL);
	if (rc == 0 && cp.failed) {
		*err = cp.werr;
		rc = -1;
	}
	if (rc == 0) {
		xk_progress_update(progress, src->size);
		if (stats != NULL) {
			stats->size = src->size;
			stats->data = data;
		}
	}
destroy:
	if (sink != NULL)
		sink->origin_fd = -1;
	pthread_cond_destroy(&cp.cond);
	pthread_mutex_destroy(&cp.lock);
out:
	for (int i = 0; i < COPY_SLOTS; i++)
		free(cp.slot[i].buf);
	return rc;
}
