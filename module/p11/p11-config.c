/*
 * p11-config.c: the optional configuration file and its environment
 * overrides (see eimza-pkcs11(8)).
 *
 *   $(sysconfdir)/eimza/eimza.conf, or the file named by EIMZA_CONF:
 *     debug = yes|no            EIMZA_DEBUG=1
 *     log_file = PATH           EIMZA_DEBUG_FILE=PATH
 *     apdu_trace = yes|no       EIMZA_APDU_TRACE=0|1 (PIN bytes always masked)
 *     reader_include = TEXT     EIMZA_READERS_INCLUDE=TEXT[,TEXT...]
 *     reader_exclude = TEXT     EIMZA_READERS_EXCLUDE=TEXT[,TEXT...]
 *     login_consent = yes|no    EIMZA_LOGIN_CONSENT=1|0 (default yes)
 *     read_retry = SECONDS      EIMZA_READ_RETRY=SECONDS (default 2)
 *     parallel_read = yes|no    EIMZA_PARALLEL_READ=1|0 (default yes)
 *     cache = yes|no            EIMZA_CACHE=1|0 (read in module/cache/)
 *     pinpad = yes|no           EIMZA_PINPAD=1|0 (default yes): PINs typed on
 *                               a PIN-pad reader's keypad (a NULL PIN)
 *
 * A reader is a slot when its name contains one of the include texts (all
 * readers when there is none) and none of the exclude texts. Lines that do
 * not parse are ignored with a log line; the file can never stop the module.
 */
#include "config.h"

#include "p11-internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ez_config ez_cfg;

static bool yes(const char *v)
{
	return strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
	       strcasecmp(v, "on") == 0;
}

/* A number of seconds, 0 to one day; anything else leaves the value. */
static void seconds(double *out, const char *v)
{
	char *end;
	double d = strtod(v, &end);

	if (end != v && *end == '\0' && d >= 0 && d <= 86400)
		*out = d;
}

static void add_list(char lists[][EZ_CFG_TEXT], size_t *n, const char *v)
{
	char buf[512], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*tok))
			tok++;
		if (*tok && *n < EZ_CFG_MAX_FILTERS)
			snprintf(lists[(*n)++], EZ_CFG_TEXT, "%s", tok);
	}
}

static void set(const char *key, const char *v)
{
	if (strcmp(key, "debug") == 0)
		ez_cfg.debug = yes(v);
	else if (strcmp(key, "log_file") == 0)
		snprintf(ez_cfg.log_file, sizeof(ez_cfg.log_file), "%s", v);
	else if (strcmp(key, "apdu_trace") == 0)
		ez_cfg.apdu_trace = yes(v);
	else if (strcmp(key, "reader_include") == 0)
		add_list(ez_cfg.include, &ez_cfg.n_include, v);
	else if (strcmp(key, "reader_exclude") == 0)
		add_list(ez_cfg.exclude, &ez_cfg.n_exclude, v);
	else if (strcmp(key, "login_consent") == 0)
		ez_cfg.login_consent = yes(v);
	else if (strcmp(key, "read_retry") == 0)
		seconds(&ez_cfg.read_retry, v);
	else if (strcmp(key, "parallel_read") == 0)
		ez_cfg.parallel_read = yes(v);
	else if (strcmp(key, "pinpad") == 0)
		ez_cfg.pinpad = yes(v);
	else if (strcmp(key, "cache") == 0)
		ez_token_cache_setting(yes(v)); /* EIMZA_CACHE overrides it (module/cache) */
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

void ez_config_load(void)
{
	const char *path = getenv("EIMZA_CONF"), *v;
	char line[600];
	FILE *f;

	memset(&ez_cfg, 0, sizeof(ez_cfg));
	ez_token_cache_setting(-1);
	ez_cfg.apdu_trace = true; /* when the log is on */
	ez_cfg.login_consent = true;
	ez_cfg.read_retry = 2;
	ez_cfg.parallel_read = true;
	ez_cfg.pinpad = true;
	if (!path)
		path = SYSCONFDIR "/eimza/eimza.conf";
	f = fopen(path, "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *eq, *key, *val, *hash = strchr(line, '#');
			if (hash)
				*hash = '\0';
			eq = strchr(line, '=');
			if (!eq)
				continue;
			*eq = '\0';
			key = trim(line);
			val = trim(eq + 1);
			set(key, val);
		}
		fclose(f);
	}
	if ((v = getenv("EIMZA_DEBUG")) && *v)
		ez_cfg.debug = yes(v);
	if ((v = getenv("EIMZA_DEBUG_FILE")) && *v)
		snprintf(ez_cfg.log_file, sizeof(ez_cfg.log_file), "%s", v);
	if ((v = getenv("EIMZA_APDU_TRACE")) && *v)
		ez_cfg.apdu_trace = yes(v);
	if ((v = getenv("EIMZA_LOGIN_CONSENT")) && *v)
		ez_cfg.login_consent = yes(v);
	if ((v = getenv("EIMZA_READ_RETRY")) && *v)
		seconds(&ez_cfg.read_retry, v);
	if ((v = getenv("EIMZA_PARALLEL_READ")) && *v)
		ez_cfg.parallel_read = yes(v);
	if ((v = getenv("EIMZA_PINPAD")) && *v)
		ez_cfg.pinpad = yes(v);
	if ((v = getenv("EIMZA_READERS_INCLUDE"))) {
		ez_cfg.n_include = 0;
		add_list(ez_cfg.include, &ez_cfg.n_include, v);
	}
	if ((v = getenv("EIMZA_READERS_EXCLUDE"))) {
		ez_cfg.n_exclude = 0;
		add_list(ez_cfg.exclude, &ez_cfg.n_exclude, v);
	}
}

bool ez_config_reader_wanted(const char *reader)
{
	size_t i;
	bool in = ez_cfg.n_include == 0;

	for (i = 0; i < ez_cfg.n_include; i++)
		if (strstr(reader, ez_cfg.include[i]))
			in = true;
	for (i = 0; i < ez_cfg.n_exclude; i++)
		if (strstr(reader, ez_cfg.exclude[i]))
			in = false;
	return in;
}
