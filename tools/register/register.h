/* register.h: the parts of eimza-register. */
#ifndef EIMZA_REGISTER_H
#define EIMZA_REGISTER_H

#include <stdbool.h>

#include "tools/common/tool-nssdb.h"

/* The name eimza-register gives the module in NSS databases and policies. */
#define REG_NAME "eimza"

enum reg_result { REG_DONE, REG_ALREADY, REG_SKIPPED, REG_FAILED };

/* reg-nss.c: add the library to / remove eimza from one NSS database with
 * NSS's modutil (never by editing pkcs11.txt while a program may hold it).
 * A database of another user (root running for a user's home) keeps its
 * owner. msg gets a sentence on REG_SKIPPED/REG_FAILED. */
enum reg_result reg_nss_add(const struct ez_nssdb *d, const char *home, const char *library,
                            char *msg, size_t cap);
enum reg_result reg_nss_remove(const struct ez_nssdb *d, const char *home, const char *library,
                               char *msg, size_t cap);

/* reg-policy.c: the enterprise policy files of Firefox and Thunderbird. */
struct reg_policy {
	const char *app;  /* "Firefox", "Thunderbird" */
	const char *file; /* under root: /etc/firefox/policies/policies.json, ... */
};
extern const struct reg_policy reg_policies[];
extern const int reg_npolicies;
/* Merge SecurityDevices -> Add -> eimza = library into root+file (created
 * when missing; other policies and members kept). */
enum reg_result reg_policy_add(const char *root, const struct reg_policy *p, const char *library,
                               char *msg, size_t cap);
/* Take eimza out; a file left with no policy at all is removed. */
enum reg_result reg_policy_remove(const char *root, const struct reg_policy *p, char *msg,
                                  size_t cap);
/* 1 when the file registers eimza (the library into lib), 0 when not,
 * -1 when the file is missing, -2 when it is not valid JSON. */
int reg_policy_state(const char *root, const struct reg_policy *p, char *lib, size_t cap);

#endif
