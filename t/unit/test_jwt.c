
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * test_jwt.c: a2f_jwt.c: "Bearer <apiKey>:<JWT>" and the HS256 JWT of
 * the auth2factor API.  Tokens are made here with OpenSSL's own HMAC and
 * base64 (and one golden token from Python's hmac); every refusal of
 * the contract in a2f_jwt.h; the payload shapes of the PHP SDK before
 * and since 1.3.0.
 */


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "a2f_jwt.h"
#include "a2f_test.h"


/* 2024-05-01T10:00:00Z */
#define A2F_T_NOW      INT64_C(1714557600)

#define A2F_T_SECRET   "top secret, 32 bytes or so......"
#define A2F_T_HS256    "{\"typ\":\"JWT\",\"alg\":\"HS256\"}"

/*
 * Python: b64url(header) "." b64url(payload) "." b64url(hmac.new(secret,
 * that, sha256)) for the header above and the payload of PHP SDK 1.3.0:
 * iat, exp = iat + 300 and the "created" of date("DATE_W3C")
 */
#define A2F_T_GOLDEN                                                         \
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJhY2NvdW50UmVxdWVzdGVyIjoidX"    \
    "NlckBtZS5jb20iLCJlbWFpbCI6InVzZXJAbWUuY29tIiwiYXBpVW5pcXVlSWQiOiJrM3"   \
    "ktMSIsImNyZWF0ZWQiOiJXZWRQTVVUQ0VfMTgzQyIsImlhdCI6MTcxNDU1NzYwMCwiZX"   \
    "hwIjoxNzE0NTU3OTAwfQ.-V3kOLV4Mrd1lN_aqxV4eWZ1LqWxur8u-3sxEbgyNmU"

#define A2F_T_TOKEN_MAX  (A2F_JWT_MAX + 64)


/* base64url without padding, with OpenSSL's encoder */

static size_t
a2f_t_b64(const uint8_t *in, size_t len, char *out)
{
    int     n;
    size_t  i;

    n = EVP_EncodeBlock((unsigned char *) out, in, (int) len);

    while (n > 0 && out[n - 1] == '=') {
        n--;
    }

    out[n] = '\0';

    for (i = 0; i < (size_t) n; i++) {
        if (out[i] == '+') {
            out[i] = '-';

        } else if (out[i] == '/') {
            out[i] = '_';
        }
    }

    return (size_t) n;
}


/*
 * b64url(header) "." b64url(payload) "." b64url(HMAC-md(secret, the
 * first two)); md NULL: no signature (an empty third part).
 */

static void
a2f_t_jwt_md(const EVP_MD *md, const char *header, const char *payload,
    const char *secret, char *out)
{
    size_t        n;
    uint8_t       mac[EVP_MAX_MD_SIZE];
    unsigned int  mlen;

    n = a2f_t_b64((const uint8_t *) header, strlen(header), out);
    out[n++] = '.';
    n += a2f_t_b64((const uint8_t *) payload, strlen(payload), out + n);
    out[n] = '\0';

    if (md == NULL) {
        out[n++] = '.';
        out[n] = '\0';
        return;
    }

    if (HMAC(md, secret, (int) strlen(secret), (const uint8_t *) out, n, mac,
             &mlen)
        == NULL)
    {
        out[0] = '\0';
        CHECK(0);
        return;
    }

    out[n++] = '.';
    (void) a2f_t_b64(mac, mlen, out + n);
}


static void
a2f_t_jwt(const char *header, const char *payload, char *out)
{
    a2f_t_jwt_md(EVP_sha256(), header, payload, A2F_T_SECRET, out);
}


/* verify with the test secret at now */

static int
a2f_t_verify_at(const char *jwt, int64_t now, a2f_jwt_claims_t *c)
{
    int   rc;
    char  why[128];

    memset(why, 'x', sizeof(why));

    rc = a2f_jwt_verify(jwt, strlen(jwt), (const uint8_t *) A2F_T_SECRET,
                        sizeof(A2F_T_SECRET) - 1, now, c, why, sizeof(why));

    /* a reason exactly on failure, never the secret */

    CHECK(memchr(why, '\0', sizeof(why)) != NULL);
    CHECK((rc == A2F_OK) == (why[0] == '\0'));
    CHECK(strstr(why, "secret,") == NULL);

    return rc;
}


static int
a2f_t_verify(const char *jwt)
{
    return a2f_t_verify_at(jwt, A2F_T_NOW, NULL);
}


/* sign payload under the HS256 header and verify it at A2F_T_NOW */

static int
a2f_t_payload(const char *payload)
{
    char  jwt[A2F_T_TOKEN_MAX];

    a2f_t_jwt(A2F_T_HS256, payload, jwt);

    return a2f_t_verify(jwt);
}


/* the same, with a payload made by printf */

static int
a2f_t_payloadf(const char *fmt, long long a, long long b)
{
    char  payload[1024];

    (void) snprintf(payload, sizeof(payload), fmt, a, b);

    return a2f_t_payload(payload);
}


/* created: the string s, no exp or iat */

static int
a2f_t_created(const char *s)
{
    char  payload[512];

    (void) snprintf(payload, sizeof(payload),
                    "{\"email\":\"user@me.com\",\"created\":\"%s\"}", s);

    return a2f_t_payload(payload);
}


/* -- the SDK shapes -------------------------------------------------------- */


static void
a2f_t_golden(void)
{
    char              jwt[A2F_T_TOKEN_MAX];
    a2f_jwt_claims_t  c;

    memset(&c, 0xff, sizeof(c));
    CHECK_RC(a2f_t_verify_at(A2F_T_GOLDEN, A2F_T_NOW, &c), A2F_OK);
    CHECK_STR(c.account_requester, "user@me.com");
    CHECK(c.account_requester_len == 11);
    CHECK_STR(c.email, "user@me.com");
    CHECK(c.email_len == 11);
    CHECK_STR(c.api_unique_id, "k3y-1");
    CHECK(c.api_unique_id_len == 5);
    CHECK(c.iat == A2F_T_NOW && c.exp == A2F_T_NOW + 300 && c.nbf == 0);
    CHECK(c.created == 0);
    CHECK(c.has == (A2F_JWT_HAS_REQUESTER | A2F_JWT_HAS_EMAIL
                    | A2F_JWT_HAS_UNIQUE_ID | A2F_JWT_HAS_IAT
                    | A2F_JWT_HAS_EXP | A2F_JWT_HAS_CREATED));

    /* the same token from this file's own HMAC */

    a2f_t_jwt(A2F_T_HS256,
              "{\"accountRequester\":\"user@me.com\",\"email\":\"user@me.com\""
              ",\"apiUniqueId\":\"k3y-1\",\"created\":\"WedPMUTCE_183C\","
              "\"iat\":1714557600,\"exp\":1714557900}", jwt);
    CHECK_STR(jwt, A2F_T_GOLDEN);

    /* valid from iat - 60 (clock skew) to exp - 1 */

    CHECK_RC(a2f_t_verify_at(A2F_T_GOLDEN, A2F_T_NOW + 299, NULL), A2F_OK);
    CHECK_RC(a2f_t_verify_at(A2F_T_GOLDEN, A2F_T_NOW - 60, NULL), A2F_OK);

    memset(&c, 0, sizeof(c));
    CHECK_RC(a2f_t_verify_at(A2F_T_GOLDEN, A2F_T_NOW + 300, &c),
             A2F_ERR_EXPIRED);
    CHECK_STR(c.email, "user@me.com");           /* filled for the log */
    CHECK_RC(a2f_t_verify_at(A2F_T_GOLDEN, A2F_T_NOW - 61, NULL),
             A2F_ERR_EXPIRED);

    /* another secret */

    CHECK_RC(a2f_jwt_verify(A2F_T_GOLDEN, strlen(A2F_T_GOLDEN),
                            (const uint8_t *) A2F_T_SECRET,
                            sizeof(A2F_T_SECRET) - 2, A2F_T_NOW, NULL, NULL,
                            0), A2F_ERR_AUTH);
}


static void
a2f_t_sdk_shapes(void)
{
    a2f_jwt_claims_t  c;
    char              jwt[A2F_T_TOKEN_MAX];

    /* before 1.3.0: no exp, a created date of now */

    a2f_t_jwt(A2F_T_HS256,
              "{\"accountRequester\":\"user@me.com\",\"email\":\"user@me.com\""
              ",\"apiUniqueId\":\"k3y-1\","
              "\"created\":\"2024-05-01T10:00:00+00:00\"}", jwt);
    memset(&c, 0, sizeof(c));
    CHECK_RC(a2f_t_verify_at(jwt, A2F_T_NOW, &c), A2F_OK);
    CHECK(c.created == A2F_T_NOW);
    CHECK(c.has & A2F_JWT_CREATED_TIME);
    CHECK(!(c.has & (A2F_JWT_HAS_EXP | A2F_JWT_HAS_IAT)));

    /* the window: 300 s either side */

    CHECK_RC(a2f_t_verify_at(jwt, A2F_T_NOW + 300, NULL), A2F_OK);
    CHECK_RC(a2f_t_verify_at(jwt, A2F_T_NOW - 300, NULL), A2F_OK);
    CHECK_RC(a2f_t_verify_at(jwt, A2F_T_NOW + 301, NULL), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_verify_at(jwt, A2F_T_NOW - 301, NULL), A2F_ERR_EXPIRED);

    /* 1.3.0: iat and exp valid, created not a date: never parsed */

    CHECK_RC(a2f_t_payloadf("{\"created\":\"WedPMUTCE_183C\",\"iat\":%lld,"
                            "\"exp\":%lld}", A2F_T_NOW, A2F_T_NOW + 300),
             A2F_OK);

    /* and an old created date does not matter either */

    CHECK_RC(a2f_t_payloadf("{\"created\":\"2001-01-01T00:00:00Z\","
                            "\"iat\":%lld,\"exp\":%lld}",
                            A2F_T_NOW, A2F_T_NOW + 300), A2F_OK);
}


/* -- the time rules -------------------------------------------------------- */


static void
a2f_t_times_exp(void)
{
    /* exp alone */

    CHECK_RC(a2f_t_payloadf("{\"exp\":%lld%.0lld}", A2F_T_NOW + 1, 0),
             A2F_OK);
    CHECK_RC(a2f_t_payloadf("{\"exp\":%lld%.0lld}", A2F_T_NOW, 0),
             A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_payloadf("{\"exp\":%lld%.0lld}", A2F_T_NOW - 1, 0),
             A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_payloadf("{\"exp\":%lld%.0lld}", 0, 0), A2F_ERR_EXPIRED);

    /* at most an hour ahead */

    CHECK_RC(a2f_t_payloadf("{\"exp\":%lld%.0lld}", A2F_T_NOW + 3600, 0),
             A2F_OK);
    CHECK_RC(a2f_t_payloadf("{\"exp\":%lld%.0lld}", A2F_T_NOW + 3601, 0),
             A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_payloadf("{\"exp\":%lld%.0lld}",
                            (A2F_T_NOW + 300) * 1000, 0), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_payloadf("{\"exp\":%lld%.0lld}", 253402300799999LL, 0),
             A2F_ERR_EXPIRED);

    /* iat at most a minute ahead, however old */

    CHECK_RC(a2f_t_payloadf("{\"iat\":%lld,\"exp\":%lld}",
                            A2F_T_NOW + 60, A2F_T_NOW + 300), A2F_OK);
    CHECK_RC(a2f_t_payloadf("{\"iat\":%lld,\"exp\":%lld}",
                            A2F_T_NOW + 61, A2F_T_NOW + 300),
             A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_payloadf("{\"iat\":%lld,\"exp\":%lld}",
                            A2F_T_NOW - 86400, A2F_T_NOW + 300), A2F_OK);

    /* with exp, created is not looked at */

    CHECK_RC(a2f_t_payloadf("{\"created\":1,\"iat\":%lld,\"exp\":%lld}",
                            A2F_T_NOW, A2F_T_NOW + 300), A2F_OK);
    CHECK_RC(a2f_t_payloadf("{\"created\":\"\",\"exp\":%lld%.0lld}",
                            A2F_T_NOW + 300, 0), A2F_OK);

    /* nbf at most a minute ahead */

    CHECK_RC(a2f_t_payloadf("{\"nbf\":%lld,\"exp\":%lld}",
                            A2F_T_NOW + 60, A2F_T_NOW + 300), A2F_OK);
    CHECK_RC(a2f_t_payloadf("{\"nbf\":%lld,\"exp\":%lld}",
                            A2F_T_NOW + 61, A2F_T_NOW + 300),
             A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_payloadf("{\"nbf\":%lld,\"iat\":%lld}",
                            A2F_T_NOW + 61, A2F_T_NOW), A2F_ERR_EXPIRED);

    /* reals are rounded down */

    CHECK_RC(a2f_t_payloadf("{\"exp\":%lld.9%.0lld}", A2F_T_NOW, 0),
             A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_payloadf("{\"exp\":%lld.5%.0lld}", A2F_T_NOW + 1, 0),
             A2F_OK);
    CHECK_RC(a2f_t_payloadf("{\"iat\":%lld.25,\"exp\":%lld.0}",
                            A2F_T_NOW, A2F_T_NOW + 300), A2F_OK);
}


static void
a2f_t_times_no_exp(void)
{
    /* iat alone: within 300 s either side */

    CHECK_RC(a2f_t_payloadf("{\"iat\":%lld%.0lld}", A2F_T_NOW, 0), A2F_OK);
    CHECK_RC(a2f_t_payloadf("{\"iat\":%lld%.0lld}", A2F_T_NOW - 300, 0),
             A2F_OK);
    CHECK_RC(a2f_t_payloadf("{\"iat\":%lld%.0lld}", A2F_T_NOW + 300, 0),
             A2F_OK);
    CHECK_RC(a2f_t_payloadf("{\"iat\":%lld%.0lld}", A2F_T_NOW - 301, 0),
             A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_payloadf("{\"iat\":%lld%.0lld}", A2F_T_NOW + 301, 0),
             A2F_ERR_EXPIRED);

    /* iat wins over created, both ways */

    CHECK_RC(a2f_t_payloadf("{\"iat\":%lld,\"created\":%lld}",
                            A2F_T_NOW, A2F_T_NOW - 86400), A2F_OK);
    CHECK_RC(a2f_t_payloadf("{\"iat\":%lld,\"created\":%lld}",
                            A2F_T_NOW - 86400, A2F_T_NOW), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_payloadf("{\"iat\":%lld,\"created\":\"garbage\"%.0lld}",
                            A2F_T_NOW, 0), A2F_OK);

    /* created in seconds */

    CHECK_RC(a2f_t_payloadf("{\"created\":%lld%.0lld}", A2F_T_NOW, 0),
             A2F_OK);
    CHECK_RC(a2f_t_payloadf("{\"created\":%lld%.0lld}", A2F_T_NOW - 300, 0),
             A2F_OK);
    CHECK_RC(a2f_t_payloadf("{\"created\":%lld%.0lld}", A2F_T_NOW - 301, 0),
             A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_payloadf("{\"created\":%lld%.0lld}", A2F_T_NOW + 301, 0),
             A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_payloadf("{\"created\":%lld.75%.0lld}", A2F_T_NOW, 0),
             A2F_OK);

    /* created in milliseconds (over 1e11), as JavaScript's Date.now() */

    CHECK_RC(a2f_t_payloadf("{\"created\":%lld%.0lld}",
                            A2F_T_NOW * 1000 + 999, 0), A2F_OK);
    CHECK_RC(a2f_t_payloadf("{\"created\":%lld%.0lld}",
                            (A2F_T_NOW - 300) * 1000, 0), A2F_OK);
    CHECK_RC(a2f_t_payloadf("{\"created\":%lld%.0lld}",
                            (A2F_T_NOW - 301) * 1000, 0), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_payloadf("{\"created\":%lld%.0lld}",
                            (A2F_T_NOW + 302) * 1000, 0), A2F_ERR_EXPIRED);

    /* 1e11 itself is seconds (year 5138), just over it milliseconds */

    CHECK_RC(a2f_t_payloadf("{\"created\":%lld%.0lld}", 100000000000LL, 0),
             A2F_ERR_EXPIRED);

    /* nothing to tell the age by */

    CHECK_RC(a2f_t_payload("{}"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_payload("{\"email\":\"user@me.com\"}"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("WedPMUTCE_183C"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created(""), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("yesterday"), A2F_ERR_EXPIRED);
}


/* created as ISO 8601 / RFC 3339, no exp, at A2F_T_NOW = 10:00:00Z */

static void
a2f_t_times_iso(void)
{
    CHECK_RC(a2f_t_created("2024-05-01T10:00:00Z"), A2F_OK);
    CHECK_RC(a2f_t_created("2024-05-01T10:00:00+00:00"), A2F_OK);
    CHECK_RC(a2f_t_created("2024-05-01T10:00:00-00:00"), A2F_OK);
    CHECK_RC(a2f_t_created("2024-05-01T10:00:00+0000"), A2F_OK);
    CHECK_RC(a2f_t_created("2024-05-01T10:00:00.000Z"), A2F_OK);
    CHECK_RC(a2f_t_created("2024-05-01T10:00:00.1234567Z"), A2F_OK);
    CHECK_RC(a2f_t_created("2024-05-01T10:00:00.123456789+00:00"), A2F_OK);
    CHECK_RC(a2f_t_created("2024-05-01T09:55:00Z"), A2F_OK);
    CHECK_RC(a2f_t_created("2024-05-01T10:05:00Z"), A2F_OK);

    /* other offsets: the same instant */

    CHECK_RC(a2f_t_created("2024-05-01T12:00:00+02:00"), A2F_OK);
    CHECK_RC(a2f_t_created("2024-05-01T12:00:00+0200"), A2F_OK);
    CHECK_RC(a2f_t_created("2024-05-01T05:30:00-04:30"), A2F_OK);
    CHECK_RC(a2f_t_created("2024-04-30T23:00:00-11:00"), A2F_OK);
    CHECK_RC(a2f_t_created("2024-05-01T10:00:00+02:00"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-01T12:00:00Z"), A2F_ERR_EXPIRED);

    /* out of the window */

    CHECK_RC(a2f_t_created("2024-05-01T09:54:59Z"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-01T10:05:01Z"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-01T09:54:59.999Z"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2023-05-01T10:00:00Z"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("1970-01-01T00:00:00Z"), A2F_ERR_EXPIRED);

    /* not dates: no time to judge by */

    CHECK_RC(a2f_t_created("2024-05-01T10:00:00"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-01 10:00:00Z"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-01t10:00:00z"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-01T10:00Z"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-5-01T10:00:00Z"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-01T10:00:00.Z"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-01T10:00:00.1234567890Z"),
             A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-01T10:00:00ZZ"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-01T10:00:00Z "), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created(" 2024-05-01T10:00:00Z"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-01T10:00:00+02"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-01T10:00:00+2:00"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-01T10:00:00+24:00"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-01T10:00:00+00:60"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-01T10:00:00+00-00"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-01T24:00:00Z"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-01T10:60:00Z"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-01T10:00:60Z"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-13-01T10:00:00Z"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-00-01T10:00:00Z"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-00T10:00:00Z"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-04-31T10:00:00Z"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("1969-12-31T23:59:59Z"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("+2024-05-01T10:00:00Z"), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_created("2024-05-01T10:00:0\xd9\xa0Z"), A2F_ERR_EXPIRED);
}


/* the calendar: leap days, year ends, against a fixed now each */

static int
a2f_t_iso_at(const char *s, int64_t now)
{
    char  payload[256], jwt[A2F_T_TOKEN_MAX];

    (void) snprintf(payload, sizeof(payload), "{\"created\":\"%s\"}", s);
    a2f_t_jwt(A2F_T_HS256, payload, jwt);

    return a2f_t_verify_at(jwt, now, NULL);
}


static void
a2f_t_calendar(void)
{
    /* values of Python's calendar.timegm() */

    CHECK_RC(a2f_t_iso_at("2024-02-29T00:00:00Z", 1709164800), A2F_OK);
    CHECK_RC(a2f_t_iso_at("2000-02-29T12:34:56Z", 951827696), A2F_OK);
    CHECK_RC(a2f_t_iso_at("2023-12-31T23:59:59Z", 1704067199), A2F_OK);
    CHECK_RC(a2f_t_iso_at("2024-01-01T00:00:00+01:00", 1704063600), A2F_OK);
    CHECK_RC(a2f_t_iso_at("2038-01-19T03:14:08Z", 2147483648LL), A2F_OK);
    CHECK_RC(a2f_t_iso_at("2106-02-07T06:28:16Z", 4294967296LL), A2F_OK);
    CHECK_RC(a2f_t_iso_at("9999-12-31T23:59:59Z", 253402300799LL), A2F_OK);
    CHECK_RC(a2f_t_iso_at("1970-01-01T00:05:00Z", 0), A2F_OK);
    CHECK_RC(a2f_t_iso_at("1970-01-01T00:05:01Z", 0), A2F_ERR_EXPIRED);

    /* no Feb 29 in 1900, 2023, 2100; Feb 29 in 2000, 2400 */

    CHECK_RC(a2f_t_iso_at("2023-02-29T00:00:00Z", 1677628800),
             A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_iso_at("2100-02-29T00:00:00Z", 4107542400LL),
             A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_iso_at("2400-02-29T00:00:00Z", 13574563200LL), A2F_OK);

    /* the clock out of range */

    CHECK_RC(a2f_t_iso_at("1970-01-01T00:00:00Z", -1), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_iso_at("1970-01-01T00:00:00Z", INT64_MIN),
             A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_iso_at("9999-12-31T23:59:59Z", INT64_MAX),
             A2F_ERR_EXPIRED);
}


/* -- the header ------------------------------------------------------------ */


static int
a2f_t_header(const char *header)
{
    char  jwt[A2F_T_TOKEN_MAX];

    a2f_t_jwt(header, "{\"iat\":1714557600}", jwt);

    return a2f_t_verify(jwt);
}


static void
a2f_t_alg(void)
{
    char  jwt[A2F_T_TOKEN_MAX];

    CHECK_RC(a2f_t_header("{\"alg\":\"HS256\"}"), A2F_OK);
    CHECK_RC(a2f_t_header("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"), A2F_OK);
    CHECK_RC(a2f_t_header("{\"alg\":\"HS256\",\"kid\":\"k1\",\"x\":[1]}"),
             A2F_OK);

    /* signed right, but with another alg named */

    CHECK_RC(a2f_t_header("{\"alg\":\"none\"}"), A2F_ERR_AUTH);
    CHECK_RC(a2f_t_header("{\"alg\":\"None\"}"), A2F_ERR_AUTH);
    CHECK_RC(a2f_t_header("{\"alg\":\"HS512\"}"), A2F_ERR_AUTH);
    CHECK_RC(a2f_t_header("{\"alg\":\"HS384\"}"), A2F_ERR_AUTH);
    CHECK_RC(a2f_t_header("{\"alg\":\"RS256\"}"), A2F_ERR_AUTH);
    CHECK_RC(a2f_t_header("{\"alg\":\"ES256\"}"), A2F_ERR_AUTH);
    CHECK_RC(a2f_t_header("{\"alg\":\"hs256\"}"), A2F_ERR_AUTH);
    CHECK_RC(a2f_t_header("{\"alg\":\"HS256 \"}"), A2F_ERR_AUTH);
    CHECK_RC(a2f_t_header("{\"alg\":\"HS2560\"}"), A2F_ERR_AUTH);
    CHECK_RC(a2f_t_header("{\"alg\":\"HS25\"}"), A2F_ERR_AUTH);
    CHECK_RC(a2f_t_header("{\"alg\":\"\"}"), A2F_ERR_AUTH);
    CHECK_RC(a2f_t_header("{\"alg\":\"HS256\\u0000\"}"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_header("{\"typ\":\"JWT\"}"), A2F_ERR_AUTH);
    CHECK_RC(a2f_t_header("{}"), A2F_ERR_AUTH);
    CHECK_RC(a2f_t_header("{\"alg\":null}"), A2F_ERR_AUTH);
    CHECK_RC(a2f_t_header("{\"alg\":256}"), A2F_ERR_AUTH);
    CHECK_RC(a2f_t_header("{\"alg\":[\"HS256\"]}"), A2F_ERR_AUTH);
    CHECK_RC(a2f_t_header("{\"alg\":{\"HS256\":1}}"), A2F_ERR_AUTH);
    CHECK_RC(a2f_t_header("{\"ALG\":\"HS256\"}"), A2F_ERR_AUTH);

    /* "none" with no signature, the classic */

    a2f_t_jwt_md(NULL, "{\"alg\":\"none\",\"typ\":\"JWT\"}",
                 "{\"iat\":1714557600}", NULL, jwt);
    CHECK_RC(a2f_t_verify(jwt), A2F_ERR_AUTH);

    /* HS256 named, no signature */

    a2f_t_jwt_md(NULL, A2F_T_HS256, "{\"iat\":1714557600}", NULL, jwt);
    CHECK_RC(a2f_t_verify(jwt), A2F_ERR_AUTH);

    /* HS512 named and signed with HMAC-SHA512 under the secret */

    a2f_t_jwt_md(EVP_sha512(), "{\"alg\":\"HS512\"}", "{\"iat\":1714557600}",
                 A2F_T_SECRET, jwt);
    CHECK_RC(a2f_t_verify(jwt), A2F_ERR_AUTH);

    /* HS256 named, signed with HMAC-SHA512 */

    a2f_t_jwt_md(EVP_sha512(), A2F_T_HS256, "{\"iat\":1714557600}",
                 A2F_T_SECRET, jwt);
    CHECK_RC(a2f_t_verify(jwt), A2F_ERR_AUTH);

    /* typ: JWT or nothing; crit: never */

    CHECK_RC(a2f_t_header("{\"alg\":\"HS256\",\"typ\":\"jwt\"}"),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_header("{\"alg\":\"HS256\",\"typ\":\"JWS\"}"),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_header("{\"alg\":\"HS256\",\"typ\":\"\"}"),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_header("{\"alg\":\"HS256\",\"typ\":1}"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_header("{\"alg\":\"HS256\",\"typ\":null}"),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_header("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}"),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_header("{\"alg\":\"HS256\",\"crit\":[]}"),
             A2F_ERR_INVALID);

    /* duplicate members: the second "alg" never wins */

    CHECK_RC(a2f_t_header("{\"alg\":\"HS256\",\"alg\":\"none\"}"),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_header("{\"alg\":\"none\",\"alg\":\"HS256\"}"),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_header("{\"alg\":\"HS256\",\"typ\":\"JWT\","
                          "\"typ\":\"JWT\"}"), A2F_ERR_INVALID);

    /* not an object, not JSON */

    CHECK_RC(a2f_t_header("[\"HS256\"]"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_header("\"HS256\""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_header("{\"alg\":\"HS256\""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_header("{\"alg\":\"HS256\"} x"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_header("{'alg':'HS256'}"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_header("{\"alg\":\"HS\xff\"}"), A2F_ERR_INVALID);
}


/* -- the payload ----------------------------------------------------------- */


static void
a2f_t_claims(void)
{
    char              payload[1024], big[300];
    size_t            i;
    a2f_jwt_claims_t  c;
    char              jwt[A2F_T_TOKEN_MAX];

    /* string claims: strings only */

    CHECK_RC(a2f_t_payload("{\"iat\":1714557600,\"email\":1}"),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"iat\":1714557600,\"email\":null}"),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"iat\":1714557600,\"email\":true}"),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"iat\":1714557600,\"email\":[\"a\"]}"),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"iat\":1714557600,\"accountRequester\":{}}"),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"iat\":1714557600,\"apiUniqueId\":7}"),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"iat\":1714557600,\"email\":\"a\\u0000b\"}"),
             A2F_ERR_INVALID);

    /* times: numbers in 0..A2F_JWT_TIME_MAX only */

    CHECK_RC(a2f_t_payload("{\"exp\":\"1714557900\"}"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"exp\":true}"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"exp\":null}"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"exp\":[1714557900]}"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"exp\":-1}"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"exp\":-0.5}"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"exp\":1e300}"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"exp\":253402300800000}"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"exp\":99999999999999999999999}"),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"iat\":\"now\"}"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"iat\":false}"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"nbf\":\"0\",\"iat\":1714557600}"),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"created\":true}"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"created\":null}"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"created\":{}}"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"created\":-1714557600}"), A2F_ERR_INVALID);

    /* a bad type is refused even where the value would not be used */

    CHECK_RC(a2f_t_payloadf("{\"created\":[],\"iat\":%lld,\"exp\":%lld}",
                            A2F_T_NOW, A2F_T_NOW + 300), A2F_ERR_INVALID);

    /* 256 bytes: kept whole; 257: refused */

    memset(big, 'e', 256);
    big[256] = '\0';
    (void) snprintf(payload, sizeof(payload),
                    "{\"iat\":1714557600,\"email\":\"%s\","
                    "\"accountRequester\":\"%s\",\"apiUniqueId\":\"%s\"}",
                    big, big, big);
    a2f_t_jwt(A2F_T_HS256, payload, jwt);
    CHECK_RC(a2f_t_verify_at(jwt, A2F_T_NOW, &c), A2F_OK);
    CHECK(c.email_len == 256 && strlen(c.email) == 256);
    CHECK(c.account_requester_len == 256 && c.api_unique_id_len == 256);

    big[256] = 'e';
    big[257] = '\0';

    (void) snprintf(payload, sizeof(payload),
                    "{\"iat\":1714557600,\"email\":\"%s\"}", big);
    CHECK_RC(a2f_t_payload(payload), A2F_ERR_INVALID);
    (void) snprintf(payload, sizeof(payload),
                    "{\"iat\":1714557600,\"accountRequester\":\"%s\"}", big);
    CHECK_RC(a2f_t_payload(payload), A2F_ERR_INVALID);
    (void) snprintf(payload, sizeof(payload),
                    "{\"iat\":1714557600,\"apiUniqueId\":\"%s\"}", big);
    CHECK_RC(a2f_t_payload(payload), A2F_ERR_INVALID);
    (void) snprintf(payload, sizeof(payload),
                    "{\"iat\":1714557600,\"created\":\"%s\"}", big);
    CHECK_RC(a2f_t_payload(payload), A2F_ERR_INVALID);

    /* 256 bytes of UTF-8 (128 two-byte letters) */

    for (i = 0; i < 256; i += 2) {
        big[i] = '\xc3';
        big[i + 1] = '\xa9';
    }

    big[256] = '\0';
    (void) snprintf(payload, sizeof(payload),
                    "{\"iat\":1714557600,\"email\":\"%s\"}", big);
    a2f_t_jwt(A2F_T_HS256, payload, jwt);
    CHECK_RC(a2f_t_verify_at(jwt, A2F_T_NOW, &c), A2F_OK);
    CHECK(c.email_len == 256 && memcmp(c.email, big, 257) == 0);

    /* absent claims: empty, no bits */

    a2f_t_jwt(A2F_T_HS256, "{\"iat\":1714557600,\"other\":{\"x\":[]}}", jwt);
    memset(&c, 0xff, sizeof(c));
    CHECK_RC(a2f_t_verify_at(jwt, A2F_T_NOW, &c), A2F_OK);
    CHECK(c.has == A2F_JWT_HAS_IAT);
    CHECK(c.email[0] == '\0' && c.email_len == 0);
    CHECK(c.account_requester[0] == '\0' && c.api_unique_id[0] == '\0');

    /* duplicate keys, once signed right */

    CHECK_RC(a2f_t_payload("{\"iat\":1714557600,\"iat\":1714557600}"),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"iat\":1714557600,\"email\":\"a\","
                           "\"email\":\"b\"}"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"exp\":1,\"exp\":1714557900}"),
             A2F_ERR_INVALID);

    /* not an object; not JSON */

    CHECK_RC(a2f_t_payload("[1714557600]"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("1714557600"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("null"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"iat\":1714557600"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"iat\":1714557600}{}"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_payload("{\"email\":\"\xc3\"}"), A2F_ERR_INVALID);

    /* on refusal (not expiry), nothing is left in c */

    a2f_t_jwt(A2F_T_HS256, "{\"email\":\"x@y\",\"iat\":\"now\"}", jwt);
    memset(&c, 0xff, sizeof(c));
    CHECK_RC(a2f_t_verify_at(jwt, A2F_T_NOW, &c), A2F_ERR_INVALID);
    CHECK(c.has == 0 && c.email[0] == '\0' && c.email_len == 0);
}


/* -- the syntax, and every single change ----------------------------------- */


static void
a2f_t_syntax(void)
{
    char        jwt[A2F_T_TOKEN_MAX], bad[A2F_T_TOKEN_MAX + 8];
    char       *d1, *d2;
    size_t      n;
    const char  *g;

    g = A2F_T_GOLDEN;
    n = strlen(g);
    d1 = strchr(g, '.');
    d2 = strchr(d1 + 1, '.');

    /* padding, anywhere */

    (void) snprintf(bad, sizeof(bad), "%.*s=%s", (int) (d1 - g), g, d1);
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_INVALID);
    (void) snprintf(bad, sizeof(bad), "%.*s==%s", (int) (d2 - g), g, d2);
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_INVALID);
    (void) snprintf(bad, sizeof(bad), "%s=", g);
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_INVALID);

    /* the header "{"typ":"JWT","alg":"HS256"}" is 27 bytes: padded "=" */

    a2f_t_jwt(A2F_T_HS256, "{\"iat\":1714557600}", jwt);
    CHECK_RC(a2f_t_verify(jwt), A2F_OK);
    d1 = strchr(jwt, '.');
    (void) snprintf(bad, sizeof(bad), "%.*s=%s", (int) (d1 - jwt), jwt, d1);
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_INVALID);

    /* standard base64 and other bytes */

    (void) snprintf(bad, sizeof(bad), "%s", g);
    bad[n - 1] = '+';
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_INVALID);
    bad[n - 1] = '/';
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_INVALID);
    (void) snprintf(bad, sizeof(bad), "%s", g);
    bad[3] = '+';
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_INVALID);
    bad[3] = ' ';
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_INVALID);
    bad[3] = '\0';
    CHECK_RC(a2f_jwt_verify(bad, n, (const uint8_t *) A2F_T_SECRET,
                            sizeof(A2F_T_SECRET) - 1, A2F_T_NOW, NULL, NULL,
                            0), A2F_ERR_INVALID);

    /* parts */

    CHECK_RC(a2f_t_verify(""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_verify("."), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_verify(".."), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_verify("..."), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_verify("abc"), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_verify("abc.def"), A2F_ERR_INVALID);

    (void) snprintf(bad, sizeof(bad), "%s.", g);
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_INVALID);
    (void) snprintf(bad, sizeof(bad), "%s.%s", g, d2 + 1);
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_INVALID);
    (void) snprintf(bad, sizeof(bad), ".%s", g);
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_INVALID);
    (void) snprintf(bad, sizeof(bad), "%.*s%s", (int) (d1 - g), g, d2);
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_INVALID);            /* a.sig    */
    (void) snprintf(bad, sizeof(bad), "%.*s.%s", (int) (d1 - g), g, d2);
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_INVALID);            /* a..sig   */
    (void) snprintf(bad, sizeof(bad), "%s", d1);
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_INVALID);            /* .p.sig   */

    /* the signature: missing, short, long, of another text */

    (void) snprintf(bad, sizeof(bad), "%.*s.", (int) (d2 - g), g);
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_AUTH);
    (void) snprintf(bad, sizeof(bad), "%.*s.AA", (int) (d2 - g), g);
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_AUTH);
    (void) snprintf(bad, sizeof(bad), "%sA", g);
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_AUTH);               /* 33 bytes  */
    (void) snprintf(bad, sizeof(bad), "%sAAAA", g);
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_AUTH);               /* 35 bytes  */
    (void) snprintf(bad, sizeof(bad), "%.*s.AAAA", (int) (d2 - g), g);
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_AUTH);               /* 3 bytes   */
    (void) snprintf(bad, sizeof(bad), "%.*s.%.42sB", (int) (d2 - g), g,
                    d2 + 1);
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_INVALID);            /* bits set  */
    a2f_t_jwt(A2F_T_HS256, "{\"iat\":1714557601}", jwt);
    (void) snprintf(bad, sizeof(bad), "%.*s%s", (int) (d2 - g), g,
                    strrchr(jwt, '.'));
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_AUTH);

    /* the MAC is checked before the payload is read */

    a2f_t_jwt(A2F_T_HS256, "not JSON at all", jwt);
    CHECK_RC(a2f_t_verify(jwt), A2F_ERR_INVALID);
    n = strlen(jwt);
    jwt[n - 2] = (char) (jwt[n - 2] == 'A' ? 'B' : 'A');
    CHECK_RC(a2f_t_verify(jwt), A2F_ERR_AUTH);

    /* lengths: at most A2F_JWT_MAX */

    CHECK_RC(a2f_jwt_verify(g, 0, (const uint8_t *) A2F_T_SECRET,
                            sizeof(A2F_T_SECRET) - 1, A2F_T_NOW, NULL, NULL,
                            0), A2F_ERR_INVALID);
    CHECK_RC(a2f_jwt_verify(g, A2F_JWT_MAX + 1,
                            (const uint8_t *) A2F_T_SECRET,
                            sizeof(A2F_T_SECRET) - 1, A2F_T_NOW, NULL, NULL,
                            0), A2F_ERR_INVALID);

    /* arguments */

    CHECK_RC(a2f_jwt_verify(NULL, 10, (const uint8_t *) A2F_T_SECRET,
                            sizeof(A2F_T_SECRET) - 1, A2F_T_NOW, NULL, NULL,
                            0), A2F_ERR_INVALID);
    CHECK_RC(a2f_jwt_verify(g, strlen(g), NULL, 1, A2F_T_NOW, NULL, NULL, 0),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_jwt_verify(g, strlen(g), (const uint8_t *) A2F_T_SECRET, 0,
                            A2F_T_NOW, NULL, NULL, 0), A2F_ERR_INVALID);
    CHECK_RC(a2f_jwt_verify(g, strlen(g), (const uint8_t *) A2F_T_SECRET,
                            A2F_JWT_SECRET_MAX + 1, A2F_T_NOW, NULL, NULL,
                            0), A2F_ERR_INVALID);
}


/* the longest token: a 4096-byte JWT verifies, one more byte does not */

static void
a2f_t_longest(void)
{
    int     rc;
    char    payload[3100], jwt[A2F_T_TOKEN_MAX];
    size_t  n, pad;

    n = 0;

    /* 27-byte header: 36 chars; payload p bytes: ceil(4p/3); sig 43 */

    for (pad = 2900; pad < 3100 - 64; pad++) {
        (void) snprintf(payload, sizeof(payload),
                        "{\"iat\":1714557600,\"x\":\"%0*d\"}", (int) pad, 0);
        a2f_t_jwt(A2F_T_HS256, payload, jwt);
        n = strlen(jwt);

        if (n >= A2F_JWT_MAX) {
            break;
        }
    }

    if (n == A2F_JWT_MAX) {
        CHECK_RC(a2f_t_verify(jwt), A2F_OK);

    } else {
        CHECK(n == A2F_JWT_MAX + 1);
        CHECK_RC(a2f_t_verify(jwt), A2F_ERR_INVALID);
    }

    /* one byte more: refused by its length alone */

    (void) snprintf(payload, sizeof(payload),
                    "{\"iat\":1714557600,\"x\":\"%0*d\"}", (int) pad + 1, 0);
    a2f_t_jwt(A2F_T_HS256, payload, jwt);
    CHECK(strlen(jwt) > A2F_JWT_MAX);
    rc = a2f_t_verify(jwt);
    CHECK_RC(rc, A2F_ERR_INVALID);
}


/*
 * Every byte changed (three ways), every truncation, each part
 * swapped in from another good token: never accepted.
 */

static void
a2f_t_every_byte(void)
{
    int         rc, ok;
    char        bad[A2F_T_TOKEN_MAX], other[A2F_T_TOKEN_MAX];
    char       *d1, *d2, *e1, *e2;
    size_t      i, k, n;
    const char  *g;

    static const uint8_t  flips[] = { 0x01, 0x20, 0x80 };

    g = A2F_T_GOLDEN;
    n = strlen(g);
    ok = 1;

    for (i = 0; i < n; i++) {
        for (k = 0; k < sizeof(flips); k++) {
            memcpy(bad, g, n + 1);
            bad[i] = (char) (bad[i] ^ flips[k]);

            rc = a2f_jwt_verify(bad, n, (const uint8_t *) A2F_T_SECRET,
                                sizeof(A2F_T_SECRET) - 1, A2F_T_NOW, NULL,
                                NULL, 0);

            if (rc == A2F_OK) {
                fprintf(stderr, "byte %zu ^ 0x%02x accepted\n", i, flips[k]);
                ok = 0;
            }
        }

        rc = a2f_jwt_verify(g, i, (const uint8_t *) A2F_T_SECRET,
                            sizeof(A2F_T_SECRET) - 1, A2F_T_NOW, NULL, NULL,
                            0);

        if (rc == A2F_OK) {
            fprintf(stderr, "first %zu bytes accepted\n", i);
            ok = 0;
        }
    }

    CHECK(ok);

    /* the parts of two good tokens do not mix */

    a2f_t_jwt("{\"alg\":\"HS256\"}",
              "{\"iat\":1714557600,\"email\":\"eve@me.com\"}", other);
    CHECK_RC(a2f_t_verify(other), A2F_OK);

    d1 = strchr(g, '.');
    d2 = strchr(d1 + 1, '.');
    e1 = strchr(other, '.');
    e2 = strchr(e1 + 1, '.');

    (void) snprintf(bad, sizeof(bad), "%.*s%s", (int) (d2 - g), g, e2);
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_AUTH);
    (void) snprintf(bad, sizeof(bad), "%.*s%.*s%s", (int) (d1 - g), g,
                    (int) (e2 - e1), e1, d2);
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_AUTH);
    (void) snprintf(bad, sizeof(bad), "%.*s%s", (int) (e1 - other), other,
                    d1);
    CHECK_RC(a2f_t_verify(bad), A2F_ERR_AUTH);
}


/* -- Bearer <apiKey>:<JWT> ------------------------------------------------- */


static int
a2f_t_split(const char *value, const char *key, const char *jwt)
{
    int          rc;
    size_t       klen, jlen;
    const char  *k, *j;

    k = NULL;
    j = NULL;
    klen = 12345;
    jlen = 12345;

    rc = a2f_api_bearer_split(value, strlen(value), &k, &klen, &j, &jlen);

    if (rc != A2F_OK) {
        CHECK(k == NULL && j == NULL && klen == 12345 && jlen == 12345);
        return rc;
    }

    CHECK(k >= value && k + klen <= value + strlen(value));
    CHECK(j >= value && j + jlen == value + strlen(value));
    CHECK(klen == strlen(key) && memcmp(k, key, klen) == 0);
    CHECK(jlen == strlen(jwt) && memcmp(j, jwt, jlen) == 0);

    return rc;
}


static void
a2f_t_bearer(void)
{
    char         v[A2F_JWT_MAX + 128], key[80], jwt[A2F_JWT_MAX + 8];
    size_t       klen, jlen;
    const char  *k, *j;

    CHECK_RC(a2f_t_split("Bearer k3y-1:" A2F_T_GOLDEN, "k3y-1",
                         A2F_T_GOLDEN), A2F_OK);
    CHECK_RC(a2f_t_split("bearer k:j", "k", "j"), A2F_OK);
    CHECK_RC(a2f_t_split("BEARER k:j", "k", "j"), A2F_OK);
    CHECK_RC(a2f_t_split("bEaReR k:j", "k", "j"), A2F_OK);
    CHECK_RC(a2f_t_split("Bearer !~\"#$%&'()*+,-./;<=>?@[\\]^_`{|}:a.b.c",
                         "!~\"#$%&'()*+,-./;<=>?@[\\]^_`{|}", "a.b.c"),
             A2F_OK);

    /* the first ':' ends the key; the JWT may hold one (verify refuses) */

    CHECK_RC(a2f_t_split("Bearer k:j:x", "k", "j:x"), A2F_OK);
    CHECK_RC(a2f_t_split("Bearer k::", "k", ":"), A2F_OK);

    /* refused */

    CHECK_RC(a2f_t_split("", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearer", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearer ", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearer k", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearer k:", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearer :j", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearer :", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearer  k:j", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearer\tk:j", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearerk:j", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split(" Bearer k:j", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearer k:j ", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearer k :j", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearer k: j", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearer k k:j", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearer k:j\r\nX: y", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearer k\x01:j", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearer k\x7f:j", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearer k\xc3\xa9:j", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearer k:j\xff", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Basic k:j", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearex k:j", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Bearer: k:j", "", ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_split("Token k:j", "", ""), A2F_ERR_INVALID);

    /* a NUL inside (the length says where the value ends) */

    CHECK_RC(a2f_api_bearer_split("Bearer k\0x:j", 12, &k, &klen, &j, &jlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_api_bearer_split("Bearer k:j\0", 11, &k, &klen, &j, &jlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_api_bearer_split("Bearer k:j\0", 10, &k, &klen, &j, &jlen),
             A2F_OK);

    /* NULL arguments */

    CHECK_RC(a2f_api_bearer_split(NULL, 10, &k, &klen, &j, &jlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_api_bearer_split("Bearer k:j", 10, NULL, &klen, &j, &jlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_api_bearer_split("Bearer k:j", 10, &k, NULL, &j, &jlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_api_bearer_split("Bearer k:j", 10, &k, &klen, NULL, &jlen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_api_bearer_split("Bearer k:j", 10, &k, &klen, &j, NULL),
             A2F_ERR_INVALID);

    /* the key: 1..64 bytes */

    memset(key, 'K', 64);
    key[64] = '\0';
    (void) snprintf(v, sizeof(v), "Bearer %s:j", key);
    CHECK_RC(a2f_t_split(v, key, "j"), A2F_OK);
    (void) snprintf(v, sizeof(v), "Bearer %sK:j", key);
    CHECK_RC(a2f_t_split(v, "", ""), A2F_ERR_INVALID);

    /* the JWT: 1..4096 bytes */

    memset(jwt, 'J', A2F_JWT_MAX);
    jwt[A2F_JWT_MAX] = '\0';
    (void) snprintf(v, sizeof(v), "Bearer %s:%s", key, jwt);
    CHECK_RC(a2f_t_split(v, key, jwt), A2F_OK);
    (void) snprintf(v, sizeof(v), "Bearer k:%s", jwt);
    CHECK_RC(a2f_t_split(v, "k", jwt), A2F_OK);
    (void) snprintf(v, sizeof(v), "Bearer k:%sJ", jwt);
    CHECK_RC(a2f_t_split(v, "", ""), A2F_ERR_INVALID);
    (void) snprintf(v, sizeof(v), "Bearer %s:%sJ", key, jwt);
    CHECK_RC(a2f_t_split(v, "", ""), A2F_ERR_INVALID);
}


int
main(int argc, char **argv)
{
    a2f_t_golden();
    a2f_t_sdk_shapes();
    a2f_t_times_exp();
    a2f_t_times_no_exp();
    a2f_t_times_iso();
    a2f_t_calendar();
    a2f_t_alg();
    a2f_t_claims();
    a2f_t_syntax();
    a2f_t_longest();
    a2f_t_every_byte();
    a2f_t_bearer();

    return a2f_test_done(argv[0]);
}
