/*
 * xg_string.h - the few C string and memory functions the guest library
 * uses.  Hosted (the unit tests, the fuzzers) they are the C library's;
 * in a guest xg_string.c defines them, because the compiler may also
 * call memcpy and memset on its own for structure copies.
 */
#ifndef XG_STRING_H
#define XG_STRING_H

#include <stddef.h>

#if __STDC_HOSTED__
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
#endif

#endif
