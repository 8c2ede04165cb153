
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * fuzz_api_json.c: libFuzzer target for the JSON request bodies of the
 * API (a2f_api_json.h).
 *
 *   "!" n req max body   the fields are chosen by three bytes: how many
 *                        (n & 7, + 1; n & 8: the last asks for the same
 *                        member as the first), which are required (a
 *                        bit each) and their bounds (from a table);
 *                        the rest is the body
 *   anything else        the body, against the eight members of the API
 *                        bodies, all optional
 *
 * After every call the fields and why keep the contract of
 * a2f_api_json.h, and an accepted body is read again: without why, with
 * a member's bound one byte short (TOOBIG, naming the member), with
 * every member required, and one byte shorter.  Each value lives in a
 * heap block of exactly max + 1 bytes.
 */


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "a2f_api_json.h"


#define A2F_FUZZ_WHYSZ  128


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static const char  *a2f_fuzz_names[A2F_API_FIELDS_MAX] = {
    "account", "email", "password", "code", "clientData", "signatureData",
    "registrationData", "description"
};

static const size_t  a2f_fuzz_raw_max[A2F_API_FIELDS_MAX] = {
    255, 64, 1024, 6, 2048, 1024, 4096, 64
};

static const size_t  a2f_fuzz_maxes[8] = {
    1, 2, 3, 6, 16, 64, 255, A2F_API_BODY_MAX
};


static a2f_api_field_t  a2f_fuzz_f[A2F_API_FIELDS_MAX];
static char             a2f_fuzz_why[A2F_FUZZ_WHYSZ];


static void
a2f_fuzz_field(size_t i, const char *name, size_t max, unsigned required)
{
    a2f_api_field_t  *f;

    f = &a2f_fuzz_f[i];

    f->name = name;
    f->max = max;
    f->required = required;
    f->value = malloc(max + 1);

    if (f->value == NULL) {
        abort();
    }

    /* stale, to be overwritten */

    memset(f->value, 'v', max + 1);
    f->len = (size_t) -1;
    f->present = 2;
}


/* the bytes are UTF-8, as jansson promises of its strings */

static int
a2f_fuzz_utf8(const uint8_t *p, size_t n)
{
    size_t    i, k, need;
    uint32_t  c, min;

    for (i = 0; i < n; i += need + 1) {
        c = p[i];

        if (c < 0x80) {
            need = 0;
            continue;
        }

        if ((c & 0xe0) == 0xc0) {
            need = 1;
            c &= 0x1f;
            min = 0x80;

        } else if ((c & 0xf0) == 0xe0) {
            need = 2;
            c &= 0x0f;
            min = 0x800;

        } else if ((c & 0xf8) == 0xf0) {
            need = 3;
            c &= 0x07;
            min = 0x10000;

        } else {
            return 0;
        }

        if (i + need >= n) {
            return 0;
        }

        for (k = 1; k <= need; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                return 0;
            }

            c = (c << 6) | (p[i + k] & 0x3f);
        }

        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
            return 0;
        }
    }

    return 1;
}


/* what a2f_api_json.h promises of rc, why and f[0..n-1] */

static void
a2f_fuzz_check(int rc, size_t n, size_t len, int with_why)
{
    size_t            i;
    a2f_api_field_t  *f;

    if (rc != A2F_OK && rc != A2F_ERR_INVALID && rc != A2F_ERR_TOOBIG
        && rc != A2F_ERR_NOMEM)
    {
        abort();
    }

    if ((len == 0 && rc != A2F_ERR_INVALID)
        || (len > A2F_API_BODY_MAX && rc != A2F_ERR_TOOBIG))
    {
        abort();
    }

    if (with_why) {
        if (memchr(a2f_fuzz_why, '\0', sizeof(a2f_fuzz_why)) == NULL
            || (rc == A2F_OK) != (a2f_fuzz_why[0] == '\0'))
        {
            abort();
        }
    }

    for (i = 0; i < n; i++) {
        f = &a2f_fuzz_f[i];

        if (rc != A2F_OK || !f->present) {
            if (f->present != 0 || f->len != 0 || f->value[0] != '\0'
                || (rc == A2F_OK && f->required))
            {
                abort();
            }

            continue;
        }

        if (f->present != 1 || f->len > f->max || f->value[f->len] != '\0'
            || strlen(f->value) != f->len
            || !a2f_fuzz_utf8((const uint8_t *) f->value, f->len))
        {
            abort();
        }
    }
}


static int
a2f_fuzz_call(const char *body, size_t len, size_t n, int with_why)
{
    int  rc;

    memset(a2f_fuzz_why, 'x', sizeof(a2f_fuzz_why));

    rc = a2f_api_json_fields(body, len, a2f_fuzz_f, n,
                             with_why ? a2f_fuzz_why : NULL,
                             with_why ? sizeof(a2f_fuzz_why) : 0);

    a2f_fuzz_check(rc, n, len, with_why);

    return rc;
}


/* an accepted body, read again in other ways */

static void
a2f_fuzz_again(const char *body, size_t len, size_t n)
{
    int          rc;
    char         want[A2F_FUZZ_WHYSZ];
    char        *saved[A2F_API_FIELDS_MAX];
    size_t       i, k, lens[A2F_API_FIELDS_MAX], max;
    unsigned     present[A2F_API_FIELDS_MAX], required;
    const char  *missing;

    for (i = 0; i < n; i++) {
        lens[i] = a2f_fuzz_f[i].len;
        present[i] = a2f_fuzz_f[i].present;
        saved[i] = malloc(lens[i] + 1);

        if (saved[i] == NULL) {
            abort();
        }

        memcpy(saved[i], a2f_fuzz_f[i].value, lens[i] + 1);
    }

    /* without why: the same */

    if (a2f_fuzz_call(body, len, n, 0) != A2F_OK) {
        abort();
    }

    for (i = 0; i < n; i++) {
        if (a2f_fuzz_f[i].len != lens[i]
            || a2f_fuzz_f[i].present != present[i]
            || memcmp(a2f_fuzz_f[i].value, saved[i], lens[i] + 1) != 0)
        {
            abort();
        }
    }

    /*
     * a bound one byte short (a bound is at least 1): TOOBIG, the member
     * named, not its value
     */

    for (i = 0; i < n; i++) {
        if (!present[i] || lens[i] < 2) {
            continue;
        }

        max = a2f_fuzz_f[i].max;
        a2f_fuzz_f[i].max = lens[i] - 1;

        rc = a2f_fuzz_call(body, len, n, 1);

        (void) snprintf(want, sizeof(want),
                        "request: \"%s\" longer than %zu bytes",
                        a2f_fuzz_f[i].name, lens[i] - 1);

        if (rc != A2F_ERR_TOOBIG || strcmp(a2f_fuzz_why, want) != 0) {
            abort();
        }

        a2f_fuzz_f[i].max = max;
    }

    /* every member required: the first absent one is missing */

    missing = NULL;

    for (i = 0; i < n; i++) {
        if (!present[i] && missing == NULL) {
            missing = a2f_fuzz_f[i].name;
        }
    }

    required = 0;

    for (i = 0; i < n; i++) {
        required |= a2f_fuzz_f[i].required << i;
        a2f_fuzz_f[i].required = 1;
    }

    rc = a2f_fuzz_call(body, len, n, 1);

    if (missing == NULL) {
        if (rc != A2F_OK) {
            abort();
        }

    } else {
        (void) snprintf(want, sizeof(want), "request: \"%s\" missing",
                        missing);

        if (rc != A2F_ERR_INVALID || strcmp(a2f_fuzz_why, want) != 0) {
            abort();
        }
    }

    for (i = 0; i < n; i++) {
        a2f_fuzz_f[i].required = (required >> i) & 1;
    }

    /* one byte shorter: only white space may go */

    k = len - 1;

    if (body[k] != ' ' && body[k] != '\t' && body[k] != '\n'
        && body[k] != '\r')
    {
        if (a2f_fuzz_call(body, k, n, 1) == A2F_OK) {
            abort();
        }
    }

    for (i = 0; i < n; i++) {
        free(saved[i]);
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int          rc;
    size_t       i, n, len;
    const char  *body;

    if (size >= 4 && data[0] == '!') {
        n = (data[1] & 7) + 1;

        for (i = 0; i < n; i++) {
            a2f_fuzz_field(i, a2f_fuzz_names[i],
                           a2f_fuzz_maxes[(data[3] + i * 3) & 7],
                           (data[2] >> i) & 1);
        }

        if (data[1] & 8) {
            a2f_fuzz_f[n - 1].name = a2f_fuzz_names[0];
        }

        body = (const char *) data + 4;
        len = size - 4;

    } else {
        n = A2F_API_FIELDS_MAX;

        for (i = 0; i < n; i++) {
            a2f_fuzz_field(i, a2f_fuzz_names[i], a2f_fuzz_raw_max[i], 0);
        }

        body = (const char *) data;
        len = size;
    }

    rc = a2f_fuzz_call(body, len, n, 1);

    if (rc == A2F_OK) {
        a2f_fuzz_again(body, len, n);
    }

    for (i = 0; i < n; i++) {
        free(a2f_fuzz_f[i].value);
        a2f_fuzz_f[i].value = NULL;
    }

    return 0;
}
