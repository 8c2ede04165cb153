
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_jwt.c: "Bearer <apiKey>:<JWT>" and the HS256 JWT of the
 * auth2factor API (contract in a2f_jwt.h).
 */


#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "a2f_crypto.h"
#include "a2f_jwt.h"


#define A2F_JWT_SCHEME       "Bearer"
#define A2F_JWT_SCHEME_LEN   (sizeof(A2F_JWT_SCHEME) - 1)
#define A2F_JWT_ALG          "HS256"
#define A2F_JWT_TYP          "JWT"
#define A2F_JWT_MACLEN       32
#define A2F_JWT_DECODED_MAX  (A2F_JWT_MAX / 4 * 3)

/* created: a number above this is milliseconds */
#define A2F_JWT_MS_FROM      INT64_C(100000000000)

/* 1970-01-01 .. 9999-12-31 */
#define A2F_JWT_YEAR_MIN     1970
#define A2F_JWT_YEAR_MAX     9999


static int a2f_jwt_printable(uint8_t c);
static int a2f_jwt_b64(const char *in, size_t len, uint8_t *out,
    size_t outsz, size_t *outlen);
static json_t *a2f_jwt_json(const uint8_t *buf, size_t len, int *rc);
static int a2f_jwt_header(json_t *h, char *why, size_t whysz);
static int a2f_jwt_string(json_t *root, const char *name, unsigned bit,
    char *out, size_t *outlen, unsigned *has);
static int a2f_jwt_number(json_t *v, int64_t *t);
static int a2f_jwt_time(json_t *root, const char *name, unsigned bit,
    int64_t *t, unsigned *has);
static int a2f_jwt_created(json_t *root, a2f_jwt_claims_t *c);
static int a2f_jwt_digits(const char *p, size_t n, unsigned *v);
static int64_t a2f_jwt_days(unsigned y, unsigned m, unsigned d);
static int a2f_jwt_iso8601(const char *s, size_t len, int64_t *t);
static int a2f_jwt_claims(json_t *root, a2f_jwt_claims_t *c, char *why,
    size_t whysz);
static int a2f_jwt_times(const a2f_jwt_claims_t *c, int64_t now,
    char *why, size_t whysz);


/* printable ASCII without the space */

static int
a2f_jwt_printable(uint8_t c)
{
    return c >= 0x21 && c <= 0x7e;
}


int
a2f_api_bearer_split(const char *value, size_t len, const char **api_key,
    size_t *key_len, const char **jwt, size_t *jwt_len)
{
    size_t          i, klen;
    const uint8_t  *p;

    if (value == NULL || api_key == NULL || key_len == NULL || jwt == NULL
        || jwt_len == NULL)
    {
        return A2F_ERR_INVALID;
    }

    p = (const uint8_t *) value;

    /* "Bearer" in any case, one space */

    if (len < A2F_JWT_SCHEME_LEN + 1 + 1 + 1 + 1
        || len > A2F_JWT_SCHEME_LEN + 1 + A2F_API_KEY_MAX + 1 + A2F_JWT_MAX)
    {
        return A2F_ERR_INVALID;
    }

    for (i = 0; i < A2F_JWT_SCHEME_LEN; i++) {
        if ((p[i] | 0x20) != (uint8_t) (A2F_JWT_SCHEME[i] | 0x20)) {
            return A2F_ERR_INVALID;
        }
    }

    if (p[i++] != ' ') {
        return A2F_ERR_INVALID;
    }

    /* the apiKey, up to the first ':' */

    for (klen = 0; i < len && p[i] != ':'; i++, klen++) {
        if (klen == A2F_API_KEY_MAX || !a2f_jwt_printable(p[i])) {
            return A2F_ERR_INVALID;
        }
    }

    if (klen == 0 || i == len) {
        return A2F_ERR_INVALID;
    }

    i++;

    /* the JWT: the rest */

    if (len - i == 0 || len - i > A2F_JWT_MAX) {
        return A2F_ERR_INVALID;
    }

    for (; i < len; i++) {
        if (!a2f_jwt_printable(p[i])) {
            return A2F_ERR_INVALID;
        }
    }

    *api_key = value + A2F_JWT_SCHEME_LEN + 1;
    *key_len = klen;
    *jwt = *api_key + klen + 1;
    *jwt_len = len - (A2F_JWT_SCHEME_LEN + 1 + klen + 1);

    return A2F_OK;
}


/* one part: unpadded, canonical base64url only */

static int
a2f_jwt_b64(const char *in, size_t len, uint8_t *out, size_t outsz,
    size_t *outlen)
{
    if (memchr(in, '=', len) != NULL) {
        return A2F_ERR_INVALID;
    }

    return a2f_b64url_decode(in, len, out, outsz, outlen);
}


/* a JSON object, duplicate keys refused; *rc says why not */

static json_t *
a2f_jwt_json(const uint8_t *buf, size_t len, int *rc)
{
    json_t        *root;
    json_error_t   err;

    root = json_loadb((const char *) buf, len, JSON_REJECT_DUPLICATES, &err);

    if (root == NULL) {
        *rc = (json_error_code(&err) == json_error_out_of_memory)
              ? A2F_ERR_NOMEM : A2F_ERR_INVALID;
        return NULL;
    }

    if (!json_is_object(root)) {
        json_decref(root);
        *rc = A2F_ERR_INVALID;
        return NULL;
    }

    *rc = A2F_OK;

    return root;
}


/* "alg": "HS256" exactly; "typ": "JWT" when present; no "crit" */

static int
a2f_jwt_header(json_t *h, char *why, size_t whysz)
{
    json_t  *v;

    v = json_object_get(h, "alg");

    if (v == NULL) {
        a2f_why(why, whysz, "header: no alg");
        return A2F_ERR_AUTH;
    }

    if (!json_is_string(v)
        || json_string_length(v) != sizeof(A2F_JWT_ALG) - 1
        || memcmp(json_string_value(v), A2F_JWT_ALG,
                  sizeof(A2F_JWT_ALG) - 1) != 0)
    {
        a2f_why(why, whysz, "header: alg is not HS256");
        return A2F_ERR_AUTH;
    }

    v = json_object_get(h, "typ");

    if (v != NULL
        && (!json_is_string(v)
            || json_string_length(v) != sizeof(A2F_JWT_TYP) - 1
            || memcmp(json_string_value(v), A2F_JWT_TYP,
                      sizeof(A2F_JWT_TYP) - 1) != 0))
    {
        a2f_why(why, whysz, "header: typ is not JWT");
        return A2F_ERR_INVALID;
    }

    if (json_object_get(h, "crit") != NULL) {
        a2f_why(why, whysz, "header: crit is not supported");
        return A2F_ERR_INVALID;
    }

    return A2F_OK;
}


/* an optional string claim of at most A2F_JWT_CLAIM_MAX bytes, no NUL */

static int
a2f_jwt_string(json_t *root, const char *name, unsigned bit, char *out,
    size_t *outlen, unsigned *has)
{
    size_t       n;
    json_t      *v;
    const char  *s;

    v = json_object_get(root, name);

    if (v == NULL) {
        return A2F_OK;
    }

    if (!json_is_string(v)) {
        return A2F_ERR_INVALID;
    }

    s = json_string_value(v);
    n = json_string_length(v);

    if (n > A2F_JWT_CLAIM_MAX || memchr(s, '\0', n) != NULL) {
        return A2F_ERR_INVALID;
    }

    memcpy(out, s, n);
    out[n] = '\0';
    *outlen = n;
    *has |= bit;

    return A2F_OK;
}


/* a JSON number in 0..A2F_JWT_TIME_MAX; a real is rounded down */

static int
a2f_jwt_number(json_t *v, int64_t *t)
{
    double      d;
    json_int_t  i;

    if (json_is_integer(v)) {
        i = json_integer_value(v);

        if (i < 0 || i > A2F_JWT_TIME_MAX) {
            return A2F_ERR_INVALID;
        }

        *t = (int64_t) i;

        return A2F_OK;
    }

    if (json_is_real(v)) {
        d = json_real_value(v);

        /* NaN fails both comparisons; >= 0: truncation rounds down */

        if (!(d >= 0.0 && d <= (double) A2F_JWT_TIME_MAX)) {
            return A2F_ERR_INVALID;
        }

        *t = (int64_t) d;

        return A2F_OK;
    }

    return A2F_ERR_INVALID;
}


/* an optional numeric time claim */

static int
a2f_jwt_time(json_t *root, const char *name, unsigned bit, int64_t *t,
    unsigned *has)
{
    json_t  *v;

    v = json_object_get(root, name);

    if (v == NULL) {
        return A2F_OK;
    }

    if (a2f_jwt_number(v, t) != A2F_OK) {
        return A2F_ERR_INVALID;
    }

    *has |= bit;

    return A2F_OK;
}


/*
 * "created": a number (seconds, or milliseconds above 1e11) or a
 * string, which may or may not be a date; other types are refused.
 */

static int
a2f_jwt_created(json_t *root, a2f_jwt_claims_t *c)
{
    size_t       n;
    json_t      *v;
    int64_t      t;
    const char  *s;

    v = json_object_get(root, "created");

    if (v == NULL) {
        return A2F_OK;
    }

    if (json_is_number(v)) {
        if (a2f_jwt_number(v, &t) != A2F_OK) {
            return A2F_ERR_INVALID;
        }

        c->created = (t > A2F_JWT_MS_FROM) ? t / 1000 : t;
        c->has |= A2F_JWT_HAS_CREATED | A2F_JWT_CREATED_TIME;

        return A2F_OK;
    }

    if (!json_is_string(v)) {
        return A2F_ERR_INVALID;
    }

    s = json_string_value(v);
    n = json_string_length(v);

    if (n > A2F_JWT_CLAIM_MAX || memchr(s, '\0', n) != NULL) {
        return A2F_ERR_INVALID;
    }

    c->has |= A2F_JWT_HAS_CREATED;

    if (a2f_jwt_iso8601(s, n, &t) == A2F_OK) {
        c->created = t;
        c->has |= A2F_JWT_CREATED_TIME;
    }

    return A2F_OK;
}


/* n ASCII digits (n <= 4) into *v */

static int
a2f_jwt_digits(const char *p, size_t n, unsigned *v)
{
    size_t    i;
    unsigned  x;

    x = 0;

    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return A2F_ERR_INVALID;
        }

        x = x * 10 + (unsigned) (p[i] - '0');
    }

    *v = x;

    return A2F_OK;
}


/*
 * Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil), for a valid date with y >= 1970.
 */

static int64_t
a2f_jwt_days(unsigned y, unsigned m, unsigned d)
{
    unsigned  era, yoe, doy, doe;

    y -= (m <= 2);
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return (int64_t) era * 146097 + (int64_t) doe - 719468;
}


/*
 * "YYYY-MM-DDTHH:MM:SS" [".fraction"] ("Z" | "+HH:MM" | "-HH:MM" |
 * "+HHMM" | "-HHMM"): Unix seconds (the fraction dropped), or
 * A2F_ERR_INVALID.
 */

static int
a2f_jwt_iso8601(const char *s, size_t len, int64_t *t)
{
    size_t    i, n;
    unsigned  y, mo, d, h, mi, sec, oh, om, mdays;
    int64_t   off;

    static const unsigned  days[12] = {
        31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
    };

    if (len < 20
        || a2f_jwt_digits(s, 4, &y) != A2F_OK || s[4] != '-'
        || a2f_jwt_digits(s + 5, 2, &mo) != A2F_OK || s[7] != '-'
        || a2f_jwt_digits(s + 8, 2, &d) != A2F_OK || s[10] != 'T'
        || a2f_jwt_digits(s + 11, 2, &h) != A2F_OK || s[13] != ':'
        || a2f_jwt_digits(s + 14, 2, &mi) != A2F_OK || s[16] != ':'
        || a2f_jwt_digits(s + 17, 2, &sec) != A2F_OK)
    {
        return A2F_ERR_INVALID;
    }

    if (y < A2F_JWT_YEAR_MIN || y > A2F_JWT_YEAR_MAX
        || mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 59)
    {
        return A2F_ERR_INVALID;
    }

    mdays = days[mo - 1];

    if (mo == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) {
        mdays = 29;
    }

    if (d < 1 || d > mdays) {
        return A2F_ERR_INVALID;
    }

    i = 19;

    /* a fraction of 1..9 digits */

    if (s[i] == '.') {
        for (i++, n = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++, n++) {
            /* void */
        }

        if (n == 0 || n > 9) {
            return A2F_ERR_INVALID;
        }
    }

    /* the zone */

    if (i < len && s[i] == 'Z') {
        off = 0;
        i++;

    } else if (i < len && (s[i] == '+' || s[i] == '-')) {

        if (len - i == 6 && s[i + 3] == ':') {
            n = 4;

        } else if (len - i == 5) {
            n = 3;

        } else {
            return A2F_ERR_INVALID;
        }

        if (a2f_jwt_digits(s + i + 1, 2, &oh) != A2F_OK
            || a2f_jwt_digits(s + i + n, 2, &om) != A2F_OK
            || oh > 23 || om > 59)
        {
            return A2F_ERR_INVALID;
        }

        off = (int64_t) oh * 3600 + (int64_t) om * 60;

        if (s[i] == '-') {
            off = -off;
        }

        i = len;

    } else {
        return A2F_ERR_INVALID;
    }

    if (i != len) {
        return A2F_ERR_INVALID;
    }

    /* local time minus its offset from UTC */

    *t = a2f_jwt_days(y, mo, d) * 86400 + (int64_t) h * 3600
         + (int64_t) mi * 60 + (int64_t) sec - off;

    return A2F_OK;
}


static int
a2f_jwt_claims(json_t *root, a2f_jwt_claims_t *c, char *why, size_t whysz)
{
    if (a2f_jwt_string(root, "accountRequester", A2F_JWT_HAS_REQUESTER,
                       c->account_requester, &c->account_requester_len,
                       &c->has)
        != A2F_OK)
    {
        a2f_why(why, whysz,
                "payload: accountRequester is not a short string");
        return A2F_ERR_INVALID;
    }

    if (a2f_jwt_string(root, "email", A2F_JWT_HAS_EMAIL, c->email,
                       &c->email_len, &c->has)
        != A2F_OK)
    {
        a2f_why(why, whysz, "payload: email is not a short string");
        return A2F_ERR_INVALID;
    }

    if (a2f_jwt_string(root, "apiUniqueId", A2F_JWT_HAS_UNIQUE_ID,
                       c->api_unique_id, &c->api_unique_id_len, &c->has)
        != A2F_OK)
    {
        a2f_why(why, whysz,
                "payload: apiUniqueId is not a short string");
        return A2F_ERR_INVALID;
    }

    if (a2f_jwt_time(root, "iat", A2F_JWT_HAS_IAT, &c->iat, &c->has)
        != A2F_OK)
    {
        a2f_why(why, whysz, "payload: iat is not a time");
        return A2F_ERR_INVALID;
    }

    if (a2f_jwt_time(root, "exp", A2F_JWT_HAS_EXP, &c->exp, &c->has)
        != A2F_OK)
    {
        a2f_why(why, whysz, "payload: exp is not a time");
        return A2F_ERR_INVALID;
    }

    if (a2f_jwt_time(root, "nbf", A2F_JWT_HAS_NBF, &c->nbf, &c->has)
        != A2F_OK)
    {
        a2f_why(why, whysz, "payload: nbf is not a time");
        return A2F_ERR_INVALID;
    }

    if (a2f_jwt_created(root, c) != A2F_OK) {
        a2f_why(why, whysz,
                "payload: created is not a short string or a time");
        return A2F_ERR_INVALID;
    }

    return A2F_OK;
}


/*
 * The time rules of a2f_jwt.h.  All claim times are in
 * 0..A2F_JWT_TIME_MAX (created from an ISO date with an offset: a few
 * hours either side of 1970..9999), and so is now: no sum or difference
 * below overflows.
 */

static int
a2f_jwt_times(const a2f_jwt_claims_t *c, int64_t now, char *why,
    size_t whysz)
{
    int64_t  t;

    if (now < 0 || now > A2F_JWT_TIME_MAX) {
        a2f_why(why, whysz, "the clock is out of range");
        return A2F_ERR_EXPIRED;
    }

    if ((c->has & A2F_JWT_HAS_NBF) && c->nbf > now + A2F_JWT_SKEW) {
        a2f_why(why, whysz, "nbf is in the future");
        return A2F_ERR_EXPIRED;
    }

    if (c->has & A2F_JWT_HAS_EXP) {

        if (now >= c->exp) {
            a2f_why(why, whysz, "expired (exp)");
            return A2F_ERR_EXPIRED;
        }

        if (c->exp - now > A2F_JWT_EXP_MAX) {
            a2f_why(why, whysz, "exp is too far in the future");
            return A2F_ERR_EXPIRED;
        }

        if ((c->has & A2F_JWT_HAS_IAT) && c->iat > now + A2F_JWT_SKEW) {
            a2f_why(why, whysz, "iat is in the future");
            return A2F_ERR_EXPIRED;
        }

        return A2F_OK;
    }

    /* no exp: a short window around iat, else around created */

    if (c->has & A2F_JWT_HAS_IAT) {
        t = c->iat;

    } else if (c->has & A2F_JWT_CREATED_TIME) {
        t = c->created;

    } else {
        a2f_why(why, whysz, (c->has & A2F_JWT_HAS_CREATED)
                            ? "no exp or iat, and created is not a date"
                            : "no exp, iat or created");
        return A2F_ERR_EXPIRED;
    }

    if (t < now - A2F_JWT_WINDOW || t > now + A2F_JWT_WINDOW) {
        a2f_why(why, whysz, (c->has & A2F_JWT_HAS_IAT)
                            ? "no exp, and iat is not recent"
                            : "no exp, and created is not recent");
        return A2F_ERR_EXPIRED;
    }

    return A2F_OK;
}


/*
 * In order: the three parts and their syntax, the header, the signature
 * over the text of the first two parts, and only then the payload.
 */

int
a2f_jwt_verify(const char *jwt, size_t len, const uint8_t *secret,
    size_t secret_len, int64_t now, a2f_jwt_claims_t *c, char *why,
    size_t whysz)
{
    int                rc, sigrc;
    size_t             hlen, plen, slen, hn, pn, sn;
    json_t            *root;
    uint8_t            hbuf[A2F_JWT_DECODED_MAX], pbuf[A2F_JWT_DECODED_MAX];
    uint8_t            sig[A2F_JWT_MACLEN], want[EVP_MAX_MD_SIZE];
    unsigned int       wlen;
    const char        *h, *p, *s, *dot;
    a2f_jwt_claims_t   tmp;

    a2f_why(why, whysz, "%s", "");

    if (c == NULL) {
        c = &tmp;
    }

    memset(c, 0, sizeof(a2f_jwt_claims_t));

    if (jwt == NULL || secret == NULL || secret_len == 0
        || secret_len > A2F_JWT_SECRET_MAX)
    {
        a2f_why(why, whysz, "no token or no secret");
        return A2F_ERR_INVALID;
    }

    if (len == 0 || len > A2F_JWT_MAX) {
        a2f_why(why, whysz, "empty or too long");
        return A2F_ERR_INVALID;
    }

    /* header "." payload "." signature: exactly two dots */

    h = jwt;
    dot = memchr(h, '.', len);

    if (dot == NULL) {
        a2f_why(why, whysz, "not three parts");
        return A2F_ERR_INVALID;
    }

    hlen = (size_t) (dot - h);
    p = dot + 1;
    dot = memchr(p, '.', (size_t) (jwt + len - p));

    if (dot == NULL) {
        a2f_why(why, whysz, "not three parts");
        return A2F_ERR_INVALID;
    }

    plen = (size_t) (dot - p);
    s = dot + 1;
    slen = (size_t) (jwt + len - s);

    if (memchr(s, '.', slen) != NULL) {
        a2f_why(why, whysz, "more than three parts");
        return A2F_ERR_INVALID;
    }

    if (hlen == 0 || plen == 0) {
        a2f_why(why, whysz, "empty header or payload");
        return A2F_ERR_INVALID;
    }

    /* the syntax of the two other parts before any JSON is parsed */

    if (a2f_jwt_b64(p, plen, pbuf, sizeof(pbuf), &pn) != A2F_OK) {
        a2f_why(why, whysz, "payload: not unpadded base64url");
        return A2F_ERR_INVALID;
    }

    if (slen > 0 && memchr(s, '=', slen) != NULL) {
        a2f_why(why, whysz, "signature: not unpadded base64url");
        return A2F_ERR_INVALID;
    }

    sigrc = a2f_b64url_decode(s, slen, sig, sizeof(sig), &sn);

    if (sigrc == A2F_ERR_INVALID) {
        a2f_why(why, whysz, "signature: not unpadded base64url");
        return A2F_ERR_INVALID;
    }

    /* the header */

    if (a2f_jwt_b64(h, hlen, hbuf, sizeof(hbuf), &hn) != A2F_OK) {
        a2f_why(why, whysz, "header: not unpadded base64url");
        return A2F_ERR_INVALID;
    }

    root = a2f_jwt_json(hbuf, hn, &rc);

    if (root == NULL) {
        a2f_why(why, whysz, rc == A2F_ERR_NOMEM
                            ? "header: out of memory"
                            : "header: not a JSON object");
        return rc;
    }

    rc = a2f_jwt_header(root, why, whysz);
    json_decref(root);

    if (rc != A2F_OK) {
        return rc;
    }

    /* the signature: 32 bytes, HMAC-SHA256 over header "." payload */

    if (slen == 0) {
        a2f_why(why, whysz, "no signature");
        return A2F_ERR_AUTH;
    }

    if (sigrc != A2F_OK || sn != A2F_JWT_MACLEN) {
        /* over 32 bytes (A2F_ERR_TOOBIG), or fewer */
        a2f_why(why, whysz, "signature: wrong length");
        return A2F_ERR_AUTH;
    }

    if (HMAC(EVP_sha256(), secret, (int) secret_len, (const uint8_t *) jwt,
             hlen + 1 + plen, want, &wlen)
        == NULL
        || wlen != A2F_JWT_MACLEN)
    {
        OPENSSL_cleanse(want, sizeof(want));
        a2f_why(why, whysz, "HMAC failed");
        return A2F_ERR_CRYPTO;
    }

    rc = CRYPTO_memcmp(sig, want, A2F_JWT_MACLEN);

    /* the right signature for this text: a forgery if it leaked */
    OPENSSL_cleanse(want, sizeof(want));

    if (rc != 0) {
        a2f_why(why, whysz, "bad signature");
        return A2F_ERR_AUTH;
    }

    /* authentic: now the payload */

    root = a2f_jwt_json(pbuf, pn, &rc);

    if (root == NULL) {
        a2f_why(why, whysz, rc == A2F_ERR_NOMEM
                            ? "payload: out of memory"
                            : "payload: not a JSON object");
        return rc;
    }

    rc = a2f_jwt_claims(root, c, why, whysz);
    json_decref(root);

    if (rc == A2F_OK) {
        rc = a2f_jwt_times(c, now, why, whysz);
    }

    if (rc != A2F_OK && rc != A2F_ERR_EXPIRED) {
        memset(c, 0, sizeof(a2f_jwt_claims_t));
    }

    return rc;
}
