
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * test_crypto.c: hex and base64url vectors, key ring parsing and loading,
 * key derivation, AES-256-GCM sealing.
 */


#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "a2f_crypto.h"
#include "a2f_test.h"


/* 0x00..0x1f; its kid and HMAC-SHA256(key, "a2f kek") by Python hashlib */
#define A2F_TEST_KEY0                                                        \
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define A2F_TEST_KID0   "630dcd29"
#define A2F_TEST_KEK0                                                        \
    "8fd238e4e0f3b1b5d1bcbe9e6ea731a340d58a101d937fbad196ea0b6cd0b2f0"

/* 48 bytes of 0xab */
#define A2F_TEST_KEY1                                                        \
    "abababababababababababababababababababababababababababababababab"      \
    "abababababababababababababababab"
#define A2F_TEST_KID1   "2b5194b1"


static const char  *a2f_test_b64_plain[] = {
    "", "f", "fo", "foo", "foob", "fooba", "foobar"
};

static const char  *a2f_test_b64_text[] = {
    "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"
};


static void
a2f_test_hex(void)
{
    char     text[16];
    size_t   outlen;
    uint8_t  bin[8];

    static const uint8_t  v[] = { 0x00, 0xff, 0x1a, 0x9c };

    CHECK(a2f_hex_encode(v, 4, text, sizeof(text)) == 8);
    CHECK_STR(text, "00ff1a9c");
    CHECK(a2f_hex_encode(v, 4, text, 8) == 0);
    CHECK(a2f_hex_encode(v, 4, text, 9) == 8);
    CHECK(a2f_hex_encode(v, 0, text, 1) == 0 && text[0] == '\0');

    CHECK_RC(a2f_hex_decode("00FF1a9C", 8, bin, sizeof(bin), &outlen),
             A2F_OK);
    CHECK(outlen == 4 && memcmp(bin, v, 4) == 0);
    CHECK_RC(a2f_hex_decode("", 0, bin, sizeof(bin), &outlen), A2F_OK);
    CHECK(outlen == 0);
    CHECK_RC(a2f_hex_decode("00f", 3, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_hex_decode("0g", 2, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_hex_decode(" 0", 2, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_hex_decode("00\0" "0", 4, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_hex_decode("00ff1a9c", 8, bin, 3, &outlen),
             A2F_ERR_TOOBIG);
}


static void
a2f_test_b64url(void)
{
    char     text[32];
    size_t   i, n, outlen;
    uint8_t  bin[32];

    static const uint8_t  v[] = { 0xfb, 0xff, 0xbf };

    for (i = 0; i < 7; i++) {
        n = strlen(a2f_test_b64_plain[i]);

        CHECK(a2f_b64url_encode((const uint8_t *) a2f_test_b64_plain[i], n,
                                text, sizeof(text))
              == strlen(a2f_test_b64_text[i]));
        CHECK_STR(text, a2f_test_b64_text[i]);

        outlen = 99;
        CHECK_RC(a2f_b64url_decode(a2f_test_b64_text[i],
                                   strlen(a2f_test_b64_text[i]), bin,
                                   sizeof(bin), &outlen), A2F_OK);
        CHECK(outlen == n && memcmp(bin, a2f_test_b64_plain[i], n) == 0);
    }

    /* the URL alphabet */
    CHECK(a2f_b64url_encode(v, 3, text, sizeof(text)) == 4);
    CHECK_STR(text, "-_-_");
    CHECK(a2f_b64url_encode(v, 2, text, sizeof(text)) == 3);
    CHECK_STR(text, "-_8");
    CHECK_RC(a2f_b64url_decode("-_8", 3, bin, sizeof(bin), &outlen), A2F_OK);
    CHECK(outlen == 2 && memcmp(bin, v, 2) == 0);

    /* bounds */
    CHECK(a2f_b64url_encode((const uint8_t *) "foobar", 6, text, 8) == 0);
    CHECK(a2f_b64url_encode((const uint8_t *) "foobar", 6, text, 9) == 8);
    CHECK_RC(a2f_b64url_decode("Zm9vYmFy", 8, bin, 5, &outlen),
             A2F_ERR_TOOBIG);
    CHECK_RC(a2f_b64url_decode("Zm9vYmFy", 8, bin, 6, &outlen), A2F_OK);

    /* refused: padding, standard alphabet, spaces, trailing bits, length */
    CHECK_RC(a2f_b64url_decode("Zg==", 4, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_b64url_decode("+_8", 3, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_b64url_decode("-/8", 3, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_b64url_decode("Zm9 v", 5, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_b64url_decode("Zh", 2, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_b64url_decode("Zm9", 3, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_b64url_decode("Z", 1, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_b64url_decode("Zm9vY", 5, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_b64url_decode("Zm\0v", 4, bin, sizeof(bin), &outlen),
             A2F_ERR_INVALID);
}


static void
a2f_test_keyring(void)
{
    int               i;
    char              text[4096], err[256], line[80];
    size_t            n;
    uint8_t           raw[32], kek[32];
    a2f_keyring_t     kr;
    const a2f_key_t  *k;

    /* comments, blank lines, CRLF, surrounding blanks, upper case */

    n = (size_t) snprintf(text, sizeof(text),
                          "# session keys\n"
                          "\n"
                          "   \t\n"
                          "%s\r\n"
                          "  # old key\n"
                          "\t%s  \n",
                          A2F_TEST_KEY0, "ABABABABABABABABABABABABABABABAB"
                          "ABABABABABABABABABABABABABABABABABABABABABABABAB"
                          "ABABABABABABABAB");

    CHECK_RC(a2f_keyring_parse(text, n, &kr, err, sizeof(err)), A2F_OK);
    CHECK(kr.n == 2);
    CHECK(kr.keys[0].len == 32 && kr.keys[1].len == 48);
    CHECK_STR(kr.keys[0].kid, A2F_TEST_KID0);
    CHECK_STR(kr.keys[1].kid, A2F_TEST_KID1);

    CHECK_RC(a2f_hex_decode(A2F_TEST_KEY0, 64, raw, sizeof(raw), &n),
             A2F_OK);
    CHECK(memcmp(kr.keys[0].key, raw, 32) == 0);

    k = a2f_keyring_find(&kr, A2F_TEST_KID1, 8);
    CHECK(k == &kr.keys[1]);
    CHECK(a2f_keyring_find(&kr, A2F_TEST_KID0, 8) == &kr.keys[0]);
    CHECK(a2f_keyring_find(&kr, "00000000", 8) == NULL);
    CHECK(a2f_keyring_find(&kr, A2F_TEST_KID0, 7) == NULL);
    CHECK(a2f_keyring_find(&kr, "630DCD29", 8) == NULL);

    /* a2f_derive: HMAC-SHA256(key, label) */
    CHECK_RC(a2f_derive(&kr.keys[0], "a2f kek", kek), A2F_OK);
    CHECK(a2f_hex_encode(kek, 32, text, sizeof(text)) == 64);
    CHECK_STR(text, A2F_TEST_KEK0);

    a2f_keyring_wipe(&kr);
    CHECK(kr.n == 0 && kr.keys[0].key[1] == 0);

    /* no trailing newline; 128 hex digits is the longest */
    n = (size_t) snprintf(text, sizeof(text), "%s%s", A2F_TEST_KEY0,
                          A2F_TEST_KEY0);
    CHECK_RC(a2f_keyring_parse(text, n, &kr, err, sizeof(err)), A2F_OK);
    CHECK(kr.n == 1 && kr.keys[0].len == 64);

    /* a short key names its line */
    n = (size_t) snprintf(text, sizeof(text), "# keys\n%s\n%.62s\n",
                          A2F_TEST_KEY0, A2F_TEST_KEY1);
    err[0] = '\0';
    CHECK_RC(a2f_keyring_parse(text, n, &kr, err, sizeof(err)),
             A2F_ERR_INVALID);
    CHECK(strstr(err, "line 3") != NULL);
    CHECK(kr.n == 0);

    /* too long, odd, not hex, NUL */
    n = (size_t) snprintf(text, sizeof(text), "%s%s00\n", A2F_TEST_KEY0,
                          A2F_TEST_KEY0);
    CHECK_RC(a2f_keyring_parse(text, n, &kr, err, sizeof(err)),
             A2F_ERR_INVALID);
    CHECK(strstr(err, "line 1") != NULL);

    n = (size_t) snprintf(text, sizeof(text), "%s0\n", A2F_TEST_KEY0);
    CHECK_RC(a2f_keyring_parse(text, n, &kr, err, sizeof(err)),
             A2F_ERR_INVALID);

    n = (size_t) snprintf(text, sizeof(text), "\n\n%.63sg\n", A2F_TEST_KEY0);
    CHECK_RC(a2f_keyring_parse(text, n, &kr, err, sizeof(err)),
             A2F_ERR_INVALID);
    CHECK(strstr(err, "line 3") != NULL);

    n = (size_t) snprintf(text, sizeof(text), "%s\n", A2F_TEST_KEY0);
    text[10] = '\0';
    CHECK_RC(a2f_keyring_parse(text, n, &kr, err, sizeof(err)),
             A2F_ERR_INVALID);

    n = (size_t) snprintf(text, sizeof(text), "%s # the key\n",
                          A2F_TEST_KEY0);
    CHECK_RC(a2f_keyring_parse(text, n, &kr, err, sizeof(err)),
             A2F_ERR_INVALID);

    /* no key at all */
    CHECK_RC(a2f_keyring_parse("# nothing\n\n", 11, &kr, err, sizeof(err)),
             A2F_ERR_INVALID);
    CHECK(err[0] != '\0');
    CHECK_RC(a2f_keyring_parse("", 0, &kr, err, sizeof(err)),
             A2F_ERR_INVALID);

    /* the same key twice */
    n = (size_t) snprintf(text, sizeof(text), "%s\n%s\n", A2F_TEST_KEY0,
                          A2F_TEST_KEY0);
    CHECK_RC(a2f_keyring_parse(text, n, &kr, err, sizeof(err)),
             A2F_ERR_INVALID);
    CHECK(strstr(err, "line 2") != NULL);

    /* A2F_KEYS_MAX keys, then one more */
    n = 0;

    for (i = 0; i < A2F_KEYS_MAX + 1; i++) {
        CHECK_RC(a2f_keygen_line(line, sizeof(line)), A2F_OK);
        memcpy(text + n, line, 65);
        n += 65;

        if (i == A2F_KEYS_MAX - 1) {
            CHECK_RC(a2f_keyring_parse(text, n, &kr, err, sizeof(err)),
                     A2F_OK);
            CHECK(kr.n == A2F_KEYS_MAX);
        }
    }

    CHECK_RC(a2f_keyring_parse(text, n, &kr, err, sizeof(err)),
             A2F_ERR_INVALID);
    CHECK(strstr(err, "line 17") != NULL);

    /* a NULL or tiny err buffer is fine */
    CHECK_RC(a2f_keyring_parse("00", 2, &kr, NULL, 0), A2F_ERR_INVALID);
    CHECK_RC(a2f_keyring_parse("00", 2, &kr, err, 4), A2F_ERR_INVALID);
    CHECK(strlen(err) == 3);

    /* keygen */
    CHECK_RC(a2f_keygen_line(line, 65), A2F_ERR_TOOBIG);
    CHECK_RC(a2f_keygen_line(line, 66), A2F_OK);
    CHECK(strlen(line) == 65 && line[64] == '\n');
    CHECK_RC(a2f_keyring_parse(line, 65, &kr, err, sizeof(err)), A2F_OK);
    CHECK(kr.n == 1 && kr.keys[0].len == 32 && strlen(kr.keys[0].kid) == 8);
    a2f_keyring_wipe(&kr);
}


static void
a2f_test_keyring_load(void)
{
    int            fd;
    char           path[64], err[256];
    a2f_keyring_t  kr;

    strcpy(path, "/tmp/a2f_test_keysXXXXXX");
    fd = mkstemp(path);
    CHECK(fd >= 0);

    if (fd < 0) {
        return;
    }

    CHECK(write(fd, "# k\n" A2F_TEST_KEY0 "\n", 4 + 65) == 4 + 65);
    close(fd);

    CHECK_RC(a2f_keyring_load(path, &kr, err, sizeof(err)), A2F_OK);
    CHECK(kr.n == 1);
    CHECK_STR(kr.keys[0].kid, A2F_TEST_KID0);
    a2f_keyring_wipe(&kr);

    fd = open(path, O_WRONLY | O_TRUNC);
    CHECK(fd >= 0);
    CHECK(write(fd, "abcd\n", 5) == 5);
    close(fd);

    CHECK_RC(a2f_keyring_load(path, &kr, err, sizeof(err)), A2F_ERR_INVALID);
    CHECK(strstr(err, path) != NULL && strstr(err, "line 1") != NULL);

    unlink(path);

    CHECK(a2f_keyring_load(path, &kr, err, sizeof(err)) != A2F_OK);
    CHECK(strstr(err, path) != NULL);
}


static void
a2f_test_seal(void)
{
    size_t   i, n, m;
    uint8_t  key[32], key2[32], pt[100], ct[200], back[200];

    for (i = 0; i < 32; i++) {
        key[i] = (uint8_t) i;
        key2[i] = (uint8_t) (i + 1);
    }

    for (i = 0; i < sizeof(pt); i++) {
        pt[i] = (uint8_t) (i * 7);
    }

    CHECK_RC(a2f_seal(key, (const uint8_t *) "aad", 3, pt, sizeof(pt), ct,
                      sizeof(ct), &n), A2F_OK);
    CHECK(n == sizeof(pt) + A2F_SEAL_OVERHEAD);
    CHECK(memcmp(ct + 12, pt, 16) != 0);

    CHECK_RC(a2f_open(key, (const uint8_t *) "aad", 3, ct, n, back,
                      sizeof(back), &m), A2F_OK);
    CHECK(m == sizeof(pt) && memcmp(back, pt, sizeof(pt)) == 0);

    /* every byte flipped: nonce, ciphertext, tag */
    for (i = 0; i < n; i++) {
        ct[i] ^= 0x01;
        CHECK_RC(a2f_open(key, (const uint8_t *) "aad", 3, ct, n, back,
                          sizeof(back), &m), A2F_ERR_AUTH);
        ct[i] ^= 0x01;
    }

    CHECK_RC(a2f_open(key, (const uint8_t *) "aae", 3, ct, n, back,
                      sizeof(back), &m), A2F_ERR_AUTH);
    CHECK_RC(a2f_open(key, NULL, 0, ct, n, back, sizeof(back), &m),
             A2F_ERR_AUTH);
    CHECK_RC(a2f_open(key2, (const uint8_t *) "aad", 3, ct, n, back,
                      sizeof(back), &m), A2F_ERR_AUTH);
    CHECK_RC(a2f_open(key, (const uint8_t *) "aad", 3, ct, n - 1, back,
                      sizeof(back), &m), A2F_ERR_AUTH);
    CHECK_RC(a2f_open(key, (const uint8_t *) "aad", 3, ct, 27, back,
                      sizeof(back), &m), A2F_ERR_INVALID);
    CHECK_RC(a2f_open(key, (const uint8_t *) "aad", 3, ct, n, back,
                      sizeof(pt) - 1, &m), A2F_ERR_TOOBIG);

    /* two seals of the same text differ (fresh nonce) */
    CHECK_RC(a2f_seal(key, NULL, 0, pt, 16, ct, sizeof(ct), &n), A2F_OK);
    CHECK_RC(a2f_seal(key, NULL, 0, pt, 16, back, sizeof(back), &m), A2F_OK);
    CHECK(n == m && memcmp(ct, back, n) != 0);

    /* empty plain text, small output */
    CHECK_RC(a2f_seal(key, NULL, 0, pt, 0, ct, sizeof(ct), &n), A2F_OK);
    CHECK(n == A2F_SEAL_OVERHEAD);
    CHECK_RC(a2f_open(key, NULL, 0, ct, n, back, sizeof(back), &m), A2F_OK);
    CHECK(m == 0);
    CHECK_RC(a2f_seal(key, NULL, 0, pt, 10, ct, 37, &n), A2F_ERR_TOOBIG);

    /* random */
    memset(ct, 0, 32);
    CHECK_RC(a2f_random(ct, 32), A2F_OK);
    memset(back, 0, 32);
    CHECK(memcmp(ct, back, 32) != 0);
}


int
main(int argc, char **argv)
{
    a2f_test_hex();
    a2f_test_b64url();
    a2f_test_keyring();
    a2f_test_keyring_load();
    a2f_test_seal();

    return a2f_test_done(argv[0]);
}
