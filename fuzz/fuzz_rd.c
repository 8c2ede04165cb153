
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * fuzz_rd.c: libFuzzer target for redirect targets: the raw value and the
 * value as the portal sees it (the rd argument %-decoded once).  Whatever
 * is called safe must be a same-origin path without control bytes.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "a2f_text.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static char  a2f_fuzz_rd[A2F_RD_MAX * 2 + 1];


static void
a2f_fuzz_rd_assert(const char *rd, size_t len)
{
    size_t  i;

    if (!a2f_rd_safe(rd, len)) {
        return;
    }

    if (len == 0 || len > A2F_RD_MAX || rd[0] != '/') {
        abort();
    }

    if (len > 1 && (rd[1] == '/' || rd[1] == '\\')) {
        abort();
    }

    for (i = 0; i < len; i++) {
        if ((unsigned char) rd[i] < 0x21 || (unsigned char) rd[i] >= 0x7f
            || rd[i] == '\\')
        {
            abort();
        }
    }

    /* "/%2F", "/%5C" and encoded control bytes are refused too */

    if (len >= 4 && rd[1] == '%' && rd[2] == '2'
        && (rd[3] == 'F' || rd[3] == 'f'))
    {
        abort();
    }

    if (len >= 4 && rd[1] == '%' && rd[2] == '5'
        && (rd[3] == 'C' || rd[3] == 'c'))
    {
        abort();
    }

    for (i = 0; i + 2 < len; i++) {
        if (rd[i] == '%' && (rd[i + 1] == '0' || rd[i + 1] == '1')
            && strchr("0123456789abcdefABCDEF", rd[i + 2]) != NULL
            && rd[i + 2] != '\0')
        {
            abort();
        }
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t  n;

    a2f_fuzz_rd_assert((const char *) data, size);

    if (a2f_url_unescape((const char *) data, size, a2f_fuzz_rd,
                         sizeof(a2f_fuzz_rd), &n)
        == A2F_OK)
    {
        a2f_fuzz_rd_assert(a2f_fuzz_rd, n);
    }

    return 0;
}
