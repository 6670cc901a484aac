/*
 * domcfg_json.h - the domain model as one JSON document.
 */
#ifndef XK_CONFIG_DOMCFG_JSON_H
#define XK_CONFIG_DOMCFG_JSON_H

#include <stdio.h>

#include <jansson.h>

#include "config/domcfg.h"
#include "util/error.h"

/*
 * Write the document to f as it goes (memory stays that of the model,
 * however large the output).  A value that is not valid UTF-8, which
 * JSON cannot hold, is refused with its FILE:LINE:COLUMN before anything
 * is written; people's text (the file name, notes) is escaped instead.
 */
int xk_domcfg_write_json(FILE *f, const struct xk_domcfg *dc,
    struct xk_error *err);
/* The same document as a jansson tree (for tests); NULL on failure. */
json_t *xk_domcfg_to_json(const struct xk_domcfg *dc);

#endif
