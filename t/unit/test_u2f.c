
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * test_u2f.c: the raw FIDO U2F messages (a2f_u2f.c) against a software
 * U2F token made here with OpenSSL at test time: a P-256 attestation key
 * and its self-signed certificate, a P-256 user key, registration and
 * authentication responses built byte by byte and signed.  The round
 * trip, every byte of every message tampered with, every truncation,
 * typ, challenge, origin and appId, the presence bit, the counter, the
 * layout's lengths, the user key's point, base64 and JSON; websafe
 * base64 and the appId's origin on their own; and
 * a2f_wa_signature_verify(), the WebAuthn path the authentication uses.
 */


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "a2f_crypto.h"
#include "a2f_cose.h"
#include "a2f_webauthn.h"
#include "a2f_u2f.h"
#include "a2f_test.h"


#define A2F_TEST_APPID     "https://example.com/u2f/app-id.json"
#define A2F_TEST_ORIGIN    "https://example.com"
#define A2F_TEST_KH_LEN    64

#define A2F_TEST_RD_MAX    8192
#define A2F_TEST_B64_MAX   (A2F_U2F_REG_DATA_MAX / 3 * 4 + 16)


/* CHECK_RC, and a reason on every failure */
#define CHECK_U2F(expr, want)                                                \
    do {                                                                     \
        int  a2f_test_u2f_ = (expr);                                         \
        a2f_test_u2f_check(a2f_test_u2f_, (want), __LINE__, #expr);          \
    } while (0)


/* the software token */
typedef struct {
    EVP_PKEY  *att;                   /* attestation key                  */
    uint8_t    cert[2048];            /* its self-signed certificate, DER */
    size_t     cert_len;
    uint8_t    att_point[65];
    EVP_PKEY  *user;                  /* the user key                     */
    uint8_t    point[65];
    uint8_t    kh[255];
    size_t     kh_len;
} a2f_test_tok_t;


/* a built message, raw */
typedef struct {
    uint8_t  b[A2F_TEST_RD_MAX];
    size_t   n;
} a2f_test_msg_t;


static char  a2f_test_why[128];

/* calls that left errors in OpenSSL's queue (nginx logs them later) */
static unsigned  a2f_test_stale;
static char  a2f_test_cd64[A2F_TEST_B64_MAX];
static char  a2f_test_m64[A2F_TEST_B64_MAX];

static a2f_test_tok_t  a2f_test_tok;
static uint8_t         a2f_test_chal[32];

static const uint8_t   a2f_test_masks[] = { 0x01, 0x80, 0xff };


static void
a2f_test_u2f_check(int rc, int want, int line, const char *expr)
{
    if (rc != want) {
        a2f_test_failed++;
        fprintf(stderr, "%s:%d: %s returned %d (\"%s\"), want %d\n",
                __FILE__, line, expr, rc, a2f_test_why, want);
        return;
    }

    a2f_test_passed++;

    if (rc != A2F_OK && a2f_test_why[0] == '\0') {
        a2f_test_failed++;
        fprintf(stderr, "%s:%d: %s: no reason given\n", __FILE__, line,
                expr);
    }
}


static void
a2f_test_fatal(const char *what)
{
    fprintf(stderr, "%s: %s failed\n", __FILE__, what);
    exit(2);
}


/* -- the software token --------------------------------------------------- */


static void
a2f_test_point(EVP_PKEY *k, uint8_t point[65])
{
    size_t  n;

    if (EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                        point, 65, &n) != 1
        || n != 65 || point[0] != 0x04)
    {
        a2f_test_fatal("EVP_PKEY_get_octet_string_param");
    }
}


static void
a2f_test_cert(EVP_PKEY *k, uint8_t *der, size_t *len, size_t max)
{
    int            n;
    X509          *x;
    X509_NAME     *name;
    unsigned char *p;

    x = X509_new();
    name = X509_NAME_new();

    if (x == NULL || name == NULL
        || X509_set_version(x, X509_VERSION_3) != 1
        || ASN1_INTEGER_set(X509_get_serialNumber(x), 4242) != 1
        || X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL
        || X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365) == NULL
        || X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                      (const unsigned char *)
                                      "a2f test U2F attestation", -1, -1, 0)
           != 1
        || X509_set_subject_name(x, name) != 1
        || X509_set_issuer_name(x, name) != 1
        || X509_set_pubkey(x, k) != 1
        || X509_sign(x, k, EVP_sha256()) <= 0)
    {
        a2f_test_fatal("making the attestation certificate");
    }

    n = i2d_X509(x, NULL);

    if (n <= 0 || (size_t) n > max) {
        a2f_test_fatal("i2d_X509");
    }

    p = der;
    i2d_X509(x, &p);
    *len = (size_t) n;

    X509_NAME_free(name);
    X509_free(x);
}


static void
a2f_test_sign(EVP_PKEY *k, const uint8_t *msg, size_t len, uint8_t *sig,
    size_t *siglen)
{
    size_t       n;
    EVP_MD_CTX  *ctx;

    ctx = EVP_MD_CTX_new();
    n = 80;

    if (ctx == NULL
        || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k) != 1
        || EVP_DigestSign(ctx, sig, &n, msg, len) != 1)
    {
        a2f_test_fatal("EVP_DigestSign");
    }

    EVP_MD_CTX_free(ctx);
    *siglen = n;
}


static void
a2f_test_sha256(const void *p, size_t len, uint8_t out[32])
{
    unsigned int  n;

    if (EVP_Digest(p, len, out, &n, EVP_sha256(), NULL) != 1) {
        a2f_test_fatal("EVP_Digest");
    }
}


static void
a2f_test_tok_init(a2f_test_tok_t *t, size_t kh_len)
{
    size_t  i;

    memset(t, 0, sizeof(*t));

    t->att = EVP_EC_gen("P-256");
    t->user = EVP_EC_gen("P-256");

    if (t->att == NULL || t->user == NULL) {
        a2f_test_fatal("EVP_EC_gen");
    }

    a2f_test_cert(t->att, t->cert, &t->cert_len, sizeof(t->cert));
    a2f_test_point(t->att, t->att_point);
    a2f_test_point(t->user, t->point);

    for (i = 0; i < kh_len; i++) {
        t->kh[i] = (uint8_t) (i * 7 + 3);
    }

    t->kh_len = kh_len;
}


static void
a2f_test_tok_free(a2f_test_tok_t *t)
{
    EVP_PKEY_free(t->att);
    EVP_PKEY_free(t->user);
    t->att = NULL;
    t->user = NULL;
}


/* websafe base64, padded or not, into out (NUL-terminated) */

static const char *
a2f_test_b64(const uint8_t *p, size_t n, int pad, char *out, size_t outsz)
{
    size_t  len;

    if (n == 0) {
        out[0] = '\0';
        return out;
    }

    len = a2f_b64url_encode(p, n, out, outsz);

    if (len == 0) {
        a2f_test_fatal("a2f_b64url_encode");
    }

    while (pad && len % 4 != 0) {
        out[len++] = '=';
    }

    out[len] = '\0';

    return out;
}


/* a clientData JSON (its challenge websafe base64, padded or not) */

static void
a2f_test_cd(a2f_test_msg_t *m, const char *typ, const uint8_t *chal,
    size_t clen, const char *origin, int pad)
{
    char  c64[128];
    int   n;

    a2f_test_b64(chal, clen, pad, c64, sizeof(c64));

    n = snprintf((char *) m->b, sizeof(m->b),
                 "{\"typ\":\"%s\",\"challenge\":\"%s\",\"origin\":\"%s\","
                 "\"cid_pubkey\":\"unused\"}", typ, c64, origin);

    if (n <= 0 || (size_t) n >= sizeof(m->b)) {
        a2f_test_fatal("snprintf");
    }

    m->n = (size_t) n;
}


/*
 * registrationData: 0x05 | point | L | kh | cert | sig, the signature by
 * signer (the attestation key) over 0x00 | H(app) | H(cd) | kh | point
 */

static void
a2f_test_rd(const a2f_test_tok_t *t, EVP_PKEY *signer, const char *app_id,
    const a2f_test_msg_t *cd, a2f_test_msg_t *rd)
{
    size_t   n, siglen;
    uint8_t  msg[1 + 32 + 32 + 255 + 65], sig[80];

    msg[0] = 0x00;
    a2f_test_sha256(app_id, strlen(app_id), msg + 1);
    a2f_test_sha256(cd->b, cd->n, msg + 33);
    memcpy(msg + 65, t->kh, t->kh_len);
    memcpy(msg + 65 + t->kh_len, t->point, 65);
    a2f_test_sign(signer, msg, 65 + t->kh_len + 65, sig, &siglen);

    n = 0;
    rd->b[n++] = 0x05;
    memcpy(rd->b + n, t->point, 65);
    n += 65;
    rd->b[n++] = (uint8_t) t->kh_len;
    memcpy(rd->b + n, t->kh, t->kh_len);
    n += t->kh_len;
    memcpy(rd->b + n, t->cert, t->cert_len);
    n += t->cert_len;
    memcpy(rd->b + n, sig, siglen);
    n += siglen;
    rd->n = n;
}


/*
 * signatureData: presence | counter | sig, by key over H(app) | presence
 * | counter | H(cd)
 */

static void
a2f_test_sd(EVP_PKEY *key, const char *app_id, uint8_t presence,
    uint32_t counter, const a2f_test_msg_t *cd, a2f_test_msg_t *sd)
{
    size_t   siglen;
    uint8_t  msg[32 + 5 + 32], sig[80];

    a2f_test_sha256(app_id, strlen(app_id), msg);
    msg[32] = presence;
    msg[33] = (uint8_t) (counter >> 24);
    msg[34] = (uint8_t) (counter >> 16);
    msg[35] = (uint8_t) (counter >> 8);
    msg[36] = (uint8_t) counter;
    a2f_test_sha256(cd->b, cd->n, msg + 37);
    a2f_test_sign(key, msg, sizeof(msg), sig, &siglen);

    memcpy(sd->b, msg + 32, 5);
    memcpy(sd->b + 5, sig, siglen);
    sd->n = 5 + siglen;
}


/* the calls, on raw messages */

static int
a2f_test_queue(int rc)
{
    if (ERR_peek_error() != 0) {
        a2f_test_stale++;
        ERR_clear_error();
    }

    return rc;
}


static int
a2f_test_reg(const a2f_test_msg_t *cd, const a2f_test_msg_t *rd,
    const char *app_id, const uint8_t *chal, size_t clen, int pad,
    a2f_u2f_reg_t *out)
{
    a2f_test_b64(cd->b, cd->n, pad, a2f_test_cd64, sizeof(a2f_test_cd64));
    a2f_test_b64(rd->b, rd->n, pad, a2f_test_m64, sizeof(a2f_test_m64));
    a2f_test_why[0] = '\0';

    return a2f_test_queue(a2f_u2f_register(a2f_test_cd64,
                                           strlen(a2f_test_cd64),
                                           a2f_test_m64, strlen(a2f_test_m64),
                                           app_id, chal, clen, out,
                                           a2f_test_why,
                                           sizeof(a2f_test_why)));
}


static int
a2f_test_auth(const a2f_test_msg_t *cd, const a2f_test_msg_t *sd,
    const char *app_id, const uint8_t *chal, size_t clen, int pad,
    const uint8_t *cose, size_t cose_len, uint32_t stored,
    uint32_t *newc)
{
    a2f_test_b64(cd->b, cd->n, pad, a2f_test_cd64, sizeof(a2f_test_cd64));
    a2f_test_b64(sd->b, sd->n, pad, a2f_test_m64, sizeof(a2f_test_m64));
    a2f_test_why[0] = '\0';

    return a2f_test_queue(a2f_u2f_authenticate(a2f_test_cd64,
                                               strlen(a2f_test_cd64),
                                               a2f_test_m64,
                                               strlen(a2f_test_m64), app_id,
                                               chal, clen, cose, cose_len,
                                               stored, newc, a2f_test_why,
                                               sizeof(a2f_test_why)));
}


static int
a2f_test_zero(const void *p, size_t n)
{
    size_t          i;
    const uint8_t  *b;

    b = p;

    for (i = 0; i < n; i++) {
        if (b[i] != 0) {
            return 0;
        }
    }

    return 1;
}


static size_t
a2f_test_find(const uint8_t *hay, size_t n, const uint8_t *needle,
    size_t m)
{
    size_t  i;

    for (i = 0; i + m <= n; i++) {
        if (memcmp(hay + i, needle, m) == 0) {
            return i;
        }
    }

    return (size_t) -1;
}


/* a registration of the test token, the good one */

static void
a2f_test_good(a2f_test_msg_t *cd, a2f_test_msg_t *rd, a2f_u2f_reg_t *out)
{
    a2f_test_cd(cd, A2F_U2F_TYP_REGISTER, a2f_test_chal,
                sizeof(a2f_test_chal), A2F_TEST_ORIGIN, 0);
    a2f_test_rd(&a2f_test_tok, a2f_test_tok.att, A2F_TEST_APPID, cd, rd);

    CHECK_U2F(a2f_test_reg(cd, rd, A2F_TEST_APPID, a2f_test_chal,
                           sizeof(a2f_test_chal), 0, out), A2F_OK);
}


/* -- websafe base64 and origins ------------------------------------------- */


static void
a2f_test_b64_decode(void)
{
    size_t   i, n;
    uint8_t  out[8];

    static const struct {
        const char  *in;
        size_t       n;               /* bytes; 0: refused               */
    } v[] = {
        { "QQ", 1 }, { "QQ==", 1 }, { "QUI", 2 }, { "QUI=", 2 },
        { "QUJD", 3 }, { "_-8", 2 }, { "_-8=", 2 }, { "QUJDRA", 4 },
        { "QUJDRA==", 4 },
        { "", 0 }, { "=", 0 }, { "==", 0 }, { "===", 0 }, { "====", 0 },
        { "Q", 0 }, { "Q=", 0 }, { "Q==", 0 }, { "Q===", 0 },
        { "QQ=", 0 }, { "QQ===", 0 }, { "QUI==", 0 }, { "QUJD=", 0 },
        { "QUJD====", 0 }, { "QQ=A", 0 }, { "Q=Q=", 0 }, { "QR", 0 },
        { "QR==", 0 }, { "QUJ", 0 }, { "/+8=", 0 }, { "QU I", 0 },
        { "QUI\n", 0 }, { " QQ", 0 }, { "QQ ", 0 },
        { "QQ%3D%3D", 0 }
    };

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        n = 99;

        if (v[i].n) {
            CHECK_RC(a2f_u2f_b64_decode(v[i].in, strlen(v[i].in), out,
                                        sizeof(out), &n), A2F_OK);
            CHECK(n == v[i].n);

        } else {
            CHECK_RC(a2f_u2f_b64_decode(v[i].in, strlen(v[i].in), out,
                                        sizeof(out), &n), A2F_ERR_INVALID);
            CHECK(n == 0);
        }
    }

    /* "QUI\0": the NUL is part of the input */
    CHECK_RC(a2f_u2f_b64_decode("QUI\0", 4, out, sizeof(out), &n),
             A2F_ERR_INVALID);

    CHECK_RC(a2f_u2f_b64_decode("QUJD", 4, out, sizeof(out), &n), A2F_OK);
    CHECK(n == 3 && memcmp(out, "ABC", 3) == 0);
    CHECK_RC(a2f_u2f_b64_decode("_-8=", 4, out, sizeof(out), &n), A2F_OK);
    CHECK(n == 2 && out[0] == 0xff && out[1] == 0xef);

    CHECK_RC(a2f_u2f_b64_decode("QUJDRA==", 8, out, 3, &n), A2F_ERR_TOOBIG);
    CHECK(n == 0);
    CHECK_RC(a2f_u2f_b64_decode("QUJDRA==", 8, out, 4, &n), A2F_OK);
    CHECK_RC(a2f_u2f_b64_decode(NULL, 4, out, 4, &n), A2F_ERR_INVALID);
    CHECK_RC(a2f_u2f_b64_decode("QUJD", 4, NULL, 4, &n), A2F_ERR_INVALID);
    CHECK_RC(a2f_u2f_b64_decode("QUJD", 4, out, 4, NULL), A2F_ERR_INVALID);
}


static void
a2f_test_origins(void)
{
    size_t  i;
    char    o[600], app[400];

    static const struct {
        const char  *app_id;
        const char  *origin;          /* NULL: refused                   */
    } v[] = {
        { "https://example.com", "https://example.com" },
        { "https://example.com/", "https://example.com" },
        { A2F_TEST_APPID, "https://example.com" },
        { "HTTPS://Example.COM/U2F", "https://example.com" },
        { "https://example.com:443/x", "https://example.com" },
        { "https://example.com:0443/x", "https://example.com" },
        { "https://example.com:8443/x", "https://example.com:8443" },
        { "https://example.com:1", "https://example.com:1" },
        { "https://example.com:65535?a=b", "https://example.com:65535" },
        { "https://a-b.example.com#x", "https://a-b.example.com" },
        { "https://127.0.0.1:8443/app", "https://127.0.0.1:8443" },
        { "https://[::1]/app", "https://[::1]" },
        { "https://[2001:DB8::1]:8443/", "https://[2001:db8::1]:8443" },
        { "http://example.com/app", NULL },
        { "https:/example.com", NULL },
        { "https://", NULL },
        { "https:///app", NULL },
        { "https://:443/", NULL },
        { "https://user@example.com/", NULL },
        { "https://user:pw@example.com/", NULL },
        { "https://example.com:/x", NULL },
        { "https://example.com:0/x", NULL },
        { "https://example.com:65536/x", NULL },
        { "https://example.com:123456/x", NULL },
        { "https://example.com:44x/x", NULL },
        { "https://example.com:443:443/x", NULL },
        { "https://exa_mple.com/", NULL },
        { "https://exa%6dple.com/", NULL },
        { "https://example.com\\@evil.com/", NULL },
        { "https://example.com /", NULL },
        { "https://ex\x7f" "ample.com/", NULL },
        { "https://[::1/", NULL },
        { "https://[]/", NULL },
        { "https://[::g]/", NULL },
        { "https://[::1]x/", NULL },
        { "https://[::1]:0/", NULL },
        { "ftp://example.com/", NULL },
        { "example.com", NULL },
        { "", NULL }
    };

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        memset(o, 'x', sizeof(o));

        if (v[i].origin != NULL) {
            CHECK_RC(a2f_u2f_origin(v[i].app_id, o, sizeof(o)), A2F_OK);
            CHECK_STR(o, v[i].origin);

        } else {
            CHECK_RC(a2f_u2f_origin(v[i].app_id, o, sizeof(o)),
                     A2F_ERR_INVALID);
            CHECK(o[0] == '\0');
        }
    }

    CHECK_RC(a2f_u2f_origin(NULL, o, sizeof(o)), A2F_ERR_INVALID);
    CHECK_RC(a2f_u2f_origin(A2F_TEST_APPID, NULL, 10), A2F_ERR_INVALID);
    CHECK_RC(a2f_u2f_origin(A2F_TEST_APPID, o, 19), A2F_ERR_TOOBIG);
    CHECK(o[0] == '\0');
    CHECK_RC(a2f_u2f_origin(A2F_TEST_APPID, o, 20), A2F_OK);
    CHECK_STR(o, A2F_TEST_ORIGIN);

    /* the appId's length: at most A2F_SECKEY_APPID_MAX */

    memset(app, 'a', sizeof(app));
    memcpy(app, "https://", 8);
    app[256] = '\0';
    CHECK_RC(a2f_u2f_origin(app, o, sizeof(o)), A2F_OK);
    CHECK(strlen(o) == 256);
    app[256] = 'a';
    app[257] = '\0';
    CHECK_RC(a2f_u2f_origin(app, o, sizeof(o)), A2F_ERR_INVALID);
}


/* -- registration and authentication -------------------------------------- */


static void
a2f_test_round_trip(void)
{
    int             pad;
    uint8_t         cose[80], h[32];
    size_t          n;
    uint32_t        newc;
    a2f_u2f_reg_t   out;
    a2f_test_msg_t  cd, rd, sd;

    a2f_test_good(&cd, &rd, &out);

    CHECK(out.key_handle_len == A2F_TEST_KH_LEN
          && memcmp(out.key_handle, a2f_test_tok.kh, A2F_TEST_KH_LEN) == 0);
    CHECK(memcmp(out.point, a2f_test_tok.point, 65) == 0);
    CHECK_RC(a2f_wa_cose_from_u2f(a2f_test_tok.point, 65, cose,
                                  sizeof(cose), &n), A2F_OK);
    CHECK(out.cose_len == A2F_COSE_ES256_LEN && n == out.cose_len
          && memcmp(out.cose, cose, n) == 0);
    CHECK(out.alg == A2F_COSE_ES256);
    a2f_test_sha256(a2f_test_tok.cert, a2f_test_tok.cert_len, h);
    CHECK(memcmp(out.cert_sha256, h, 32) == 0);

    /* padded base64, and a padded challenge in clientData */

    for (pad = 0; pad < 2; pad++) {
        a2f_test_cd(&cd, A2F_U2F_TYP_REGISTER, a2f_test_chal, 31,
                    A2F_TEST_ORIGIN, pad);
        a2f_test_rd(&a2f_test_tok, a2f_test_tok.att, A2F_TEST_APPID, &cd,
                    &rd);
        CHECK(strchr((char *) cd.b, '=') != NULL ? pad : !pad);
        CHECK_U2F(a2f_test_reg(&cd, &rd, A2F_TEST_APPID, a2f_test_chal, 31,
                               pad, &out), A2F_OK);
        CHECK_U2F(a2f_test_reg(&cd, &rd, A2F_TEST_APPID, a2f_test_chal, 31,
                               !pad, &out), A2F_OK);
    }

    /* authenticate: counters 1, 2 */

    a2f_test_cd(&cd, A2F_U2F_TYP_SIGN, a2f_test_chal, sizeof(a2f_test_chal),
                A2F_TEST_ORIGIN, 0);
    a2f_test_sd(a2f_test_tok.user, A2F_TEST_APPID, 0x01, 1, &cd, &sd);

    newc = 0;
    CHECK_U2F(a2f_test_auth(&cd, &sd, A2F_TEST_APPID, a2f_test_chal,
                            sizeof(a2f_test_chal), 0, out.cose, out.cose_len,
                            0, &newc), A2F_OK);
    CHECK(newc == 1);

    a2f_test_sd(a2f_test_tok.user, A2F_TEST_APPID, 0x01, 2, &cd, &sd);
    CHECK_U2F(a2f_test_auth(&cd, &sd, A2F_TEST_APPID, a2f_test_chal,
                            sizeof(a2f_test_chal), 1, out.cose, out.cose_len,
                            newc, &newc), A2F_OK);
    CHECK(newc == 2);

    /* the same response again: the counter did not increase */

    CHECK_U2F(a2f_test_auth(&cd, &sd, A2F_TEST_APPID, a2f_test_chal,
                            sizeof(a2f_test_chal), 0, out.cose, out.cose_len,
                            newc, &newc), A2F_ERR_REPLAY);
    CHECK(newc == 2);

    /* NULL new_count; a padded challenge; UV set too */

    a2f_test_cd(&cd, A2F_U2F_TYP_SIGN, a2f_test_chal, 20, A2F_TEST_ORIGIN, 1);
    a2f_test_sd(a2f_test_tok.user, A2F_TEST_APPID, 0x05, 3, &cd, &sd);
    CHECK_U2F(a2f_test_auth(&cd, &sd, A2F_TEST_APPID, a2f_test_chal, 20, 1,
                            out.cose, out.cose_len, 2, NULL), A2F_OK);

    /* a key handle of 1 and of 255 bytes */

    a2f_test_tok.kh_len = 1;
    a2f_test_good(&cd, &rd, &out);
    CHECK(out.key_handle_len == 1);
    a2f_test_tok.kh_len = 255;
    a2f_test_good(&cd, &rd, &out);
    CHECK(out.key_handle_len == 255
          && memcmp(out.key_handle, a2f_test_tok.kh, 255) == 0);
    a2f_test_tok.kh_len = A2F_TEST_KH_LEN;
}


/*
 * Every byte of registrationData and clientData flipped.  Only the
 * certificate's bytes outside its public key may still verify (nothing
 * signs them: no trust anchor, the certificate's own signature is not
 * checked), and then the output is the same key.
 */

static void
a2f_test_reg_tamper(void)
{
    int             rc;
    size_t          i, m, cert_off, key_off, uncovered;
    unsigned        bad, tried;
    a2f_u2f_reg_t   good, out;
    a2f_test_msg_t  cd, rd, t;

    a2f_test_good(&cd, &rd, &good);

    cert_off = 1 + 65 + 1 + A2F_TEST_KH_LEN;
    key_off = a2f_test_find(a2f_test_tok.cert, a2f_test_tok.cert_len,
                            a2f_test_tok.att_point, 65);
    CHECK(key_off != (size_t) -1);
    key_off += cert_off;

    bad = 0;
    tried = 0;
    uncovered = 0;

    for (i = 0; i < rd.n; i++) {
        for (m = 0; m < sizeof(a2f_test_masks); m++) {
            t = rd;
            t.b[i] ^= a2f_test_masks[m];
            rc = a2f_test_reg(&cd, &t, A2F_TEST_APPID, a2f_test_chal,
                              sizeof(a2f_test_chal), 0, &out);
            tried++;

            if (rc == A2F_OK) {
                if (i < cert_off || i >= cert_off + a2f_test_tok.cert_len
                    || (i >= key_off && i < key_off + 65)
                    || out.key_handle_len != good.key_handle_len
                    || memcmp(out.key_handle, good.key_handle,
                              good.key_handle_len) != 0
                    || memcmp(out.point, good.point, 65) != 0
                    || memcmp(out.cose, good.cose, good.cose_len) != 0)
                {
                    bad++;
                    fprintf(stderr, "%s: registrationData byte %zu ^ 0x%02x "
                            "verified\n", __FILE__, i, a2f_test_masks[m]);
                }

                uncovered++;
                continue;
            }

            if ((rc != A2F_ERR_INVALID && rc != A2F_ERR_AUTH)
                || a2f_test_why[0] == '\0'
                || !a2f_test_zero(&out, sizeof(out)))
            {
                bad++;
                fprintf(stderr, "%s: registrationData byte %zu ^ 0x%02x: "
                        "%d \"%s\"\n", __FILE__, i, a2f_test_masks[m], rc,
                        a2f_test_why);
            }
        }
    }

    CHECK(bad == 0);
    CHECK(tried == 3 * rd.n);

    /* some certificate bytes are indeed not covered (serial, its sig) */
    CHECK(uncovered > 0 && uncovered < 3 * a2f_test_tok.cert_len);

    /* every byte of clientData */

    bad = 0;

    for (i = 0; i < cd.n; i++) {
        for (m = 0; m < sizeof(a2f_test_masks); m++) {
            t = cd;
            t.b[i] ^= a2f_test_masks[m];
            rc = a2f_test_reg(&t, &rd, A2F_TEST_APPID, a2f_test_chal,
                              sizeof(a2f_test_chal), 0, &out);

            if ((rc != A2F_ERR_INVALID && rc != A2F_ERR_AUTH)
                || a2f_test_why[0] == '\0')
            {
                bad++;
                fprintf(stderr, "%s: clientData byte %zu ^ 0x%02x: %d\n",
                        __FILE__, i, a2f_test_masks[m], rc);
            }
        }
    }

    CHECK(bad == 0);

    /* every character of both base64 texts */

    bad = 0;
    a2f_test_b64(cd.b, cd.n, 0, a2f_test_cd64, sizeof(a2f_test_cd64));
    a2f_test_b64(rd.b, rd.n, 0, a2f_test_m64, sizeof(a2f_test_m64));

    for (i = 0; i < strlen(a2f_test_cd64); i++) {
        a2f_test_cd64[i] ^= 0x01;
        rc = a2f_u2f_register(a2f_test_cd64, strlen(a2f_test_cd64),
                              a2f_test_m64, strlen(a2f_test_m64),
                              A2F_TEST_APPID, a2f_test_chal,
                              sizeof(a2f_test_chal), &out, a2f_test_why,
                              sizeof(a2f_test_why));
        a2f_test_cd64[i] ^= 0x01;
        bad += (rc == A2F_OK);
    }

    CHECK(bad == 0);
}


static void
a2f_test_auth_tamper(void)
{
    int             rc;
    size_t          i, m;
    unsigned        bad;
    uint32_t        newc;
    a2f_u2f_reg_t   reg;
    a2f_test_msg_t  cd, rd, sd, t;

    a2f_test_good(&cd, &rd, &reg);
    a2f_test_cd(&cd, A2F_U2F_TYP_SIGN, a2f_test_chal, sizeof(a2f_test_chal),
                A2F_TEST_ORIGIN, 0);
    a2f_test_sd(a2f_test_tok.user, A2F_TEST_APPID, 0x01, 7, &cd, &sd);

    CHECK_U2F(a2f_test_auth(&cd, &sd, A2F_TEST_APPID, a2f_test_chal,
                            sizeof(a2f_test_chal), 0, reg.cose, reg.cose_len,
                            6, &newc), A2F_OK);

    bad = 0;

    for (i = 0; i < sd.n; i++) {
        for (m = 0; m < sizeof(a2f_test_masks); m++) {
            t = sd;
            t.b[i] ^= a2f_test_masks[m];
            newc = 0xdeadbeef;
            rc = a2f_test_auth(&cd, &t, A2F_TEST_APPID, a2f_test_chal,
                               sizeof(a2f_test_chal), 0, reg.cose,
                               reg.cose_len, 6, &newc);

            if ((rc != A2F_ERR_INVALID && rc != A2F_ERR_AUTH)
                || a2f_test_why[0] == '\0' || newc != 0xdeadbeef)
            {
                bad++;
                fprintf(stderr, "%s: signatureData byte %zu ^ 0x%02x: %d\n",
                        __FILE__, i, a2f_test_masks[m], rc);
            }
        }
    }

    CHECK(bad == 0);

    bad = 0;

    for (i = 0; i < cd.n; i++) {
        for (m = 0; m < sizeof(a2f_test_masks); m++) {
            t = cd;
            t.b[i] ^= a2f_test_masks[m];
            rc = a2f_test_auth(&t, &sd, A2F_TEST_APPID, a2f_test_chal,
                               sizeof(a2f_test_chal), 0, reg.cose,
                               reg.cose_len, 6, &newc);

            if ((rc != A2F_ERR_INVALID && rc != A2F_ERR_AUTH)
                || a2f_test_why[0] == '\0')
            {
                bad++;
                fprintf(stderr, "%s: clientData byte %zu ^ 0x%02x: %d\n",
                        __FILE__, i, a2f_test_masks[m], rc);
            }
        }
    }

    CHECK(bad == 0);

    /* every character of the signatureData text */

    bad = 0;
    a2f_test_b64(cd.b, cd.n, 0, a2f_test_cd64, sizeof(a2f_test_cd64));
    a2f_test_b64(sd.b, sd.n, 0, a2f_test_m64, sizeof(a2f_test_m64));

    for (i = 0; i < strlen(a2f_test_m64); i++) {
        a2f_test_m64[i] ^= 0x01;
        rc = a2f_u2f_authenticate(a2f_test_cd64, strlen(a2f_test_cd64),
                                  a2f_test_m64, strlen(a2f_test_m64),
                                  A2F_TEST_APPID, a2f_test_chal,
                                  sizeof(a2f_test_chal), reg.cose,
                                  reg.cose_len, 6, &newc, a2f_test_why,
                                  sizeof(a2f_test_why));
        a2f_test_m64[i] ^= 0x01;
        bad += (rc == A2F_OK);
    }

    CHECK(bad == 0);

    /* every stored COSE key byte: a key that does not parse, or another */

    bad = 0;

    for (i = 0; i < reg.cose_len; i++) {
        reg.cose[i] ^= 0x01;
        rc = a2f_test_auth(&cd, &sd, A2F_TEST_APPID, a2f_test_chal,
                           sizeof(a2f_test_chal), 0, reg.cose, reg.cose_len,
                           6, &newc);
        reg.cose[i] ^= 0x01;
        bad += (rc != A2F_ERR_INVALID && rc != A2F_ERR_AUTH);
    }

    CHECK(bad == 0);
}


/* every truncation, and one byte more, of every message */

static void
a2f_test_truncate(void)
{
    int             rc;
    size_t          i;
    unsigned        bad;
    uint32_t        newc;
    a2f_u2f_reg_t   reg, out;
    a2f_test_msg_t  cd, rd, sd, scd, t;

    a2f_test_good(&cd, &rd, &reg);
    a2f_test_cd(&scd, A2F_U2F_TYP_SIGN, a2f_test_chal, sizeof(a2f_test_chal),
                A2F_TEST_ORIGIN, 0);
    a2f_test_sd(a2f_test_tok.user, A2F_TEST_APPID, 0x01, 9, &scd, &sd);

    bad = 0;

    for (i = 0; i < rd.n; i++) {
        t = rd;
        t.n = i;
        rc = a2f_test_reg(&cd, &t, A2F_TEST_APPID, a2f_test_chal,
                          sizeof(a2f_test_chal), i % 2, &out);

        if (rc != A2F_ERR_INVALID || a2f_test_why[0] == '\0') {
            bad++;
            fprintf(stderr, "%s: registrationData cut at %zu: %d\n",
                    __FILE__, i, rc);
        }
    }

    for (i = 0; i < cd.n; i++) {
        t = cd;
        t.n = i;
        rc = a2f_test_reg(&t, &rd, A2F_TEST_APPID, a2f_test_chal,
                          sizeof(a2f_test_chal), i % 2, &out);
        bad += (rc != A2F_ERR_INVALID);
    }

    for (i = 0; i < sd.n; i++) {
        t = sd;
        t.n = i;
        rc = a2f_test_auth(&scd, &t, A2F_TEST_APPID, a2f_test_chal,
                           sizeof(a2f_test_chal), i % 2, reg.cose,
                           reg.cose_len, 0, &newc);

        if (rc != A2F_ERR_INVALID || a2f_test_why[0] == '\0') {
            bad++;
            fprintf(stderr, "%s: signatureData cut at %zu: %d\n", __FILE__,
                    i, rc);
        }
    }

    for (i = 0; i < scd.n; i++) {
        t = scd;
        t.n = i;
        rc = a2f_test_auth(&t, &sd, A2F_TEST_APPID, a2f_test_chal,
                           sizeof(a2f_test_chal), i % 2, reg.cose,
                           reg.cose_len, 0, &newc);
        bad += (rc != A2F_ERR_INVALID);
    }

    CHECK(bad == 0);

    /* a byte more */

    t = rd;
    t.b[t.n++] = 0x00;
    CHECK_U2F(a2f_test_reg(&cd, &t, A2F_TEST_APPID, a2f_test_chal,
                           sizeof(a2f_test_chal), 0, &out), A2F_ERR_INVALID);
    t = sd;
    t.b[t.n++] = 0x00;
    CHECK_U2F(a2f_test_auth(&scd, &t, A2F_TEST_APPID, a2f_test_chal,
                            sizeof(a2f_test_chal), 0, reg.cose, reg.cose_len,
                            0, &newc), A2F_ERR_INVALID);

    /* clientData with white space after the object is still its bytes */

    t = scd;
    t.b[t.n++] = ' ';
    a2f_test_sd(a2f_test_tok.user, A2F_TEST_APPID, 0x01, 9, &t, &sd);
    CHECK_U2F(a2f_test_auth(&t, &sd, A2F_TEST_APPID, a2f_test_chal,
                            sizeof(a2f_test_chal), 0, reg.cose, reg.cose_len,
                            0, &newc), A2F_OK);
}


/* typ, challenge, origin, appId: all signed correctly, all refused */

static void
a2f_test_expectations(void)
{
    size_t          i;
    uint32_t        newc;
    uint8_t         chal[A2F_U2F_CHALLENGE_MAX + 1];
    a2f_u2f_reg_t   reg, out;
    a2f_test_msg_t  cd, rd, sd;

    static const char  *reg_typs[] = {
        A2F_U2F_TYP_SIGN, "navigator.id.finishenrollment", "",
        "webauthn.create", "navigator.id.finishEnrollment ",
        "navigator.id.finishEnrollment\\t"
    };

    static const char  *get_typs[] = {
        A2F_U2F_TYP_REGISTER, "navigator.id.getassertion", "",
        "webauthn.get", " navigator.id.getAssertion",
        "navigator.id.getAssertion\\n"
    };

    static const char  *origins[] = {
        "https://other.example.com", "https://example.com:8443",
        "http://example.com", "https://example.com/",
        "https://example.com:443", "HTTPS://example.com",
        "https://EXAMPLE.com", "https://example.co", "https://example.com.",
        "null", "https://example.com/u2f/app-id.json",
        "https://sub.example.com"
    };

    static const char  *apps[] = {
        "https://example.com/other-app-id", "https://example.com",
        "https://example.com/u2f/app-id.json/", "HTTPS://example.com/u2f/"
        "app-id.json"
    };

    a2f_test_good(&cd, &rd, &reg);

    /* registration */

    for (i = 0; i < sizeof(reg_typs) / sizeof(reg_typs[0]); i++) {
        a2f_test_cd(&cd, reg_typs[i], a2f_test_chal, sizeof(a2f_test_chal),
                    A2F_TEST_ORIGIN, 0);
        a2f_test_rd(&a2f_test_tok, a2f_test_tok.att, A2F_TEST_APPID, &cd,
                    &rd);
        CHECK_U2F(a2f_test_reg(&cd, &rd, A2F_TEST_APPID, a2f_test_chal,
                               sizeof(a2f_test_chal), 0, &out), A2F_ERR_AUTH);
        CHECK(a2f_test_zero(&out, sizeof(out)));
    }

    /* JSON escapes: the value is what is compared */

    a2f_test_cd(&cd, "navigator.id.finish\\u0045nrollment", a2f_test_chal,
                sizeof(a2f_test_chal), "https:\\/\\/example.com", 0);
    a2f_test_rd(&a2f_test_tok, a2f_test_tok.att, A2F_TEST_APPID, &cd, &rd);
    CHECK_U2F(a2f_test_reg(&cd, &rd, A2F_TEST_APPID, a2f_test_chal,
                           sizeof(a2f_test_chal), 0, &out), A2F_OK);

    for (i = 0; i < sizeof(origins) / sizeof(origins[0]); i++) {
        a2f_test_cd(&cd, A2F_U2F_TYP_REGISTER, a2f_test_chal,
                    sizeof(a2f_test_chal), origins[i], 0);
        a2f_test_rd(&a2f_test_tok, a2f_test_tok.att, A2F_TEST_APPID, &cd,
                    &rd);
        CHECK_U2F(a2f_test_reg(&cd, &rd, A2F_TEST_APPID, a2f_test_chal,
                               sizeof(a2f_test_chal), 0, &out), A2F_ERR_AUTH);
    }

    /* the challenge: other bytes, shorter, longer */

    memcpy(chal, a2f_test_chal, sizeof(a2f_test_chal));
    chal[31] ^= 1;

    a2f_test_cd(&cd, A2F_U2F_TYP_REGISTER, chal, 32, A2F_TEST_ORIGIN, 0);
    a2f_test_rd(&a2f_test_tok, a2f_test_tok.att, A2F_TEST_APPID, &cd, &rd);
    CHECK_U2F(a2f_test_reg(&cd, &rd, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_AUTH);
    a2f_test_cd(&cd, A2F_U2F_TYP_REGISTER, a2f_test_chal, 31,
                A2F_TEST_ORIGIN, 0);
    a2f_test_rd(&a2f_test_tok, a2f_test_tok.att, A2F_TEST_APPID, &cd, &rd);
    CHECK_U2F(a2f_test_reg(&cd, &rd, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_AUTH);
    CHECK_U2F(a2f_test_reg(&cd, &rd, A2F_TEST_APPID, a2f_test_chal, 31, 0,
                           &out), A2F_OK);
    CHECK_U2F(a2f_test_reg(&cd, &rd, A2F_TEST_APPID, a2f_test_chal, 30, 0,
                           &out), A2F_ERR_AUTH);

    /* a challenge of more than A2F_U2F_CHALLENGE_MAX bytes: malformed */

    memset(chal, 7, sizeof(chal));
    a2f_test_cd(&cd, A2F_U2F_TYP_REGISTER, chal, sizeof(chal),
                A2F_TEST_ORIGIN, 0);
    a2f_test_rd(&a2f_test_tok, a2f_test_tok.att, A2F_TEST_APPID, &cd, &rd);
    CHECK_U2F(a2f_test_reg(&cd, &rd, A2F_TEST_APPID, chal, 64, 0, &out),
              A2F_ERR_INVALID);

    /* another appId: same origin, so the signature is what fails */

    for (i = 0; i < sizeof(apps) / sizeof(apps[0]); i++) {
        a2f_test_cd(&cd, A2F_U2F_TYP_REGISTER, a2f_test_chal,
                    sizeof(a2f_test_chal), A2F_TEST_ORIGIN, 0);
        a2f_test_rd(&a2f_test_tok, a2f_test_tok.att, A2F_TEST_APPID, &cd,
                    &rd);
        CHECK_U2F(a2f_test_reg(&cd, &rd, apps[i], a2f_test_chal,
                               sizeof(a2f_test_chal), 0, &out), A2F_ERR_AUTH);
        CHECK(strstr(a2f_test_why, "signature") != NULL);

        /* and signed for it, it verifies there */

        a2f_test_rd(&a2f_test_tok, a2f_test_tok.att, apps[i], &cd, &rd);
        CHECK_U2F(a2f_test_reg(&cd, &rd, apps[i], a2f_test_chal,
                               sizeof(a2f_test_chal), 0, &out), A2F_OK);
    }

    /* an appId with a port: its origin has it */

    a2f_test_cd(&cd, A2F_U2F_TYP_REGISTER, a2f_test_chal,
                sizeof(a2f_test_chal), "https://example.com:8443", 0);
    a2f_test_rd(&a2f_test_tok, a2f_test_tok.att,
                "https://example.com:8443/app", &cd, &rd);
    CHECK_U2F(a2f_test_reg(&cd, &rd, "https://example.com:8443/app",
                           a2f_test_chal, 32, 0, &out), A2F_OK);
    a2f_test_rd(&a2f_test_tok, a2f_test_tok.att,
                "https://example.com:9443/app", &cd, &rd);
    CHECK_U2F(a2f_test_reg(&cd, &rd, "https://example.com:9443/app",
                           a2f_test_chal, 32, 0, &out), A2F_ERR_AUTH);

    /* signed by the user key, not the certificate's */

    a2f_test_cd(&cd, A2F_U2F_TYP_REGISTER, a2f_test_chal,
                sizeof(a2f_test_chal), A2F_TEST_ORIGIN, 0);
    a2f_test_rd(&a2f_test_tok, a2f_test_tok.user, A2F_TEST_APPID, &cd, &rd);
    CHECK_U2F(a2f_test_reg(&cd, &rd, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_AUTH);

    /* authentication */

    for (i = 0; i < sizeof(get_typs) / sizeof(get_typs[0]); i++) {
        a2f_test_cd(&cd, get_typs[i], a2f_test_chal, sizeof(a2f_test_chal),
                    A2F_TEST_ORIGIN, 0);
        a2f_test_sd(a2f_test_tok.user, A2F_TEST_APPID, 0x01, 1, &cd, &sd);
        CHECK_U2F(a2f_test_auth(&cd, &sd, A2F_TEST_APPID, a2f_test_chal, 32,
                                0, reg.cose, reg.cose_len, 0, &newc),
                  A2F_ERR_AUTH);
    }

    for (i = 0; i < sizeof(origins) / sizeof(origins[0]); i++) {
        a2f_test_cd(&cd, A2F_U2F_TYP_SIGN, a2f_test_chal, 32, origins[i], 0);
        a2f_test_sd(a2f_test_tok.user, A2F_TEST_APPID, 0x01, 1, &cd, &sd);
        CHECK_U2F(a2f_test_auth(&cd, &sd, A2F_TEST_APPID, a2f_test_chal, 32,
                                0, reg.cose, reg.cose_len, 0, &newc),
                  A2F_ERR_AUTH);
    }

    memcpy(chal, a2f_test_chal, 32);
    chal[0] ^= 0x80;
    a2f_test_cd(&cd, A2F_U2F_TYP_SIGN, chal, 32, A2F_TEST_ORIGIN, 0);
    a2f_test_sd(a2f_test_tok.user, A2F_TEST_APPID, 0x01, 1, &cd, &sd);
    CHECK_U2F(a2f_test_auth(&cd, &sd, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                            reg.cose, reg.cose_len, 0, &newc), A2F_ERR_AUTH);
    CHECK_U2F(a2f_test_auth(&cd, &sd, A2F_TEST_APPID, chal, 32, 0,
                            reg.cose, reg.cose_len, 0, &newc), A2F_OK);

    for (i = 0; i < sizeof(apps) / sizeof(apps[0]); i++) {
        a2f_test_cd(&cd, A2F_U2F_TYP_SIGN, a2f_test_chal, 32,
                    A2F_TEST_ORIGIN, 0);
        a2f_test_sd(a2f_test_tok.user, A2F_TEST_APPID, 0x01, 1, &cd, &sd);
        CHECK_U2F(a2f_test_auth(&cd, &sd, apps[i], a2f_test_chal, 32, 0,
                                reg.cose, reg.cose_len, 0, &newc),
                  A2F_ERR_AUTH);
        a2f_test_sd(a2f_test_tok.user, apps[i], 0x01, 1, &cd, &sd);
        CHECK_U2F(a2f_test_auth(&cd, &sd, apps[i], a2f_test_chal, 32, 0,
                                reg.cose, reg.cose_len, 0, &newc), A2F_OK);
    }

    /* signed by another key (the attestation key) */

    a2f_test_cd(&cd, A2F_U2F_TYP_SIGN, a2f_test_chal, 32, A2F_TEST_ORIGIN, 0);
    a2f_test_sd(a2f_test_tok.att, A2F_TEST_APPID, 0x01, 1, &cd, &sd);
    CHECK_U2F(a2f_test_auth(&cd, &sd, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                            reg.cose, reg.cose_len, 0, &newc), A2F_ERR_AUTH);
}


static void
a2f_test_presence_counter(void)
{
    size_t          i;
    uint32_t        newc;
    a2f_u2f_reg_t   reg;
    a2f_test_msg_t  cd, rd, sd;

    static const struct {
        uint8_t   presence;
        uint32_t  n;
        uint32_t  stored;
        int       rc;
    } v[] = {
        { 0x01, 1, 0, A2F_OK },
        { 0x01, 0, 0, A2F_OK },           /* a token without a counter    */
        { 0x01, 0, 1, A2F_ERR_REPLAY },
        { 0x01, 5, 5, A2F_ERR_REPLAY },
        { 0x01, 4, 5, A2F_ERR_REPLAY },
        { 0x01, 6, 5, A2F_OK },
        { 0x01, 0xffffffff, 0xfffffffe, A2F_OK },
        { 0x01, 0xffffffff, 0xffffffff, A2F_ERR_REPLAY },
        { 0x01, 0x80000000, 0x7fffffff, A2F_OK },
        { 0x01, 0x7fffffff, 0x80000000, A2F_ERR_REPLAY },
        { 0x00, 9, 0, A2F_ERR_AUTH },     /* user not present             */
        { 0x02, 9, 0, A2F_ERR_AUTH },
        { 0x00, 0, 0, A2F_ERR_AUTH },
        { 0x03, 9, 0, A2F_OK },           /* reserved bits are signed     */
        { 0x05, 9, 0, A2F_OK },
        { 0x0d, 9, 0, A2F_OK },           /* BE                           */
        { 0x1d, 9, 0, A2F_OK },           /* BE, BS                       */
        { 0x11, 9, 0, A2F_ERR_INVALID },  /* BS without BE                */
        { 0x41, 9, 0, A2F_ERR_INVALID },  /* AT                           */
        { 0x81, 9, 0, A2F_ERR_INVALID },  /* ED                           */
        { 0xc1, 9, 0, A2F_ERR_INVALID },
        { 0x40, 9, 0, A2F_ERR_INVALID }
    };

    a2f_test_good(&cd, &rd, &reg);
    a2f_test_cd(&cd, A2F_U2F_TYP_SIGN, a2f_test_chal, 32, A2F_TEST_ORIGIN, 0);

    for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        a2f_test_sd(a2f_test_tok.user, A2F_TEST_APPID, v[i].presence, v[i].n,
                    &cd, &sd);
        newc = 0xdeadbeef;
        CHECK_U2F(a2f_test_auth(&cd, &sd, A2F_TEST_APPID, a2f_test_chal, 32,
                                0, reg.cose, reg.cose_len, v[i].stored,
                                &newc), v[i].rc);
        CHECK(v[i].rc == A2F_OK ? newc == v[i].n : newc == 0xdeadbeef);
    }

    /* replay is only said of a good signature */

    a2f_test_sd(a2f_test_tok.user, A2F_TEST_APPID, 0x01, 3, &cd, &sd);
    sd.b[sd.n - 1] ^= 1;
    CHECK_U2F(a2f_test_auth(&cd, &sd, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                            reg.cose, reg.cose_len, 5, &newc), A2F_ERR_AUTH);
}


/* the layout of registrationData, each length wrong */

static void
a2f_test_layout(void)
{
    size_t          off, n, total, hdr, siglen;
    uint8_t         bad_point[65];
    EVP_PKEY       *k384;
    a2f_u2f_reg_t   out;
    a2f_test_tok_t  t;
    a2f_test_msg_t  cd, rd, m;

    a2f_test_good(&cd, &rd, &out);

    off = 1 + 65 + 1 + A2F_TEST_KH_LEN;      /* the certificate        */
    CHECK(rd.b[off] == 0x30 && rd.b[off + 1] == 0x82);
    hdr = 4;
    total = (size_t) rd.b[off + 2] << 8 | rd.b[off + 3];
    CHECK(hdr + total == a2f_test_tok.cert_len);
    siglen = rd.n - off - a2f_test_tok.cert_len;

    /* the reserved byte */

    m = rd;
    m.b[0] = 0x04;
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);

    /* key handle length 0; longer than what follows; 255 */

    m = rd;
    m.b[66] = 0;
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);
    m = rd;
    m.b[66] = 255;
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);
    m.n = 67 + 100;
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);
    m.n = 67 + 255;
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);
    m.n = 67 + 254;
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);

    /* the certificate's length past the end, and not DER */

    m = rd;
    m.b[off + 2] = 0xff;
    m.b[off + 3] = 0xff;
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);
    CHECK(strstr(a2f_test_why, "certificate") != NULL);

    /* exactly to the end (no room for a signature), and 1..7 before */

    for (n = 0; n < 8; n++) {
        m = rd;
        total = rd.n - off - hdr - n;
        m.b[off + 2] = (uint8_t) (total >> 8);
        m.b[off + 3] = (uint8_t) total;
        CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                               &out), A2F_ERR_INVALID);
    }

    /* one more than there is */

    m = rd;
    total = rd.n - off - hdr + 1;
    m.b[off + 2] = (uint8_t) (total >> 8);
    m.b[off + 3] = (uint8_t) total;
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);

    /* length forms: indefinite, 4 bytes, 5 bytes, not minimal */

    m = rd;
    m.b[off + 1] = 0x80;
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);
    m.b[off + 1] = 0x84;
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);
    m.b[off + 1] = 0x85;
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);
    m.b[off + 1] = 0xff;
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);

    /* 0x83 00 LL LL: the same length, not in its shortest form */

    m.n = 0;
    memcpy(m.b, rd.b, off);
    m.n = off;
    m.b[m.n++] = 0x30;
    m.b[m.n++] = 0x83;
    m.b[m.n++] = 0x00;
    memcpy(m.b + m.n, rd.b + off + 2, rd.n - off - 2);
    m.n += rd.n - off - 2;
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);

    /* not a SEQUENCE */

    m = rd;
    m.b[off] = 0x31;
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);

    /* the signature: not DER-framed, too short, too long */

    m = rd;
    m.b[rd.n - siglen] = 0x31;
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);
    m = rd;
    m.n = rd.n - siglen;
    memcpy(m.b + m.n, "\x30\x06\x02\x01\x01\x02\x01\x01", 8);
    m.n += 8;
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_AUTH);
    m.n = rd.n - siglen;
    memset(m.b + m.n, 0x02, 73);
    m.b[m.n] = 0x30;
    m.b[m.n + 1] = 71;
    m.n += 73;
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);

    /* the user key: not on the curve (signed anyway), compressed, zero */

    a2f_test_tok_init(&t, 16);
    t.point[64] ^= 0x01;
    a2f_test_rd(&t, t.att, A2F_TEST_APPID, &cd, &m);
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);
    CHECK(strstr(a2f_test_why, "P-256 point") != NULL);
    t.point[64] ^= 0x01;
    t.point[0] = 0x02;
    a2f_test_rd(&t, t.att, A2F_TEST_APPID, &cd, &m);
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);
    memset(bad_point, 0, sizeof(bad_point));
    bad_point[0] = 0x04;
    memcpy(t.point, bad_point, 65);
    a2f_test_rd(&t, t.att, A2F_TEST_APPID, &cd, &m);
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);
    a2f_test_tok_free(&t);

    /*
     * a certificate of a P-384 key (the message signed by a P-256 key,
     * so that the signature's length is a P-256 one)
     */

    a2f_test_tok_init(&t, 16);
    k384 = EVP_EC_gen("P-384");

    if (k384 == NULL) {
        a2f_test_fatal("EVP_EC_gen(P-384)");
    }

    a2f_test_cert(k384, t.cert, &t.cert_len, sizeof(t.cert));
    a2f_test_rd(&t, t.att, A2F_TEST_APPID, &cd, &m);
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);
    CHECK(strstr(a2f_test_why, "not P-256") != NULL);
    EVP_PKEY_free(k384);
    a2f_test_tok_free(&t);

    /* a certificate that is garbage inside a good SEQUENCE */

    m = rd;
    memset(m.b + off + hdr, 0x05, a2f_test_tok.cert_len - hdr);
    CHECK_U2F(a2f_test_reg(&cd, &m, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                           &out), A2F_ERR_INVALID);
}


/* base64, JSON and arguments */

static void
a2f_test_malformed(void)
{
    size_t          i;
    uint32_t        newc;
    a2f_u2f_reg_t   reg, out;
    a2f_test_msg_t  cd, rd, sd, scd, m;
    char            big[A2F_TEST_B64_MAX];

    static const char  *garbage[] = {
        "!!!!", "QUJD+A", "QUJD/A", "QUJD A", "QUJD\n", "QUJDA===", "=QUJD",
        "QUJ=D", "Q", "QUJDA", "\xc3\xa9\xc3\xa9", "QUJD%3D"
    };

    static const char  *json[] = {
        "{\"typ\":\"navigator.id.getAssertion\",\"typ\":"
            "\"navigator.id.getAssertion\",\"challenge\":\"%s\",\"origin\":"
            "\"https://example.com\"}",
        "{\"typ\":\"navigator.id.getAssertion\",\"challenge\":\"%s\","
            "\"challenge\":\"%s\",\"origin\":\"https://example.com\"}",
        "{\"typ\":\"navigator.id.getAssertion\",\"challenge\":\"%s\","
            "\"origin\":\"https://example.com\",\"origin\":"
            "\"https://example.com\"}",
        "{\"typ\":1,\"challenge\":\"%s\",\"origin\":\"https://example.com\"}",
        "{\"typ\":null,\"challenge\":\"%s\",\"origin\":"
            "\"https://example.com\"}",
        "{\"challenge\":\"%s\",\"origin\":\"https://example.com\"}",
        "{\"typ\":\"navigator.id.getAssertion\",\"challenge\":[\"%s\"],"
            "\"origin\":\"https://example.com\"}",
        "{\"typ\":\"navigator.id.getAssertion\",\"challenge\":\"%s==\","
            "\"origin\":\"https://example.com\"}",
        "{\"typ\":\"navigator.id.getAssertion\",\"challenge\":\"%s+\","
            "\"origin\":\"https://example.com\"}",
        "{\"typ\":\"navigator.id.getAssertion\",\"challenge\":\"\","
            "\"origin\":\"https://example.com\"}",
        "{\"typ\":\"navigator.id.getAssertion\",\"origin\":"
            "\"https://example.com\"}",
        "{\"typ\":\"navigator.id.getAssertion\",\"challenge\":\"%s\","
            "\"origin\":true}",
        "{\"typ\":\"navigator.id.getAssertion\",\"challenge\":\"%s\","
            "\"origin\":\"\"}",
        "{\"typ\":\"navigator.id.getAssertion\",\"challenge\":\"%s\"}",
        "[\"navigator.id.getAssertion\",\"%s\",\"https://example.com\"]",
        "\"navigator.id.getAssertion\"",
        "{\"typ\":\"navigator.id.getAssertion\",\"challenge\":\"%s\","
            "\"origin\":\"https://example.com\"",
        "{\"typ\":\"navigator.id.getAssertion\",\"challenge\":\"%s\","
            "\"origin\":\"https://example.com\"}}",
        "{\"typ\":\"navigator.id.getAssertion\",\"challenge\":\"%s\","
            "\"origin\":\"https://example.com\"} x",
        "{\"typ\":\"navigator.id.getAssertion\",\"challenge\":\"%s\","
            "\"origin\":\"https://example.com\\u0000\"}",
        "{\"typ\":\"navigator.id.getAssertion\",\"challenge\":\"%s\","
            "\"origin\":\"https://example.\xff\"}",
        "null", "", "{}"
    };

    char  c64[64], text[512];

    a2f_test_good(&cd, &rd, &reg);
    a2f_test_cd(&scd, A2F_U2F_TYP_SIGN, a2f_test_chal, 32, A2F_TEST_ORIGIN,
                0);
    a2f_test_sd(a2f_test_tok.user, A2F_TEST_APPID, 0x01, 1, &scd, &sd);

    /* garbage base64 in each field */

    a2f_test_b64(cd.b, cd.n, 0, a2f_test_cd64, sizeof(a2f_test_cd64));
    a2f_test_b64(rd.b, rd.n, 0, a2f_test_m64, sizeof(a2f_test_m64));

    for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
        a2f_test_why[0] = '\0';
        CHECK_U2F(a2f_u2f_register(garbage[i], strlen(garbage[i]),
                                   a2f_test_m64, strlen(a2f_test_m64),
                                   A2F_TEST_APPID, a2f_test_chal, 32, &out,
                                   a2f_test_why, sizeof(a2f_test_why)),
                  A2F_ERR_INVALID);
        CHECK_U2F(a2f_u2f_register(a2f_test_cd64, strlen(a2f_test_cd64),
                                   garbage[i], strlen(garbage[i]),
                                   A2F_TEST_APPID, a2f_test_chal, 32, &out,
                                   a2f_test_why, sizeof(a2f_test_why)),
                  A2F_ERR_INVALID);
        CHECK_U2F(a2f_u2f_authenticate(garbage[i], strlen(garbage[i]),
                                       a2f_test_m64, strlen(a2f_test_m64),
                                       A2F_TEST_APPID, a2f_test_chal, 32,
                                       reg.cose, reg.cose_len, 0, &newc,
                                       a2f_test_why, sizeof(a2f_test_why)),
                  A2F_ERR_INVALID);
        CHECK_U2F(a2f_u2f_authenticate(a2f_test_cd64, strlen(a2f_test_cd64),
                                       garbage[i], strlen(garbage[i]),
                                       A2F_TEST_APPID, a2f_test_chal, 32,
                                       reg.cose, reg.cose_len, 0, &newc,
                                       a2f_test_why, sizeof(a2f_test_why)),
                  A2F_ERR_INVALID);
    }

    /* the good messages with '=' padding where none belongs */

    strcat(a2f_test_m64, "====");
    CHECK_U2F(a2f_u2f_register(a2f_test_cd64, strlen(a2f_test_cd64),
                               a2f_test_m64, strlen(a2f_test_m64),
                               A2F_TEST_APPID, a2f_test_chal, 32, &out,
                               a2f_test_why, sizeof(a2f_test_why)),
              A2F_ERR_INVALID);

    /* too long: more than the limits, before and after decoding */

    memset(big, 'A', sizeof(big));
    big[sizeof(big) - 1] = '\0';
    CHECK_U2F(a2f_u2f_register(big, strlen(big), a2f_test_m64, 8,
                               A2F_TEST_APPID, a2f_test_chal, 32, &out,
                               a2f_test_why, sizeof(a2f_test_why)),
              A2F_ERR_INVALID);
    CHECK(strstr(a2f_test_why, "too long") != NULL);
    CHECK_U2F(a2f_u2f_register(a2f_test_cd64, strlen(a2f_test_cd64), big,
                               strlen(big), A2F_TEST_APPID, a2f_test_chal,
                               32, &out, a2f_test_why, sizeof(a2f_test_why)),
              A2F_ERR_INVALID);
    CHECK_U2F(a2f_u2f_register(a2f_test_cd64, strlen(a2f_test_cd64), big,
                               A2F_U2F_REG_DATA_MAX / 3 * 4 + 4,
                               A2F_TEST_APPID, a2f_test_chal, 32, &out,
                               a2f_test_why, sizeof(a2f_test_why)),
              A2F_ERR_INVALID);
    CHECK(strstr(a2f_test_why, "too long") != NULL);
    CHECK_U2F(a2f_u2f_authenticate(a2f_test_cd64, strlen(a2f_test_cd64), big,
                                   108, A2F_TEST_APPID, a2f_test_chal, 32,
                                   reg.cose, reg.cose_len, 0, &newc,
                                   a2f_test_why, sizeof(a2f_test_why)),
              A2F_ERR_INVALID);
    CHECK(strstr(a2f_test_why, "too long") != NULL);

    /* a clientData of exactly A2F_U2F_CLIENT_DATA_MAX bytes parses */

    a2f_test_cd(&m, A2F_U2F_TYP_REGISTER, a2f_test_chal, 32, A2F_TEST_ORIGIN,
                0);
    m.n--;
    memcpy(m.b + m.n, ",\"x\":\"", 6);
    m.n += 6;

    while (m.n < A2F_U2F_CLIENT_DATA_MAX - 2) {
        m.b[m.n++] = 'x';
    }

    memcpy(m.b + m.n, "\"}", 2);
    m.n += 2;
    a2f_test_rd(&a2f_test_tok, a2f_test_tok.att, A2F_TEST_APPID, &m, &rd);
    CHECK_U2F(a2f_test_reg(&m, &rd, A2F_TEST_APPID, a2f_test_chal, 32, 1,
                           &out), A2F_OK);
    m.b[m.n - 2] = 'x';
    m.b[m.n++] = '\"';
    m.b[m.n++] = '}';
    CHECK_U2F(a2f_test_reg(&m, &rd, A2F_TEST_APPID, a2f_test_chal, 32, 1,
                           &out), A2F_ERR_INVALID);
    CHECK(strstr(a2f_test_why, "too long") != NULL);

    /* JSON: duplicates, wrong types, missing members, not an object */

    a2f_test_b64(a2f_test_chal, 32, 0, c64, sizeof(c64));
    a2f_test_b64(sd.b, sd.n, 0, a2f_test_m64, sizeof(a2f_test_m64));

    for (i = 0; i < sizeof(json) / sizeof(json[0]); i++) {
        snprintf(text, sizeof(text), json[i], c64, c64);
        m.n = strlen(text);
        memcpy(m.b, text, m.n);

        /* signed for it: only the parse refuses it */

        a2f_test_sd(a2f_test_tok.user, A2F_TEST_APPID, 0x01, 1, &m, &sd);
        CHECK_U2F(a2f_test_auth(&m, &sd, A2F_TEST_APPID, a2f_test_chal, 32,
                                0, reg.cose, reg.cose_len, 0, &newc),
                  A2F_ERR_INVALID);
    }

    /* other members, of any type, are ignored */

    CHECK(strlen(c64) == 43 && strchr(c64, '=') == NULL);
    snprintf(text, sizeof(text),
             "{\"cid_pubkey\":{\"kty\":\"EC\"},\"typ\":"
             "\"navigator.id.getAssertion\",\"x\":[1,{}],\"origin\":"
             "\"https://example.com\",\"challenge\":\"%s=\"}", c64);
    m.n = strlen(text);
    memcpy(m.b, text, m.n);
    a2f_test_sd(a2f_test_tok.user, A2F_TEST_APPID, 0x01, 1, &m, &sd);
    CHECK_U2F(a2f_test_auth(&m, &sd, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                            reg.cose, reg.cose_len, 0, &newc), A2F_OK);

    /* arguments */

    a2f_test_b64(scd.b, scd.n, 0, a2f_test_cd64, sizeof(a2f_test_cd64));
    a2f_test_b64(rd.b, rd.n, 0, a2f_test_m64, sizeof(a2f_test_m64));

    a2f_test_why[0] = '\0';
    CHECK_U2F(a2f_u2f_register(a2f_test_cd64, strlen(a2f_test_cd64),
                               a2f_test_m64, strlen(a2f_test_m64),
                               A2F_TEST_APPID, a2f_test_chal, 32, NULL,
                               a2f_test_why, sizeof(a2f_test_why)),
              A2F_ERR_INVALID);
    CHECK_U2F(a2f_u2f_register(a2f_test_cd64, strlen(a2f_test_cd64),
                               a2f_test_m64, strlen(a2f_test_m64), NULL,
                               a2f_test_chal, 32, &out, a2f_test_why,
                               sizeof(a2f_test_why)), A2F_ERR_INVALID);
    CHECK_U2F(a2f_u2f_register(a2f_test_cd64, strlen(a2f_test_cd64),
                               a2f_test_m64, strlen(a2f_test_m64),
                               "http://example.com/app", a2f_test_chal, 32,
                               &out, a2f_test_why, sizeof(a2f_test_why)),
              A2F_ERR_INVALID);
    CHECK_U2F(a2f_u2f_register(a2f_test_cd64, strlen(a2f_test_cd64),
                               a2f_test_m64, strlen(a2f_test_m64),
                               A2F_TEST_APPID, NULL, 32, &out, a2f_test_why,
                               sizeof(a2f_test_why)), A2F_ERR_INVALID);
    CHECK_U2F(a2f_u2f_register(a2f_test_cd64, strlen(a2f_test_cd64),
                               a2f_test_m64, strlen(a2f_test_m64),
                               A2F_TEST_APPID, a2f_test_chal, 0, &out,
                               a2f_test_why, sizeof(a2f_test_why)),
              A2F_ERR_INVALID);
    CHECK_U2F(a2f_u2f_register(a2f_test_cd64, strlen(a2f_test_cd64),
                               a2f_test_m64, strlen(a2f_test_m64),
                               A2F_TEST_APPID, a2f_test_chal, 65, &out,
                               a2f_test_why, sizeof(a2f_test_why)),
              A2F_ERR_INVALID);
    CHECK_U2F(a2f_u2f_register(NULL, 10, a2f_test_m64, strlen(a2f_test_m64),
                               A2F_TEST_APPID, a2f_test_chal, 32, &out,
                               a2f_test_why, sizeof(a2f_test_why)),
              A2F_ERR_INVALID);
    CHECK_U2F(a2f_u2f_register(a2f_test_cd64, strlen(a2f_test_cd64), NULL,
                               10, A2F_TEST_APPID, a2f_test_chal, 32, &out,
                               a2f_test_why, sizeof(a2f_test_why)),
              A2F_ERR_INVALID);
    CHECK_U2F(a2f_u2f_register(a2f_test_cd64, 0, a2f_test_m64,
                               strlen(a2f_test_m64), A2F_TEST_APPID,
                               a2f_test_chal, 32, &out, a2f_test_why,
                               sizeof(a2f_test_why)), A2F_ERR_INVALID);

    /* no why buffer at all is fine */

    CHECK_RC(a2f_u2f_register(a2f_test_cd64, 0, a2f_test_m64,
                              strlen(a2f_test_m64), A2F_TEST_APPID,
                              a2f_test_chal, 32, &out, NULL, 0),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_u2f_register(a2f_test_cd64, 0, a2f_test_m64,
                              strlen(a2f_test_m64), A2F_TEST_APPID,
                              a2f_test_chal, 32, &out, a2f_test_why, 1),
             A2F_ERR_INVALID);
    CHECK(a2f_test_why[0] == '\0');

    a2f_test_b64(sd.b, sd.n, 0, a2f_test_m64, sizeof(a2f_test_m64));
    a2f_test_sd(a2f_test_tok.user, A2F_TEST_APPID, 0x01, 1, &scd, &sd);
    CHECK_U2F(a2f_test_auth(&scd, &sd, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                            NULL, reg.cose_len, 0, &newc), A2F_ERR_INVALID);
    CHECK_U2F(a2f_test_auth(&scd, &sd, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                            reg.cose, 0, 0, &newc), A2F_ERR_INVALID);
    CHECK_U2F(a2f_test_auth(&scd, &sd, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                            reg.cose, reg.cose_len - 1, 0, &newc),
              A2F_ERR_INVALID);
    CHECK_U2F(a2f_test_auth(&scd, &sd, "https://exa mple.com/",
                            a2f_test_chal, 32, 0, reg.cose, reg.cose_len, 0,
                            &newc), A2F_ERR_INVALID);
    CHECK_U2F(a2f_test_auth(&scd, &sd, A2F_TEST_APPID, a2f_test_chal, 65, 0,
                            reg.cose, reg.cose_len, 0, &newc),
              A2F_ERR_INVALID);
    CHECK_U2F(a2f_test_auth(&scd, &sd, A2F_TEST_APPID, a2f_test_chal, 32, 0,
                            reg.cose, reg.cose_len, 0, &newc), A2F_OK);

    /* the stored key must be ES256: an Ed25519 COSE key is refused */

    {
        static const uint8_t  ed[] = {
            0xa4, 0x01, 0x01, 0x03, 0x27, 0x20, 0x06, 0x21, 0x58, 0x20,
            0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b,
            0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3,
            0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07,
            0x51, 0x1a
        };

        CHECK_U2F(a2f_test_auth(&scd, &sd, A2F_TEST_APPID, a2f_test_chal,
                                32, 0, ed, sizeof(ed), 0, &newc),
                  A2F_ERR_INVALID);
    }
}


/* a2f_wa_signature_verify() directly: the path under authentication */

static void
a2f_test_wa_path(void)
{
    size_t          siglen;
    uint8_t         ad[37], cdh[32], msg[69], sig[80], cose[80];
    size_t          n;

    a2f_test_sha256(A2F_TEST_APPID, strlen(A2F_TEST_APPID), ad);
    memcpy(ad + 32, "\x01\x00\x00\x00\x2a", 5);
    a2f_test_sha256("client data", 11, cdh);
    memcpy(msg, ad, 37);
    memcpy(msg + 37, cdh, 32);
    a2f_test_sign(a2f_test_tok.user, msg, sizeof(msg), sig, &siglen);
    CHECK_RC(a2f_wa_cose_from_u2f(a2f_test_tok.point, 65, cose, sizeof(cose),
                                  &n), A2F_OK);

    a2f_test_why[0] = '\0';
    CHECK_U2F(a2f_wa_signature_verify(A2F_TEST_APPID, ad, 37, cdh,
                                      A2F_COSE_ES256, cose, n, sig, siglen,
                                      a2f_test_why, sizeof(a2f_test_why)),
              A2F_OK);
    CHECK_U2F(a2f_wa_signature_verify("https://example.com/x", ad, 37, cdh,
                                      A2F_COSE_ES256, cose, n, sig, siglen,
                                      a2f_test_why, sizeof(a2f_test_why)),
              A2F_ERR_AUTH);
    CHECK_U2F(a2f_wa_signature_verify(A2F_TEST_APPID, ad, 37, cdh,
                                      A2F_COSE_EDDSA, cose, n, sig, siglen,
                                      a2f_test_why, sizeof(a2f_test_why)),
              A2F_ERR_INVALID);
    CHECK_U2F(a2f_wa_signature_verify(A2F_TEST_APPID, ad, 36, cdh,
                                      A2F_COSE_ES256, cose, n, sig, siglen,
                                      a2f_test_why, sizeof(a2f_test_why)),
              A2F_ERR_INVALID);
    CHECK_U2F(a2f_wa_signature_verify(A2F_TEST_APPID, ad, 37, cdh,
                                      A2F_COSE_ES256, cose, n, sig, 0,
                                      a2f_test_why, sizeof(a2f_test_why)),
              A2F_ERR_INVALID);
    CHECK_U2F(a2f_wa_signature_verify(NULL, ad, 37, cdh, A2F_COSE_ES256,
                                      cose, n, sig, siglen, a2f_test_why,
                                      sizeof(a2f_test_why)),
              A2F_ERR_INVALID);
    CHECK_U2F(a2f_wa_signature_verify(A2F_TEST_APPID, ad, 37, NULL,
                                      A2F_COSE_ES256, cose, n, sig, siglen,
                                      a2f_test_why, sizeof(a2f_test_why)),
              A2F_ERR_INVALID);

    cdh[0] ^= 1;
    CHECK_U2F(a2f_wa_signature_verify(A2F_TEST_APPID, ad, 37, cdh,
                                      A2F_COSE_ES256, cose, n, sig, siglen,
                                      a2f_test_why, sizeof(a2f_test_why)),
              A2F_ERR_AUTH);
    cdh[0] ^= 1;

    ad[32] = 0x00;
    CHECK_U2F(a2f_wa_signature_verify(A2F_TEST_APPID, ad, 37, cdh,
                                      A2F_COSE_ES256, cose, n, sig, siglen,
                                      a2f_test_why, sizeof(a2f_test_why)),
              A2F_ERR_AUTH);
    CHECK(strstr(a2f_test_why, "not present") != NULL);
}


int
main(int argc, char **argv)
{
    size_t  i;

    for (i = 0; i < sizeof(a2f_test_chal); i++) {
        a2f_test_chal[i] = (uint8_t) (0xa0 + i * 5);
    }

    a2f_test_tok_init(&a2f_test_tok, A2F_TEST_KH_LEN);

    a2f_test_b64_decode();
    a2f_test_origins();
    a2f_test_round_trip();
    a2f_test_reg_tamper();
    a2f_test_auth_tamper();
    a2f_test_truncate();
    a2f_test_expectations();
    a2f_test_presence_counter();
    a2f_test_layout();
    a2f_test_malformed();
    a2f_test_wa_path();

    CHECK(a2f_test_stale == 0);

    if (a2f_test_stale) {
        fprintf(stderr, "%s: %u calls left errors in OpenSSL's queue\n",
                __FILE__, a2f_test_stale);
    }

    a2f_test_tok_free(&a2f_test_tok);

    return a2f_test_done(argv[0]);
}
