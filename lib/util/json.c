/*
 * json.c - tolerant member access for jansson objects (see json.h).
 */
#include "util/json.h"

const char *
xk_jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

json_int_t
xk_jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}
