/*
 * tool-time.c: times for people and times for programs.
 *
 * A card holder reads "valid until" and "signed at" in the time of the
 * clock on the wall, with its UTC offset so that a report pasted elsewhere
 * stays exact; JSON and signed content carry UTC, which a program compares
 * without knowing where the user lives.
 */
#include "config.h"

#include <string.h>

#include "tools/common/tool.h"

void ez_format_local_time(time_t t, char *out, size_t cap)
{
	struct tm tm;
	char off[8];

	if (cap == 0)
		return;
	/* strftime's %z is "+0300"; people and ISO 8601 read "+03:00" */
	if (!localtime_r(&t, &tm) || !strftime(off, sizeof off, "%z", &tm) || strlen(off) != 5 ||
	    !strftime(out, cap, "%Y-%m-%d %H:%M:%S", &tm)) {
		snprintf(out, cap, "?");
		return;
	}
	size_t n = strlen(out);
	snprintf(out + n, cap - n, " %.3s:%.2s", off, off + 3);
}

void ez_format_utc_time(time_t t, char *out, size_t cap)
{
	struct tm tm;

	if (cap == 0)
		return;
	if (!gmtime_r(&t, &tm) || !strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, cap, "?");
}
