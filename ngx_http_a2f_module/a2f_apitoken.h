
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_apitoken.h: the module's own tokens of the auth2factor API
 * (../shared/design/AUTH2FACTOR-API.md): the temporary token a client
 * receives in X-APP-SIGN-REQUEST and spends on one-time codes or a
 * security key, and the bearer it then receives in X-APP-BEARER.
 *
 * Wire format (ASCII, '.'-separated, at most A2F_APITOKEN_MAX bytes,
 * no character that needs quoting in an HTTP header):
 *
 *     <kind>1.<kid>.<id>.<gen>.<expires>.<client>.<user>.<mac>
 *
 *   kind     't' temporary token, 'b' bearer; then "1", the format
 *   kid      8 lower-case hex digits: the signing key's id (a2f_key_t.kid)
 *   id       22 base64url chars: 16 random bytes, new for every token;
 *            a temporary token's record of tries in the store is kept
 *            under it (a2f_store_apitoken_new())
 *   gen      the user's generation, decimal: a2fctl revoke (a generation
 *            bump) ends the user's tokens as it ends the sessions
 *   expires  Unix seconds, decimal
 *   client   the name of the a2f_api_client the token was made for, as
 *            is: 0..A2F_APITOKEN_CLIENT_MAX bytes of [A-Za-z0-9_-] (so
 *            never a '.'); "" when none.  The module re-checks that
 *            client's `allow` addresses when the token is used
 *   user     base64url of the user name
 *   mac      base64url of HMAC-SHA256(key, everything before ".<mac>")
 *
 * The same key discipline as the session cookie (a2f_session.h): the key
 * ring's first key signs, every key of the ring verifies, the kid says
 * which; the MAC is computed with the same a2f_mac_t.  A cookie's signed
 * text starts with "2." and a token's with "t1." or "b1.", so no MAC of
 * one is ever a MAC of the other, and neither parses as the other.
 * Decimal fields have no sign and no leading zeros (except "0"); gen is
 * at most 4294967295, expires at most INT64_MAX.
 *
 * A bearer is stateless: it is good until it expires or the user's
 * generation changes.  A temporary token is good only while its record
 * in the store lives: each use (one code or key attempt) takes one try
 * (a2f_store_apitoken_try()); at 0 tries, at its expiry, or once spent
 * on a success (a2f_store_apitoken_del()), the record is gone and the
 * token dead, whatever its MAC says.
 *
 * Plain C, no nginx types; OpenSSL.
 */

#ifndef _A2F_APITOKEN_H_INCLUDED_
#define _A2F_APITOKEN_H_INCLUDED_


#include "a2f_common.h"
#include "a2f_crypto.h"
#include "a2f_session.h"


#define A2F_APITOKEN_TEMP     't'   /* kinds                                */
#define A2F_APITOKEN_BEARER   'b'

#define A2F_APITOKEN_ID_LEN   16    /* random bytes of a token id           */
#define A2F_APITOKEN_MAX      256   /* text bytes, without the NUL          */
#define A2F_APITOKEN_MIN      86    /* the shortest text                    */

/* the longest API client's name in a token, bytes of [A-Za-z0-9_-] */
#define A2F_APITOKEN_CLIENT_MAX      32

/* the lifetimes and tries of the contract */
#define A2F_APITOKEN_DELEGATE_TTL    300     /* temporary, from delegate    */
#define A2F_APITOKEN_DELEGATE_TRIES  1
#define A2F_APITOKEN_AUTH_TTL        780     /* temporary, from authenticate */
#define A2F_APITOKEN_AUTH_TRIES      3
#define A2F_APITOKEN_BEARER_TTL      86400   /* bearer                      */

/* the longest lifetimes a token may be made with, or read with */
#define A2F_APITOKEN_TEMP_TTL_MAX    3600
#define A2F_APITOKEN_BEARER_TTL_MAX  86400
#define A2F_APITOKEN_SKEW            60      /* clock steps back, seconds   */

/* the store's records of temporary tokens (a2f_store.h) */
#define A2F_APITOKEN_TRIES_MAX       10      /* tries of one token          */
#define A2F_APITOKENS_MAX            16      /* live temporary tokens of a  */
                                             /* user; the oldest go first   */


typedef struct {
    int       kind;                     /* A2F_APITOKEN_TEMP or _BEARER     */
    char      user[A2F_USER_MAX + 1];   /* NUL-terminated                   */
    size_t    user_len;
    uint8_t   id[A2F_APITOKEN_ID_LEN];
    uint32_t  gen;
    int64_t   expires;                  /* Unix seconds                     */
    /* the API client's name, NUL-terminated; "": made without one */
    char      client[A2F_APITOKEN_CLIENT_MAX + 1];
    size_t    client_len;
} a2f_apitoken_t;


/*
 * Encode t as a token signed with the key ring's first key.
 *
 * m        the key ring's MAC states (a2f_mac_new()).
 * kid      the kid of the ring's first key (kr->keys[0].kid, 8 hex digits
 *          and a NUL): written into the token.  The MAC is computed with
 *          m's signing key, and a kid that is not that key's is refused
 *          (A2F_ERR_NOKEY), so a token always names the key that signed it.
 * t        in: kind, user/user_len (a2f_user_name_valid()), gen, expires,
 *          client/client_len (0..A2F_APITOKEN_CLIENT_MAX bytes of
 *          [A-Za-z0-9_-]; only those client_len bytes are read),
 *          id (encode) or nothing (make: a fresh random id is written
 *          into t->id).  expires must be 0..INT64_MAX, and expires - now
 *          1..A2F_APITOKEN_TEMP_TTL_MAX for a temporary token,
 *          1..A2F_APITOKEN_BEARER_TTL_MAX for a bearer.
 * out      receives the NUL-terminated token (at most A2F_APITOKEN_MAX + 1
 *          bytes with the NUL); "" on failure (when outsz > 0).  outlen its
 *          length.
 *
 * Returns A2F_OK, A2F_ERR_INVALID (a bad field or time, a NULL argument),
 * A2F_ERR_NOKEY (m empty, or kid not m's signing key), A2F_ERR_TOOBIG
 * (outsz too small), A2F_ERR_CRYPTO (random bytes, the MAC).
 */
int a2f_apitoken_make(a2f_mac_t *m, const char *kid, a2f_apitoken_t *t,
    int64_t now, char *out, size_t outsz, size_t *outlen);
int a2f_apitoken_encode(a2f_mac_t *m, const char *kid,
    const a2f_apitoken_t *t, int64_t now, char *out, size_t outsz,
    size_t *outlen);

/*
 * Parse and verify a token (as it came, e.g. after "Bearer ").  Every
 * field is bounded and checked for syntax; the MAC, under the key of the
 * token's kid, is compared with CRYPTO_memcmp before any field is given
 * meaning.  Then the user name must pass a2f_user_name_valid()
 * (A2F_ERR_INVALID); now >= expires, or expires more than the kind's
 * longest lifetime plus A2F_APITOKEN_SKEW ahead of now (the clock went
 * back, or the key signed what this code never makes) are
 * A2F_ERR_EXPIRED.  No allocation.
 *
 * Neither the kind, nor the user's generation, nor a temporary token's
 * record is checked here: see a2f_apitoken_check() and
 * a2f_store_apitoken_try().  Nor is the client, beyond its syntax: that
 * it is still a configured a2f_api_client and that the request comes
 * from its `allow` addresses is the caller's to check.
 *
 * t        filled on A2F_OK and A2F_ERR_EXPIRED only (all zero
 *          otherwise).
 *
 * Returns A2F_OK, A2F_ERR_INVALID (malformed, NULL), A2F_ERR_NOKEY (kid
 * not in the ring), A2F_ERR_AUTH (bad MAC), A2F_ERR_EXPIRED or
 * A2F_ERR_CRYPTO.
 */
int a2f_apitoken_decode(a2f_mac_t *m, const char *in, size_t len,
    int64_t now, a2f_apitoken_t *t);

/*
 * After a2f_apitoken_decode(): is t a token of this kind
 * (A2F_APITOKEN_TEMP or A2F_APITOKEN_BEARER) of the user's current
 * generation gen (a2f_store_user_gen())?  A bearer never passes where a
 * temporary token is wanted, nor the reverse.
 * Returns A2F_OK, A2F_ERR_AUTH (another kind, or kind not one of the
 * two) or A2F_ERR_EXPIRED (revoked: the generation changed).
 */
int a2f_apitoken_check(const a2f_apitoken_t *t, int kind, uint32_t gen);

/*
 * The kind a text claims by its first three bytes ("t1." or "b1."),
 * without any check of the rest: to choose a path, never to trust.
 * Returns A2F_APITOKEN_TEMP, A2F_APITOKEN_BEARER or 0.
 */
int a2f_apitoken_kind(const char *in, size_t len);

/*
 * Is name (len bytes) a client's name: 1..A2F_APITOKEN_CLIENT_MAX bytes
 * of [A-Za-z0-9_-]?  1: yes, 0: no (also for NULL).
 */
int a2f_apitoken_client_valid(const char *name, size_t len);


#endif /* _A2F_APITOKEN_H_INCLUDED_ */
