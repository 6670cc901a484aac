/*
 * domcfg_json.h - the domain model as JSON documents (jansson).
 */
#ifndef XK_CONFIG_DOMCFG_JSON_H
#define XK_CONFIG_DOMCFG_JSON_H

#include <jansson.h>

#include "config/domcfg.h"

json_t *xk_domcfg_to_json(const struct xk_domcfg *dc);
json_t *xk_disk_to_json(const struct xk_disk *d);
json_t *xk_vif_to_json(const struct xk_vif *v);

#endif
