/*
 * vifspec.h - the network interface spec of xl-network-configuration(5):
 * comma-separated KEY=VALUE pairs, as xl's parse_nic_config reads them.
 */
#ifndef XK_CONFIG_VIFSPEC_H
#define XK_CONFIG_VIFSPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "util/error.h"
#include "util/strbuf.h"

struct xk_vif {
	bool has_mac;
	uint8_t mac[6];
	char *bridge, *ip, *script, *vifname, *type, *model, *rate;
	char *backend, *gatewaydev;
	long mtu;		/* 0: not given */
	long devid;		/* -1: not given */
	bool accel;		/* given; xl ignores it */
	char *other;		/* xl keys xenkit does not map (colo_*...) */
};

int xk_vif_parse(const char *spec, struct xk_vif *v, struct xk_error *err);
void xk_vif_free(struct xk_vif *v);
int xk_vif_format_spec(struct strbuf *out, const struct xk_vif *v);
/* "00:16:3e:..." into buf (18 bytes). */
void xk_vif_mac_string(const struct xk_vif *v, char buf[18]);
/* Check a rate (xl-network-configuration(5): RATE[/s][@INTERVAL]). */
int xk_vif_check_rate(const char *rate, struct xk_error *err);

#endif
