/*
 * vifspec.c - parse vif specs as xl 4.17 does (xl_parse.c,
 * parse_nic_config): the spec is split at ',', blanks before a key are
 * skipped, and every item must be KEY=VALUE with a key xl knows.  A
 * repeated key replaces the earlier value, as in xl.
 */
#include <ctype.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/vifspec.h"

static int
replace(char **slot, const char *v)
{
	char *s = strdup(v);

	if (s == NULL)
		return -1;
	free(*slot);
	*slot = s;
	return 0;
}

static int
parse_mac(const char *spec, const char *v, struct xk_vif *vif,
    struct xk_error *err)
{
	const char *p = v;

	for (int i = 0; i < 6; i++) {
		char *end;
		unsigned long b;

		if (!isxdigit((unsigned char)*p))
			goto bad;
		b = strtoul(p, &end, 16);
		if (b > 255 || end - p > 2)
			goto bad;
		if (i < 5 && *end != ':')
			goto bad;
		if (i == 5 && *end != '\0')
			goto bad;
		vif->mac[i] = (uint8_t)b;
		p = end + 1;
	}
	vif->has_mac = true;
	return 0;
bad:
	xk_error_set(err, "vif spec '%s': mac '%s': expected six hex octets "
	    "like 00:16:3e:12:34:56", spec, v);
	return -1;
}

static int
parse_long(const char *spec, const char *key, const char *v, long min,
    long max, long *out, struct xk_error *err)
{
	char *end;
	long l;

	errno = 0;
	l = strtol(v, &end, 10);
	if (end == v || *end != '\0' || errno != 0 || l < min || l > max) {
		xk_error_set(err, "vif spec '%s': %s '%s': expected a number "
		    "from %ld to %ld", spec, key, v, min, max);
		return -1;
	}
	*out = l;
	return 0;
}

/*
 * RATE is a number with an optional unit ([KMG]?[Bb], bytes or bits),
 * then optionally "/s", then optionally "@INTERVAL" with a unit of s,
 * ms or us (default ms).
 */
int
xk_vif_check_rate(const char *rate, struct xk_error *err)
{
	const char *p = rate;
	char *end;

	if (!isdigit((unsigned char)*p))
		goto bad;
	strtoull(p, &end, 10);
	p = end;
	if (*p == 'K' || *p == 'M' || *p == 'G' || *p == 'k' || *p == 'm' ||
	    *p == 'g')
		p++;
	if (*p == 'B' || *p == 'b')
		p++;
	else if (p != end)
		goto bad;
	if (strncmp(p, "/s", 2) == 0)
		p += 2;
	if (*p == '@') {
		p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		strtoull(p, &end, 10);
		p = end;
		if (strcmp(p, "s") == 0 || strcmp(p, "ms") == 0 ||
		    strcmp(p, "us") == 0)
			p += strlen(p);
	}
	if (*p == '\0')
		return 0;
bad:
	xk_error_set(err, "rate '%s': expected RATE[/s][@INTERVAL], e.g. "
	    "10Mb/s@50ms", rate);
	return -1;
}

static int apply_value(const char *spec, const char *key, const char *v,
    const char *item, struct xk_vif *vif, struct xk_error *err);

static int
add_other(struct xk_vif *vif, const char *item)
{
	struct strbuf sb = STRBUF_INIT;

	if (vif->other != NULL && (strbuf_adds(&sb, vif->other) < 0 ||
	    strbuf_addc(&sb, ',') < 0))
		goto fail;
	if (strbuf_adds(&sb, item) < 0)
		goto fail;
	free(vif->other);
	vif->other = strbuf_detach(&sb);
	return 0;
fail:
	strbuf_free(&sb);
	return -1;
}

/* item is "KEY=VALUE", eq points at its '='. */
static int
apply_item(const char *spec, const char *item, const char *eq,
    struct xk_vif *vif, struct xk_error *err)
{
	char key[32];
	const char *v = eq + 1;
	int rc;

	if ((size_t)(eq - item) >= sizeof(key)) {
		xk_error_set(err, "vif spec '%s': unknown key '%.*s'", spec,
		    (int)(eq - item), item);
		return -1;
	}
	memcpy(key, item, (size_t)(eq - item));
	key[eq - item] = '\0';
	rc = apply_value(spec, key, v, item, vif, err);
	if (rc < 0 && err->msg[0] == '\0')
		xk_error_errno(err, ENOMEM, "vif spec");
	return rc;
}

static int
apply_value(const char *spec, const char *key, const char *v,
    const char *item, struct xk_vif *vif, struct xk_error *err)
{
	struct { const char *key; char **slot; } strs[] = {
		{ "bridge", &vif->bridge }, { "ip", &vif->ip },
		{ "script", &vif->script }, { "vifname", &vif->vifname },
		{ "model", &vif->model }, { "backend", &vif->backend },
		{ "gatewaydev", &vif->gatewaydev },
		{ "netdev", &vif->gatewaydev },	/* deprecated alias */
	};

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strcmp(key, strs[i].key) == 0)
			return replace(strs[i].slot, v);
	if (strcmp(key, "mac") == 0)
		return parse_mac(spec, v, vif, err);
	if (strcmp(key, "type") == 0) {
		if (strcmp(v, "vif") != 0 && strcmp(v, "ioemu") != 0) {
			xk_error_set(err, "vif spec '%s': type '%s': expected "
			    "vif or ioemu", spec, v);
			return -1;
		}
		return replace(&vif->type, v);
	}
	if (strcmp(key, "rate") == 0) {
		if (xk_vif_check_rate(v, err) < 0) {
			xk_error_prefix(err, "vif spec '%s'", spec);
			return -1;
		}
		return replace(&vif->rate, v);
	}
	if (strcmp(key, "mtu") == 0)
		return parse_long(spec, key, v, 68, 65535, &vif->mtu, err);
	if (strcmp(key, "devid") == 0)
		return parse_long(spec, key, v, 0, 65535, &vif->devid, err);
	if (strcmp(key, "accel") == 0) {
		vif->accel = true;
		return 0;
	}
	if (strncmp(key, "colo_", 5) == 0 || strcmp(key, "forwarddev") == 0)
		return add_other(vif, item);
	xk_error_set(err, "vif spec '%s': unknown key '%s'", spec, key);
	return -1;
}

int
xk_vif_parse(const char *spec, struct xk_vif *vif, struct xk_error *err)
{
	char *copy = strdup(spec), *save = NULL, *item;
	int rc = 0;

	memset(vif, 0, sizeof(*vif));
	vif->devid = -1;
	xk_error_clear(err);
	if (copy == NULL) {
		xk_error_errno(err, ENOMEM, "vif spec");
		return -1;
	}
	for (item = strtok_r(copy, ",", &save); item != NULL && rc == 0;
	    item = strtok_r(NULL, ",", &save)) {
		char *eq;

		while (*item == ' ' || *item == '\t')
			item++;
		if (*item == '\0')
			continue;
		eq = strchr(item, '=');
		if (eq == NULL) {
			xk_error_set(err, "vif spec '%s': '%s' is not "
			    "KEY=VALUE", spec, item);
			rc = -1;
			break;
		}
		rc = apply_item(spec, item, eq, vif, err);
	}
	free(copy);
	if (rc < 0)
		xk_vif_free(vif);
	return rc;
}

void
xk_vif_free(struct xk_vif *v)
{
	free(v->bridge);
	free(v->ip);
	free(v->script);
	free(v->vifname);
	free(v->type);
	free(v->model);
	free(v->rate);
	free(v->backend);
	free(v->gatewaydev);
	free(v->other);
	memset(v, 0, sizeof(*v));
	v->devid = -1;
}

void
xk_vif_mac_string(const struct xk_vif *v, char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", v->mac[0],
	    v->mac[1], v->mac[2], v->mac[3], v->mac[4], v->mac[5]);
}

int
xk_vif_format_spec(struct strbuf *out, const struct xk_vif *v)
{
	const struct { const char *key; const char *val; } strs[] = {
		{ "bridge", v->bridge }, { "ip", v->ip },
		{ "script", v->script }, { "vifname", v->vifname },
		{ "type", v->type }, { "model", v->model },
		{ "rate", v->rate }, { "backend", v->backend },
		{ "gatewaydev", v->gatewaydev },
	};
	const char *sep = "";
	char mac[18];

	if (v->has_mac) {
		xk_vif_mac_string(v, mac);
		if (strbuf_addf(out, "mac=%s", mac) < 0)
			return -1;
		sep = ", ";
	}
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if (strs[i].val == NULL)
			continue;
		if (strbuf_addf(out, "%s%s=%s", sep, strs[i].key,
		    strs[i].val) < 0)
			return -1;
		sep = ", ";
	}
	if (v->mtu > 0 && strbuf_addf(out, "%smtu=%ld", sep, v->mtu) < 0)
		return -1;
	if (v->mtu > 0)
		sep = ", ";
	if (v->devid >= 0 &&
	    strbuf_addf(out, "%sdevid=%ld", sep, v->devid) < 0)
		return -1;
	if (v->devid >= 0)
		sep = ", ";
	if (v->other != NULL && strbuf_addf(out, "%s%s", sep, v->other) < 0)
		return -1;
	return 0;
}
