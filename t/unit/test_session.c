
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * test_session.c: the session cookie: golden values computed outside
 * (Python hmac, as the Perl tests compute them), round trips, every
 * single-byte change, truncation, other keys, key rotation, expiry, the
 * second-factor time against the level; the HMAC itself against
 * RFC 4231 and against OpenSSL's HMAC().
 */


#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "a2f_session.h"
#include "a2f_test.h"


#define A2F_TEST_KEY0                                                        \
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define A2F_TEST_KEY1                                                        \
    "abababababababababababababababababababababababababababababababab"      \
    "abababababababababababababababab"

/* Python: hmac.new(bytes(range(32)), payload, hashlib.sha256), b64url */
#define A2F_TEST_GOLDEN                                                      \
    "2.630dcd29.AbCdEfGhIjKlMn-_.2.7.1700000000.1700000100.1700000050"       \
    ".YWxpY2U.hjVzt1b6nXnjjvGcpAZwEwbCnj3Nxb5t8_Y4phcc0uI"
#define A2F_TEST_HOSTILE                                                     \
    "2.630dcd29.AbCdEfGhIjKlMn-_.2.7.1700000000.1700000100.1700000050"       \
    ".PHNjcmlwdD4ieCImYW1wO8Op"                                              \
    ".dPh3zOYWtgEGob_8fXfraYOjg-jWSuc1eZRN2zMPM6w"

/* the same session in format 1 (no factor), with its right MAC */
#define A2F_TEST_GOLDEN_V1                                                   \
    "1.630dcd29.AbCdEfGhIjKlMn-_.2.7.1700000000.1700000100.YWxpY2U"          \
    ".tnHBl2BOyFOOYigwvnVfnmUtW6uLDlhsAsIj9aonrcc"

/* the fields before the level, as in every value below */
#define A2F_TEST_HEAD        "2.630dcd29.AbCdEfGhIjKlMn-_."

/* the golden value's MAC alone */
#define A2F_TEST_GOLDEN_MAC  "hjVzt1b6nXnjjvGcpAZwEwbCnj3Nxb5t8_Y4phcc0uI"

#define A2F_TEST_NOW     1700000200


static a2f_mac_t  *a2f_test_m_old;     /* [old]      */
static a2f_mac_t  *a2f_test_m_new;     /* [new]      */
static a2f_mac_t  *a2f_test_m_both;    /* [new, old] */


static a2f_mac_t *
a2f_test_mac(const char *text)
{
    char           err[128];
    a2f_mac_t     *m;
    a2f_keyring_t  kr;

    if (a2f_keyring_parse(text, strlen(text), &kr, err, sizeof(err))
        != A2F_OK)
    {
        fprintf(stderr, "keyring: %s\n", err);
        return NULL;
    }

    m = a2f_mac_new(&kr);
    a2f_keyring_wipe(&kr);

    return m;
}


/* payload + "." + b64url(HMAC) with m's signing key, whatever payload */

static void
a2f_test_sign(a2f_mac_t *m, const char *payload, char *out, size_t outsz)
{
    char     mac64[64];
    uint8_t  mac[32];

    if (a2f_mac_compute(m, NULL, (const uint8_t *) payload, strlen(payload),
                        mac) != A2F_OK)
    {
        out[0] = '\0';
        return;
    }

    (void) a2f_b64url_encode(mac, 32, mac64, sizeof(mac64));
    (void) snprintf(out, outsz, "%s.%s", payload, mac64);
}


static void
a2f_test_fill(a2f_session_t *s, const char *user)
{
    memset(s, 0, sizeof(a2f_session_t));
    s->user_len = strlen(user);
    memcpy(s->user, user, s->user_len);
    strcpy(s->sid, "AbCdEfGhIjKlMn-_");
    s->level = A2F_LEVEL_TWO;
    s->gen = 7;
    s->issued = 1700000000;
    s->seen = 1700000100;
    s->factor = 1700000050;
}


static void
a2f_test_golden(void)
{
    char           out[A2F_SESSION_MAX + 1];
    size_t         n;
    a2f_session_t  s, t;

    memset(&s, 0, sizeof(s));
    CHECK_RC(a2f_session_decode(a2f_test_m_old, A2F_TEST_GOLDEN,
                                strlen(A2F_TEST_GOLDEN), A2F_TEST_NOW, 0, 0,
                                &s), A2F_OK);
    CHECK_STR(s.user, "alice");
    CHECK(s.user_len == 5);
    CHECK_STR(s.sid, "AbCdEfGhIjKlMn-_");
    CHECK(s.level == 2 && s.gen == 7);
    CHECK(s.issued == 1700000000 && s.seen == 1700000100);
    CHECK(s.factor == 1700000050);

    a2f_test_fill(&t, "alice");
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &t, out, sizeof(out), &n),
             A2F_OK);
    CHECK_STR(out, A2F_TEST_GOLDEN);
    CHECK(n == strlen(A2F_TEST_GOLDEN));

    /* a hostile name: HTML specials and UTF-8 are allowed */
    CHECK_RC(a2f_session_decode(a2f_test_m_old, A2F_TEST_HOSTILE,
                                strlen(A2F_TEST_HOSTILE), A2F_TEST_NOW, 0, 0,
                                &s), A2F_OK);
    CHECK_STR(s.user, "<script>\"x\"&amp;\xc3\xa9");

    a2f_test_fill(&t, "<script>\"x\"&amp;\xc3\xa9");
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &t, out, sizeof(out), &n),
             A2F_OK);
    CHECK_STR(out, A2F_TEST_HOSTILE);

    /* the same golden value verifies with the rotated ring */
    CHECK_RC(a2f_session_decode(a2f_test_m_both, A2F_TEST_GOLDEN,
                                strlen(A2F_TEST_GOLDEN), A2F_TEST_NOW, 0, 0,
                                &s), A2F_OK);
    CHECK_RC(a2f_session_decode(a2f_test_m_new, A2F_TEST_GOLDEN,
                                strlen(A2F_TEST_GOLDEN), A2F_TEST_NOW, 0, 0,
                                &s), A2F_ERR_NOKEY);

    /* format 1, right MAC and all: no longer accepted, by any ring */
    CHECK_RC(a2f_session_decode(a2f_test_m_old, A2F_TEST_GOLDEN_V1,
                                strlen(A2F_TEST_GOLDEN_V1), A2F_TEST_NOW, 0,
                                0, &s), A2F_ERR_INVALID);
    CHECK_RC(a2f_session_decode(a2f_test_m_both, A2F_TEST_GOLDEN_V1,
                                strlen(A2F_TEST_GOLDEN_V1), A2F_TEST_NOW, 0,
                                0, &s), A2F_ERR_INVALID);
}


static void
a2f_test_round_trip(void)
{
    int            rc;
    char           out[A2F_SESSION_MAX + 1], copy[A2F_SESSION_MAX + 8];
    char           user[A2F_USER_MAX + 1];
    size_t         n, i;
    unsigned       c, ok;
    a2f_session_t  s, t;

    a2f_test_fill(&s, "bob");
    CHECK_RC(a2f_session_new_sid(&s), A2F_OK);
    CHECK(strlen(s.sid) == A2F_SID_LEN);
    memcpy(t.sid, s.sid, sizeof(t.sid));
    CHECK_RC(a2f_session_new_sid(&s), A2F_OK);
    CHECK(strcmp(s.sid, t.sid) != 0);

    s.level = A2F_LEVEL_ONE;
    s.factor = 0;
    s.gen = 4294967295u;
    CHECK_RC(a2f_session_encode(a2f_test_m_both, &s, out, sizeof(out), &n),
             A2F_OK);
    CHECK(n == strlen(out));
    CHECK(memcmp(out, "2.", 2) == 0);

    memset(&t, 0, sizeof(t));
    CHECK_RC(a2f_session_decode(a2f_test_m_both, out, n, A2F_TEST_NOW, 3600,
                                600, &t), A2F_OK);
    CHECK_STR(t.user, "bob");
    CHECK_STR(t.sid, s.sid);
    CHECK(t.level == 1 && t.gen == 4294967295u);
    CHECK(t.issued == s.issued && t.seen == s.seen && t.factor == 0);

    /* signed by the new key: unknown to a ring of the old key alone */
    CHECK_RC(a2f_session_decode(a2f_test_m_new, out, n, A2F_TEST_NOW, 0, 0,
                                &t), A2F_OK);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, out, n, A2F_TEST_NOW, 0, 0,
                                &t), A2F_ERR_NOKEY);

    /* every single-byte change fails */
    ok = 0;

    for (i = 0; i < n; i++) {
        for (c = 0; c < 256; c++) {
            if ((char) c == out[i]) {
                continue;
            }

            memcpy(copy, out, n);
            copy[i] = (char) c;

            rc = a2f_session_decode(a2f_test_m_both, copy, n, A2F_TEST_NOW,
                                    0, 0, &t);
            if (rc == A2F_OK || rc == A2F_ERR_EXPIRED) {
                ok++;
            }
        }
    }

    CHECK(ok == 0);

    /* every truncation fails, and so does every byte appended */
    ok = 0;

    for (i = 0; i < n; i++) {
        rc = a2f_session_decode(a2f_test_m_both, out, i, A2F_TEST_NOW, 0, 0,
                                &t);
        if (rc == A2F_OK) {
            ok++;
        }
    }

    for (c = 0; c < 256; c++) {
        memcpy(copy, out, n);
        copy[n] = (char) c;

        rc = a2f_session_decode(a2f_test_m_both, copy, n + 1, A2F_TEST_NOW,
                                0, 0, &t);
        if (rc == A2F_OK) {
            ok++;
        }
    }

    CHECK(ok == 0);

    /* overlong: over A2F_SESSION_MAX */
    memset(copy, 'A', sizeof(copy));
    memcpy(copy, out, n);
    CHECK_RC(a2f_session_decode(a2f_test_m_both, copy, A2F_SESSION_MAX + 1,
                                A2F_TEST_NOW, 0, 0, &t), A2F_ERR_INVALID);

    /* the longest user name */
    memset(user, 'u', A2F_USER_MAX);
    user[A2F_USER_MAX] = '\0';
    a2f_test_fill(&s, user);
    CHECK_RC(a2f_session_encode(a2f_test_m_both, &s, out, sizeof(out), &n),
             A2F_OK);
    CHECK_RC(a2f_session_decode(a2f_test_m_both, out, n, A2F_TEST_NOW, 0, 0,
                                &t), A2F_OK);
    CHECK(t.user_len == A2F_USER_MAX && memcmp(t.user, user, 64) == 0);

    /* a level-2 round trip keeps the factor time */
    CHECK(t.level == 2 && t.factor == 1700000050);

    /* every field at its longest: 231 bytes, well within the maximum */
    s.gen = UINT32_MAX;
    s.issued = INT64_MAX;
    s.seen = INT64_MAX;
    s.factor = INT64_MAX;
    CHECK_RC(a2f_session_encode(a2f_test_m_both, &s, out, sizeof(out), &n),
             A2F_OK);
    CHECK(n == strlen(out) && n == 231 && n <= A2F_SESSION_MAX);
    CHECK_RC(a2f_session_decode(a2f_test_m_both, out, n, INT64_MAX, 0, 0,
                                &t), A2F_OK);
    CHECK(t.gen == UINT32_MAX && t.issued == INT64_MAX
          && t.seen == INT64_MAX && t.factor == INT64_MAX
          && t.user_len == A2F_USER_MAX);

    /* into a buffer of A2F_SESSION_MAX, as ngx_http_a2f_session_set() */
    CHECK_RC(a2f_session_encode(a2f_test_m_both, &s, out, A2F_SESSION_MAX,
                                &i), A2F_OK);
    CHECK(i == 231);

    a2f_test_fill(&s, user);
    CHECK_RC(a2f_session_encode(a2f_test_m_both, &s, out, sizeof(out), &n),
             A2F_OK);

    /* output too small, exactly big enough */
    CHECK_RC(a2f_session_encode(a2f_test_m_both, &s, out, n, &i),
             A2F_ERR_TOOBIG);
    CHECK_RC(a2f_session_encode(a2f_test_m_both, &s, out, n + 1, &i),
             A2F_OK);
    CHECK(i == n);
    CHECK_RC(a2f_session_encode(a2f_test_m_both, &s, out, 10, &i),
             A2F_ERR_TOOBIG);
}


static void
a2f_test_encode_invalid(void)
{
    char           out[A2F_SESSION_MAX + 1];
    size_t         n;
    a2f_session_t  s;

    static const char  *bad_users[] = {
        "", "a b", "a/b", "a:b", "a\\b", "a\tb", "a\x7f", "\xc3",
        "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc2\x85",
        "\xff"
    };

    for (n = 0; n < sizeof(bad_users) / sizeof(bad_users[0]); n++) {
        a2f_test_fill(&s, bad_users[n]);
        CHECK_RC(a2f_session_encode(a2f_test_m_old, &s, out, sizeof(out),
                                    &n), A2F_ERR_INVALID);
    }

    a2f_test_fill(&s, "a\0b");
    s.user_len = 3;
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &s, out, sizeof(out), &n),
             A2F_ERR_INVALID);

    a2f_test_fill(&s, "alice");
    s.user_len = A2F_USER_MAX + 1;
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &s, out, sizeof(out), &n),
             A2F_ERR_INVALID);

    a2f_test_fill(&s, "alice");
    s.level = 0;
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &s, out, sizeof(out), &n),
             A2F_ERR_INVALID);
    s.level = 3;
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &s, out, sizeof(out), &n),
             A2F_ERR_INVALID);

    a2f_test_fill(&s, "alice");
    strcpy(s.sid, "short");
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &s, out, sizeof(out), &n),
             A2F_ERR_INVALID);
    strcpy(s.sid, "AbCdEfGhIjKlMn.x");
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &s, out, sizeof(out), &n),
             A2F_ERR_INVALID);

    a2f_test_fill(&s, "alice");
    s.issued = -1;
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &s, out, sizeof(out), &n),
             A2F_ERR_INVALID);

    /* the second-factor time: never negative, set at level 2 only */
    a2f_test_fill(&s, "alice");
    s.factor = -1;
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &s, out, sizeof(out), &n),
             A2F_ERR_INVALID);
    s.factor = INT64_MIN;
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &s, out, sizeof(out), &n),
             A2F_ERR_INVALID);
    s.factor = 0;
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &s, out, sizeof(out), &n),
             A2F_ERR_INVALID);

    a2f_test_fill(&s, "alice");
    s.level = A2F_LEVEL_ONE;
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &s, out, sizeof(out), &n),
             A2F_ERR_INVALID);
    s.factor = 1;
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &s, out, sizeof(out), &n),
             A2F_ERR_INVALID);
    s.factor = 0;
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &s, out, sizeof(out), &n),
             A2F_OK);

    a2f_test_fill(&s, "alice");
    s.factor = 1;
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &s, out, sizeof(out), &n),
             A2F_OK);
}


static void
a2f_test_decode_invalid(void)
{
    int            rc;
    char           v[A2F_SESSION_MAX + 1], c, d;
    size_t         i, start;
    unsigned       ok;
    a2f_session_t  s;

    /* payloads signed correctly with the old key, but malformed */
    static const char  *bad[] = {

        /* the version: 1 (no factor) is gone, nothing else exists */
        "1.630dcd29.AbCdEfGhIjKlMn-_.2.7.1700000000.1700000100.YWxpY2U",
        "1.630dcd29.AbCdEfGhIjKlMn-_.2.7.1700000000.1700000100.1700000050"
        ".YWxpY2U",
        "3.630dcd29.AbCdEfGhIjKlMn-_.2.7.1700000000.1700000100.1700000050"
        ".YWxpY2U",
        "02.630dcd29.AbCdEfGhIjKlMn-_.2.7.1700000000.1700000100.1700000050"
        ".YWxpY2U",

        /* kid, sid, level */
        "2.630DCD29.AbCdEfGhIjKlMn-_.2.7.1700000000.1700000100.1700000050"
        ".YWxpY2U",
        "2.630dcd2.AbCdEfGhIjKlMn-_.2.7.1700000000.1700000100.1700000050"
        ".YWxpY2U",
        "2.630dcd29.AbCdEfGhIjKlMn-.2.7.1700000000.1700000100.1700000050"
        ".YWxpY2U",
        "2.630dcd29.AbCdEfGhIjKlMn-_x.2.7.1700000000.1700000100.1700000050"
        ".YWxpY2U",
        "2.630dcd29.AbCdEfGhIjKlMn+/.2.7.1700000000.1700000100.1700000050"
        ".YWxpY2U",
        A2F_TEST_HEAD "0.7.1700000000.1700000100.1700000050.YWxpY2U",
        A2F_TEST_HEAD "3.7.1700000000.1700000100.1700000050.YWxpY2U",
        A2F_TEST_HEAD "02.7.1700000000.1700000100.1700000050.YWxpY2U",

        /* gen, issued, seen */
        A2F_TEST_HEAD "2.07.1700000000.1700000100.1700000050.YWxpY2U",
        A2F_TEST_HEAD "2.+7.1700000000.1700000100.1700000050.YWxpY2U",
        A2F_TEST_HEAD "2.-7.1700000000.1700000100.1700000050.YWxpY2U",
        A2F_TEST_HEAD "2..1700000000.1700000100.1700000050.YWxpY2U",
        A2F_TEST_HEAD "2.4294967296.1700000000.1700000100.1700000050"
        ".YWxpY2U",
        A2F_TEST_HEAD "2.7.01700000000.1700000100.1700000050.YWxpY2U",
        A2F_TEST_HEAD "2.7.9223372036854775808.1700000100.1700000050"
        ".YWxpY2U",
        A2F_TEST_HEAD "2.7.1700000000.000000000000000000001.1700000050"
        ".YWxpY2U",
        A2F_TEST_HEAD "2.7.1700000000.1700000100 .1700000050.YWxpY2U",

        /* factor: canonical decimal, 0..INT64_MAX, present */
        A2F_TEST_HEAD "2.7.1700000000.1700000100.01700000050.YWxpY2U",
        A2F_TEST_HEAD "2.7.1700000000.1700000100.00.YWxpY2U",
        A2F_TEST_HEAD "2.7.1700000000.1700000100.+1700000050.YWxpY2U",
        A2F_TEST_HEAD "2.7.1700000000.1700000100.-1700000050.YWxpY2U",
        A2F_TEST_HEAD "1.7.1700000000.1700000100.-0.YWxpY2U",
        A2F_TEST_HEAD "2.7.1700000000.1700000100. 1700000050.YWxpY2U",
        A2F_TEST_HEAD "2.7.1700000000.1700000100.1700000050 .YWxpY2U",
        A2F_TEST_HEAD "2.7.1700000000.1700000100.0x6553f142.YWxpY2U",
        A2F_TEST_HEAD "2.7.1700000000.1700000100..YWxpY2U",
        A2F_TEST_HEAD "2.7.1700000000.1700000100.9223372036854775808"
        ".YWxpY2U",
        A2F_TEST_HEAD "2.7.1700000000.1700000100.18446744073709551616"
        ".YWxpY2U",
        A2F_TEST_HEAD "2.7.1700000000.1700000100.100000000000000000000"
        ".YWxpY2U",
        A2F_TEST_HEAD "2.7.1700000000.1700000100.000000000000000000001"
        ".YWxpY2U",
        A2F_TEST_HEAD "2.7.1700000000.1700000100.YWxpY2U",
        A2F_TEST_HEAD "2.7.1700000000.1700000100.1700000050.1.YWxpY2U",

        /* factor against level */
        A2F_TEST_HEAD "2.7.1700000000.1700000100.0.YWxpY2U",
        A2F_TEST_HEAD "1.7.1700000000.1700000100.1700000050.YWxpY2U",
        A2F_TEST_HEAD "1.7.1700000000.1700000100.1.YWxpY2U",
        A2F_TEST_HEAD "1.7.0.0.9223372036854775807.YWxpY2U",

        /* user */
        A2F_TEST_HEAD "2.7.1700000000.1700000100.1700000050.YWxpY2U=",
        A2F_TEST_HEAD "2.7.1700000000.1700000100.1700000050.YWxpY2V",
        A2F_TEST_HEAD "2.7.1700000000.1700000100.1700000050.",
        A2F_TEST_HEAD "2.7.1700000000.1700000100.1700000050.YS9i",
        A2F_TEST_HEAD "2.7.1700000000.1700000100.1700000050.YSBi",
        A2F_TEST_HEAD "2.7.1700000000.1700000100.1700000050.YQBi",
        A2F_TEST_HEAD "2.7.1700000000.1700000100.1700000050.wg",
        A2F_TEST_HEAD "2.7.1700000000.1700000100.1700000050"
        ".dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1"
        "dXV1dXV1dXV1dXV1dXV1dXU",

        /* a field too many or too few */
        A2F_TEST_HEAD "2.7.1700000000.1700000100.1700000050.YWxpY2U.x",
        A2F_TEST_HEAD "2.7.1700000000.1700000050.YWxpY2U",
        A2F_TEST_HEAD "2.7.1700000000.1700000100.1700000050.YWxpY2U."
    };

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        a2f_test_sign(a2f_test_m_old, bad[i], v, sizeof(v));
        CHECK(v[0] != '\0');

        if (a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW, 0,
                               0, &s)
            != A2F_ERR_INVALID)
        {
            fprintf(stderr, "accepted or wrong code: %s\n", bad[i]);
            CHECK(0);
        }
    }

    /* a level-1 and a level-2 session, well formed: both pass */
    a2f_test_sign(a2f_test_m_old,
                  A2F_TEST_HEAD "1.7.1700000000.1700000100.0.YWxpY2U",
                  v, sizeof(v));
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_OK);
    CHECK(s.level == 1 && s.factor == 0);
    a2f_test_sign(a2f_test_m_old,
                  A2F_TEST_HEAD "2.7.0.0.9223372036854775807.YWxpY2U",
                  v, sizeof(v));
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), INT64_MAX,
                                0, 0, &s), A2F_OK);
    CHECK(s.level == 2 && s.factor == INT64_MAX);

    /* signed by another key under the old key's kid: bad MAC */
    a2f_test_sign(a2f_test_m_new,
                  A2F_TEST_HEAD "2.7.1700000000.1700000100.1700000050"
                  ".YWxpY2U", v, sizeof(v));
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_ERR_AUTH);
    CHECK_RC(a2f_session_decode(a2f_test_m_both, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_ERR_AUTH);

    /* an unknown kid */
    a2f_test_sign(a2f_test_m_old,
                  "2.00000000.AbCdEfGhIjKlMn-_.2.7.1700000000.1700000100"
                  ".1700000050.YWxpY2U", v, sizeof(v));
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_ERR_NOKEY);

    /* edited user, level, gen and factor keep the old MAC */
    strcpy(v, A2F_TEST_HEAD "2.7.1700000000.1700000100.1700000050.Ym9i."
           A2F_TEST_GOLDEN_MAC);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_ERR_AUTH);
    strcpy(v, A2F_TEST_HEAD "1.7.1700000000.1700000100.1700000050.YWxpY2U."
           A2F_TEST_GOLDEN_MAC);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_ERR_AUTH);
    strcpy(v, A2F_TEST_HEAD "2.8.1700000000.1700000100.1700000050.YWxpY2U."
           A2F_TEST_GOLDEN_MAC);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_ERR_AUTH);

    /* one digit of the factor changed, up (fresher) or down: bad MAC */
    strcpy(v, A2F_TEST_HEAD "2.7.1700000000.1700000100.1700000059.YWxpY2U."
           A2F_TEST_GOLDEN_MAC);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_ERR_AUTH);
    strcpy(v, A2F_TEST_HEAD "2.7.1700000000.1700000100.1700000040.YWxpY2U."
           A2F_TEST_GOLDEN_MAC);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_ERR_AUTH);
    strcpy(v, A2F_TEST_HEAD "2.7.1700000000.1700000100.1700000150.YWxpY2U."
           A2F_TEST_GOLDEN_MAC);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_ERR_AUTH);

    /*
     * every digit of the factor, each changed to every other digit: a bad
     * MAC, or a leading zero for a '0' first
     */
    strcpy(v, A2F_TEST_GOLDEN);
    start = sizeof(A2F_TEST_HEAD "2.7.1700000000.1700000100.") - 1;
    ok = 0;

    for (i = start; v[i] != '.'; i++) {
        c = v[i];

        for (d = '0'; d <= '9'; d++) {
            if (d == c) {
                continue;
            }

            v[i] = d;
            rc = a2f_session_decode(a2f_test_m_old, v, strlen(v),
                                    A2F_TEST_NOW, 0, 0, &s);

            if (rc != ((i == start && d == '0') ? A2F_ERR_INVALID
                                                : A2F_ERR_AUTH))
            {
                ok++;
            }
        }

        v[i] = c;
    }

    CHECK(i - start == 10 && ok == 0);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_OK);

    /* MAC with padding, short, non-canonical last character */
    strcpy(v, A2F_TEST_GOLDEN "=");
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_ERR_INVALID);
    strcpy(v, A2F_TEST_GOLDEN);
    v[strlen(v) - 1] = 'J';
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_ERR_INVALID);
    v[strlen(v) - 1] = '\0';
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_ERR_INVALID);

    /* 20-digit decimals: over 64 bits must not wrap around */
    a2f_test_sign(a2f_test_m_old,
                  A2F_TEST_HEAD "2.7.18446744073709551616.1700000100"
                  ".1700000050.YWxpY2U", v, sizeof(v));
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_ERR_INVALID);
    a2f_test_sign(a2f_test_m_old,
                  A2F_TEST_HEAD "2.18446744073709551621.1700000000"
                  ".1700000100.1700000050.YWxpY2U", v, sizeof(v));
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_ERR_INVALID);
    a2f_test_sign(a2f_test_m_old,
                  A2F_TEST_HEAD "2.7.1700000000.100000000000000000000"
                  ".1700000050.YWxpY2U", v, sizeof(v));
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_ERR_INVALID);
    a2f_test_sign(a2f_test_m_old,
                  A2F_TEST_HEAD "2.7.1700000000.1700000100"
                  ".18446744073709551621.YWxpY2U", v, sizeof(v));
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_ERR_INVALID);

    /* the shortest cookie there is, and one field short of it */
    a2f_test_sign(a2f_test_m_old, A2F_TEST_HEAD "1.0.0.0.0.YQ", v,
                  sizeof(v));
    CHECK(strlen(v) == 84);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_OK);
    CHECK_STR(s.user, "a");
    CHECK(s.level == 1 && s.gen == 0 && s.issued == 0 && s.seen == 0
          && s.factor == 0);
    a2f_test_sign(a2f_test_m_old, A2F_TEST_HEAD "1.0.0.0.YQ", v, sizeof(v));
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, strlen(v), A2F_TEST_NOW,
                                0, 0, &s), A2F_ERR_INVALID);

    /* random junk, empty, NULL */
    CHECK_RC(a2f_session_decode(a2f_test_m_old, "", 0, A2F_TEST_NOW, 0, 0,
                                &s), A2F_ERR_INVALID);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, "deleted", 7, A2F_TEST_NOW,
                                0, 0, &s), A2F_ERR_INVALID);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, "........", 8, A2F_TEST_NOW,
                                0, 0, &s), A2F_ERR_INVALID);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, NULL, 0, A2F_TEST_NOW, 0, 0,
                                &s), A2F_ERR_INVALID);
}


static void
a2f_test_expiry(void)
{
    char           v[A2F_SESSION_MAX + 1];
    size_t         n;
    int64_t        now;
    a2f_session_t  s, t;

    a2f_test_fill(&s, "carol");
    s.issued = 1000000;
    s.seen = 1000500;
    s.factor = 1000010;
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &s, v, sizeof(v), &n),
             A2F_OK);

    /* absolute: now - issued >= absolute */
    now = 1000000 + 3600;
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, now - 1, 3600, 0, &t),
             A2F_OK);
    memset(&t, 0, sizeof(t));
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, now, 3600, 0, &t),
             A2F_ERR_EXPIRED);
    CHECK_STR(t.user, "carol");
    CHECK(t.issued == 1000000);

    /* idle: now - seen >= idle */
    now = 1000500 + 900;
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, now - 1, 0, 900, &t),
             A2F_OK);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, now, 0, 900, &t),
             A2F_ERR_EXPIRED);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, now, 3600, 0, &t),
             A2F_OK);

    /* 0 = no limit */
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, 99999999999LL, 0, 0,
                                &t), A2F_OK);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, INT64_MAX, 0, 0, &t),
             A2F_OK);

    /* from the future: issued > now + 60 */
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, 1000500 - 60, 0, 0,
                                &t), A2F_OK);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, 1000000 - 60, 0, 0,
                                &t), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, 1000000 - 61, 3600,
                                900, &t), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, -5, 0, 0, &t),
             A2F_ERR_EXPIRED);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, INT64_MIN, 10, 10, &t),
             A2F_ERR_EXPIRED);

    /* extreme fields do not overflow */
    a2f_test_fill(&s, "carol");
    s.issued = 0;
    s.seen = INT64_MAX;
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &s, v, sizeof(v), &n),
             A2F_OK);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, 100, 3600, 900, &t),
             A2F_ERR_EXPIRED);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, INT64_MAX - 1,
                                INT64_MAX, INT64_MAX, &t), A2F_OK);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, INT64_MAX, INT64_MAX,
                                INT64_MAX, &t), A2F_ERR_EXPIRED);

    /* a second factor from the future: factor > now + 60 */
    a2f_test_fill(&s, "carol");
    s.issued = 1000000;
    s.seen = 1000100;
    s.factor = 1000500;
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &s, v, sizeof(v), &n),
             A2F_OK);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, 1000500 - 60, 3600,
                                900, &t), A2F_OK);
    memset(&t, 0, sizeof(t));
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, 1000500 - 61, 3600,
                                900, &t), A2F_ERR_EXPIRED);
    CHECK_STR(t.user, "carol");
    CHECK(t.level == 2 && t.factor == 1000500);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, 0, 0, 0, &t),
             A2F_ERR_EXPIRED);

    /* ... however far, without overflow */
    a2f_test_fill(&s, "carol");
    s.factor = INT64_MAX;
    CHECK_RC(a2f_session_encode(a2f_test_m_old, &s, v, sizeof(v), &n),
             A2F_OK);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, A2F_TEST_NOW, 0, 0,
                                &t), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, INT64_MAX - 60, 0, 0,
                                &t), A2F_OK);
    CHECK_RC(a2f_session_decode(a2f_test_m_old, v, n, INT64_MAX - 61, 0, 0,
                                &t), A2F_ERR_EXPIRED);
}


static void
a2f_test_mac_api(void)
{
    uint8_t        a[32], b[32];
    a2f_keyring_t  kr;

    CHECK(a2f_mac_new(NULL) == NULL);
    memset(&kr, 0, sizeof(kr));
    CHECK(a2f_mac_new(&kr) == NULL);
    a2f_mac_free(NULL);

    CHECK_RC(a2f_mac_compute(a2f_test_m_both, NULL, (const uint8_t *) "x", 1,
                             a), A2F_OK);
    CHECK_RC(a2f_mac_compute(a2f_test_m_new, NULL, (const uint8_t *) "x", 1,
                             b), A2F_OK);
    CHECK(memcmp(a, b, 32) == 0);
    CHECK_RC(a2f_mac_compute(a2f_test_m_both, "630dcd29",
                             (const uint8_t *) "x", 1, a), A2F_OK);
    CHECK_RC(a2f_mac_compute(a2f_test_m_old, NULL, (const uint8_t *) "x", 1,
                             b), A2F_OK);
    CHECK(memcmp(a, b, 32) == 0);
    CHECK_RC(a2f_mac_compute(a2f_test_m_both, "00000000",
                             (const uint8_t *) "x", 1, a), A2F_ERR_NOKEY);
    CHECK_RC(a2f_mac_compute(a2f_test_m_both, "630dcd29x",
                             (const uint8_t *) "x", 1, a), A2F_ERR_NOKEY);
    CHECK_RC(a2f_mac_compute(a2f_test_m_both, "630dcd2",
                             (const uint8_t *) "x", 1, a), A2F_ERR_NOKEY);

    /* the same context gives the same answer again (re-init works) */
    CHECK_RC(a2f_mac_compute(a2f_test_m_old, NULL, (const uint8_t *) "x", 1,
                             a), A2F_OK);
    CHECK(memcmp(a, b, 32) == 0);
}


/* a one-key ring filled directly: any key length a2f_key_t holds */

static a2f_mac_t *
a2f_test_mac_raw(const uint8_t *key, size_t len)
{
    a2f_mac_t      *m;
    a2f_keyring_t   kr;

    memset(&kr, 0, sizeof(kr));
    memcpy(kr.keys[0].key, key, len);
    kr.keys[0].len = len;
    memcpy(kr.keys[0].kid, "0000abcd", A2F_KID_LEN);
    kr.n = 1;

    m = a2f_mac_new(&kr);
    a2f_keyring_wipe(&kr);

    return m;
}


static void
a2f_test_hmac_one(const uint8_t *key, size_t keylen, const char *data,
    size_t len, const char *hex)
{
    size_t      n;
    uint8_t     got[32], want[32];
    a2f_mac_t  *m;

    m = a2f_test_mac_raw(key, keylen);
    CHECK(m != NULL);

    if (m == NULL) {
        return;
    }

    CHECK_RC(a2f_hex_decode(hex, strlen(hex), want, sizeof(want), &n),
             A2F_OK);
    CHECK_RC(a2f_mac_compute(m, NULL, (const uint8_t *) data, len, got),
             A2F_OK);
    CHECK(memcmp(got, want, n) == 0);

    /* again: the prepared states are not used up */
    CHECK_RC(a2f_mac_compute(m, "0000abcd", (const uint8_t *) data, len,
                             got), A2F_OK);
    CHECK(memcmp(got, want, n) == 0);

    a2f_mac_free(m);
}


/* RFC 4231 section 4 (test case 5 compares the first 128 bits) */

static void
a2f_test_rfc4231(void)
{
    uint8_t  key[131], hashed[SHA256_DIGEST_LENGTH], data[50];
    size_t   i;

    memset(key, 0x0b, 20);
    a2f_test_hmac_one(key, 20, "Hi There", 8,
                      "b0344c61d8db38535ca8afceaf0bf12b"
                      "881dc200c9833da726e9376c2e32cff7");

    a2f_test_hmac_one((const uint8_t *) "Jefe", 4,
                      "what do ya want for nothing?", 28,
                      "5bdcc146bf60754e6a042426089575c7"
                      "5a003f089d2739839dec58b964ec3843");

    memset(key, 0xaa, 20);
    memset(data, 0xdd, 50);
    a2f_test_hmac_one(key, 20, (const char *) data, 50,
                      "773ea91e36800e46854db8ebd09181a7"
                      "2959098b3ef8c122d9635514ced565fe");

    for (i = 0; i < 25; i++) {
        key[i] = (uint8_t) (i + 1);
    }

    memset(data, 0xcd, 50);
    a2f_test_hmac_one(key, 25, (const char *) data, 50,
                      "82558a389a443c0ea4cc819899f2083a"
                      "85f0faa3e578f8077a2e3ff46729665b");

    memset(key, 0x0c, 20);
    a2f_test_hmac_one(key, 20, "Test With Truncation", 20,
                      "a3b6167473100ee06e0c796c2955552b");

    /*
     * Cases 6 and 7 have a 131-byte key; a2f_key_t holds at most 64, so
     * the ring gets SHA-256 of it, which RFC 2104 says is the same key.
     */

    memset(key, 0xaa, 131);
    CHECK(SHA256(key, 131, hashed) != NULL);

    a2f_test_hmac_one(hashed, sizeof(hashed),
                      "Test Using Larger Than Block-Size Key - Hash Key "
                      "First", 54,
                      "60e431591ee0b67f0d8a26aacbf5b77f"
                      "8e0bc6213728c5140546040f0ee37f54");

    a2f_test_hmac_one(hashed, sizeof(hashed),
                      "This is a test using a larger than block-size key "
                      "and a larger than block-size data. The key needs "
                      "to be hashed before being used by the HMAC "
                      "algorithm.", 152,
                      "9b09ffa71b942fcb27635fbcd5b0e944"
                      "bfdc63644f0713938a7f51535c3a35e2");
}


/* against OpenSSL's HMAC(): key lengths up to the block, every data
 * length across several blocks */

static void
a2f_test_hmac_reference(void)
{
    size_t         i, k, bad;
    uint8_t        key[A2F_KEY_MAX + 1], data[300], got[32], want[32];
    unsigned       n;
    a2f_mac_t     *m;
    a2f_keyring_t  kr;

    static const size_t  lens[] = { 1, 20, 32, 33, 55, 63, 64 };

    for (i = 0; i < sizeof(key); i++) {
        key[i] = (uint8_t) (0xa5 ^ (i * 7));
    }

    for (i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t) (i * 13 + 1);
    }

    for (k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
        m = a2f_test_mac_raw(key, lens[k]);
        CHECK(m != NULL);

        if (m == NULL) {
            continue;
        }

        bad = 0;

        for (i = 0; i <= sizeof(data); i++) {
            if (a2f_mac_compute(m, NULL, data, i, got) != A2F_OK
                || HMAC(EVP_sha256(), key, (int) lens[k], data, i, want, &n)
                   == NULL
                || n != 32
                || memcmp(got, want, 32) != 0)
            {
                bad++;
            }
        }

        CHECK(bad == 0);

        a2f_mac_free(m);
    }

    /* no key, or longer than a2f_key_t holds */
    memset(&kr, 0, sizeof(kr));
    kr.n = 1;
    CHECK(a2f_mac_new(&kr) == NULL);
    kr.keys[0].len = A2F_KEY_MAX + 1;
    CHECK(a2f_mac_new(&kr) == NULL);
}


int
main(int argc, char **argv)
{
    a2f_test_m_old = a2f_test_mac(A2F_TEST_KEY0 "\n");
    a2f_test_m_new = a2f_test_mac(A2F_TEST_KEY1 "\n");
    a2f_test_m_both = a2f_test_mac(A2F_TEST_KEY1 "\n" A2F_TEST_KEY0 "\n");

    CHECK(a2f_test_m_old != NULL && a2f_test_m_new != NULL
          && a2f_test_m_both != NULL);

    if (a2f_test_m_old == NULL || a2f_test_m_new == NULL
        || a2f_test_m_both == NULL)
    {
        return a2f_test_done(argv[0]);
    }

    a2f_test_golden();
    a2f_test_round_trip();
    a2f_test_encode_invalid();
    a2f_test_decode_invalid();
    a2f_test_expiry();
    a2f_test_mac_api();
    a2f_test_rfc4231();
    a2f_test_hmac_reference();

    a2f_mac_free(a2f_test_m_old);
    a2f_mac_free(a2f_test_m_new);
    a2f_mac_free(a2f_test_m_both);

    return a2f_test_done(argv[0]);
}
