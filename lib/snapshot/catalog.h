/*
 * catalog.h - the snapshot catalog: an SQLite database (default
 * /var/lib/xenkit/xenkit.db) that says which snapshots each domain has,
 * how they form a tree, and which disk images hold them.
 *
 * Model (see doc/xk-snapshot.1.scd, DESIGN):
 *   domain    one row per domain name; "current" is the snapshot the
 *             running state descends from (the parent of the next one).
 *   snapshot  name (unique per domain), creation time, parent snapshot,
 *             description, kind (disk|memory), the domain's
 *             configuration at that moment (JSON), memory image.
 *   image     one file (or volume) per disk per state: the active image
 *             the domain writes to (active = 1) and frozen images that
 *             hold snapshots; parent is the backing image (a tree).
 *   snapshot_disk  which frozen image holds snapshot S's disk VDEV.
 *   journal   at most one unfinished operation per domain: its plan
 *             (JSON) and the last step it completed.  See snapshot.h.
 */
#ifndef XK_SNAPSHOT_CATALOG_H
#define XK_SNAPSHOT_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "util/error.h"

#define XK_CATALOG_DEFAULT "/var/lib/xenkit/xenkit.db"

struct xk_catalog;

/* Open (creating the file, its directory and the schema if needed). */
struct xk_catalog *xk_catalog_open(const char *path, struct xk_error *err);
void xk_catalog_close(struct xk_catalog *c);
const char *xk_catalog_path(const struct xk_catalog *c);

/* Transactions: BEGIN IMMEDIATE ... COMMIT (or ROLLBACK). */
int xk_catalog_begin(struct xk_catalog *c, struct xk_error *err);
int xk_catalog_commit(struct xk_catalog *c, struct xk_error *err);
void xk_catalog_rollback(struct xk_catalog *c);

/*
 * Run one SQL statement with bound parameters described by types: one
 * letter per parameter, 'i' int64_t, 's' const char * (NULL binds
 * NULL), 'n' NULL (takes an int64_t argument, ignored).  Returns the number of rows changed.
 */
int xk_catalog_exec(struct xk_catalog *c, struct xk_error *err,
    const char *sql, const char *types, ...);

/*
 * Run a query; return its rows as a JSON array of objects keyed by
 * column name (integers, strings, null).  Catalogs are small.
 */
json_t *xk_catalog_query(struct xk_catalog *c, struct xk_error *err,
    const char *sql, const char *types, ...);

/* The rowid of the last insert. */
int64_t xk_catalog_last_id(struct xk_catalog *c);

/* The domain's id, creating the row when create is true; 0 when absent. */
int64_t xk_catalog_domain(struct xk_catalog *c, const char *name,
    bool create, struct xk_error *err);

#endif
