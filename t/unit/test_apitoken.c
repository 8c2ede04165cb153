
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * test_apitoken.c: a2f_apitoken.c with the store's records of tries: the
 * format against this file's own HMAC, round trips, every single-byte
 * change, truncation, the API client's name, the kinds, expiry, another
 * user's token, a generation bump, key rotation; temporary tokens' tries
 * (used up, spent, expired) and processes racing for the last try.
 */


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "a2f_apitoken.h"
#include "a2f_store.h"
#include "a2f_test.h"


#define A2F_T_KEY_A                                                          \
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define A2F_T_KEY_B                                                          \
    "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f"

#define A2F_T_NOW    INT64_C(1714557600)

#define A2F_T_RACERS 4

/* an id of 16 zero bytes, for tokens built here */
#define A2F_T_ID     "AAAAAAAAAAAAAAAAAAAAAA"


static char            a2f_t_dir[64];
static a2f_keyring_t   a2f_t_ring_a;        /* [A]    */
static a2f_keyring_t   a2f_t_ring_ba;       /* [B, A] */
static a2f_mac_t      *a2f_t_mac_a;
static a2f_mac_t      *a2f_t_mac_b;         /* [B]    */
static a2f_mac_t      *a2f_t_mac_ba;


static void
a2f_t_ring(const char *text, a2f_keyring_t *kr)
{
    char  err[256];

    memset(kr, 0, sizeof(a2f_keyring_t));
    CHECK_RC(a2f_keyring_parse(text, strlen(text), kr, err, sizeof(err)),
             A2F_OK);
}


static a2f_mac_t *
a2f_t_mac(const char *text)
{
    a2f_mac_t      *m;
    a2f_keyring_t   kr;

    a2f_t_ring(text, &kr);
    m = a2f_mac_new(&kr);
    a2f_keyring_wipe(&kr);
    CHECK(m != NULL);

    return m;
}


static void
a2f_t_fill(a2f_apitoken_t *t, int kind, const char *user, uint32_t gen,
    int64_t expires)
{
    memset(t, 0, sizeof(a2f_apitoken_t));
    t->kind = kind;
    t->user_len = strlen(user);
    memcpy(t->user, user, t->user_len);
    t->gen = gen;
    t->expires = expires;
}


/* t's client: strlen(client) bytes */

static void
a2f_t_client(a2f_apitoken_t *t, const char *client)
{
    memset(t->client, 0, sizeof(t->client));
    t->client_len = strlen(client);
    memcpy(t->client, client, t->client_len);
}


/* make a token of kind for user and client with ring [A] */

static void
a2f_t_make_client(int kind, const char *user, const char *client,
    uint32_t gen, int64_t expires, a2f_apitoken_t *t,
    char out[A2F_APITOKEN_MAX + 1])
{
    size_t  n;

    a2f_t_fill(t, kind, user, gen, expires);
    a2f_t_client(t, client);
    CHECK_RC(a2f_apitoken_make(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, t,
                               A2F_T_NOW, out, A2F_APITOKEN_MAX + 1, &n),
             A2F_OK);
    CHECK(n == strlen(out));
}


/* make a token of kind for user, without a client, with ring [A] */

static void
a2f_t_make(int kind, const char *user, uint32_t gen, int64_t expires,
    a2f_apitoken_t *t, char out[A2F_APITOKEN_MAX + 1])
{
    a2f_t_make_client(kind, user, "", gen, expires, t, out);
}


static int
a2f_t_same(const a2f_apitoken_t *a, const a2f_apitoken_t *b)
{
    return a->kind == b->kind && a->user_len == b->user_len
           && memcmp(a->user, b->user, a->user_len) == 0
           && a->user[a->user_len] == '\0' && b->user[b->user_len] == '\0'
           && memcmp(a->id, b->id, A2F_APITOKEN_ID_LEN) == 0
           && a->gen == b->gen && a->expires == b->expires
           && a->client_len == b->client_len
           && a->client_len <= A2F_APITOKEN_CLIENT_MAX
           && memcmp(a->client, b->client, a->client_len) == 0
           && a->client[a->client_len] == '\0'
           && b->client[b->client_len] == '\0';
}


/* -- the format ------------------------------------------------------------ */


/*
 * The text, built here field by field and signed with OpenSSL's HMAC
 * under key A, is what a2f_apitoken_encode() writes.
 */

static void
a2f_t_format(void)
{
    char            want[512], mac64[64], out[A2F_APITOKEN_MAX + 1];
    size_t          n, len;
    uint8_t         mac[32];
    unsigned int    mlen;
    a2f_apitoken_t  t, d;

    a2f_t_fill(&t, A2F_APITOKEN_TEMP, "alice", 7, A2F_T_NOW + 300);
    a2f_t_client(&t, "Web-app_2");
    memset(t.id, 0xfb, sizeof(t.id));

    /*
     * the id 0xfb * 16: "-_v7-_v7-_v7-_v7-_v7-w"; the client as is; the
     * user "YWxpY2U"
     */

    len = (size_t) snprintf(want, sizeof(want),
                            "t1.%s.-_v7-_v7-_v7-_v7-_v7-w.7.1714557900"
                            ".Web-app_2.YWxpY2U", a2f_t_ring_a.keys[0].kid);

    CHECK(HMAC(EVP_sha256(), a2f_t_ring_a.keys[0].key,
               (int) a2f_t_ring_a.keys[0].len, (const uint8_t *) want, len,
               mac, &mlen) != NULL);
    (void) a2f_b64url_encode(mac, 32, mac64, sizeof(mac64));
    (void) snprintf(want + len, sizeof(want) - len, ".%s", mac64);

    CHECK_RC(a2f_apitoken_encode(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t,
                                 A2F_T_NOW, out, sizeof(out), &n), A2F_OK);
    CHECK_STR(out, want);
    CHECK(n == strlen(want));

    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, out, n, A2F_T_NOW, &d),
             A2F_OK);
    CHECK(a2f_t_same(&t, &d));

    /* the bearer of the same fields differs in its kind and MAC */

    t.kind = A2F_APITOKEN_BEARER;
    CHECK_RC(a2f_apitoken_encode(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t,
                                 A2F_T_NOW, out, sizeof(out), &n), A2F_OK);
    CHECK(out[0] == 'b' && memcmp(out + 1, want + 1, len - 1) == 0);
    CHECK(strcmp(out + len + 1, mac64) != 0);

    /* without a client: an empty field, the MAC of another text */

    t.kind = A2F_APITOKEN_TEMP;
    a2f_t_client(&t, "");
    len = (size_t) snprintf(want, sizeof(want),
                            "t1.%s.-_v7-_v7-_v7-_v7-_v7-w.7.1714557900"
                            "..YWxpY2U", a2f_t_ring_a.keys[0].kid);

    CHECK(HMAC(EVP_sha256(), a2f_t_ring_a.keys[0].key,
               (int) a2f_t_ring_a.keys[0].len, (const uint8_t *) want, len,
               mac, &mlen) != NULL);
    (void) a2f_b64url_encode(mac, 32, mac64, sizeof(mac64));
    (void) snprintf(want + len, sizeof(want) - len, ".%s", mac64);

    CHECK_RC(a2f_apitoken_encode(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t,
                                 A2F_T_NOW, out, sizeof(out), &n), A2F_OK);
    CHECK_STR(out, want);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, out, n, A2F_T_NOW, &d),
             A2F_OK);
    CHECK(a2f_t_same(&t, &d));
    CHECK(d.client_len == 0 && d.client[0] == '\0');

    /* the shortest and the longest */

    a2f_t_fill(&t, A2F_APITOKEN_TEMP, "a", 0, 1);
    CHECK_RC(a2f_apitoken_encode(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t,
                                 0, out, sizeof(out), &n), A2F_OK);
    CHECK(n == A2F_APITOKEN_MIN);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, out, n, 0, &d), A2F_OK);
    CHECK(a2f_t_same(&t, &d));

    memset(want, 'z', A2F_USER_MAX);
    want[A2F_USER_MAX] = '\0';
    a2f_t_fill(&t, A2F_APITOKEN_BEARER, want, UINT32_MAX, INT64_MAX);
    memset(want, 'c', A2F_APITOKEN_CLIENT_MAX);
    want[A2F_APITOKEN_CLIENT_MAX] = '\0';
    a2f_t_client(&t, want);
    CHECK_RC(a2f_apitoken_encode(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t,
                                 INT64_MAX - 1, out, sizeof(out), &n),
             A2F_OK);

    /* 35 + "4294967295." + "9223372036854775807." + 33 + 86 + 44 */

    CHECK(n <= A2F_APITOKEN_MAX);
    CHECK(n == 35 + 11 + 20 + A2F_APITOKEN_CLIENT_MAX + 1 + 86 + 1 + 43);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, out, n, INT64_MAX - 1, &d),
             A2F_OK);
    CHECK(a2f_t_same(&t, &d));

    /* exactly as long as the buffer allows */

    CHECK_RC(a2f_apitoken_encode(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t,
                                 INT64_MAX - 1, out, n, &len),
             A2F_ERR_TOOBIG);
    CHECK(out[0] == '\0');
    CHECK_RC(a2f_apitoken_encode(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t,
                                 INT64_MAX - 1, out, n + 1, &len), A2F_OK);
    CHECK(len == n);
}


/* -- round trips and refusals of make -------------------------------------- */


static void
a2f_t_round_trip(void)
{
    char            a[A2F_APITOKEN_MAX + 1], b[A2F_APITOKEN_MAX + 1];
    size_t          n;
    a2f_apitoken_t  t, u, d;

    a2f_t_make(A2F_APITOKEN_TEMP, "alice", 7,
               A2F_T_NOW + A2F_APITOKEN_DELEGATE_TTL, &t, a);
    CHECK(a2f_apitoken_kind(a, strlen(a)) == A2F_APITOKEN_TEMP);

    memset(&d, 0xff, sizeof(d));
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, a, strlen(a), A2F_T_NOW, &d),
             A2F_OK);
    CHECK(a2f_t_same(&t, &d));
    CHECK_STR(d.user, "alice");
    CHECK_RC(a2f_apitoken_check(&d, A2F_APITOKEN_TEMP, 7), A2F_OK);

    /* a fresh id every time */

    a2f_t_make(A2F_APITOKEN_TEMP, "alice", 7,
               A2F_T_NOW + A2F_APITOKEN_DELEGATE_TTL, &u, b);
    CHECK(memcmp(t.id, u.id, A2F_APITOKEN_ID_LEN) != 0);
    CHECK(strcmp(a, b) != 0);

    /* bearers */

    a2f_t_make(A2F_APITOKEN_BEARER, "bob@example.com", 0,
               A2F_T_NOW + A2F_APITOKEN_BEARER_TTL, &t, a);
    CHECK(a2f_apitoken_kind(a, strlen(a)) == A2F_APITOKEN_BEARER);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, a, strlen(a), A2F_T_NOW, &d),
             A2F_OK);
    CHECK(a2f_t_same(&t, &d));
    CHECK_RC(a2f_apitoken_check(&d, A2F_APITOKEN_BEARER, 0), A2F_OK);

    /* names with what a name may hold */

    a2f_t_make(A2F_APITOKEN_BEARER, "<\xc3\xa9&\"x>", 1, A2F_T_NOW + 1, &t,
               a);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, a, strlen(a), A2F_T_NOW, &d),
             A2F_OK);
    CHECK(a2f_t_same(&t, &d));

    /* refused by make: nothing written */

    a2f_t_fill(&t, A2F_APITOKEN_TEMP, "alice", 7, A2F_T_NOW + 300);

#define A2F_T_MAKE(m, kid, rc)                                               \
    do {                                                                     \
        memset(a, 'x', sizeof(a));                                           \
        CHECK_RC(a2f_apitoken_make(m, kid, &t, A2F_T_NOW, a, sizeof(a), &n), \
                 rc);                                                        \
        CHECK(a[0] == '\0');                                                 \
    } while (0)

    t.kind = 'x';
    A2F_T_MAKE(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, A2F_ERR_INVALID);
    t.kind = 0;
    A2F_T_MAKE(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, A2F_ERR_INVALID);
    t.kind = A2F_APITOKEN_TEMP;

    t.expires = A2F_T_NOW;
    A2F_T_MAKE(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, A2F_ERR_INVALID);
    t.expires = A2F_T_NOW + A2F_APITOKEN_TEMP_TTL_MAX + 1;
    A2F_T_MAKE(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, A2F_ERR_INVALID);
    t.expires = INT64_MIN;
    A2F_T_MAKE(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, A2F_ERR_INVALID);

    /* a negative expiry, however near now */

    t.expires = -1;
    memset(a, 'x', sizeof(a));
    CHECK_RC(a2f_apitoken_make(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t, -2,
                               a, sizeof(a), &n), A2F_ERR_INVALID);
    CHECK(a[0] == '\0');
    t.expires = 0;
    CHECK_RC(a2f_apitoken_make(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t, -2,
                               a, sizeof(a), &n), A2F_OK);
    t.expires = A2F_T_NOW + 300;
    t.kind = A2F_APITOKEN_BEARER;
    t.expires = A2F_T_NOW + A2F_APITOKEN_BEARER_TTL_MAX + 1;
    A2F_T_MAKE(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, A2F_ERR_INVALID);
    t.expires = A2F_T_NOW + A2F_APITOKEN_BEARER_TTL_MAX;
    CHECK_RC(a2f_apitoken_make(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t,
                               A2F_T_NOW, a, sizeof(a), &n), A2F_OK);
    CHECK(a[0] == A2F_APITOKEN_BEARER && n == strlen(a));

    t.user_len = 0;
    A2F_T_MAKE(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, A2F_ERR_INVALID);
    t.user_len = A2F_USER_MAX + 1;
    A2F_T_MAKE(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, A2F_ERR_INVALID);
    a2f_t_fill(&t, A2F_APITOKEN_BEARER, "al ice", 7, A2F_T_NOW + 300);
    A2F_T_MAKE(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, A2F_ERR_INVALID);
    a2f_t_fill(&t, A2F_APITOKEN_BEARER, "al:ice", 7, A2F_T_NOW + 300);
    A2F_T_MAKE(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, A2F_ERR_INVALID);
    a2f_t_fill(&t, A2F_APITOKEN_BEARER, "\xc3", 7, A2F_T_NOW + 300);
    A2F_T_MAKE(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, A2F_ERR_INVALID);

    /* the kid must be the signing key's */

    a2f_t_fill(&t, A2F_APITOKEN_BEARER, "alice", 7, A2F_T_NOW + 300);
    A2F_T_MAKE(a2f_t_mac_ba, a2f_t_ring_ba.keys[1].kid, A2F_ERR_NOKEY);
    A2F_T_MAKE(a2f_t_mac_a, a2f_t_ring_ba.keys[0].kid, A2F_ERR_NOKEY);
    A2F_T_MAKE(a2f_t_mac_a, "0000000", A2F_ERR_INVALID);
    A2F_T_MAKE(a2f_t_mac_a, "000000000", A2F_ERR_INVALID);
    A2F_T_MAKE(a2f_t_mac_a, "ABCDEF01", A2F_ERR_INVALID);
    A2F_T_MAKE(a2f_t_mac_a, NULL, A2F_ERR_INVALID);
    A2F_T_MAKE(NULL, a2f_t_ring_a.keys[0].kid, A2F_ERR_NOKEY);

#undef A2F_T_MAKE

    CHECK_RC(a2f_apitoken_make(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, NULL,
                               A2F_T_NOW, a, sizeof(a), &n), A2F_ERR_INVALID);
    CHECK_RC(a2f_apitoken_make(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t,
                               A2F_T_NOW, NULL, 0, &n), A2F_ERR_INVALID);
    CHECK_RC(a2f_apitoken_make(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t,
                               A2F_T_NOW, a, 0, &n), A2F_ERR_TOOBIG);
}


/* -- refusals of decode ---------------------------------------------------- */


static void
a2f_t_tamper(void)
{
    int             rc, ok;
    char            tok[A2F_APITOKEN_MAX + 1], bad[A2F_APITOKEN_MAX + 8];
    size_t          i, k, n;
    a2f_apitoken_t  t, d;

    static const uint8_t  flips[] = { 0x01, 0x02, 0x20, 0x40, 0x80 };

    a2f_t_make_client(A2F_APITOKEN_TEMP, "alice", "app-1_Z", 7,
                      A2F_T_NOW + 300, &t, tok);
    n = strlen(tok);
    ok = 1;

    /* every byte, five ways; every truncation; every byte added */

    for (i = 0; i < n; i++) {
        for (k = 0; k < sizeof(flips); k++) {
            memcpy(bad, tok, n + 1);
            bad[i] = (char) (bad[i] ^ flips[k]);

            memset(&d, 0xff, sizeof(d));
            rc = a2f_apitoken_decode(a2f_t_mac_a, bad, n, A2F_T_NOW, &d);

            if (rc == A2F_OK || d.kind != 0 || d.user_len != 0
                || d.client_len != 0 || d.client[0] != '\0')
            {
                fprintf(stderr, "byte %zu ^ 0x%02x: %d\n", i, flips[k], rc);
                ok = 0;
            }
        }

        if (a2f_apitoken_decode(a2f_t_mac_a, tok, i, A2F_T_NOW, &d)
            == A2F_OK)
        {
            fprintf(stderr, "first %zu bytes accepted\n", i);
            ok = 0;
        }

        memcpy(bad, tok, i);
        bad[i] = 'A';
        memcpy(bad + i + 1, tok + i, n - i);

        if (a2f_apitoken_decode(a2f_t_mac_a, bad, n + 1, A2F_T_NOW, &d)
            == A2F_OK)
        {
            fprintf(stderr, "byte added at %zu accepted\n", i);
            ok = 0;
        }
    }

    CHECK(ok);

    /* the kind letter swapped: the MAC says no */

    memcpy(bad, tok, n + 1);
    bad[0] = 'b';
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, bad, n, A2F_T_NOW, &d),
             A2F_ERR_AUTH);

    /* other users: a name edited in, or another user's token */

    memcpy(bad, tok, n + 1);
    memcpy(strrchr(bad, '.') - 7, "bWFsbG8", 7);              /* mallo */
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, bad, n, A2F_T_NOW, &d),
             A2F_ERR_AUTH);

    /* another key (same kid text would need a second ring) */

    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_b, tok, n, A2F_T_NOW, &d),
             A2F_ERR_NOKEY);

    /* other texts */

    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, "", 0, A2F_T_NOW, &d),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, NULL, n, A2F_T_NOW, &d),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, tok, n, A2F_T_NOW, NULL),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_apitoken_decode(NULL, tok, n, A2F_T_NOW, &d),
             A2F_ERR_INVALID);

    memset(bad, 'A', sizeof(bad));
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, bad, A2F_APITOKEN_MAX + 1,
                                 A2F_T_NOW, &d), A2F_ERR_INVALID);

    /* a session cookie is no token */

    (void) snprintf(bad, sizeof(bad), "%s",
                    "2.630dcd29.AbCdEfGhIjKlMn-_.2.7.1700000000."
                    "1700000100.1700000050.YWxpY2U."
                    "hjVzt1b6nXnjjvGcpAZwEwbCnj3Nxb5t8_Y4phcc0uI");
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, bad, strlen(bad), A2F_T_NOW,
                                 &d), A2F_ERR_INVALID);

    /* kind() looks at the prefix only */

    CHECK(a2f_apitoken_kind("t1.", 3) == A2F_APITOKEN_TEMP);
    CHECK(a2f_apitoken_kind("b1.x", 4) == A2F_APITOKEN_BEARER);
    CHECK(a2f_apitoken_kind("t1", 2) == 0);
    CHECK(a2f_apitoken_kind("t2.", 3) == 0);
    CHECK(a2f_apitoken_kind("T1.", 3) == 0);
    CHECK(a2f_apitoken_kind("2.6", 3) == 0);
    CHECK(a2f_apitoken_kind("k:e.y.j", 7) == 0);
    CHECK(a2f_apitoken_kind(NULL, 3) == 0);
}


/* a token whose fields are signed right, as a leaked key would sign */

static void
a2f_t_forge(const char *text, size_t len, char *out, size_t outsz,
    size_t *outlen)
{
    char          mac64[64];
    uint8_t       mac[32];
    unsigned int  mlen;

    *outlen = 0;
    out[0] = '\0';

    if (len + 1 + 43 >= outsz
        || HMAC(EVP_sha256(), a2f_t_ring_a.keys[0].key,
                (int) a2f_t_ring_a.keys[0].len, (const uint8_t *) text, len,
                mac, &mlen) == NULL)
    {
        CHECK(0);
        return;
    }

    (void) a2f_b64url_encode(mac, 32, mac64, sizeof(mac64));
    memcpy(out, text, len);
    (void) snprintf(out + len, outsz - len, ".%s", mac64);
    *outlen = len + 1 + 43;
}


/* "t1.<A's kid>." fields, signed with A, decoded into d */

static int
a2f_t_forged_d(const char *fields, int64_t now, a2f_apitoken_t *d)
{
    char    text[256], tok[512];
    size_t  n;

    (void) snprintf(text, sizeof(text), "t1.%s.%s",
                    a2f_t_ring_a.keys[0].kid, fields);
    a2f_t_forge(text, strlen(text), tok, sizeof(tok), &n);

    return a2f_apitoken_decode(a2f_t_mac_a, tok, n, now, d);
}


static int
a2f_t_forged(const char *fields, int64_t now)
{
    a2f_apitoken_t  d;

    return a2f_t_forged_d(fields, now, &d);
}


/* a token signed with A whose client is "ab", c, "cd": any byte, a NUL */

static int
a2f_t_forged_byte(int c, a2f_apitoken_t *d)
{
    int     len;
    char    text[256], tok[512], *x;
    size_t  n;

    len = snprintf(text, sizeof(text), "t1.%s." A2F_T_ID ".7.1714557900"
                   ".ab#cd.YWxpY2U", a2f_t_ring_a.keys[0].kid);
    x = strchr(text, '#');

    if (len <= 0 || x == NULL) {
        CHECK(0);
        return A2F_OK;
    }

    *x = (char) c;
    a2f_t_forge(text, (size_t) len, tok, sizeof(tok), &n);

    return a2f_apitoken_decode(a2f_t_mac_a, tok, n, A2F_T_NOW, d);
}


/* fields with the right MAC but wrong syntax are still refused */

static void
a2f_t_syntax(void)
{
    CHECK_RC(a2f_t_forged(A2F_T_ID ".7.1714557900.app.YWxpY2U", A2F_T_NOW),
             A2F_OK);
    CHECK_RC(a2f_t_forged(A2F_T_ID ".7.1714557900..YWxpY2U", A2F_T_NOW),
             A2F_OK);
    CHECK_RC(a2f_t_forged(A2F_T_ID ".07.1714557900.app.YWxpY2U",
                          A2F_T_NOW), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged(A2F_T_ID ".+7.1714557900.app.YWxpY2U",
                          A2F_T_NOW), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged(A2F_T_ID "..1714557900.app.YWxpY2U", A2F_T_NOW),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged(A2F_T_ID ".4294967296.1714557900.app.YWxpY2U",
                          A2F_T_NOW), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged(A2F_T_ID ".4294967295.1714557900.app.YWxpY2U",
                          A2F_T_NOW), A2F_OK);
    CHECK_RC(a2f_t_forged(A2F_T_ID ".7.9223372036854775808.app.YWxpY2U",
                          A2F_T_NOW), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged(A2F_T_ID ".7.99999999999999999999.app.YWxpY2U",
                          A2F_T_NOW), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged(A2F_T_ID ".7.999999999999999999999.app.YWxpY2U",
                          A2F_T_NOW), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged(A2F_T_ID ".7.1714557900.app.YWxpY2U=", A2F_T_NOW),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged(A2F_T_ID ".7.1714557900.app.YWxpY2V", A2F_T_NOW),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged(A2F_T_ID ".7.1714557900.app.YWx.pY2U", A2F_T_NOW),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged(A2F_T_ID ".7.1714557900.app.", A2F_T_NOW),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged(A2F_T_ID ".7.1714557900..", A2F_T_NOW),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged(A2F_T_ID ".7.1714557900.app.YWwgaWNl", A2F_T_NOW),
             A2F_ERR_INVALID);                                 /* "al ice" */
    CHECK_RC(a2f_t_forged("AAAAAAAAAAAAAAAAAAAAAB.7.1714557900.app.YWxpY2U",
                          A2F_T_NOW), A2F_ERR_INVALID);       /* 2 bits  */
    CHECK_RC(a2f_t_forged("AAAAAAAAAAAAAAAAAAAAA.7.1714557900.app.YWxpY2UU",
                          A2F_T_NOW), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged(A2F_T_ID "A.7.1714557900.app.YWxpY2U", A2F_T_NOW),
             A2F_ERR_INVALID);

    /* the format without a client field is no token */

    CHECK_RC(a2f_t_forged(A2F_T_ID ".7.1714557900.YWxpY2U", A2F_T_NOW),
             A2F_ERR_INVALID);

    /* a temporary token living longer than any is made for */

    CHECK_RC(a2f_t_forged(A2F_T_ID ".7.1714561260.app.YWxpY2U", A2F_T_NOW),
             A2F_OK);                                   /* 3600 + 60    */
    CHECK_RC(a2f_t_forged(A2F_T_ID ".7.1714561261.app.YWxpY2U", A2F_T_NOW),
             A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_forged(A2F_T_ID ".7.9223372036854775807.app.YWxpY2U",
                          A2F_T_NOW), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_forged(A2F_T_ID ".7.0.app.YWxpY2U", A2F_T_NOW),
             A2F_ERR_EXPIRED);
    CHECK_RC(a2f_t_forged(A2F_T_ID ".7.0..YWxpY2U", INT64_MIN),
             A2F_ERR_EXPIRED);
}


/* -- the API client's name ------------------------------------------------- */


/* [A-Za-z0-9_-], written here again */

static int
a2f_t_client_char(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
           || (c >= '0' && c <= '9') || c == '_' || c == '-';
}


/* the client field of a token: after the fifth '.', up to the sixth */

static const char *
a2f_t_client_field(const char *tok, size_t *len)
{
    int          k;
    const char  *p, *q;

    p = tok;

    for (k = 0; k < 5 && p != NULL; k++) {
        p = strchr(p, '.');
        p = (p != NULL) ? p + 1 : NULL;
    }

    q = (p != NULL) ? strchr(p, '.') : NULL;

    if (q == NULL) {
        CHECK(0);
        *len = 0;
        return tok;
    }

    *len = (size_t) (q - p);

    return p;
}


static void
a2f_t_clients(void)
{
    int             c, rc, ok, auth, invalid;
    char            tok[A2F_APITOKEN_MAX + 1], bad[A2F_APITOKEN_MAX + 1];
    char            out[A2F_APITOKEN_MAX + 1];
    char            text[128];
    size_t          i, k, n, flen, len;
    const char     *f;
    a2f_apitoken_t  t, d;

    static const char  *good[] = {
        "x",
        "Web-app_2",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_0189",         /* 32: the longest */
        "abcdefghijklmnopqrstuvwxyz_-2345",
        "--------------------------------",
        "_",
        "0"
    };

    static const char    bads[] = {
        '.', ' ', '+', '/', '=', ':', '\0', '\x80', '\xc3', '\xff', '\n',
        '"', '%', '~', '\x7f'
    };

    /* none: an empty field, an empty name back */

    a2f_t_make_client(A2F_APITOKEN_BEARER, "alice", "", 7, A2F_T_NOW + 300,
                      &t, tok);
    CHECK(strstr(tok, ".1714557900..") != NULL);
    f = a2f_t_client_field(tok, &flen);
    CHECK(flen == 0);
    memset(&d, 0xff, sizeof(d));
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, tok, strlen(tok), A2F_T_NOW,
                                 &d), A2F_OK);
    CHECK(a2f_t_same(&t, &d));
    CHECK(d.client_len == 0 && d.client[0] == '\0');

    /* names: written as they are, read back exactly */

    for (k = 0; k < sizeof(good) / sizeof(good[0]); k++) {
        a2f_t_make_client(A2F_APITOKEN_TEMP, "bob", good[k], 3,
                          A2F_T_NOW + 60, &t, tok);
        f = a2f_t_client_field(tok, &flen);
        CHECK(flen == strlen(good[k]) && memcmp(f, good[k], flen) == 0);

        memset(&d, 0xff, sizeof(d));
        CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, tok, strlen(tok),
                                     A2F_T_NOW, &d), A2F_OK);
        CHECK(a2f_t_same(&t, &d));
        CHECK_STR(d.client, good[k]);
        CHECK(d.client_len == strlen(good[k]));

        /* and when expired */

        memset(&d, 0xff, sizeof(d));
        CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, tok, strlen(tok),
                                     A2F_T_NOW + 60, &d), A2F_ERR_EXPIRED);
        CHECK_STR(d.client, good[k]);
    }

    CHECK(strlen(good[2]) == A2F_APITOKEN_CLIENT_MAX);

    /* only client_len bytes are read */

    a2f_t_fill(&t, A2F_APITOKEN_BEARER, "alice", 7, A2F_T_NOW + 300);
    memcpy(t.client, "abc+", 5);
    t.client_len = 2;
    CHECK_RC(a2f_apitoken_encode(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t,
                                 A2F_T_NOW, tok, sizeof(tok), &n), A2F_OK);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, tok, n, A2F_T_NOW, &d),
             A2F_OK);
    CHECK_STR(d.client, "ab");
    CHECK(d.client_len == 2);

    memset(t.client, '+', sizeof(t.client));
    t.client_len = 0;
    CHECK_RC(a2f_apitoken_encode(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t,
                                 A2F_T_NOW, tok, sizeof(tok), &n), A2F_OK);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, tok, n, A2F_T_NOW, &d),
             A2F_OK);
    CHECK(d.client_len == 0 && d.client[0] == '\0');

    /* 33 bytes, or a length beyond the array: refused, nothing written */

    a2f_t_fill(&t, A2F_APITOKEN_BEARER, "alice", 7, A2F_T_NOW + 300);
    memset(t.client, 'a', sizeof(t.client));
    t.client_len = A2F_APITOKEN_CLIENT_MAX + 1;
    memset(out, 'x', sizeof(out));
    CHECK_RC(a2f_apitoken_encode(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t,
                                 A2F_T_NOW, out, sizeof(out), &n),
             A2F_ERR_INVALID);
    CHECK(out[0] == '\0');
    memset(out, 'x', sizeof(out));
    CHECK_RC(a2f_apitoken_make(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t,
                               A2F_T_NOW, out, sizeof(out), &n),
             A2F_ERR_INVALID);
    CHECK(out[0] == '\0');
    t.client_len = SIZE_MAX;
    CHECK_RC(a2f_apitoken_encode(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t,
                                 A2F_T_NOW, out, sizeof(out), &n),
             A2F_ERR_INVALID);
    t.client_len = A2F_APITOKEN_CLIENT_MAX;
    CHECK_RC(a2f_apitoken_encode(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t,
                                 A2F_T_NOW, out, sizeof(out), &n), A2F_OK);

    /* a byte outside the set, first, in the middle, last: refused */

    for (k = 0; k < sizeof(bads); k++) {
        for (i = 0; i < 5; i += 2) {
            a2f_t_fill(&t, A2F_APITOKEN_TEMP, "alice", 7, A2F_T_NOW + 300);
            memcpy(t.client, "abcde", 6);
            t.client[i] = bads[k];
            t.client_len = 5;

            memset(out, 'x', sizeof(out));
            CHECK_RC(a2f_apitoken_encode(a2f_t_mac_a,
                                         a2f_t_ring_a.keys[0].kid, &t,
                                         A2F_T_NOW, out, sizeof(out), &n),
                     A2F_ERR_INVALID);
            CHECK(out[0] == '\0');
        }
    }

    /* every byte: in the set or refused, by encode and by decode */

    ok = 1;

    for (c = 0; c < 256; c++) {
        a2f_t_fill(&t, A2F_APITOKEN_TEMP, "alice", 7, A2F_T_NOW + 300);
        memcpy(t.client, "ab?cd", 6);
        t.client[2] = (char) c;
        t.client_len = 5;

        rc = a2f_apitoken_encode(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t,
                                 A2F_T_NOW, out, sizeof(out), &n);

        if (rc != (a2f_t_client_char(c) ? A2F_OK : A2F_ERR_INVALID)) {
            fprintf(stderr, "encode, client byte 0x%02x: %d\n", c, rc);
            ok = 0;
        }

        /* the same name in a token signed right, as a leaked key would */

        memset(&d, 0xff, sizeof(d));
        rc = a2f_t_forged_byte(c, &d);

        if (a2f_t_client_char(c)
            ? (rc != A2F_OK || d.client_len != 5
               || memcmp(d.client, t.client, 6) != 0)
            : (rc != A2F_ERR_INVALID || d.kind != 0 || d.client_len != 0
               || d.client[0] != '\0'))
        {
            fprintf(stderr, "decode, client byte 0x%02x: %d\n", c, rc);
            ok = 0;
        }
    }

    CHECK(ok);

    /* decode: bad names signed right are refused for their syntax */

    CHECK_RC(a2f_t_forged_byte('x', &d), A2F_OK);
    CHECK_STR(d.client, "abxcd");
    CHECK_RC(a2f_t_forged_byte('.', &d), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged_byte(' ', &d), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged_byte('+', &d), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged_byte('/', &d), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged_byte('=', &d), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged_byte(0x80, &d), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged_byte(0xff, &d), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_forged_byte('\0', &d), A2F_ERR_INVALID);
    CHECK(d.kind == 0 && d.client_len == 0);

    CHECK_RC(a2f_t_forged(A2F_T_ID ".7.1714557900"
                          ".ABCDEFGHIJKLMNOPQRSTUVWXYZ-_0189.YWxpY2U",
                          A2F_T_NOW), A2F_OK);
    CHECK_RC(a2f_t_forged(A2F_T_ID ".7.1714557900"
                          ".ABCDEFGHIJKLMNOPQRSTUVWXYZ-_01890.YWxpY2U",
                          A2F_T_NOW), A2F_ERR_INVALID);         /* 33 */

    (void) snprintf(text, sizeof(text), "%s.7.1714557900.%s.YWxpY2U",
                    A2F_T_ID, good[3]);
    memset(&d, 0xff, sizeof(d));
    CHECK_RC(a2f_t_forged_d(text, A2F_T_NOW, &d), A2F_OK);
    CHECK_STR(d.client, good[3]);
    CHECK(d.client_len == A2F_APITOKEN_CLIENT_MAX);

    /* the syntax first: a bad byte in a token of ours is no MAC failure */

    a2f_t_make_client(A2F_APITOKEN_BEARER, "alice", "Web-app_2", 7,
                      A2F_T_NOW + 300, &t, tok);
    n = strlen(tok);
    f = a2f_t_client_field(tok, &flen);
    CHECK(flen == 9);

    memcpy(bad, tok, n + 1);
    bad[f - tok + 3] = '+';
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, bad, n, A2F_T_NOW, &d),
             A2F_ERR_INVALID);

    /* every byte of the name, every change: refused, d left zero */

    ok = 1;
    auth = 0;
    invalid = 0;

    for (i = 0; i < flen; i++) {
        for (c = 1; c < 256; c++) {
            memcpy(bad, tok, n + 1);
            bad[f - tok + i] = (char) (bad[f - tok + i] ^ c);

            memset(&d, 0xff, sizeof(d));
            rc = a2f_apitoken_decode(a2f_t_mac_a, bad, n, A2F_T_NOW, &d);

            if (rc == A2F_ERR_AUTH) {
                auth++;

            } else if (rc == A2F_ERR_INVALID) {
                invalid++;

            } else {
                fprintf(stderr, "client byte %zu ^ 0x%02x: %d\n", i, c, rc);
                ok = 0;
            }

            if (d.kind != 0 || d.client_len != 0 || d.client[0] != '\0') {
                fprintf(stderr, "client byte %zu ^ 0x%02x: filled\n", i, c);
                ok = 0;
            }
        }
    }

    CHECK(ok);
    CHECK(auth > 0 && invalid > 0);

    /* another client's name, a name dropped, a name added: the MAC */

    memcpy(bad, tok, n + 1);
    bad[f - tok + flen - 1] = '3';
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, bad, n, A2F_T_NOW, &d),
             A2F_ERR_AUTH);

    len = (size_t) (f - tok);
    memcpy(bad, tok, len);
    memcpy(bad + len, tok + len + flen, n - len - flen + 1);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, bad, n - flen, A2F_T_NOW, &d),
             A2F_ERR_AUTH);

    a2f_t_make(A2F_APITOKEN_BEARER, "alice", 7, A2F_T_NOW + 300, &t, tok);
    n = strlen(tok);
    f = a2f_t_client_field(tok, &flen);
    CHECK(flen == 0);
    len = (size_t) (f - tok);
    memcpy(bad, tok, len);
    memcpy(bad + len, "app", 3);
    memcpy(bad + len + 3, tok + len, n - len + 1);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, bad, n + 3, A2F_T_NOW, &d),
             A2F_ERR_AUTH);
}


/* -- kinds, expiry, users, generations, keys ------------------------------- */


static void
a2f_t_rules(void)
{
    char            tok[A2F_APITOKEN_MAX + 1];
    size_t          n;
    a2f_apitoken_t  t, d;

    /* the kind: a bearer is no temporary token, nor the reverse */

    a2f_t_make(A2F_APITOKEN_BEARER, "alice", 7, A2F_T_NOW + 60, &t, tok);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, tok, strlen(tok), A2F_T_NOW,
                                 &d), A2F_OK);
    CHECK_RC(a2f_apitoken_check(&d, A2F_APITOKEN_TEMP, 7), A2F_ERR_AUTH);
    CHECK_RC(a2f_apitoken_check(&d, A2F_APITOKEN_BEARER, 7), A2F_OK);
    CHECK_RC(a2f_apitoken_check(&d, 0, 7), A2F_ERR_AUTH);
    CHECK_RC(a2f_apitoken_check(&d, 'x', 7), A2F_ERR_AUTH);
    CHECK_RC(a2f_apitoken_check(NULL, A2F_APITOKEN_BEARER, 7), A2F_ERR_AUTH);

    a2f_t_make(A2F_APITOKEN_TEMP, "alice", 7, A2F_T_NOW + 60, &t, tok);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, tok, strlen(tok), A2F_T_NOW,
                                 &d), A2F_OK);
    CHECK_RC(a2f_apitoken_check(&d, A2F_APITOKEN_BEARER, 7), A2F_ERR_AUTH);
    CHECK_RC(a2f_apitoken_check(&d, A2F_APITOKEN_TEMP, 7), A2F_OK);

    /* the generation: revoked is expired */

    CHECK_RC(a2f_apitoken_check(&d, A2F_APITOKEN_TEMP, 8), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_apitoken_check(&d, A2F_APITOKEN_TEMP, 6), A2F_ERR_EXPIRED);

    /* expiry: good to expires - 1; filled when expired */

    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, tok, strlen(tok),
                                 A2F_T_NOW + 59, &d), A2F_OK);
    memset(&d, 0, sizeof(d));
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, tok, strlen(tok),
                                 A2F_T_NOW + 60, &d), A2F_ERR_EXPIRED);
    CHECK(a2f_t_same(&t, &d));
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, tok, strlen(tok), INT64_MAX,
                                 &d), A2F_ERR_EXPIRED);

    /* the clock went back more than the longest lifetime and a minute */

    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, tok, strlen(tok),
                                 A2F_T_NOW + 60 - 3660, &d), A2F_OK);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, tok, strlen(tok),
                                 A2F_T_NOW + 60 - 3661, &d),
             A2F_ERR_EXPIRED);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, tok, strlen(tok), INT64_MIN,
                                 &d), A2F_ERR_EXPIRED);

    a2f_t_make(A2F_APITOKEN_BEARER, "alice", 7, A2F_T_NOW + 86400, &t, tok);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, tok, strlen(tok),
                                 A2F_T_NOW - 60, &d), A2F_OK);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, tok, strlen(tok),
                                 A2F_T_NOW - 61, &d), A2F_ERR_EXPIRED);

    /* key rotation: [A] made it, [B, A] reads it; [B] alone does not */

    a2f_t_make(A2F_APITOKEN_BEARER, "alice", 7, A2F_T_NOW + 300, &t, tok);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_ba, tok, strlen(tok), A2F_T_NOW,
                                 &d), A2F_OK);
    CHECK(a2f_t_same(&t, &d));
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_b, tok, strlen(tok), A2F_T_NOW,
                                 &d), A2F_ERR_NOKEY);

    /* [B, A] signs with B; [A] does not know B */

    a2f_t_fill(&t, A2F_APITOKEN_BEARER, "alice", 7, A2F_T_NOW + 300);
    CHECK_RC(a2f_apitoken_make(a2f_t_mac_ba, a2f_t_ring_ba.keys[0].kid, &t,
                               A2F_T_NOW, tok, sizeof(tok), &n), A2F_OK);
    CHECK(memcmp(tok + 3, a2f_t_ring_ba.keys[0].kid, A2F_KID_LEN) == 0);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_ba, tok, n, A2F_T_NOW, &d),
             A2F_OK);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_b, tok, n, A2F_T_NOW, &d),
             A2F_OK);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, tok, n, A2F_T_NOW, &d),
             A2F_ERR_NOKEY);

    /* B's kid with A's MAC: the kid's key decides */

    memcpy(tok + 3, a2f_t_ring_a.keys[0].kid, A2F_KID_LEN);
    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_ba, tok, n, A2F_T_NOW, &d),
             A2F_ERR_AUTH);
}


/* -- the store: tries ------------------------------------------------------ */


static a2f_store_t *
a2f_t_open(const char *path, unsigned flags)
{
    int           rc;
    char          err[512];
    a2f_store_t  *st;

    st = NULL;
    rc = a2f_store_open(path, 0, &a2f_t_ring_a, flags, &st, err,
                        sizeof(err));

    if (rc != A2F_OK) {
        fprintf(stderr, "open %s: %s\n", path, err);
    }

    CHECK_RC(rc, A2F_OK);

    return st;
}


static int
a2f_t_add_user(a2f_store_t *st, const char *name)
{
    a2f_user_t  u;

    memset(&u, 0, sizeof(a2f_user_t));
    snprintf(u.name, sizeof(u.name), "%s", name);
    u.name_len = strlen(name);
    u.gen = 7;
    snprintf(u.pwhash, sizeof(u.pwhash), "$scrypt$ln=10,r=8,p=1$x$%s", name);

    return a2f_store_user_add(st, &u, A2F_T_NOW);
}


/*
 * What the API does with a temporary token: verify it, check it is a
 * temporary token of the user's generation, take a try.
 */

static int
a2f_t_use(a2f_store_t *st, const char *tok, int64_t now, unsigned *left)
{
    int             rc;
    uint32_t        gen, flags;
    a2f_apitoken_t  d;

    rc = a2f_apitoken_decode(a2f_t_mac_a, tok, strlen(tok), now, &d);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_store_user_gen(st, d.user, d.user_len, &gen, &flags);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_apitoken_check(&d, A2F_APITOKEN_TEMP, gen);
    if (rc != A2F_OK) {
        return rc;
    }

    return a2f_store_apitoken_try(st, d.user, d.user_len, d.id, now, left);
}


/* a temporary token for user with its record in st */

static void
a2f_t_temp(a2f_store_t *st, const char *user, unsigned tries, int64_t ttl,
    a2f_apitoken_t *t, char tok[A2F_APITOKEN_MAX + 1])
{
    uint32_t  gen, flags;

    gen = 0;
    CHECK_RC(a2f_store_user_gen(st, user, strlen(user), &gen, &flags),
             A2F_OK);
    a2f_t_make(A2F_APITOKEN_TEMP, user, gen, A2F_T_NOW + ttl, t, tok);
    CHECK_RC(a2f_store_apitoken_new(st, user, strlen(user), t->id, tries,
                                    t->expires, A2F_T_NOW), A2F_OK);
}


static void
a2f_t_tries(a2f_store_t *st)
{
    char            tok[A2F_APITOKEN_MAX + 1], tok2[A2F_APITOKEN_MAX + 1];
    size_t          n;
    unsigned        left;
    a2f_apitoken_t  t, t2;

    CHECK_RC(a2f_t_add_user(st, "alice"), A2F_OK);
    CHECK_RC(a2f_t_add_user(st, "bob"), A2F_OK);

    /* from authenticate: 3 tries, then dead */

    a2f_t_temp(st, "alice", A2F_APITOKEN_AUTH_TRIES, A2F_APITOKEN_AUTH_TTL,
               &t, tok);

    left = 99;
    CHECK_RC(a2f_t_use(st, tok, A2F_T_NOW, &left), A2F_OK);
    CHECK(left == 2);
    CHECK_RC(a2f_t_use(st, tok, A2F_T_NOW + 1, &left), A2F_OK);
    CHECK(left == 1);
    CHECK_RC(a2f_t_use(st, tok, A2F_T_NOW + 2, &left), A2F_OK);
    CHECK(left == 0);
    left = 99;
    CHECK_RC(a2f_t_use(st, tok, A2F_T_NOW + 3, &left), A2F_ERR_NOTFOUND);
    CHECK(left == 0);
    CHECK_RC(a2f_t_use(st, tok, A2F_T_NOW + 4, &left), A2F_ERR_NOTFOUND);

    /* dead although its MAC is good */

    CHECK_RC(a2f_apitoken_decode(a2f_t_mac_a, tok, strlen(tok),
                                 A2F_T_NOW + 5, &t2), A2F_OK);

    /* from delegate: 1 try */

    a2f_t_temp(st, "alice", A2F_APITOKEN_DELEGATE_TRIES,
               A2F_APITOKEN_DELEGATE_TTL, &t, tok);
    CHECK_RC(a2f_t_use(st, tok, A2F_T_NOW, &left), A2F_OK);
    CHECK(left == 0);
    CHECK_RC(a2f_t_use(st, tok, A2F_T_NOW, &left), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_apitoken_del(st, "alice", 5, t.id), A2F_ERR_NOTFOUND);

    /* spent on a success: the tries left are gone */

    a2f_t_temp(st, "alice", 3, A2F_APITOKEN_AUTH_TTL, &t, tok);
    CHECK_RC(a2f_t_use(st, tok, A2F_T_NOW, &left), A2F_OK);
    CHECK(left == 2);
    CHECK_RC(a2f_store_apitoken_del(st, "alice", 5, t.id), A2F_OK);
    CHECK_RC(a2f_t_use(st, tok, A2F_T_NOW, &left), A2F_ERR_NOTFOUND);

    /* tokens are each their own */

    a2f_t_temp(st, "alice", 1, 300, &t, tok);
    a2f_t_temp(st, "alice", 1, 300, &t2, tok2);
    CHECK_RC(a2f_t_use(st, tok2, A2F_T_NOW, &left), A2F_OK);
    CHECK_RC(a2f_t_use(st, tok, A2F_T_NOW, &left), A2F_OK);

    /* expired: refused by its text, and its record goes */

    a2f_t_temp(st, "alice", 3, 300, &t, tok);
    CHECK_RC(a2f_t_use(st, tok, A2F_T_NOW + 300, &left), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_store_apitoken_try(st, "alice", 5, t.id, A2F_T_NOW + 300,
                                    &left), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_store_apitoken_try(st, "alice", 5, t.id, A2F_T_NOW, &left),
             A2F_ERR_NOTFOUND);

    /* another user's: the record is under the token's user only */

    a2f_t_temp(st, "alice", 3, 300, &t, tok);
    CHECK_RC(a2f_store_apitoken_try(st, "bob", 3, t.id, A2F_T_NOW, &left),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_apitoken_del(st, "bob", 3, t.id), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_t_use(st, tok, A2F_T_NOW, &left), A2F_OK);
    CHECK(left == 2);

    /* bob's token with alice's id: bob's record, not alice's */

    a2f_t_fill(&t2, A2F_APITOKEN_TEMP, "bob", 7, A2F_T_NOW + 300);
    memcpy(t2.id, t.id, A2F_APITOKEN_ID_LEN);
    CHECK_RC(a2f_apitoken_encode(a2f_t_mac_a, a2f_t_ring_a.keys[0].kid, &t2,
                                 A2F_T_NOW, tok2, sizeof(tok2), &n), A2F_OK);
    CHECK_RC(a2f_t_use(st, tok2, A2F_T_NOW, &left), A2F_ERR_NOTFOUND);

    /* a generation bump (revoke) kills the user's tokens */

    CHECK_RC(a2f_store_user_revoke(st, "alice", 5), A2F_OK);
    CHECK_RC(a2f_t_use(st, tok, A2F_T_NOW, &left), A2F_ERR_EXPIRED);

    /* a bearer never takes a temporary token's place */

    a2f_t_make(A2F_APITOKEN_BEARER, "bob", 7, A2F_T_NOW + 300, &t2, tok2);
    CHECK_RC(a2f_t_use(st, tok2, A2F_T_NOW, &left), A2F_ERR_AUTH);

    /* deleting the user kills its tokens: a new "bob" has none */

    a2f_t_temp(st, "bob", 3, 300, &t, tok);
    CHECK_RC(a2f_store_user_del(st, "bob", 3), A2F_OK);
    CHECK_RC(a2f_t_add_user(st, "bob"), A2F_OK);
    CHECK_RC(a2f_t_use(st, tok, A2F_T_NOW, &left), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_apitoken_try(st, "bob", 3, t.id, A2F_T_NOW, &left),
             A2F_ERR_NOTFOUND);
}


/* -- processes racing for the tries ---------------------------------------- */


/*
 * nproc processes, each with its own store, take a try of tok at the
 * same moment; returns how many got A2F_OK (and counts any exit that is
 * neither A2F_OK nor A2F_ERR_NOTFOUND as a failed check).
 */

static int
a2f_t_race(const char *path, const char *tok, int nproc)
{
    int           rc, k, status, wins, go[2], ready[2];
    char          c;
    pid_t         pid[A2F_T_RACERS];
    unsigned      left;
    a2f_store_t  *st;

    wins = 0;

    if (nproc > A2F_T_RACERS || pipe(go) != 0 || pipe(ready) != 0) {
        CHECK(0);
        return -1;
    }

    fflush(NULL);

    for (k = 0; k < nproc; k++) {
        pid[k] = fork();

        if (pid[k] == 0) {
            close(go[1]);
            close(ready[0]);

            st = NULL;
            rc = a2f_store_open(path, 0, &a2f_t_ring_a, 0, &st, NULL, 0);
            if (rc != A2F_OK) {
                _exit(10);
            }

            if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1) {
                _exit(11);
            }

            rc = a2f_t_use(st, tok, A2F_T_NOW, &left);
            a2f_store_close(st);

            _exit(rc == A2F_OK ? 0 : rc == A2F_ERR_NOTFOUND ? 1 : 12);
        }
    }

    close(go[0]);
    close(ready[1]);

    for (k = 0; k < nproc; k++) {
        if (read(ready[0], &c, 1) != 1) {
            CHECK(0);
        }
    }

    /* all are waiting: let them go at once */

    for (k = 0; k < nproc; k++) {
        if (write(go[1], "g", 1) != 1) {
            CHECK(0);
        }
    }

    close(go[1]);
    close(ready[0]);

    for (k = 0; k < nproc; k++) {
        status = -1;
        CHECK(waitpid(pid[k], &status, 0) == pid[k]);
        CHECK(WIFEXITED(status)
              && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 1));

        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            wins++;
        }
    }

    return wins;
}


static void
a2f_t_races(const char *path)
{
    int             round;
    char            tok[A2F_APITOKEN_MAX + 1];
    unsigned        left;
    a2f_store_t    *st;
    a2f_apitoken_t  t;

    /* a 1-try token, two processes: exactly one wins */

    for (round = 0; round < 8; round++) {
        st = a2f_t_open(path, 0);
        if (st == NULL) {
            return;
        }

        a2f_t_temp(st, "racer", A2F_APITOKEN_DELEGATE_TRIES,
                   A2F_APITOKEN_DELEGATE_TTL, &t, tok);
        a2f_store_close(st);

        CHECK(a2f_t_race(path, tok, 2) == 1);
    }

    /* a 3-try token, four processes: exactly three win; then dead */

    for (round = 0; round < 4; round++) {
        st = a2f_t_open(path, 0);
        if (st == NULL) {
            return;
        }

        a2f_t_temp(st, "racer", A2F_APITOKEN_AUTH_TRIES,
                   A2F_APITOKEN_AUTH_TTL, &t, tok);
        a2f_store_close(st);

        CHECK(a2f_t_race(path, tok, 4) == 3);

        st = a2f_t_open(path, 0);
        if (st == NULL) {
            return;
        }

        CHECK_RC(a2f_t_use(st, tok, A2F_T_NOW, &left), A2F_ERR_NOTFOUND);
        a2f_store_close(st);
    }
}


int
main(int argc, char **argv)
{
    char          path[128], cmd[128];
    a2f_store_t  *st;

    a2f_t_ring(A2F_T_KEY_A "\n", &a2f_t_ring_a);
    a2f_t_ring(A2F_T_KEY_B "\n" A2F_T_KEY_A "\n", &a2f_t_ring_ba);
    a2f_t_mac_a = a2f_t_mac(A2F_T_KEY_A "\n");
    a2f_t_mac_b = a2f_t_mac(A2F_T_KEY_B "\n");
    a2f_t_mac_ba = a2f_t_mac(A2F_T_KEY_B "\n" A2F_T_KEY_A "\n");

    if (a2f_t_mac_a == NULL || a2f_t_mac_b == NULL || a2f_t_mac_ba == NULL) {
        return a2f_test_done(argv[0]);
    }

    a2f_t_format();
    a2f_t_round_trip();
    a2f_t_tamper();
    a2f_t_syntax();
    a2f_t_clients();
    a2f_t_rules();

    snprintf(a2f_t_dir, sizeof(a2f_t_dir), "/tmp/a2f_test_apitoken.XXXXXX");

    if (mkdtemp(a2f_t_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }

    snprintf(path, sizeof(path), "%s/tokens.db", a2f_t_dir);

    st = a2f_t_open(path, A2F_STORE_CREATE);

    if (st != NULL) {
        a2f_t_tries(st);
        CHECK_RC(a2f_t_add_user(st, "racer"), A2F_OK);
        a2f_store_close(st);
        a2f_t_races(path);
    }

    a2f_mac_free(a2f_t_mac_a);
    a2f_mac_free(a2f_t_mac_b);
    a2f_mac_free(a2f_t_mac_ba);
    a2f_keyring_wipe(&a2f_t_ring_a);
    a2f_keyring_wipe(&a2f_t_ring_ba);

    if (getenv("A2F_TEST_KEEP") == NULL) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", a2f_t_dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "cannot remove %s\n", a2f_t_dir);
        }
    }

    return a2f_test_done(argv[0]);
}
