/*
 * clock.h - time for deadlines and intervals: CLOCK_MONOTONIC, which
 * neither NTP nor an administrator's `date -s` moves.
 */
#ifndef XK_UTIL_CLOCK_H
#define XK_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Milliseconds since an arbitrary point (boot); only differences mean
 * anything. */
static inline int64_t
xk_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The same in seconds, with nanoseconds (progress rates). */
static inline double
xk_mono_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
