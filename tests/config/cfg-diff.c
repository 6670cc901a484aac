/*
 * cfg-diff - `xk cfg show --json` against Xen's own libxlutil.
 *
 *   cfg-diff XK CORPUS-DIR [GOOD-FILE...]
 *
 * CORPUS-DIR/good/ holds configs both must accept, CORPUS-DIR/bad/ ones
 * both must reject.  For a good file, every key libxlutil knows (each
 * identifier that starts a statement in the file) must have the same
 * value in xk's "settings" (strings, nested lists, "+=" applied), xk
 * must have no key libxlutil lacks, and every disk spec must parse to
 * the same libxl_device_disk fields as xlu_disk_parse gives.  Prints
 * "ok - FILE" lines and "N passed, N failed".
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <jansson.h>
#include <libxl.h>
#include <libxlutil.h>

static json_t *value_json(const XLU_Config *cfg, XLU_ConfigValue *v);

static json_t *
list_json(const XLU_Config *cfg, XLU_ConfigList *l)
{
	json_t *a = json_array();
	XLU_ConfigValue *item;

	for (int i = 0; (item = xlu_cfg_get_listitem2(l, i)) != NULL; i++)
		json_array_append_new(a, value_json(cfg, item));
	return a;
}

static json_t *
value_json(const XLU_Config *cfg, XLU_ConfigValue *v)
{
	XLU_ConfigList *l;
	char *s;

	if (xlu_cfg_value_type(v) == XLU_STRING)
		return xlu_cfg_value_get_string(cfg, v, &s, 1) == 0 ?
		    json_string(s) : json_null();
	return xlu_cfg_value_get_list(cfg, v, &l, 1) == 0 ?
	    list_json(cfg, l) : json_null();
}

static json_t *
key_json(const XLU_Config *cfg, const char *key)
{
	XLU_ConfigList *l;
	const char *s;

	if (xlu_cfg_get_string(cfg, key, &s, 1) == 0)
		return json_string(s);
	if (xlu_cfg_get_list(cfg, key, &l, NULL, 1) == 0)
		return list_json(cfg, l);
	return NULL;
}

/* The disk as libxl sees it, in xk's field names. */
static json_t *
xlu_disk(XLU_Config *cfg, const char *spec)
{
	libxl_device_disk d;
	json_t *o = NULL;

	libxl_device_disk_init(&d);
	if (xlu_disk_parse(cfg, 1, &spec, &d) == 0)
		o = json_pack("{s:s?, s:s, s:s, s:s, s:s, s:b, s:b, s:s?,"
		    " s:s?, s:b}",
		    "target", d.pdev_path, "vdev", d.vdev,
		    "format", libxl_disk_format_to_string(d.format),
		    "backendtype", libxl_disk_backend_to_string(d.backend),
		    "access", d.readwrite ? "rw" : "ro",
		    "cdrom", d.is_cdrom, "removable", d.removable,
		    "script", d.script, "backend", d.backend_domname,
		    "direct_io_safe", d.direct_io_safe);
	libxl_device_disk_dispose(&d);
	return o;
}

/* Identifiers that start a statement: what libxlutil may have set. */
static json_t *
candidate_keys(const char *path)
{
	json_t *keys = json_object();
	FILE *f = fopen(path, "r");
	char line[8192];

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *p = line;

		for (;;) {
			char key[256];
			size_t n = 0;

			while (*p == ' ' || *p == '\t' || *p == ';')
				p++;
			while ((islower((unsigned char)p[n]) ||
			    isdigit((unsigned char)p[n]) || p[n] == '_' ||
			    p[n] == '.') && n < sizeof(key) - 1)
				n++;
			if (n == 0)
				break;
			memcpy(key, p, n);
			key[n] = '\0';
			json_object_set_new(keys, key, json_true());
			p = strchr(p + n, ';');
			if (p == NULL)
				break;
			p++;
		}
	}
	if (f != NULL)
		fclose(f);
	return keys;
}

static json_t *
run_xk(const char *xk, const char *path, int *status)
{
	char cmd[8192];
	json_error_t jerr;
	json_t *doc;
	FILE *p;

	if ((size_t)snprintf(cmd, sizeof(cmd), "'%s' cfg show --json '%s' "
	    "2>/dev/null", xk, path) >= sizeof(cmd))
		return NULL;
	p = popen(cmd, "r");
	if (p == NULL)
		return NULL;
	doc = json_loadf(p, JSON_DISABLE_EOF_CHECK, &jerr);
	*status = pclose(p);
	return doc;
}

static int
compare_disks(XLU_Config *cfg, json_t *xkdoc, const char *file)
{
	XLU_ConfigList *l;
	json_t *disks = json_object_get(xkdoc, "disks");
	const char *spec;
	int bad = 0;

	if (xlu_cfg_get_list(cfg, "disk", &l, NULL, 1) != 0)
		return json_array_size(disks) == 0 ? 0 : 1;
	for (int i = 0; (spec = xlu_cfg_get_listitem(l, i)) != NULL; i++) {
		json_t *want = xlu_disk(cfg, spec);
		json_t *got = json_array_get(disks, (size_t)i);
		const char *k;
		json_t *v;

		if (want == NULL) {
			printf("#   %s: libxlutil rejects disk '%s'\n", file,
			    spec);
			bad++;
			continue;
		}
		json_object_foreach(want, k, v) {
			json_t *g = json_object_get(got, k);

			if (g == NULL || !json_equal(g, v)) {
				char *w = json_dumps(v, JSON_ENCODE_ANY);
				char *x = g ? json_dumps(g, JSON_ENCODE_ANY) :
				    NULL;

				printf("#   %s: disk %d '%s': %s: libxlutil %s, "
				    "xk %s\n", file, i, spec, k, w,
				    x ? x : "(missing)");
				free(w);
				free(x);
				bad++;
			}
		}
		json_decref(want);
	}
	return bad;
}

static int
compare_settings(XLU_Config *cfg, json_t *xkdoc, const char *path,
    const char *file)
{
	json_t *settings = json_object_get(xkdoc, "settings");
	json_t *keys = candidate_keys(path), *v;
	const char *k;
	int bad = 0;

	json_object_foreach(keys, k, v) {
		json_t *want = key_json(cfg, k);
		json_t *got = json_object_get(settings, k);

		if ((want == NULL) != (got == NULL) ||
		    (want != NULL && !json_equal(want, got))) {
			char *w = want ? json_dumps(want, JSON_ENCODE_ANY) : NULL;
			char *g = got ? json_dumps(got, JSON_ENCODE_ANY) : NULL;

			printf("#   %s: key %s: libxlutil %s, xk %s\n", file, k,
			    w ? w : "(unset)", g ? g : "(unset)");
			free(w);
			free(g);
			bad++;
		}
		json_decref(want);
	}
	json_object_foreach(settings, k, v) {
		if (json_object_get(keys, k) == NULL) {
			printf("#   %s: xk has key %s that the file does not "
			    "start a statement with\n", file, k);
			bad++;
		}
	}
	json_decref(keys);
	return bad;
}

/* 0 when xk and libxlutil agree on path; expect_ok from the folder. */
static int
check_file(const char *xk, const char *path, const char *file, int expect_ok)
{
	XLU_Config *cfg = xlu_cfg_init(fopen("/dev/null", "w"), path);
	json_t *doc;
	int status, xlu_ok, xk_ok, bad = 0;

	if (cfg == NULL)
		return 1;
	xlu_ok = xlu_cfg_readfile(cfg, path) == 0;
	doc = run_xk(xk, path, &status);
	xk_ok = doc != NULL && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (xlu_ok != expect_ok || xk_ok != expect_ok) {
		printf("#   %s: expected %s; libxlutil %s, xk %s\n", file,
		    expect_ok ? "accepted" : "rejected",
		    xlu_ok ? "accepts" : "rejects", xk_ok ? "accepts" :
		    "rejects");
		bad = 1;
	} else if (xlu_ok) {
		bad = compare_settings(cfg, doc, path, file) +
		    compare_disks(cfg, doc, file);
	}
	json_decref(doc);
	xlu_cfg_destroy(cfg);
	return bad;
}

static int
run_dir(const char *xk, const char *corpus, const char *sub, int expect_ok,
    int *passed, int *failed)
{
	char dir[4096], path[8192];
	struct dirent **names;
	int n;

	snprintf(dir, sizeof(dir), "%s/%s", corpus, sub);
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		perror(dir);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			int bad;

			if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
			    names[i]->d_name) >= sizeof(path))
				continue;
			bad = check_file(xk, path, names[i]->d_name, expect_ok);
			printf("%s - %s/%s\n", bad ? "not ok" : "ok", sub,
			    names[i]->d_name);
			*(bad ? failed : passed) += 1;
		}
		free(names[i]);
	}
	free(names);
	return 0;
}

int
main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: cfg-diff XK CORPUS-DIR [GOOD-FILE...]\n");
		return 2;
	}
	if (run_dir(argv[1], argv[2], "good", 1, &passed, &failed) < 0 ||
	    run_dir(argv[1], argv[2], "bad", 0, &passed, &failed) < 0)
		return 2;
	/* Extra files that must be accepted: the examples Debian ships. */
	for (int i = 3; i < argc; i++) {
		int bad = check_file(argv[1], argv[i], argv[i], 1);

		printf("%s - %s\n", bad ? "not ok" : "ok", argv[i]);
		*(bad ? &failed : &passed) += 1;
	}
	if (passed + failed == 0) {
		fprintf(stderr, "cfg-diff: empty corpus\n");
		return 2;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
