/*
 * qmp_parse.c - classify and check one message from QEMU.
 *
 * This is a parser of outside input (whatever is on the other end of
 * the socket): it never trusts a field's type, and tests/fuzz/fuzz-qmp.c
 * feeds it arbitrary bytes.
 */
#include <string.h>

#include "qmp/qmp.h"

void
xk_qmp_msg_free(struct xk_qmp_msg *msg)
{
	if (msg == NULL)
		return;
	json_decref(msg->root);
	memset(msg, 0, sizeof(*msg));
}

static int
parse_error(json_t *e, struct xk_qmp_msg *msg, struct xk_error *err)
{
	json_t *cls, *desc;

	if (!json_is_object(e)) {
		xk_error_set(err, "QMP error reply: \"error\" is not an "
		    "object");
		return -1;
	}
	cls = json_object_get(e, "class");
	desc = json_object_get(e, "desc");
	if (!json_is_string(cls) || !json_is_string(desc)) {
		xk_error_set(err, "QMP error reply: \"class\" and \"desc\" "
		    "must be strings");
		return -1;
	}
	msg->eclass = json_string_value(cls);
	msg->edesc = json_string_value(desc);
	msg->kind = XK_QMP_ERROR;
	msg->value = e;
	return 0;
}

static int
parse_event(json_t *root, struct xk_qmp_msg *msg, struct xk_error *err)
{
	json_t *name = json_object_get(root, "event");
	json_t *data = json_object_get(root, "data");

	if (!json_is_string(name) || json_string_length(name) == 0) {
		xk_error_set(err, "QMP event: \"event\" is not a non-empty "
		    "string");
		return -1;
	}
	if (data != NULL && !json_is_object(data)) {
		xk_error_set(err, "QMP event %s: \"data\" is not an object",
		    json_string_value(name));
		return -1;
	}
	msg->kind = XK_QMP_EVENT;
	msg->event = json_string_value(name);
	msg->value = data;
	return 0;
}

static int
classify(json_t *root, struct xk_qmp_msg *msg, struct xk_error *err)
{
	json_t *v;

	msg->id = json_object_get(root, "id");
	if ((v = json_object_get(root, "return")) != NULL) {
		msg->kind = XK_QMP_RETURN;
		msg->value = v;
		return 0;
	}
	if ((v = json_object_get(root, "error")) != NULL)
		return parse_error(v, msg, err);
	if (json_object_get(root, "event") != NULL)
		return parse_event(root, msg, err);
	if ((v = json_object_get(root, "QMP")) != NULL) {
		if (!json_is_object(v)) {
			xk_error_set(err, "QMP greeting: \"QMP\" is not an "
			    "object");
			return -1;
		}
		msg->kind = XK_QMP_GREETING;
		msg->value = v;
		return 0;
	}
	xk_error_set(err, "QMP message has none of return, error, event, "
	    "QMP");
	return -1;
}

int
xk_qmp_parse(const char *buf, size_t len, struct xk_qmp_msg *msg,
    struct xk_error *err)
{
	json_error_t je;

	memset(msg, 0, sizeof(*msg));
	if (len > XK_QMP_MAX_MESSAGE) {
		xk_error_set(err, "QMP message of %zu bytes is over the %u "
		    "byte limit", len, XK_QMP_MAX_MESSAGE);
		return -1;
	}
	msg->root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (msg->root == NULL) {
		xk_error_set(err, "QMP message is not JSON: column %d: %s",
		    je.column, je.text);
		return -1;
	}
	if (!json_is_object(msg->root)) {
		xk_error_set(err, "QMP message is not a JSON object");
		xk_qmp_msg_free(msg);
		return -1;
	}
	if (classify(msg->root, msg, err) < 0) {
		xk_qmp_msg_free(msg);
		return -1;
	}
	return 0;
}
