
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_apitoken.c: the temporary tokens and bearers of the API (format in
 * a2f_apitoken.h).
 */


#include <string.h>

#include <openssl/crypto.h>

#include "a2f_apitoken.h"


#define A2F_APITOKEN_VERSION  '1'
#define A2F_APITOKEN_MACLEN   32
#define A2F_APITOKEN_MAC64    43    /* base64url of 32 bytes               */
#define A2F_APITOKEN_ID64     22    /* base64url of 16 bytes               */
#define A2F_APITOKEN_USER64   88    /* base64url of A2F_USER_MAX, and NUL  */
#define A2F_APITOKEN_DEC_MAX  20    /* digits of a decimal field           */

/* "<kind>1.<kid>.<id>." */
#define A2F_APITOKEN_PREFIX   (3 + A2F_KID_LEN + 1 + A2F_APITOKEN_ID64 + 1)

/*
 * The prefix, two one-digit decimals, an empty client, a 2-character
 * user, ".<mac>"
 */
#define A2F_APITOKEN_SHORTEST                                                \
    (A2F_APITOKEN_PREFIX + 2 * 2 + 1 + 2 + 1 + A2F_APITOKEN_MAC64)

/*
 * The prefix, gen, expires (INT64_MAX), the longest client, the longest
 * user, ".<mac>"
 */
#define A2F_APITOKEN_LONGEST                                                 \
    (A2F_APITOKEN_PREFIX + 11 + 20 + A2F_APITOKEN_CLIENT_MAX + 1            \
     + (A2F_USER_MAX * 4 + 2) / 3 + 1 + A2F_APITOKEN_MAC64)


/* do not compile unless the limits of the header are the true ones */
typedef char  a2f_apitoken_max_check_t[
    (A2F_APITOKEN_LONGEST <= A2F_APITOKEN_MAX) ? 1 : -1];
typedef char  a2f_apitoken_min_check_t[
    (A2F_APITOKEN_SHORTEST == A2F_APITOKEN_MIN) ? 1 : -1];


static int64_t a2f_apitoken_ttl_max(int kind);
static int a2f_apitoken_client_char(int c);
static char *a2f_apitoken_put_dec(char *p, uint64_t v);
static const char *a2f_apitoken_dec(const char *p, const char *end,
    uint64_t max, uint64_t *v);
static int a2f_apitoken_mac(a2f_mac_t *m, const char *kid,
    const uint8_t *data, size_t len, uint8_t out[A2F_APITOKEN_MACLEN]);


/* the longest lifetime of a kind; 0: no such kind */

static int64_t
a2f_apitoken_ttl_max(int kind)
{
    switch (kind) {

    case A2F_APITOKEN_TEMP:
        return A2F_APITOKEN_TEMP_TTL_MAX;

    case A2F_APITOKEN_BEARER:
        return A2F_APITOKEN_BEARER_TTL_MAX;

    default:
        return 0;
    }
}


/* may c be in a client's name: [A-Za-z0-9_-] (never '.', nor a NUL) */

static int
a2f_apitoken_client_char(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
           || (c >= '0' && c <= '9') || c == '_' || c == '-';
}


int
a2f_apitoken_client_valid(const char *name, size_t len)
{
    size_t  i;

    if (name == NULL || len == 0 || len > A2F_APITOKEN_CLIENT_MAX) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if (!a2f_apitoken_client_char((unsigned char) name[i])) {
            return 0;
        }
    }

    return 1;
}


int
a2f_apitoken_kind(const char *in, size_t len)
{
    if (in == NULL || len < 3 || in[1] != A2F_APITOKEN_VERSION
        || in[2] != '.')
    {
        return 0;
    }

    if (in[0] == A2F_APITOKEN_TEMP || in[0] == A2F_APITOKEN_BEARER) {
        return in[0];
    }

    return 0;
}


int
a2f_apitoken_check(const a2f_apitoken_t *t, int kind, uint32_t gen)
{
    if (t == NULL || a2f_apitoken_ttl_max(kind) == 0 || t->kind != kind) {
        return A2F_ERR_AUTH;
    }

    if (t->gen != gen) {
        return A2F_ERR_EXPIRED;
    }

    return A2F_OK;
}


/*
 * HMAC-SHA256 of data with the key of kid (NULL: the signing key); the
 * kid is copied NUL-terminated for a2f_mac_compute().
 */

static int
a2f_apitoken_mac(a2f_mac_t *m, const char *kid, const uint8_t *data,
    size_t len, uint8_t out[A2F_APITOKEN_MACLEN])
{
    char  k[A2F_KID_LEN + 1];

    if (kid == NULL) {
        return a2f_mac_compute(m, NULL, data, len, out);
    }

    memcpy(k, kid, A2F_KID_LEN);
    k[A2F_KID_LEN] = '\0';

    return a2f_mac_compute(m, k, data, len, out);
}


int
a2f_apitoken_make(a2f_mac_t *m, const char *kid, a2f_apitoken_t *t,
    int64_t now, char *out, size_t outsz, size_t *outlen)
{
    int  rc;

    if (outsz > 0 && out != NULL) {
        out[0] = '\0';
    }

    if (t == NULL) {
        return A2F_ERR_INVALID;
    }

    rc = a2f_random(t->id, sizeof(t->id));
    if (rc != A2F_OK) {
        return rc;
    }

    return a2f_apitoken_encode(m, kid, t, now, out, outsz, outlen);
}


int
a2f_apitoken_encode(a2f_mac_t *m, const char *kid, const a2f_apitoken_t *t,
    int64_t now, char *out, size_t outsz, size_t *outlen)
{
    int      rc;
    char     buf[A2F_APITOKEN_MAX + 1], *p;
    size_t   i, len;
    int64_t  ttl;
    uint8_t  mac[A2F_APITOKEN_MACLEN], check[A2F_APITOKEN_MACLEN];

    if (out == NULL || outlen == NULL) {
        return A2F_ERR_INVALID;
    }

    if (outsz > 0) {
        out[0] = '\0';
    }

    if (t == NULL || kid == NULL) {
        return A2F_ERR_INVALID;
    }

    if (m == NULL) {
        return A2F_ERR_NOKEY;
    }

    /* 0..INT64_MAX, 1..ttl max seconds ahead, without an overflow */

    ttl = a2f_apitoken_ttl_max(t->kind);

    if (ttl == 0
        || t->user_len > A2F_USER_MAX
        || a2f_user_name_valid(t->user, t->user_len) != A2F_OK
        || t->expires < 0 || t->expires <= now
        || (uint64_t) t->expires - (uint64_t) now > (uint64_t) ttl
        || t->client_len > A2F_APITOKEN_CLIENT_MAX)
    {
        return A2F_ERR_INVALID;
    }

    if (t->client_len != 0
        && !a2f_apitoken_client_valid(t->client, t->client_len))
    {
        return A2F_ERR_INVALID;
    }

    for (i = 0; i < A2F_KID_LEN; i++) {
        if (!((kid[i] >= '0' && kid[i] <= '9')
              || (kid[i] >= 'a' && kid[i] <= 'f')))
        {
            return A2F_ERR_INVALID;
        }
    }

    if (kid[A2F_KID_LEN] != '\0') {
        return A2F_ERR_INVALID;
    }

    /* at most A2F_APITOKEN_LONGEST bytes: buf holds them all */

    p = buf;

    *p++ = (char) t->kind;
    *p++ = A2F_APITOKEN_VERSION;
    *p++ = '.';
    memcpy(p, kid, A2F_KID_LEN);
    p += A2F_KID_LEN;
    *p++ = '.';
    p += a2f_b64url_encode(t->id, A2F_APITOKEN_ID_LEN, p,
                           A2F_APITOKEN_ID64 + 1);
    *p++ = '.';
    p = a2f_apitoken_put_dec(p, t->gen);
    *p++ = '.';
    p = a2f_apitoken_put_dec(p, (uint64_t) t->expires);
    *p++ = '.';
    memcpy(p, t->client, t->client_len);
    p += t->client_len;
    *p++ = '.';
    p += a2f_b64url_encode((const uint8_t *) t->user, t->user_len, p,
                           A2F_APITOKEN_USER64);

    len = (size_t) (p - buf);

    if (len + 1 + A2F_APITOKEN_MAC64 >= outsz) {
        return A2F_ERR_TOOBIG;
    }

    /*
     * Signed with m's first key; the same text under kid's key must give
     * the same MAC, else kid is not the signing key's.
     */

    rc = a2f_apitoken_mac(m, NULL, (const uint8_t *) buf, len, mac);

    if (rc == A2F_OK) {
        rc = a2f_apitoken_mac(m, kid, (const uint8_t *) buf, len, check);

        if (rc == A2F_OK
            && CRYPTO_memcmp(mac, check, A2F_APITOKEN_MACLEN) != 0)
        {
            rc = A2F_ERR_NOKEY;
        }
    }

    OPENSSL_cleanse(check, sizeof(check));

    if (rc != A2F_OK) {
        OPENSSL_cleanse(mac, sizeof(mac));
        return rc;
    }

    *p++ = '.';
    (void) a2f_b64url_encode(mac, sizeof(mac), p, A2F_APITOKEN_MAC64 + 1);
    OPENSSL_cleanse(mac, sizeof(mac));

    len += 1 + A2F_APITOKEN_MAC64;

    memcpy(out, buf, len + 1);
    *outlen = len;

    return A2F_OK;
}


/* write v in decimal (no NUL); return the end */

static char *
a2f_apitoken_put_dec(char *p, uint64_t v)
{
    char    tmp[A2F_APITOKEN_DEC_MAX];
    size_t  n;

    n = sizeof(tmp);

    do {
        tmp[--n] = (char) ('0' + v % 10);
        v /= 10;
    } while (v != 0);

    memcpy(p, tmp + n, sizeof(tmp) - n);

    return p + sizeof(tmp) - n;
}


/*
 * A canonical decimal ending in '.' before end: 1..20 digits, no sign, no
 * leading zero, <= max.  Returns the byte after the '.', or NULL.
 */

static const char *
a2f_apitoken_dec(const char *p, const char *end, uint64_t max, uint64_t *v)
{
    size_t       n;
    unsigned     d;
    uint64_t     x;
    const char  *start;

    start = p;
    x = 0;

    for (n = 0; p < end && *p >= '0' && *p <= '9'; p++, n++) {

        if (n == A2F_APITOKEN_DEC_MAX) {
            return NULL;
        }

        d = (unsigned) (*p - '0');

        if (x > (UINT64_MAX - d) / 10) {
            return NULL;
        }

        x = x * 10 + d;
    }

    if (n == 0 || (n > 1 && start[0] == '0') || x > max
        || p == end || *p != '.')
    {
        return NULL;
    }

    *v = x;

    return p + 1;
}


/*
 * One pass, left to right, over
 *
 *     <kind>1.<kid>.<id>.<gen>.<expires>.<client>.<user>.<mac>
 *
 * where the MAC is the last 43 bytes: no field may hold a '.'.  Every
 * field's syntax is checked, the MAC text decoded (canonical base64url),
 * then the MAC verified; only then are the fields given meaning.
 */

int
a2f_apitoken_decode(a2f_mac_t *m, const char *in, size_t len, int64_t now,
    a2f_apitoken_t *t)
{
    int          rc, kind;
    char         user[A2F_USER_MAX];
    size_t       i, n, user_len, client_len;
    int64_t      ttl;
    uint8_t      id[A2F_APITOKEN_ID_LEN];
    uint8_t      mac[A2F_APITOKEN_MACLEN], want[A2F_APITOKEN_MACLEN];
    uint64_t     gen, expires;
    const char  *p, *end, *kid, *client;

    if (t != NULL) {
        memset(t, 0, sizeof(a2f_apitoken_t));
    }

    if (m == NULL || in == NULL || t == NULL || len < A2F_APITOKEN_MIN
        || len > A2F_APITOKEN_MAX)
    {
        return A2F_ERR_INVALID;
    }

    /* the '.' before the MAC ends the signed text */

    end = in + len - 1 - A2F_APITOKEN_MAC64;

    if (*end != '.') {
        return A2F_ERR_INVALID;
    }

    /* "<kind>1.<kid>.<id>." */

    kind = a2f_apitoken_kind(in, len);

    if (kind == 0) {
        return A2F_ERR_INVALID;
    }

    kid = in + 3;

    for (i = 0; i < A2F_KID_LEN; i++) {
        if (!((kid[i] >= '0' && kid[i] <= '9')
              || (kid[i] >= 'a' && kid[i] <= 'f')))
        {
            return A2F_ERR_INVALID;
        }
    }

    if (kid[A2F_KID_LEN] != '.') {
        return A2F_ERR_INVALID;
    }

    p = kid + A2F_KID_LEN + 1;

    if (p[A2F_APITOKEN_ID64] != '.'
        || a2f_b64url_decode(p, A2F_APITOKEN_ID64, id, sizeof(id), &n)
           != A2F_OK
        || n != A2F_APITOKEN_ID_LEN)
    {
        return A2F_ERR_INVALID;
    }

    p += A2F_APITOKEN_ID64 + 1;

    /* "<gen>.<expires>." */

    p = a2f_apitoken_dec(p, end, UINT32_MAX, &gen);

    if (p != NULL) {
        p = a2f_apitoken_dec(p, end, INT64_MAX, &expires);
    }

    if (p == NULL) {
        return A2F_ERR_INVALID;
    }

    /* "<client>.": 0..A2F_APITOKEN_CLIENT_MAX bytes of [A-Za-z0-9_-] */

    client = p;

    for (client_len = 0; p < end && *p != '.'; p++, client_len++) {

        if (client_len == A2F_APITOKEN_CLIENT_MAX
            || !a2f_apitoken_client_char((unsigned char) *p))
        {
            return A2F_ERR_INVALID;
        }
    }

    if (p == end) {
        return A2F_ERR_INVALID;
    }

    p++;

    /* the user up to end */

    if (p == end
        || a2f_b64url_decode(p, (size_t) (end - p), (uint8_t *) user,
                             sizeof(user), &user_len)
           != A2F_OK)
    {
        return A2F_ERR_INVALID;
    }

    if (a2f_b64url_decode(end + 1, A2F_APITOKEN_MAC64, mac, sizeof(mac), &n)
        != A2F_OK
        || n != A2F_APITOKEN_MACLEN)
    {
        return A2F_ERR_INVALID;
    }

    /* the MAC over everything before ".<mac>", with the kid's key */

    rc = a2f_apitoken_mac(m, kid, (const uint8_t *) in, (size_t) (end - in),
                          want);

    if (rc == A2F_OK
        && CRYPTO_memcmp(mac, want, A2F_APITOKEN_MACLEN) != 0)
    {
        rc = A2F_ERR_AUTH;
    }

    /* the right MAC for this text: a forgery if it leaked */
    OPENSSL_cleanse(want, sizeof(want));

    if (rc != A2F_OK) {
        return rc;
    }

    /* authentic; now the meaning */

    if (a2f_user_name_valid(user, user_len) != A2F_OK) {
        return A2F_ERR_INVALID;
    }

    t->kind = kind;
    memcpy(t->user, user, user_len);
    t->user[user_len] = '\0';
    t->user_len = user_len;
    memcpy(t->id, id, A2F_APITOKEN_ID_LEN);
    t->gen = (uint32_t) gen;
    t->expires = (int64_t) expires;
    memcpy(t->client, client, client_len);
    t->client[client_len] = '\0';
    t->client_len = client_len;

    /* expires is 0..INT64_MAX: past it, or too far ahead */

    ttl = a2f_apitoken_ttl_max(kind) + A2F_APITOKEN_SKEW;

    if (now >= t->expires
        || (uint64_t) t->expires - (uint64_t) now > (uint64_t) ttl)
    {
        return A2F_ERR_EXPIRED;
    }

    return A2F_OK;
}
