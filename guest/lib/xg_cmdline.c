/*
 * xg_cmdline.c - command-line words (see xg_cmdline.h).
 */
#include "xg_cmdline.h"
#include "xg_string.h"

const char *
xg_cmdline_opt(const char *cmdline, const char *key, size_t *len)
{
	size_t klen = strlen(key);

	for (const char *w = cmdline; *w != '\0'; w++) {
		if (w != cmdline && w[-1] != ' ')
			continue;
		if (strncmp(w, key, klen) == 0 && w[klen] == '=') {
			const char *v = w + klen + 1;

			for (*len = 0; v[*len] != '\0' && v[*len] != ' ';)
				(*len)++;
			return v;
		}
	}
	return NULL;
}

int
xg_cmdline_word(const char *cmdline, const char *word)
{
	size_t n = strlen(word);

	return strncmp(cmdline, word, n) == 0 &&
	    (cmdline[n] == '\0' || cmdline[n] == ' ');
}

uint64_t
xg_cmdline_u64(const char *s, size_t len)
{
	uint64_t v = 0;

	for (size_t i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	return v;
}
