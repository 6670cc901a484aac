/*
 * vmmodel.c - xl.cfg <-> XAPI records (see vmmodel.h and xk-xva(5)):
 * what both directions share.  The export direction (an xl.cfg to
 * records) is vmmodel-export.c, the import direction (records to an
 * xl.cfg) vmmodel-import.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formats/uuid.h"
#include "formats/vmmodel.h"


int
xk_notes_add(struct xk_notes *w, const char *fmt, ...)
{
	char **v, *s;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	v = reallocarray(w->v, w->n + 1, sizeof(*v));
	if (v == NULL) {
		free(s);
		return -1;
	}
	w->v = v;
	w->v[w->n++] = s;
	return 0;
}

void
xk_notes_free(struct xk_notes *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	w->v = NULL;
	w->n = 0;
}

bool
xk_vm_disk_exported(const struct xk_disk *d)
{
	return !d->cdrom && d->target != NULL && *d->target != '\0';
}

int
xk_vm_vdev_index(const char *vdev, bool *partition)
{
	const char *p;
	int idx = 0, letters = 0;

	*partition = false;
	if (strncmp(vdev, "xvd", 3) == 0)
		p = vdev + 3;
	else if (strncmp(vdev, "hd", 2) == 0 || strncmp(vdev, "sd", 2) == 0)
		p = vdev + 2;
	else
		return -1;
	for (; *p >= 'a' && *p <= 'z' && letters < 2; p++, letters++)
		idx = letters == 0 ? *p - 'a' : (idx + 1) * 26 + (*p - 'a');
	if (letters == 0)
		return -1;
	if (*p >= '0' && *p <= '9')
		*partition = true;
	else if (*p != '\0')
		return -1;
	return idx;
}
