/*
 * xva.c - XVA writer (own ustar, tar.c) and streaming reader
 * (libarchive: plain, gzip and zstd tar; nothing else is enabled).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <xxhash.h>

#include "formats/tar.h"
#include "formats/vmmodel.h"
#include "formats/xva.h"

int
xk_xva_checksum(enum xk_xva_sum kind, const void *data, size_t len,
    char out[41])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (kind == XK_XVA_XXHASH) {
		XXH64_canonical_t c;

		XXH64_canonicalFromHash(&c, XXH64(data, len, 0));
		for (int i = 0; i < 8; i++)
			snprintf(out + 2 * i, 3, "%02X", c.digest[i]);
		return 0;
	}
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha1(), NULL) != 1 ||
	    mdlen != 20)
		return -1;
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static bool
all_zero(const unsigned char *p, size_t len)
{
	return len == 0 || (p[0] == 0 && memcmp(p, p + 1, len - 1) == 0);
}

/* ---- writing ---- */

struct wstate {
	struct xk_tarw *tw;
	unsigned char *buf;
	enum xk_xva_sum sum;
	struct xk_progress *progress;
	uint64_t done;
};

static int
write_chunk(struct wstate *ws, const char *ref, uint64_t num, size_t len,
    struct xk_error *err)
{
	char name[64], sum[41];

	snprintf(name, sizeof(name), "%s/%08llu", ref,
	    (unsigned long long)num);
	if (xk_tarw_add(ws->tw, name, ws->buf, len, err) < 0)
		return -1;
	if (xk_xva_checksum(ws->sum, ws->buf, len, sum) < 0) {
		xk_error_set(err, "%s: checksum failed", name);
		return -1;
	}
	snprintf(name, sizeof(name), "%s/%08llu.%s", ref,
	    (unsigned long long)num, ws->sum == XK_XVA_SHA1 ? "checksum" :
	    "xxhash");
	return xk_tarw_add(ws->tw, name, sum, strlen(sum), err);
}

static int
write_disk(struct wstate *ws, struct xk_xva_wdisk *d, struct xk_error *err)
{
	uint64_t size = xk_disk_src_size(d->src), nchunks, ds = 0, dl = 0;
	bool more = true;

	if (size == 0) {
		xk_error_set(err, "disk %s: empty (0 bytes)", d->ref);
		return -1;
	}
	nchunks = (size + XK_CHUNK_SIZE - 1) / XK_CHUNK_SIZE;
	for (uint64_t i = 0; i < nchunks; i++) {
		uint64_t off = i * XK_CHUNK_SIZE;
		size_t len = (size_t)(size - off < XK_CHUNK_SIZE ? size - off :
		    XK_CHUNK_SIZE);
		bool edge = i == 0 || i == nchunks - 1, data;
		int rc;

		/* the extent holding data at or after off, cached */
		if (more && ds + dl <= off) {
			rc = xk_disk_src_next_data(d->src, off, &ds, &dl, err);
			if (rc < 0)
				return -1;
			more = rc == 0;
		}
		data = more && ds < off + len;
		if (data) {
			if (xk_disk_src_pread(d->src, ws->buf, len, off,
			    err) < 0)
				return -1;
			data = !all_zero(ws->buf, len);
		} else if (edge) {
			memset(ws->buf, 0, len);
		}
		if (data || edge) {
			if (write_chunk(ws, d->ref, i, len, err) < 0)
				return -1;
			d->chunks++;
		} else {
			d->skipped++;
		}
		ws->done += len;
		if (ws->progress != NULL)
			xk_progress_update(ws->progress, ws->done);
	}
	return 0;
}

int
xk_xva_write(int fd, const char *path, const struct xk_xv *ova,
    struct xk_xva_wdisk *disks, size_t ndisks, enum xk_xva_sum sum,
    struct xk_progress *progress, struct xk_error *err)
{
	struct wstate ws = { NULL, NULL, sum, progress, 0 };
	struct strbuf xml = STRBUF_INIT;
	int rc = -1;

	if (xk_xv_write(&xml, ova) < 0) {
		xk_error_errno(err, errno, "%s: writing ova.xml (a value "
		    "holds characters XML cannot carry?)", path);
		goto out;
	}
	ws.tw = xk_tarw_new(fd, path, err);
	ws.buf = malloc(XK_CHUNK_SIZE);
	if (ws.tw == NULL || ws.buf == NULL) {
		xk_error_errno(err, ENOMEM, "%s", path);
		goto out;
	}
	if (xk_tarw_add(ws.tw, "ova.xml", xml.buf, xml.len, err) < 0)
		goto out;
	for (size_t i = 0; i < ndisks; i++)
		if (write_disk(&ws, &disks[i], err) < 0)
			goto out;
	rc = xk_tarw_finish(ws.tw, err);
out:
	strbuf_free(&xml);
	free(ws.buf);
	xk_tarw_free(ws.tw);
	return rc;
}

/* ---- reading ---- */

bool
xk_xva_name_safe(const char *name)
{
	const char *p = name;

	if (*name == '\0' || *name == '/')
		return false;
	while (*p != '\0') {
		size_t n = strcspn(p, "/");

		if ((n == 2 && strncmp(p, "..", 2) == 0) ||
		    (n == 1 && *p == '.') || n == 0)
			return false;
		p += n;
		if (*p == '/')
			p++;
	}
	return true;
}

static void
ar_error(struct xk_xva_reader *r, struct xk_error *err, const char *where)
{
	const char *msg = archive_error_string(r->ar);

	xk_error_set(err, "%s: %s: %s", r->path, where, msg ? msg :
	    "archive truncated or unreadable");
}

static int
read_member(struct xk_xva_reader *r, void *buf, size_t len, const char *what,
    bool last, struct xk_error *err)
{
	la_ssize_t n;
	size_t done = 0;
	char extra;

	while (done < len) {
		n = archive_read_data(r->ar, (char *)buf + done, len - done);
		if (n < 0) {
			ar_error(r, err, what);
			return -1;
		}
		if (n == 0) {
			xk_error_set(err, "%s: %s: truncated (%zu of %zu "
			    "bytes)", r->path, what, done, len);
			return -1;
		}
		done += (size_t)n;
	}
	if (!last)	/* more of the member is read by the next call */
		return 0;
	n = archive_read_data(r->ar, &extra, 1);
	if (n != 0) {
		if (n < 0)
			ar_error(r, err, what);
		else
			xk_error_set(err, "%s: %s: longer than its header "
			    "says", r->path, what);
		return -1;
	}
	return 0;
}

/*
 * ova.xml, parsed as it is read (chunk by chunk, never whole in
 * memory): its size bounds the time, the parser's caps the memory.
 */
#define XML_CHUNK	(64u * 1024)

static struct xk_xv *
read_ova_xml(struct xk_xva_reader *r, size_t size, struct xk_error *err)
{
	struct xk_xv_parser *p = xk_xv_parser_new("ova.xml", err);
	char *buf = malloc(XML_CHUNK);
	size_t done = 0;
	int rc = p != NULL && buf != NULL ? 0 : -1;

	if (buf == NULL && p != NULL)
		xk_error_errno(err, ENOMEM, "%s", r->path);
	while (rc == 0 && done < size) {
		size_t want = size - done < XML_CHUNK ? size - done : XML_CHUNK;

		rc = read_member(r, buf, want, "ova.xml", done + want == size,
		    err);
		if (rc == 0)
			rc = xk_xv_parser_feed(p, buf, want);
		done += want;
	}
	free(buf);
	if (rc < 0) {
		xk_xv_parser_free(p);
		return NULL;
	}
	return xk_xv_parser_finish(p);
}

static int
load_vdis(struct xk_xva_reader *r, struct xk_error *err)
{
	const struct xk_xv *objs = xk_xv_get(r->ova, "objects");

	if (objs == NULL || objs->type != XK_XV_ARRAY) {
		xk_error_set(err, "%s: ova.xml has no objects array", r->path);
		return -1;
	}
	r->vdis = calloc(objs->n + 1, sizeof(*r->vdis));
	if (r->vdis == NULL)
		return xk_error_errno(err, ENOMEM, "%s", r->path), -1;
	for (size_t i = 0; i < objs->n; i++) {
		const struct xk_xv *o = objs->items[i];
		const char *cls = xk_xv_text(o, "class");
		const char *id = xk_xv_text(o, "id");
		const char *vs = xk_xv_text(xk_xv_get(o, "snapshot"),
		    "virtual_size");
		struct xk_xva_vdi *v = &r->vdis[r->nvdis];
		char *end;

		if (cls == NULL || strcmp(cls, "VDI") != 0)
			continue;
		if (id == NULL || vs == NULL || *vs < '0' || *vs > '9') {
			xk_error_set(err, "%s: ova.xml: a VDI without id or "
			    "virtual_size", r->path);
			return -1;
		}
		errno = 0;
		v->size = strtoull(vs, &end, 10);
		if (errno != 0 || *end != '\0' || v->size > XK_VDI_MAX_SIZE) {
			xk_error_set(err, "%s: ova.xml: VDI %s: virtual_size "
			    "'%.32s' is not a number up to 64 TiB", r->path, id,
			    vs);
			return -1;
		}
		v->ref = strdup(id);
		if (v->ref == NULL)
			return xk_error_errno(err, ENOMEM, "%s", r->path), -1;
		v->last = -1;
		r->nvdis++;
	}
	return 0;
}

static int
read_header(struct xk_xva_reader *r, struct xk_error *err)
{
	struct archive_entry *e;
	int rc = archive_read_next_header(r->ar, &e);
	la_int64_t size;

	if (rc == ARCHIVE_EOF) {
		xk_error_set(err, "%s: empty archive (no ova.xml)", r->path);
		return -1;
	}
	if (rc != ARCHIVE_OK) {
		ar_error(r, err, "not an XVA (tar, tar.gz or tar.zst)");
		return -1;
	}
	switch (archive_filter_code(r->ar, 0)) {
	case ARCHIVE_FILTER_GZIP:
		r->compression = "gzip";
		break;
	case ARCHIVE_FILTER_ZSTD:
		r->compression = "zstd";
		break;
	default:
		r->compression = "none";
	}
	if (strcmp(archive_entry_pathname(e), "ova.xml") != 0 ||
	    archive_entry_filetype(e) != AE_IFREG) {
		xk_error_set(err, "%s: the first member is '%.100s', not "
		    "ova.xml", r->path, archive_entry_pathname(e));
		return -1;
	}
	size = archive_entry_size(e);
	if (!archive_entry_size_is_set(e) || size < 0 ||
	    (uint64_t)size > XK_XV_MAX_DOC) {
		xk_error_set(err, "%s: ova.xml: declared size %lld is more "
		    "than the %u bytes allowed", r->path, (long long)size,
		    XK_XV_MAX_DOC);
		return -1;
	}
	r->ova = read_ova_xml(r, (size_t)size, err);
	if (r->ova == NULL) {
		xk_error_prefix(err, "%s", r->path);
		return -1;
	}
	return load_vdis(r, err);
}

static struct xk_xva_reader *
new_reader(const char *path, struct xk_error *err)
{
	struct xk_xva_reader *r = calloc(1, sizeof(*r));

	if (r == NULL || (r->path = strdup(path)) == NULL ||
	    (r->ar = archive_read_new()) == NULL ||
	    (r->buf = malloc(XK_CHUNK_SIZE)) == NULL) {
		xk_error_errno(err, ENOMEM, "%s", path);
		xk_xva_close(r);
		return NULL;
	}
	/* only these: never an external decompressor program */
	if (archive_read_support_filter_gzip(r->ar) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(r->ar) != ARCHIVE_OK ||
	    archive_read_support_format_tar(r->ar) != ARCHIVE_OK) {
		ar_error(r, err, "libarchive lacks gzip, zstd or tar");
		xk_xva_close(r);
		return NULL;
	}
	return r;
}

struct xk_xva_reader *
xk_xva_open(const char *path, struct xk_error *err)
{
	struct xk_xva_reader *r = new_reader(path, err);

	if (r == NULL)
		return NULL;
	if (archive_read_open_filename(r->ar, path, 1 << 16) != ARCHIVE_OK) {
		ar_error(r, err, "opening");
		xk_xva_close(r);
		return NULL;
	}
	if (read_header(r, err) < 0) {
		xk_xva_close(r);
		return NULL;
	}
	return r;
}

struct xk_xva_reader *
xk_xva_open_mem(const void *data, size_t len, struct xk_error *err)
{
	struct xk_xva_reader *r = new_reader("(memory)", err);

	if (r == NULL)
		return NULL;
	if (archive_read_open_memory(r->ar, data, len) != ARCHIVE_OK ||
	    read_header(r, err) < 0) {
		if (err->msg[0] == '\0')
			ar_error(r, err, "opening");
		xk_xva_close(r);
		return NULL;
	}
	return r;
}

struct xk_xva_vdi *
xk_xva_vdi(struct xk_xva_reader *r, const char *ref)
{
	for (size_t i = 0; i < r->nvdis; i++)
		if (strcmp(r->vdis[i].ref, ref) == 0)
			return &r->vdis[i];
	return NULL;
}

/* The parts of a member name: VDI id, chunk number, suffix. */
struct mname {
	char ref[64];
	long num;
	const char *suffix;	/* "", "checksum" or "xxhash" */
};

static int
split_name(struct xk_xva_reader *r, const char *name, struct mname *m,
    struct xk_error *err)
{
	const char *slash = strchr(name, '/'), *p;
	size_t n;

	if (!xk_xva_name_safe(name)) {
		xk_error_set(err, "%s: member '%.100s': absolute path or '..' "
		    "refused", r->path, name);
		return -1;
	}
	if (slash == NULL || (size_t)(slash - name) >= sizeof(m->ref))
		goto bad;
	n = (size_t)(slash - name);
	memcpy(m->ref, name, n);
	m->ref[n] = '\0';
	p = slash + 1;
	if (strspn(p, "0123456789") != 8)
		goto bad;
	m->num = strtol(p, NULL, 10);
	p += 8;
	if (*p == '\0')
		m->suffix = "";
	else if (strcmp(p, ".checksum") == 0)
		m->suffix = "checksum";
	else if (strcmp(p, ".xxhash") == 0)
		m->suffix = "xxhash";
	else
		goto bad;
	return 0;
bad:
	xk_error_set(err, "%s: unexpected member '%.100s' (expected "
	    "REF/NNNNNNNN[.checksum|.xxhash])", r->path, name);
	return -1;
}

/* Check a chunk's place and length; returns its offset. */
static int
place_chunk(struct xk_xva_reader *r, struct xk_xva_vdi *v, long num,
    uint64_t len, uint64_t *off, struct xk_error *err)
{
	uint64_t gap;

	if (v->last < 0 && num != 0) {
		xk_error_set(err, "%s: disk %s: chunk 0 is missing (the first "
		    "chunk is %ld)", r->path, v->ref, num);
		return -1;
	}
	if (num <= v->last) {
		xk_error_set(err, "%s: disk %s: chunk %ld after chunk %ld "
		    "(duplicate or out of order)", r->path, v->ref, num,
		    v->last);
		return -1;
	}
	gap = (uint64_t)(num - v->last - 1);
	if (gap > (v->size - v->offset) / XK_CHUNK_SIZE) {
		xk_error_set(err, "%s: disk %s: chunk %ld lies beyond the "
		    "disk's %llu bytes", r->path, v->ref, num,
		    (unsigned long long)v->size);
		return -1;
	}
	*off = v->offset + gap * XK_CHUNK_SIZE;
	if (len > v->size - *off) {
		xk_error_set(err, "%s: disk %s: chunk %ld (%llu bytes at "
		    "offset %llu) ends beyond the disk's %llu bytes", r->path,
		    v->ref, num, (unsigned long long)len,
		    (unsigned long long)*off, (unsigned long long)v->size);
		return -1;
	}
	if (len != 0 && len != XK_CHUNK_SIZE && *off + len != v->size) {
		xk_error_set(err, "%s: disk %s: chunk %ld is %llu bytes: only "
		    "a disk's last chunk may be shorter than 1 MiB", r->path,
		    v->ref, num, (unsigned long long)len);
		return -1;
	}
	return 0;
}

static int
check_complete(struct xk_xva_reader *r, struct xk_xva_vdi *v,
    struct xk_error *err)
{
	if (v == NULL || v->offset == v->size)
		return 0;
	xk_error_set(err, "%s: disk %s: truncated: data ends at offset %llu "
	    "of %llu (after chunk %ld; the last chunk must be present)",
	    r->path, v->ref, (unsigned long long)v->offset,
	    (unsigned long long)v->size, v->last);
	return -1;
}

/* Read and verify the checksum member that must follow chunk m. */
static int
verify_chunk(struct xk_xva_reader *r, struct xk_xva_vdi *v,
    const struct mname *m, size_t len, struct xk_error *err)
{
	struct archive_entry *e;
	struct mname cm;
	char want[42], got[41];
	la_int64_t size;
	size_t n;
	int rc = archive_read_next_header(r->ar, &e);

	if (rc == ARCHIVE_EOF) {
		xk_error_set(err, "%s: disk %s: chunk %ld: no checksum member "
		    "(archive truncated?)", r->path, v->ref, m->num);
		return -1;
	}
	if (rc != ARCHIVE_OK) {
		ar_error(r, err, "reading a checksum member");
		xk_error_prefix(err, "disk %s: chunk %ld", v->ref, m->num);
		return -1;
	}
	if (split_name(r, archive_entry_pathname(e), &cm, err) < 0)
		return -1;
	if (strcmp(cm.ref, m->ref) != 0 || cm.num != m->num ||
	    *cm.suffix == '\0') {
		xk_error_set(err, "%s: disk %s: chunk %ld is not followed by "
		    "its checksum (found '%.100s')", r->path, v->ref, m->num,
		    archive_entry_pathname(e));
		return -1;
	}
	n = strcmp(cm.suffix, "checksum") == 0 ? 40 : 16;
	size = archive_entry_size(e);
	/* a trailing newline is tolerated: some writers add one */
	if (size != (la_int64_t)n && size != (la_int64_t)n + 1) {
		xk_error_set(err, "%s: disk %s: chunk %ld: .%s member is %lld "
		    "bytes, not %zu", r->path, v->ref, m->num, cm.suffix,
		    (long long)size, n);
		return -1;
	}
	if (read_member(r, want, (size_t)size, archive_entry_pathname(e), true,
	    err) < 0)
		return -1;
	if ((size_t)size > n && want[n] != '\n') {
		xk_error_set(err, "%s: disk %s: chunk %ld: .%s member is not "
		    "%zu hex digits", r->path, v->ref, m->num, cm.suffix, n);
		return -1;
	}
	want[n] = '\0';
	xk_xva_checksum(n == 40 ? XK_XVA_SHA1 : XK_XVA_XXHASH, r->buf, len,
	    got);
	if (strcasecmp(want, got) != 0) {
		xk_error_set(err, "%s: disk %s: chunk %ld: %s mismatch (the "
		    "archive says %.40s, the data hashes to %s)", r->path,
		    v->ref, m->num, n == 40 ? "SHA1" : "XXH64", want, got);
		return -1;
	}
	if (n == 40)
		v->sha1 = true;
	else
		v->xxhash = true;
	return 0;
}

static int
read_chunk(struct xk_xva_reader *r, struct archive_entry *e,
    const struct mname *m, struct xk_xva_vdi *v,
    const struct xk_xva_sink *sink, struct xk_error *err)
{
	la_int64_t size = archive_entry_size(e);
	uint64_t off;
	char what[96];

	snprintf(what, sizeof(what), "disk %s: chunk %ld", v->ref, m->num);
	if (archive_entry_filetype(e) != AE_IFREG) {
		xk_error_set(err, "%s: %s: not a regular file", r->path, what);
		return -1;
	}
	if (size < 0 || size > XK_CHUNK_SIZE) {
		xk_error_set(err, "%s: %s: declared size %lld is more than "
		    "1 MiB", r->path, what, (long long)size);
		return -1;
	}
	if (place_chunk(r, v, m->num, (uint64_t)size, &off, err) < 0 ||
	    read_member(r, r->buf, (size_t)size, what, true, err) < 0 ||
	    verify_chunk(r, v, m, (size_t)size, err) < 0)
		return -1;
	if (size > 0 && sink != NULL && !all_zero(r->buf, (size_t)size) &&
	    sink->data(sink->arg, v, off, r->buf, (size_t)size, err) < 0) {
		xk_error_prefix(err, "%s", what);
		return -1;
	}
	v->last = m->num;
	v->offset = off + (uint64_t)size;
	v->data += (uint64_t)size;
	v->chunks++;
	return 0;
}

int
xk_xva_read_disks(struct xk_xva_reader *r, const struct xk_xva_sink *sink,
    struct xk_error *err)
{
	struct xk_xva_vdi *cur = NULL;
	struct archive_entry *e;
	struct mname m;
	int rc;

	while ((rc = archive_read_next_header(r->ar, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);

		if (name == NULL || split_name(r, name, &m, err) < 0)
			return name == NULL ? (xk_error_set(err, "%s: a "
			    "member without a name", r->path), -1) : -1;
		if (*m.suffix != '\0') {
			xk_error_set(err, "%s: member '%.100s' does not follow "
			    "its chunk", r->path, name);
			return -1;
		}
		if (cur == NULL || strcmp(cur->ref, m.ref) != 0) {
			if (check_complete(r, cur, err) < 0)
				return -1;
			cur = xk_xva_vdi(r, m.ref);
			if (cur == NULL) {
				xk_error_set(err, "%s: member '%.100s': no VDI "
				    "%s in ova.xml", r->path, name, m.ref);
				return -1;
			}
			if (cur->seen) {
				xk_error_set(err, "%s: disk %s: its chunks "
				    "appear twice (duplicate members)",
				    r->path, m.ref);
				return -1;
			}
			cur->seen = true;
		}
		if (read_chunk(r, e, &m, cur, sink, err) < 0)
			return -1;
	}
	if (rc != ARCHIVE_EOF) {
		ar_error(r, err, cur ? "reading the archive" : "after ova.xml");
		if (cur != NULL)
			xk_error_prefix(err, "disk %s: after chunk %ld",
			    cur->ref, cur->last);
		return -1;
	}
	return check_complete(r, cur, err);
}

void
xk_xva_close(struct xk_xva_reader *r)
{
	if (r == NULL)
		return;
	if (r->ar != NULL)
		archive_read_free(r->ar);
	for (size_t i = 0; i < r->nvdis; i++)
		free(r->vdis[i].ref);
	free(r->vdis);
	xk_xv_free(r->ova);
	free(r->buf);
	free(r->path);
	free(r);
}
