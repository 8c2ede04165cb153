
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_crypto.c: randomness, hex and base64url, the key ring, AES-256-GCM.
 */


#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "a2f_crypto.h"


#define A2F_KEYFILE_MAX    65536
#define A2F_GCM_NONCE      12
#define A2F_GCM_TAG        16


static void a2f_crypto_err(char *err, size_t errsz, const char *fmt,
    size_t line, size_t other);


static const char  a2f_hex_digits[] = "0123456789abcdef";

static const char  a2f_b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url digit values, -1 for every other byte (the cookie hot path) */
static const int8_t  a2f_b64url_table[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1,
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
    -1,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, 63,
    -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1
};


int
a2f_random(uint8_t *buf, size_t len)
{
    int  n;

    while (len > 0) {
        n = len > INT_MAX ? INT_MAX : (int) len;

        if (RAND_bytes(buf, n) != 1) {
            return A2F_ERR_CRYPTO;
        }

        buf += n;
        len -= (size_t) n;
    }

    return A2F_OK;
}


size_t
a2f_hex_encode(const uint8_t *in, size_t len, char *out, size_t outsz)
{
    size_t  i;

    if (len > (SIZE_MAX - 1) / 2 || outsz < 2 * len + 1) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        out[2 * i] = a2f_hex_digits[in[i] >> 4];
        out[2 * i + 1] = a2f_hex_digits[in[i] & 0x0f];
    }

    out[2 * len] = '\0';

    return 2 * len;
}


int
a2f_hex_digit(uint8_t c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }

    return -1;
}


int
a2f_hex_decode(const char *in, size_t len, uint8_t *out, size_t outsz,
    size_t *outlen)
{
    int             hi, lo;
    size_t          i;
    const uint8_t  *p;

    if (len % 2) {
        return A2F_ERR_INVALID;
    }

    p = (const uint8_t *) in;

    for (i = 0; i < len; i++) {
        if (a2f_hex_digit(p[i]) < 0) {
            return A2F_ERR_INVALID;
        }
    }

    if (len / 2 > outsz) {
        return A2F_ERR_TOOBIG;
    }

    for (i = 0; i < len; i += 2) {
        hi = a2f_hex_digit(p[i]);
        lo = a2f_hex_digit(p[i + 1]);
        out[i / 2] = (uint8_t) ((hi << 4) | lo);
    }

    *outlen = len / 2;

    return A2F_OK;
}


size_t
a2f_b64url_encode(const uint8_t *in, size_t len, char *out, size_t outsz)
{
    size_t    i, o, need;
    uint32_t  v;

    if (len > SIZE_MAX / 2) {
        return 0;
    }

    need = len / 3 * 4 + (len % 3 ? len % 3 + 1 : 0);

    if (outsz < need + 1) {
        return 0;
    }

    o = 0;

    for (i = 0; i + 3 <= len; i += 3) {
        v = ((uint32_t) in[i] << 16) | ((uint32_t) in[i + 1] << 8) | in[i + 2];
        out[o++] = a2f_b64url_alphabet[(v >> 18) & 0x3f];
        out[o++] = a2f_b64url_alphabet[(v >> 12) & 0x3f];
        out[o++] = a2f_b64url_alphabet[(v >> 6) & 0x3f];
        out[o++] = a2f_b64url_alphabet[v & 0x3f];
    }

    if (len - i == 1) {
        v = (uint32_t) in[i] << 16;
        out[o++] = a2f_b64url_alphabet[(v >> 18) & 0x3f];
        out[o++] = a2f_b64url_alphabet[(v >> 12) & 0x3f];

    } else if (len - i == 2) {
        v = ((uint32_t) in[i] << 16) | ((uint32_t) in[i + 1] << 8);
        out[o++] = a2f_b64url_alphabet[(v >> 18) & 0x3f];
        out[o++] = a2f_b64url_alphabet[(v >> 12) & 0x3f];
        out[o++] = a2f_b64url_alphabet[(v >> 6) & 0x3f];
    }

    out[o] = '\0';

    return o;
}


int
a2f_b64url_decode(const char *in, size_t len, uint8_t *out, size_t outsz,
    size_t *outlen)
{
    int             a, b, c, d;
    size_t          i, o, need;
    const uint8_t  *p;

    if (len % 4 == 1) {
        return A2F_ERR_INVALID;
    }

    p = (const uint8_t *) in;
    need = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);

    if (need > outsz) {
        for (i = 0; i < len; i++) {
            if (a2f_b64url_table[p[i]] < 0) {
                return A2F_ERR_INVALID;
            }
        }

        return A2F_ERR_TOOBIG;
    }

    o = 0;

    for (i = 0; i + 4 <= len; i += 4) {
        a = a2f_b64url_table[p[i]];
        b = a2f_b64url_table[p[i + 1]];
        c = a2f_b64url_table[p[i + 2]];
        d = a2f_b64url_table[p[i + 3]];

        if ((a | b | c | d) < 0) {
            return A2F_ERR_INVALID;
        }

        out[o++] = (uint8_t) ((a << 2) | (b >> 4));
        out[o++] = (uint8_t) (((b & 0x0f) << 4) | (c >> 2));
        out[o++] = (uint8_t) (((c & 0x03) << 6) | d);
    }

    /*
     * the last 2 or 3 characters; non-zero trailing bits would make a
     * second spelling of the same bytes, so they are refused
     */

    if (len - i == 2) {
        a = a2f_b64url_table[p[i]];
        b = a2f_b64url_table[p[i + 1]];

        if ((a | b) < 0 || (b & 0x0f)) {
            return A2F_ERR_INVALID;
        }

        out[o++] = (uint8_t) ((a << 2) | (b >> 4));

    } else if (len - i == 3) {
        a = a2f_b64url_table[p[i]];
        b = a2f_b64url_table[p[i + 1]];
        c = a2f_b64url_table[p[i + 2]];

        if ((a | b | c) < 0 || (c & 0x03)) {
            return A2F_ERR_INVALID;
        }

        out[o++] = (uint8_t) ((a << 2) | (b >> 4));
        out[o++] = (uint8_t) (((b & 0x0f) << 4) | (c >> 2));
    }

    *outlen = o;

    return A2F_OK;
}


static void
a2f_crypto_err(char *err, size_t errsz, const char *fmt, size_t line,
    size_t other)
{
    if (err == NULL || errsz == 0) {
        return;
    }

    (void) snprintf(err, errsz, fmt, line, other);
}


int
a2f_keyring_parse(const char *text, size_t len, a2f_keyring_t *kr,
    char *err, size_t errsz)
{
    size_t          i, s, e, line, n, j, dlen;
    uint8_t         md[32];
    unsigned int    mdlen;
    a2f_key_t      *k;
    const uint8_t  *p;

    memset(kr, 0, sizeof(a2f_keyring_t));

    if (err != NULL && errsz > 0) {
        err[0] = '\0';
    }

    p = (const uint8_t *) text;
    line = 0;
    i = 0;

    while (i < len) {
        line++;
        s = i;

        while (i < len && p[i] != '\n') {
            i++;
        }

        e = i;

        if (i < len) {
            i++;    /* the '\n' */
        }

        while (s < e && (p[s] == ' ' || p[s] == '\t')) {
            s++;
        }

        while (e > s && (p[e - 1] == ' ' || p[e - 1] == '\t'
                         || p[e - 1] == '\r'))
        {
            e--;
        }

        if (s == e || p[s] == '#') {
            continue;
        }

        n = e - s;

        for (j = s; j < e; j++) {
            if (a2f_hex_digit(p[j]) < 0) {
                a2f_crypto_err(err, errsz, "line %zu: a key must be hex "
                               "digits only (column %zu)", line, j - s + 1);
                goto failed;
            }
        }

        if (n < 2 * A2F_KEY_MIN || n > 2 * A2F_KEY_MAX || n % 2) {
            a2f_crypto_err(err, errsz, "line %zu: a key must be an even "
                           "number of 64 to 128 hex digits, not %zu",
                           line, n);
            goto failed;
        }

        if (kr->n == A2F_KEYS_MAX) {
            a2f_crypto_err(err, errsz, "line %zu: more than %zu keys",
                           line, (size_t) A2F_KEYS_MAX);
            goto failed;
        }

        k = &kr->keys[kr->n];

        if (a2f_hex_decode((const char *) p + s, n, k->key, sizeof(k->key),
                           &dlen)
            != A2F_OK)
        {
            a2f_crypto_err(err, errsz, "line %zu: bad key", line, 0);
            goto failed;
        }

        k->len = dlen;

        if (EVP_Digest(k->key, k->len, md, &mdlen, EVP_sha256(), NULL) != 1) {
            a2f_crypto_err(err, errsz, "line %zu: SHA-256 failed", line, 0);
            goto failed;
        }

        (void) a2f_hex_encode(md, A2F_KID_LEN / 2, k->kid, sizeof(k->kid));

        for (j = 0; j < kr->n; j++) {
            if (memcmp(kr->keys[j].kid, k->kid, A2F_KID_LEN) == 0) {
                a2f_crypto_err(err, errsz, "line %zu: the same key id as "
                               "key %zu", line, j + 1);
                goto failed;
            }
        }

        kr->n++;
    }

    if (kr->n == 0) {
        a2f_crypto_err(err, errsz, "no key in %zu line(s)", line, 0);
        goto failed;
    }

    return A2F_OK;

failed:

    a2f_keyring_wipe(kr);

    return A2F_ERR_INVALID;
}


int
a2f_keyring_load(const char *path, a2f_keyring_t *kr, char *err,
    size_t errsz)
{
    int     rc;
    char    buf[A2F_KEYFILE_MAX + 1], why[128];
    FILE   *f;
    size_t  n;

    memset(kr, 0, sizeof(a2f_keyring_t));

    f = fopen(path, "r");

    if (f == NULL) {
        if (err != NULL && errsz > 0) {
            (void) snprintf(err, errsz, "%s: %s", path, strerror(errno));
        }

        return A2F_ERR_STORAGE;
    }

    n = fread(buf, 1, sizeof(buf), f);

    if (ferror(f)) {
        if (err != NULL && errsz > 0) {
            (void) snprintf(err, errsz, "%s: read failed", path);
        }

        (void) fclose(f);
        OPENSSL_cleanse(buf, sizeof(buf));

        return A2F_ERR_STORAGE;
    }

    (void) fclose(f);

    if (n > A2F_KEYFILE_MAX) {
        if (err != NULL && errsz > 0) {
            (void) snprintf(err, errsz, "%s: larger than %d bytes", path,
                            A2F_KEYFILE_MAX);
        }

        OPENSSL_cleanse(buf, sizeof(buf));

        return A2F_ERR_TOOBIG;
    }

    why[0] = '\0';

    rc = a2f_keyring_parse(buf, n, kr, why, sizeof(why));

    OPENSSL_cleanse(buf, sizeof(buf));

    if (rc != A2F_OK && err != NULL && errsz > 0) {
        (void) snprintf(err, errsz, "%s: %s", path, why);
    }

    return rc;
}


const a2f_key_t *
a2f_keyring_find(const a2f_keyring_t *kr, const char *kid, size_t kidlen)
{
    size_t  i;

    if (kr == NULL || kid == NULL || kidlen != A2F_KID_LEN) {
        return NULL;
    }

    for (i = 0; i < kr->n && i < A2F_KEYS_MAX; i++) {
        if (memcmp(kr->keys[i].kid, kid, A2F_KID_LEN) == 0) {
            return &kr->keys[i];
        }
    }

    return NULL;
}


void
a2f_keyring_wipe(a2f_keyring_t *kr)
{
    if (kr != NULL) {
        OPENSSL_cleanse(kr, sizeof(a2f_keyring_t));
    }
}


int
a2f_keygen_line(char *out, size_t outsz)
{
    uint8_t  key[32];

    if (outsz < 2 * sizeof(key) + 2) {
        return A2F_ERR_TOOBIG;
    }

    if (a2f_random(key, sizeof(key)) != A2F_OK) {
        return A2F_ERR_CRYPTO;
    }

    (void) a2f_hex_encode(key, sizeof(key), out, outsz);
    out[2 * sizeof(key)] = '\n';
    out[2 * sizeof(key) + 1] = '\0';

    OPENSSL_cleanse(key, sizeof(key));

    return A2F_OK;
}


int
a2f_derive(const a2f_key_t *key, const char *label, uint8_t out[32])
{
    size_t  n;

    if (key == NULL || label == NULL || key->len == 0
        || key->len > A2F_KEY_MAX)
    {
        return A2F_ERR_INVALID;
    }

    if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key->key, key->len,
                  (const unsigned char *) label, strlen(label), out, 32, &n)
        == NULL || n != 32)
    {
        return A2F_ERR_CRYPTO;
    }

    return A2F_OK;
}


int
a2f_seal(const uint8_t key[32], const uint8_t *aad, size_t aadlen,
    const uint8_t *pt, size_t ptlen, uint8_t *out, size_t outsz,
    size_t *outlen)
{
    int              rc, n, m;
    EVP_CIPHER_CTX  *ctx;

    if (ptlen > INT_MAX - A2F_SEAL_OVERHEAD || aadlen > INT_MAX) {
        return A2F_ERR_TOOBIG;
    }

    if (outsz < ptlen + A2F_SEAL_OVERHEAD) {
        return A2F_ERR_TOOBIG;
    }

    if (a2f_random(out, A2F_GCM_NONCE) != A2F_OK) {
        return A2F_ERR_CRYPTO;
    }

    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return A2F_ERR_NOMEM;
    }

    rc = A2F_ERR_CRYPTO;

    if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, A2F_GCM_NONCE,
                               NULL) != 1
        || EVP_EncryptInit_ex(ctx, NULL, NULL, key, out) != 1)
    {
        goto done;
    }

    if (aadlen > 0
        && EVP_EncryptUpdate(ctx, NULL, &n, aad, (int) aadlen) != 1)
    {
        goto done;
    }

    n = 0;

    if (ptlen > 0
        && EVP_EncryptUpdate(ctx, out + A2F_GCM_NONCE, &n, pt, (int) ptlen)
           != 1)
    {
        goto done;
    }

    m = 0;

    if (EVP_EncryptFinal_ex(ctx, out + A2F_GCM_NONCE + n, &m) != 1
        || (size_t) n + (size_t) m != ptlen)
    {
        goto done;
    }

    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, A2F_GCM_TAG,
                            out + A2F_GCM_NONCE + ptlen) != 1)
    {
        goto done;
    }

    *outlen = ptlen + A2F_SEAL_OVERHEAD;
    rc = A2F_OK;

done:

    EVP_CIPHER_CTX_free(ctx);

    return rc;
}


int
a2f_open(const uint8_t key[32], const uint8_t *aad, size_t aadlen,
    const uint8_t *in, size_t inlen, uint8_t *out, size_t outsz,
    size_t *outlen)
{
    int              rc, n, m;
    size_t           ctlen;
    uint8_t          tag[A2F_GCM_TAG];
    EVP_CIPHER_CTX  *ctx;

    if (inlen < A2F_SEAL_OVERHEAD) {
        return A2F_ERR_INVALID;
    }

    ctlen = inlen - A2F_SEAL_OVERHEAD;

    if (ctlen > INT_MAX || aadlen > INT_MAX) {
        return A2F_ERR_TOOBIG;
    }

    if (outsz < ctlen) {
        return A2F_ERR_TOOBIG;
    }

    memcpy(tag, in + A2F_GCM_NONCE + ctlen, A2F_GCM_TAG);

    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        return A2F_ERR_NOMEM;
    }

    rc = A2F_ERR_CRYPTO;

    if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1
        || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, A2F_GCM_NONCE,
                               NULL) != 1
        || EVP_DecryptInit_ex(ctx, NULL, NULL, key, in) != 1)
    {
        goto done;
    }

    if (aadlen > 0
        && EVP_DecryptUpdate(ctx, NULL, &n, aad, (int) aadlen) != 1)
    {
        goto done;
    }

    n = 0;

    if (ctlen > 0
        && EVP_DecryptUpdate(ctx, out, &n, in + A2F_GCM_NONCE, (int) ctlen)
           != 1)
    {
        goto done;
    }

    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, A2F_GCM_TAG, tag)
        != 1)
    {
        goto done;
    }

    m = 0;

    if (EVP_DecryptFinal_ex(ctx, out + n, &m) != 1) {
        OPENSSL_cleanse(out, ctlen);
        rc = A2F_ERR_AUTH;
        goto done;
    }

    if ((size_t) n + (size_t) m != ctlen) {
        OPENSSL_cleanse(out, ctlen);
        goto done;
    }

    *outlen = ctlen;
    rc = A2F_OK;

done:

    EVP_CIPHER_CTX_free(ctx);

    return rc;
}
