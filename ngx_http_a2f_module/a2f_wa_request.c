
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_wa_request.c: the registration request body (jansson).
 */


#include "a2f_wa_request.h"
#include "a2f_webauthn.h"

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <jansson.h>


static int a2f_wa_req_string(json_t *root, const char *key, char *out,
    size_t outsz, size_t *outlen, int required, char *why, size_t whysz);


int
a2f_wa_register_request(const char *body, size_t len,
    char user[A2F_USER_MAX + 1], size_t *ulen, char name[33], size_t *nlen,
    char **credential, size_t *clen, char *why, size_t whysz)
{
    int           rc;
    char         *text;
    json_t       *root, *cred;
    json_error_t  err;

    if (credential) {
        *credential = NULL;
        *clen = 0;
    }

    *ulen = 0;
    *nlen = 0;
    user[0] = '\0';
    name[0] = '\0';

    if (body == NULL || len == 0 || len > A2F_WA_BODY_MAX) {
        snprintf(why, whysz, "request: empty or larger than %d bytes",
                 A2F_WA_BODY_MAX);
        return A2F_ERR_INVALID;
    }

    root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);

    if (root == NULL) {
        snprintf(why, whysz, "request: not JSON (or a duplicate key)");
        return A2F_ERR_INVALID;
    }

    rc = A2F_ERR_INVALID;
    text = NULL;

    if (!json_is_object(root)) {
        snprintf(why, whysz, "request: not a JSON object");
        goto done;
    }

    if (a2f_wa_req_string(root, "user", user, A2F_USER_MAX + 1, ulen, 0,
                          why, whysz)
        != A2F_OK
        || a2f_wa_req_string(root, "name", name, 33, nlen,
                             credential != NULL, why, whysz)
           != A2F_OK)
    {
        goto done;
    }

    if (*ulen && a2f_user_name_valid(user, *ulen) != A2F_OK) {
        snprintf(why, whysz, "request: \"user\" is not a valid user name");
        goto done;
    }

    if (credential == NULL) {
        rc = A2F_OK;
        goto done;
    }

    cred = json_object_get(root, "credential");

    if (!json_is_object(cred)) {
        snprintf(why, whysz, "request: \"credential\" missing or not an "
                 "object");
        goto done;
    }

    text = json_dumps(cred, JSON_COMPACT);

    if (text == NULL) {
        snprintf(why, whysz, "request: out of memory");
        rc = A2F_ERR_NOMEM;
        goto done;
    }

    *credential = text;
    *clen = strlen(text);
    text = NULL;
    rc = A2F_OK;

done:

    json_decref(root);

    if (rc != A2F_OK) {
        *ulen = 0;
        *nlen = 0;
        user[0] = '\0';
        name[0] = '\0';
    }

    return rc;
}


/* A string member: 0..outsz-1 bytes, no NUL, no control byte. */

static int
a2f_wa_req_string(json_t *root, const char *key, char *out, size_t outsz,
    size_t *outlen, int required, char *why, size_t whysz)
{
    size_t       i, n;
    json_t      *v;
    const char  *s;

    v = json_object_get(root, key);

    if (v == NULL || json_is_null(v)) {
        if (required) {
            snprintf(why, whysz, "request: \"%s\" missing", key);
            return A2F_ERR_INVALID;
        }

        *outlen = 0;
        out[0] = '\0';
        return A2F_OK;
    }

    if (!json_is_string(v)) {
        snprintf(why, whysz, "request: \"%s\" is not a string", key);
        return A2F_ERR_INVALID;
    }

    s = json_string_value(v);
    n = json_string_length(v);

    if (n >= outsz || (required && n == 0)) {
        snprintf(why, whysz, "request: \"%s\" is empty or longer than %u "
                 "bytes", key, (unsigned) (outsz - 1));
        return A2F_ERR_INVALID;
    }

    for (i = 0; i < n; i++) {
        if ((unsigned char) s[i] < 0x20 || s[i] == 0x7f) {
            snprintf(why, whysz, "request: \"%s\" has a control character",
                     key);
            return A2F_ERR_INVALID;
        }
    }

    memcpy(out, s, n);
    out[n] = '\0';
    *outlen = n;

    return A2F_OK;
}
