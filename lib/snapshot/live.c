/*
 * live.c - what a running QEMU says about its disks: the devices
 * (query-block) and each device's chain of block nodes, read from the
 * block graph because node file names go stale once we rename files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot/backend.h"
#include "snapshot/snapshot.h"

/*
 * A xen-block device's "vdev" property as xl names the disk: QEMU
 * prints the whole disk as partition 0 ("xvdb0"), xl.cfg says "xvdb".
 * Only a 0 right after the disk letters goes ("xvda10" is partition 10).
 */
static char *
xen_vdev_name(const char *vdev)
{
	size_t n = strlen(vdev);

	if (n >= 2 && vdev[n - 1] == '0' && vdev[n - 2] >= 'a' &&
	    vdev[n - 2] <= 'z')
		n--;
	return strndup(vdev, n);
}

/*
 * The catalog key of a query-block entry: its drive id (-drive id=),
 * else its device id (-device id=), else the device's "vdev" property
 * (Xen's xen-block devices: "xvda"), else the device's QOM path.
 */
static char *
device_key(struct xk_qmp *q, json_t *blk)
{
	const char *dev = json_string_value(json_object_get(blk, "device"));
	const char *qdev = json_string_value(json_object_get(blk, "qdev"));
	const char *s, *e;
	json_t *v;
	char *key;

	if (dev != NULL && dev[0] != '\0')
		return strdup(dev);
	if (qdev == NULL)
		return NULL;
	/* "/machine/peripheral/ID/virtio-backend" -> ID */
	s = strstr(qdev, "/peripheral/");
	if (s != NULL) {
		s += strlen("/peripheral/");
		e = strchr(s, '/');
		return e ? strndup(s, (size_t)(e - s)) : strdup(s);
	}
	v = xk_qmp_executef(q, 5000, NULL, "qom-get", "{s:s, s:s}", "path",
	    qdev, "property", "vdev");
	key = json_is_string(v) && json_string_length(v) > 0 ?
	    xen_vdev_name(json_string_value(v)) : strdup(qdev);
	json_decref(v);
	return key;
}

char *
xk_snap_live_top(struct xk_qmp *q, const char *vdev, int timeout_ms,
    struct xk_error *err)
{
	json_t *r = xk_qmp_execute(q, "query-block", NULL, timeout_ms, err);
	json_t *blk;
	char *top = NULL;
	size_t i;

	if (r == NULL)
		return NULL;
	json_array_foreach(r, i, blk) {
		char *key = device_key(q, blk);
		const char *n = json_string_value(json_object_get(
		    json_object_get(blk, "inserted"), "node-name"));

		if (key != NULL && strcmp(key, vdev) == 0 && n != NULL)
			top = strdup(n);
		free(key);
		if (top != NULL)
			break;
	}
	json_decref(r);
	if (top == NULL)
		xk_error_set(err, "QEMU has no disk %s with a medium", vdev);
	return top;
}

json_t *
xk_snap_live_chain(struct xk_qmp *q, const char *top_node, int timeout_ms,
    struct xk_error *err)
{
	json_t *g = xk_qmp_execute(q, "x-debug-query-block-graph", NULL,
	    timeout_ms, err);
	json_t *nodes, *edges, *chain, *n, *e;
	json_int_t cur = -1;
	size_t i;

	if (g == NULL)
		return NULL;
	nodes = json_object_get(g, "nodes");
	edges = json_object_get(g, "edges");
	chain = json_array();
	json_array_foreach(nodes, i, n)
		if (strcmp(json_string_value(json_object_get(n, "name")) ?
		    json_string_value(json_object_get(n, "name")) : "",
		    top_node) == 0)
			cur = json_integer_value(json_object_get(n, "id"));
	/* follow "backing" edges; a bound guards against a cycle */
	for (int depth = 0; cur >= 0 && depth < 4096; depth++) {
		json_int_t next = -1;

		json_array_foreach(nodes, i, n)
			if (json_integer_value(json_object_get(n, "id")) ==
			    cur)
				json_array_append(chain, json_object_get(n,
				    "name"));
		json_array_foreach(edges, i, e) {
			const char *en = json_string_value(json_object_get(e,
			    "name"));

			if (json_integer_value(json_object_get(e, "parent")) ==
			    cur && en != NULL && strcmp(en, "backing") == 0)
				next = json_integer_value(json_object_get(e,
				    "child"));
		}
		cur = next;
	}
	json_decref(g);
	if (json_array_size(chain) == 0) {
		xk_error_set(err, "QEMU has no block node %s", top_node);
		json_decref(chain);
		return NULL;
	}
	return chain;
}

static void
disk_from_block(struct xk_qmp *q, json_t *blk, struct xk_snap_disk *d)
{
	json_t *ins = json_object_get(blk, "inserted");
	json_t *img = json_object_get(ins, "image");
	const char *s;

	d->vdev = device_key(q, blk);
	d->removable = json_is_true(json_object_get(blk, "removable"));
	d->empty = ins == NULL;
	if (ins == NULL)
		return;
	d->readonly = json_is_true(json_object_get(ins, "ro"));
	s = json_string_value(json_object_get(ins, "file"));
	d->path = strdup(s ? s : "");
	s = json_string_value(json_object_get(img, "format"));
	d->format = strdup(s ? s : "");
	s = json_string_value(json_object_get(ins, "node-name"));
	d->node = strdup(s ? s : "");
	d->size = (uint64_t)json_integer_value(json_object_get(img,
	    "virtual-size"));
}

int
xk_snap_live_disks(struct xk_qmp *q, int timeout_ms,
    struct xk_snap_disk **disks, size_t *n, struct xk_error *err)
{
	json_t *r = xk_qmp_execute(q, "query-block", NULL, timeout_ms, err);
	json_t *blk;
	size_t i;

	*disks = NULL;
	*n = 0;
	if (r == NULL)
		return -1;
	*disks = calloc(json_array_size(r) + 1, sizeof(**disks));
	if (*disks == NULL) {
		json_decref(r);
		xk_error_errno(err, ENOMEM, "disks");
		return -1;
	}
	json_array_foreach(r, i, blk)
		disk_from_block(q, blk, &(*disks)[(*n)++]);
	json_decref(r);
	return 0;
}

void
xk_snap_disks_free(struct xk_snap_disk *disks, size_t n)
{
	for (size_t i = 0; disks != NULL && i < n; i++) {
		free(disks[i].vdev);
		free(disks[i].path);
		free(disks[i].format);
		free(disks[i].node);
	}
	free(disks);
}

/*
 * Block nodes whose names start with prefix and that nothing uses: no
 * device, node or block job above them in QEMU's block graph.
 */
json_t *
xk_snap_live_unused(struct xk_qmp *q, const char *prefix, int timeout_ms,
    struct xk_error *err)
{
	json_t *g = xk_qmp_execute(q, "x-debug-query-block-graph", NULL,
	    timeout_ms, err);
	json_t *edges, *unused, *n, *e;
	size_t i, j;

	if (g == NULL)
		return NULL;
	edges = json_object_get(g, "edges");
	unused = json_array();
	json_array_foreach(json_object_get(g, "nodes"), i, n) {
		const char *name = json_string_value(json_object_get(n,
		    "name"));
		const char *type = json_string_value(json_object_get(n,
		    "type"));
		json_int_t id = json_integer_value(json_object_get(n, "id"));
		bool used = false;

		if (name == NULL || type == NULL ||
		    strcmp(type, "block-driver") != 0 ||
		    strncmp(name, prefix, strlen(prefix)) != 0)
			continue;
		json_array_foreach(edges, j, e)
			used = used || json_integer_value(json_object_get(e,
			    "child")) == id;
		if (!used)
			json_array_append_new(unused, json_string(name));
	}
	json_decref(g);
	return unused;
}
