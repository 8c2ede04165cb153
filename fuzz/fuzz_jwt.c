
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * fuzz_jwt.c: libFuzzer target for API authentication: the
 * Authorization value "Bearer <apiKey>:<JWT>", the JWT itself, and the
 * module's own API tokens.
 *
 *   "!" header "\n" payload   a JWT is made of the two JSON texts (the
 *                             header defaults to HS256 without a "\n"),
 *                             signed with the fixed secret and verified:
 *                             past the MAC, into the claims and times
 *   "$" bytes                 an API token is made of the bytes (kind,
 *                             generation, expiry, id, user), encoded and
 *                             decoded back: the same fields
 *   anything else             split as a header value, verified as a
 *                             JWT, and decoded as an API token, raw
 *
 * Unsigned input never verifies (no one forges an HMAC here), and what
 * verifies keeps the contract of a2f_jwt.h and a2f_apitoken.h.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "a2f_apitoken.h"
#include "a2f_jwt.h"


#define A2F_FUZZ_KEYS                                                        \
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"    \
    "abababababababababababababababababababababababababababababababab\n"

#define A2F_FUZZ_SECRET      "fuzzing secret"
#define A2F_FUZZ_HS256       "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define A2F_FUZZ_NOW         INT64_C(1714557600)


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static a2f_mac_t      *a2f_fuzz_mac;
static a2f_keyring_t   a2f_fuzz_kr;


static void
a2f_fuzz_init(void)
{
    char  err[128];

    if (a2f_keyring_parse(A2F_FUZZ_KEYS, sizeof(A2F_FUZZ_KEYS) - 1,
                          &a2f_fuzz_kr, err, sizeof(err))
        != A2F_OK)
    {
        abort();
    }

    a2f_fuzz_mac = a2f_mac_new(&a2f_fuzz_kr);

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


/* a claim string: NUL-terminated at its length, no NUL before */

static void
a2f_fuzz_claim(const char *s, size_t len, int present)
{
    if (len > A2F_JWT_CLAIM_MAX || s[len] != '\0' || strlen(s) != len
        || (!present && len != 0))
    {
        abort();
    }
}


/* what a2f_jwt_verify() promises of c and of the times */

static void
a2f_fuzz_claims(int rc, const a2f_jwt_claims_t *c)
{
    int64_t  t;

    if (rc != A2F_OK && rc != A2F_ERR_EXPIRED) {
        if (c->has != 0 || c->email_len != 0 || c->exp != 0) {
            abort();
        }

        return;
    }

    a2f_fuzz_claim(c->account_requester, c->account_requester_len,
                   c->has & A2F_JWT_HAS_REQUESTER);
    a2f_fuzz_claim(c->email, c->email_len, c->has & A2F_JWT_HAS_EMAIL);
    a2f_fuzz_claim(c->api_unique_id, c->api_unique_id_len,
                   c->has & A2F_JWT_HAS_UNIQUE_ID);

    if ((!(c->has & A2F_JWT_HAS_IAT) && c->iat != 0)
        || (!(c->has & A2F_JWT_HAS_EXP) && c->exp != 0)
        || (!(c->has & A2F_JWT_HAS_NBF) && c->nbf != 0)
        || (!(c->has & A2F_JWT_CREATED_TIME) && c->created != 0)
        || ((c->has & A2F_JWT_CREATED_TIME)
            && !(c->has & A2F_JWT_HAS_CREATED)))
    {
        abort();
    }

    if (rc != A2F_OK) {
        return;
    }

    /* accepted: the time rules held */

    if ((c->has & A2F_JWT_HAS_NBF) && c->nbf > A2F_FUZZ_NOW + A2F_JWT_SKEW) {
        abort();
    }

    if (c->has & A2F_JWT_HAS_EXP) {
        if (c->exp <= A2F_FUZZ_NOW
            || c->exp - A2F_FUZZ_NOW > A2F_JWT_EXP_MAX
            || ((c->has & A2F_JWT_HAS_IAT)
                && c->iat > A2F_FUZZ_NOW + A2F_JWT_SKEW))
        {
            abort();
        }

        return;
    }

    if (c->has & A2F_JWT_HAS_IAT) {
        t = c->iat;

    } else if (c->has & A2F_JWT_CREATED_TIME) {
        t = c->created;

    } else {
        abort();
    }

    if (t < A2F_FUZZ_NOW - A2F_JWT_WINDOW || t > A2F_FUZZ_NOW + A2F_JWT_WINDOW)
    {
        abort();
    }
}


/* base64url without padding */

static size_t
a2f_fuzz_b64(const uint8_t *in, size_t len, char *out, size_t outsz)
{
    size_t  n;

    n = a2f_b64url_encode(in, len, out, outsz);

    if (n == 0 && len != 0) {
        abort();
    }

    return n;
}


/* "!" header "\n" payload: made, signed, verified */

static void
a2f_fuzz_signed(const uint8_t *data, size_t size)
{
    int                rc, deflt;
    char               jwt[A2F_JWT_MAX * 2];
    size_t             n, hlen;
    uint8_t            mac[EVP_MAX_MD_SIZE];
    unsigned int       mlen;
    const uint8_t     *nl, *h, *p;
    a2f_jwt_claims_t   c;

    nl = memchr(data, '\n', size);

    if (nl != NULL) {
        h = data;
        hlen = (size_t) (nl - data);
        p = nl + 1;
        size -= hlen + 1;
        deflt = (hlen == sizeof(A2F_FUZZ_HS256) - 1
                 && memcmp(h, A2F_FUZZ_HS256, hlen) == 0);

    } else {
        h = (const uint8_t *) A2F_FUZZ_HS256;
        hlen = sizeof(A2F_FUZZ_HS256) - 1;
        p = data;
        deflt = 1;
    }

    if ((hlen + size) / 3 * 4 + 64 > A2F_JWT_MAX) {
        return;
    }

    n = a2f_fuzz_b64(h, hlen, jwt, sizeof(jwt));
    jwt[n++] = '.';
    n += a2f_fuzz_b64(p, size, jwt + n, sizeof(jwt) - n);

    if (HMAC(EVP_sha256(), A2F_FUZZ_SECRET, sizeof(A2F_FUZZ_SECRET) - 1,
             (const uint8_t *) jwt, n, mac, &mlen)
        == NULL)
    {
        abort();
    }

    jwt[n++] = '.';
    n += a2f_fuzz_b64(mac, mlen, jwt + n, sizeof(jwt) - n);

    rc = a2f_jwt_verify(jwt, n, (const uint8_t *) A2F_FUZZ_SECRET,
                        sizeof(A2F_FUZZ_SECRET) - 1, A2F_FUZZ_NOW, &c, NULL,
                        0);

    /* signed right under the HS256 header: never a signature failure */

    if (deflt && rc == A2F_ERR_AUTH) {
        abort();
    }

    a2f_fuzz_claims(rc, &c);

    /* and never under another secret */

    if (a2f_jwt_verify(jwt, n, (const uint8_t *) A2F_FUZZ_SECRET,
                       sizeof(A2F_FUZZ_SECRET) - 2, A2F_FUZZ_NOW, &c, NULL,
                       0)
        == A2F_OK)
    {
        abort();
    }
}


/* "$" bytes: kind, gen, expiry, id, user; encoded and decoded back */

static void
a2f_fuzz_token_round_trip(const uint8_t *data, size_t size)
{
    int             rc;
    char            out[A2F_APITOKEN_MAX + 1];
    size_t          n, ulen;
    int64_t         now;
    a2f_apitoken_t  t, d;

    if (size < 1 + 4 + 8 + 8 + A2F_APITOKEN_ID_LEN) {
        return;
    }

    memset(&t, 0, sizeof(t));
    t.kind = (data[0] & 1) ? A2F_APITOKEN_BEARER : A2F_APITOKEN_TEMP;
    t.gen = (uint32_t) (a2f_fuzz_u64(data + 1) >> 32);
    /* now in -2^62..2^62: expires does not overflow */
    now = (int64_t) (a2f_fuzz_u64(data + 5) >> 1) - INT64_C(0x4000000000000000);
    t.expires = now + (int64_t) (a2f_fuzz_u64(data + 13) % 90000);
    memcpy(t.id, data + 21, A2F_APITOKEN_ID_LEN);

    ulen = size - 21 - A2F_APITOKEN_ID_LEN;
    if (ulen > A2F_USER_MAX + 1) {
        ulen = A2F_USER_MAX + 1;
    }

    memcpy(t.user, data + 21 + A2F_APITOKEN_ID_LEN,
           ulen < A2F_USER_MAX ? ulen : A2F_USER_MAX);
    t.user_len = ulen;

    rc = a2f_apitoken_encode(a2f_fuzz_mac, a2f_fuzz_kr.keys[0].kid, &t, now,
                             out, sizeof(out), &n);

    if (rc != A2F_OK) {
        return;
    }

    if (n != strlen(out) || n < A2F_APITOKEN_MIN || n > A2F_APITOKEN_MAX
        || a2f_apitoken_kind(out, n) != t.kind
        || a2f_user_name_valid(t.user, t.user_len) != A2F_OK)
    {
        abort();
    }

    rc = a2f_apitoken_decode(a2f_fuzz_mac, out, n, now, &d);

    if (rc != A2F_OK || d.kind != t.kind || d.user_len != t.user_len
        || memcmp(d.user, t.user, t.user_len) != 0
        || d.user[d.user_len] != '\0'
        || memcmp(d.id, t.id, A2F_APITOKEN_ID_LEN) != 0
        || d.gen != t.gen || d.expires != t.expires
        || a2f_apitoken_check(&d, t.kind, t.gen) != A2F_OK)
    {
        abort();
    }
}


/* anything: a header value, a JWT, an API token */

static void
a2f_fuzz_raw(const uint8_t *data, size_t size)
{
    int                rc;
    size_t             klen, jlen, i;
    const char        *in, *key, *jwt;
    a2f_jwt_claims_t   c;
    a2f_apitoken_t     t;

    in = (const char *) data;

    rc = a2f_api_bearer_split(in, size, &key, &klen, &jwt, &jlen);

    if (rc == A2F_OK) {
        if (klen == 0 || klen > A2F_API_KEY_MAX || jlen == 0
            || jlen > A2F_JWT_MAX || key != in + 7 || jwt != key + klen + 1
            || jwt + jlen != in + size || key[klen] != ':'
            || memchr(key, ':', klen) != NULL)
        {
            abort();
        }

        for (i = 0; i < klen; i++) {
            if ((uint8_t) key[i] <= 0x20 || (uint8_t) key[i] >= 0x7f) {
                abort();
            }
        }

        rc = a2f_jwt_verify(jwt, jlen, (const uint8_t *) A2F_FUZZ_SECRET,
                            sizeof(A2F_FUZZ_SECRET) - 1, A2F_FUZZ_NOW, &c,
                            NULL, 0);

        if (rc == A2F_OK || rc == A2F_ERR_EXPIRED) {
            abort();
        }

        a2f_fuzz_claims(rc, &c);
    }

    /* unsigned bytes are never an authentic JWT */

    rc = a2f_jwt_verify(in, size, (const uint8_t *) A2F_FUZZ_SECRET,
                        sizeof(A2F_FUZZ_SECRET) - 1, A2F_FUZZ_NOW, &c, NULL,
                        0);

    if (rc == A2F_OK || rc == A2F_ERR_EXPIRED) {
        abort();
    }

    a2f_fuzz_claims(rc, &c);

    /* nor an authentic API token */

    rc = a2f_apitoken_decode(a2f_fuzz_mac, in, size, A2F_FUZZ_NOW, &t);

    if (rc == A2F_OK || rc == A2F_ERR_EXPIRED) {
        abort();
    }

    if (t.kind != 0 || t.user_len != 0 || t.expires != 0) {
        abort();
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (a2f_fuzz_mac == NULL) {
        a2f_fuzz_init();
    }

    if (size >= 1 && data[0] == '!') {
        a2f_fuzz_signed(data + 1, size - 1);
        return 0;
    }

    if (size >= 1 && data[0] == '$') {
        a2f_fuzz_token_round_trip(data + 1, size - 1);
        return 0;
    }

    a2f_fuzz_raw(data, size);

    return 0;
}
