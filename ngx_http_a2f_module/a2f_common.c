
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_common.c: error texts and the user name rule.
 */


#include <stdarg.h>
#include <stdio.h>

#include "a2f_common.h"


const char *
a2f_strerror(int rc)
{
    switch (rc) {

    case A2F_OK:
        return "success";

    case A2F_ERR_INVALID:
        return "malformed input";

    case A2F_ERR_NOTFOUND:
        return "not found";

    case A2F_ERR_EXISTS:
        return "already exists";

    case A2F_ERR_AUTH:
        return "authentication failed";

    case A2F_ERR_LOCKED:
        return "locked out";

    case A2F_ERR_REPLAY:
        return "one-time code already used";

    case A2F_ERR_EXPIRED:
        return "expired";

    case A2F_ERR_FULL:
        return "database full";

    case A2F_ERR_STORAGE:
        return "storage failure";

    case A2F_ERR_CRYPTO:
        return "cryptographic library failure";

    case A2F_ERR_NOMEM:
        return "out of memory";

    case A2F_ERR_DISABLED:
        return "user disabled";

    case A2F_ERR_TOOBIG:
        return "too big";

    case A2F_ERR_NOKEY:
        return "no matching key";

    default:
        return "unknown error";
    }
}


/*
 * Printable non-space ASCII except '/', ':' and '\\', or a well-formed
 * UTF-8 sequence (shortest form, no surrogates, at most U+10FFFF, no C1
 * control characters).
 */

int
a2f_user_name_valid(const char *name, size_t len)
{
    size_t          i, n, k;
    uint32_t        cp, min;
    const uint8_t  *p;

    if (name == NULL || len == 0 || len > A2F_USER_MAX) {
        return A2F_ERR_INVALID;
    }

    p = (const uint8_t *) name;
    i = 0;

    while (i < len) {

        if (p[i] < 0x80) {
            if (p[i] < 0x21 || p[i] == 0x7f || p[i] == '/' || p[i] == ':'
                || p[i] == '\\')
            {
                return A2F_ERR_INVALID;
            }

            i++;
            continue;
        }

        if (p[i] >= 0xc2 && p[i] <= 0xdf) {
            n = 1;
            cp = p[i] & 0x1f;
            min = 0x80;

        } else if (p[i] >= 0xe0 && p[i] <= 0xef) {
            n = 2;
            cp = p[i] & 0x0f;
            min = 0x800;

        } else if (p[i] >= 0xf0 && p[i] <= 0xf4) {
            n = 3;
            cp = p[i] & 0x07;
            min = 0x10000;

        } else {
            return A2F_ERR_INVALID;
        }

        if (len - i - 1 < n) {
            return A2F_ERR_INVALID;
        }

        for (k = 1; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                return A2F_ERR_INVALID;
            }

            cp = (cp << 6) | (p[i + k] & 0x3f);
        }

        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)
            || cp <= 0x9f)
        {
            return A2F_ERR_INVALID;
        }

        i += n + 1;
    }

    return A2F_OK;
}


void
a2f_why(char *why, size_t whysz, const char *fmt, ...)
{
    va_list  ap;

    if (why == NULL || whysz == 0) {
        return;
    }

    va_start(ap, fmt);
    vsnprintf(why, whysz, fmt, ap);
    va_end(ap);
}
