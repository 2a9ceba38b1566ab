/*
 * replay-reader.c: the PC/SC context of the scripted transport (replay.h):
 * one reader with one scripted card, for the PKCS#11 front's ez_pcsc_*
 * calls. Process-wide, as pcscd is: the module opens its own contexts.
 */
#include "config.h"

#include "replay.h"

#include <stdlib.h>
#include <string.h>

struct ez_pcsc {
	unsigned seen; /* the reader's event count at the last wait */
};

static struct {
	char name[EZ_READER_NAME_MAX];
	bool exists;
	ez_conn *card;
	unsigned events;
} reader;

void ez_replay_reader(const char *name, ez_conn *card)
{
	memset(&reader, 0, sizeof(reader));
	if (!name)
		return;
	/* A name too long for the module's slots is cut, as no reader is. */
	strncpy(reader.name, name, sizeof(reader.name) - 1);
	reader.exists = true;
	reader.card = card;
	if (card)
		ez_replay_keep(card);
	reader.events = card ? 1 : 0;
}

void ez_replay_reader_insert(ez_conn *card)
{
	reader.card = card;
	if (card)
		ez_replay_keep(card);
	reader.events++;
}

void ez_replay_reader_remove(void)
{
	reader.card = NULL;
	reader.events++;
}

ez_err ez_pcsc_open(ez_pcsc **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? EZ_OK : EZ_ERR_NO_MEMORY;
}

void ez_pcsc_close(ez_pcsc *p)
{
	free(p);
}

void ez_pcsc_abandon(ez_pcsc *p)
{
	free(p);
}

ez_err ez_pcsc_list(ez_pcsc *p, char **out)
{
	size_t n = reader.exists ? strlen(reader.name) : 0;

	(void)p;
	*out = calloc(1, n + 2); /* "name\0\0", or "\0\0" for none */
	if (!*out)
		return EZ_ERR_NO_MEMORY;
	memcpy(*out, reader.name, n);
	return EZ_OK;
}

ez_err ez_pcsc_state(ez_pcsc *p, const char *name, struct ez_reader_state *st)
{
	(void)p;
	memset(st, 0, sizeof(*st));
	if (!reader.exists || strcmp(name, reader.name) != 0) {
		st->gone = true;
		return EZ_OK;
	}
	st->events = reader.events;
	st->present = reader.card != NULL;
	if (reader.card)
		st->atr_len = ez_conn_atr(reader.card, st->atr, sizeof(st->atr));
	return EZ_OK;
}

/* Nothing happens while a caller waits: an event is one made before the
 * wait by ez_replay_reader_insert/remove. Returns at once either way. */
ez_err ez_pcsc_wait(ez_pcsc *p, long timeout_ms)
{
	(void)timeout_ms;
	if (p->seen != reader.events) {
		p->seen = reader.events;
		return EZ_OK;
	}
	return EZ_ERR_NOT_FOUND;
}

void ez_pcsc_cancel(ez_pcsc *p)
{
	(void)p;
}

ez_err ez_conn_open(ez_pcsc *p, const char *name, ez_conn **out)
{
	(void)p;
	*out = NULL;
	if (!reader.exists || strcmp(name, reader.name) != 0)
		return EZ_ERR_NO_READER;
	if (!reader.card)
		return EZ_ERR_NO_CARD;
	*out = reader.card;
	return EZ_OK;
}
