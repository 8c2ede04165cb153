
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_session.c: the session cookie value (format in a2f_session.h).
 */


#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "a2f_session.h"


#define A2F_SESSION_FIELDS   9
#define A2F_SESSION_MACLEN   32
#define A2F_SESSION_MAC64    43     /* base64url of 32 bytes              */
#define A2F_SESSION_USER64   88     /* base64url of A2F_USER_MAX, and NUL */
#define A2F_SESSION_SIDRAW   12
#define A2F_SESSION_FUTURE   60     /* clock skew allowed, seconds        */


struct a2f_mac_s {
    size_t        n;
    char          kid[A2F_KEYS_MAX][A2F_KID_LEN + 1];
    EVP_MAC_CTX  *ctx[A2F_KEYS_MAX];
};


typedef struct {
    const char  *data;
    size_t       len;
} a2f_session_field_t;


static EVP_MAC_CTX *a2f_mac_find(a2f_mac_t *m, const char *kid,
    size_t kidlen);
static int a2f_mac_run(EVP_MAC_CTX *ctx, const uint8_t *data, size_t len,
    uint8_t out[32]);
static int a2f_session_dec(const char *p, size_t len, uint64_t max,
    uint64_t *v);
static int a2f_session_sid_valid(const char *p, size_t len);


a2f_mac_t *
a2f_mac_new(const a2f_keyring_t *kr)
{
    size_t       i;
    EVP_MAC     *mac;
    a2f_mac_t   *m;
    OSSL_PARAM   params[2];

    if (kr == NULL || kr->n == 0 || kr->n > A2F_KEYS_MAX) {
        return NULL;
    }

    m = calloc(1, sizeof(a2f_mac_t));
    if (m == NULL) {
        return NULL;
    }

    mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL) {
        free(m);
        return NULL;
    }

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *) "SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();

    for (i = 0; i < kr->n; i++) {

        if (kr->keys[i].len == 0 || kr->keys[i].len > A2F_KEY_MAX) {
            goto failed;
        }

        m->ctx[i] = EVP_MAC_CTX_new(mac);
        if (m->ctx[i] == NULL) {
            goto failed;
        }

        m->n = i + 1;

        if (EVP_MAC_init(m->ctx[i], kr->keys[i].key, kr->keys[i].len,
                         params)
            != 1)
        {
            goto failed;
        }

        memcpy(m->kid[i], kr->keys[i].kid, A2F_KID_LEN);
        m->kid[i][A2F_KID_LEN] = '\0';
    }

    EVP_MAC_free(mac);

    return m;

failed:

    EVP_MAC_free(mac);
    a2f_mac_free(m);

    return NULL;
}


void
a2f_mac_free(a2f_mac_t *m)
{
    size_t  i;

    if (m == NULL) {
        return;
    }

    for (i = 0; i < m->n; i++) {
        EVP_MAC_CTX_free(m->ctx[i]);
    }

    OPENSSL_cleanse(m, sizeof(a2f_mac_t));
    free(m);
}


static EVP_MAC_CTX *
a2f_mac_find(a2f_mac_t *m, const char *kid, size_t kidlen)
{
    size_t  i;

    if (kidlen != A2F_KID_LEN) {
        return NULL;
    }

    for (i = 0; i < m->n; i++) {
        if (memcmp(m->kid[i], kid, A2F_KID_LEN) == 0) {
            return m->ctx[i];
        }
    }

    return NULL;
}


/* re-init keeps the key schedule: no allocation */

static int
a2f_mac_run(EVP_MAC_CTX *ctx, const uint8_t *data, size_t len,
    uint8_t out[32])
{
    size_t  n;

    if (EVP_MAC_init(ctx, NULL, 0, NULL) != 1
        || EVP_MAC_update(ctx, data, len) != 1
        || EVP_MAC_final(ctx, out, &n, A2F_SESSION_MACLEN) != 1
        || n != A2F_SESSION_MACLEN)
    {
        return A2F_ERR_CRYPTO;
    }

    return A2F_OK;
}


int
a2f_mac_compute(a2f_mac_t *m, const char *kid, const uint8_t *data,
    size_t len, uint8_t out[32])
{
    size_t        kidlen;
    EVP_MAC_CTX  *ctx;

    if (m == NULL || m->n == 0) {
        return A2F_ERR_NOKEY;
    }

    if (kid == NULL) {
        ctx = m->ctx[0];

    } else {
        for (kidlen = 0; kidlen <= A2F_KID_LEN && kid[kidlen]; kidlen++) {
            /* void */
        }

        ctx = a2f_mac_find(m, kid, kidlen);

        if (ctx == NULL) {
            return A2F_ERR_NOKEY;
        }
    }

    return a2f_mac_run(ctx, data, len, out);
}


int
a2f_session_new_sid(a2f_session_t *s)
{
    uint8_t  raw[A2F_SESSION_SIDRAW];

    if (a2f_random(raw, sizeof(raw)) != A2F_OK) {
        return A2F_ERR_CRYPTO;
    }

    if (a2f_b64url_encode(raw, sizeof(raw), s->sid, sizeof(s->sid))
        != A2F_SID_LEN)
    {
        return A2F_ERR_CRYPTO;
    }

    return A2F_OK;
}


static int
a2f_session_sid_valid(const char *p, size_t len)
{
    size_t   i;
    uint8_t  c;

    if (len != A2F_SID_LEN) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        c = (uint8_t) p[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_'))
        {
            return 0;
        }
    }

    return 1;
}


int
a2f_session_encode(a2f_mac_t *m, const a2f_session_t *s, char *out,
    size_t outsz, size_t *outlen)
{
    int      n;
    char     user64[A2F_SESSION_USER64], mac64[A2F_SESSION_MAC64 + 1];
    size_t   len;
    uint8_t  mac[A2F_SESSION_MACLEN];

    if (m == NULL || m->n == 0) {
        return A2F_ERR_NOKEY;
    }

    if (s->user_len > A2F_USER_MAX
        || a2f_user_name_valid(s->user, s->user_len) != A2F_OK
        || (s->level != A2F_LEVEL_ONE && s->level != A2F_LEVEL_TWO)
        || s->sid[A2F_SID_LEN] != '\0'
        || !a2f_session_sid_valid(s->sid, A2F_SID_LEN)
        || s->issued < 0 || s->seen < 0)
    {
        return A2F_ERR_INVALID;
    }

    (void) a2f_b64url_encode((const uint8_t *) s->user, s->user_len, user64,
                             sizeof(user64));

    n = snprintf(out, outsz, "1.%s.%.16s.%u.%" PRIu32 ".%" PRId64 ".%"
                 PRId64 ".%s", m->kid[0], s->sid, s->level, s->gen,
                 s->issued, s->seen, user64);

    if (n < 0) {
        return A2F_ERR_INVALID;
    }

    len = (size_t) n;

    if (len + 1 + A2F_SESSION_MAC64 >= outsz
        || len + 1 + A2F_SESSION_MAC64 > A2F_SESSION_MAX)
    {
        if (outsz > 0) {
            out[0] = '\0';
        }

        return A2F_ERR_TOOBIG;
    }

    if (a2f_mac_run(m->ctx[0], (const uint8_t *) out, len, mac) != A2F_OK) {
        out[0] = '\0';
        return A2F_ERR_CRYPTO;
    }

    (void) a2f_b64url_encode(mac, sizeof(mac), mac64, sizeof(mac64));

    out[len] = '.';
    memcpy(out + len + 1, mac64, A2F_SESSION_MAC64 + 1);

    *outlen = len + 1 + A2F_SESSION_MAC64;

    return A2F_OK;
}


/* a canonical decimal: 1..20 digits, no sign, no leading zero, <= max */

static int
a2f_session_dec(const char *p, size_t len, uint64_t max, uint64_t *v)
{
    size_t    i;
    unsigned  d;
    uint64_t  n;

    if (len == 0 || len > 20 || (p[0] == '0' && len > 1)) {
        return A2F_ERR_INVALID;
    }

    n = 0;

    for (i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return A2F_ERR_INVALID;
        }

        d = (unsigned) (p[i] - '0');

        if (n > (max - d) / 10) {
            return A2F_ERR_INVALID;
        }

        n = n * 10 + d;
    }

    *v = n;

    return A2F_OK;
}


int
a2f_session_decode(a2f_mac_t *m, const char *in, size_t len, int64_t now,
    int64_t absolute, int64_t idle, a2f_session_t *s)
{
    int                  rc;
    char                 user[A2F_USER_MAX];
    size_t               i, nf, start, user_len, mac_len;
    const char          *dot;
    uint8_t              mac[A2F_SESSION_MACLEN], want[A2F_SESSION_MACLEN];
    uint64_t             gen, issued, seen;
    EVP_MAC_CTX         *ctx;
    a2f_session_field_t  f[A2F_SESSION_FIELDS];

    if (m == NULL || in == NULL || len == 0 || len > A2F_SESSION_MAX) {
        return A2F_ERR_INVALID;
    }

    /* split into exactly nine fields */

    start = 0;

    for (nf = 0; nf < A2F_SESSION_FIELDS; nf++) {
        dot = memchr(in + start, '.', len - start);

        if ((dot == NULL) != (nf == A2F_SESSION_FIELDS - 1)) {
            return A2F_ERR_INVALID;
        }

        i = (dot != NULL) ? (size_t) (dot - in) : len;

        f[nf].data = in + start;
        f[nf].len = i - start;
        start = i + 1;
    }

    /* syntax of every field */

    if (f[0].len != 1 || f[0].data[0] != '1') {
        return A2F_ERR_INVALID;
    }

    if (f[1].len != A2F_KID_LEN) {
        return A2F_ERR_INVALID;
    }

    for (i = 0; i < A2F_KID_LEN; i++) {
        if (!((f[1].data[i] >= '0' && f[1].data[i] <= '9')
              || (f[1].data[i] >= 'a' && f[1].data[i] <= 'f')))
        {
            return A2F_ERR_INVALID;
        }
    }

    if (!a2f_session_sid_valid(f[2].data, f[2].len)) {
        return A2F_ERR_INVALID;
    }

    if (f[3].len != 1 || (f[3].data[0] != '1' && f[3].data[0] != '2')) {
        return A2F_ERR_INVALID;
    }

    if (a2f_session_dec(f[4].data, f[4].len, UINT32_MAX, &gen) != A2F_OK
        || a2f_session_dec(f[5].data, f[5].len, INT64_MAX, &issued)
           != A2F_OK
        || a2f_session_dec(f[6].data, f[6].len, INT64_MAX, &seen) != A2F_OK)
    {
        return A2F_ERR_INVALID;
    }

    if (f[7].len == 0
        || a2f_b64url_decode(f[7].data, f[7].len, (uint8_t *) user,
                             sizeof(user), &user_len)
           != A2F_OK)
    {
        return A2F_ERR_INVALID;
    }

    if (f[8].len != A2F_SESSION_MAC64
        || a2f_b64url_decode(f[8].data, f[8].len, mac, sizeof(mac), &mac_len)
           != A2F_OK
        || mac_len != A2F_SESSION_MACLEN)
    {
        return A2F_ERR_INVALID;
    }

    /* the key, then the MAC over everything before ".<mac>" */

    ctx = a2f_mac_find(m, f[1].data, f[1].len);

    if (ctx == NULL) {
        return A2F_ERR_NOKEY;
    }

    rc = a2f_mac_run(ctx, (const uint8_t *) in, len - 1 - f[8].len, want);

    if (rc != A2F_OK) {
        return rc;
    }

    if (CRYPTO_memcmp(mac, want, A2F_SESSION_MACLEN) != 0) {
        return A2F_ERR_AUTH;
    }

    /* authentic; now the meaning */

    if (a2f_user_name_valid(user, user_len) != A2F_OK) {
        return A2F_ERR_INVALID;
    }

    memcpy(s->user, user, user_len);
    s->user[user_len] = '\0';
    s->user_len = user_len;
    memcpy(s->sid, f[2].data, A2F_SID_LEN);
    s->sid[A2F_SID_LEN] = '\0';
    s->level = (unsigned) (f[3].data[0] - '0');
    s->gen = (uint32_t) gen;
    s->issued = (int64_t) issued;
    s->seen = (int64_t) seen;

    /*
     * issued and seen are 0..INT64_MAX; once neither is more than
     * A2F_SESSION_FUTURE ahead of now, now - issued and now - seen
     * cannot overflow.
     */

    if (now < -A2F_SESSION_FUTURE) {
        return A2F_ERR_EXPIRED;
    }

    if (now <= INT64_MAX - A2F_SESSION_FUTURE
        && (s->issued > now + A2F_SESSION_FUTURE
            || s->seen > now + A2F_SESSION_FUTURE))
    {
        return A2F_ERR_EXPIRED;
    }

    if (absolute > 0 && now - s->issued >= absolute) {
        return A2F_ERR_EXPIRED;
    }

    if (idle > 0 && now - s->seen >= idle) {
        return A2F_ERR_EXPIRED;
    }

    return A2F_OK;
}
