/*
 * tempfile.h - an output's life under a temporary name, then renamed
 * into place: the one way xenkit writes a file that must never be seen
 * half-written.
 *
 *	struct xk_tempfile t;
 *	xk_tempfile_open(&t, "out.vhd", err);	   .out.vhd.xk-HOST.PID.RAND
 *	... write to t.fd ...
 *	xk_tempfile_commit(&t, err);	fsync, rename over out.vhd, sync dir
 *	(or, on any failure, xk_tempfile_abort(&t, err): unlink)
 *
 * The temporary sits beside its destination (same file system, so the
 * rename is atomic) and its name says whose it is: the host and the
 * process id of the writer.  A writer killed with SIGKILL cannot clean
 * up, so a later run calls xk_tempfile_sweep() on the directories it
 * writes to: every xenkit temporary there whose writer was on this host
 * and is gone is removed, and the caller is told which.  A signal that
 * can be caught (SIGINT, SIGTERM, SIGHUP) goes through util/interrupt.h:
 * the write loops fail, the error paths call xk_tempfile_abort(), and
 * the message says which partial outputs were removed.
 *
 * Journaled operations (snapshots) name their temporaries themselves,
 * so that recovery finds them: xk_tempfile_open_named().
 */
#ifndef XK_UTIL_TEMPFILE_H
#define XK_UTIL_TEMPFILE_H

#include <stddef.h>

#include "util/error.h"

struct xk_tempfile {
	char *dest;	/* the final name */
	char *tmp;	/* the temporary; NULL once renamed or removed */
	int fd;		/* open for reading and writing; -1 when closed */
};

#define XK_TEMPFILE_INIT { NULL, NULL, -1 }

/* Create a new temporary beside dest (O_EXCL, mode 0666 & ~umask). */
int xk_tempfile_open(struct xk_tempfile *t, const char *dest,
    struct xk_error *err);
/*
 * Create (or truncate) tmp, a name the caller chose and records in its
 * journal, to become dest.
 */
int xk_tempfile_open_named(struct xk_tempfile *t, const char *dest,
    const char *tmp, struct xk_error *err);
/*
 * Make the output durable and visible: fsync and close the descriptor
 * (when open; a file some other program wrote is flushed by it), rename
 * over dest, fsync dest's directory.  On failure the temporary is
 * removed (as by xk_tempfile_abort) unless the rename was done.
 */
int xk_tempfile_commit(struct xk_tempfile *t, struct xk_error *err);
/*
 * Close and remove the temporary, if any, and free t's names; safe on a
 * committed, aborted or never opened (XK_TEMPFILE_INIT) t.  When a
 * signal was caught, err (may be NULL) gets the removal appended.
 */
void xk_tempfile_abort(struct xk_tempfile *t, struct xk_error *err);

/* A whole small file at once: open, write all of data, commit. */
int xk_tempfile_write(const char *dest, const void *data, size_t len,
    struct xk_error *err);

/* rename(2) from to, then fsync to's directory. */
int xk_rename_durable(const char *from, const char *to,
    struct xk_error *err);

/* What a sweep removed: the temporaries' paths. */
struct xk_swept {
	char **paths;
	size_t n;
};

/*
 * Remove the temporaries that xk_tempfile_open() made in dir (or in
 * the directory of a file path, see xk_tempfile_sweep_for) for writers
 * on this host that are no longer running.  Ones of other hosts (a
 * shared file system) or of live writers are left alone.  Appends what
 * it removed to *swept (the caller frees it with xk_swept_free).
 */
int xk_tempfile_sweep(const char *dir, struct xk_swept *swept,
    struct xk_error *err);
/* The same for the directory that will hold the file path. */
int xk_tempfile_sweep_for(const char *path, struct xk_swept *swept,
    struct xk_error *err);
void xk_swept_free(struct xk_swept *swept);

/*
 * Is name (a directory entry) one of our temporaries, and of whom?
 * Exposed for the sweep's tests.  Returns 1 and fills host (at least
 * 65 bytes) and *pid when it is, 0 when not.
 */
int xk_tempfile_owner(const char *name, char *host, size_t hostlen,
    long *pid);

#endif
