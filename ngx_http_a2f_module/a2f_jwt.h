
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_jwt.h: API client authentication of the auth2factor wire contract
 * (../shared/design/AUTH2FACTOR-API.md): the Authorization header
 *
 *     Bearer <apiKey>:<JWT>
 *
 * where the JWT is a compact JWS (RFC 7515, RFC 7519) signed with
 * HMAC-SHA256 under the API client's secret, with the payload
 *
 *     {"accountRequester", "email", "apiUniqueId", "created"}
 *
 * and, from PHP SDK 1.3.0 on, "iat" and "exp" (exp = iat + 300).  SDKs
 * before 1.3.0 send no "exp" and a "created" date; 1.3.0 sends a
 * "created" that is not a date at all.
 *
 * Plain C, no nginx types; OpenSSL (HMAC), jansson (JSON).
 */

#ifndef _A2F_JWT_H_INCLUDED_
#define _A2F_JWT_H_INCLUDED_


#include "a2f_common.h"


#define A2F_API_KEY_MAX      64     /* apiKey bytes                         */
#define A2F_JWT_MAX          4096   /* JWT text bytes                       */
#define A2F_JWT_CLAIM_MAX    256    /* bytes of a string claim, without NUL */
#define A2F_JWT_SECRET_MAX   1024   /* bytes of an API client's secret      */

#define A2F_JWT_SKEW         60     /* iat, nbf: seconds ahead of now       */
#define A2F_JWT_WINDOW       300    /* no exp: iat or created within this   */
                                    /* many seconds of now, either side     */
#define A2F_JWT_EXP_MAX      3600   /* exp at most this far ahead of now    */

/*
 * The largest time value read from a claim: 9999-12-31T23:59:59Z in
 * milliseconds.  Larger and negative numbers are refused.
 */
#define A2F_JWT_TIME_MAX     INT64_C(253402300799999)

/* a2f_jwt_claims_t.has: the claims present (times: read as numbers) */
#define A2F_JWT_HAS_REQUESTER  0x01   /* accountRequester                   */
#define A2F_JWT_HAS_EMAIL      0x02
#define A2F_JWT_HAS_UNIQUE_ID  0x04   /* apiUniqueId                        */
#define A2F_JWT_HAS_IAT        0x08
#define A2F_JWT_HAS_EXP        0x10
#define A2F_JWT_HAS_NBF        0x20
#define A2F_JWT_HAS_CREATED    0x40   /* "created" is there (of any shape)  */
#define A2F_JWT_CREATED_TIME   0x80   /* ... and was read as a time         */


typedef struct {
    unsigned  has;                    /* A2F_JWT_HAS_*, A2F_JWT_CREATED_TIME */

    /* NUL-terminated; "" (length 0) when absent */
    char      account_requester[A2F_JWT_CLAIM_MAX + 1];
    size_t    account_requester_len;
    char      email[A2F_JWT_CLAIM_MAX + 1];
    size_t    email_len;
    char      api_unique_id[A2F_JWT_CLAIM_MAX + 1];
    size_t    api_unique_id_len;

    /* Unix seconds; 0 unless the matching bit of has is set */
    int64_t   iat;
    int64_t   exp;
    int64_t   nbf;
    int64_t   created;                /* with A2F_JWT_CREATED_TIME          */
} a2f_jwt_claims_t;


/*
 * Split an Authorization header value of the form
 *
 *     Bearer <apiKey>:<JWT>
 *
 * The scheme "Bearer" in any case, then exactly one space; apiKey is
 * 1..A2F_API_KEY_MAX bytes of printable ASCII (0x21..0x7e) other than
 * ':'; the first ':' ends it; the JWT is the rest, 1..A2F_JWT_MAX bytes
 * of printable ASCII (0x21..0x7e); a2f_jwt_verify() reads it further.
 * Nothing may follow (no trailing space).
 *
 * value/len    the header value (not NUL-terminated).
 * api_key      on A2F_OK, points into value; key_len its length.
 * jwt          on A2F_OK, points into value; jwt_len its length.
 *              All four are untouched on failure.
 *
 * Returns A2F_OK or A2F_ERR_INVALID (also for a NULL argument).
 */
int a2f_api_bearer_split(const char *value, size_t len,
    const char **api_key, size_t *key_len, const char **jwt,
    size_t *jwt_len);

/*
 * Verify an API client's JWT and read its claims.
 *
 * Syntax: 1..A2F_JWT_MAX bytes, three base64url parts (RFC 4648 section
 * 5, no padding: '=' is refused, as are '+', '/', white space and
 * non-zero trailing bits) separated by two '.'.  The header and the
 * payload are JSON objects (jansson, duplicate keys refused).
 *
 * Header: "alg" must be the string "HS256" exactly ("none", "HS512",
 * "RS256", a missing or a non-string alg: refused); "typ", when present,
 * must be the string "JWT"; "crit" must not be present.  Other members
 * (such as "kid") are ignored.
 *
 * Signature: HMAC-SHA256(secret, header "." payload), over the base64url
 * text as sent, compared in constant time (CRYPTO_memcmp) with the
 * third part, which must decode to 32 bytes.  Only then is the payload
 * decoded and read.
 *
 * Payload claims, all optional, other members ignored:
 *   accountRequester, email, apiUniqueId   strings of at most
 *       A2F_JWT_CLAIM_MAX bytes without NUL, copied NUL-terminated into c
 *   iat, exp, nbf   numbers (integer, or real: rounded down) in
 *       0..A2F_JWT_TIME_MAX, Unix seconds
 *   created   a string or a number (0..A2F_JWT_TIME_MAX).  As a time:
 *       a number is seconds, or milliseconds when it is over 1e11; a
 *       string is an ISO 8601 / RFC 3339 date and time
 *       "YYYY-MM-DDTHH:MM:SS", optionally ".fraction" (1..9 digits,
 *       dropped), then "Z", "+00:00", or another offset "+HH:MM",
 *       "-HH:MM", "+HHMM", "-HHMM" (hours 0..23, minutes 0..59: converted
 *       to UTC, as PHP's date(DATE_W3C) writes the server's own zone),
 *       years 1970..9999.  Any other string (at most A2F_JWT_CLAIM_MAX
 *       bytes) is accepted as "not a date": A2F_JWT_HAS_CREATED without
 *       A2F_JWT_CREATED_TIME.
 *   A string claim of another JSON type (null included), an over-long
 *   string, or a time that is not a number in range is A2F_ERR_INVALID.
 *
 * Time rules (now in 0..A2F_JWT_TIME_MAX, else A2F_ERR_EXPIRED):
 *   nbf present: nbf <= now + A2F_JWT_SKEW.
 *   exp present: now < exp, exp - now <= A2F_JWT_EXP_MAX (no far-future
 *       tokens), and iat, when present, <= now + A2F_JWT_SKEW.  created
 *       is not looked at (it need not be a date: PHP SDK 1.3.0).
 *   exp absent: iat when present, else created read as a time, must be
 *       within A2F_JWT_WINDOW seconds of now, either side.  Neither (no
 *       iat, no created, or a created that is not a date): refused.
 *
 * jwt/len       the JWT text (not NUL-terminated).
 * secret        the API client's secret, 1..A2F_JWT_SECRET_MAX bytes.
 * now           the current Unix time.
 * c             receives the claims on A2F_OK and A2F_ERR_EXPIRED (for a
 *               log line); all zero on every other return.  May be NULL.
 * why           (may be NULL) receives a short NUL-terminated reason on
 *               failure ("" on A2F_OK), at most whysz bytes.  It names
 *               the part or claim at fault, never a secret, a signature
 *               or a claim's value.
 *
 * Returns:
 *   A2F_OK
 *   A2F_ERR_INVALID  malformed: length, parts, base64url, JSON, a
 *                    duplicate key, "typ", "crit", claim types or
 *                    lengths; or a NULL argument, a secret of 0 or
 *                    more than A2F_JWT_SECRET_MAX bytes
 *   A2F_ERR_AUTH     "alg" is not "HS256", or the signature is missing,
 *                    of the wrong length, or wrong
 *   A2F_ERR_EXPIRED  the time rules above
 *   A2F_ERR_NOMEM    allocation failure (JSON)
 *   A2F_ERR_CRYPTO   OpenSSL failure
 */
int a2f_jwt_verify(const char *jwt, size_t len, const uint8_t *secret,
    size_t secret_len, int64_t now, a2f_jwt_claims_t *c, char *why,
    size_t whysz);


#endif /* _A2F_JWT_H_INCLUDED_ */
