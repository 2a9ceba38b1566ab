/*
 * pkcs11-types.h: the PKCS#11 v2.40 header, from p11-kit (the OASIS
 * definitions with the usual CK_* names, its "compatibility" mode).
 */
#ifndef EIMZA_MODULE_PKCS11_TYPES_H
#define EIMZA_MODULE_PKCS11_TYPES_H

#include <p11-kit/pkcs11.h>

#endif
