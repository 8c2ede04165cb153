
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_wa_request.h: the JSON body of a security-key registration as the
 * portal's page sends it:
 *
 *     {"user": "NAME", "name": "KEY NAME", "credential": {...}}
 *
 * "user" is optional (an administrator registering a key for a user),
 * "name" is the key's name (1..A2F_DEVICE_MAX bytes, no control bytes),
 * "credential" the PublicKeyCredential that a2f_wa_register() checks.
 */

#ifndef _A2F_WA_REQUEST_H_INCLUDED_
#define _A2F_WA_REQUEST_H_INCLUDED_


#include "a2f_common.h"


/*
 * Parse body (len bytes, at most A2F_WA_BODY_MAX) with duplicate keys
 * refused.  With credential NULL (a request for options) only "user" is
 * read, "name" and "credential" may be absent.  user receives the NUL-terminated "user" (A2F_USER_MAX + 1
 * bytes; *ulen 0 when absent), name the "name" (A2F_DEVICE_MAX + 1
 * bytes), *credential a malloc()ed, NUL-terminated compact JSON text of
 * "credential" (*clen bytes), which the caller frees with free().
 * Returns A2F_OK, or A2F_ERR_INVALID with a short reason in why (never
 * the values) and nothing to free.
 */
int a2f_wa_register_request(const char *body, size_t len,
    char user[A2F_USER_MAX + 1], size_t *ulen, char name[33], size_t *nlen,
    char **credential, size_t *clen, char *why, size_t whysz);


#endif /* _A2F_WA_REQUEST_H_INCLUDED_ */
