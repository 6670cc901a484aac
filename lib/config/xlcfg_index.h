/*
 * xlcfg_index.h - the key index of an xlcfg (private to lib/config).
 */
#ifndef XK_CONFIG_XLCFG_INDEX_H
#define XK_CONFIG_XLCFG_INDEX_H

#include <stddef.h>

#include "config/xlcfg.h"

#define XLCFG_NOT_FOUND ((size_t)-1)

/* The position of key in cfg->settings, or XLCFG_NOT_FOUND. */
size_t xlcfg_index_find(const struct xlcfg *cfg, const char *key);
/* Index cfg->settings[i] (just appended); -1 when out of memory. */
int xlcfg_index_add(struct xlcfg *cfg, size_t i);
void xlcfg_index_free(struct xlcfg_index *ix);

#endif
