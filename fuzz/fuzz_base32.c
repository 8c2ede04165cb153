
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * fuzz_base32.c: libFuzzer target for the base32, hex and base64url
 * decoders; whatever decodes must re-encode and decode to the same bytes.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "a2f_totp.h"
#include "a2f_crypto.h"


#define A2F_FUZZ_MAX  1024


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static uint8_t  a2f_fuzz_bin[A2F_FUZZ_MAX], a2f_fuzz_bin2[A2F_FUZZ_MAX];
static char     a2f_fuzz_text[2 * A2F_FUZZ_MAX + 16];


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int      pad;
    size_t   n, m, t;

    /* base32: decode, then encode and decode again */

    if (a2f_base32_decode((const char *) data, size, a2f_fuzz_bin,
                          sizeof(a2f_fuzz_bin) / 2, &n)
        == A2F_OK)
    {
        if (n > sizeof(a2f_fuzz_bin) / 2) {
            abort();
        }

        for (pad = 0; pad < 2; pad++) {
            t = a2f_base32_encode(a2f_fuzz_bin, n, pad, a2f_fuzz_text,
                                  sizeof(a2f_fuzz_text));

            if (t == 0 && n != 0) {
                abort();
            }

            if (a2f_base32_decode(a2f_fuzz_text, t, a2f_fuzz_bin2,
                                  sizeof(a2f_fuzz_bin2), &m)
                != A2F_OK || m != n || memcmp(a2f_fuzz_bin, a2f_fuzz_bin2, n))
            {
                abort();
            }
        }
    }

    /* base32 of the raw input, too small an output first */

    if (size <= A2F_FUZZ_MAX) {
        pad = size & 1;
        t = a2f_base32_encode(data, size, pad, a2f_fuzz_text, size);

        if (t != 0 && size > 1) {
            abort();
        }

        t = a2f_base32_encode(data, size, pad, a2f_fuzz_text,
                              sizeof(a2f_fuzz_text));

        if (a2f_base32_decode(a2f_fuzz_text, t, a2f_fuzz_bin,
                              sizeof(a2f_fuzz_bin), &m)
            != A2F_OK || m != size || memcmp(a2f_fuzz_bin, data, size))
        {
            abort();
        }
    }

    /* hex */

    if (a2f_hex_decode((const char *) data, size, a2f_fuzz_bin,
                       sizeof(a2f_fuzz_bin), &n)
        == A2F_OK)
    {
        t = a2f_hex_encode(a2f_fuzz_bin, n, a2f_fuzz_text,
                           sizeof(a2f_fuzz_text));

        if (t != size) {
            abort();
        }
    }

    /* base64url: strict, so what decodes re-encodes to the same text */

    if (a2f_b64url_decode((const char *) data, size, a2f_fuzz_bin,
                          sizeof(a2f_fuzz_bin), &n)
        == A2F_OK)
    {
        t = a2f_b64url_encode(a2f_fuzz_bin, n, a2f_fuzz_text,
                              sizeof(a2f_fuzz_text));

        if (t != size || memcmp(a2f_fuzz_text, data, size) != 0) {
            abort();
        }
    }

    return 0;
}
