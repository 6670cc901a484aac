/*
 * lab-listdom - list the domains through libxl, as a toolstack would:
 * the lab's check that a program built against libxen-dev on the host
 * runs in the lab's dom0.  Prints "DOMID NAME" lines.
 */
#include <stdio.h>
#include <stdlib.h>

#include <libxl.h>
#include <libxl_utils.h>
#include <xentoollog.h>

int
main(void)
{
	xentoollog_logger_stdiostream *lg;
	libxl_dominfo *info;
	libxl_ctx *ctx = NULL;
	int i, n, r = 1;

	lg = xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0);
	if (lg == NULL)
		return 1;
	if (libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0,
	    (xentoollog_logger *)lg) != 0) {
		fprintf(stderr, "lab-listdom: libxl_ctx_alloc failed\n");
		goto out;
	}
	info = libxl_list_domain(ctx, &n);
	if (info == NULL) {
		fprintf(stderr, "lab-listdom: libxl_list_domain failed\n");
		goto out;
	}
	for (i = 0; i < n; i++) {
		char *name = libxl_domid_to_name(ctx, info[i].domid);

		printf("%u %s\n", info[i].domid, name ? name : "?");
		free(name);
	}
	libxl_dominfo_list_free(info, n);
	r = 0;
out:
	libxl_ctx_free(ctx);
	xtl_logger_destroy((xentoollog_logger *)lg);
	return r;
}
