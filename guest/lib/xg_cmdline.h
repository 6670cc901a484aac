/*
 * xg_cmdline.h - the guest's command line (xl.cfg "extra"): words
 * separated by spaces, some of them KEY=VALUE.  Pure: tested hosted.
 */
#ifndef XG_CMDLINE_H
#define XG_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

/* The value of the first word "KEY=..." in CMDLINE, or NULL; *LEN its
 * length (up to the next space or the end). */
const char *xg_cmdline_opt(const char *cmdline, const char *key, size_t *len);

/* Does CMDLINE start with the word WORD (followed by a space or the
 * end)? */
int xg_cmdline_word(const char *cmdline, const char *word);

/* The decimal number that the first LEN bytes of S start with (0 when
 * none): an option's value, as xg_cmdline_opt gives it. */
uint64_t xg_cmdline_u64(const char *s, size_t len);

#endif
