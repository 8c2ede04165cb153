
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * fuzz_session.c: libFuzzer target for the session cookie.  Inputs
 * starting with '!' are turned into a session, encoded and decoded back;
 * all others are decoded as a cookie value.  Either way a session that
 * comes out has a second-factor time exactly when it is at level 2.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "a2f_session.h"


#define A2F_FUZZ_KEYS                                                        \
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"    \
    "abababababababababababababababababababababababababababababababab\n"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static a2f_mac_t  *a2f_fuzz_mac;


static void
a2f_fuzz_init(void)
{
    char           err[128];
    a2f_keyring_t  kr;

    if (a2f_keyring_parse(A2F_FUZZ_KEYS, sizeof(A2F_FUZZ_KEYS) - 1, &kr, err,
                          sizeof(err))
        != A2F_OK)
    {
        abort();
    }

    a2f_fuzz_mac = a2f_mac_new(&kr);
    a2f_keyring_wipe(&kr);

    if (a2f_fuzz_mac == NULL) {
        abort();
    }
}


static uint64_t
a2f_fuzz_u64(const uint8_t *p)
{
    int       i;
    uint64_t  v;

    v = 0;

    for (i = 0; i < 8; i++) {
        v = (v << 8) | p[i];
    }

    return v;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int            rc;
    char           out[A2F_SESSION_MAX + 1];
    size_t         n, ulen;
    int64_t        now;
    a2f_session_t  s, t;

    if (a2f_fuzz_mac == NULL) {
        a2f_fuzz_init();
    }

    now = 1700000000;

    if (size >= 1 + 1 + 4 + 8 + 8 + A2F_SID_LEN + 8 && data[0] == '!') {

        /*
         * a session from the bytes: level, gen, issued, seen, sid,
         * factor, user; with the top bit of the level's byte set the
         * factor is taken raw (often refused), else made to match the
         * level (0 at level 1, > 0 at level 2)
         */

        memset(&s, 0, sizeof(s));
        s.level = data[1] % 4;
        s.gen = (uint32_t) (a2f_fuzz_u64(data + 2) >> 32);
        s.issued = (int64_t) (a2f_fuzz_u64(data + 6) >> 1);
        s.seen = (int64_t) a2f_fuzz_u64(data + 14);
        memcpy(s.sid, data + 22, A2F_SID_LEN);
        s.sid[A2F_SID_LEN] = '\0';
        s.factor = (int64_t) a2f_fuzz_u64(data + 38);

        if (!(data[1] & 0x80)) {
            if (s.level != A2F_LEVEL_TWO) {
                s.factor = 0;

            } else if (s.factor <= 0) {
                s.factor = (s.factor == 0 || s.factor == INT64_MIN)
                           ? 1 : -s.factor;
            }
        }

        ulen = size - 46;
        if (ulen > A2F_USER_MAX + 1) {
            ulen = A2F_USER_MAX + 1;
        }

        memcpy(s.user, data + 46, ulen < A2F_USER_MAX ? ulen : A2F_USER_MAX);
        s.user_len = ulen;

        rc = a2f_session_encode(a2f_fuzz_mac, &s, out, sizeof(out), &n);

        if (rc != A2F_OK) {
            return 0;
        }

        /* encoded: so the factor was one the level allows */

        if (s.factor < 0
            || (s.level == A2F_LEVEL_TWO) != (s.factor != 0))
        {
            abort();
        }

        if (n != strlen(out) || n > A2F_SESSION_MAX) {
            abort();
        }

        rc = a2f_session_decode(a2f_fuzz_mac, out, n, now, 0, 0, &t);

        if (rc != A2F_OK && rc != A2F_ERR_EXPIRED) {
            abort();
        }

        if (t.user_len != s.user_len
            || memcmp(t.user, s.user, s.user_len) != 0
            || strcmp(t.sid, s.sid) != 0 || t.level != s.level
            || t.gen != s.gen || t.issued != s.issued || t.seen != s.seen
            || t.factor != s.factor)
        {
            abort();
        }

        return 0;
    }

    /* a cookie value */

    rc = a2f_session_decode(a2f_fuzz_mac, (const char *) data, size, now,
                            3600, 900, &t);

    if (rc == A2F_OK || rc == A2F_ERR_EXPIRED) {

        /* only reachable through a real MAC: re-encode gives the input */

        if (a2f_user_name_valid(t.user, t.user_len) != A2F_OK
            || t.factor < 0
            || (t.level == A2F_LEVEL_TWO) != (t.factor != 0))
        {
            abort();
        }

        if (size > 11 && memcmp(data + 2, "630dcd29", 8) == 0) {
            /* keys[0] signed it */
            rc = a2f_session_encode(a2f_fuzz_mac, &t, out, sizeof(out), &n);

            if (rc != A2F_OK || n != size || memcmp(out, data, n) != 0) {
                abort();
            }
        }
    }

    return 0;
}
