/*
 * strbuf.h - a growable, always NUL-terminated byte buffer.
 *
 * Allocation failure is reported, not hidden: every append returns -1
 * on ENOMEM and leaves the buffer as it was.
 */
#ifndef XK_UTIL_STRBUF_H
#define XK_UTIL_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf;	/* NULL until the first append */
	size_t len;	/* bytes used, not counting the NUL */
	size_t cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

int strbuf_add(struct strbuf *sb, const void *data, size_t len);
int strbuf_addc(struct strbuf *sb, char c);
int strbuf_adds(struct strbuf *sb, const char *s);
int strbuf_addf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The contents as a string ("" when empty); valid until the next append. */
const char *strbuf_str(const struct strbuf *sb);
/* Hand the buffer to the caller (who frees it); sb is reset. */
char *strbuf_detach(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);

#endif
