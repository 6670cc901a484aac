/*
 * json.h - reading members of jansson objects that may be missing: QMP
 * replies and the snapshot journal, where a missing string reads as ""
 * and a missing number as 0 (the callers check what matters).
 */
#ifndef XK_UTIL_JSON_H
#define XK_UTIL_JSON_H

#include <jansson.h>

/* o[key] as a string; "" when o is NULL, key missing or not a string. */
const char *xk_jstr(const json_t *o, const char *key);
/* o[key] as an integer; 0 when missing or not an integer. */
json_int_t xk_jint(const json_t *o, const char *key);

#endif
