/*
 * ova-read.c - reading an OVA (see ovf.h): the archive's members in
 * order, every manifest digest checked, disk members unpacked for the
 * caller; and the digests of a descriptor's files beside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "formats/ovf-impl.h"
#include "formats/ovf.h"
#include "formats/tar.h"
#include "formats/xva.h"
#include "util/file.h"
#include "util/interrupt.h"
#include "util/tempfile.h"

struct hashes {
	EVP_MD_CTX *sha1, *sha256;
};

void
xk_ovf_hex(const unsigned char *md, unsigned int n, char *out)
{
	for (unsigned int i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int
hash_init(struct hashes *h)
{
	h->sha1 = EVP_MD_CTX_new();
	h->sha256 = EVP_MD_CTX_new();
	if (h->sha1 == NULL || h->sha256 == NULL ||
	    EVP_DigestInit_ex(h->sha1, EVP_sha1(), NULL) != 1 ||
	    EVP_DigestInit_ex(h->sha256, EVP_sha256(), NULL) != 1)
		return -1;
	return 0;
}

static void
hash_update(struct hashes *h, const void *d, size_t n)
{
	EVP_DigestUpdate(h->sha1, d, n);
	EVP_DigestUpdate(h->sha256, d, n);
}

static void
hash_final(struct hashes *h, char sha1[41], char sha256[65])
{
	unsigned char md[32];
	unsigned int ml;

	EVP_DigestFinal_ex(h->sha1, md, &ml);
	xk_ovf_hex(md, ml, sha1);
	EVP_DigestFinal_ex(h->sha256, md, &ml);
	xk_ovf_hex(md, ml, sha256);
}

static void
hash_free(struct hashes *h)
{
	EVP_MD_CTX_free(h->sha1);
	EVP_MD_CTX_free(h->sha256);
}

/* SHA1 and SHA256 of a buffer (a descriptor), lowercase hex. */
static int
hash_mem(const void *data, size_t len, char sha1[41], char sha256[65])
{
	struct hashes h = { NULL, NULL };
	int rc = hash_init(&h);

	if (rc == 0) {
		hash_update(&h, data, len);
		hash_final(&h, sha1, sha256);
	}
	hash_free(&h);
	return rc;
}

/*
 * A file's digests against the manifest's (want, SHA1 or SHA256):
 * where is the package or manifest, file the name it lists.
 */
static int
check_digest(const char *where, const char *file, const char *want,
    bool sha1, const char *digest1, const char *digest256,
    struct xk_error *err)
{
	const char *have = sha1 ? digest1 : digest256;

	if (strcasecmp(want, have) == 0)
		return 0;
	xk_error_set(err, "%s: %s: %s mismatch: the manifest says %.128s, "
	    "the file has %s", where, file, sha1 ? "SHA1" : "SHA256", want,
	    have);
	return -1;
}

int
xk_ovf_hash_file(const char *path, char sha1[41], char sha256[65],
    struct xk_error *err)
{
	struct hashes h = { NULL, NULL };
	unsigned char *buf = malloc(BUFSZ);
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = -1;
	char s1[41];
	ssize_t r;

	if (buf == NULL || fd < 0 || hash_init(&h) < 0) {
		xk_error_errno(err, fd < 0 ? errno : ENOMEM, "%s", path);
		goto out;
	}
	while ((r = read(fd, buf, BUFSZ)) > 0) {
		hash_update(&h, buf, (size_t)r);
		if (xk_interrupt_check(err) < 0)
			goto out;
	}
	if (r < 0) {
		xk_error_errno(err, errno, "%s: reading", path);
		goto out;
	}
	hash_final(&h, sha1 ? sha1 : s1, sha256);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	hash_free(&h);
	free(buf);
	return rc;
}

struct ova_reader {
	const char *path;
	struct archive *ar;
	struct xk_ovf *ovf;
	char ovf_name[128];
	char ovf_sha1[41], ovf_sha256[65];
	char *mf_text;
	size_t mf_len;
	unsigned char *buf;
};

static int
ar_fail(struct ova_reader *r, struct xk_error *err, const char *what)
{
	const char *m = archive_error_string(r->ar);

	xk_error_set(err, "%s: %s: %s", r->path, what, m ? m : "archive "
	    "truncated or unreadable");
	return -1;
}

/* A small member into memory (descriptor, manifest). */
static int
read_small(struct ova_reader *r, struct archive_entry *e, size_t max,
    char **out, size_t *len, struct xk_error *err)
{
	la_int64_t size = archive_entry_size(e);
	size_t done = 0;
	la_ssize_t n;

	if (size < 0 || (uint64_t)size > max) {
		xk_error_set(err, "%s: member %s: declared size %lld is more "
		    "than the %zu bytes allowed", r->path,
		    archive_entry_pathname(e), (long long)size, max);
		return -1;
	}
	*out = malloc((size_t)size + 1);
	if (*out == NULL)
		return xk_error_errno(err, ENOMEM, "%s", r->path), -1;
	while (done < (size_t)size &&
	    (n = archive_read_data(r->ar, *out + done, (size_t)size - done)) >
	    0)
		done += (size_t)n;
	if (done != (size_t)size) {
		free(*out);
		*out = NULL;
		return ar_fail(r, err, archive_entry_pathname(e));
	}
	(*out)[size] = '\0';
	*len = (size_t)size;
	return 0;
}

/* A disk member: hashed, and copied to a temporary file if dir. */
static int
read_disk(struct ova_reader *r, struct xk_ovf_file *f, const char *dir,
    const struct xk_ova_cb *cb, struct xk_error *err)
{
	/* the disk unpacked for the callback: always removed after it */
	struct xk_tempfile t = XK_TEMPFILE_INIT;
	struct hashes h = { NULL, NULL };
	char *dest = NULL;
	la_ssize_t n;
	int rc = -1;

	if (hash_init(&h) < 0) {
		xk_error_errno(err, ENOMEM, "%s", r->path);
		goto out;
	}
	if (dir != NULL) {
		if (asprintf(&dest, "%s/%s", dir, f->href) < 0) {
			dest = NULL;
			xk_error_errno(err, ENOMEM, "%s", r->path);
			goto out;
		}
		if (xk_tempfile_open(&t, dest, err) < 0)
			goto out;
	}
	while ((n = archive_read_data(r->ar, r->buf, BUFSZ)) > 0) {
		hash_update(&h, r->buf, (size_t)n);
		if (xk_interrupt_check(err) < 0)
			goto out;
		if (t.fd >= 0 && xk_write_all(t.fd, r->buf, (size_t)n, t.tmp,
		    err) < 0)
			goto out;
	}
	if (n < 0) {
		ar_fail(r, err, f->href);
		goto out;
	}
	hash_final(&h, f->digest1, f->digest);
	f->seen = true;
	if (f->want != NULL && check_digest(r->path, f->href, f->want,
	    f->sha1, f->digest1, f->digest, err) < 0)
		goto out;
	if (t.fd >= 0 && cb != NULL && cb->disk != NULL &&
	    cb->disk(cb->arg, r->ovf, f, t.tmp, err) < 0)
		goto out;
	rc = 0;
out:
	xk_tempfile_abort(&t, rc < 0 ? err : NULL);
	free(dest);
	hash_free(&h);
	return rc;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* A manifest after some files: check those (the rest as they come). */
static int
check_manifest(struct ova_reader *r, struct xk_error *err)
{
	struct xk_ovf *o = r->ovf;

	if (xk_ovf_manifest(o, r->path, r->mf_text, r->mf_len, err) < 0)
		return -1;
	if (o->self_want != NULL && check_digest(r->path, o->self,
	    o->self_want, o->self_sha1, r->ovf_sha1, r->ovf_sha256, err) < 0)
		return -1;
	for (size_t i = 0; i < o->nfiles; i++) {
		struct xk_ovf_file *f = &o->files[i];

		if (f->seen && f->want != NULL && check_digest(r->path,
		    f->href, f->want, f->sha1, f->digest1, f->digest,
		    err) < 0)
			return -1;
	}
	return 0;
}

int
xk_ovf_verify_files(struct xk_ovf *o, const char *path, const char *data,
    size_t len, struct xk_notes *notes, struct xk_error *err)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash != NULL ? (int)(slash - path + 1) : 0;
	int stem = (int)strlen(path) - (ends_with(path, ".ovf") ? 4 : 0);
	char *mf = NULL, *text = NULL, *file = NULL;
	char sha1[41], sha256[65];
	size_t mflen;
	int rc = -1;

	if (asprintf(&mf, "%.*s.mf", stem, path) < 0) {
		mf = NULL;
		return xk_error_errno(err, ENOMEM, "%s", path), -1;
	}
	if (access(mf, F_OK) < 0 && errno == ENOENT) {
		rc = xk_notes_add(notes, "no manifest %s: no digest verified",
		    mf) < 0 ? -1 : 1;
		if (rc < 0)
			xk_error_errno(err, ENOMEM, "%s", path);
		goto out;
	}
	if (xk_read_file(mf, 1 << 20, &text, &mflen, err) < 0 ||
	    xk_ovf_manifest(o, mf, text, mflen, err) < 0)
		goto out;
	if (o->self_want != NULL && hash_mem(data, len, sha1, sha256) < 0) {
		xk_error_errno(err, ENOMEM, "%s", path);
		goto out;
	}
	if (o->self_want != NULL && check_digest(mf, o->self, o->self_want,
	    o->self_sha1, sha1, sha256, err) < 0)
		goto out;
	for (size_t i = 0; i < o->nfiles; i++) {
		struct xk_ovf_file *f = &o->files[i];

		if (f->want == NULL)
			continue;
		free(file);
		if (asprintf(&file, "%.*s%s", dirlen, path, f->href) < 0) {
			file = NULL;
			xk_error_errno(err, ENOMEM, "%s", path);
			goto out;
		}
		if (xk_ovf_hash_file(file, f->digest1, f->digest, err) < 0 ||
		    check_digest(mf, f->href, f->want, f->sha1, f->digest1,
		    f->digest, err) < 0)
			goto out;
		f->seen = true;
	}
	rc = 0;
out:
	free(mf);
	free(text);
	free(file);
	return rc;
}

static int
read_members(struct ova_reader *r, const char *dir,
    const struct xk_ova_cb *cb, struct xk_error *err)
{
	struct archive_entry *e;
	int rc;

	while ((rc = archive_read_next_header(r->ar, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		struct xk_ovf_file *f;

		if (name == NULL || !xk_xva_name_safe(name) ||
		    strchr(name, '/') != NULL) {
			xk_error_set(err, "%s: member '%.100s': absolute path, "
			    "directory or '..' refused", r->path, name ? name :
			    "");
			return -1;
		}
		if (archive_entry_filetype(e) != AE_IFREG) {
			xk_error_set(err, "%s: member %s: not a regular file",
			    r->path, name);
			return -1;
		}
		f = xk_ovf_file(r->ovf, name);
		if (f != NULL && f->seen) {
			xk_error_set(err, "%s: member %s appears twice",
			    r->path, name);
			return -1;
		}
		if (f != NULL) {
			if (f->vdi_ref == NULL) {
				/* not a disk (an ISO...): its digest too */
				if (read_disk(r, f, NULL, NULL, err) < 0)
					return -1;
			} else if (f->compressed) {
				xk_error_set(err, "%s: %s: compressed disk "
				    "files are not supported", r->path, name);
				return -1;
			} else if (read_disk(r, f, dir, cb, err) < 0)
				return -1;
			f->seen = true;
		} else if (ends_with(name, ".mf") && r->mf_text == NULL) {
			if (read_small(r, e, 1 << 20, &r->mf_text, &r->mf_len,
			    err) < 0 || check_manifest(r, err) < 0)
				return -1;
		} else if (ends_with(name, ".cert")) {
			archive_read_data_skip(r->ar);
		} else {
			xk_error_set(err, "%s: unexpected member '%.100s' (not "
			    "in the descriptor's References)", r->path, name);
			return -1;
		}
	}
	if (rc != ARCHIVE_EOF)
		return ar_fail(r, err, "reading the archive");
	for (size_t i = 0; i < r->ovf->nfiles; i++)
		if (r->ovf->files[i].vdi_ref != NULL &&
		    !r->ovf->files[i].seen) {
			xk_error_set(err, "%s: disk file %s is missing "
			    "(archive truncated?)", r->path,
			    r->ovf->files[i].href);
			return -1;
		}
	return 0;
}

int
xk_ova_read(const char *path, const char *dir, const struct xk_ova_cb *cb,
    struct xk_ovf **ovf, struct xk_error *err)
{
	struct ova_reader r;
	struct archive_entry *e;
	struct hashes h = { NULL, NULL };
	char *text = NULL;
	size_t len;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	r.path = path;
	*ovf = NULL;
	r.ar = archive_read_new();
	r.buf = malloc(BUFSZ);
	if (r.ar == NULL || r.buf == NULL ||
	    archive_read_support_format_tar(r.ar) != ARCHIVE_OK) {
		xk_error_errno(err, ENOMEM, "%s", path);
		goto out;
	}
	if (archive_read_open_filename(r.ar, path, 1 << 16) != ARCHIVE_OK) {
		ar_fail(&r, err, "opening");
		goto out;
	}
	if (archive_read_next_header(r.ar, &e) != ARCHIVE_OK) {
		ar_fail(&r, err, "not an OVA (tar)");
		goto out;
	}
	if (!ends_with(archive_entry_pathname(e), ".ovf") ||
	    strchr(archive_entry_pathname(e), '/') != NULL) {
		xk_error_set(err, "%s: the first member is '%.100s', not the "
		    "OVF descriptor", path, archive_entry_pathname(e));
		goto out;
	}
	snprintf(r.ovf_name, sizeof(r.ovf_name), "%s",
	    archive_entry_pathname(e));
	if (read_small(&r, e, XK_OVF_MAX_DOC, &text, &len, err) < 0)
		goto out;
	if (hash_mem(text, len, r.ovf_sha1, r.ovf_sha256) < 0) {
		xk_error_errno(err, ENOMEM, "%s", path);
		goto out;
	}
	r.ovf = xk_ovf_parse(r.ovf_name, text, len, err);
	if (r.ovf == NULL)
		goto out;
	if (cb != NULL && cb->descriptor != NULL &&
	    cb->descriptor(cb->arg, r.ovf, err) < 0)
		goto out;
	rc = read_members(&r, dir, cb, err);
out:
	hash_free(&h);
	free(text);
	free(r.mf_text);
	free(r.buf);
	if (r.ar != NULL)
		archive_read_free(r.ar);
	if (rc == 0)
		*ovf = r.ovf;
	else
		xk_ovf_free(r.ovf);
	return rc;
}
