/*
 * vcard-fs.c: the card's file tree, shared by both generations. An array
 * of files with parent links; index 0 is the MF. Lookup, access checks,
 * the FCI, and READ/UPDATE BINARY of the current EF. Which SELECT forms a
 * card accepts is its generation's business (gen12-fs.c, gen2-fs.c).
 */
#include "config.h"

#include "vcard-internal.h"

#include <stdlib.h>
#include <string.h>

void vc_fs_free(vcard *c)
{
	size_t i;

	for (i = 0; i < c->nfiles; i++) {
		free(c->files[i].data);
		c->files[i].data = NULL;
	}
	c->nfiles = 0;
}

int vc_fs_add(vcard *c, uint16_t parent, uint16_t fid, bool is_df, uint8_t fdb, uint8_t access,
              const uint8_t *name, size_t name_len)
{
	struct vc_file *f;

	if (c->nfiles >= VC_MAX_FILES || name_len > VC_MAX_NAME)
		return -1;
	f = &c->files[c->nfiles];
	memset(f, 0, sizeof(*f));
	f->fid = fid;
	f->parent = parent;
	f->is_df = is_df;
	f->fdb = is_df ? VC_FDB_DF : fdb;
	f->access = access;
	if (name_len)
		memcpy(f->name, name, name_len);
	f->name_len = name_len;
	return (int)c->nfiles++;
}

uint16_t vc_fs_cur_df(const vcard *c)
{
	const struct vc_file *f = &c->files[c->cur];

	return f->is_df ? c->cur : f->parent;
}

int vc_fs_child(const vcard *c, uint16_t df, uint16_t fid)
{
	size_t i;

	for (i = 1; i < c->nfiles; i++)
		if (c->files[i].parent == df && c->files[i].fid == fid)
			return (int)i;
	return -1;
}

unsigned vc_fs_depth(const vcard *c, uint16_t idx)
{
	unsigned d = 0;

	while (c->files[idx].parent != VC_NO_FILE && d < VC_MAX_DEPTH + 1) {
		idx = c->files[idx].parent;
		d++;
	}
	return d;
}

int vc_fs_find_fid(const vcard *c, uint16_t fid)
{
	uint16_t df = vc_fs_cur_df(c);
	uint16_t parent = c->files[df].parent;
	int i;

	if (fid == VC_FID_MF)
		return 0;
	if (c->files[df].fid == fid)
		return df;
	if ((i = vc_fs_child(c, df, fid)) >= 0)
		return i;
	if (parent != VC_NO_FILE) {
		if (c->files[parent].fid == fid)
			return parent;
		if ((i = vc_fs_child(c, parent, fid)) >= 0)
			return i;
	}
	return -1;
}

int vc_fs_find_name(const vcard *c, const uint8_t *name, size_t len)
{
	size_t i;

	for (i = 0; i < c->nfiles; i++)
		if (c->files[i].is_df && len > 0 && c->files[i].name_len == len &&
		    memcmp(c->files[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

uint16_t vc_fs_select_target(const vcard *c, const struct vc_apdu *a, bool empty_is_mf,
                             int *idx)
{
	uint16_t fid;

	if (a->p2 != VC_SELECT_P2_FCI && a->p2 != VC_SELECT_P2_NONE)
		return SW_WRONG_P1P2;
	switch (a->p1) {
	case VC_SELECT_BY_FID:
	case VC_SELECT_CHILD_DF:
	case VC_SELECT_EF_UNDER_DF:
		if (a->p1 == VC_SELECT_BY_FID && a->lc == 0 && empty_is_mf) {
			*idx = 0;
			return SW_OK;
		}
		if (a->lc != 2)
			return SW_WRONG_LENGTH;
		fid = (uint16_t)(a->data[0] << 8 | a->data[1]);
		if (a->p1 == VC_SELECT_BY_FID) {
			*idx = vc_fs_find_fid(c, fid);
		} else {
			*idx = vc_fs_child(c, vc_fs_cur_df(c), fid);
			if (*idx >= 0 && c->files[*idx].is_df != (a->p1 == VC_SELECT_CHILD_DF))
				*idx = -1;
		}
		break;
	case VC_SELECT_BY_NAME:
		if (a->lc == 0 || a->lc > VC_MAX_NAME)
			return SW_WRONG_LENGTH;
		*idx = vc_fs_find_name(c, a->data, a->lc);
		break;
	default:
		return SW_WRONG_P1P2; /* 08 (path from the MF) included */
	}
	return *idx < 0 ? SW_NOT_FOUND : SW_OK;
}

/* Personalization allows everything; in use, the nibble decides. */
bool vc_fs_allowed(const vcard *c, uint8_t cond)
{
	size_t i;
	uint8_t ref;

	if (vc_personalizing(c))
		return true;
	switch (cond) {
	case VC_AC_ALWAYS:
		return true;
	case VC_AC_PIN:
		ref = VC_REF_PIN;
		break;
	case VC_AC_PUK:
		ref = VC_REF_PUK;
		break;
	default:
		return false;
	}
	for (i = 0; i < c->npins; i++)
		if (c->pins[i].ref == ref)
			return c->pins[i].verified;
	return false;
}

void vc_fs_fci(const vcard *c, uint16_t idx, uint8_t template_tag, struct vc_rsp *r)
{
	const struct vc_file *f = &c->files[idx];
	uint8_t *p = r->data;
	size_t n = 0;

	p[n++] = template_tag;
	p[n++] = 0; /* length, below */
	if (!f->is_df) {
		p[n++] = 0x80;
		p[n++] = 2;
		p[n++] = (uint8_t)(f->size >> 8);
		p[n++] = (uint8_t)f->size;
	}
	p[n++] = 0x82;
	p[n++] = 1;
	p[n++] = f->fdb;
	p[n++] = 0x83;
	p[n++] = 2;
	p[n++] = (uint8_t)(f->fid >> 8);
	p[n++] = (uint8_t)f->fid;
	if (f->is_df && f->name_len) {
		p[n++] = 0x84;
		p[n++] = (uint8_t)f->name_len;
		memcpy(p + n, f->name, f->name_len);
		n += f->name_len;
	}
	p[1] = (uint8_t)(n - 2);
	r->len = n;
}

static struct vc_file *current_ef(vcard *c, uint16_t *sw)
{
	struct vc_file *f = &c->files[c->cur];

	if (f->is_df) {
		*sw = SW_NO_CURRENT_EF;
		return NULL;
	}
	if (f->fdb != VC_FDB_TRANSPARENT) {
		*sw = SW_INCOMPATIBLE_FILE;
		return NULL;
	}
	return f;
}

uint16_t vc_fs_read_current(vcard *c, size_t off, size_t want, struct vc_rsp *r)
{
	uint16_t sw = SW_OK;
	struct vc_file *f;
	size_t n;

	if (!(f = current_ef(c, &sw)))
		return sw;
	if (!vc_fs_allowed(c, VC_AC_READ(f->access)))
		return SW_SECURITY;
	if (off > f->size || (off == f->size && f->size > 0))
		return SW_WRONG_OFFSET;
	n = want;
	if (n > f->size - off) {
		n = f->size - off;
		r->eof_short = true;
	}
	if (n > sizeof(r->data))
		n = sizeof(r->data);
	if (n) /* an empty EF has no data buffer at all */
		memcpy(r->data, f->data + off, n);
	r->len = n;
	return SW_OK;
}

uint16_t vc_fs_update_current(vcard *c, size_t off, const uint8_t *data, size_t len)
{
	uint16_t sw = SW_OK;
	struct vc_file *f;
	size_t end, old_size;
	uint8_t *grown, *backup = NULL;

	if (!(f = current_ef(c, &sw)))
		return sw;
	if (!vc_fs_allowed(c, VC_AC_UPDATE(f->access)))
		return SW_SECURITY;
	if (off > f->size)
		return SW_WRONG_OFFSET;
	end = off + len;
	old_size = f->size;
	if (end > VC_MAX_FILE_SIZE)
		return SW_NO_SPACE;
	/* Keep the old bytes so a failed save can be undone (see vcard.h). */
	if (c->image_path && old_size) {
		backup = malloc(old_size);
		if (!backup)
			return SW_MEMORY;
		memcpy(backup, f->data, old_size);
	}
	if (end > f->size) {
		/* A transparent EF grows as it is written (CREATE names no size). */
		grown = realloc(f->data, end);
		if (!grown) {
			free(backup);
			return SW_MEMORY;
		}
		f->data = grown;
		memset(f->data + f->size, 0, end - f->size);
		f->size = end;
	}
	if (len)
		memcpy(f->data + off, data, len);
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
