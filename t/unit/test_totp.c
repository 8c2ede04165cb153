
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * test_totp.c: base32 (RFC 4648), HOTP (RFC 4226 Appendix D), TOTP
 * (RFC 6238 Appendix B), the window, replays and malformed codes.
 */


#include <stdint.h>
#include <string.h>

#include "a2f_totp.h"
#include "a2f_test.h"


typedef struct {
    int64_t      time;
    a2f_hash_t   alg;
    const char  *code;
} a2f_test_totp_vec_t;


static const char  a2f_test_k20[] = "12345678901234567890";
static const char  a2f_test_k32[] = "12345678901234567890123456789012";
static const char  a2f_test_k64[] =
    "1234567890123456789012345678901234567890123456789012345678901234";


static const a2f_test_totp_vec_t  a2f_test_rfc6238[] = {
    { 59LL,          A2F_SHA1,   "94287082" },
    { 59LL,          A2F_SHA256, "46119246" },
    { 59LL,          A2F_SHA512, "90693936" },
    { 1111111109LL,  A2F_SHA1,   "07081804" },
    { 1111111109LL,  A2F_SHA256, "68084774" },
    { 1111111109LL,  A2F_SHA512, "25091201" },
    { 1111111111LL,  A2F_SHA1,   "14050471" },
    { 1111111111LL,  A2F_SHA256, "67062674" },
    { 1111111111LL,  A2F_SHA512, "99943326" },
    { 1234567890LL,  A2F_SHA1,   "89005924" },
    { 1234567890LL,  A2F_SHA256, "91819424" },
    { 1234567890LL,  A2F_SHA512, "93441116" },
    { 2000000000LL,  A2F_SHA1,   "69279037" },
    { 2000000000LL,  A2F_SHA256, "90698825" },
    { 2000000000LL,  A2F_SHA512, "38618901" },
    { 20000000000LL, A2F_SHA1,   "65353130" },
    { 20000000000LL, A2F_SHA256, "77737706" },
    { 20000000000LL, A2F_SHA512, "47863826" }
};


static const char  *a2f_test_rfc4226[] = {
    "755224", "287082", "359152", "969429", "338314",
    "254676", "287922", "162583", "399871", "520489"
};


static const char  *a2f_test_b32_plain[] = {
    "", "f", "fo", "foo", "foob", "fooba", "foobar"
};

static const char  *a2f_test_b32_pad[] = {
    "", "MY======", "MZXQ====", "MZXW6===", "MZXW6YQ=", "MZXW6YTB",
    "MZXW6YTBOI======"
};

static const char  *a2f_test_b32_nopad[] = {
    "", "MY", "MZXQ", "MZXW6", "MZXW6YQ", "MZXW6YTB", "MZXW6YTBOI"
};


static const uint8_t *
a2f_test_key(a2f_hash_t alg, size_t *len)
{
    switch (alg) {
    case A2F_SHA256:
        *len = 32;
        return (const uint8_t *) a2f_test_k32;
    case A2F_SHA512:
        *len = 64;
        return (const uint8_t *) a2f_test_k64;
    default:
        *len = 20;
        return (const uint8_t *) a2f_test_k20;
    }
}


static void
a2f_test_base32(void)
{
    char     text[64], lower[64];
    size_t   i, n, outlen;
    uint8_t  bin[64];

    for (i = 0; i < 7; i++) {
        n = strlen(a2f_test_b32_plain[i]);

        CHECK(a2f_base32_encode((const uint8_t *) a2f_test_b32_plain[i], n,
                                1, text, sizeof(text))
              == strlen(a2f_test_b32_pad[i]));
        CHECK_STR(text, a2f_test_b32_pad[i]);

        CHECK(a2f_base32_encode((const uint8_t *) a2f_test_b32_plain[i], n,
                                0, text, sizeof(text))
              == strlen(a2f_test_b32_nopad[i]));
        CHECK_STR(text, a2f_test_b32_nopad[i]);

        outlen = 99;
        CHECK_RC(a2f_base32_decode(a2f_test_b32_pad[i],
                                   strlen(a2f_test_b32_pad[i]), bin,
                                   sizeof(bin), &outlen), A2F_OK);
        CHECK(outlen == n && memcmp(bin, a2f_test_b32_plain[i], n) == 0);

        outlen = 99;
        CHECK_RC(a2f_base32_decode(a2f_test_b32_nopad[i],
                                   strlen(a2f_test_b32_nopad[i]), bin,
                                   sizeof(bin), &outlen), A2F_OK);
        CHECK(outlen == n && memcmp(bin, a2f_test_b32_plain[i], n) == 0);

        /* lower case */
        for (n = 0; a2f_test_b32_pad[i][n]; n++) {
            lower[n] = (char) (a2f_test_b32_pad[i][n] >= 'A'
                               && a2f_test_b32_pad[i][n] <= 'Z'
                               ? a2f_test_b32_pad[i][n] + 32
                               : a2f_test_b32_pad[i][n]);
        }

        CHECK_RC(a2f_base32_decode(lower, n, bin, sizeof(bin), &outlen),
                 A2F_OK);
        CHECK(outlen == strlen(a2f_test_b32_plain[i]));
    }

    /* too small output */
    CHECK(a2f_base32_encode((const uint8_t *) "foobar", 6, 1, text, 16) == 0);
    CHECK(a2f_base32_encode((const uint8_t *) "foobar", 6, 1, text, 17)
          == 16);
    CHECK(a2f_base32_encode((const uint8_t *) "foobar", 6, 0, text, 10) == 0);
    CHECK_RC(a2f_base32_decode("MZXW6YTBOI", 10, bin, 5, &outlen),
             A2F_ERR_TOOBIG);
    CHECK_RC(a2f_base32_decode("MZXW6YTBOI", 10, bin, 6, &outlen), A2F_OK);

    /* spaces and dashes are ignored, as typed from a screen */
    CHECK_RC(a2f_base32_decode("mzxw 6ytb-oi", 12, bin, sizeof(bin),
                               &outlen), A2F_OK);
    CHECK(outlen == 6 && memcmp(bin, "foobar", 6) == 0);

    /* bad characters, impossible lengths, misplaced padding */
    CHECK_RC(a2f_base32_decode("MZXW1YTB", 8, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_base32_decode("MZXW8YTB", 8, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_base32_decode("MZXW6YT\0", 8, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_base32_decode("M", 1, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_base32_decode("MZX", 3, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_base32_decode("MZXW6Y", 6, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_base32_decode("MY=", 3, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_base32_decode("MY=======", 9, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_base32_decode("M=Y=====", 8, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_base32_decode("MZXW6YTB========", 16, bin, sizeof(bin),
                               &outlen), A2F_ERR_INVALID);
    CHECK_RC(a2f_base32_decode("========", 8, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_base32_decode("MY======MY======", 16, bin, sizeof(bin),
                               &outlen), A2F_ERR_INVALID);

    /* non-zero trailing bits are accepted ("MZ" = 'f' + 2 bits) */
    CHECK_RC(a2f_base32_decode("MZ", 2, bin, sizeof(bin), &outlen), A2F_OK);
    CHECK(outlen == 1 && bin[0] == 'f');
}


static void
a2f_test_hash_names(void)
{
    a2f_hash_t  alg;

    CHECK_RC(a2f_hash_parse("sha1", 4, &alg), A2F_OK);
    CHECK(alg == A2F_SHA1);
    CHECK_RC(a2f_hash_parse("Sha256", 6, &alg), A2F_OK);
    CHECK(alg == A2F_SHA256);
    CHECK_RC(a2f_hash_parse("SHA512", 6, &alg), A2F_OK);
    CHECK(alg == A2F_SHA512);
    CHECK_RC(a2f_hash_parse("SHA5120", 7, &alg), A2F_ERR_INVALID);
    CHECK_RC(a2f_hash_parse("SHA", 3, &alg), A2F_ERR_INVALID);
    CHECK_RC(a2f_hash_parse("MD5", 3, &alg), A2F_ERR_INVALID);
    CHECK_RC(a2f_hash_parse("", 0, &alg), A2F_ERR_INVALID);
    CHECK_STR(a2f_hash_name(A2F_SHA1), "SHA1");
    CHECK_STR(a2f_hash_name(A2F_SHA256), "SHA256");
    CHECK_STR(a2f_hash_name(A2F_SHA512), "SHA512");
}


static void
a2f_test_hotp_vectors(void)
{
    char      buf[16];
    size_t    i;
    uint32_t  code;

    for (i = 0; i < 10; i++) {
        CHECK_RC(a2f_hotp((const uint8_t *) a2f_test_k20, 20, A2F_SHA1, i, 6,
                          &code), A2F_OK);
        a2f_code_format(code, 6, buf);
        CHECK_STR(buf, a2f_test_rfc4226[i]);
    }

    CHECK_RC(a2f_hotp((const uint8_t *) a2f_test_k20, 20, A2F_SHA1, 0, 5,
                      &code), A2F_ERR_INVALID);
    CHECK_RC(a2f_hotp((const uint8_t *) a2f_test_k20, 20, A2F_SHA1, 0, 9,
                      &code), A2F_ERR_INVALID);
    CHECK_RC(a2f_hotp((const uint8_t *) a2f_test_k20, 20, (a2f_hash_t) 7, 0,
                      6, &code), A2F_ERR_INVALID);

    a2f_code_format(7, 6, buf);
    CHECK_STR(buf, "000007");
    a2f_code_format(12345678, 8, buf);
    CHECK_STR(buf, "12345678");
}


static void
a2f_test_totp_vectors(void)
{
    char            buf[16];
    size_t          i, klen;
    uint32_t        code;
    uint64_t        step;
    const uint8_t  *key;

    for (i = 0; i < sizeof(a2f_test_rfc6238) / sizeof(a2f_test_rfc6238[0]);
         i++)
    {
        key = a2f_test_key(a2f_test_rfc6238[i].alg, &klen);

        CHECK_RC(a2f_hotp(key, klen, a2f_test_rfc6238[i].alg,
                          (uint64_t) a2f_test_rfc6238[i].time / 30, 8,
                          &code), A2F_OK);
        a2f_code_format(code, 8, buf);
        CHECK_STR(buf, a2f_test_rfc6238[i].code);

        step = 0;
        CHECK_RC(a2f_totp_check(key, klen, a2f_test_rfc6238[i].alg, 8, 30,
                                a2f_test_rfc6238[i].time, 0,
                                a2f_test_rfc6238[i].code, 8, 0, &step),
                 A2F_OK);
        CHECK(step == (uint64_t) a2f_test_rfc6238[i].time / 30);
    }

    /* a code with a leading zero, 8 and 6 digits */
    key = (const uint8_t *) a2f_test_k20;
    CHECK_RC(a2f_totp_check(key, 20, A2F_SHA1, 8, 30, 1111111109, 1,
                            "07081804", 8, 0, &step), A2F_OK);
    CHECK_RC(a2f_totp_check(key, 20, A2F_SHA1, 6, 30, 1111111109, 1,
                            "081804", 6, 0, &step), A2F_OK);
    CHECK_RC(a2f_totp_check(key, 20, A2F_SHA1, 7, 30, 1111111109, 1,
                            "7081804", 7, 0, &step), A2F_OK);
    CHECK_RC(a2f_totp_check(key, 20, A2F_SHA1, 6, 30, 1111111109, 1,
                            "81804", 5, 0, &step), A2F_ERR_INVALID);
}


static void
a2f_test_totp_window(void)
{
    int             i;
    char            codes[5][8];
    int64_t         now;
    uint32_t        v;
    uint64_t        cur, step;
    const uint8_t  *key;

    key = (const uint8_t *) a2f_test_k32;
    now = 1700000015;
    cur = (uint64_t) now / 30;

    for (i = 0; i < 5; i++) {
        CHECK_RC(a2f_hotp(key, 32, A2F_SHA256, cur + (uint64_t) i - 2, 6,
                          &v), A2F_OK);
        a2f_code_format(v, 6, codes[i]);
    }

    /* the five codes differ (else the edges below prove nothing) */
    for (i = 1; i < 5; i++) {
        CHECK(strcmp(codes[0], codes[i]) != 0);
    }

    /* window 1: steps -1, 0, +1 accepted; -2, +2 refused */
    CHECK_RC(a2f_totp_check(key, 32, A2F_SHA256, 6, 30, now, 1, codes[0], 6,
                            0, &step), A2F_ERR_AUTH);
    step = 0;
    CHECK_RC(a2f_totp_check(key, 32, A2F_SHA256, 6, 30, now, 1, codes[1], 6,
                            0, &step), A2F_OK);
    CHECK(step == cur - 1);
    CHECK_RC(a2f_totp_check(key, 32, A2F_SHA256, 6, 30, now, 1, codes[2], 6,
                            0, &step), A2F_OK);
    CHECK(step == cur);
    CHECK_RC(a2f_totp_check(key, 32, A2F_SHA256, 6, 30, now, 1, codes[3], 6,
                            0, &step), A2F_OK);
    CHECK(step == cur + 1);
    CHECK_RC(a2f_totp_check(key, 32, A2F_SHA256, 6, 30, now, 1, codes[4], 6,
                            0, &step), A2F_ERR_AUTH);

    /* window 0: only the current step */
    CHECK_RC(a2f_totp_check(key, 32, A2F_SHA256, 6, 30, now, 0, codes[1], 6,
                            0, &step), A2F_ERR_AUTH);
    CHECK_RC(a2f_totp_check(key, 32, A2F_SHA256, 6, 30, now, 0, codes[2], 6,
                            0, &step), A2F_OK);

    /* window 2 reaches the edges */
    CHECK_RC(a2f_totp_check(key, 32, A2F_SHA256, 6, 30, now, 2, codes[0], 6,
                            0, &step), A2F_OK);
    CHECK(step == cur - 2);
    CHECK_RC(a2f_totp_check(key, 32, A2F_SHA256, 6, 30, now, 2, codes[4], 6,
                            0, &step), A2F_OK);
    CHECK(step == cur + 2);

    /* the edge of a step in time: now = the last second of the step */
    CHECK_RC(a2f_totp_check(key, 32, A2F_SHA256, 6, 30,
                            (int64_t) (cur * 30 + 29), 0, codes[2], 6, 0,
                            &step), A2F_OK);
    CHECK_RC(a2f_totp_check(key, 32, A2F_SHA256, 6, 30,
                            (int64_t) (cur * 30 + 30), 0, codes[2], 6, 0,
                            &step), A2F_ERR_AUTH);

    /* replays: any step <= last_step */
    CHECK_RC(a2f_totp_check(key, 32, A2F_SHA256, 6, 30, now, 1, codes[2], 6,
                            cur, &step), A2F_ERR_REPLAY);
    CHECK_RC(a2f_totp_check(key, 32, A2F_SHA256, 6, 30, now, 1, codes[1], 6,
                            cur, &step), A2F_ERR_REPLAY);
    CHECK_RC(a2f_totp_check(key, 32, A2F_SHA256, 6, 30, now, 1, codes[1], 6,
                            cur - 1, &step), A2F_ERR_REPLAY);
    CHECK_RC(a2f_totp_check(key, 32, A2F_SHA256, 6, 30, now, 1, codes[2], 6,
                            cur - 1, &step), A2F_OK);
    CHECK(step == cur);
    CHECK_RC(a2f_totp_check(key, 32, A2F_SHA256, 6, 30, now, 1, codes[3], 6,
                            cur, &step), A2F_OK);
    CHECK(step == cur + 1);
    CHECK_RC(a2f_totp_check(key, 32, A2F_SHA256, 6, 30, now, 1, codes[3], 6,
                            cur + 1, &step), A2F_ERR_REPLAY);
    /* a clock that stepped backwards: a newer step was used already */
    CHECK_RC(a2f_totp_check(key, 32, A2F_SHA256, 6, 30, now, 1, codes[2], 6,
                            cur + 5, &step), A2F_ERR_REPLAY);
    /* a wrong code is a wrong code, not a replay */
    CHECK_RC(a2f_totp_check(key, 32, A2F_SHA256, 6, 30, now, 1, codes[0], 6,
                            cur, &step), A2F_ERR_AUTH);
}


static void
a2f_test_totp_malformed(void)
{
    size_t          i;
    uint64_t        step;
    const uint8_t  *key;

    static const char  *bad[] = {
        "12345", "1234567", "12345a", " 12345", "+12345", "-12345",
        "", "123 45", "12345\n", "0x1234",
        "\xd9\xa1\xd9\xa2\xd9\xa3",                     /* Arabic-Indic */
        "\xef\xbc\x91\xef\xbc\x92",                     /* fullwidth 1 2 */
        "\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6"
    };

    key = (const uint8_t *) a2f_test_k20;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_RC(a2f_totp_check(key, 20, A2F_SHA1, 6, 30, 1111111109, 1,
                                bad[i], strlen(bad[i]), 0, &step),
                 A2F_ERR_INVALID);
    }

    CHECK_RC(a2f_totp_check(key, 20, A2F_SHA1, 6, 30, 1111111109, 1,
                            " 123456", 7, 0, &step), A2F_ERR_INVALID);
    CHECK_RC(a2f_totp_check(key, 20, A2F_SHA1, 6, 30, 1111111109, 1,
                            "081804\0", 7, 0, &step), A2F_ERR_INVALID);
    CHECK_RC(a2f_totp_check(key, 20, A2F_SHA1, 6, 30, 1111111109, 1,
                            NULL, 0, 0, &step), A2F_ERR_INVALID);

    /* parameters out of range */
    CHECK_RC(a2f_totp_check(key, 20, A2F_SHA1, 6, 0, 1111111109, 1,
                            "081804", 6, 0, &step), A2F_ERR_INVALID);
    CHECK_RC(a2f_totp_check(key, 20, A2F_SHA1, 6, 301, 1111111109, 1,
                            "081804", 6, 0, &step), A2F_ERR_INVALID);
    CHECK_RC(a2f_totp_check(key, 20, A2F_SHA1, 6, 30, 1111111109,
                            A2F_TOTP_WINDOW_MAX + 1, "081804", 6, 0, &step),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_totp_check(key, 20, A2F_SHA1, 6, 30, -1, 1,
                            "081804", 6, 0, &step), A2F_ERR_INVALID);
    CHECK_RC(a2f_totp_check(key, 20, A2F_SHA1, 6, 30, 1111111109,
                            A2F_TOTP_WINDOW_MAX, "081804", 6, 0, &step),
             A2F_OK);

    /* near time zero the window does not wrap below step 0 */
    CHECK_RC(a2f_totp_check(key, 20, A2F_SHA1, 8, 30, 59, 3, "94287082", 8,
                            0, &step), A2F_OK);
    CHECK(step == 1);
}


int
main(int argc, char **argv)
{
    a2f_test_base32();
    a2f_test_hash_names();
    a2f_test_hotp_vectors();
    a2f_test_totp_vectors();
    a2f_test_totp_window();
    a2f_test_totp_malformed();

    return a2f_test_done(argv[0]);
}
