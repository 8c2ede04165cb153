
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * fuzz_form.c: libFuzzer target for form bodies, %-decoding and escaping.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "a2f_text.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static char  a2f_fuzz_out[8192], a2f_fuzz_esc[3 * 4096 + 1];


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int           checked, rc;
    size_t        i, n, e;
    const char   *body;

    static const char  *names[] = {
        "username", "password", "code", "rd", "csrf", "a", "", "%"
    };

    static const size_t  sizes[] = { 0, 1, 2, 7, 64, sizeof(a2f_fuzz_out) };

    body = (const char *) data;

    rc = a2f_form_check(body, size, A2F_FORM_FIELDS_MAX);

    if (rc != A2F_OK && rc != A2F_ERR_INVALID && rc != A2F_ERR_TOOBIG) {
        abort();
    }

    checked = (rc == A2F_OK);

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        rc = a2f_form_get(body, size, names[i], a2f_fuzz_out,
                          sizes[i % (sizeof(sizes) / sizeof(sizes[0]))], &n);

        if (checked && rc == A2F_ERR_INVALID) {
            abort();
        }

        if (rc == A2F_OK && strlen(a2f_fuzz_out) != n) {
            abort();
        }
    }

    /* a query argument value */

    rc = a2f_url_unescape(body, size, a2f_fuzz_out, sizeof(a2f_fuzz_out), &n);

    if (rc == A2F_OK) {
        if (n > size || memchr(a2f_fuzz_out, '\0', n) != NULL) {
            abort();
        }
    }

    /* escape and unescape: the identity, and lengths agree */

    if (size <= 4096) {
        e = a2f_url_escape(body, size, a2f_fuzz_esc, sizeof(a2f_fuzz_esc));

        if (e == 0 && size != 0) {
            abort();
        }

        if (memchr(body, '\0', size) == NULL) {
            rc = a2f_url_unescape(a2f_fuzz_esc, e, a2f_fuzz_out,
                                  sizeof(a2f_fuzz_out), &n);

            if (rc != A2F_OK || n != size || memcmp(a2f_fuzz_out, body, n)) {
                abort();
            }
        }

        n = a2f_html_escape_len(body, size);
        e = a2f_html_escape(body, size, a2f_fuzz_out, sizeof(a2f_fuzz_out));

        if (n < sizeof(a2f_fuzz_out) ? e != n : e != 0) {
            abort();
        }

        if (n < sizeof(a2f_fuzz_out)
            && (memchr(a2f_fuzz_out, '<', e) || memchr(a2f_fuzz_out, '>', e)
                || memchr(a2f_fuzz_out, '"', e)
                || memchr(a2f_fuzz_out, '\'', e)))
        {
            abort();
        }

        /* too small an output never overflows */
        e = a2f_html_escape(body, size, a2f_fuzz_out, size / 2);

        if (e != 0 && e >= size / 2) {
            abort();
        }
    }

    return 0;
}
