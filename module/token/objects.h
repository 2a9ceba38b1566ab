/*
 * objects.h: building a token's PKCS#11 objects (certificates, public and
 * private keys) and their attributes from the PKCS#15 application.
 */
#ifndef EIMZA_MODULE_OBJECTS_H
#define EIMZA_MODULE_OBJECTS_H

#include "token.h"

ez_err ez_objects_build(struct ez_token *t, CK_OBJECT_HANDLE *next_handle);
void ez_objects_free(struct ez_token *t);

#endif
