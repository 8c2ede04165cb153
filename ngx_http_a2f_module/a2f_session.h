
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_session.h: the session cookie value.
 *
 * Wire format (ASCII, '.'-separated, at most A2F_SESSION_MAX bytes):
 *
 *     2.<kid>.<sid>.<level>.<gen>.<issued>.<seen>.<factor>.<user>.<mac>
 *
 *   2       format version (a "1." cookie, without factor, is refused)
 *   kid     8 lower-case hex digits: the signing key's id (a2f_key_t.kid)
 *   sid     16 base64url chars: 12 random bytes, new on every login and
 *           on every level change
 *   level   1 (password) or 2 (password and second factor)
 *   gen     the user's generation, decimal (a2fctl revoke bumps it)
 *   issued  Unix seconds of the login, decimal
 *   seen    Unix seconds of the last refresh, decimal
 *   factor  Unix seconds of the last successful second factor (one-time
 *           code, recovery code or security key), decimal: not 0 at
 *           level 2, 0 at level 1; for a step-up of privileged pages
 *   user    base64url of the user name
 *   mac     base64url of HMAC-SHA256(key, everything before ".<mac>")
 *
 * The MAC key is the raw key from a2f_secret_file.  Decimal fields have no
 * sign and no leading zeros (except "0"), at most 20 digits.  The longest
 * value is 231 bytes (gen 4294967295, the times INT64_MAX, a 64-byte
 * user); the shortest 84.
 */

#ifndef _A2F_SESSION_H_INCLUDED_
#define _A2F_SESSION_H_INCLUDED_


#include "a2f_common.h"
#include "a2f_crypto.h"


#define A2F_SESSION_MAX      512
#define A2F_SID_LEN          16

#define A2F_LEVEL_NONE       0
#define A2F_LEVEL_ONE        1
#define A2F_LEVEL_TWO        2


typedef struct {
    char      user[A2F_USER_MAX + 1];   /* NUL-terminated                   */
    size_t    user_len;
    char      sid[A2F_SID_LEN + 1];
    unsigned  level;
    uint32_t  gen;
    int64_t   issued;
    int64_t   seen;
    int64_t   factor;                   /* last second factor, 0: none    */
} a2f_session_t;


/*
 * Keyed HMAC states prepared once (the inner and outer SHA-256 states of
 * each key of the ring), so that a check copies two small structs and
 * hashes three blocks, with no allocation.  Not thread-safe: one set per
 * process (nginx worker) or thread.
 */
typedef struct a2f_mac_s  a2f_mac_t;

/* Returns NULL on allocation or OpenSSL failure. */
a2f_mac_t *a2f_mac_new(const a2f_keyring_t *kr);
void a2f_mac_free(a2f_mac_t *m);

/*
 * HMAC-SHA256 of data with the key whose kid is given (NULL: the signing
 * key, keys[0]).  Returns A2F_OK, A2F_ERR_NOKEY or A2F_ERR_CRYPTO.
 */
int a2f_mac_compute(a2f_mac_t *m, const char *kid, const uint8_t *data,
    size_t len, uint8_t out[32]);

/* Fill s->sid with a fresh random session id. */
int a2f_session_new_sid(a2f_session_t *s);

/*
 * Encode s, signed with the ring's first key, into out (NUL-terminated).
 * Returns A2F_OK, A2F_ERR_INVALID (bad field: a negative time, level 2
 * with factor 0, level 1 with factor not 0, ...) or A2F_ERR_TOOBIG.
 */
int a2f_session_encode(a2f_mac_t *m, const a2f_session_t *s, char *out,
    size_t outsz, size_t *outlen);

/*
 * Parse and verify a cookie value.  Every field is bounded; the MAC is
 * compared with CRYPTO_memcmp before any field is trusted.  Then level 2
 * with factor 0 or level 1 with factor not 0 is A2F_ERR_INVALID; issued,
 * seen or factor > now + 60 (from the future), now - issued >= absolute,
 * or now - seen >= idle are A2F_ERR_EXPIRED.  absolute/idle 0 = no limit.
 * The age of factor is the caller's to judge (step-up).
 * No allocation here: the MAC starts from m's prepared states (about
 * 0.2 us for a whole decode, measured with bench/micro.c).
 * Returns A2F_OK, A2F_ERR_INVALID (malformed), A2F_ERR_NOKEY (kid not in
 * the ring), A2F_ERR_AUTH (bad MAC) or A2F_ERR_EXPIRED.  s is filled only
 * on A2F_OK and A2F_ERR_EXPIRED.
 */
int a2f_session_decode(a2f_mac_t *m, const char *in, size_t len, int64_t now,
    int64_t absolute, int64_t idle, a2f_session_t *s);


#endif /* _A2F_SESSION_H_INCLUDED_ */
