/*
 * harness.c - main() for every unit-test binary (see harness.h).
 */
#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

/* The harness is the one place that keeps state across tests: the list
 * of registered tests and the current test's scratch directory. */
static struct xk_test *tests_head, **tests_tail = &tests_head;
static char tmpdir[4096];

void
xk_test_register(struct xk_test *t)
{
	*tests_tail = t;
	tests_tail = &t->next;
}

void
xk_test_fail(bool *failed, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	*failed = true;
	fprintf(stdout, "#   %s:%d: check failed: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

const char *
xk_test_datadir(void)
{
	const char *d = getenv("XK_TEST_DATA");

	return d != NULL ? d : "tests";
}

const char *
xk_test_tmpdir(void)
{
	if (tmpdir[0] == '\0') {
		const char *base = getenv("TMPDIR");

		snprintf(tmpdir, sizeof(tmpdir), "%s/xk-test-XXXXXX",
		    base != NULL ? base : "/tmp");
		if (mkdtemp(tmpdir) == NULL) {
			perror("mkdtemp");
			exit(99);
		}
	}
	return tmpdir;
}

static int
remove_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
drop_tmpdir(void)
{
	if (tmpdir[0] == '\0')
		return;
	nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	tmpdir[0] = '\0';
}

int
main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	int passed = 0, failed = 0;

	for (struct xk_test *t = tests_head; t != NULL; t = t->next) {
		bool f = false;

		if (filter != NULL && strstr(t->name, filter) == NULL)
			continue;
		t->fn(&f);
		drop_tmpdir();
		printf("%s - %s\n", f ? "not ok" : "ok", t->name);
		fflush(stdout);
		if (f)
			failed++;
		else
			passed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
