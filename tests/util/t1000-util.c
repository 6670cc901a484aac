/*
 * t1000-util - strbuf, errors, bounded file reading, the interrupt flag.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "util/error.h"
#include "util/file.h"
#include "util/interrupt.h"
#include "util/strbuf.h"

TEST(strbuf_appends_and_detaches)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;

	CHECK_STR_EQ(strbuf_str(&sb), "");
	CHECK(strbuf_adds(&sb, "ab") == 0);
	CHECK(strbuf_addc(&sb, 'c') == 0);
	CHECK(strbuf_addf(&sb, "%d-%s", 42, "x") == 0);
	CHECK_STR_EQ(strbuf_str(&sb), "abc42-x");
	CHECK_INT_EQ(sb.len, 7);
	s = strbuf_detach(&sb);
	CHECK_STR_EQ(s, "abc42-x");
	CHECK(sb.buf == NULL && sb.len == 0);
	free(s);
}

TEST(strbuf_grows_past_many_doublings)
{
	struct strbuf sb = STRBUF_INIT;

	for (int i = 0; i < 100000; i++)
		CHECK(strbuf_addc(&sb, (char)('a' + i % 26)) == 0);
	CHECK_INT_EQ(sb.len, 100000);
	CHECK(sb.buf[99999] == 'a' + 99999 % 26);
	CHECK(sb.buf[100000] == '\0');
	strbuf_free(&sb);
}

TEST(error_prefix_and_errno)
{
	struct xk_error e = { 0 };

	xk_error_errno(&e, ENOENT, "open %s", "x.cfg");
	CHECK_STR_EQ(e.msg, "open x.cfg: No such file or directory");
	CHECK_INT_EQ(e.errnum, ENOENT);
	xk_error_prefix(&e, "cfg %d", 1);
	CHECK_STR_EQ(e.msg, "cfg 1: open x.cfg: No such file or directory");
}

static void
write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd >= 0) {
		if (write(fd, data, len) != (ssize_t)len)
			abort();
		close(fd);
	}
}

TEST(read_file_reads_whole_and_refuses_large)
{
	struct xk_error e = { 0 };
	char path[4096], *data = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/f", xk_test_tmpdir());
	write_file(path, "hello\n", 6);
	CHECK(xk_read_file(path, 6, &data, &len, &e) == 0);
	CHECK_INT_EQ(len, 6);
	CHECK_STR_EQ(data, "hello\n");
	free(data);
	CHECK(xk_read_file(path, 5, &data, &len, &e) == -1);
	CHECK_STR_HAS(e.msg, "larger than 5 bytes");
	CHECK(xk_read_file(xk_test_tmpdir(), 5, &data, &len, &e) == -1);
	CHECK_STR_HAS(e.msg, "is a directory");
	snprintf(path, sizeof(path), "%s/missing", xk_test_tmpdir());
	CHECK(xk_read_file(path, 5, &data, &len, &e) == -1);
	CHECK_INT_EQ(e.errnum, ENOENT);
}

/*
 * The interrupt flag (util/interrupt.h): a caught signal becomes an
 * ordinary error, put first whatever failed after it, naming what was
 * removed; an ignored signal stays ignored.
 */
TEST(interrupt_flag_becomes_an_error)
{
	struct xk_error e = { 0 };
	struct sigaction sa;

	CHECK(signal(SIGHUP, SIG_IGN) != SIG_ERR);
	CHECK_INT_EQ(xk_interrupt_check(&e), 0);
	xk_error_set(&e, "disk xvda: Broken pipe");
	xk_interrupt_blame(&e);
	CHECK_STR_EQ(e.msg, "disk xvda: Broken pipe");	/* no signal yet */
	CHECK_INT_EQ(xk_interrupt_catch(&e), 0);
	CHECK_INT_EQ(sigaction(SIGHUP, NULL, &sa), 0);
	CHECK(sa.sa_handler == SIG_IGN);
	CHECK_INT_EQ(sigaction(SIGTERM, NULL, &sa), 0);
	CHECK(sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN);

	CHECK_INT_EQ(raise(SIGTERM), 0);	/* caught: we go on */
	CHECK_INT_EQ(xk_interrupt_signal(), SIGTERM);
	CHECK_INT_EQ(xk_interrupt_check(&e), -1);
	CHECK_STR_EQ(e.msg, "interrupted by SIGTERM");
	CHECK_INT_EQ(e.errnum, EINTR);

	xk_error_set(&e, "disk Ref:1: chunk 4: interrupted by SIGTERM");
	xk_interrupt_blame(&e);
	CHECK_STR_EQ(e.msg, "interrupted by SIGTERM");
	xk_error_set(&e, "x.qcow2: nbd_pwrite: Broken pipe");
	xk_interrupt_removed(&e, "/d/.x.qcow2.xk-1");
	xk_interrupt_removed(&e, "/d/.y.img.xk-2");
	CHECK_STR_EQ(e.msg, "interrupted by SIGTERM: removed partial output "
	    "/d/.x.qcow2.xk-1, /d/.y.img.xk-2");
	CHECK(signal(SIGTERM, SIG_DFL) != SIG_ERR);
	CHECK(signal(SIGINT, SIG_DFL) != SIG_ERR);
	CHECK(signal(SIGHUP, SIG_DFL) != SIG_ERR);
}
