/*
 * fuzz-diskspec - the disk spec parser, differentially: xenkit and
 * libxlutil's xlu_disk_parse must accept the same specs, and the
 * canonical form of an accepted spec must parse again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxl.h>
#include <libxlutil.h>

#include "config/diskspec.h"

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xk_error e = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct xk_disk d, again;
	libxl_device_disk ld;
	XLU_Config *xc;
	char *spec;
	int xrc, lrc;

	if (size > 4096 || memchr(data, '\0', size) != NULL)
		return 0;
	spec = strndup((const char *)data, size);
	if (spec == NULL)
		return 0;
	/*
	 * libxlutil's scanner has no rule for a stray '=' before a newline:
	 * flex reports "scanner jammed" and exit()s the process (so does
	 * xl).  xenkit rejects such specs; compare everything else.
	 */
	if (strstr(spec, "=\n") != NULL) {
		if (xk_disk_parse(spec, &d, &e) == 0)
			xk_disk_free(&d);
		free(spec);
		return 0;
	}
	if (devnull == NULL)
		devnull = fopen("/dev/null", "w");
	xc = xlu_cfg_init(devnull, "fuzz");
	libxl_device_disk_init(&ld);
	xrc = xk_disk_parse(spec, &d, &e);
	lrc = xc != NULL ? xlu_disk_parse(xc, 1, (const char *const *)&spec,
	    &ld) : xrc;
	if ((xrc == 0) != (lrc == 0)) {
		fprintf(stderr, "disagree on '%s': xk %d libxlutil %d (%s)\n",
		    spec, xrc, lrc, e.msg);
		abort();
	}
	if (xrc == 0) {
		if (strcmp(d.vdev, ld.vdev) != 0 ||
		    (d.target == NULL) != (ld.pdev_path == NULL) ||
		    (d.target && strcmp(d.target, ld.pdev_path) != 0) ||
		    (int)d.readwrite != ld.readwrite ||
		    (int)d.cdrom != ld.is_cdrom ||
		    strcmp(xk_disk_format_name(d.format),
		    libxl_disk_format_to_string(ld.format)) != 0 ||
		    strcmp(xk_disk_backend_name(d.backendtype),
		    libxl_disk_backend_to_string(ld.backend)) != 0 ||
		    (d.script == NULL) != (ld.script == NULL) ||
		    (d.script && strcmp(d.script, ld.script) != 0)) {
			fprintf(stderr, "fields differ on '%s'\n", spec);
			abort();
		}
		if (xk_disk_format_spec(&sb, &d) < 0) {
			if (strchr(d.target, '\n') == NULL)
				abort();
		} else if (xk_disk_parse(sb.buf, &again, &e) < 0) {
			fprintf(stderr, "canonical '%s' of '%s' fails: %s\n",
			    sb.buf, spec, e.msg);
			abort();
		} else {
			xk_disk_free(&again);
		}
		xk_disk_free(&d);
	}
	libxl_device_disk_dispose(&ld);
	if (xc != NULL)
		xlu_cfg_destroy(xc);
	strbuf_free(&sb);
	free(spec);
	return 0;
}
