/*
 * harness.h - xenkit's unit-test harness: one header, no library.
 *
 * A test file defines tests with TEST(name) { ... } and checks with the
 * CHECK* macros; a failed check records the file, line and values and
 * ends that test.  tests/harness.c holds main(): it runs every test
 * (or those whose names contain argv[1]), prints one line per test and
 * closes with "N passed, N failed".  Each test binary is one numbered
 * area (t1xxx-util, t2xxx-config, ...), as in git's test suite.
 */
#ifndef XK_TEST_HARNESS_H
#define XK_TEST_HARNESS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct xk_test {
	const char *name;
	void (*fn)(bool *failed);
	struct xk_test *next;
};

void xk_test_register(struct xk_test *t);
void xk_test_fail(bool *failed, const char *file, int line, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

/* Directory holding test data (tests/), set from XK_TEST_DATA or argv. */
const char *xk_test_datadir(void);
/* A fresh temporary directory for this test, removed afterwards. */
const char *xk_test_tmpdir(void);

#define TEST(tname)                                                        \
	static void test_##tname(bool *xk_failed_);                        \
	static struct xk_test xk_t_##tname = { #tname, test_##tname, NULL }; \
	__attribute__((constructor)) static void xk_reg_##tname(void)      \
	{                                                                  \
		xk_test_register(&xk_t_##tname);                           \
	}                                                                  \
	static void test_##tname(bool *xk_failed_)

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			xk_test_fail(xk_failed_, __FILE__, __LINE__, "%s", \
			    #cond);                                        \
			return;                                            \
		}                                                          \
	} while (0)

#define CHECK_INT_EQ(a, b)                                                 \
	do {                                                               \
		long long xk_a_ = (long long)(a), xk_b_ = (long long)(b);  \
		if (xk_a_ != xk_b_) {                                      \
			xk_test_fail(xk_failed_, __FILE__, __LINE__,       \
			    "%s == %s: %lld != %lld", #a, #b, xk_a_, xk_b_); \
			return;                                            \
		}                                                          \
	} while (0)

#define CHECK_STR_EQ(a, b)                                                 \
	do {                                                               \
		const char *xk_a_ = (a), *xk_b_ = (b);                     \
		if (xk_a_ == NULL || xk_b_ == NULL ||                      \
		    strcmp(xk_a_, xk_b_) != 0) {                           \
			xk_test_fail(xk_failed_, __FILE__, __LINE__,       \
			    "%s == %s: \"%s\" != \"%s\"", #a, #b,          \
			    xk_a_ ? xk_a_ : "(null)",                      \
			    xk_b_ ? xk_b_ : "(null)");                     \
			return;                                            \
		}                                                          \
	} while (0)

/* CHECK that the string s contains the substring sub. */
#define CHECK_STR_HAS(s, sub)                                              \
	do {                                                               \
		const char *xk_s_ = (s), *xk_u_ = (sub);                   \
		if (xk_s_ == NULL || strstr(xk_s_, xk_u_) == NULL) {       \
			xk_test_fail(xk_failed_, __FILE__, __LINE__,       \
			    "\"%s\" does not contain \"%s\"",              \
			    xk_s_ ? xk_s_ : "(null)", xk_u_);              \
			return;                                            \
		}                                                          \
	} while (0)

#endif
