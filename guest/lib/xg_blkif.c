/*
 * xg_blkif.c - block ring encoding and back end value checks (see
 * xg_blkif.h).
 */
#include "xg_blkif.h"
#include "xg_string.h"

unsigned int
xg_blkif_rw(struct blkif_request *req, uint8_t op, uint16_t handle,
    uint64_t id, uint64_t sector, unsigned int nsect, const grant_ref_t *gref)
{
	unsigned int nseg, i, left = nsect;

	if (nsect == 0 || nsect > XG_BLKIF_MAX_SECTORS ||
	    (op != BLKIF_OP_READ && op != BLKIF_OP_WRITE))
		return 0;
	nseg = (nsect + XG_BLKIF_SECTORS_PER_PAGE - 1) /
	    XG_BLKIF_SECTORS_PER_PAGE;
	memset(req, 0, sizeof(*req));
	req->operation = op;
	req->nr_segments = (uint8_t)nseg;
	req->handle = handle;
	req->id = id;
	req->sector_number = sector;
	for (i = 0; i < nseg; i++) {
		unsigned int n = left < XG_BLKIF_SECTORS_PER_PAGE ? left :
		    XG_BLKIF_SECTORS_PER_PAGE;

		req->seg[i].gref = gref[i];
		req->seg[i].first_sect = 0;
		req->seg[i].last_sect = (uint8_t)(n - 1);	/* inclusive */
		left -= n;
	}
	return nseg;
}

void
xg_blkif_flush(struct blkif_request *req, uint16_t handle, uint64_t id)
{
	memset(req, 0, sizeof(*req));
	req->operation = BLKIF_OP_FLUSH_DISKCACHE;
	req->handle = handle;
	req->id = id;
}

long
xg_blkif_unconsumed(uint32_t rsp_prod, uint32_t rsp_cons, uint32_t req_prod)
{
	/* free-running indexes: distances, not values, are compared */
	uint32_t avail = rsp_prod - rsp_cons;

	return avail > req_prod - rsp_cons ? -1 : (long)avail;
}

int
xg_blkif_need_notify(uint32_t old, uint32_t new, uint32_t event)
{
	/* the back end asked to hear of index EVENT: did we pass it? */
	return (uint32_t)(new - event) < (uint32_t)(new - old);
}

int
xg_blkif_parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t n = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (*s < '0' || *s > '9' || d > max || n > (max - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*v = n;
	return 0;
}

int
xg_blkif_parse_bool(const char *s, int *v)
{
	if ((s[0] != '0' && s[0] != '1') || s[1] != '\0')
		return -1;
	*v = s[0] == '1';
	return 0;
}
