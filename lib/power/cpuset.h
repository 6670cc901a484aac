/*
 * cpuset.h - sets of physical CPUs: the pCPUs a power cap applies to.
 *
 * Two spellings, never guessed between: a list as xl.cfg's cpus= and
 * taskset -c write it ("0-3,6"), and a hexadecimal mask as
 * /proc/irq/N/smp_affinity and intel_powerclamp's cpumask parameter
 * write it ("f", "ff,ffffffff": 32-bit groups, lowest CPUs last).
 */
#ifndef XK_POWER_CPUSET_H
#define XK_POWER_CPUSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define XK_CPUSET_MAX 1024	/* pCPUs a set can name */

struct xk_cpuset {
	uint64_t bits[XK_CPUSET_MAX / 64];
};

void xk_cpuset_clear(struct xk_cpuset *s);
/* Every CPU below n. */
void xk_cpuset_fill(struct xk_cpuset *s, int n);
void xk_cpuset_add(struct xk_cpuset *s, int cpu);
bool xk_cpuset_has(const struct xk_cpuset *s, int cpu);
int xk_cpuset_count(const struct xk_cpuset *s);
/* The highest CPU in the set, -1 when empty. */
int xk_cpuset_last(const struct xk_cpuset *s);

/* "0-3,6": ascending or not, no empty items; what names the input. */
int xk_cpuset_parse_list(const char *s, struct xk_cpuset *out,
    const char *what, struct xk_error *err);
/* "f", "0x0f", "ff,ffffffff". */
int xk_cpuset_parse_mask(const char *s, struct xk_cpuset *out,
    const char *what, struct xk_error *err);
/* The list form into buf ("" for the empty set); -1 when it does not fit. */
int xk_cpuset_format(const struct xk_cpuset *s, char *buf, size_t len);

#endif
