#ifndef XK_HOTPLUG_HOTPLUG_H
#define XK_HOTPLUG_HOTPLUG_H
/*
 * hotplug.h - what xenkit's hotplug scripts (share/hotplug) would
 * otherwise pay a fork for each time: several xenstore nodes read or
 * written in one transaction, and the sharing check of a block device
 * against every vbd of the host, read once.  See xk-hotplug(7).
 */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

struct xs_handle;

/*
 * Read base/names[i] (names[i] itself when absolute) for i < n in one
 * transaction: values[i] is malloc'ed, or NULL when the node is absent.
 */
int xk_hp_read(struct xs_handle *xs, const char *base,
    const char *const *names, size_t n, char **values, struct xk_error *err);

/* Write base/names[i] = values[i] (NULL: remove it) in one transaction. */
int xk_hp_write(struct xs_handle *xs, const char *base,
    const char *const *names, const char *const *values, size_t n,
    struct xk_error *err);

/*
 * What a disk is, for the sharing rules: a regular file by its device
 * and inode; a block device by its number, a loop device by the file
 * behind it (so a file seen through two loop devices is one disk).
 */
struct xk_hp_ident {
	int file;		/* 1: dev+ino of a file; 0: rdev */
	dev_t dev;
	ino_t ino;
};

int xk_hp_ident_path(const char *path, struct xk_hp_ident *id,
    struct xk_error *err);
/* file-DEV-INO or dev-MAJOR-MINOR: the disk's lock name */
void xk_hp_ident_name(const struct xk_hp_ident *id, char *buf, size_t len);
void xk_hp_ident_devnum(unsigned int major, unsigned int minor,
    struct xk_hp_ident *id);

/*
 * The sharing check of Xen's `block` for the vbd at self (its backend
 * path) asking for target in mode 'r' or 'w': 0 when it may be used,
 * 1 when not (why says by whom), -1 on error.
 */
int xk_hp_check_sharing(struct xs_handle *xs, const char *self,
    const char *target, char mode, char *why, size_t whylen,
    struct xk_error *err);

/*
 * The lock dir/name (shared or exclusive, waited for at most secs): its
 * descriptor, or -1.  xk_hp_unlock lets go, removing the file when no
 * one else holds it.
 */
int xk_hp_lock(const char *dir, const char *name, bool shared,
    unsigned int secs, struct xk_error *err);
void xk_hp_unlock(const char *dir, const char *name, int fd);

/*
 * A block add for the vbd at base: under the disk's lock (shared for
 * mode 'r'), the backend still waiting (a file), the sharing check
 * (unless mode '!'), a loop device for a file, then physical-device,
 * physical-device-path, hotplug-status=connected and node (a file's
 * loop device) in one transaction.  0 with the device in why, 1
 * refused with why set, -1 on error.
 */
int xk_hp_attach_disk(struct xs_handle *xs, const char *base,
    const char *path, char mode, const char *lockdir, unsigned int secs,
    char *why, size_t whylen, struct xk_error *err);

#endif
