/* info.h: the two halves of eimza-info (the listing and `doctor`). */
#ifndef EIMZA_INFO_H
#define EIMZA_INFO_H

#include <stdbool.h>

struct info_opts {
	const char *module, *slot, *token, *pin_src;
	bool json, sign_test;
};

int info_list(const struct info_opts *o);
int info_doctor(const struct info_opts *o);
int info_probe(const struct info_opts *o);
/* "valid", "renew", "expired", "not-yet-valid" */
const char *info_expiry_word(int e);

#endif
