/*
 * replay.c: the scripted transport (replay.h).
 */
#include "config.h"

#include "replay.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eimza/apdu-trace.h>

struct step {
	char *cmd; /* normalized: upper-case hex without blanks */
	uint8_t rsp[260];
	size_t rsp_len;
};

struct ez_conn {
	uint8_t atr[EZ_ATR_MAX];
	size_t atr_len;
	struct step *steps;
	size_t nsteps, next;
	char error[512];
	bool failed;
	ez_replay_fn fn;
	void *arg;
	char **trace;
	size_t ntrace;
	size_t exchanges;
	int depth;
	bool lost;
	size_t recoveries;
	ez_trace_fn trace_fn;
	void *trace_arg;
	bool kept; /* ez_conn_close leaves it to its owner (ez_replay_keep) */
	unsigned pad, pad_min, pad_max;
	struct ez_pad_cmd last_pad;
	bool pad_used;
};

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = toupper(ch);
	return ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* Hex text to bytes; blanks ignored. -1 when not hex. */
static long unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1, v;

	for (; *s; s++) {
		if (isspace((unsigned char)*s) || *s == ':')
			continue;
		if ((v = hexval(*s)) < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (long)n : -1;
}

static char *normalize(const char *s)
{
	char *o = malloc(strlen(s) + 1), *p = o;

	if (!o)
		return NULL;
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			*p++ = (char)toupper((unsigned char)*s);
	*p = '\0';
	return o;
}

ez_conn *ez_replay_open(const uint8_t *atr, size_t atr_len)
{
	ez_conn *c = calloc(1, sizeof(*c));

	if (!c || atr_len > sizeof(c->atr)) {
		free(c);
		return NULL;
	}
	memcpy(c->atr, atr, atr_len);
	c->atr_len = atr_len;
	return c;
}

ez_conn *ez_replay_open_hex(const char *atr_hex)
{
	uint8_t atr[EZ_ATR_MAX];
	long n = unhex(atr_hex, atr, sizeof(atr));

	return n < 0 ? NULL : ez_replay_open(atr, (size_t)n);
}

void ez_replay_close(ez_conn *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nsteps; i++)
		free(c->steps[i].cmd);
	for (i = 0; i < c->ntrace; i++)
		free(c->trace[i]);
	free(c->steps);
	free(c->trace);
	free(c);
}

void ez_replay_expect(ez_conn *c, const char *cmd_hex, const char *rsp_hex)
{
	struct step *s = realloc(c->steps, (c->nsteps + 1) * sizeof(*s));
	long n;

	if (!s)
		abort(); /* a test helper: out of memory ends the test */
	c->steps = s;
	s = &c->steps[c->nsteps];
	s->cmd = normalize(cmd_hex);
	n = unhex(rsp_hex, s->rsp, sizeof(s->rsp));
	if (!s->cmd || n < 2) {
		fprintf(stderr, "replay: bad script step '%s' -> '%s'\n", cmd_hex, rsp_hex);
		abort();
	}
	s->rsp_len = (size_t)n;
	c->nsteps++;
}

size_t ez_replay_pending(const ez_conn *c)
{
	return c->nsteps - c->next;
}

const char *ez_replay_error(const ez_conn *c)
{
	return c->failed ? c->error : NULL;
}

void ez_replay_set_responder(ez_conn *c, ez_replay_fn fn, void *arg)
{
	c->fn = fn;
	c->arg = arg;
}

static void trace(ez_conn *c, const uint8_t *apdu, size_t len, bool command)
{
	char line[1200], **t = realloc(c->trace, (c->ntrace + 1) * sizeof(*t));

	if (!t)
		abort();
	c->trace = t;
	ez_apdu_trace_line(apdu, len, command, line, sizeof(line));
	c->trace[c->ntrace] = strdup(line);
	if (!c->trace[c->ntrace])
		abort();
	c->ntrace++;
	if (c->trace_fn)
		c->trace_fn(c->trace_arg, line);
}

size_t ez_replay_trace_count(const ez_conn *c, const char *prefix)
{
	size_t i, n = 0;

	for (i = 0; i < c->ntrace; i++)
		if (strncmp(c->trace[i], prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

const char *ez_replay_trace_line(const ez_conn *c, size_t i)
{
	return i < c->ntrace ? c->trace[i] : NULL;
}

size_t ez_replay_trace_len(const ez_conn *c)
{
	return c->ntrace;
}

size_t ez_replay_exchanges(const ez_conn *c)
{
	return c->exchanges;
}

int ez_replay_open_transactions(const ez_conn *c)
{
	return c->depth;
}

size_t ez_replay_recoveries(const ez_conn *c)
{
	return c->recoveries;
}

/* Does the sent command fit the pattern ("..": any byte, "*": any rest)? */
static bool matches(const char *pattern, const uint8_t *cmd, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0;
	const char *p = pattern;

	for (; *p; p += 2, i++) {
		if (*p == '*')
			return true;
		if (!p[1] || i >= len)
			return false;
		if (p[0] == '.' && p[1] == '.')
			continue;
		if (p[0] != hex[cmd[i] >> 4] || p[1] != hex[cmd[i] & 0x0F])
			return false;
	}
	return i == len;
}

/* ---- the transport the card side calls -------------------------------------- */

size_t ez_conn_atr(const ez_conn *c, uint8_t *buf, size_t cap)
{
	if (cap < c->atr_len)
		return 0;
	memcpy(buf, c->atr, c->atr_len);
	return c->atr_len;
}

ez_err ez_conn_begin(ez_conn *c)
{
	if (c->lost)
		return EZ_ERR_CARD_REMOVED;
	c->depth++;
	return EZ_OK;
}

void ez_conn_end(ez_conn *c)
{
	c->depth--;
}

bool ez_conn_lost(const ez_conn *c)
{
	return c->lost;
}

void ez_conn_mark_lost(ez_conn *c)
{
	c->lost = true;
}

/* A reset: the card answers again (what it answers is the script's). The
 * transaction count is left alone: tests check that the card layer ends
 * every transaction it began, lost connection or not. */
ez_err ez_conn_recover(ez_conn *c)
{
	c->lost = false;
	c->recoveries++;
	return EZ_OK;
}

void ez_replay_keep(ez_conn *c)
{
	c->kept = true;
}

/* A token owns its connection and closes it (the token tests); a card the
 * scripted reader hands out stays its owner's (ez_replay_keep). */
void ez_conn_close(ez_conn *c)
{
	if (c && !c->kept)
		ez_replay_close(c);
}

void ez_replay_pinpad(ez_conn *c, unsigned caps, unsigned min, unsigned max)
{
	c->pad = caps;
	c->pad_min = min;
	c->pad_max = max;
}

const struct ez_pad_cmd *ez_replay_last_pad(const ez_conn *c)
{
	return c->pad_used ? &c->last_pad : NULL;
}

unsigned ez_conn_pinpad(ez_conn *c)
{
	return c->pad;
}

void ez_conn_pinpad_limits(ez_conn *c, unsigned *min, unsigned *max)
{
	*min = c->pad_min;
	*max = c->pad_max;
}

static void mismatch(ez_conn *c, const char *what, const char *expected)
{
	if (!c->failed) {
		snprintf(c->error, sizeof(c->error), "step %zu: sent %s, expected %s", c->next + 1,
			 what, expected ? expected : "nothing more");
		c->failed = true;
	}
}

ez_err ez_conn_pinpad_run(ez_conn *c, const struct ez_pad_cmd *cmd, uint16_t *sw)
{
	uint8_t rsp[260];
	size_t n = sizeof(rsp);
	const struct step *s;

	*sw = 0;
	if (c->lost)
		return EZ_ERR_CARD_REMOVED;
	if (!(c->pad & (cmd->modify ? EZ_PAD_MODIFY : EZ_PAD_VERIFY)) || cmd->apdu_len < 5 ||
	    cmd->apdu_len > sizeof(cmd->apdu))
		return EZ_ERR_UNSUPPORTED;
	c->last_pad = *cmd;
	c->pad_used = true;
	c->exchanges++;
	trace(c, cmd->apdu, cmd->apdu_len, true);
	if (c->fn) {
		c->fn(c->arg, cmd->apdu, cmd->apdu_len, rsp, &n);
		if (n < 2 || n > sizeof(rsp)) {
			rsp[0] = 0x6F;
			rsp[1] = 0x00;
			n = 2;
		}
	} else {
		s = c->next < c->nsteps ? &c->steps[c->next] : NULL;
		if (!s || strncmp(s->cmd, "PAD", 3) != 0 ||
		    !matches(s->cmd + 3, cmd->apdu, cmd->apdu_len)) {
			mismatch(c, "a PIN-pad command", s ? s->cmd : NULL);
			rsp[0] = 0x6F;
			rsp[1] = 0x00;
			n = 2;
		} else {
			c->next++;
			n = s->rsp_len;
			memcpy(rsp, s->rsp, n);
		}
	}
	trace(c, rsp, n, false);
	*sw = (uint16_t)(rsp[n - 2] << 8 | rsp[n - 1]);
	return EZ_OK;
}

void ez_conn_set_trace(ez_conn *c, ez_trace_fn fn, void *arg)
{
	c->trace_fn = fn;
	c->trace_arg = arg;
}

ez_err ez_conn_transmit(ez_conn *c, const uint8_t *cmd, size_t cmd_len, uint8_t *rsp,
			size_t *rsp_len)
{
	static const char hex[] = "0123456789ABCDEF";
	const struct step *s;
	size_t n;

	if (c->lost)
		return EZ_ERR_CARD_REMOVED;
	if (*rsp_len < 2)
		return EZ_ERR_ARGS;
	c->exchanges++;
	trace(c, cmd, cmd_len, true);
	if (c->fn) {
		size_t cap = *rsp_len;
		c->fn(c->arg, cmd, cmd_len, rsp, rsp_len);
		if (*rsp_len < 2 || *rsp_len > cap) {
			rsp[0] = 0x6F;
			rsp[1] = 0x00;
			*rsp_len = 2;
		}
		trace(c, rsp, *rsp_len, false);
		return EZ_OK;
	}
	s = c->next < c->nsteps ? &c->steps[c->next] : NULL;
	if (!s || !matches(s->cmd, cmd, cmd_len)) {
		if (!c->failed) {
			size_t k = (size_t)snprintf(c->error, sizeof(c->error), "step %zu: sent ",
						    c->next + 1);
			for (n = 0; n < cmd_len && k + 4 < sizeof(c->error); n++) {
				c->error[k++] = hex[cmd[n] >> 4];
				c->error[k++] = hex[cmd[n] & 0x0F];
			}
			snprintf(c->error + k, sizeof(c->error) - k, ", expected %s",
				 s ? s->cmd : "nothing more");
			c->failed = true;
		}
		rsp[0] = 0x6F;
		rsp[1] = 0x00;
		*rsp_len = 2;
		trace(c, rsp, 2, false);
		return EZ_OK;
	}
	c->next++;
	n = s->rsp_len <= *rsp_len ? s->rsp_len : *rsp_len;
	memcpy(rsp, s->rsp, n);
	*rsp_len = n;
	trace(c, rsp, n, false);
	return EZ_OK;
}
