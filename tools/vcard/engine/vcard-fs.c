/*
 * vcard-fs.c: the card's file system. An array of files with parent links;
 * index 0 is the MF. SELECT in the AKIS forms (P1 00, 02, 08) and by AID
 * (04), the FCI with the proprietary flags tag 90, READ/UPDATE BINARY,
 * CREATE EF/DF, DELETE and LIST FILES.
 */
#include "config.h"

#include "vcard-internal.h"

#include <stdlib.h>
#include <string.h>

void vc_fs_free(vcard *c)
{
	size_t i;

	for (i = 0; i < c->nfiles; i++)
		free(c->files[i].data);
	c->nfiles = 0;
}

int vc_fs_add(vcard *c, uint16_t parent, uint16_t fid, bool is_df, uint8_t structure,
	      uint8_t access, const uint8_t *aid, size_t aid_len)
{
	struct vc_file *f;

	if (c->nfiles >= VC_MAX_FILES || aid_len > VC_MAX_AID)
		return -1;
	f = &c->files[c->nfiles];
	memset(f, 0, sizeof(*f));
	f->fid = fid;
	f->parent = parent;
	f->is_df = is_df;
	f->structure = structure;
	f->access = access;
	if (aid_len)
		memcpy(f->aid, aid, aid_len);
	f->aid_len = aid_len;
	return (int)c->nfiles++;
}

/* The DF that commands relative to "the current DF" use. */
static uint16_t cur_df(const vcard *c)
{
	const struct vc_file *f = &c->files[c->cur];

	return f->is_df ? c->cur : f->parent;
}

static int child(const vcard *c, uint16_t df, uint16_t fid)
{
	size_t i;

	for (i = 1; i < c->nfiles; i++)
		if (c->files[i].parent == df && c->files[i].fid == fid)
			return (int)i;
	return -1;
}

static unsigned depth(const vcard *c, uint16_t idx)
{
	unsigned d = 0;

	while (c->files[idx].parent != VC_NO_FILE && d < VC_MAX_DEPTH + 1) {
		idx = c->files[idx].parent;
		d++;
	}
	return d;
}

/* Access: in the administration life cycle everything is allowed (that is
 * what personalization means); in the user life cycle the nibble decides. */
static bool allowed(const vcard *c, uint8_t cond)
{
	if (vc_admin(c))
		return true;
	switch (cond) {
	case AKIS_AC_ALWAYS:
		return true;
	case AKIS_AC_USER_PIN:
		return vc_pin_verified(c, akis_profile.pin_ref);
	case AKIS_AC_SO_PIN:
		return vc_pin_verified(c, akis_profile.puk_ref);
	default:
		return false;
	}
}

static uint8_t ac_read(const struct vc_file *f)
{
	return (f->access >> akis_profile.ac_shift_read) & 0x0F;
}

static uint8_t ac_update(const struct vc_file *f)
{
	return (f->access >> akis_profile.ac_shift_update) & 0x0F;
}

/* FCI: 6F { 83 fid, 82 descriptor, [80 size], [84 AID], 90 flags }. */
static void fci(const vcard *c, uint16_t idx, struct vc_rsp *r)
{
	const struct vc_file *f = &c->files[idx];
	uint8_t *p = r->data;
	size_t n = 0;
	uint8_t flags = AKIS_FCI_VALID;
	const struct vc_pin *pin = NULL;
	size_t i;

	for (i = 0; i < c->npins; i++)
		if (c->pins[i].ref == akis_profile.pin_ref)
			pin = &c->pins[i];
	if (allowed(c, ac_read(f)))
		flags |= AKIS_FCI_READ;
	if (allowed(c, ac_update(f)))
		flags |= AKIS_FCI_WRITE;
	if (ac_read(f) == AKIS_AC_USER_PIN || ac_update(f) == AKIS_AC_USER_PIN)
		flags |= AKIS_FCI_PIN_NEEDED;
	if (pin && pin->tries < pin->max_tries)
		flags |= AKIS_FCI_ONE_WRONG_PIN;
	if (pin && pin->tries == 1)
		flags |= AKIS_FCI_LAST_PIN_TRY;

	p[n++] = 0x6F;
	p[n++] = 0; /* length, below */
	p[n++] = 0x83;
	p[n++] = 2;
	p[n++] = (uint8_t)(f->fid >> 8);
	p[n++] = (uint8_t)f->fid;
	p[n++] = 0x82;
	p[n++] = 1;
	p[n++] = f->is_df ? 0x38 : (f->structure == AKIS_EF_TRANSPARENT ? 0x01 : f->structure);
	if (!f->is_df) {
		p[n++] = 0x80;
		p[n++] = 2;
		p[n++] = (uint8_t)(f->size >> 8);
		p[n++] = (uint8_t)f->size;
	}
	if (f->aid_len) {
		p[n++] = 0x84;
		p[n++] = (uint8_t)f->aid_len;
		memcpy(p + n, f->aid, f->aid_len);
		n += f->aid_len;
	}
	p[n++] = AKIS_FCI_TAG_FLAGS;
	p[n++] = 1;
	p[n++] = flags;
	p[1] = (uint8_t)(n - 2);
	r->len = n;
}

/* SELECT by file id, ISO order: the current DF itself, its children, its
 * parent, its siblings. P1 02 only looks for EFs under the current DF. */
static int find_fid(const vcard *c, uint16_t fid, bool ef_only)
{
	uint16_t df = cur_df(c);
	uint16_t parent = c->files[df].parent;
	int i;

	if (ef_only) {
		i = child(c, df, fid);
		return i >= 0 && !c->files[i].is_df ? i : -1;
	}
	if (fid == 0x3F00)
		return 0;
	if (c->files[df].fid == fid)
		return df;
	if ((i = child(c, df, fid)) >= 0)
		return i;
	if (parent != VC_NO_FILE) {
		if (c->files[parent].fid == fid)
			return parent;
		if ((i = child(c, parent, fid)) >= 0)
			return i;
	}
	return -1;
}

static int find_path(const vcard *c, const uint8_t *path, size_t len)
{
	uint16_t at = 0;
	size_t k = 0;
	int i;

	if (len == 0 || len % 2)
		return -2;
	if (path[0] == 0x3F && path[1] == 0x00)
		k = 2; /* tolerate the MF id at the start */
	for (; k < len; k += 2) {
		uint16_t fid = (uint16_t)(path[k] << 8 | path[k + 1]);
		if (!c->files[at].is_df)
			return -1;
		i = child(c, at, fid);
		if (i < 0)
			return -1;
		at = (uint16_t)i;
	}
	return at;
}

static int find_aid(const vcard *c, const uint8_t *aid, size_t len)
{
	size_t i;

	for (i = 0; i < c->nfiles; i++)
		if (c->files[i].is_df && c->files[i].aid_len >= len && len > 0 &&
		    memcmp(c->files[i].aid, aid, len) == 0)
			return (int)i;
	return -1;
}

uint16_t vc_fs_sw_select(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	int idx;

	if (a->p2 != 0x00 && a->p2 != 0x0C)
		return SW_WRONG_P1P2;
	switch (a->p1) {
	case AKIS_SELECT_BY_FID:
	case AKIS_SELECT_EF_UNDER_DF:
		if (a->lc == 0 && a->p1 == AKIS_SELECT_BY_FID) {
			idx = 0; /* ISO: no data selects the MF */
			break;
		}
		if (a->lc != 2)
			return SW_WRONG_LENGTH;
		idx = find_fid(c, (uint16_t)(a->data[0] << 8 | a->data[1]),
			       a->p1 == AKIS_SELECT_EF_UNDER_DF);
		break;
	case AKIS_SELECT_PATH_FROM_MF:
		idx = find_path(c, a->data, a->lc);
		if (idx == -2)
			return SW_WRONG_DATA;
		break;
	case AKIS_SELECT_BY_AID:
		if (a->lc == 0 || a->lc > VC_MAX_AID)
			return SW_WRONG_LENGTH;
		idx = find_aid(c, a->data, a->lc);
		break;
	default:
		return SW_WRONG_P1P2;
	}
	if (idx < 0)
		return SW_NOT_FOUND;
	c->cur = (uint16_t)idx;
	if (a->p2 == 0x00)
		fci(c, (uint16_t)idx, r);
	return SW_OK;
}

static struct vc_file *current_ef(vcard *c, uint16_t *sw)
{
	struct vc_file *f = &c->files[c->cur];

	if (f->is_df) {
		*sw = SW_NO_CURRENT_EF;
		return NULL;
	}
	if (f->structure != AKIS_EF_TRANSPARENT) {
		*sw = SW_INCOMPATIBLE_FILE;
		return NULL;
	}
	return f;
}

uint16_t vc_fs_read(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	uint16_t sw = SW_OK;
	struct vc_file *f;
	size_t off, n;

	if (a->lc)
		return SW_WRONG_LENGTH;
	if (a->p1 & 0x80)
		return SW_WRONG_P1P2; /* short EF id form: not part of the AKIS set */
	if (!(f = current_ef(c, &sw)))
		return sw;
	if (!allowed(c, ac_read(f)))
		return SW_SECURITY;
	off = (size_t)(a->p1 << 8 | a->p2);
	if (off > f->size || (off == f->size && f->size > 0))
		return SW_WRONG_OFFSET;
	n = a->has_le ? a->le : 256;
	if (n > f->size - off) {
		n = f->size - off;
		r->eof_short = true;
	}
	memcpy(r->data, f->data + off, n);
	r->len = n;
	return SW_OK;
}

uint16_t vc_fs_update(vcard *c, const struct vc_apdu *a)
{
	uint16_t sw = SW_OK;
	struct vc_file *f;
	size_t off, end, old_size;
	uint8_t *grown, *backup = NULL;

	if (a->lc == 0)
		return SW_WRONG_LENGTH;
	if (a->p1 & 0x80)
		return SW_WRONG_P1P2;
	if (!(f = current_ef(c, &sw)))
		return sw;
	if (!allowed(c, ac_update(f)))
		return SW_SECURITY;
	off = (size_t)(a->p1 << 8 | a->p2);
	if (off > f->size)
		return SW_WRONG_OFFSET;
	end = off + a->lc;
	old_size = f->size;
	if (end > VC_MAX_FILE_SIZE)
		return SW_NO_SPACE;
	if (end > f->size) {
		/* A transparent EF grows as it is written (CREATE names no size). */
		grown = realloc(f->data, end);
		if (!grown)
			return SW_MEMORY;
		f->data = grown;
		memset(f->data + f->size, 0, end - f->size);
	}
	/* Keep the old bytes so a failed save can be undone (see vcard.h). */
	if (c->image_path && old_size) {
		backup = malloc(old_size);
		if (!backup)
			return SW_MEMORY;
		memcpy(backup, f->data, old_size);
	}
	memcpy(f->data + off, a->data, a->lc);
	if (end > f->size)
		f->size = end;
	if (vc_persist(c) < 0) {
		if (old_size)
			memcpy(f->data, backup, old_size);
		f->size = old_size;
		free(backup);
		return SW_MEMORY;
	}
	free(backup);
	return SW_OK;
}

static bool valid_fid(uint16_t fid)
{
	return fid != 0x3F00 && fid != 0xFFFF && fid != 0x0000 && fid != 0x3FFF;
}

uint16_t vc_fs_create(vcard *c, const struct vc_apdu *a)
{
	uint16_t df = cur_df(c), fid;
	bool is_df = a->ins == AKIS_INS_CREATE_DF;
	uint8_t structure = 0;
	int idx;

	if (!vc_admin(c))
		return SW_CONDITIONS;
	if (is_df) {
		if (a->p1 != 0x00)
			return SW_WRONG_P1P2;
		if (a->lc < 2 || a->lc > 2 + VC_MAX_AID)
			return SW_WRONG_LENGTH;
		if (depth(c, df) + 1 >= VC_MAX_DEPTH)
			return SW_NO_SPACE;
	} else {
		structure = a->p1;
		if (structure != AKIS_EF_TRANSPARENT && structure != AKIS_EF_LINEAR_FIXED &&
		    structure != AKIS_EF_CYCLIC && structure != AKIS_EF_LINEAR_TLV)
			return SW_WRONG_P1P2;
		if (a->lc != 2 && !(a->lc == 3 && (structure == AKIS_EF_LINEAR_FIXED ||
						    structure == AKIS_EF_CYCLIC)))
			return SW_WRONG_LENGTH;
	}
	fid = (uint16_t)(a->data[0] << 8 | a->data[1]);
	if (!valid_fid(fid))
		return SW_WRONG_DATA;
	if (child(c, df, fid) >= 0)
		return SW_FILE_EXISTS;
	idx = vc_fs_add(c, df, fid, is_df, structure, a->p2, is_df ? a->data + 2 : NULL,
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

uint16_t vc_fs_delete(vcard *c, const struct vc_apdu *a)
{
	int idx;

	if (!vc_admin(c))
		return SW_CONDITIONS;
	if (a->p1 == AKIS_DELETE_BY_FID) {
		if (a->lc != 2)
			return SW_WRONG_LENGTH;
		idx = child(c, cur_df(c), (uint16_t)(a->data[0] << 8 | a->data[1]));
	} else if (a->p1 == AKIS_DELETE_BY_PATH) {
		idx = find_path(c, a->data, a->lc);
		if (idx == -2)
			return SW_WRONG_DATA;
	} else {
		return SW_WRONG_P1P2;
	}
	if (idx < 0)
		return SW_NOT_FOUND;
	if (idx == 0)
		return SW_CONDITIONS; /* never the MF */
	/* Deleting is not undone on a failed save: the image keeps the file and
	 * the answer says so (65 81); a reload shows the old state. */
	remove_tree(c, (uint16_t)idx);
	return vc_persist(c) < 0 ? SW_MEMORY : SW_OK;
}

uint16_t vc_fs_list(vcard *c, const struct vc_apdu *a, struct vc_rsp *r)
{
	uint16_t df = cur_df(c);
	size_t i;

	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (a->lc)
		return SW_WRONG_LENGTH;
	for (i = 1; i < c->nfiles && r->len + AKIS_LIST_ENTRY_LEN <= sizeof(r->data); i++) {
		const struct vc_file *f = &c->files[i];
		uint8_t *e = r->data + r->len;
		if (f->parent != df)
			continue;
		memset(e, 0, AKIS_LIST_ENTRY_LEN);
		e[0] = f->is_df ? AKIS_LIST_DF : AKIS_LIST_EF;
		e[1] = (uint8_t)(f->fid >> 8);
		e[2] = (uint8_t)f->fid;
		e[3] = (uint8_t)(f->size >> 8);
		e[4] = (uint8_t)f->size;
		e[5] = f->is_df ? 0x38 : f->structure;
		e[6] = f->access;
		r->len += AKIS_LIST_ENTRY_LEN;
	}
	return SW_OK;
}
