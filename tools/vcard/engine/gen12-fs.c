/*
 * gen12-fs.c: AKIS 1.2 file commands. SELECT in the forms ESYA's 1.x
 * templates send (P1 00 by file id, 01 child DF, 02 EF under the current
 * DF, 04 DF name; P2 00 with the FCI); the 1.0 driver's path form P1 08
 * is not among them. UPDATE BINARY, CREATE, DELETE (personalization) and
 * LIST FILES 80 18.
 */
#include "config.h"

#include "gen12.h"

#include <stdlib.h>
#include <string.h>

uint16_t vc_gen12_select(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	int idx = -1;
	/* Always a file id with P1 00: 1.x selects the MF as 3F00 (fact 8);
	 * the empty form is 2.x's. */
	uint16_t sw = vc_fs_select_target(c, a, false, &idx);

	if (sw != SW_OK)
		return sw;
	c->cur = (uint16_t)idx;
	if (a->p2 == VC_SELECT_P2_FCI)
		vc_fs_fci(c, (uint16_t)idx, 0x6F, r);
	return SW_OK;
}

uint16_t vc_gen12_update(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	(void)r;
	if (a->lc == 0)
		return SW_WRONG_LENGTH;
	if (a->p1 & 0x80)
		return SW_WRONG_P1P2;
	return vc_fs_update_current(c, (size_t)(a->p1 << 8 | a->p2), a->data, a->lc);
}

static bool valid_fid(uint16_t fid)
{
	return fid != VC_FID_MF && fid != 0xFFFF && fid != 0x0000 && fid != 0x3FFF;
}

static uint8_t fdb_of(uint8_t structure)
{
	switch (structure) {
	case VC12_EF_TRANSPARENT:
		return VC_FDB_TRANSPARENT;
	case VC12_EF_LINEAR_FIXED:
		return VC_FDB_LINEAR_FIXED;
	case VC12_EF_CYCLIC:
		return VC_FDB_CYCLIC;
	case VC12_EF_LINEAR_TLV:
		return VC_FDB_LINEAR_TLV;
	default:
		return 0;
	}
}

/* CREATE EF 80 15 structure access (data: file id [record length]) and
 * CREATE DF 80 10 00 access (data: file id and DF name). */
uint16_t vc_gen12_create(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	uint16_t df = vc_fs_cur_df(c), fid;
	bool is_df = a->ins == VC12_INS_CREATE_DF;
	uint8_t fdb = VC_FDB_DF;
	int idx;

	(void)r;
	if (!vc_personalizing(c))
		return SW_CONDITIONS;
	if (is_df) {
		if (a->p1 != 0x00)
			return SW_WRONG_P1P2;
		if (a->lc < 2 || a->lc > 2 + VC_MAX_NAME)
			return SW_WRONG_LENGTH;
		if (vc_fs_depth(c, df) + 1 >= VC_MAX_DEPTH)
			return SW_NO_SPACE;
	} else {
		fdb = fdb_of(a->p1);
		if (!fdb)
			return SW_WRONG_P1P2;
		if (a->lc != 2 &&
		    !(a->lc == 3 && (fdb == VC_FDB_LINEAR_FIXED || fdb == VC_FDB_CYCLIC)))
			return SW_WRONG_LENGTH;
	}
	fid = (uint16_t)(a->data[0] << 8 | a->data[1]);
	if (!valid_fid(fid))
		return SW_WRONG_DATA;
	if (vc_fs_child(c, df, fid) >= 0)
		return SW_FILE_EXISTS;
	idx = vc_fs_add(c, df, fid, is_df, fdb, a->p2, is_df ? a->data + 2 : NULL,
	                is_df ? a->lc - 2 : 0);
	if (idx < 0)
		return SW_NO_SPACE;
	if (vc_persist(c) < 0) {
		c->nfiles--;
		return SW_MEMORY;
	}
	return SW_OK;
}

/* Remove file `idx` and everything under it, keeping indices compact. */
static void remove_tree(vcard *c, uint16_t idx)
{
	bool gone[VC_MAX_FILES] = {false};
	uint16_t map[VC_MAX_FILES];
	size_t i, j;
	bool changed = true;

	gone[idx] = true;
	while (changed) {
		changed = false;
		for (i = 1; i < c->nfiles; i++)
			if (!gone[i] && gone[c->files[i].parent]) {
				gone[i] = true;
				changed = true;
			}
	}
	for (i = 0, j = 0; i < c->nfiles; i++) {
		map[i] = gone[i] ? VC_NO_FILE : (uint16_t)j;
		if (gone[i])
			free(c->files[i].data);
		else
			c->files[j++] = c->files[i];
	}
	c->nfiles = j;
	for (i = 1; i < c->nfiles; i++)
		c->files[i].parent = map[c->files[i].parent];
	c->cur = map[c->cur] == VC_NO_FILE ? 0 : map[c->cur];
}

uint16_t vc_gen12_delete(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	int idx;

	(void)r;
	if (!vc_personalizing(c))
		return SW_CONDITIONS;
	if (a->p1 != VC12_DELETE_BY_FID || a->p2 != 0x00)
		return SW_WRONG_P1P2;
	if (a->lc != 2)
		return SW_WRONG_LENGTH;
	idx = vc_fs_child(c, vc_fs_cur_df(c), (uint16_t)(a->data[0] << 8 | a->data[1]));
	if (idx < 0)
		return SW_NOT_FOUND;
	/* Deleting is not undone on a failed save: the image keeps the file and
	 * the answer says so (65 81); a reload shows the old state. */
	remove_tree(c, (uint16_t)idx);
	return vc_persist(c) < 0 ? SW_MEMORY : SW_OK;
}

uint16_t vc_gen12_list(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	uint16_t df = vc_fs_cur_df(c);
	size_t i;

	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (a->lc)
		return SW_WRONG_LENGTH;
	for (i = 1; i < c->nfiles && r->len + VC12_LIST_ENTRY_LEN <= sizeof(r->data); i++) {
		const struct vc_file *f = &c->files[i];
		uint8_t *e = r->data + r->len;
		if (f->parent != df)
			continue;
		/* The 1.0 driver reads the kind and the file id; the rest of the
		 * entry is our choice. */
		memset(e, 0, VC12_LIST_ENTRY_LEN);
		e[0] = f->is_df ? VC12_LIST_DF : VC12_LIST_EF;
		e[1] = (uint8_t)(f->fid >> 8);
		e[2] = (uint8_t)f->fid;
		e[3] = (uint8_t)(f->size >> 8);
		e[4] = (uint8_t)f->size;
		e[5] = f->fdb;
		e[6] = f->access;
		r->len += VC12_LIST_ENTRY_LEN;
	}
	return SW_OK;
}
