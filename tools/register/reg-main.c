/*
 * reg-main.c: eimza-register, the eimza module in Firefox, Thunderbird and
 * Chromium/Chrome in one command.
 *
 *   eimza-register            add it to every NSS database of the user
 *   eimza-register --remove   take it out again
 *   eimza-register --list     each database and whether it knows the module
 *   eimza-register --system   Firefox and Thunderbird enterprise policies
 *                             (every profile of every user; as root)
 *
 * Running it twice changes nothing the second time. The library registered
 * is the one p11-kit resolves for eimza, so browsers load exactly what
 * p11-kit-aware programs load (or p11-kit's proxy with --proxy).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/common/tool-nssdb.h"
#include "tools/common/tool-p11kit.h"
#include "tools/common/tool.h"
#include "tools/register/register.h"

#ifndef P11KIT_PROXY
#define P11KIT_PROXY "/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so"
#endif

struct opts {
	bool remove, list, system, proxy;
	const char *module, *home, *root;
};

static void usage(FILE *f)
{
	fprintf(f, "%s",
	        _("Usage: eimza-register [OPTION]...\n"
	          "Make Firefox, Thunderbird and Chromium/Chrome use the eimza PKCS#11 module\n"
	          "(the e-signature card): adds it to every NSS database of the user.\n\n"
	          "  -r, --remove         take the module out again\n"
	          "  -l, --list           show each database and whether it knows the module\n"
	          "      --system         Firefox and Thunderbird enterprise policies instead:\n"
	          "                       every profile of every user (run as root)\n"
	          "  -m, --module PATH    register this library (default: eimza's, as p11-kit\n"
	          "                       has it registered)\n"
	          "      --proxy          register p11-kit's proxy (every p11-kit module)\n"
	          "      --home DIR       the user's home folder (default: $HOME)\n"
	          "      --root DIR       with --system: policy files under DIR (images, tests)\n"
	          "  -h, --help           this help\n"
	          "  -V, --version        version\n\n"
	          "Close Firefox, Thunderbird and Chromium first: a running program's profile is\n"
	          "skipped.\n"
	          "Exit status: 0 ok, 1 a database or file could not be changed or none was found,\n"
	          "2 usage, 7 the module was not found.\n"));
}

static const char *word(enum reg_result r, bool remove)
{
	switch (r) {
	case REG_DONE:
		return remove ? _("removed") : _("added");
	case REG_ALREADY:
		return remove ? _("not there") : _("already there");
	case REG_SKIPPED:
		return _("skipped");
	default:
		return _("FAILED");
	}
}

static void where(const struct ez_nssdb *d, char *out, size_t cap)
{
	if (d->how[0])
		snprintf(out, cap, "%s (%s)", d->app, d->how);
	else
		snprintf(out, cap, "%s", d->app);
}

/* The library to register: --module, the proxy, or what p11-kit resolves. */
static int library(const struct opts *o, char *out, size_t cap)
{
	char real[PATH_MAX];
	if (o->module) {
		if (!realpath(o->module, real)) {
			fprintf(stderr, _("eimza-register: %s: %s\n"), o->module, strerror(errno));
			return EZ_EXIT_MODULE;
		}
		/* keep the name given when it is a link (libakisp11.so): that is
		 * what the user asked to see in the browser */
		snprintf(out, cap, "%s", o->module[0] == '/' ? o->module : real);
		return EZ_EXIT_OK;
	}
	if (o->proxy) {
		snprintf(out, cap, "%s", P11KIT_PROXY);
		return EZ_EXIT_OK;
	}
	char *p = ez_p11kit_eimza_path();
	if (!p && access(P11_MODULE_DIR "/" EZ_MODULE_FILE, R_OK) == 0)
		p = strdup(P11_MODULE_DIR "/" EZ_MODULE_FILE);
	if (!p) {
		if (o->remove) /* what is named eimza still goes */
			return EZ_EXIT_MODULE;
		fprintf(stderr, "%s",
		        _("eimza-register: the eimza module is not registered with p11-kit and was "
		          "not found; install eimza (see eimza-info doctor), or give --module PATH.\n"));
		return EZ_EXIT_MODULE;
	}
	snprintf(out, cap, "%s", p);
	free(p);
	return EZ_EXIT_OK;
}

static int do_system(const struct opts *o, const char *lib)
{
	int ret = EZ_EXIT_OK;
	for (int i = 0; i < reg_npolicies; i++) {
		const struct reg_policy *p = &reg_policies[i];
		char msg[1024] = "", path[PATH_MAX], have[PATH_MAX];
		snprintf(path, sizeof path, "%s%s", o->root ? o->root : "", p->file);
		if (o->list) {
			int st = reg_policy_state(o->root, p, have, sizeof have);
			printf("  %-22s %s\n    %s\n", p->app, path,
			       st == 1    ? have
			       : st == 0  ? _("does not load the module")
			       : st == -1 ? _("no policy file")
			                  : _("not valid JSON"));
			continue;
		}
		enum reg_result r = o->remove ? reg_policy_remove(o->root, p, msg, sizeof msg)
		                              : reg_policy_add(o->root, p, lib, msg, sizeof msg);
		printf("  %-22s %s: %s\n", p->app, path, word(r, o->remove));
		if (r == REG_FAILED || r == REG_SKIPPED) {
			printf("    %s\n", msg);
			if (errno == EACCES || errno == EPERM)
				printf("    %s\n", _("Run it as root: sudo eimza-register --system"));
			ret = EZ_EXIT_FAILURE;
		}
	}
	if (!o->list && ret == EZ_EXIT_OK)
		printf("%s\n", o->remove ? _("New profiles no longer get the module; profiles that "
		                             "already have it keep it until eimza-register --remove "
		                             "runs for their user.")
		                         : _("Restart Firefox and Thunderbird: every profile loads the "
		                             "module."));
	return ret;
}

static int do_user(const struct opts *o, const char *lib)
{
	struct ez_nssdb *d;
	size_t n;
	int ret = EZ_EXIT_OK;
	if (ez_nssdb_find(o->home, &d, &n) != 0) {
		fprintf(stderr, "eimza-register: %s\n", _("out of memory"));
		return EZ_EXIT_FAILURE;
	}
	if (n == 0) {
		fprintf(stderr,
		        _("eimza-register: no Firefox, Thunderbird or Chromium profile was found in %s.\n"
		          "Start the program once (it creates its profile), then run eimza-register "
		          "again; or, as root, eimza-register --system for Firefox and Thunderbird.\n"),
		        o->home);
		ez_nssdb_free(d, n);
		return o->list ? EZ_EXIT_OK : EZ_EXIT_FAILURE;
	}
	for (size_t i = 0; i < n; i++) {
		char app[64], msg[1024] = "", name[256] = "";
		where(&d[i], app, sizeof app);
		if (o->list) {
			bool knows = !d[i].missing && ez_nssdb_knows_eimza(d[i].dir, name, sizeof name);
			printf("  %-22s %s\n    %s%s%s%s\n", app, d[i].dir,
			       d[i].missing ? _("no database yet (eimza-register creates it)")
			       : knows      ? _("loads the module")
			                    : _("does not load the module"),
			       knows ? " (" : "", knows ? name : "", knows ? ")" : "");
			continue;
		}
		enum reg_result r = o->remove ? reg_nss_remove(&d[i], o->home, lib, msg, sizeof msg)
		                              : reg_nss_add(&d[i], o->home, lib, msg, sizeof msg);
		printf("  %-22s %s: %s\n", app, d[i].dir, word(r, o->remove));
		if (r == REG_FAILED || r == REG_SKIPPED) {
			printf("    %s\n", msg);
			ret = EZ_EXIT_FAILURE;
		}
	}
	ez_nssdb_free(d, n);
	return ret;
}

int main(int argc, char **argv)
{
	enum { O_SYSTEM = 256, O_PROXY, O_HOME, O_ROOT };
	static const struct option lo[] = {
	    {"remove", no_argument, NULL, 'r'},  {"list", no_argument, NULL, 'l'},
	    {"system", no_argument, NULL, O_SYSTEM}, {"module", required_argument, NULL, 'm'},
	    {"proxy", no_argument, NULL, O_PROXY}, {"home", required_argument, NULL, O_HOME},
	    {"root", required_argument, NULL, O_ROOT}, {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},   {NULL, 0, NULL, 0},
	};
	struct opts o = {0};
	int c;

	ez_i18n_init();
	while ((c = getopt_long(argc, argv, "rlm:hV", lo, NULL)) != -1) {
		switch (c) {
		case 'r':
			o.remove = true;
			break;
		case 'l':
			o.list = true;
			break;
		case 'm':
			o.module = optarg;
			break;
		case O_SYSTEM:
			o.system = true;
			break;
		case O_PROXY:
			o.proxy = true;
			break;
		case O_HOME:
			o.home = optarg;
			break;
		case O_ROOT:
			o.root = optarg;
			break;
		case 'h':
			usage(stdout);
			return EZ_EXIT_OK;
		case 'V':
			ez_print_version("eimza-register");
			return EZ_EXIT_OK;
		default:
			usage(stderr);
			return EZ_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, _("eimza-register: unexpected argument \"%s\"\n"), argv[optind]);
		usage(stderr);
		return EZ_EXIT_USAGE;
	}
	if ((o.remove && o.list) || (o.module && o.proxy) || (o.root && !o.system)) {
		fprintf(stderr, "%s",
		        _("eimza-register: --remove and --list, --module and --proxy cannot go "
		          "together; --root needs --system\n"));
		return EZ_EXIT_USAGE;
	}
	if (!o.home)
		o.home = getenv("HOME");
	if (!o.system && (!o.home || o.home[0] != '/')) {
		fprintf(stderr, "%s", _("eimza-register: no home folder: give --home DIR\n"));
		return EZ_EXIT_USAGE;
	}

	char lib[PATH_MAX] = "";
	if (!o.list) {
		int r = library(&o, lib, sizeof lib);
		if (r != EZ_EXIT_OK && !o.remove)
			return r;
		if (r != EZ_EXIT_OK)
			lib[0] = 0; /* --remove still takes out what is named eimza */
		else if (!o.remove)
			printf(_("Module: %s\n"), lib);
	}
	if (o.system) {
		if (o.list)
			printf("%s\n", _("Enterprise policies (every user):"));
		return do_system(&o, lib);
	}
	if (o.list)
		printf(_("NSS databases in %s:\n"), o.home);
	return do_user(&o, lib[0] ? lib : NULL);
}
