/*
 * t2100-domcfg - the typed model: values, defaults, bad values with
 * their location, and the canonical writer.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config/domcfg_json.h"

#include "config/domcfg.h"
#include "harness.h"

static struct xk_domcfg *
load(const char *text, struct xk_error *e)
{
	struct xlcfg *cfg = xlcfg_parse("d.cfg", text, strlen(text), e);

	return cfg != NULL ? xk_domcfg_from_xlcfg(cfg, e) : NULL;
}

static const char *
load_error(const char *text, struct xk_error *e)
{
	struct xk_domcfg *dc = load(text, e);

	if (dc != NULL) {
		xk_domcfg_free(dc);
		return "(accepted)";
	}
	return e->msg;
}

TEST(hvm_config_typed)
{
	struct xk_error e = { 0 };
	struct xk_domcfg *dc = load(
	    "name = \"win\"\ntype = \"hvm\"\nmemory = 2048\nmaxmem = 4096\n"
	    "vcpus = 2\nmaxvcpus = 4\ncpus = \"0-3,^2\"\ncap = 150\n"
	    "acpi = 1\nviridian = 0\nstdvga = 7\nboot = \"dc\"\n"
	    "on_crash = \"coredump-restart\"\nfoo = [\"kept\"]\n"
	    "uuid = \"0a1b2c3d-0000-4000-8000-00163e000001\"\n"
	    "disk = [ '/v/w.img,raw,hda,w', ',hdc:cdrom,r' ]\n"
	    "vif = [ 'mac=00:16:3e:01:02:03, bridge=xenbr0, model=e1000' ]\n",
	    &e);

	CHECK(dc != NULL);
	CHECK_STR_EQ(dc->name, "win");
	CHECK(dc->type == XK_DOMTYPE_HVM && dc->type_given);
	CHECK_INT_EQ(dc->memory, 2048);
	CHECK_INT_EQ(dc->maxmem, 4096);
	CHECK_INT_EQ(dc->maxvcpus, 4);
	CHECK_STR_EQ(dc->cpus.v[0], "0-3,^2");
	CHECK_INT_EQ(dc->cap, 150);
	CHECK_INT_EQ(dc->acpi, 1);
	CHECK_INT_EQ(dc->viridian, 0);
	CHECK_INT_EQ(dc->stdvga, 1);
	CHECK_INT_EQ(dc->hpet, XK_UNSET);
	CHECK(dc->on[XK_ON_CRASH] == XK_ACTION_COREDUMP_RESTART);
	CHECK(dc->on[XK_ON_REBOOT] == XK_ACTION_RESTART);
	CHECK_INT_EQ(dc->ndisks, 2);
	CHECK_STR_EQ(dc->disks[0].vdev, "hda");
	CHECK(dc->disks[1].cdrom && dc->disks[1].format == XK_DISK_FORMAT_EMPTY);
	CHECK_INT_EQ(dc->nvifs, 1);
	CHECK(dc->vifs[0].mac[5] == 3);
	CHECK_STR_EQ(dc->vifs[0].model, "e1000");
	CHECK(!xk_domcfg_key_mapped("foo"));
	CHECK(xlcfg_get(dc->cfg, "foo") != NULL);
	xk_domcfg_free(dc);
}

TEST(defaults_when_unset)
{
	struct xk_error e = { 0 };
	struct xk_domcfg *dc = load("name = \"pv\"\n", &e);

	CHECK(dc != NULL);
	CHECK(dc->type == XK_DOMTYPE_PV && !dc->type_given);
	CHECK_INT_EQ(dc->memory, XK_UNSET);
	CHECK(dc->on[XK_ON_POWEROFF] == XK_ACTION_DESTROY);
	CHECK(dc->on[XK_ON_SOFT_RESET] == XK_ACTION_SOFT_RESET);
	xk_domcfg_free(dc);
	dc = load("builder = \"hvm\"\n", &e);
	CHECK(dc != NULL && dc->type == XK_DOMTYPE_HVM);
	xk_domcfg_free(dc);
}

TEST(bad_values_with_location)
{
	struct xk_error e = { 0 };

	CHECK_STR_HAS(load_error("name = \"x\"\nmemory = \"lots\"\n", &e),
	    "d.cfg:2:10: memory: 'lots' is not a number");
	CHECK_STR_HAS(load_error("memory = 0\n", &e),
	    "memory: 0 is out of range");
	CHECK_STR_HAS(load_error("vcpus = 99999999999999999999\n", &e),
	    "out of range");
	CHECK_STR_HAS(load_error("type = \"kvm\"\n", &e),
	    "d.cfg:1:8: type: unknown value 'kvm' (expected pv pvh hvm)");
	CHECK_STR_HAS(load_error("on_reboot = \"explode\"\n", &e),
	    "on_reboot: unknown value 'explode'");
	CHECK_STR_HAS(load_error("name = [\"a\"]\n", &e),
	    "name: expected a single value, found a list");
	CHECK_STR_HAS(load_error("uuid = \"nope\"\n", &e), "not a UUID");
	CHECK_STR_HAS(load_error("disk = [ 'a', '/x,xvda,w' ]\n", &e),
	    "d.cfg:1:10: disk: disk spec 'a': no vdev given");
	CHECK_STR_HAS(load_error("disk = \"x\"\n", &e),
	    "expected a list of disk specs");
	CHECK_STR_HAS(load_error("vif = [ 'mac=00:16:3e:zz:00:00' ]\n", &e),
	    "mac '00:16:3e:zz:00:00'");
	CHECK_STR_HAS(load_error("vif = [ 'colour=blue' ]\n", &e),
	    "unknown key 'colour'");
	CHECK_STR_HAS(load_error("vif = [ 'rate=fast' ]\n", &e), "rate 'fast'");
}

/* canonical write -> load gives the same typed model */
TEST(canonical_write_round_trips)
{
	struct xk_error e = { 0 };
	struct xk_domcfg *a = load(
	    "extra = \"x\"\nname = 'n'\nmemory = 512\nvcpus = 2\n"
	    "disk = [ 'phy:/dev/vg/root,xvda,w', 'tap:qcow2:/q.qcow2,xvdb,r',"
	    " 'vdev=xvdc, backendtype=qdisk, format=qcow2, target=/a,b,,' ]\n"
	    "vif = [ 'bridge=br0,mac=00:16:3e:aa:bb:cc,rate=10Mb/s,mtu=9000' ]\n"
	    "unknownkey = [ 1, [ 2 ] ]\n", &e);
	struct xk_domcfg *b;
	struct strbuf sb = STRBUF_INIT;

	CHECK(a != NULL);
	CHECK(xk_domcfg_write(&sb, a, &e) == 0);
	CHECK_STR_HAS(sb.buf, "name = \"n\"\nmemory = 512\nvcpus = 2\n"
	    "extra = \"x\"\n");
	b = load(sb.buf, &e);
	CHECK(b != NULL);
	CHECK_INT_EQ(b->ndisks, 3);
	for (size_t i = 0; i < 3; i++) {
		CHECK_STR_EQ(a->disks[i].target, b->disks[i].target);
		CHECK_STR_EQ(a->disks[i].vdev, b->disks[i].vdev);
		CHECK(a->disks[i].format == b->disks[i].format);
		CHECK(a->disks[i].readwrite == b->disks[i].readwrite);
		CHECK(a->disks[i].backendtype == b->disks[i].backendtype);
	}
	CHECK_STR_EQ(b->disks[2].target, "/a,b,");
	CHECK(memcmp(a->vifs[0].mac, b->vifs[0].mac, 6) == 0);
	CHECK_INT_EQ(b->vifs[0].mtu, 9000);
	CHECK_STR_EQ(b->vifs[0].rate, "10Mb/s");
	CHECK(xlcfg_value_equal(xlcfg_get(a->cfg, "unknownkey"),
	    xlcfg_get(b->cfg, "unknownkey")));
	xk_domcfg_free(a);
	xk_domcfg_free(b);
	strbuf_free(&sb);
}

/* The typed model as JSON, without what a rewrite may change. */
static json_t *
typed_json(const struct xk_domcfg *dc)
{
	json_t *o = xk_domcfg_to_json(dc), *d;
	size_t i;

	json_object_del(o, "file");
	json_object_del(o, "notes");
	json_object_del(o, "settings");
	json_array_foreach(json_object_get(o, "disks"), i, d)
		json_object_del(d, "deprecated_syntax");
	return o;
}

/* Every good corpus file: canonical form -> load -> same typed model. */
TEST(corpus_canonical_round_trip)
{
	char dir[4096], path[8192];
	struct dirent *de;
	int files = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/config/corpus/good", xk_test_datadir());
	d = opendir(dir);
	CHECK(d != NULL);
	while ((de = readdir(d)) != NULL) {
		struct xk_error e = { 0 };
		struct strbuf sb = STRBUF_INIT;
		struct xk_domcfg *a, *b = NULL;
		json_t *ja, *jb;
		bool same;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		a = xk_domcfg_load(path, &e);
		CHECK(a != NULL);
		CHECK(xk_domcfg_write(&sb, a, &e) == 0);
		b = load(strbuf_str(&sb), &e);
		if (b == NULL)
			printf("#   %s: canonical form rejected: %s\n",
			    de->d_name, e.msg);
		CHECK(b != NULL);
		ja = typed_json(a);
		jb = typed_json(b);
		same = json_equal(ja, jb);
		if (!same) {
			char *x = json_dumps(ja, JSON_SORT_KEYS);
			char *y = json_dumps(jb, JSON_SORT_KEYS);

			printf("#   %s:\n#   %s\n#   %s\n", de->d_name, x, y);
			free(x);
			free(y);
		}
		json_decref(ja);
		json_decref(jb);
		xk_domcfg_free(a);
		xk_domcfg_free(b);
		strbuf_free(&sb);
		CHECK(same);
		files++;
	}
	closedir(d);
	CHECK(files >= 9);
}
