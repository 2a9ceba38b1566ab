/*
 * p11-log.c: the module's debug log. Off unless EIMZA_DEBUG=1 (stderr) or
 * EIMZA_DEBUG_FILE=PATH. PINs and PUKs never reach it: APDU lines come
 * from ez_apdu_trace_line(), which masks the data of VERIFY, CHANGE
 * REFERENCE DATA and RESET RETRY COUNTER.
 */
#include "config.h"

#include "p11-internal.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static FILE *log_out;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void ez_log_init(void)
{
	ez_config_load();
	pthread_mutex_lock(&log_lock);
	if (!log_out) {
		if (ez_cfg.log_file[0])
			log_out = fopen(ez_cfg.log_file, "ae");
		else if (ez_cfg.debug)
			log_out = stderr;
	}
	pthread_mutex_unlock(&log_lock);
}

bool ez_log_enabled(void)
{
	return log_out != NULL;
}

void ez_log(const char *fmt, ...)
{
	va_list ap;
	struct timespec ts;

	if (!log_out)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	pthread_mutex_lock(&log_lock);
	fprintf(log_out, "eimza %ld.%03ld [%d/%ld] ", (long)ts.tv_sec, ts.tv_nsec / 1000000,
		(int)getpid(), (long)syscall(SYS_gettid));
	va_start(ap, fmt);
	vfprintf(log_out, fmt, ap);
	va_end(ap);
	fputc('\n', log_out);
	fflush(log_out);
	pthread_mutex_unlock(&log_lock);
}

void ez_trace_apdu(void *arg, const char *line)
{
	CK_SLOT_ID slot = (CK_SLOT_ID)(uintptr_t)arg;

	if (ez_cfg.apdu_trace)
		ez_log("slot %lu apdu %s", slot, line);
	ez_vendor_trace(slot, line);
}

double ez_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
