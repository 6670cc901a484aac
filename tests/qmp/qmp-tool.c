/*
 * qmp-tool - the tests' hands on a QEMU, through lib/qmp:
 *   qmp-tool SOCKET exec CMD [ARGS-JSON]   print the return value
 *   qmp-tool SOCKET hmp 'COMMAND LINE'      print HMP's output
 *   qmp-tool SOCKET write DEV BYTE OFF LEN  fill through the device
 *                                           (HMP qemu-io on DEV)
 *   qmp-tool SOCKET verify DEV BYTE OFF LEN check what the guest would
 *                                           read: an NBD export of the
 *                                           device's top node, libnbd
 *   qmp-tool SOCKET time CMD ARGS-JSON      exec, and print how long
 *                                           the command took (ms)
 *   qmp-tool SOCKET hold                    connect, print "connected",
 *                                           stay until stdin closes
 *   qmp-tool SOCKET unused                  print the block nodes that
 *                                           nothing uses (no device,
 *                                           node or job above them),
 *                                           one per line
 * Exit 1 with the error on stderr when anything fails.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libnbd.h>

#include "qmp/qmp.h"

#define T 60000

static int
fill(struct xk_qmp *q, char **argv, struct xk_error *err)
{
	char cmd[256], *out = NULL;
	int r;

	snprintf(cmd, sizeof(cmd), "qemu-io %s \"write -P %s %s %s\"",
	    argv[3], argv[4], argv[5], argv[6]);
	r = xk_qmp_hmp(q, cmd, &out, T, err);
	if (r == 0 && out[0] != '\0') {	/* success is silent */
		xk_error_set(err, "%s: %s", cmd, out);
		r = -1;
	}
	free(out);
	return r;
}

static char *
top_node(struct xk_qmp *q, const char *dev, struct xk_error *err)
{
	json_t *r = xk_qmp_execute(q, "query-block", NULL, T, err), *b;
	char *top = NULL;
	size_t i;

	json_array_foreach(r, i, b) {
		const char *d = json_string_value(json_object_get(b,
		    "device"));
		const char *n = json_string_value(json_object_get(
		    json_object_get(b, "inserted"), "node-name"));

		if (d != NULL && n != NULL && strcmp(d, dev) == 0)
			top = strdup(n);
	}
	json_decref(r);
	if (top == NULL)
		xk_error_set(err, "no device %s", dev);
	return top;
}

static int
nbd_check(const char *sock, int byte, size_t off, size_t len,
    struct xk_error *err)
{
	struct nbd_handle *h = nbd_create();
	unsigned char *buf = malloc(len);
	int r = -1;

	if (h == NULL || buf == NULL || nbd_set_export_name(h, "xkv") < 0 ||
	    nbd_connect_unix(h, sock) < 0 || nbd_pread(h, buf, len, off,
	    0) < 0) {
		xk_error_set(err, "nbd: %s", nbd_get_error());
		goto out;
	}
	for (size_t i = 0; i < len; i++)
		if (buf[i] != byte) {
			xk_error_set(err, "byte %zu is 0x%02x, not 0x%02x",
			    off + i, buf[i], byte);
			goto out;
		}
	r = 0;
out:
	if (h != NULL)
		nbd_close(h);
	free(buf);
	return r;
}

static int
verify(struct xk_qmp *q, const char *qsock, char **argv,
    struct xk_error *err)
{
	char sock[600], *top;
	json_t *r;
	int rc = -1;

	snprintf(sock, sizeof(sock), "%s.nbd", qsock);
	/* SocketAddressLegacy: the address sits under "data" */
	r = xk_qmp_executef(q, T, err, "nbd-server-start", "{s:{s:s, s:{s:s}}}",
	    "addr", "type", "unix", "data", "path", sock);
	if (r == NULL)
		return -1;
	json_decref(r);
	if ((top = top_node(q, argv[3], err)) == NULL)
		goto stop;
	r = xk_qmp_executef(q, T, err, "block-export-add", "{s:s, s:s, s:s, "
	    "s:s, s:b}", "type", "nbd", "id", "xkv", "node-name", top,
	    "name", "xkv", "writable", 0);
	free(top);
	if (r == NULL)
		goto stop;
	json_decref(r);
	rc = nbd_check(sock, (int)strtol(argv[4], NULL, 0),
	    strtoul(argv[5], NULL, 0), strtoul(argv[6], NULL, 0), err);
	json_decref(xk_qmp_executef(q, T, NULL, "block-export-del", "{s:s}",
	    "id", "xkv"));
	json_decref(xk_qmp_wait_event(q, "BLOCK_EXPORT_DELETED", NULL, NULL,
	    T, NULL));
stop:
	json_decref(xk_qmp_execute(q, "nbd-server-stop", NULL, T, NULL));
	return rc;
}

/* Nodes with no parent in QEMU's block graph: open, needed by nothing. */
static int
unused(struct xk_qmp *q, struct xk_error *err)
{
	json_t *g = xk_qmp_execute(q, "x-debug-query-block-graph", NULL, T,
	    err), *n, *e;
	json_t *edges = json_object_get(g, "edges");
	size_t i, j;

	if (g == NULL)
		return -1;
	json_array_foreach(json_object_get(g, "nodes"), i, n) {
		json_int_t id = json_integer_value(json_object_get(n, "id"));
		bool used = false;

		if (strcmp(json_string_value(json_object_get(n, "type")),
		    "block-driver") != 0)
			continue;
		json_array_foreach(edges, j, e)
			used = used || json_integer_value(json_object_get(e,
			    "child")) == id;
		if (!used)
			printf("%s\n", json_string_value(json_object_get(n,
			    "name")));
	}
	json_decref(g);
	return 0;
}

int
main(int argc, char **argv)
{
	struct xk_error err = { 0 };
	struct xk_qmp *q;
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: qmp-tool SOCKET exec|hmp|write|verify|"
		    "hold ...\n");
		return 2;
	}
	q = xk_qmp_connect(argv[1], NULL, 5000, &err);
	if (q == NULL) {
		fprintf(stderr, "qmp-tool: %s\n", err.msg);
		return 1;
	}
	if (strcmp(argv[2], "hold") == 0) {
		char c;

		printf("connected\n");
		fflush(stdout);
		while (read(0, &c, 1) > 0)
			;
	} else if (strcmp(argv[2], "hmp") == 0 && argc == 4) {
		char *out = NULL;

		if (xk_qmp_hmp(q, argv[3], &out, T, &err) < 0)
			rc = 1;
		else
			fputs(out, stdout);
		free(out);
	} else if (strcmp(argv[2], "unused") == 0 && argc == 3) {
		rc = unused(q, &err) < 0;
	} else if (strcmp(argv[2], "write") == 0 && argc == 7) {
		rc = fill(q, argv, &err) < 0;
	} else if (strcmp(argv[2], "verify") == 0 && argc == 7) {
		rc = verify(q, argv[1], argv, &err) < 0;
	} else if (strcmp(argv[2], "time") == 0 && argc == 5) {
		struct timespec a, b;
		json_error_t je;
		json_t *args = json_loads(argv[4], 0, &je), *r;

		clock_gettime(CLOCK_MONOTONIC, &a);
		r = xk_qmp_execute(q, argv[3], args, T, &err);
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (r == NULL)
			rc = 1;
		else
			printf("%.3f\n", (b.tv_sec - a.tv_sec) * 1e3 +
			    (b.tv_nsec - a.tv_nsec) / 1e6);
		json_decref(r);
	} else if (strcmp(argv[2], "exec") == 0 && argc >= 4) {
		json_error_t je;
		json_t *args = argc > 4 ? json_loads(argv[4], 0, &je) : NULL;
		json_t *r = xk_qmp_execute(q, argv[3], args, T, &err);

		if (r == NULL) {
			rc = 1;
		} else {
			json_dumpf(r, stdout, JSON_COMPACT | JSON_SORT_KEYS |
			    JSON_ENCODE_ANY);
			putchar('\n');
			json_decref(r);
		}
	} else {
		xk_error_set(&err, "bad arguments");
		rc = 2;
	}
	if (rc != 0)
		fprintf(stderr, "qmp-tool: %s\n", err.msg);
	xk_qmp_close(q);
	return rc;
}
