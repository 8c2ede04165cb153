
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_session.c: the session cookie value (format in a2f_session.h).
 */


#include <stdlib.h>
#include <string.h>

/*
 * The low-level SHA256_Init/Update/Final are deprecated in OpenSSL 3.0
 * but present.  They are used on purpose: the HMAC key schedule is a
 * plain SHA256_CTX (the states after key ^ ipad and key ^ opad, made once
 * per key in a2f_mac_new), copied per call: no allocation, no provider
 * dispatch, no EVP_MAC re-init, no malloc/free inside OpenSSL.  This is
 * the "keyed MAC context prepared once per worker" of the design; what
 * is left per MAC is the SHA-256 compression itself (bench/micro.c).
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "a2f_session.h"


#define A2F_SESSION_MACLEN   32
#define A2F_SESSION_MAC64    43     /* base64url of 32 bytes              */
#define A2F_SESSION_USER64   88     /* base64url of A2F_USER_MAX, and NUL */
#define A2F_SESSION_SIDRAW   12
#define A2F_SESSION_FUTURE   60     /* clock skew allowed, seconds        */
#define A2F_SESSION_DEC_MAX  20     /* digits of a decimal field          */
#define A2F_SESSION_VERSION  '2'

/* "2.<kid>.<sid>.<level>." */
#define A2F_SESSION_PREFIX   (2 + A2F_KID_LEN + 1 + A2F_SID_LEN + 1 + 2)

/* the prefix, four one-digit decimals, a 2-character user, ".<mac>" */
#define A2F_SESSION_MIN                                                      \
    (A2F_SESSION_PREFIX + 4 * 2 + 2 + 1 + A2F_SESSION_MAC64)

/*
 * the prefix, gen (10 digits), three times (19 digits: INT64_MAX), their
 * dots, the longest user (86 base64url chars), ".<mac>": 231 bytes
 */
#define A2F_SESSION_LONGEST                                                  \
    (A2F_SESSION_PREFIX + 11 + 3 * 20 + (A2F_USER_MAX * 4 + 2) / 3 + 1      \
     + A2F_SESSION_MAC64)

#define A2F_HMAC_BLOCK       SHA256_CBLOCK


/* does not compile unless the longest cookie fits in A2F_SESSION_MAX */
typedef char  a2f_session_max_check_t[
    (A2F_SESSION_LONGEST <= A2F_SESSION_MAX) ? 1 : -1];


/* HMAC-SHA256 of one key: the SHA-256 states after the padded key */

typedef struct {
    SHA256_CTX  inner;              /* after key ^ ipad (0x36...)         */
    SHA256_CTX  outer;              /* after key ^ opad (0x5c...)         */
} a2f_mac_key_t;


struct a2f_mac_s {
    size_t         n;
    char           kid[A2F_KEYS_MAX][A2F_KID_LEN + 1];
    a2f_mac_key_t  key[A2F_KEYS_MAX];
};


/* what a2f_mac_run leaves behind on the stack, wiped in one call */

typedef struct {
    SHA256_CTX  ctx;
    uint8_t     digest[SHA256_DIGEST_LENGTH];
} a2f_mac_tmp_t;


static int a2f_mac_key_init(a2f_mac_key_t *k, const uint8_t *key,
    size_t len);
static const a2f_mac_key_t *a2f_mac_find(a2f_mac_t *m, const char *kid,
    size_t kidlen);
static int a2f_mac_run(const a2f_mac_key_t *k, const uint8_t *data,
    size_t len, uint8_t out[32]);
static const char *a2f_session_dec(const char *p, const char *end,
    uint64_t max, uint64_t *v);
static char *a2f_session_put_dec(char *p, uint64_t v);
static int a2f_session_sid_valid(const char *p, size_t len);


a2f_mac_t *
a2f_mac_new(const a2f_keyring_t *kr)
{
    size_t      i;
    a2f_mac_t  *m;

    if (kr == NULL || kr->n == 0 || kr->n > A2F_KEYS_MAX) {
        return NULL;
    }

    m = calloc(1, sizeof(a2f_mac_t));
    if (m == NULL) {
        return NULL;
    }

    for (i = 0; i < kr->n; i++) {

        if (kr->keys[i].len == 0 || kr->keys[i].len > A2F_KEY_MAX) {
            goto failed;
        }

        m->n = i + 1;

        if (a2f_mac_key_init(&m->key[i], kr->keys[i].key, kr->keys[i].len)
            != A2F_OK)
        {
            goto failed;
        }

        memcpy(m->kid[i], kr->keys[i].kid, A2F_KID_LEN);
        m->kid[i][A2F_KID_LEN] = '\0';
    }

    return m;

failed:

    a2f_mac_free(m);

    return NULL;
}


void
a2f_mac_free(a2f_mac_t *m)
{
    if (m == NULL) {
        return;
    }

    OPENSSL_cleanse(m, sizeof(a2f_mac_t));
    free(m);
}


/* RFC 2104: a key longer than the block is hashed first, then padded */

static int
a2f_mac_key_init(a2f_mac_key_t *k, const uint8_t *key, size_t len)
{
    int      rc;
    size_t   i;
    uint8_t  pad[A2F_HMAC_BLOCK], hashed[SHA256_DIGEST_LENGTH];

    if (len > A2F_HMAC_BLOCK) {
        if (SHA256(key, len, hashed) == NULL) {
            return A2F_ERR_CRYPTO;
        }

        key = hashed;
        len = sizeof(hashed);
    }

    rc = A2F_ERR_CRYPTO;

    memset(pad, 0x36, sizeof(pad));

    for (i = 0; i < len; i++) {
        pad[i] ^= key[i];
    }

    if (SHA256_Init(&k->inner) != 1
        || SHA256_Update(&k->inner, pad, sizeof(pad)) != 1)
    {
        goto done;
    }

    /* 0x36 ^ 0x5c: from ipad to opad in place */

    for (i = 0; i < sizeof(pad); i++) {
        pad[i] ^= 0x36 ^ 0x5c;
    }

    if (SHA256_Init(&k->outer) != 1
        || SHA256_Update(&k->outer, pad, sizeof(pad)) != 1)
    {
        goto done;
    }

    rc = A2F_OK;

done:

    OPENSSL_cleanse(pad, sizeof(pad));
    OPENSSL_cleanse(hashed, sizeof(hashed));

    return rc;
}


static const a2f_mac_key_t *
a2f_mac_find(a2f_mac_t *m, const char *kid, size_t kidlen)
{
    size_t  i;

    if (kidlen != A2F_KID_LEN) {
        return NULL;
    }

    for (i = 0; i < m->n; i++) {
        if (memcmp(m->kid[i], kid, A2F_KID_LEN) == 0) {
            return &m->key[i];
        }
    }

    return NULL;
}


/*
 * HMAC = SHA256(key ^ opad || SHA256(key ^ ipad || data)), from copies of
 * the prepared states.  After each SHA256_Final the copy holds a digest,
 * not the key-derived state; the inner digest and the result (a valid MAC
 * for whatever data was given) are wiped all the same.
 */

static int
a2f_mac_run(const a2f_mac_key_t *k, const uint8_t *data, size_t len,
    uint8_t out[32])
{
    int            rc;
    a2f_mac_tmp_t  t;

    t.ctx = k->inner;

    rc = SHA256_Update(&t.ctx, data, len) == 1
         && SHA256_Final(t.digest, &t.ctx) == 1;

    if (rc) {
        t.ctx = k->outer;

        rc = SHA256_Update(&t.ctx, t.digest, sizeof(t.digest)) == 1
             && SHA256_Final(out, &t.ctx) == 1;
    }

    OPENSSL_cleanse(&t, sizeof(a2f_mac_tmp_t));

    return rc ? A2F_OK : A2F_ERR_CRYPTO;
}


int
a2f_mac_compute(a2f_mac_t *m, const char *kid, const uint8_t *data,
    size_t len, uint8_t out[32])
{
    size_t                kidlen;
    const a2f_mac_key_t  *k;

    if (m == NULL || m->n == 0) {
        return A2F_ERR_NOKEY;
    }

    if (kid == NULL) {
        k = &m->key[0];

    } else {
        for (kidlen = 0; kidlen <= A2F_KID_LEN && kid[kidlen]; kidlen++) {
            /* void */
        }

        k = a2f_mac_find(m, kid, kidlen);

        if (k == NULL) {
            return A2F_ERR_NOKEY;
        }
    }

    return a2f_mac_run(k, data, len, out);
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
    int      rc;
    char     buf[A2F_SESSION_MAX + 1], *p;
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
        || s->issued < 0 || s->seen < 0 || s->factor < 0
        || (s->level == A2F_LEVEL_TWO) != (s->factor != 0))
    {
        return A2F_ERR_INVALID;
    }

    /*
     * At most 30 + 11 + 20 + 20 + 20 + 86 + 1 + 43 = 231 bytes (the
     * prefix, the four decimals and their dots, the user, ".<mac>"): buf
     * holds them all, whatever the output size.
     */

    p = buf;

    *p++ = A2F_SESSION_VERSION;
    *p++ = '.';
    memcpy(p, m->kid[0], A2F_KID_LEN);
    p += A2F_KID_LEN;
    *p++ = '.';
    memcpy(p, s->sid, A2F_SID_LEN);
    p += A2F_SID_LEN;
    *p++ = '.';
    *p++ = (char) ('0' + s->level);
    *p++ = '.';
    p = a2f_session_put_dec(p, s->gen);
    *p++ = '.';
    p = a2f_session_put_dec(p, (uint64_t) s->issued);
    *p++ = '.';
    p = a2f_session_put_dec(p, (uint64_t) s->seen);
    *p++ = '.';
    p = a2f_session_put_dec(p, (uint64_t) s->factor);
    *p++ = '.';
    p += a2f_b64url_encode((const uint8_t *) s->user, s->user_len, p,
                           A2F_SESSION_USER64);

    len = (size_t) (p - buf);

    if (len + 1 + A2F_SESSION_MAC64 >= outsz
        || len + 1 + A2F_SESSION_MAC64 > A2F_SESSION_MAX)
    {
        if (outsz > 0) {
            out[0] = '\0';
        }

        return A2F_ERR_TOOBIG;
    }

    rc = a2f_mac_run(&m->key[0], (const uint8_t *) buf, len, mac);

    if (rc != A2F_OK) {
        out[0] = '\0';
        return rc;
    }

    *p++ = '.';
    (void) a2f_b64url_encode(mac, sizeof(mac), p, A2F_SESSION_MAC64 + 1);

    len += 1 + A2F_SESSION_MAC64;

    memcpy(out, buf, len + 1);
    *outlen = len;

    return A2F_OK;
}


/* write v in decimal (no NUL); return the end */

static char *
a2f_session_put_dec(char *p, uint64_t v)
{
    char    tmp[A2F_SESSION_DEC_MAX];
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
a2f_session_dec(const char *p, const char *end, uint64_t max, uint64_t *v)
{
    size_t       n;
    unsigned     d;
    uint64_t     x;
    const char  *start;

    start = p;
    x = 0;

    for (n = 0; p < end && *p >= '0' && *p <= '9'; p++, n++) {

        if (n == A2F_SESSION_DEC_MAX) {
            return NULL;
        }

        d = (unsigned) (*p - '0');

        /* 19 digits always fit in 64 bits; the 20th may not */

        if (n == A2F_SESSION_DEC_MAX - 1 && x > (UINT64_MAX - d) / 10) {
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
 *     2.<kid>.<sid>.<level>.<gen>.<issued>.<seen>.<factor>.<user>.<mac>
 *
 * where the MAC is the last 43 bytes: no field may hold a '.', so this
 * takes exactly the ten fields.  Every field is checked, the MAC text
 * decoded (canonical base64url only), then the MAC verified; only then
 * are the fields given meaning.
 */

int
a2f_session_decode(a2f_mac_t *m, const char *in, size_t len, int64_t now,
    int64_t absolute, int64_t idle, a2f_session_t *s)
{
    int                   rc;
    char                  user[A2F_USER_MAX];
    size_t                i, user_len, mac_len;
    uint8_t               mac[A2F_SESSION_MACLEN], want[A2F_SESSION_MACLEN];
    uint64_t              gen, issued, seen, factor;
    const char           *p, *end, *kid, *sid;
    const a2f_mac_key_t  *k;

    if (m == NULL || in == NULL || len < A2F_SESSION_MIN
        || len > A2F_SESSION_MAX)
    {
        return A2F_ERR_INVALID;
    }

    /* the '.' before the MAC ends the signed text */

    end = in + len - 1 - A2F_SESSION_MAC64;

    if (*end != '.') {
        return A2F_ERR_INVALID;
    }

    /* "2.<kid>.<sid>.<level>." */

    if (in[0] != A2F_SESSION_VERSION || in[1] != '.') {
        return A2F_ERR_INVALID;
    }

    kid = in + 2;

    for (i = 0; i < A2F_KID_LEN; i++) {
        if (!((kid[i] >= '0' && kid[i] <= '9')
              || (kid[i] >= 'a' && kid[i] <= 'f')))
        {
            return A2F_ERR_INVALID;
        }
    }

    sid = kid + A2F_KID_LEN + 1;

    if (kid[A2F_KID_LEN] != '.'
        || !a2f_session_sid_valid(sid, A2F_SID_LEN)
        || sid[A2F_SID_LEN] != '.')
    {
        return A2F_ERR_INVALID;
    }

    p = sid + A2F_SID_LEN + 1;

    if ((p[0] != '1' && p[0] != '2') || p[1] != '.') {
        return A2F_ERR_INVALID;
    }

    p += 2;

    /* "<gen>.<issued>.<seen>.<factor>.", then the user up to end */

    p = a2f_session_dec(p, end, UINT32_MAX, &gen);

    if (p != NULL) {
        p = a2f_session_dec(p, end, INT64_MAX, &issued);
    }

    if (p != NULL) {
        p = a2f_session_dec(p, end, INT64_MAX, &seen);
    }

    if (p != NULL) {
        p = a2f_session_dec(p, end, INT64_MAX, &factor);
    }

    if (p == NULL
        || p == end
        || a2f_b64url_decode(p, (size_t) (end - p), (uint8_t *) user,
                             sizeof(user), &user_len)
           != A2F_OK)
    {
        return A2F_ERR_INVALID;
    }

    if (a2f_b64url_decode(end + 1, A2F_SESSION_MAC64, mac, sizeof(mac),
                          &mac_len)
        != A2F_OK
        || mac_len != A2F_SESSION_MACLEN)
    {
        return A2F_ERR_INVALID;
    }

    /* the key, then the MAC over everything before ".<mac>" */

    k = a2f_mac_find(m, kid, A2F_KID_LEN);

    if (k == NULL) {
        return A2F_ERR_NOKEY;
    }

    rc = a2f_mac_run(k, (const uint8_t *) in, (size_t) (end - in), want);

    /*
     * In two halves: OpenSSL's x86-64 CRYPTO_memcmp compares 16 bytes as
     * two words and any other length byte by byte.  Both halves are
     * always compared ('|', not '||').
     */

    if (rc == A2F_OK
        && (CRYPTO_memcmp(mac, want, A2F_SESSION_MACLEN / 2)
            | CRYPTO_memcmp(mac + A2F_SESSION_MACLEN / 2,
                            want + A2F_SESSION_MACLEN / 2,
                            A2F_SESSION_MACLEN / 2))
           != 0)
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

    /* a second factor at level 2 only, and always there */

    if ((sid[A2F_SID_LEN + 1] == '2') != (factor != 0)) {
        return A2F_ERR_INVALID;
    }

    memcpy(s->user, user, user_len);
    s->user[user_len] = '\0';
    s->user_len = user_len;
    memcpy(s->sid, sid, A2F_SID_LEN);
    s->sid[A2F_SID_LEN] = '\0';
    s->level = (unsigned) (sid[A2F_SID_LEN + 1] - '0');
    s->gen = (uint32_t) gen;
    s->issued = (int64_t) issued;
    s->seen = (int64_t) seen;
    s->factor = (int64_t) factor;

    /*
     * issued, seen and factor are 0..INT64_MAX; once none is more than
     * A2F_SESSION_FUTURE ahead of now, now - issued, now - seen and the
     * caller's now - factor cannot overflow.
     */

    if (now < -A2F_SESSION_FUTURE) {
        return A2F_ERR_EXPIRED;
    }

    if (now <= INT64_MAX - A2F_SESSION_FUTURE
        && (s->issued > now + A2F_SESSION_FUTURE
            || s->seen > now + A2F_SESSION_FUTURE
            || s->factor > now + A2F_SESSION_FUTURE))
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
