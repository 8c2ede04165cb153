
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * test_webauthn.c: WebAuthn registration and assertion against the fixed
 * vectors of webauthn_vectors.h (formats none, packed self and x5c,
 * fido-u2f; ES256, EdDSA, RS256), every byte of them tampered with and
 * every truncation, the expectation's challenge, origin, RP ID, appid
 * and UV, the signature counter, malformed JSON and CBOR, the COSE keys,
 * the options JSON and the U2F key import; and the WebAuthn Level 3
 * specification's own test vectors (webauthn_spec_vectors.h) as golden
 * tests.
 */


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "a2f_crypto.h"
#include "a2f_cose.h"
#include "a2f_webauthn.h"
#include "a2f_test.h"
#include "webauthn_vectors.h"
#include "webauthn_spec_vectors.h"


#define A2F_TEST_B64_MAX  ((A2F_WA_ATT_OBJ_MAX + 2) / 3 * 4 + 1)
#define A2F_TEST_BODY_MAX (2 * A2F_WA_BODY_MAX)

/* the end of a registration body, for fmts with id, rawId, cdj, ato */
#define A2F_TEST_RESP                                                        \
    "\"response\":{\"clientDataJSON\":\"%s\",\"attestationObject\":\"%s\"}}"


/* CHECK_RC, and a reason on every failure */
#define CHECK_WA(expr, want)                                                 \
    do {                                                                     \
        int  a2f_test_wa_ = (expr);                                          \
        a2f_test_wa_check(a2f_test_wa_, (want), __LINE__, #expr);            \
    } while (0)


typedef struct {
    uint8_t  b[A2F_WA_ATT_OBJ_MAX + 64];
    size_t   n;
} a2f_test_cbor_t;


static char  a2f_test_why[128];
static char  a2f_test_body[A2F_TEST_BODY_MAX];

static const char  *a2f_test_origins[] = {
    "https://other.example.com", WV_ORIGIN
};

static const uint8_t  a2f_test_masks[] = { 0x01, 0x80, 0xff };


static void
a2f_test_wa_check(int rc, int want, int line, const char *expr)
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
a2f_test_expect(a2f_wa_expect_t *e, int reg)
{
    memset(e, 0, sizeof(*e));
    e->rp_id = WV_RP_ID;
    e->origins = a2f_test_origins;
    e->norigins = 2;
    e->challenge = reg ? wv_reg_challenge : wv_auth_challenge;
    e->challenge_len = 32;
    e->appid = reg ? NULL : WV_APPID;
}


/* base64url into one of four rotating buffers */

static const char *
a2f_test_b64(const uint8_t *p, size_t len)
{
    static char      buf[4][A2F_TEST_B64_MAX];
    static unsigned  next;
    char            *b;

    b = buf[next++ % 4];

    if (len == 0) {
        b[0] = '\0';

    } else if (a2f_b64url_encode(p, len, b, A2F_TEST_B64_MAX) == 0) {
        abort();
    }

    return b;
}


static const char *
a2f_test_reg_json(const uint8_t *id, size_t idlen, const uint8_t *cdj,
    size_t cdjlen, const uint8_t *ato, size_t atolen, size_t *len)
{
    int          n;
    const char  *sid, *scdj, *sato;

    sid = a2f_test_b64(id, idlen);
    scdj = a2f_test_b64(cdj, cdjlen);
    sato = a2f_test_b64(ato, atolen);

    n = snprintf(a2f_test_body, sizeof(a2f_test_body),
                 "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
                 "\"authenticatorAttachment\":\"cross-platform\","
                 "\"response\":{\"clientDataJSON\":\"%s\","
                 "\"attestationObject\":\"%s\","
                 "\"transports\":[\"usb\",\"nfc\",\"unknown\"]},"
                 "\"clientExtensionResults\":{}}",
                 sid, sid, scdj, sato);

    if (n < 0 || (size_t) n >= sizeof(a2f_test_body)) {
        abort();
    }

    *len = (size_t) n;

    return a2f_test_body;
}


static int
a2f_test_reg(const a2f_wa_expect_t *e, const uint8_t *id, size_t idlen,
    const uint8_t *cdj, size_t cdjlen, const uint8_t *ato, size_t atolen,
    a2f_wa_cred_t *out)
{
    size_t       len;
    const char  *json;

    json = a2f_test_reg_json(id, idlen, cdj, cdjlen, ato, atolen, &len);
    a2f_test_why[0] = '\0';

    return a2f_wa_register(e, json, len, out, a2f_test_why,
                           sizeof(a2f_test_why));
}


static int
a2f_test_reg_vec(const a2f_wa_expect_t *e, const wv_reg_t *v,
    a2f_wa_cred_t *out)
{
    return a2f_test_reg(e, v->id, v->id_len, v->cdj, v->cdj_len, v->ato,
                        v->ato_len, out);
}


static const wv_reg_t *
a2f_test_reg_find(const char *name)
{
    size_t  i;

    for (i = 0; i < sizeof(wv_regs) / sizeof(wv_regs[0]); i++) {
        if (strcmp(wv_regs[i].name, name) == 0) {
            return &wv_regs[i];
        }
    }

    abort();
}


/* an assertion struct straight from a vector */

static void
a2f_test_assertion(const wv_assert_t *v, a2f_wa_assertion_t *a)
{
    const wv_reg_t  *r;

    r = a2f_test_reg_find(v->reg);

    memset(a, 0, sizeof(*a));
    memcpy(a->cred_id, r->id, r->id_len);
    a->cred_id_len = r->id_len;
    memcpy(a->client_data, v->cdj, v->cdj_len);
    a->client_data_len = v->cdj_len;
    memcpy(a->auth_data, v->ad, v->ad_len);
    a->auth_data_len = v->ad_len;
    memcpy(a->sig, v->sig, v->sig_len);
    a->sig_len = v->sig_len;
    a->appid = v->appid;

    if (v->uh != NULL) {
        memcpy(a->user_handle, v->uh, v->uh_len);
        a->user_handle_len = v->uh_len;
    }
}


static int
a2f_test_verify(const a2f_wa_expect_t *e, const a2f_wa_assertion_t *a,
    const wv_assert_t *v, uint32_t stored, uint32_t *newc)
{
    const wv_reg_t  *r;

    r = a2f_test_reg_find(v->reg);
    a2f_test_why[0] = '\0';

    return a2f_wa_assertion_verify(e, a, v->alg, r->cose, r->cose_len,
                                   stored, newc, a2f_test_why,
                                   sizeof(a2f_test_why));
}


/* -- a small CBOR writer for malformed attestation objects --------------- */


static void
a2f_test_cbor_raw(a2f_test_cbor_t *c, const void *p, size_t n)
{
    if (n > sizeof(c->b) - c->n) {
        abort();
    }

    memcpy(c->b + c->n, p, n);
    c->n += n;
}


static void
a2f_test_cbor_head(a2f_test_cbor_t *c, unsigned major, uint64_t v)
{
    int      i, k;
    uint8_t  h[9];

    if (v < 24) {
        h[0] = (uint8_t) (major << 5 | v);
        k = 0;

    } else if (v < 0x100) {
        h[0] = (uint8_t) (major << 5 | 24);
        k = 1;

    } else if (v < 0x10000) {
        h[0] = (uint8_t) (major << 5 | 25);
        k = 2;

    } else if (v < 0x100000000ULL) {
        h[0] = (uint8_t) (major << 5 | 26);
        k = 4;

    } else {
        h[0] = (uint8_t) (major << 5 | 27);
        k = 8;
    }

    for (i = 0; i < k; i++) {
        h[1 + i] = (uint8_t) (v >> (8 * (k - 1 - i)));
    }

    a2f_test_cbor_raw(c, h, (size_t) k + 1);
}


static void
a2f_test_cbor_text(a2f_test_cbor_t *c, const char *s)
{
    a2f_test_cbor_head(c, 3, strlen(s));
    a2f_test_cbor_raw(c, s, strlen(s));
}


static void
a2f_test_cbor_bytes(a2f_test_cbor_t *c, const uint8_t *p, size_t n)
{
    a2f_test_cbor_head(c, 2, n);
    a2f_test_cbor_raw(c, p, n);
}


/* -- registration -------------------------------------------------------- */


static int
a2f_test_in(size_t off, size_t from, size_t len)
{
    return off >= from && off < from + len;
}


/*
 * Bytes that no check covers: the AAGUID and counter of authData are
 * not signed in "none" and "fido-u2f", and an x5c certificate's body is
 * not checked against any trust anchor (see a2f_webauthn.h).
 */

static int
a2f_test_unsigned(const wv_reg_t *v, size_t off)
{
    int  u2f, none;

    none = strcmp(v->fmt, "none") == 0;
    u2f = strcmp(v->fmt, "fido-u2f") == 0;

    if ((none || u2f) && (a2f_test_in(off, v->ad_off + 33, 4)
                          || a2f_test_in(off, v->ad_off + 37, 16)))
    {
        return 1;
    }

    return v->cert_len && a2f_test_in(off, v->cert_off, v->cert_len);
}


static void
a2f_test_reg_good(void)
{
    size_t           i, n;
    uint8_t          aaguid[16];
    a2f_wa_cred_t    out;
    a2f_wa_expect_t  e;
    const wv_reg_t  *v;

    a2f_test_expect(&e, 1);

    for (i = 0; i < sizeof(wv_regs) / sizeof(wv_regs[0]); i++) {
        v = &wv_regs[i];

        CHECK_WA(a2f_test_reg_vec(&e, v, &out), A2F_OK);
        CHECK(out.cred_id_len == v->id_len
              && memcmp(out.cred_id, v->id, v->id_len) == 0);
        CHECK(out.alg == v->alg);
        CHECK(out.pubkey_len == v->cose_len
              && memcmp(out.pubkey, v->cose, v->cose_len) == 0);
        CHECK(out.sign_count == v->count);
        CHECK_STR(out.fmt, v->fmt);
        CHECK(out.flags == v->flags);
        CHECK(out.transports == (A2F_WA_TRANSPORT_USB | A2F_WA_TRANSPORT_NFC));
        CHECK(a2f_hex_decode(v->aaguid, 32, aaguid, 16, &n) == A2F_OK
              && memcmp(out.aaguid, aaguid, 16) == 0);
        CHECK(out.attestation == (strcmp(v->fmt, "none") == 0
                                  ? A2F_WA_ATT_NONE
                                  : v->cert_len ? A2F_WA_ATT_X5C
                                                : A2F_WA_ATT_SELF));

        /* UV only where the authenticator set it */

        e.require_uv = 1;
        CHECK_WA(a2f_test_reg_vec(&e, v, &out),
                 (v->flags & A2F_WA_FLAG_UV) ? A2F_OK : A2F_ERR_AUTH);
        e.require_uv = 0;

        /* the appid plays no part in registration */

        e.appid = WV_APPID;
        CHECK_WA(a2f_test_reg_vec(&e, v, &out), A2F_OK);
        e.appid = NULL;
    }
}


static void
a2f_test_reg_expect(void)
{
    size_t           i;
    uint8_t          ch[32];
    a2f_wa_cred_t    out;
    a2f_wa_expect_t  e;
    const wv_reg_t  *v;

    static const char  *others[] = {
        "https://example.com:443", "https://example.com/", "http://example.com"
    };

    for (i = 0; i < sizeof(wv_regs) / sizeof(wv_regs[0]); i++) {
        v = &wv_regs[i];
        a2f_test_expect(&e, 1);

        /* another challenge, a shorter one */

        memcpy(ch, wv_reg_challenge, 32);
        ch[31] ^= 1;
        e.challenge = ch;
        CHECK_WA(a2f_test_reg_vec(&e, v, &out), A2F_ERR_AUTH);
        CHECK(strstr(a2f_test_why, "challenge") != NULL);
        e.challenge = wv_reg_challenge;
        e.challenge_len = 31;
        CHECK_WA(a2f_test_reg_vec(&e, v, &out), A2F_ERR_AUTH);
        e.challenge_len = 32;

        /* the assertion's challenge */

        e.challenge = wv_auth_challenge;
        CHECK_WA(a2f_test_reg_vec(&e, v, &out), A2F_ERR_AUTH);
        e.challenge = wv_reg_challenge;

        /* origins that are not the one */

        e.origins = others;
        e.norigins = 3;
        CHECK_WA(a2f_test_reg_vec(&e, v, &out), A2F_ERR_AUTH);
        CHECK_STR(a2f_test_why, "clientDataJSON: origin not allowed");
        e.origins = a2f_test_origins;
        e.norigins = 1;
        CHECK_WA(a2f_test_reg_vec(&e, v, &out), A2F_ERR_AUTH);
        e.norigins = 2;

        /* other RP IDs */

        e.rp_id = "example.org";
        CHECK_WA(a2f_test_reg_vec(&e, v, &out), A2F_ERR_AUTH);
        CHECK(strstr(a2f_test_why, "rpIdHash") != NULL);
        e.rp_id = "www.example.com";
        CHECK_WA(a2f_test_reg_vec(&e, v, &out), A2F_ERR_AUTH);
        e.rp_id = WV_RP_ID;

        /* incomplete expectations */

        e.challenge_len = 0;
        CHECK_WA(a2f_test_reg_vec(&e, v, &out), A2F_ERR_INVALID);
        e.challenge_len = 32;
        e.norigins = 0;
        CHECK_WA(a2f_test_reg_vec(&e, v, &out), A2F_ERR_INVALID);
        e.norigins = 2;
        e.rp_id = "";
        CHECK_WA(a2f_test_reg_vec(&e, v, &out), A2F_ERR_INVALID);
        e.rp_id = WV_RP_ID;

        CHECK_WA(a2f_test_reg_vec(&e, v, &out), A2F_OK);
    }
}


/*
 * every byte of clientDataJSON and attestationObject, flipped one of
 * three ways (by its offset: a registration is slow under ASan)
 */

static void
a2f_test_reg_tamper(void)
{
    int              rc;
    size_t           i, off;
    unsigned         bad, free_ok;
    uint8_t          buf[A2F_WA_ATT_OBJ_MAX], m;
    a2f_wa_cred_t    out;
    a2f_wa_expect_t  e;
    const wv_reg_t  *v;

    a2f_test_expect(&e, 1);

    for (i = 0; i < sizeof(wv_regs) / sizeof(wv_regs[0]); i++) {
        v = &wv_regs[i];

        bad = 0;

        for (off = 0; off < v->cdj_len; off++) {
            m = a2f_test_masks[off % sizeof(a2f_test_masks)];
            memcpy(buf, v->cdj, v->cdj_len);
            buf[off] ^= m;

            rc = a2f_test_reg(&e, v->id, v->id_len, buf, v->cdj_len,
                              v->ato, v->ato_len, &out);

            if (rc == A2F_OK || a2f_test_why[0] == '\0') {
                fprintf(stderr, "%s: clientDataJSON[%zu] ^ 0x%02x "
                        "accepted\n", v->name, off, m);
                bad++;
            }
        }

        CHECK(bad == 0);

        bad = 0;
        free_ok = 0;

        for (off = 0; off < v->ato_len; off++) {
            m = a2f_test_masks[off % sizeof(a2f_test_masks)];
            memcpy(buf, v->ato, v->ato_len);
            buf[off] ^= m;

            rc = a2f_test_reg(&e, v->id, v->id_len, v->cdj, v->cdj_len,
                              buf, v->ato_len, &out);

            if (rc != A2F_OK && a2f_test_why[0] != '\0') {
                continue;
            }

            if (rc == A2F_OK && a2f_test_unsigned(v, off)) {
                free_ok++;
                continue;
            }

            fprintf(stderr, "%s: attestationObject[%zu] ^ 0x%02x "
                    "accepted\n", v->name, off, m);
            bad++;
        }

        CHECK(bad == 0);

        /* what is not covered is indeed not: "none", "fido-u2f", x5c */

        CHECK((free_ok > 0) == (strcmp(v->fmt, "none") == 0
                                || strcmp(v->fmt, "fido-u2f") == 0
                                || v->cert_len > 0));

        /* the credential id (rawId) too */

        memcpy(buf, v->id, v->id_len);
        buf[0] ^= 1;
        CHECK_WA(a2f_test_reg(&e, buf, v->id_len, v->cdj, v->cdj_len,
                              v->ato, v->ato_len, &out), A2F_ERR_AUTH);
        CHECK_WA(a2f_test_reg(&e, v->id, v->id_len - 1, v->cdj, v->cdj_len,
                              v->ato, v->ato_len, &out), A2F_ERR_AUTH);
    }
}


/* every truncation of attestationObject, clientDataJSON and the body */

static void
a2f_test_reg_truncate(void)
{
    int              rc;
    size_t           i, n, len, bad;
    char            *body;
    const char      *json;
    a2f_wa_cred_t    out;
    a2f_wa_expect_t  e;
    const wv_reg_t  *v;

    a2f_test_expect(&e, 1);

    for (i = 0; i < sizeof(wv_regs) / sizeof(wv_regs[0]); i++) {
        v = &wv_regs[i];
        bad = 0;

        for (n = 0; n < v->ato_len; n++) {
            rc = a2f_test_reg(&e, v->id, v->id_len, v->cdj, v->cdj_len,
                              v->ato, n, &out);
            bad += (rc == A2F_OK);
        }

        for (n = 0; n < v->cdj_len; n++) {
            rc = a2f_test_reg(&e, v->id, v->id_len, v->cdj, n, v->ato,
                              v->ato_len, &out);
            bad += (rc == A2F_OK);
        }

        CHECK(bad == 0);
    }

    /* the JSON body, copied so that ASan sees reads past each end */

    v = &wv_regs[0];
    json = a2f_test_reg_json(v->id, v->id_len, v->cdj, v->cdj_len, v->ato,
                             v->ato_len, &len);
    bad = 0;

    for (n = 0; n < len; n++) {
        body = malloc(n ? n : 1);

        if (body == NULL) {
            abort();
        }

        memcpy(body, json, n);
        rc = a2f_wa_register(&e, body, n, &out, a2f_test_why,
                             sizeof(a2f_test_why));
        bad += (rc != A2F_ERR_INVALID);
        free(body);
    }

    CHECK(bad == 0);
}


/* the JSON envelope */

static void
a2f_test_reg_json_bad(void)
{
    int              n;
    size_t           i, len;
    char            *big;
    const char      *id, *cdj, *ato;
    uint8_t          longid[A2F_SECKEY_ID_MAX + 1];
    a2f_wa_cred_t    out;
    a2f_wa_expect_t  e;
    const wv_reg_t  *v;

    static const char  *fmts[] = {
        /* duplicate keys, at the top, in response */
        "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
        "\"type\":\"public-key\",\"response\":{\"clientDataJSON\":\"%s\","
        "\"attestationObject\":\"%s\"}}",
        "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
        "\"response\":{\"clientDataJSON\":\"%s\",\"attestationObject\":\"%s\","
        "\"attestationObject\":\"\"}}",
        /* wrong types */
        "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
        "\"response\":{\"clientDataJSON\":\"%s\",\"attestationObject\":\"%s\","
        "\"transports\":\"usb\"}}",
        "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
        "\"response\":{\"clientDataJSON\":\"%s\",\"attestationObject\":\"%s\","
        "\"transports\":[\"usb\",2]}}",
        "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
        "\"response\":[\"%s\",\"%s\"]}",
        "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":1,"
        A2F_TEST_RESP,
        "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-keys\","
        A2F_TEST_RESP,
        /* bad base64url: padding, '+', '/', a space */
        "{\"id\":\"%s=\",\"rawId\":\"%s\",\"type\":\"public-key\","
        A2F_TEST_RESP,
        "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
        "\"response\":{\"clientDataJSON\":\"+%s\","
        "\"attestationObject\":\"%s\"}}",
        "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
        "\"response\":{\"clientDataJSON\":\"%s\","
        "\"attestationObject\":\"/%s\"}}",
        "{\"id\":\"%s\",\"rawId\":\"%s \",\"type\":\"public-key\","
        A2F_TEST_RESP,
        /* missing members */
        "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
        "\"response\":{\"clientDataJSON\":\"%s\",\"attestationObjectX\":"
        "\"%s\"}}",
        "{\"id\":\"%s\",\"raw\":\"%s\",\"type\":\"public-key\","
        A2F_TEST_RESP,
        /* trailing bytes, not an object */
        "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
        A2F_TEST_RESP
        "x",
        "[{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
        A2F_TEST_RESP
        "]"
    };

    a2f_test_expect(&e, 1);
    v = &wv_regs[1];

    for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
        id = a2f_test_b64(v->id, v->id_len);
        cdj = a2f_test_b64(v->cdj, v->cdj_len);
        ato = a2f_test_b64(v->ato, v->ato_len);
        n = snprintf(a2f_test_body, sizeof(a2f_test_body), fmts[i], id, id,
                     cdj, ato);
        a2f_test_why[0] = '\0';
        CHECK_WA(a2f_wa_register(&e, a2f_test_body, (size_t) n, &out,
                                 a2f_test_why, sizeof(a2f_test_why)),
                 A2F_ERR_INVALID);
    }

    /* a duplicate key gives its own reason */

    id = a2f_test_b64(v->id, v->id_len);
    n = snprintf(a2f_test_body, sizeof(a2f_test_body), fmts[0], id, id,
                 a2f_test_b64(v->cdj, v->cdj_len),
                 a2f_test_b64(v->ato, v->ato_len));
    CHECK_WA(a2f_wa_register(&e, a2f_test_body, (size_t) n, &out,
                             a2f_test_why, sizeof(a2f_test_why)),
             A2F_ERR_INVALID);
    CHECK_STR(a2f_test_why, "body: duplicate key");

    /* a NUL in the body */

    len = strlen(a2f_test_reg_json(v->id, v->id_len, v->cdj, v->cdj_len,
                                   v->ato, v->ato_len, &len));
    a2f_test_body[len / 2] = '\0';
    CHECK_WA(a2f_wa_register(&e, a2f_test_body, len, &out, a2f_test_why,
                             sizeof(a2f_test_why)), A2F_ERR_INVALID);

    /* id and rawId differ */

    memcpy(longid, v->id, v->id_len);
    longid[0] ^= 1;
    n = snprintf(a2f_test_body, sizeof(a2f_test_body),
                 "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
                 "\"response\":{\"clientDataJSON\":\"%s\","
                 "\"attestationObject\":\"%s\"}}",
                 a2f_test_b64(longid, v->id_len),
                 a2f_test_b64(v->id, v->id_len),
                 a2f_test_b64(v->cdj, v->cdj_len),
                 a2f_test_b64(v->ato, v->ato_len));
    CHECK_WA(a2f_wa_register(&e, a2f_test_body, (size_t) n, &out,
                             a2f_test_why, sizeof(a2f_test_why)),
             A2F_ERR_INVALID);

    /* over the limits: id, clientDataJSON, attestationObject, body */

    memset(longid, 0x5a, sizeof(longid));
    CHECK_WA(a2f_test_reg(&e, longid, sizeof(longid), v->cdj, v->cdj_len,
                          v->ato, v->ato_len, &out), A2F_ERR_INVALID);

    big = calloc(1, A2F_WA_ATT_OBJ_MAX + 1);

    if (big == NULL) {
        abort();
    }

    memset(big, ' ', A2F_WA_CLIENT_DATA_MAX + 1);
    memcpy(big, v->cdj, v->cdj_len - 1);
    big[A2F_WA_CLIENT_DATA_MAX] = '}';
    CHECK_WA(a2f_test_reg(&e, v->id, v->id_len, (uint8_t *) big,
                          A2F_WA_CLIENT_DATA_MAX + 1, v->ato, v->ato_len,
                          &out), A2F_ERR_INVALID);
    CHECK(strstr(a2f_test_why, "too long") != NULL);

    memcpy(big, v->ato, v->ato_len);
    CHECK_WA(a2f_test_reg(&e, v->id, v->id_len, v->cdj, v->cdj_len,
                          (uint8_t *) big, A2F_WA_ATT_OBJ_MAX + 1, &out),
             A2F_ERR_INVALID);

    free(big);

    len = strlen(a2f_test_reg_json(v->id, v->id_len, v->cdj, v->cdj_len,
                                   v->ato, v->ato_len, &len));
    memset(a2f_test_body + len, ' ', A2F_WA_BODY_MAX + 1 - len);
    CHECK_WA(a2f_wa_register(&e, a2f_test_body, A2F_WA_BODY_MAX + 1, &out,
                             a2f_test_why, sizeof(a2f_test_why)),
             A2F_ERR_INVALID);
    CHECK_WA(a2f_wa_register(&e, a2f_test_body, A2F_WA_BODY_MAX, &out,
                             a2f_test_why, sizeof(a2f_test_why)), A2F_OK);

    /* NULL and empty */

    CHECK_WA(a2f_wa_register(&e, NULL, 0, &out, a2f_test_why,
                             sizeof(a2f_test_why)), A2F_ERR_INVALID);
    CHECK_WA(a2f_wa_register(&e, "", 0, &out, a2f_test_why,
                             sizeof(a2f_test_why)), A2F_ERR_INVALID);
    CHECK(a2f_wa_register(&e, "{}", 2, &out, NULL, 0) == A2F_ERR_INVALID);
    CHECK_WA(a2f_wa_register(NULL, "{}", 2, &out, a2f_test_why,
                             sizeof(a2f_test_why)), A2F_ERR_INVALID);
}


/*
 * clientDataJSON variants, on the "none" vector: its attestation signs
 * nothing, so clientDataJSON may be rewritten at will
 */

static void
a2f_test_reg_client_data(void)
{
    int              n;
    size_t           i;
    char             cd[1024], ch[64];
    a2f_wa_cred_t    out;
    a2f_wa_expect_t  e;
    const wv_reg_t  *v;

    static const struct {
        const char  *fmt;           /* %s: the challenge */
        int          rc;
    } cases[] = {
        { "{\"type\":\"webauthn.create\",\"challenge\":\"%s\","
          "\"origin\":\"https://example.com\"}", A2F_OK },
        { "{\"origin\":\"https://example.com\",\"challenge\":\"%s\","
          "\"type\":\"webauthn.create\",\"crossOrigin\":false,"
          "\"other_keys_can_be_added_here\":\"x\",\"n\":[1,{\"a\":null}]}",
          A2F_OK },
        { " {\"type\":\"webauthn.create\",\"challenge\":\"%s\","
          "\"origin\":\"https://example.com\",\"tokenBinding\":"
          "{\"status\":\"supported\"}} ", A2F_OK },
        { "{\"type\":\"webauthn.get\",\"challenge\":\"%s\","
          "\"origin\":\"https://example.com\"}", A2F_ERR_AUTH },
        { "{\"type\":\"webauthn.create\",\"challenge\":\"%s\","
          "\"origin\":\"https://example.com\",\"crossOrigin\":true}",
          A2F_ERR_AUTH },
        { "{\"type\":\"webauthn.create\",\"challenge\":\"%s\","
          "\"origin\":\"https://example.com\",\"topOrigin\":"
          "\"https://evil.example\"}", A2F_ERR_AUTH },
        { "{\"type\":\"webauthn.create\",\"challenge\":\"%s\","
          "\"origin\":\"https://example.com\",\"tokenBinding\":"
          "{\"status\":\"present\",\"id\":\"AAAA\"}}", A2F_ERR_AUTH },
        { "{\"type\":\"webauthn.create\",\"challenge\":\"%s\","
          "\"origin\":\"https://EXAMPLE.com\"}", A2F_ERR_AUTH },
        { "{\"type\":\"webauthn.create\",\"challenge\":\"%s\","
          "\"origin\":\"https://example.com\\u0000\"}", A2F_ERR_INVALID },
        { "{\"type\":\"webauthn.create\",\"challenge\":\"%s\","
          "\"origin\":\"https://example.com\",\"type\":\"webauthn.create\"}",
          A2F_ERR_INVALID },
        { "{\"type\":\"webauthn.create\",\"challenge\":\"%s\","
          "\"origin\":\"https://example.com\",\"crossOrigin\":\"false\"}",
          A2F_ERR_INVALID },
        { "{\"type\":\"webauthn.create\",\"challenge\":\"%s\","
          "\"origin\":\"https://example.com\",\"tokenBinding\":\"x\"}",
          A2F_ERR_INVALID },
        { "{\"type\":\"webauthn.create\",\"challenge\":\"%s=\","
          "\"origin\":\"https://example.com\"}", A2F_ERR_INVALID },
        { "{\"type\":\"webauthn.create\",\"challenge\":[\"%s\"],"
          "\"origin\":\"https://example.com\"}", A2F_ERR_INVALID },
        { "{\"type\":\"webauthn.create\",\"challengeX\":\"%s\","
          "\"origin\":\"https://example.com\"}", A2F_ERR_INVALID },
        { "{\"type\":\"webauthn.create\",\"challenge\":\"%s\"}",
          A2F_ERR_INVALID },
        { "{\"type\":7,\"challenge\":\"%s\","
          "\"origin\":\"https://example.com\"}", A2F_ERR_INVALID },
        { "{\"type\":\"webauthn.create\",\"challenge\":\"%s\","
          "\"origin\":\"\"}", A2F_ERR_INVALID },
        { "[\"%s\"]", A2F_ERR_INVALID },
        { "{\"type\":\"webauthn.create\",\"challenge\":\"%s\","
          "\"origin\":\"https://example.com\"}}", A2F_ERR_INVALID },
        { "{\"type\":\"webauthn.create\",\"challenge\":\"%s\","
          "\"origin\":\"https://example.com\",}", A2F_ERR_INVALID }
    };

    a2f_test_expect(&e, 1);
    v = a2f_test_reg_find("reg_none");
    snprintf(ch, sizeof(ch), "%s", a2f_test_b64(wv_reg_challenge, 32));

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        n = snprintf(cd, sizeof(cd), cases[i].fmt, ch);
        CHECK_WA(a2f_test_reg(&e, v->id, v->id_len, (uint8_t *) cd,
                              (size_t) n, v->ato, v->ato_len, &out),
                 cases[i].rc);
    }

    /* invalid UTF-8 */

    n = snprintf(cd, sizeof(cd), "{\"type\":\"webauthn.create\","
                 "\"challenge\":\"%s\",\"origin\":\"https://example.com\","
                 "\"x\":\"\xc0\xaf\"}", ch);
    CHECK_WA(a2f_test_reg(&e, v->id, v->id_len, (uint8_t *) cd, (size_t) n,
                          v->ato, v->ato_len, &out), A2F_ERR_INVALID);

    /* a longer challenge, expected so */

    {
        uint8_t  big[A2F_WA_CHALLENGE_MAX + 1];

        memset(big, 0x33, sizeof(big));
        n = snprintf(cd, sizeof(cd), "{\"type\":\"webauthn.create\","
                     "\"challenge\":\"%s\","
                     "\"origin\":\"https://example.com\"}",
                     a2f_test_b64(big, A2F_WA_CHALLENGE_MAX));
        e.challenge = big;
        e.challenge_len = A2F_WA_CHALLENGE_MAX;
        CHECK_WA(a2f_test_reg(&e, v->id, v->id_len, (uint8_t *) cd,
                              (size_t) n, v->ato, v->ato_len, &out), A2F_OK);

        n = snprintf(cd, sizeof(cd), "{\"type\":\"webauthn.create\","
                     "\"challenge\":\"%s\","
                     "\"origin\":\"https://example.com\"}",
                     a2f_test_b64(big, sizeof(big)));
        CHECK_WA(a2f_test_reg(&e, v->id, v->id_len, (uint8_t *) cd,
                              (size_t) n, v->ato, v->ato_len, &out),
                 A2F_ERR_INVALID);
    }
}


/* signed, well-formed, and wrong: attestation certificate, alg, flags, rp */

static void
a2f_test_reg_bad(void)
{
    size_t           i;
    a2f_wa_cred_t    out;
    a2f_wa_expect_t  e;
    const wv_bad_t  *b;

    static const char  *whys[] = {
        "attStmt: x5c[0] AAGUID is not authenticatorData's",
        "attStmt: x5c[0] is a CA certificate",
        "attStmt: x5c[0] key does not fit the algorithm",
        "attStmt: fido-u2f needs an ES256 key",
        "attStmt: alg is not the credential key's",
        "authenticatorData: user not present",
        "authenticatorData: rpIdHash does not match the RP ID"
    };

    a2f_test_expect(&e, 1);
    CHECK(sizeof(whys) / sizeof(whys[0])
          == sizeof(wv_bad) / sizeof(wv_bad[0]));

    for (i = 0; i < sizeof(wv_bad) / sizeof(wv_bad[0]); i++) {
        b = &wv_bad[i];
        CHECK_WA(a2f_test_reg(&e, b->id, b->id_len, b->cdj, b->cdj_len,
                              b->ato, b->ato_len, &out), b->rc);
        CHECK_STR(a2f_test_why, whys[i]);
    }
}


/* {"fmt": fmt, "attStmt": stmt (raw CBOR), "authData": ad} */

static void
a2f_test_ato(a2f_test_cbor_t *c, const char *fmt, const char *stmt,
    size_t stmtlen, const uint8_t *ad, size_t adlen)
{
    c->n = 0;
    a2f_test_cbor_head(c, 5, 3);
    a2f_test_cbor_text(c, "fmt");
    a2f_test_cbor_text(c, fmt);
    a2f_test_cbor_text(c, "attStmt");
    a2f_test_cbor_raw(c, stmt, stmtlen);
    a2f_test_cbor_text(c, "authData");
    a2f_test_cbor_bytes(c, ad, adlen);
}


/* attestation objects made by hand around the "none" vector's authData */

static void
a2f_test_reg_cbor(void)
{
    size_t           i, len;
    uint8_t          ad[A2F_WA_AUTH_DATA_MAX + 8];
    a2f_test_cbor_t  c;
    a2f_wa_cred_t    out;
    a2f_wa_expect_t  e;
    const wv_reg_t  *v;

    /* attStmt maps: {}, {"alg": -7}, {"alg": -7, "sig": 70 bytes}, ... */

    static const char  empty[] = "\xa0";
    static const char  alg[] = "\xa1\x63" "alg" "\x26";
    static const char  sig70[] = "\xa2\x63" "alg" "\x26\x63" "sig" "\x58\x46"
        "0123456789012345678901234567890123456789012345678901234567890123"
        "456789";
    static const char  sig64_rs[] = "\xa2\x63" "alg" "\x39\x01\x00\x63" "sig"
        "\x58\x40"
        "0123456789012345678901234567890123456789012345678901234567890123";
    static const char  ecdaa[] = "\xa3\x63" "alg" "\x26\x63" "sig" "\x41" "0"
        "\x6a" "ecdaaKeyId" "\x41" "0";

#define A2F_TEST_RUN(rc)                                                     \
    CHECK_WA(a2f_test_reg(&e, v->id, v->id_len, v->cdj, v->cdj_len, c.b,    \
                          c.n, &out), rc)

    a2f_test_expect(&e, 1);
    v = a2f_test_reg_find("reg_none");
    memcpy(ad, v->ato + v->ad_off, v->ad_len);
    len = v->ad_len;

    /* the vector, rebuilt: accepted */

    a2f_test_ato(&c, "none", empty, 1, ad, len);
    CHECK(c.n == v->ato_len && memcmp(c.b, v->ato, c.n) == 0);
    A2F_TEST_RUN(A2F_OK);

    /* in another key order, with an unknown member: accepted */

    c.n = 0;
    a2f_test_cbor_head(&c, 5, 4);
    a2f_test_cbor_text(&c, "authData");
    a2f_test_cbor_bytes(&c, ad, len);
    a2f_test_cbor_text(&c, "extra");
    a2f_test_cbor_head(&c, 0, 1);
    a2f_test_cbor_text(&c, "attStmt");
    a2f_test_cbor_head(&c, 5, 0);
    a2f_test_cbor_text(&c, "fmt");
    a2f_test_cbor_text(&c, "none");
    A2F_TEST_RUN(A2F_OK);

    /* a trailing byte */

    a2f_test_ato(&c, "none", empty, 1, ad, len);
    a2f_test_cbor_head(&c, 0, 0);
    A2F_TEST_RUN(A2F_ERR_INVALID);
    CHECK_STR(a2f_test_why, "attestationObject: trailing bytes");

    /* a duplicate key */

    c.n = 0;
    a2f_test_cbor_head(&c, 5, 4);
    a2f_test_cbor_text(&c, "fmt");
    a2f_test_cbor_text(&c, "none");
    a2f_test_cbor_text(&c, "attStmt");
    a2f_test_cbor_head(&c, 5, 0);
    a2f_test_cbor_text(&c, "fmt");
    a2f_test_cbor_text(&c, "none");
    a2f_test_cbor_text(&c, "authData");
    a2f_test_cbor_bytes(&c, ad, len);
    A2F_TEST_RUN(A2F_ERR_INVALID);

    /* other formats; attStmt not empty for "none" */

    a2f_test_ato(&c, "tpm", empty, 1, ad, len);
    A2F_TEST_RUN(A2F_ERR_INVALID);
    CHECK_STR(a2f_test_why, "attestationObject: unsupported format");
    a2f_test_ato(&c, "android-safetynet", empty, 1, ad, len);
    A2F_TEST_RUN(A2F_ERR_INVALID);
    a2f_test_ato(&c, "", empty, 1, ad, len);
    A2F_TEST_RUN(A2F_ERR_INVALID);
    a2f_test_ato(&c, "none", alg, sizeof(alg) - 1, ad, len);
    A2F_TEST_RUN(A2F_ERR_INVALID);

    /* "packed": no signature, ECDAA, a bogus signature, the wrong alg */

    a2f_test_ato(&c, "packed", alg, sizeof(alg) - 1, ad, len);
    A2F_TEST_RUN(A2F_ERR_INVALID);
    a2f_test_ato(&c, "packed", ecdaa, sizeof(ecdaa) - 1, ad, len);
    A2F_TEST_RUN(A2F_ERR_INVALID);
    CHECK_STR(a2f_test_why, "attStmt: ECDAA is not supported");
    a2f_test_ato(&c, "packed", sig70, sizeof(sig70) - 1, ad, len);
    A2F_TEST_RUN(A2F_ERR_AUTH);
    CHECK_STR(a2f_test_why, "attStmt: signature does not verify");
    a2f_test_ato(&c, "packed", sig64_rs, sizeof(sig64_rs) - 1, ad, len);
    A2F_TEST_RUN(A2F_ERR_INVALID);

    /* "fido-u2f" without x5c */

    a2f_test_ato(&c, "fido-u2f", sig70, sizeof(sig70) - 1, ad, len);
    A2F_TEST_RUN(A2F_ERR_INVALID);

    /* indefinite map, a tag, huge counts, deep nesting */

    c.n = 0;
    a2f_test_cbor_head(&c, 5, 31);
    a2f_test_cbor_raw(&c, v->ato + 1, v->ato_len - 1);
    a2f_test_cbor_raw(&c, "\xff", 1);
    A2F_TEST_RUN(A2F_ERR_INVALID);

    c.n = 0;
    a2f_test_cbor_head(&c, 6, 24);
    a2f_test_cbor_raw(&c, v->ato, v->ato_len);
    A2F_TEST_RUN(A2F_ERR_INVALID);

    a2f_test_ato(&c, "none", "\x9a\x10\x00\x00\x00", 5, ad, len);
    A2F_TEST_RUN(A2F_ERR_INVALID);

    c.n = 0;
    a2f_test_cbor_head(&c, 5, 0xffffffffffffffffULL);
    A2F_TEST_RUN(A2F_ERR_INVALID);

    c.n = 0;
    a2f_test_cbor_head(&c, 5, 3);
    a2f_test_cbor_text(&c, "fmt");
    a2f_test_cbor_text(&c, "none");
    a2f_test_cbor_text(&c, "attStmt");

    for (i = 0; i < 2000; i++) {
        a2f_test_cbor_head(&c, 4, 1);
    }

    a2f_test_cbor_head(&c, 0, 0);
    a2f_test_cbor_text(&c, "authData");
    a2f_test_cbor_bytes(&c, ad, len);
    A2F_TEST_RUN(A2F_ERR_INVALID);

    /* authData: no AT, a trailing byte, BS without BE, BS with BE */

    ad[32] &= (uint8_t) ~A2F_WA_FLAG_AT;
    a2f_test_ato(&c, "none", empty, 1, ad, 37);
    A2F_TEST_RUN(A2F_ERR_INVALID);
    ad[32] |= A2F_WA_FLAG_AT;

    ad[len] = 0;
    a2f_test_ato(&c, "none", empty, 1, ad, len + 1);
    A2F_TEST_RUN(A2F_ERR_INVALID);
    CHECK_STR(a2f_test_why, "authenticatorData: trailing bytes");

    ad[32] |= A2F_WA_FLAG_BS;
    a2f_test_ato(&c, "none", empty, 1, ad, len);
    A2F_TEST_RUN(A2F_ERR_INVALID);
    ad[32] |= A2F_WA_FLAG_BE;
    a2f_test_ato(&c, "none", empty, 1, ad, len);
    A2F_TEST_RUN(A2F_OK);
    CHECK(out.flags & A2F_WA_FLAG_BS);
    ad[32] &= (uint8_t) ~(A2F_WA_FLAG_BS | A2F_WA_FLAG_BE);

    /* extensions: a map (unknown ones are fine), not an array, no dups */

    ad[32] |= A2F_WA_FLAG_ED;
    memcpy(ad + len, "\xa1\x63" "abc" "\x01", 6);
    a2f_test_ato(&c, "none", empty, 1, ad, len + 6);
    A2F_TEST_RUN(A2F_OK);

    memcpy(ad + len, "\x81\x63" "abc", 5);
    a2f_test_ato(&c, "none", empty, 1, ad, len + 5);
    A2F_TEST_RUN(A2F_ERR_INVALID);

    memcpy(ad + len, "\xa2\x61" "a" "\x01\x61" "a" "\x02", 7);
    a2f_test_ato(&c, "none", empty, 1, ad, len + 7);
    A2F_TEST_RUN(A2F_ERR_INVALID);

    a2f_test_ato(&c, "none", empty, 1, ad, len);
    A2F_TEST_RUN(A2F_ERR_INVALID);
    ad[32] &= (uint8_t) ~A2F_WA_FLAG_ED;

    /* a credential id longer than the store takes */

    memcpy(ad + 55 + 256, ad + 55 + v->id_len, len - 55 - v->id_len);
    memset(ad + 55, 0x42, 256);
    ad[53] = 1;
    ad[54] = 0;
    a2f_test_ato(&c, "none", empty, 1, ad, len - v->id_len + 256);
    A2F_TEST_RUN(A2F_ERR_INVALID);

#undef A2F_TEST_RUN
}


/* -- assertions ---------------------------------------------------------- */


static void
a2f_test_assert_good(void)
{
    size_t              i;
    uint32_t            newc;
    a2f_wa_expect_t     e;
    a2f_wa_assertion_t  a;
    const wv_assert_t  *v;

    for (i = 0; i < sizeof(wv_asserts) / sizeof(wv_asserts[0]); i++) {
        v = &wv_asserts[i];
        a2f_test_expect(&e, 0);
        a2f_test_assertion(v, &a);

        if (!(v->flags & A2F_WA_FLAG_UP)) {
            CHECK_WA(a2f_test_verify(&e, &a, v, 0, &newc), A2F_ERR_AUTH);
            CHECK_STR(a2f_test_why, "authenticatorData: user not present");
            continue;
        }

        newc = 12345;
        CHECK_WA(a2f_test_verify(&e, &a, v, v->count ? v->count - 1 : 0,
                                 &newc), A2F_OK);
        CHECK(newc == v->count);

        CHECK_WA(a2f_test_verify(&e, &a, v, 0, NULL), A2F_OK);

        /* UV only where set */

        e.require_uv = 1;
        CHECK_WA(a2f_test_verify(&e, &a, v, 0, NULL),
                 (v->flags & A2F_WA_FLAG_UV) ? A2F_OK : A2F_ERR_AUTH);
        e.require_uv = 0;

        /* wrong challenge, origin, RP ID */

        e.challenge = wv_reg_challenge;
        CHECK_WA(a2f_test_verify(&e, &a, v, 0, NULL), A2F_ERR_AUTH);
        e.challenge = wv_auth_challenge;

        e.norigins = 1;
        CHECK_WA(a2f_test_verify(&e, &a, v, 0, NULL), A2F_ERR_AUTH);
        e.norigins = 2;

        e.rp_id = "example.net";

        if (v->appid) {
            CHECK_WA(a2f_test_verify(&e, &a, v, 0, NULL), A2F_OK);

        } else {
            CHECK_WA(a2f_test_verify(&e, &a, v, 0, NULL), A2F_ERR_AUTH);
        }

        e.rp_id = WV_RP_ID;

        /* the alg does not match the key */

        a2f_test_why[0] = '\0';
        CHECK_WA(a2f_wa_assertion_verify(&e, &a,
                     v->alg == A2F_COSE_ES256 ? A2F_COSE_EDDSA
                                              : A2F_COSE_ES256,
                     a2f_test_reg_find(v->reg)->cose,
                     a2f_test_reg_find(v->reg)->cose_len, 0, NULL,
                     a2f_test_why, sizeof(a2f_test_why)),
                 A2F_ERR_INVALID);

        /* a registration's clientDataJSON */

        a.client_data_len = a2f_test_reg_find(v->reg)->cdj_len;
        memcpy(a.client_data, a2f_test_reg_find(v->reg)->cdj,
               a.client_data_len);
        CHECK_WA(a2f_test_verify(&e, &a, v, 0, NULL), A2F_ERR_AUTH);
    }
}


static void
a2f_test_assert_counter(void)
{
    uint32_t            newc;
    a2f_wa_expect_t     e;
    a2f_wa_assertion_t  a;
    const wv_assert_t  *v;

    a2f_test_expect(&e, 0);

    v = &wv_asserts[0];             /* as_es256, count 8 */
    CHECK(v->count == 8);
    a2f_test_assertion(v, &a);

    CHECK_WA(a2f_test_verify(&e, &a, v, 7, &newc), A2F_OK);
    CHECK(newc == 8);
    newc = 777;
    CHECK_WA(a2f_test_verify(&e, &a, v, 8, &newc), A2F_ERR_REPLAY);
    CHECK(newc == 777);
    CHECK(strstr(a2f_test_why, "counter") != NULL);
    CHECK_WA(a2f_test_verify(&e, &a, v, 9, &newc), A2F_ERR_REPLAY);
    CHECK_WA(a2f_test_verify(&e, &a, v, 0xffffffff, &newc), A2F_ERR_REPLAY);
    CHECK_WA(a2f_test_verify(&e, &a, v, 0, &newc), A2F_OK);

    /* a replayed signature is refused before the counter is looked at */

    a.sig[10] ^= 1;
    CHECK_WA(a2f_test_verify(&e, &a, v, 8, &newc), A2F_ERR_AUTH);

    v = &wv_asserts[1];             /* as_eddsa, count 0 */
    CHECK(v->count == 0);
    a2f_test_assertion(v, &a);

    newc = 777;
    CHECK_WA(a2f_test_verify(&e, &a, v, 0, &newc), A2F_OK);
    CHECK(newc == 0);
    CHECK_WA(a2f_test_verify(&e, &a, v, 1, &newc), A2F_ERR_REPLAY);
}


static void
a2f_test_assert_appid(void)
{
    a2f_wa_expect_t     e;
    a2f_wa_assertion_t  a;
    const wv_assert_t  *v, *w;

    a2f_test_expect(&e, 0);
    v = &wv_asserts[3];             /* as_appid */
    CHECK(v->appid);
    a2f_test_assertion(v, &a);

    CHECK_WA(a2f_test_verify(&e, &a, v, 0, NULL), A2F_OK);

    /* not without the appid expected */

    e.appid = NULL;
    CHECK_WA(a2f_test_verify(&e, &a, v, 0, NULL), A2F_ERR_AUTH);
    e.appid = "https://example.com/other";
    CHECK_WA(a2f_test_verify(&e, &a, v, 0, NULL), A2F_ERR_AUTH);
    e.appid = WV_APPID;

    /* not without the extension result true */

    a.appid = 0;
    CHECK_WA(a2f_test_verify(&e, &a, v, 0, NULL), A2F_ERR_AUTH);
    CHECK(strstr(a2f_test_why, "rpIdHash") != NULL);

    /* and a normal assertion is not accepted under the appid */

    w = &wv_asserts[0];
    a2f_test_assertion(w, &a);
    a.appid = 1;
    CHECK_WA(a2f_test_verify(&e, &a, w, 0, NULL), A2F_ERR_AUTH);
    e.appid = NULL;
    CHECK_WA(a2f_test_verify(&e, &a, w, 0, NULL), A2F_OK);
}


/* every byte of clientDataJSON, authenticatorData and the signature */

static void
a2f_test_assert_tamper(void)
{
    int                 rc;
    size_t              i, off, n;
    unsigned            m, bad;
    a2f_wa_expect_t     e;
    a2f_wa_assertion_t  a, t;
    const wv_assert_t  *v;

    a2f_test_expect(&e, 0);

    for (i = 0; i < sizeof(wv_asserts) / sizeof(wv_asserts[0]); i++) {
        v = &wv_asserts[i];
        a2f_test_assertion(v, &a);
        bad = 0;

        for (m = 0; m < sizeof(a2f_test_masks); m++) {

            for (off = 0; off < a.client_data_len; off++) {
                t = a;
                t.client_data[off] ^= a2f_test_masks[m];
                rc = a2f_test_verify(&e, &t, v, 0, NULL);
                bad += (rc == A2F_OK || a2f_test_why[0] == '\0');
            }

            for (off = 0; off < a.auth_data_len; off++) {
                t = a;
                t.auth_data[off] ^= a2f_test_masks[m];
                rc = a2f_test_verify(&e, &t, v, 0, NULL);
                bad += (rc == A2F_OK || a2f_test_why[0] == '\0');
            }

            for (off = 0; off < a.sig_len; off++) {
                t = a;
                t.sig[off] ^= a2f_test_masks[m];
                rc = a2f_test_verify(&e, &t, v, 0, NULL);
                bad += (rc == A2F_OK || a2f_test_why[0] == '\0');
            }
        }

        /* and every truncation, and one byte more */

        for (n = 0; n < a.client_data_len; n++) {
            t = a;
            t.client_data_len = n;
            bad += (a2f_test_verify(&e, &t, v, 0, NULL) == A2F_OK);
        }

        for (n = 0; n < a.auth_data_len; n++) {
            t = a;
            t.auth_data_len = n;
            bad += (a2f_test_verify(&e, &t, v, 0, NULL) == A2F_OK);
        }

        for (n = 0; n < a.sig_len; n++) {
            t = a;
            t.sig_len = n;
            bad += (a2f_test_verify(&e, &t, v, 0, NULL) == A2F_OK);
        }

        t = a;
        t.client_data[t.client_data_len++] = ' ';
        bad += (a2f_test_verify(&e, &t, v, 0, NULL) == A2F_OK);
        t = a;
        t.auth_data[t.auth_data_len++] = 0;
        bad += (a2f_test_verify(&e, &t, v, 0, NULL) == A2F_OK);
        t = a;
        t.sig[t.sig_len++] = 0;
        bad += (a2f_test_verify(&e, &t, v, 0, NULL) == A2F_OK);

        CHECK(bad == 0);
    }
}


static const char *
a2f_test_assert_json(const wv_assert_t *v, const char *extra, size_t *len)
{
    int              n;
    const char      *id;
    const wv_reg_t  *r;

    r = a2f_test_reg_find(v->reg);
    id = a2f_test_b64(r->id, r->id_len);

    n = snprintf(a2f_test_body, sizeof(a2f_test_body),
                 "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
                 "\"response\":{\"clientDataJSON\":\"%s\","
                 "\"authenticatorData\":\"%s\",\"signature\":\"%s\"%s",
                 id, id, a2f_test_b64(v->cdj, v->cdj_len),
                 a2f_test_b64(v->ad, v->ad_len),
                 a2f_test_b64(v->sig, v->sig_len), extra);

    if (n < 0 || (size_t) n >= sizeof(a2f_test_body)) {
        abort();
    }

    *len = (size_t) n;

    return a2f_test_body;
}


static void
a2f_test_assert_parse(void)
{
    size_t              i, len;
    char                extra[256], body[4096];
    const char         *json;
    a2f_wa_expect_t     e;
    a2f_wa_assertion_t  a;
    const wv_assert_t  *v;
    const wv_reg_t     *r;

    static const struct {
        const char  *extra;
        int          rc;
        int          appid;
    } cases[] = {
        { "}}", A2F_OK, 0 },
        { ",\"userHandle\":null},\"clientExtensionResults\":{}}", A2F_OK, 0 },
        { ",\"userHandle\":\"\"},\"clientExtensionResults\":"
          "{\"appid\":false}}", A2F_OK, 0 },
        { "},\"clientExtensionResults\":{\"appid\":true,\"x\":1},"
          "\"authenticatorAttachment\":\"platform\"}", A2F_OK, 1 },
        { "},\"clientExtensionResults\":{\"appid\":\"true\"}}",
          A2F_ERR_INVALID, 0 },
        { "},\"clientExtensionResults\":[]}", A2F_ERR_INVALID, 0 },
        { "},\"clientExtensionResults\":{\"appid\":true,\"appid\":true}}",
          A2F_ERR_INVALID, 0 },
        { ",\"signature\":\"AAAA\"}}", A2F_ERR_INVALID, 0 },
        { ",\"userHandle\":7}}", A2F_ERR_INVALID, 0 },
        { ",\"userHandle\":\"A\"}}", A2F_ERR_INVALID, 0 },
        { ",\"userHandle\":\"AAAA=\"}}", A2F_ERR_INVALID, 0 },
        { "}", A2F_ERR_INVALID, 0 },
        { "}}}", A2F_ERR_INVALID, 0 }
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        v = &wv_asserts[0];
        json = a2f_test_assert_json(v, cases[i].extra, &len);
        a2f_test_why[0] = '\0';
        CHECK_WA(a2f_wa_assertion_parse(json, len, &a, a2f_test_why,
                                        sizeof(a2f_test_why)),
                 cases[i].rc);

        if (cases[i].rc == A2F_OK) {
            CHECK(a.appid == cases[i].appid);
            CHECK(a.user_handle_len == 0);
        }
    }

    /* each vector through JSON, then verified */

    a2f_test_expect(&e, 0);

    for (i = 0; i < sizeof(wv_asserts) / sizeof(wv_asserts[0]); i++) {
        v = &wv_asserts[i];
        r = a2f_test_reg_find(v->reg);

        if (v->uh != NULL) {
            snprintf(extra, sizeof(extra), ",\"userHandle\":\"%s\"}%s}",
                     a2f_test_b64(v->uh, v->uh_len),
                     v->appid ? ",\"clientExtensionResults\":{\"appid\":true}"
                              : "");

        } else {
            snprintf(extra, sizeof(extra), "}%s}",
                     v->appid ? ",\"clientExtensionResults\":{\"appid\":true}"
                              : "");
        }

        json = a2f_test_assert_json(v, extra, &len);
        CHECK_WA(a2f_wa_assertion_parse(json, len, &a, a2f_test_why,
                                        sizeof(a2f_test_why)), A2F_OK);
        CHECK(a.cred_id_len == r->id_len
              && memcmp(a.cred_id, r->id, r->id_len) == 0);
        CHECK(a.user_handle_len == v->uh_len
              && (v->uh_len == 0
                  || memcmp(a.user_handle, v->uh, v->uh_len) == 0));
        CHECK(a.appid == v->appid);
        CHECK_WA(a2f_test_verify(&e, &a, v, 0, NULL),
                 (v->flags & A2F_WA_FLAG_UP) ? A2F_OK : A2F_ERR_AUTH);

        /* every truncation of the body */

        if (i == 0) {
            size_t  n, bad;

            bad = 0;

            for (n = 0; n < len && n < sizeof(body); n++) {
                memcpy(body, json, n);
                bad += (a2f_wa_assertion_parse(body, n, &a, a2f_test_why,
                                               sizeof(a2f_test_why))
                        != A2F_ERR_INVALID);
            }

            CHECK(bad == 0);
        }
    }

    /* over the limits */

    {
        uint8_t  big[A2F_WA_SIG_MAX + 1];

        memset(big, 1, sizeof(big));
        v = &wv_asserts[0];
        r = a2f_test_reg_find(v->reg);
        snprintf(extra, sizeof(extra), "%s", a2f_test_b64(r->id, r->id_len));
        snprintf(a2f_test_body, sizeof(a2f_test_body),
                 "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
                 "\"response\":{\"clientDataJSON\":\"%s\","
                 "\"authenticatorData\":\"%s\",\"signature\":\"%s\"}}",
                 extra, extra, a2f_test_b64(v->cdj, v->cdj_len),
                 a2f_test_b64(v->ad, v->ad_len),
                 a2f_test_b64(big, sizeof(big)));
        CHECK_WA(a2f_wa_assertion_parse(a2f_test_body, strlen(a2f_test_body),
                                        &a, a2f_test_why,
                                        sizeof(a2f_test_why)),
                 A2F_ERR_INVALID);
        CHECK_STR(a2f_test_why, "response.signature: too long");
    }

    CHECK_WA(a2f_wa_assertion_parse("{}", A2F_WA_BODY_MAX + 1, &a,
                                    a2f_test_why, sizeof(a2f_test_why)),
             A2F_ERR_INVALID);
}


/* an assertion with extension data (hmac-secret output) in authData */

static void
a2f_test_assert_misc(void)
{
    uint8_t             cose[A2F_COSE_ES256_LEN];
    a2f_wa_expect_t     e;
    a2f_wa_assertion_t  a;
    const wv_reg_t     *r;
    const wv_assert_t  *v;

    a2f_test_expect(&e, 0);

    v = &wv_asserts[5];             /* as_ext */
    CHECK(v->flags & A2F_WA_FLAG_ED);
    a2f_test_assertion(v, &a);
    CHECK_WA(a2f_test_verify(&e, &a, v, 0, NULL), A2F_OK);

    /* the key of another credential */

    r = a2f_test_reg_find("reg_none");
    a2f_test_why[0] = '\0';
    CHECK_WA(a2f_wa_assertion_verify(&e, &a, A2F_COSE_ES256, r->cose,
                                     r->cose_len, 0, NULL, a2f_test_why,
                                     sizeof(a2f_test_why)), A2F_ERR_AUTH);

    /* a stored key that does not parse */

    memcpy(cose, r->cose, sizeof(cose));
    cose[sizeof(cose) - 1] ^= 1;
    CHECK_WA(a2f_wa_assertion_verify(&e, &a, A2F_COSE_ES256, cose,
                                     sizeof(cose), 0, NULL, a2f_test_why,
                                     sizeof(a2f_test_why)), A2F_ERR_INVALID);
    CHECK_WA(a2f_wa_assertion_verify(&e, &a, A2F_COSE_ES256, cose, 0, 0,
                                     NULL, a2f_test_why,
                                     sizeof(a2f_test_why)), A2F_ERR_INVALID);

    /* an assertion carrying attested credential data */

    a2f_test_assertion(&wv_asserts[0], &a);
    a.auth_data[32] |= A2F_WA_FLAG_AT;
    CHECK_WA(a2f_test_verify(&e, &a, &wv_asserts[0], 0, NULL),
             A2F_ERR_INVALID);

    CHECK_WA(a2f_wa_assertion_verify(&e, NULL, A2F_COSE_ES256, r->cose,
                                     r->cose_len, 0, NULL, a2f_test_why,
                                     sizeof(a2f_test_why)), A2F_ERR_INVALID);
}


/* -- COSE, CBOR, U2F ---------------------------------------------------- */


static void
a2f_test_cose(void)
{
    size_t           i, n, used;
    uint8_t          buf[600];
    cbor_item_t     *item;
    a2f_cose_key_t   key;
    const wv_reg_t  *v;

    for (i = 0; i < sizeof(wv_regs) / sizeof(wv_regs[0]); i++) {
        v = &wv_regs[i];

        CHECK_WA(a2f_cose_parse(v->cose, v->cose_len, NULL, &key,
                                a2f_test_why, sizeof(a2f_test_why)), A2F_OK);
        CHECK(key.alg == v->alg && key.pk != NULL);
        a2f_cose_free(&key);
        CHECK(key.pk == NULL);

        /* every truncation, and a trailing byte */

        for (n = 0; n < v->cose_len; n++) {
            CHECK(a2f_cose_parse(v->cose, n, NULL, &key, NULL, 0)
                  == A2F_ERR_INVALID && key.pk == NULL);
        }

        memcpy(buf, v->cose, v->cose_len);
        buf[v->cose_len] = 0;
        CHECK(a2f_cose_parse(buf, v->cose_len + 1, NULL, &key, NULL, 0)
              == A2F_ERR_INVALID);
        CHECK(a2f_cose_parse(buf, v->cose_len + 1, &used, &key, NULL, 0)
              == A2F_OK && used == v->cose_len);
        a2f_cose_free(&key);
    }

    /* kty 2, alg -7, crv 2 (P-384) */

    v = a2f_test_reg_find("reg_none");
    memcpy(buf, v->cose, v->cose_len);
    CHECK(buf[5] == 0x20 && buf[6] == 0x01);
    buf[6] = 0x02;
    CHECK_WA(a2f_cose_parse(buf, v->cose_len, NULL, &key, a2f_test_why,
                            sizeof(a2f_test_why)), A2F_ERR_INVALID);

    /* kty 1 with alg -7 */

    buf[6] = 0x01;
    buf[2] = 0x01;
    CHECK_WA(a2f_cose_parse(buf, v->cose_len, NULL, &key, a2f_test_why,
                            sizeof(a2f_test_why)), A2F_ERR_INVALID);
    CHECK_STR(a2f_test_why, "COSE key: kty does not match alg");
    buf[2] = 0x02;

    /* alg -35 (ES384) */

    buf[4] = 0x38;
    memmove(buf + 6, buf + 5, v->cose_len - 5);
    buf[5] = 0x22;
    CHECK_WA(a2f_cose_parse(buf, v->cose_len + 1, NULL, &key, a2f_test_why,
                            sizeof(a2f_test_why)), A2F_ERR_INVALID);
    CHECK_STR(a2f_test_why, "COSE key: unsupported algorithm");

    /* labels out of canonical order, and repeated */

    {
        static const uint8_t  swapped[] = { 0xa3, 0x03, 0x27, 0x01, 0x01,
                                            0x20, 0x06 };
        static const uint8_t  twice[] = { 0xa3, 0x01, 0x01, 0x01, 0x01,
                                          0x03, 0x27 };

        CHECK(a2f_cose_parse(swapped, sizeof(swapped), NULL, &key, NULL, 0)
              == A2F_ERR_INVALID);
        CHECK(a2f_cose_parse(twice, sizeof(twice), NULL, &key, NULL, 0)
              == A2F_ERR_INVALID);
    }

    /* the CBOR walk */

    CHECK(a2f_cbor_check((const uint8_t *) "\x83\x01\x02\x03", 4, 1, &used)
          == A2F_OK && used == 4);
    CHECK(a2f_cbor_check((const uint8_t *) "\x83\x01\x02", 3, 1, &used)
          == A2F_ERR_INVALID);
    CHECK(a2f_cbor_check((const uint8_t *) "\x9f\x01\xff", 3, 4, &used)
          == A2F_ERR_INVALID);
    CHECK(a2f_cbor_check((const uint8_t *) "\x5f\x41\x00\xff", 4, 4, &used)
          == A2F_ERR_INVALID);
    CHECK(a2f_cbor_check((const uint8_t *) "\xc1\x01", 2, 4, &used)
          == A2F_ERR_INVALID);
    CHECK(a2f_cbor_check((const uint8_t *) "\x9a\x10\x00\x00\x00\x01", 6, 4,
                         &used) == A2F_ERR_INVALID);
    CHECK(a2f_cbor_check((const uint8_t *) "\xbb\xff\xff\xff\xff\xff\xff"
                         "\xff\xff", 9, 4, &used) == A2F_ERR_INVALID);
    CHECK(a2f_cbor_check((const uint8_t *) "\x62\xc3\xa9", 3, 4, &used)
          == A2F_OK);
    CHECK(a2f_cbor_check((const uint8_t *) "\x62\xc0\xaf", 3, 4, &used)
          == A2F_ERR_INVALID);
    CHECK(a2f_cbor_check((const uint8_t *) "\x63\xed\xa0\x80", 4, 4, &used)
          == A2F_ERR_INVALID);
    CHECK(a2f_cbor_check((const uint8_t *) "\xf9\x3c\x00", 3, 4, &used)
          == A2F_OK);
    CHECK(a2f_cbor_check((const uint8_t *) "\x1c", 1, 4, &used)
          == A2F_ERR_INVALID);
    CHECK(a2f_cbor_check((const uint8_t *) "", 0, 4, &used)
          == A2F_ERR_INVALID);

    /* nesting: 8 levels pass, 9 do not */

    memset(buf, 0x81, 9);
    buf[9] = 0x00;
    CHECK(a2f_cbor_check(buf + 1, 9, A2F_CBOR_DEPTH_MAX, &used) == A2F_OK
          && used == 9);
    CHECK(a2f_cbor_check(buf, 10, A2F_CBOR_DEPTH_MAX, &used)
          == A2F_ERR_INVALID);
    CHECK(a2f_cbor_check(buf + 1, 9, 7, &used) == A2F_ERR_INVALID);

    CHECK(a2f_cbor_load(buf + 1, 9, A2F_CBOR_DEPTH_MAX, &item, NULL)
          == A2F_OK && item != NULL);
    cbor_decref(&item);
    CHECK(a2f_cbor_load(buf + 1, 10, A2F_CBOR_DEPTH_MAX, &item, NULL)
          == A2F_ERR_INVALID && item == NULL);
}


static void
a2f_test_u2f(void)
{
    size_t              n;
    uint8_t             cose[80], point[65];
    a2f_wa_expect_t     e;
    a2f_wa_assertion_t  a;
    const wv_reg_t     *r;

    r = a2f_test_reg_find("reg_u2f");

    CHECK_RC(a2f_wa_cose_from_u2f(wv_u2f_point, 65, cose, sizeof(cose), &n),
             A2F_OK);
    CHECK(n == A2F_COSE_ES256_LEN && n == r->cose_len
          && memcmp(cose, r->cose, n) == 0);

    /* an imported key verifies the appid assertion */

    a2f_test_expect(&e, 0);
    a2f_test_assertion(&wv_asserts[3], &a);
    a2f_test_why[0] = '\0';
    CHECK_WA(a2f_wa_assertion_verify(&e, &a, A2F_COSE_ES256, cose, n, 41,
                                     NULL, a2f_test_why,
                                     sizeof(a2f_test_why)), A2F_OK);

    CHECK_RC(a2f_wa_cose_from_u2f(wv_u2f_point, 65, cose, 76, &n),
             A2F_ERR_TOOBIG);
    CHECK_RC(a2f_wa_cose_from_u2f(wv_u2f_point, 64, cose, sizeof(cose), &n),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_wa_cose_from_u2f(NULL, 65, cose, sizeof(cose), &n),
             A2F_ERR_INVALID);

    memcpy(point, wv_u2f_point, 65);
    point[0] = 0x02;
    CHECK_RC(a2f_wa_cose_from_u2f(point, 65, cose, sizeof(cose), &n),
             A2F_ERR_INVALID);
    point[0] = 0x04;
    point[64] ^= 1;
    CHECK_RC(a2f_wa_cose_from_u2f(point, 65, cose, sizeof(cose), &n),
             A2F_ERR_INVALID);
}


/* -- options ------------------------------------------------------------- */


static int
a2f_test_json_b64(json_t *v, const uint8_t *want, size_t wantlen)
{
    size_t   n;
    uint8_t  buf[A2F_SECKEY_ID_MAX];

    return json_is_string(v)
           && a2f_b64url_decode(json_string_value(v), json_string_length(v),
                                buf, sizeof(buf), &n) == A2F_OK
           && n == wantlen && memcmp(buf, want, n) == 0;
}


static void
a2f_test_options(void)
{
    char          *s;
    json_t        *root, *v, *p;
    a2f_seckey_t   keys[2];
    json_error_t   err;
    const uint8_t  uh[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
                              15, 16 };

    memset(keys, 0, sizeof(keys));
    memcpy(keys[0].cred_id, wv_regs[0].id, wv_regs[0].id_len);
    keys[0].cred_id_len = wv_regs[0].id_len;
    keys[0].transports = A2F_SECKEY_T_USB | A2F_SECKEY_T_HYBRID;
    memset(keys[1].cred_id, 0xee, A2F_SECKEY_ID_MAX);
    keys[1].cred_id_len = A2F_SECKEY_ID_MAX;

    s = a2f_wa_creation_options(WV_RP_ID, "Example </script>", "alice",
                                5, uh, sizeof(uh), wv_reg_challenge, 32,
                                keys, 2, 60000, 0);
    CHECK(s != NULL);
    CHECK(s != NULL && strstr(s, "<\\/script>") != NULL
          && strstr(s, "</") == NULL && strchr(s, '\n') == NULL);

    root = s ? json_loads(s, JSON_REJECT_DUPLICATES, &err) : NULL;
    CHECK(root != NULL);

    if (root != NULL) {
        CHECK_STR(json_string_value(json_object_get(
                      json_object_get(root, "rp"), "id")), WV_RP_ID);
        CHECK_STR(json_string_value(json_object_get(
                      json_object_get(root, "rp"), "name")),
                  "Example </script>");
        v = json_object_get(root, "user");
        CHECK(a2f_test_json_b64(json_object_get(v, "id"), uh, sizeof(uh)));
        CHECK_STR(json_string_value(json_object_get(v, "name")), "alice");
        CHECK_STR(json_string_value(json_object_get(v, "displayName")),
                  "alice");
        CHECK(a2f_test_json_b64(json_object_get(root, "challenge"),
                                wv_reg_challenge, 32));
        v = json_object_get(root, "pubKeyCredParams");
        CHECK(json_array_size(v) == 3);
        p = json_array_get(v, 0);
        CHECK(json_integer_value(json_object_get(p, "alg")) == -7);
        CHECK_STR(json_string_value(json_object_get(p, "type")),
                  "public-key");
        CHECK(json_integer_value(json_object_get(json_array_get(v, 1),
                                                 "alg")) == -8);
        CHECK(json_integer_value(json_object_get(json_array_get(v, 2),
                                                 "alg")) == -257);
        CHECK(json_integer_value(json_object_get(root, "timeout")) == 60000);
        v = json_object_get(root, "excludeCredentials");
        CHECK(json_array_size(v) == 2);
        CHECK(a2f_test_json_b64(json_object_get(json_array_get(v, 0), "id"),
                                wv_regs[0].id, wv_regs[0].id_len));
        CHECK(a2f_test_json_b64(json_object_get(json_array_get(v, 1), "id"),
                                keys[1].cred_id, A2F_SECKEY_ID_MAX));
        CHECK_STR(json_string_value(json_object_get(json_array_get(v, 1),
                                                    "type")), "public-key");
        v = json_object_get(root, "authenticatorSelection");
        CHECK_STR(json_string_value(json_object_get(v, "userVerification")),
                  "discouraged");
        CHECK_STR(json_string_value(json_object_get(v, "residentKey")),
                  "discouraged");
        CHECK(json_is_false(json_object_get(v, "requireResidentKey")));
        CHECK_STR(json_string_value(json_object_get(root, "attestation")),
                  "none");
        json_decref(root);
    }

    free(s);

    /* UV required, no timeout, no keys, rp name defaulted, UTF-8 name */

    s = a2f_wa_creation_options(WV_RP_ID, NULL, "j\xc3\xb6rg", 5, uh, 1,
                                wv_reg_challenge, 16, NULL, 0, 0,
                                A2F_WA_OPT_UV);
    root = s ? json_loads(s, 0, &err) : NULL;
    CHECK(root != NULL);

    if (root != NULL) {
        CHECK_STR(json_string_value(json_object_get(
                      json_object_get(root, "rp"), "name")), WV_RP_ID);
        CHECK_STR(json_string_value(json_object_get(
                      json_object_get(root, "user"), "name")), "j\xc3\xb6rg");
        CHECK(json_object_get(root, "timeout") == NULL);
        CHECK(json_array_size(json_object_get(root, "excludeCredentials"))
              == 0);
        CHECK_STR(json_string_value(json_object_get(
                      json_object_get(root, "authenticatorSelection"),
                      "userVerification")), "required");
        json_decref(root);
    }

    free(s);

    /* refused arguments */

    CHECK(a2f_wa_creation_options(WV_RP_ID, NULL, "j\xc3", 2, uh, 16,
                                  wv_reg_challenge, 32, NULL, 0, 0, 0)
          == NULL);
    CHECK(a2f_wa_creation_options(WV_RP_ID, NULL, "alice", 5, uh, 0,
                                  wv_reg_challenge, 32, NULL, 0, 0, 0)
          == NULL);
    CHECK(a2f_wa_creation_options(WV_RP_ID, NULL, "alice", 5, wv_reg_challenge,
                                  A2F_WA_USER_HANDLE_MAX + 1,
                                  wv_reg_challenge, 32, NULL, 0, 0, 0)
          == NULL);
    CHECK(a2f_wa_creation_options(WV_RP_ID, NULL, "alice", 5, uh, 16,
                                  wv_reg_challenge, 0, NULL, 0, 0, 0)
          == NULL);
    CHECK(a2f_wa_creation_options("", NULL, "alice", 5, uh, 16,
                                  wv_reg_challenge, 32, NULL, 0, 0, 0)
          == NULL);
    CHECK(a2f_wa_creation_options(WV_RP_ID, NULL, "alice", 5, uh, 16,
                                  wv_reg_challenge, 32, NULL, 1, 0, 0)
          == NULL);
    keys[1].cred_id_len = 0;
    CHECK(a2f_wa_creation_options(WV_RP_ID, NULL, "alice", 5, uh, 16,
                                  wv_reg_challenge, 32, keys, 2, 0, 0)
          == NULL);
    keys[1].cred_id_len = A2F_SECKEY_ID_MAX;

    /* request options */

    s = a2f_wa_request_options(WV_RP_ID, wv_auth_challenge, 32, keys, 2,
                               WV_APPID, 30000, 0);
    root = s ? json_loads(s, JSON_REJECT_DUPLICATES, &err) : NULL;
    CHECK(root != NULL);

    if (root != NULL) {
        CHECK_STR(json_string_value(json_object_get(root, "rpId")),
                  WV_RP_ID);
        CHECK(a2f_test_json_b64(json_object_get(root, "challenge"),
                                wv_auth_challenge, 32));
        CHECK(json_integer_value(json_object_get(root, "timeout")) == 30000);
        v = json_object_get(root, "allowCredentials");
        CHECK(json_array_size(v) == 2);
        CHECK(a2f_test_json_b64(json_object_get(json_array_get(v, 0), "id"),
                                wv_regs[0].id, wv_regs[0].id_len));
        CHECK_STR(json_string_value(json_object_get(json_array_get(v, 0),
                                                    "type")), "public-key");
        p = json_object_get(json_array_get(v, 0), "transports");
        CHECK(json_array_size(p) == 2);
        CHECK_STR(json_string_value(json_array_get(p, 0)), "usb");
        CHECK_STR(json_string_value(json_array_get(p, 1)), "hybrid");
        CHECK(json_object_get(json_array_get(v, 1), "transports") == NULL);
        CHECK_STR(json_string_value(json_object_get(
                      json_object_get(root, "extensions"), "appid")),
                  WV_APPID);
        CHECK_STR(json_string_value(json_object_get(root,
                                                    "userVerification")),
                  "discouraged");
        json_decref(root);
    }

    free(s);

    s = a2f_wa_request_options(WV_RP_ID, wv_auth_challenge, 32, NULL, 0,
                               NULL, 0, A2F_WA_OPT_UV);
    root = s ? json_loads(s, 0, &err) : NULL;
    CHECK(root != NULL);

    if (root != NULL) {
        CHECK(json_object_get(root, "extensions") == NULL);
        CHECK(json_object_get(root, "timeout") == NULL);
        CHECK(json_array_size(json_object_get(root, "allowCredentials"))
              == 0);
        CHECK_STR(json_string_value(json_object_get(root,
                                                    "userVerification")),
                  "required");
        json_decref(root);
    }

    free(s);

    CHECK(a2f_wa_request_options(NULL, wv_auth_challenge, 32, NULL, 0,
                                 NULL, 0, 0) == NULL);
    CHECK(a2f_wa_request_options(WV_RP_ID, wv_auth_challenge,
                                 A2F_WA_CHALLENGE_MAX + 1, NULL, 0, NULL, 0,
                                 0) == NULL);
}


/* -- the specification's own test vectors (webauthn_spec_vectors.h) ----- */


/*
 * webauthn_spec_vectors.h holds every registration and authentication
 * pair of section 16 "Test Vectors" of WebAuthn Level 3 (16.2 .. 16.16).
 * What the module must make of each (a2f_test_spec[] below):
 *
 * Accepted, the golden tests: registration gives the credential id,
 * algorithm, COSE key, sign count, AAGUID and flags of the attestation
 * object, and the assertion verifies with the registered key:
 *   16.2  none-es256         "none", ES256
 *   16.3  packed-self-es256  "packed" self attestation, ES256
 *   16.7  packed-es256       "packed" with x5c, ES256
 *   16.11 packed-eddsa       "packed" with x5c (an ES256 attestation key),
 *                            EdDSA (authData 129 bytes, under libfido2
 *                            1.12's 992)
 *   16.16 fido-u2f-es256     "fido-u2f", ES256
 *
 * Refused by design; the assertion is still checked, with the credential
 * key taken from the attestation object:
 *   16.4  none-es256-crossOrigin, 16.5 none-es256-topOrigin: their
 *         clientDataJSON says crossOrigin true (and a topOrigin).  The
 *         specification leaves it to the RP whether it expects to be in
 *         a cross-origin iframe (7.1 and 7.2, the crossOrigin and
 *         topOrigin steps); this module never does (a2f_webauthn.h):
 *         both ceremonies fail A2F_ERR_AUTH before any signature.
 *   16.6  none-es256-long-credential-id: a 1023-byte credential id, the
 *         specification's maximum.  The store keeps A2F_SECKEY_ID_MAX
 *         (255) bytes, so registration and a2f_wa_assertion_parse()
 *         refuse it (A2F_ERR_INVALID); handed to a2f_wa_assertion_verify()
 *         directly, the assertion verifies.
 *   16.13 tpm-es256, 16.14 android-key-es256, 16.15 apple-es256:
 *         attestation formats the module does not accept: registration fails
 *         A2F_ERR_INVALID; the credentials are plain ES256, and their
 *         assertions verify.
 *
 * Skipped, algorithms the module does not take (registration fails
 * A2F_ERR_INVALID at the COSE key; no key to verify an assertion with):
 *   16.8  packed-es384 (ES384), 16.9 packed-es512 (ES512),
 *   16.12 packed-ed448 (Ed448): not -7, -8 or -257;
 *   16.10 packed-rs256: RS256, but a 3482-bit modulus (2^1279-1 times
 *         2^2203-1), and libfido2 1.12 verifies 2048-bit RSA keys only.
 * 16.9's challenges are also 128 bytes, over A2F_WA_CHALLENGE_MAX (the
 * module issues 32): its expectation is refused before the COSE key is
 * reached, and a2f_wa_client_data_parse() refuses its clientDataJSON.
 * So for these four the COSE key is also checked on its own, through
 * a2f_wa_auth_data_parse().
 *
 * Not ceremonies, not in the header: 16.1 the attestation CA certificate
 * (nothing here checks a trust chain) and 16.17 the prf extension values
 * (no extension but appid is used).
 */

typedef struct {
    const char  *name;
    int          reg_rc;          /* a2f_wa_register()                  */
    const char  *reg_why;         /* in its reason, when refused        */
    int          att;             /* A2F_WA_ATT_*, when accepted        */
    int          parse_rc;        /* a2f_wa_assertion_parse()           */
    int          verify_rc;       /* a2f_wa_assertion_verify(); -1: the
                                     key is not usable, not tried       */
} a2f_test_spec_t;


static const a2f_test_spec_t  a2f_test_spec[] = {
    { "none-es256", A2F_OK, NULL, A2F_WA_ATT_NONE, A2F_OK, A2F_OK },
    { "packed-self-es256", A2F_OK, NULL, A2F_WA_ATT_SELF, A2F_OK, A2F_OK },
    { "none-es256-crossOrigin", A2F_ERR_AUTH, "cross-origin", 0, A2F_OK,
      A2F_ERR_AUTH },
    { "none-es256-topOrigin", A2F_ERR_AUTH, "cross-origin", 0, A2F_OK,
      A2F_ERR_AUTH },
    { "none-es256-long-credential-id", A2F_ERR_INVALID, "too long", 0,
      A2F_ERR_INVALID, A2F_OK },
    { "packed-es256", A2F_OK, NULL, A2F_WA_ATT_X5C, A2F_OK, A2F_OK },
    { "packed-es384", A2F_ERR_INVALID, "COSE key", 0, A2F_OK, -1 },
    { "packed-es512", A2F_ERR_INVALID, "expectation incomplete", 0, A2F_OK,
      -1 },
    { "packed-rs256", A2F_ERR_INVALID, "COSE key", 0, A2F_OK, -1 },
    { "packed-eddsa", A2F_OK, NULL, A2F_WA_ATT_X5C, A2F_OK, A2F_OK },
    { "packed-ed448", A2F_ERR_INVALID, "COSE key", 0, A2F_OK, -1 },
    { "tpm-es256", A2F_ERR_INVALID, "unsupported format", 0, A2F_OK,
      A2F_OK },
    { "android-key-es256", A2F_ERR_INVALID, "unsupported format", 0,
      A2F_OK, A2F_OK },
    { "apple-es256", A2F_ERR_INVALID, "unsupported format", 0, A2F_OK,
      A2F_OK },
    { "fido-u2f-es256", A2F_OK, NULL, A2F_WA_ATT_X5C, A2F_OK, A2F_OK },
};


/* what the browser posts: the spec's bytes, base64url, nothing more */

static const char *
a2f_test_spec_reg_json(const wsv_t *v, const uint8_t *cdj,
    const uint8_t *ato, size_t *len)
{
    int          n;
    const char  *id;

    id = a2f_test_b64(v->cred_id, v->cred_id_len);

    n = snprintf(a2f_test_body, sizeof(a2f_test_body),
                 "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
                 "\"response\":{\"clientDataJSON\":\"%s\","
                 "\"attestationObject\":\"%s\"},"
                 "\"clientExtensionResults\":{}}",
                 id, id, a2f_test_b64(cdj, v->reg_cdj_len),
                 a2f_test_b64(ato, v->ato_len));

    if (n < 0 || (size_t) n >= sizeof(a2f_test_body)) {
        abort();
    }

    *len = (size_t) n;

    return a2f_test_body;
}


static const char *
a2f_test_spec_assert_json(const wsv_t *v, size_t *len)
{
    int          n;
    const char  *id;

    id = a2f_test_b64(v->cred_id, v->cred_id_len);

    n = snprintf(a2f_test_body, sizeof(a2f_test_body),
                 "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
                 "\"response\":{\"clientDataJSON\":\"%s\","
                 "\"authenticatorData\":\"%s\",\"signature\":\"%s\","
                 "\"userHandle\":null},\"clientExtensionResults\":{}}",
                 id, id, a2f_test_b64(v->auth_cdj, v->auth_cdj_len),
                 a2f_test_b64(v->ad, v->ad_len),
                 a2f_test_b64(v->sig, v->sig_len));

    if (n < 0 || (size_t) n >= sizeof(a2f_test_body)) {
        abort();
    }

    *len = (size_t) n;

    return a2f_test_body;
}


static void
a2f_test_spec_expect(a2f_wa_expect_t *e, const uint8_t *challenge,
    size_t len)
{
    static const char *const  origins[] = { WSV_ORIGIN };

    memset(e, 0, sizeof(*e));
    e->rp_id = WSV_RP_ID;
    e->origins = origins;
    e->norigins = 1;
    e->challenge = challenge;
    e->challenge_len = len;
}


/*
 * Read the attestation object independently of a2f_wa_register(): its
 * fmt, authData, the credential's COSE_Key and attStmt's sig (into the
 * caller's buffers, NUL-terminated for fmt).
 */

static int
a2f_test_spec_ato(const wsv_t *v, char *fmt, size_t fmtsz, uint8_t *ad,
    size_t *adlen, uint8_t *cose, size_t *coselen, uint8_t *sig,
    size_t *siglen)
{
    int             ok;
    size_t          n, off;
    cbor_item_t    *root, *f, *stmt;
    const uint8_t  *p;

    if (a2f_cbor_load(v->ato, v->ato_len, A2F_CBOR_DEPTH_MAX, &root, NULL)
        != A2F_OK)
    {
        return 0;
    }

    ok = 0;
    *siglen = 0;

    f = a2f_cbor_map_str(root, "fmt");
    stmt = a2f_cbor_map_str(root, "attStmt");
    p = a2f_cbor_bytes(a2f_cbor_map_str(root, "authData"), 55,
                       A2F_WA_AUTH_DATA_MAX, &n);

    if (f == NULL || !cbor_isa_string(f) || cbor_string_length(f) >= fmtsz
        || stmt == NULL || p == NULL)
    {
        goto done;
    }

    memcpy(fmt, cbor_string_handle(f), cbor_string_length(f));
    fmt[cbor_string_length(f)] = '\0';
    memcpy(ad, p, n);
    *adlen = n;

    /* rpIdHash 32, flags 1, signCount 4, AAGUID 16, L 2, id L, key */

    off = 55 + ((size_t) ad[53] << 8 | ad[54]);

    if (off >= n || a2f_cbor_check(ad + off, n - off, A2F_CBOR_DEPTH_MAX,
                                   coselen) != A2F_OK
        || *coselen > A2F_SECKEY_PUB_MAX)
    {
        goto done;
    }

    memcpy(cose, ad + off, *coselen);

    p = a2f_cbor_bytes(a2f_cbor_map_str(stmt, "sig"), 1, A2F_WA_SIG_MAX,
                       siglen);
    if (p != NULL) {
        memcpy(sig, p, *siglen);

    } else {
        *siglen = 0;
    }

    ok = 1;

done:

    cbor_decref(&root);

    return ok;
}


/* where needle (nlen > 0 bytes) starts in p, or SIZE_MAX */

static size_t
a2f_test_spec_find(const uint8_t *p, size_t len, const void *needle,
    size_t nlen)
{
    size_t  i;

    for (i = 0; i + nlen <= len; i++) {
        if (memcmp(p + i, needle, nlen) == 0) {
            return i;
        }
    }

    return SIZE_MAX;
}


/* the last letter of the member name "crossOrigin" in a clientDataJSON */

static size_t
a2f_test_spec_key(const uint8_t *cdj, size_t len)
{
    size_t  off;

    off = a2f_test_spec_find(cdj, len, "\"crossOrigin\"", 13);

    return off == SIZE_MAX ? SIZE_MAX : off + 11;
}


/* authenticatorData's signCount */

static uint32_t
a2f_test_spec_u32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16
           | (uint32_t) p[2] << 8 | p[3];
}


static int
a2f_test_spec_verify(const a2f_wa_expect_t *e, const a2f_wa_assertion_t *a,
    const wsv_t *v, const uint8_t *cose, size_t coselen, uint32_t count)
{
    a2f_test_why[0] = '\0';

    return a2f_wa_assertion_verify(e, a, v->alg, cose, coselen, count, NULL,
                                   a2f_test_why, sizeof(a2f_test_why));
}


static void
a2f_test_spec_vectors(void)
{
    int                     rc;
    char                    fmt[A2F_WA_FMT_MAX + 1];
    size_t                  i, k, n, len, adlen, coselen, siglen, off;
    uint8_t                 ad[A2F_WA_AUTH_DATA_MAX], cose[A2F_SECKEY_PUB_MAX];
    uint8_t                 sig[A2F_WA_SIG_MAX], cdj[A2F_WA_CLIENT_DATA_MAX];
    uint8_t                 ato[A2F_WA_ATT_OBJ_MAX];
    uint32_t                count, newc;
    unsigned                bad, golden;
    const char             *json;
    a2f_wa_cred_t           cred;
    a2f_wa_expect_t         e;
    a2f_wa_assertion_t      a, t;
    a2f_wa_auth_data_t      pad;
    a2f_wa_client_data_t    cd;
    const wsv_t            *v;
    const a2f_test_spec_t  *s;

    CHECK(sizeof(wsv_vectors) / sizeof(wsv_vectors[0])
          == sizeof(a2f_test_spec) / sizeof(a2f_test_spec[0]));

    golden = 0;

    for (i = 0; i < sizeof(wsv_vectors) / sizeof(wsv_vectors[0]); i++) {
        v = &wsv_vectors[i];

        for (k = 0; k < sizeof(a2f_test_spec) / sizeof(a2f_test_spec[0]);
             k++)
        {
            if (strcmp(a2f_test_spec[k].name, v->name) == 0) {
                break;
            }
        }

        if (k == sizeof(a2f_test_spec) / sizeof(a2f_test_spec[0])) {
            a2f_test_failed++;
            fprintf(stderr, "%s: spec vector %s %s: no expectation\n",
                    __FILE__, v->section, v->name);
            continue;
        }

        s = &a2f_test_spec[k];

        if (!a2f_test_spec_ato(v, fmt, sizeof(fmt), ad, &adlen, cose,
                               &coselen, sig, &siglen)
            || v->reg_cdj_len > sizeof(cdj) || v->ato_len > sizeof(ato))
        {
            a2f_test_failed++;
            fprintf(stderr, "%s: spec vector %s: unreadable\n", __FILE__,
                    v->name);
            continue;
        }

        CHECK_STR(fmt, v->fmt);

        if (s->verify_rc == -1) {
            CHECK_WA(a2f_wa_auth_data_parse(ad, adlen, 1, &pad, a2f_test_why,
                                            sizeof(a2f_test_why)),
                     A2F_ERR_INVALID);
            CHECK(strstr(a2f_test_why, "COSE key") != NULL);
        }

        count = a2f_test_spec_u32(ad + 33);

        /* registration */

        a2f_test_spec_expect(&e, v->reg_challenge, v->reg_challenge_len);
        json = a2f_test_spec_reg_json(v, v->reg_cdj, v->ato, &len);
        a2f_test_why[0] = '\0';
        rc = a2f_wa_register(&e, json, len, &cred, a2f_test_why,
                             sizeof(a2f_test_why));

        if (rc != s->reg_rc
            || (s->reg_why != NULL && strstr(a2f_test_why, s->reg_why)
                                      == NULL))
        {
            a2f_test_failed++;
            fprintf(stderr, "%s: spec vector %s %s: registration returned "
                    "%d (\"%s\"), want %d\n", __FILE__, v->section, v->name,
                    rc, a2f_test_why, s->reg_rc);

        } else {
            a2f_test_passed++;
        }

        if (rc == A2F_OK && s->reg_rc == A2F_OK) {
            golden++;
            CHECK(cred.cred_id_len == v->cred_id_len
                  && memcmp(cred.cred_id, v->cred_id, v->cred_id_len) == 0);
            CHECK(cred.alg == v->alg);
            CHECK(cred.pubkey_len == coselen
                  && memcmp(cred.pubkey, cose, coselen) == 0);
            CHECK(cred.sign_count == count);
            CHECK(memcmp(cred.aaguid, v->aaguid, 16) == 0);
            CHECK_STR(cred.fmt, v->fmt);
            CHECK(cred.attestation == s->att);
            CHECK(cred.flags == ad[32]);
            CHECK(cred.transports == 0);

            /* the assertion below is verified with this key */

            memcpy(cose, cred.pubkey, cred.pubkey_len);
            coselen = cred.pubkey_len;

            /*
             * The attestation signature covers clientDataJSON: rename
             * its "crossOrigin" member (still valid JSON, the member now
             * ignored): for "none" nothing is signed, so that passes;
             * else the signature fails.
             */

            off = a2f_test_spec_key(v->reg_cdj, v->reg_cdj_len);
            CHECK(off != SIZE_MAX);
            memcpy(cdj, v->reg_cdj, v->reg_cdj_len);
            cdj[off == SIZE_MAX ? 0 : off] ^= 0x01;
            json = a2f_test_spec_reg_json(v, cdj, v->ato, &len);
            CHECK_WA(a2f_wa_register(&e, json, len, &cred, a2f_test_why,
                                     sizeof(a2f_test_why)),
                     s->att == A2F_WA_ATT_NONE ? A2F_OK : A2F_ERR_AUTH);

            if (s->att != A2F_WA_ATT_NONE) {
                CHECK(strstr(a2f_test_why, "signature") != NULL);
            }

            /* a bit of attStmt's sig flipped, where there is one */

            off = siglen ? a2f_test_spec_find(v->ato, v->ato_len, sig, siglen)
                         : SIZE_MAX;
            CHECK((off == SIZE_MAX) == (s->att == A2F_WA_ATT_NONE));

            if (off != SIZE_MAX) {
                memcpy(ato, v->ato, v->ato_len);
                ato[off + siglen - 1] ^= 0x01;
                json = a2f_test_spec_reg_json(v, v->reg_cdj, ato, &len);
                CHECK_WA(a2f_wa_register(&e, json, len, &cred, a2f_test_why,
                                         sizeof(a2f_test_why)),
                         A2F_ERR_AUTH);
                CHECK(strstr(a2f_test_why, "signature") != NULL);
            }
        }

        /* the assertion */

        json = a2f_test_spec_assert_json(v, &len);
        a2f_test_why[0] = '\0';
        CHECK_WA(a2f_wa_assertion_parse(json, len, &a, a2f_test_why,
                                        sizeof(a2f_test_why)), s->parse_rc);

        if (s->parse_rc == A2F_OK) {
            CHECK(a.cred_id_len == v->cred_id_len
                  && memcmp(a.cred_id, v->cred_id, v->cred_id_len) == 0);
            CHECK(a.client_data_len == v->auth_cdj_len
                  && a.auth_data_len == v->ad_len && a.sig_len == v->sig_len
                  && a.user_handle_len == 0 && a.appid == 0);

        } else {
            /* too long for the store: the same fields, by hand */
            memset(&a, 0, sizeof(a));
            memcpy(a.client_data, v->auth_cdj, v->auth_cdj_len);
            a.client_data_len = v->auth_cdj_len;
            memcpy(a.auth_data, v->ad, v->ad_len);
            a.auth_data_len = v->ad_len;
            memcpy(a.sig, v->sig, v->sig_len);
            a.sig_len = v->sig_len;
        }

        /* 16.9's challenges, 128 bytes, are over A2F_WA_CHALLENGE_MAX */

        if (v->auth_challenge_len > A2F_WA_CHALLENGE_MAX) {
            CHECK_WA(a2f_wa_client_data_parse(v->auth_cdj, v->auth_cdj_len,
                                              &cd, a2f_test_why,
                                              sizeof(a2f_test_why)),
                     A2F_ERR_INVALID);
            CHECK(s->verify_rc == -1);
            continue;
        }

        CHECK_WA(a2f_wa_client_data_parse(v->auth_cdj, v->auth_cdj_len, &cd,
                                          a2f_test_why,
                                          sizeof(a2f_test_why)), A2F_OK);
        /* only 16.4 and 16.5 are refused, for being cross-origin */

        CHECK(cd.type == A2F_WA_TYPE_GET
              && cd.challenge_len == v->auth_challenge_len
              && memcmp(cd.challenge, v->auth_challenge, cd.challenge_len)
                 == 0
              && strcmp(cd.origin, WSV_ORIGIN) == 0
              && cd.cross_origin == (s->reg_rc == A2F_ERR_AUTH));

        if (s->verify_rc == -1) {
            continue;
        }

        /* with the registered key when there is one, else the example's */

        a2f_test_spec_expect(&e, v->auth_challenge, v->auth_challenge_len);
        newc = 0xffffffff;
        a2f_test_why[0] = '\0';
        rc = a2f_wa_assertion_verify(&e, &a, v->alg, cose, coselen, count,
                                     &newc, a2f_test_why,
                                     sizeof(a2f_test_why));

        if (rc != s->verify_rc) {
            a2f_test_failed++;
            fprintf(stderr, "%s: spec vector %s %s: assertion returned %d "
                    "(\"%s\"), want %d\n", __FILE__, v->section, v->name, rc,
                    a2f_test_why, s->verify_rc);
            continue;
        }

        a2f_test_passed++;

        if (rc != A2F_OK) {
            CHECK(strstr(a2f_test_why, "cross-origin") != NULL);
            continue;
        }

        CHECK(newc == a2f_test_spec_u32(v->ad + 33));

        /* the registration's challenge is not this one */

        a2f_test_spec_expect(&e, v->reg_challenge, v->reg_challenge_len);
        CHECK_WA(a2f_test_spec_verify(&e, &a, v, cose, coselen, count),
                 A2F_ERR_AUTH);
        a2f_test_spec_expect(&e, v->auth_challenge, v->auth_challenge_len);

        /* the member "crossOrigin" renamed: only the signature notices */

        off = a2f_test_spec_key(v->auth_cdj, v->auth_cdj_len);
        CHECK(off != SIZE_MAX);
        t = a;
        t.client_data[off == SIZE_MAX ? 0 : off] ^= 0x01;
        CHECK_WA(a2f_test_spec_verify(&e, &t, v, cose, coselen, count),
                 A2F_ERR_AUTH);
        CHECK(strstr(a2f_test_why, "signature") != NULL);

        /* every byte of the signature and clientDataJSON flipped */

        bad = 0;

        for (n = 0; n < a.sig_len; n++) {
            t = a;
            t.sig[n] ^= 0x01;
            rc = a2f_test_spec_verify(&e, &t, v, cose, coselen, count);
            bad += (rc != A2F_ERR_AUTH
                    || strstr(a2f_test_why, "signature") == NULL);
        }

        for (n = 0; n < a.client_data_len; n++) {
            t = a;
            t.client_data[n] ^= 0x01;
            rc = a2f_test_spec_verify(&e, &t, v, cose, coselen, count);
            bad += (rc == A2F_OK || a2f_test_why[0] == '\0');
        }

        CHECK(bad == 0);

        if (bad) {
            fprintf(stderr, "%s: spec vector %s: %u tampered assertions "
                    "not refused\n", __FILE__, v->name, bad);
        }
    }

    /* 16.2, 16.3, 16.7, 16.11, 16.16 */
    CHECK(golden == 5);
}


int
main(int argc, char **argv)
{
    a2f_test_reg_good();
    a2f_test_reg_expect();
    a2f_test_reg_tamper();
    a2f_test_reg_truncate();
    a2f_test_reg_json_bad();
    a2f_test_reg_client_data();
    a2f_test_reg_bad();
    a2f_test_reg_cbor();
    a2f_test_assert_good();
    a2f_test_assert_counter();
    a2f_test_assert_appid();
    a2f_test_assert_tamper();
    a2f_test_assert_parse();
    a2f_test_assert_misc();
    a2f_test_cose();
    a2f_test_u2f();
    a2f_test_options();
    a2f_test_spec_vectors();

    return a2f_test_done(argv[0]);
}
