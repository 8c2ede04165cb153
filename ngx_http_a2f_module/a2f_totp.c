
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_totp.c: RFC 4648 base32, RFC 4226 HOTP and RFC 6238 TOTP.
 */


#include <string.h>

#include <openssl/evp.h>
#include <openssl/crypto.h>

#include "a2f_totp.h"


#define A2F_TOTP_PERIOD_MAX  300


static int a2f_base32_value(uint8_t c);
static int a2f_totp_ascii_ieq(const char *a, size_t len, const char *b);


static const char  a2f_base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static const uint32_t  a2f_totp_pow10[] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000
};


size_t
a2f_base32_encode(const uint8_t *in, size_t len, int pad, char *out,
    size_t outsz)
{
    size_t    need, o, i, full;
    unsigned  bits, nbits;

    full = (len / 5) * 8;

    if (len % 5) {
        if (pad) {
            full += 8;

        } else {
            full += (len % 5 * 8 + 4) / 5;
        }
    }

    need = full;

    if (len > (SIZE_MAX - 1) / 2 || outsz < need + 1) {
        return 0;
    }

    o = 0;
    bits = 0;
    nbits = 0;

    for (i = 0; i < len; i++) {
        bits = (bits << 8) | in[i];
        nbits += 8;

        while (nbits >= 5) {
            out[o++] = a2f_base32_alphabet[(bits >> (nbits - 5)) & 0x1f];
            nbits -= 5;
        }

        bits &= (1u << nbits) - 1;
    }

    if (nbits) {
        out[o++] = a2f_base32_alphabet[(bits << (5 - nbits)) & 0x1f];
    }

    while (o < need) {
        out[o++] = '=';
    }

    out[o] = '\0';

    return o;
}


static int
a2f_base32_value(uint8_t c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }

    if (c >= 'a' && c <= 'z') {
        return c - 'a';
    }

    if (c >= '2' && c <= '7') {
        return c - '2' + 26;
    }

    return -1;
}


int
a2f_base32_decode(const char *in, size_t len, uint8_t *out, size_t outsz,
    size_t *outlen)
{
    int             v;
    size_t          i, o, nchars, npad;
    unsigned        bits, nbits;
    const uint8_t  *p;

    p = (const uint8_t *) in;
    o = 0;
    bits = 0;
    nbits = 0;
    nchars = 0;
    npad = 0;

    for (i = 0; i < len; i++) {

        if (p[i] == ' ' || p[i] == '-') {
            continue;
        }

        if (p[i] == '=') {
            npad++;
            continue;
        }

        if (npad) {
            /* data after padding */
            return A2F_ERR_INVALID;
        }

        v = a2f_base32_value(p[i]);

        if (v < 0) {
            return A2F_ERR_INVALID;
        }

        nchars++;
        bits = (bits << 5) | (unsigned) v;
        nbits += 5;

        if (nbits >= 8) {
            if (o >= outsz) {
                return A2F_ERR_TOOBIG;
            }

            out[o++] = (uint8_t) (bits >> (nbits - 8));
            nbits -= 8;
            bits &= (1u << nbits) - 1;
        }
    }

    /* a final group of 1, 3 or 6 characters cannot come from any input */

    switch (nchars % 8) {
    case 1:
    case 3:
    case 6:
        return A2F_ERR_INVALID;
    default:
        break;
    }

    if (npad && (nchars % 8 == 0 || (nchars + npad) % 8 != 0
                 || npad >= 8))
    {
        return A2F_ERR_INVALID;
    }

    *outlen = o;

    return A2F_OK;
}


static int
a2f_totp_ascii_ieq(const char *a, size_t len, const char *b)
{
    size_t  i;
    char    c;

    if (strlen(b) != len) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        c = a[i];

        if (c >= 'a' && c <= 'z') {
            c = (char) (c - 'a' + 'A');
        }

        if (c != b[i]) {
            return 0;
        }
    }

    return 1;
}


int
a2f_hash_parse(const char *s, size_t len, a2f_hash_t *alg)
{
    if (s == NULL) {
        return A2F_ERR_INVALID;
    }

    if (a2f_totp_ascii_ieq(s, len, "SHA1")) {
        *alg = A2F_SHA1;
        return A2F_OK;
    }

    if (a2f_totp_ascii_ieq(s, len, "SHA256")) {
        *alg = A2F_SHA256;
        return A2F_OK;
    }

    if (a2f_totp_ascii_ieq(s, len, "SHA512")) {
        *alg = A2F_SHA512;
        return A2F_OK;
    }

    return A2F_ERR_INVALID;
}


const char *
a2f_hash_name(a2f_hash_t alg)
{
    switch (alg) {
    case A2F_SHA1:
        return "SHA1";
    case A2F_SHA256:
        return "SHA256";
    case A2F_SHA512:
        return "SHA512";
    default:
        return "unknown";
    }
}


int
a2f_hotp(const uint8_t *key, size_t keylen, a2f_hash_t alg,
    uint64_t counter, unsigned digits, uint32_t *code)
{
    int          i;
    size_t       maclen;
    uint8_t      msg[8], mac[EVP_MAX_MD_SIZE];
    uint32_t     bin;
    unsigned     off;
    const char  *md;

    if (digits < 6 || digits > 8 || keylen > A2F_TOTP_SECRET_MAX
        || (key == NULL && keylen != 0))
    {
        return A2F_ERR_INVALID;
    }

    switch (alg) {
    case A2F_SHA1:
        md = "SHA1";
        break;
    case A2F_SHA256:
        md = "SHA256";
        break;
    case A2F_SHA512:
        md = "SHA512";
        break;
    default:
        return A2F_ERR_INVALID;
    }

    for (i = 7; i >= 0; i--) {
        msg[i] = (uint8_t) (counter & 0xff);
        counter >>= 8;
    }

    if (EVP_Q_mac(NULL, "HMAC", NULL, md, NULL,
                  key != NULL ? key : (const uint8_t *) "", keylen,
                  msg, sizeof(msg), mac, sizeof(mac), &maclen)
        == NULL || maclen < 20)
    {
        return A2F_ERR_CRYPTO;
    }

    off = mac[maclen - 1] & 0x0f;

    bin = ((uint32_t) (mac[off] & 0x7f) << 24)
          | ((uint32_t) mac[off + 1] << 16)
          | ((uint32_t) mac[off + 2] << 8)
          | (uint32_t) mac[off + 3];

    *code = bin % a2f_totp_pow10[digits];

    OPENSSL_cleanse(mac, sizeof(mac));

    return A2F_OK;
}


void
a2f_code_format(uint32_t code, unsigned digits, char *out)
{
    unsigned  i;

    if (digits > A2F_CODE_MAX) {
        digits = A2F_CODE_MAX;
    }

    for (i = digits; i > 0; i--) {
        out[i - 1] = (char) ('0' + code % 10);
        code /= 10;
    }

    out[digits] = '\0';
}


int
a2f_totp_check(const uint8_t *key, size_t keylen, a2f_hash_t alg,
    unsigned digits, unsigned period, int64_t now, unsigned window,
    const char *code, size_t codelen, uint64_t last_step, uint64_t *step)
{
    int       rc, fresh, used, eq;
    char      want[A2F_CODE_MAX + 1];
    size_t    i;
    int64_t   s;
    uint32_t  v;
    uint64_t  cur, first;

    if (digits < 6 || digits > 8 || period < 1
        || period > A2F_TOTP_PERIOD_MAX || window > A2F_TOTP_WINDOW_MAX
        || now < 0 || code == NULL || codelen != digits)
    {
        return A2F_ERR_INVALID;
    }

    for (i = 0; i < codelen; i++) {
        if (code[i] < '0' || code[i] > '9') {
            return A2F_ERR_INVALID;
        }
    }

    cur = (uint64_t) now / period;
    fresh = 0;
    used = 0;
    first = 0;

    for (s = -(int64_t) window; s <= (int64_t) window; s++) {

        if (s < 0 && (uint64_t) -s > cur) {
            continue;
        }

        rc = a2f_hotp(key, keylen, alg, cur + (uint64_t) s, digits, &v);

        if (rc != A2F_OK) {
            OPENSSL_cleanse(want, sizeof(want));
            return rc;
        }

        a2f_code_format(v, digits, want);

        eq = (CRYPTO_memcmp(want, code, digits) == 0);

        if (eq) {
            if (last_step != 0 && cur + (uint64_t) s <= last_step) {
                used = 1;

            } else if (!fresh) {
                fresh = 1;
                first = cur + (uint64_t) s;
            }
        }
    }

    OPENSSL_cleanse(want, sizeof(want));

    if (fresh) {
        *step = first;
        return A2F_OK;
    }

    return used ? A2F_ERR_REPLAY : A2F_ERR_AUTH;
}
