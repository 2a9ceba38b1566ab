/*
 * tool-args.c: command-line mistakes reported the same way by every tool:
 * one line that names the argument (quoted safely and cut when long), and
 * a pointer to --help instead of the whole usage text, which would push
 * the one line that matters off the screen.
 */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <string.h>

#include "tools/common/tool.h"

static void try_help(const char *prog)
{
	fprintf(stderr, _("Try '%s --help' for more information.\n"), prog);
}

int ez_usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	try_help(prog);
	return EZ_EXIT_USAGE;
}

/* The option as the user wrote it: "--name" (without "=value") or "-c". */
static void option_written(int optopt_, char *const argv[], int optind_, char *out, size_t cap)
{
	const char *w = optind_ > 0 ? argv[optind_ - 1] : NULL;

	if (w && strncmp(w, "--", 2) == 0) {
		size_t n = strcspn(w, "=");
		snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), w);
	} else if (optopt_ > 0 && optopt_ < 0x7f) {
		snprintf(out, cap, "-%c", optopt_);
	} else {
		snprintf(out, cap, "%s", w ? w : "?");
	}
}

int ez_option_error(const char *prog, int c, char *const argv[], const struct option *longopts)
{
	char name[256];

	option_written(optopt, argv, optind, name, sizeof name);
	if (c == ':')
		return ez_usage_error(prog, _("the option \"%s\" needs a value"),
		                      ez_arg_shown(name));
	/* "--json=x": a known option that takes no value */
	if (strncmp(name, "--", 2) == 0 && strchr(argv[optind - 1], '='))
		for (const struct option *o = longopts; o && o->name; o++)
			if (strcmp(o->name, name + 2) == 0 && o->has_arg == no_argument)
				return ez_usage_error(prog, _("the option \"%s\" takes no value"),
				                      ez_arg_shown(name));
	return ez_usage_error(prog, _("unknown option \"%s\""), ez_arg_shown(name));
}

int ez_parse_number(const char *text, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!text || !*text)
		return -1;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1; /* no sign, no blank, no hex: what strtoul would let through */
		if (v > (max - (unsigned long)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < min)
		return -1;
	*out = v;
	return 0;
}

int ez_parse_slot(const char *text, CK_SLOT_ID *out)
{
	unsigned long v;

	if (ez_parse_number(text, 0, (unsigned long)(CK_SLOT_ID)-1, &v) < 0)
		return -1;
	*out = (CK_SLOT_ID)v;
	return 0;
}

int ez_slot_error(const char *prog, const char *text)
{
	return ez_usage_error(prog,
	                      _("--slot wants a slot number as eimza-info lists it (digits only), "
	                        "not \"%s\""),
	                      ez_arg_shown(text));
}
