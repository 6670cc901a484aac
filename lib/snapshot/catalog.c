/*
 * catalog.c - the SQLite catalog: schema, transactions, small helpers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "snapshot/catalog.h"

struct xk_catalog {
	sqlite3 *db;
	char *path;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS domain ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " name TEXT NOT NULL UNIQUE,"
    " current INTEGER);"
    "CREATE TABLE IF NOT EXISTS snapshot ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " domain INTEGER NOT NULL REFERENCES domain(id),"
    " name TEXT NOT NULL,"
    " parent INTEGER REFERENCES snapshot(id),"
    " created INTEGER NOT NULL,"
    " description TEXT,"
    " kind TEXT NOT NULL,"
    " vmstate TEXT,"
    " memory TEXT,"
    " config TEXT,"
    " UNIQUE (domain, name));"
    "CREATE TABLE IF NOT EXISTS image ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " domain INTEGER NOT NULL REFERENCES domain(id),"
    " vdev TEXT NOT NULL,"
    " backend TEXT NOT NULL,"
    " path TEXT NOT NULL,"
    " format TEXT NOT NULL,"
    " parent INTEGER REFERENCES image(id),"
    " active INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS snapshot_disk ("
    " snapshot INTEGER NOT NULL REFERENCES snapshot(id),"
    " vdev TEXT NOT NULL,"
    " image INTEGER NOT NULL REFERENCES image(id),"
    " PRIMARY KEY (snapshot, vdev));"
    "CREATE TABLE IF NOT EXISTS journal ("
    " domain INTEGER PRIMARY KEY REFERENCES domain(id),"
    " op TEXT NOT NULL,"
    " snapshot TEXT NOT NULL,"
    " step INTEGER NOT NULL,"
    " started INTEGER NOT NULL,"
    " pid INTEGER NOT NULL,"
    " plan TEXT NOT NULL);";

static void
db_error(struct xk_catalog *c, struct xk_error *err, const char *what)
{
	xk_error_set(err, "catalog %s: %s: %s", c->path, what,
	    sqlite3_errmsg(c->db));
}

static int
mkdir_parent(const char *path, struct xk_error *err)
{
	char *dir = strdup(path), *slash;
	int r = 0;

	if (dir == NULL) {
		xk_error_errno(err, ENOMEM, "catalog");
		return -1;
	}
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			xk_error_errno(err, errno, "catalog directory %s",
			    dir);
			r = -1;
		}
	}
	free(dir);
	return r;
}

struct xk_catalog *
xk_catalog_open(const char *path, struct xk_error *err)
{
	struct xk_catalog *c = calloc(1, sizeof(*c));
	char *msg = NULL;

	if (c == NULL || (c->path = strdup(path)) == NULL) {
		free(c);
		xk_error_errno(err, ENOMEM, "catalog");
		return NULL;
	}
	if (mkdir_parent(path, err) < 0)
		goto fail;
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		db_error(c, err, "open");
		goto fail;
	}
	/* many short writers (one per xk process): wait, do not fail */
	sqlite3_busy_timeout(c->db, 10000);
	if (sqlite3_exec(c->db, "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL;PRAGMA foreign_keys=ON;", NULL, NULL,
	    &msg) != SQLITE_OK || sqlite3_exec(c->db, schema, NULL, NULL,
	    &msg) != SQLITE_OK) {
		xk_error_set(err, "catalog %s: schema: %s", path,
		    msg ? msg : sqlite3_errmsg(c->db));
		sqlite3_free(msg);
		goto fail;
	}
	return c;
fail:
	xk_catalog_close(c);
	return NULL;
}

void
xk_catalog_close(struct xk_catalog *c)
{
	if (c == NULL)
		return;
	sqlite3_close(c->db);
	free(c->path);
	free(c);
}

const char *
xk_catalog_path(const struct xk_catalog *c)
{
	return c->path;
}

int
xk_catalog_begin(struct xk_catalog *c, struct xk_error *err)
{
	if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		db_error(c, err, "begin");
		return -1;
	}
	return 0;
}

int
xk_catalog_commit(struct xk_catalog *c, struct xk_error *err)
{
	if (sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		db_error(c, err, "commit");
		xk_catalog_rollback(c);
		return -1;
	}
	return 0;
}

void
xk_catalog_rollback(struct xk_catalog *c)
{
	if (!sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

static sqlite3_stmt *
prepare(struct xk_catalog *c, struct xk_error *err, const char *sql,
    const char *types, va_list ap)
{
	sqlite3_stmt *st;
	int r = SQLITE_OK;

	if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_error(c, err, sql);
		return NULL;
	}
	for (int i = 1; types[i - 1] != '\0' && r == SQLITE_OK; i++) {
		switch (types[i - 1]) {
		case 'i':
			r = sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			r = s ? sqlite3_bind_text(st, i, s, -1,
			    SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
			break;
		}
		default:	/* 'n': NULL; its argument is ignored */
			(void)va_arg(ap, int64_t);
			r = sqlite3_bind_null(st, i);
			break;
		}
	}
	if (r != SQLITE_OK) {
		db_error(c, err, "bind");
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

int
xk_catalog_exec(struct xk_catalog *c, struct xk_error *err,
    const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int r;

	va_start(ap, types);
	st = prepare(c, err, sql, types, ap);
	va_end(ap);
	if (st == NULL)
		return -1;
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE && r != SQLITE_ROW) {
		db_error(c, err, sql);
		return -1;
	}
	return sqlite3_changes(c->db);
}

static json_t *
column(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	case SQLITE_NULL:
		return json_null();
	default:
		return json_string((const char *)sqlite3_column_text(st, i));
	}
}

json_t *
xk_catalog_query(struct xk_catalog *c, struct xk_error *err,
    const char *sql, const char *types, ...)
{
	json_t *rows = json_array();
	sqlite3_stmt *st;
	va_list ap;
	int r;

	va_start(ap, types);
	st = prepare(c, err, sql, types, ap);
	va_end(ap);
	if (st == NULL || rows == NULL) {
		json_decref(rows);
		sqlite3_finalize(st);
		return NULL;
	}
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *row = json_object();

		for (int i = 0; row != NULL && i < sqlite3_column_count(st);
		    i++)
			json_object_set_new(row, sqlite3_column_name(st, i),
			    column(st, i));
		json_array_append_new(rows, row);
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE) {
		db_error(c, err, sql);
		json_decref(rows);
		return NULL;
	}
	return rows;
}

int64_t
xk_catalog_last_id(struct xk_catalog *c)
{
	return sqlite3_last_insert_rowid(c->db);
}

int64_t
xk_catalog_domain(struct xk_catalog *c, const char *name, bool create,
    struct xk_error *err)
{
	json_t *rows;
	int64_t id = 0;

	if (create && xk_catalog_exec(c, err, "INSERT OR IGNORE INTO "
	    "domain (name) VALUES (?)", "s", name) < 0)
		return -1;
	rows = xk_catalog_query(c, err, "SELECT id FROM domain WHERE "
	    "name = ?", "s", name);
	if (rows == NULL)
		return -1;
	if (json_array_size(rows) == 1)
		id = json_integer_value(json_object_get(json_array_get(rows,
		    0), "id"));
	json_decref(rows);
	return id;
}
