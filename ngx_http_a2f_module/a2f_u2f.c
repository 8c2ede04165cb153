
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_u2f.c: raw FIDO U2F registration and authentication responses
 * (jansson for clientData, OpenSSL for the attestation certificate and
 * the registration signature, libfido2 through a2f_webauthn.c for the
 * authentication signature).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <jansson.h>

#include "a2f_crypto.h"
#include "a2f_cose.h"
#include "a2f_store.h"
#include "a2f_webauthn.h"
#include "a2f_u2f.h"


_Static_assert(A2F_U2F_COSE_LEN == A2F_COSE_ES256_LEN,
               "a2f_u2f_reg_t.cose holds a2f_wa_cose_from_u2f()");
_Static_assert(A2F_U2F_KEY_HANDLE_MAX <= A2F_SECKEY_ID_MAX,
               "a key handle is a credential id");
_Static_assert(A2F_U2F_SIG_MAX <= A2F_WA_SIG_MAX,
               "a2f_wa_signature_verify() takes the signature");


/* the websafe base64 text of n bytes, padded */
#define A2F_U2F_B64_LEN(n)    (((size_t) (n) + 2) / 3 * 4)

/* clientData typ */
#define A2F_U2F_TYP_OTHER     0
#define A2F_U2F_TYP_REG       1
#define A2F_U2F_TYP_GET       2

/* presence bits that a WebAuthn authenticatorData parser would misread */
#define A2F_U2F_FLAGS_WA      (A2F_WA_FLAG_AT | A2F_WA_FLAG_ED)


/* what the caller expects: from app_id and the challenge */
typedef struct {
    char            origin[A2F_U2F_ORIGIN_MAX + 1];
    size_t          origin_len;
    uint8_t         app_hash[32];         /* SHA-256(app_id)            */
    const uint8_t  *challenge;
    size_t          challenge_len;
} a2f_u2f_expect_t;


/* the members of a clientData that matter */
typedef struct {
    int             typ;                  /* A2F_U2F_TYP_*              */
    uint8_t         challenge[A2F_U2F_CHALLENGE_MAX];
    size_t          challenge_len;
    char            origin[A2F_U2F_ORIGIN_MAX + 1];
    size_t          origin_len;
} a2f_u2f_cd_t;


/* a registration's decoded messages */
typedef struct {
    uint8_t         cd[A2F_U2F_CLIENT_DATA_MAX];
    size_t          cd_len;
    uint8_t         rd[A2F_U2F_REG_DATA_MAX];
    size_t          rd_len;
    a2f_u2f_cd_t    c;
    a2f_u2f_expect_t  x;
    uint8_t         msg[1 + 32 + 32 + A2F_U2F_KEY_HANDLE_MAX
                        + A2F_U2F_POINT_LEN];
} a2f_u2f_reg_work_t;


/* registrationData, parsed: pointers into it */
typedef struct {
    const uint8_t  *point;
    const uint8_t  *kh;
    size_t          kh_len;
    const uint8_t  *cert;
    size_t          cert_len;
    const uint8_t  *sig;
    size_t          sig_len;
} a2f_u2f_rd_t;


static int a2f_u2f_sha256(const void *p, size_t len, uint8_t out[32]);
static int a2f_u2f_lower(int c);
static int a2f_u2f_expect(const char *app_id, const uint8_t *challenge,
    size_t challenge_len, a2f_u2f_expect_t *x, char *why, size_t whysz);
static int a2f_u2f_decode(const char *what, const char *in, size_t len,
    uint8_t *out, size_t outsz, size_t *outlen, char *why, size_t whysz);
static int a2f_u2f_cd_parse(const uint8_t *cd, size_t len, a2f_u2f_cd_t *c,
    char *why, size_t whysz);
static int a2f_u2f_cd_check(const a2f_u2f_cd_t *c, int typ,
    const a2f_u2f_expect_t *x, char *why, size_t whysz);
static int a2f_u2f_sig_framed(const uint8_t *sig, size_t len);
static int a2f_u2f_der_len(const uint8_t *p, size_t avail, size_t *total);
static int a2f_u2f_rd_parse(const uint8_t *p, size_t len, a2f_u2f_rd_t *r,
    a2f_u2f_reg_t *out, X509 **cert, char *why, size_t whysz);
static int a2f_u2f_cert_key(X509 *cert);


static int
a2f_u2f_sha256(const void *p, size_t len, uint8_t out[32])
{
    unsigned int  n;

    if (EVP_Digest(p, len, out, &n, EVP_sha256(), NULL) != 1 || n != 32) {
        ERR_clear_error();
        return A2F_ERR_CRYPTO;
    }

    return A2F_OK;
}


static int
a2f_u2f_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}


/* -- websafe base64, the appId's origin ----------------------------------- */


int
a2f_u2f_b64_decode(const char *in, size_t len, uint8_t *out, size_t outsz,
    size_t *outlen)
{
    int     rc;
    size_t  pad;

    if (outlen == NULL) {
        return A2F_ERR_INVALID;
    }

    *outlen = 0;

    if (in == NULL || out == NULL || len == 0) {
        return A2F_ERR_INVALID;
    }

    /* "=" or "==" only where they complete the last group of 4 */

    pad = 0;

    if (in[len - 1] == '=') {
        pad = (len >= 2 && in[len - 2] == '=') ? 2 : 1;

        if (len % 4 != 0) {
            return A2F_ERR_INVALID;
        }

        len -= pad;
    }

    if (len == 0) {
        return A2F_ERR_INVALID;
    }

    rc = a2f_b64url_decode(in, len, out, outsz, outlen);

    if (rc != A2F_OK || *outlen == 0) {
        *outlen = 0;
        return rc != A2F_OK ? rc : A2F_ERR_INVALID;
    }

    return A2F_OK;
}


int
a2f_u2f_origin(const char *app_id, char *out, size_t outsz)
{
    int             n;
    size_t          len, i, hlen, rest;
    unsigned long   port;
    const char     *auth, *host, *end;
    char            buf[A2F_U2F_ORIGIN_MAX + 1];

    static const char  https[] = "https://";

    if (out != NULL && outsz > 0) {
        out[0] = '\0';
    }

    if (app_id == NULL || out == NULL) {
        return A2F_ERR_INVALID;
    }

    len = strnlen(app_id, A2F_SECKEY_APPID_MAX + 1);

    if (len == 0 || len > A2F_SECKEY_APPID_MAX) {
        return A2F_ERR_INVALID;
    }

    for (i = 0; i < len; i++) {
        if ((unsigned char) app_id[i] < 0x21
            || (unsigned char) app_id[i] > 0x7e)
        {
            return A2F_ERR_INVALID;
        }
    }

    if (len < sizeof(https) - 1) {
        return A2F_ERR_INVALID;
    }

    for (i = 0; i < sizeof(https) - 1; i++) {
        if (a2f_u2f_lower((unsigned char) app_id[i]) != https[i]) {
            return A2F_ERR_INVALID;
        }
    }

    /* the authority: up to the path, query or fragment */

    auth = app_id + sizeof(https) - 1;
    end = auth + strcspn(auth, "/?#");

    if (end == auth || memchr(auth, '@', end - auth) != NULL) {
        return A2F_ERR_INVALID;
    }

    host = auth;

    if (host[0] == '[') {

        /* an IPv6 literal: hex digits, ':' and '.' (IPv4 tail) */

        for (i = 1; host + i < end && host[i] != ']'; i++) {
            if (!((host[i] >= '0' && host[i] <= '9')
                  || (a2f_u2f_lower(host[i]) >= 'a'
                      && a2f_u2f_lower(host[i]) <= 'f')
                  || host[i] == ':' || host[i] == '.'))
            {
                return A2F_ERR_INVALID;
            }
        }

        if (host + i == end || i < 3) {
            return A2F_ERR_INVALID;
        }

        hlen = i + 1;

    } else {
        for (i = 0; host + i < end && host[i] != ':'; i++) {
            if (!((host[i] >= '0' && host[i] <= '9')
                  || (a2f_u2f_lower(host[i]) >= 'a'
                      && a2f_u2f_lower(host[i]) <= 'z')
                  || host[i] == '-' || host[i] == '.'))
            {
                return A2F_ERR_INVALID;
            }
        }

        if (i == 0) {
            return A2F_ERR_INVALID;
        }

        hlen = i;
    }

    /* nothing after the host but ":port", 1..65535 */

    rest = (size_t) (end - host) - hlen;
    port = 443;

    if (rest > 0) {
        if (host[hlen] != ':' || rest < 2 || rest > 6) {
            return A2F_ERR_INVALID;
        }

        port = 0;

        for (i = hlen + 1; i < hlen + rest; i++) {
            if (host[i] < '0' || host[i] > '9') {
                return A2F_ERR_INVALID;
            }

            port = port * 10 + (unsigned long) (host[i] - '0');
        }

        if (port == 0 || port > 65535) {
            return A2F_ERR_INVALID;
        }
    }

    memcpy(buf, https, sizeof(https) - 1);

    for (i = 0; i < hlen; i++) {
        buf[sizeof(https) - 1 + i] = (char) a2f_u2f_lower(host[i]);
    }

    n = (int) (sizeof(https) - 1 + hlen);

    if (port != 443) {
        n += snprintf(buf + n, sizeof(buf) - n, ":%lu", port);
    } else {
        buf[n] = '\0';
    }

    if ((size_t) n + 1 > outsz) {
        return A2F_ERR_TOOBIG;
    }

    memcpy(out, buf, (size_t) n + 1);

    return A2F_OK;
}


/* -- clientData ----------------------------------------------------------- */


static int
a2f_u2f_expect(const char *app_id, const uint8_t *challenge,
    size_t challenge_len, a2f_u2f_expect_t *x, char *why, size_t whysz)
{
    if (challenge == NULL || challenge_len == 0
        || challenge_len > A2F_U2F_CHALLENGE_MAX)
    {
        a2f_why(why, whysz, "challenge: missing or too long");
        return A2F_ERR_INVALID;
    }

    if (a2f_u2f_origin(app_id, x->origin, sizeof(x->origin)) != A2F_OK) {
        a2f_why(why, whysz, "app_id: not an https URL");
        return A2F_ERR_INVALID;
    }

    x->origin_len = strlen(x->origin);
    x->challenge = challenge;
    x->challenge_len = challenge_len;

    if (a2f_u2f_sha256(app_id, strlen(app_id), x->app_hash) != A2F_OK) {
        a2f_why(why, whysz, "OpenSSL failure");
        return A2F_ERR_CRYPTO;
    }

    return A2F_OK;
}


/* a message's websafe base64: every failure is A2F_ERR_INVALID */

static int
a2f_u2f_decode(const char *what, const char *in, size_t len, uint8_t *out,
    size_t outsz, size_t *outlen, char *why, size_t whysz)
{
    int  rc;

    *outlen = 0;

    if (in == NULL || len == 0) {
        a2f_why(why, whysz, "%s: missing", what);
        return A2F_ERR_INVALID;
    }

    /* refuse what is too long before reading it */

    if (len > A2F_U2F_B64_LEN(outsz)) {
        a2f_why(why, whysz, "%s: too long", what);
        return A2F_ERR_INVALID;
    }

    rc = a2f_u2f_b64_decode(in, len, out, outsz, outlen);

    if (rc == A2F_ERR_TOOBIG) {
        a2f_why(why, whysz, "%s: too long", what);
        return A2F_ERR_INVALID;
    }

    if (rc != A2F_OK) {
        a2f_why(why, whysz, "%s: not websafe base64", what);
        return A2F_ERR_INVALID;
    }

    return A2F_OK;
}


static int
a2f_u2f_cd_parse(const uint8_t *cd, size_t len, a2f_u2f_cd_t *c, char *why,
    size_t whysz)
{
    int            rc;
    size_t         n;
    json_t        *root, *v;
    const char    *s;
    json_error_t   err;

    memset(c, 0, sizeof(*c));

    root = json_loadb((const char *) cd, len, JSON_REJECT_DUPLICATES, &err);

    if (root == NULL) {
        switch (json_error_code(&err)) {

        case json_error_out_of_memory:
            a2f_why(why, whysz, "clientData: out of memory");
            return A2F_ERR_NOMEM;

        case json_error_duplicate_key:
            a2f_why(why, whysz, "clientData: duplicate key");
            return A2F_ERR_INVALID;

        default:
            a2f_why(why, whysz, "clientData: not valid JSON");
            return A2F_ERR_INVALID;
        }
    }

    rc = A2F_ERR_INVALID;

    if (!json_is_object(root)) {
        a2f_why(why, whysz, "clientData: not a JSON object");
        goto done;
    }

    v = json_object_get(root, "typ");

    if (v == NULL || !json_is_string(v)) {
        a2f_why(why, whysz, "clientData: typ missing or not a string");
        goto done;
    }

    s = json_string_value(v);
    n = json_string_length(v);

    if (n == sizeof(A2F_U2F_TYP_REGISTER) - 1
        && memcmp(s, A2F_U2F_TYP_REGISTER, n) == 0)
    {
        c->typ = A2F_U2F_TYP_REG;

    } else if (n == sizeof(A2F_U2F_TYP_SIGN) - 1
               && memcmp(s, A2F_U2F_TYP_SIGN, n) == 0)
    {
        c->typ = A2F_U2F_TYP_GET;

    } else {
        c->typ = A2F_U2F_TYP_OTHER;
    }

    v = json_object_get(root, "challenge");

    if (v == NULL || !json_is_string(v)) {
        a2f_why(why, whysz,
                "clientData: challenge missing or not a string");
        goto done;
    }

    if (a2f_u2f_b64_decode(json_string_value(v), json_string_length(v),
                           c->challenge, sizeof(c->challenge),
                           &c->challenge_len)
        != A2F_OK)
    {
        a2f_why(why, whysz,
                "clientData: challenge not websafe base64 of 1..%d "
                "bytes", A2F_U2F_CHALLENGE_MAX);
        goto done;
    }

    v = json_object_get(root, "origin");

    if (v == NULL || !json_is_string(v)) {
        a2f_why(why, whysz, "clientData: origin missing or not a string");
        goto done;
    }

    n = json_string_length(v);

    if (n == 0 || n > A2F_U2F_ORIGIN_MAX) {
        a2f_why(why, whysz, "clientData: origin empty or too long");
        goto done;
    }

    memcpy(c->origin, json_string_value(v), n);
    c->origin[n] = '\0';
    c->origin_len = n;

    rc = A2F_OK;

done:

    json_decref(root);

    if (rc != A2F_OK) {
        memset(c, 0, sizeof(*c));
    }

    return rc;
}


static int
a2f_u2f_cd_check(const a2f_u2f_cd_t *c, int typ, const a2f_u2f_expect_t *x,
    char *why, size_t whysz)
{
    if (c->typ != typ) {
        a2f_why(why, whysz, "clientData: typ is not \"%s\"",
                typ == A2F_U2F_TYP_REG ? A2F_U2F_TYP_REGISTER
                                       : A2F_U2F_TYP_SIGN);
        return A2F_ERR_AUTH;
    }

    if (c->challenge_len != x->challenge_len
        || CRYPTO_memcmp(c->challenge, x->challenge, x->challenge_len) != 0)
    {
        a2f_why(why, whysz, "clientData: challenge does not match");
        return A2F_ERR_AUTH;
    }

    if (c->origin_len != x->origin_len
        || memcmp(c->origin, x->origin, x->origin_len) != 0)
    {
        a2f_why(why, whysz, "clientData: origin is not the appId's");
        return A2F_ERR_AUTH;
    }

    return A2F_OK;
}


/* -- registration --------------------------------------------------------- */


/*
 * A DER ECDSA-Sig-Value's envelope: a SEQUENCE filling len bytes
 * (A2F_U2F_SIG_MIN..A2F_U2F_SIG_MAX, so a short-form length); OpenSSL
 * checks the rest, and that the DER is canonical.
 */

static int
a2f_u2f_sig_framed(const uint8_t *sig, size_t len)
{
    return len >= A2F_U2F_SIG_MIN && len <= A2F_U2F_SIG_MAX
           && sig[0] == 0x30 && (size_t) sig[1] == len - 2;
}


/*
 * The length of the DER SEQUENCE at p (avail bytes): header and
 * contents, a definite length in its shortest form, at most 3 length
 * bytes, all within avail.
 */

static int
a2f_u2f_der_len(const uint8_t *p, size_t avail, size_t *total)
{
    size_t  i, k, n, hdr;

    if (avail < 2 || p[0] != 0x30) {
        return A2F_ERR_INVALID;
    }

    if (p[1] < 0x80) {
        n = p[1];
        hdr = 2;

    } else {
        k = p[1] & 0x7f;

        if (k == 0 || k > 3 || avail - 2 < k || p[2] == 0) {
            return A2F_ERR_INVALID;
        }

        n = 0;

        for (i = 0; i < k; i++) {
            n = n << 8 | p[2 + i];
        }

        if (n < 0x80) {
            return A2F_ERR_INVALID;
        }

        hdr = 2 + k;
    }

    if (n > avail - hdr) {
        return A2F_ERR_INVALID;
    }

    *total = hdr + n;

    return A2F_OK;
}


/* the attestation key must be P-256, as U2F has it */

static int
a2f_u2f_cert_key(X509 *cert)
{
    char       group[64];
    EVP_PKEY  *pkey;

    pkey = X509_get0_pubkey(cert);

    return pkey != NULL && EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC
           && EVP_PKEY_get_group_name(pkey, group, sizeof(group), NULL) == 1
           && strcmp(group, SN_X9_62_prime256v1) == 0;
}


static int
a2f_u2f_rd_parse(const uint8_t *p, size_t len, a2f_u2f_rd_t *r,
    a2f_u2f_reg_t *out, X509 **cert, char *why, size_t whysz)
{
    int                   rc;
    size_t                off, n;
    const unsigned char  *q;

    memset(r, 0, sizeof(*r));
    *cert = NULL;

    if (len < 1 + A2F_U2F_POINT_LEN + 1) {
        a2f_why(why, whysz, "registrationData: too short");
        return A2F_ERR_INVALID;
    }

    if (p[0] != 0x05) {
        a2f_why(why, whysz, "registrationData: reserved byte not 0x05");
        return A2F_ERR_INVALID;
    }

    r->point = p + 1;

    rc = a2f_wa_cose_from_u2f(r->point, A2F_U2F_POINT_LEN, out->cose,
                              sizeof(out->cose), &out->cose_len);

    if (rc != A2F_OK) {
        ERR_clear_error();
        a2f_why(why, whysz,
                "registrationData: user public key not a P-256 point");
        return rc == A2F_ERR_NOMEM ? rc : A2F_ERR_INVALID;
    }

    off = 1 + A2F_U2F_POINT_LEN;
    n = p[off++];

    if (n == 0 || n > len - off) {
        a2f_why(why, whysz,
                "registrationData: key handle empty or truncated");
        return A2F_ERR_INVALID;
    }

    r->kh = p + off;
    r->kh_len = n;
    off += n;

    if (a2f_u2f_der_len(p + off, len - off, &n) != A2F_OK) {
        a2f_why(why, whysz,
                "registrationData: certificate not a DER SEQUENCE "
                "within the data");
        return A2F_ERR_INVALID;
    }

    r->cert = p + off;
    r->cert_len = n;
    off += n;

    r->sig = p + off;
    r->sig_len = len - off;

    if (!a2f_u2f_sig_framed(r->sig, r->sig_len)) {
        a2f_why(why, whysz,
                "registrationData: signature not a DER SEQUENCE of "
                "%d..%d bytes", A2F_U2F_SIG_MIN, A2F_U2F_SIG_MAX);
        return A2F_ERR_INVALID;
    }

    q = r->cert;
    *cert = d2i_X509(NULL, &q, (long) r->cert_len);

    if (*cert == NULL || q != r->cert + r->cert_len) {
        X509_free(*cert);
        *cert = NULL;
        ERR_clear_error();
        a2f_why(why, whysz, "registrationData: certificate not X.509");
        return A2F_ERR_INVALID;
    }

    if (!a2f_u2f_cert_key(*cert)) {
        X509_free(*cert);
        *cert = NULL;
        ERR_clear_error();
        a2f_why(why, whysz,
                "registrationData: certificate key not P-256");
        return A2F_ERR_INVALID;
    }

    return A2F_OK;
}


int
a2f_u2f_register(const char *client_data_b64, size_t cdlen,
    const char *reg_data_b64, size_t rdlen, const char *app_id,
    const uint8_t *challenge, size_t challenge_len, a2f_u2f_reg_t *out,
    char *why, size_t whysz)
{
    int                  rc, vr;
    size_t               m;
    X509                *cert;
    EVP_MD_CTX          *ctx;
    a2f_u2f_rd_t         r;
    a2f_u2f_reg_work_t  *w;

    if (why != NULL && whysz > 0) {
        why[0] = '\0';
    }

    if (out == NULL) {
        a2f_why(why, whysz, "no output");
        return A2F_ERR_INVALID;
    }

    memset(out, 0, sizeof(*out));

    w = malloc(sizeof(a2f_u2f_reg_work_t));

    if (w == NULL) {
        a2f_why(why, whysz, "out of memory");
        return A2F_ERR_NOMEM;
    }

    cert = NULL;
    ctx = NULL;

    rc = a2f_u2f_expect(app_id, challenge, challenge_len, &w->x, why,
                        whysz);
    if (rc != A2F_OK) {
        goto done;
    }

    rc = a2f_u2f_decode("clientData", client_data_b64, cdlen, w->cd,
                        sizeof(w->cd), &w->cd_len, why, whysz);
    if (rc != A2F_OK) {
        goto done;
    }

    rc = a2f_u2f_cd_parse(w->cd, w->cd_len, &w->c, why, whysz);
    if (rc != A2F_OK) {
        goto done;
    }

    rc = a2f_u2f_decode("registrationData", reg_data_b64, rdlen, w->rd,
                        sizeof(w->rd), &w->rd_len, why, whysz);
    if (rc != A2F_OK) {
        goto done;
    }

    rc = a2f_u2f_rd_parse(w->rd, w->rd_len, &r, out, &cert, why, whysz);
    if (rc != A2F_OK) {
        goto done;
    }

    rc = a2f_u2f_cd_check(&w->c, A2F_U2F_TYP_REG, &w->x, why, whysz);
    if (rc != A2F_OK) {
        goto done;
    }

    /* 0x00 | SHA-256(appId) | SHA-256(clientData) | key handle | key */

    w->msg[0] = 0x00;
    memcpy(w->msg + 1, w->x.app_hash, 32);
    m = 1 + 32;

    if (a2f_u2f_sha256(w->cd, w->cd_len, w->msg + m) != A2F_OK
        || a2f_u2f_sha256(r.cert, r.cert_len, out->cert_sha256) != A2F_OK)
    {
        a2f_why(why, whysz, "OpenSSL failure");
        rc = A2F_ERR_CRYPTO;
        goto done;
    }

    m += 32;
    memcpy(w->msg + m, r.kh, r.kh_len);
    m += r.kh_len;
    memcpy(w->msg + m, r.point, A2F_U2F_POINT_LEN);
    m += A2F_U2F_POINT_LEN;

    ctx = EVP_MD_CTX_new();

    if (ctx == NULL
        || EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL,
                                X509_get0_pubkey(cert)) != 1)
    {
        ERR_clear_error();
        a2f_why(why, whysz, "OpenSSL failure");
        rc = A2F_ERR_CRYPTO;
        goto done;
    }

    vr = EVP_DigestVerify(ctx, r.sig, r.sig_len, w->msg, m);

    if (vr != 1) {
        ERR_clear_error();
        a2f_why(why, whysz,
                "registrationData: signature does not verify");
        rc = A2F_ERR_AUTH;
        goto done;
    }

    memcpy(out->key_handle, r.kh, r.kh_len);
    out->key_handle_len = r.kh_len;
    memcpy(out->point, r.point, A2F_U2F_POINT_LEN);
    out->alg = A2F_COSE_ES256;

    rc = A2F_OK;

done:

    EVP_MD_CTX_free(ctx);
    X509_free(cert);
    free(w);

    if (rc != A2F_OK) {
        memset(out, 0, sizeof(*out));
    }

    return rc;
}


/* -- authentication ------------------------------------------------------- */


int
a2f_u2f_authenticate(const char *client_data_b64, size_t cdlen,
    const char *sig_data_b64, size_t sdlen, const char *app_id,
    const uint8_t *challenge, size_t challenge_len,
    const uint8_t *cose_pubkey, size_t pklen, uint32_t stored_count,
    uint32_t *new_count, char *why, size_t whysz)
{
    int               rc;
    size_t            cdn, sdn;
    uint8_t           cd[A2F_U2F_CLIENT_DATA_MAX];
    uint8_t           sd[A2F_U2F_SIG_DATA_MAX];
    uint8_t           ad[32 + 5], cdh[32];
    uint32_t          n;
    a2f_u2f_cd_t      c;
    a2f_u2f_expect_t  x;

    if (why != NULL && whysz > 0) {
        why[0] = '\0';
    }

    rc = a2f_u2f_expect(app_id, challenge, challenge_len, &x, why, whysz);
    if (rc != A2F_OK) {
        return rc;
    }

    if (cose_pubkey == NULL || pklen == 0) {
        a2f_why(why, whysz, "no stored key");
        return A2F_ERR_INVALID;
    }

    rc = a2f_u2f_decode("clientData", client_data_b64, cdlen, cd,
                        sizeof(cd), &cdn, why, whysz);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_u2f_cd_parse(cd, cdn, &c, why, whysz);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_u2f_decode("signatureData", sig_data_b64, sdlen, sd,
                        sizeof(sd), &sdn, why, whysz);
    if (rc != A2F_OK) {
        return rc;
    }

    if (sdn < 5 || !a2f_u2f_sig_framed(sd + 5, sdn - 5)) {
        a2f_why(why, whysz,
                "signatureData: not presence, counter and a DER "
                "signature of %d..%d bytes", A2F_U2F_SIG_MIN,
                A2F_U2F_SIG_MAX);
        return A2F_ERR_INVALID;
    }

    if ((sd[0] & A2F_U2F_FLAGS_WA)
        || ((sd[0] & A2F_WA_FLAG_BS) && !(sd[0] & A2F_WA_FLAG_BE)))
    {
        a2f_why(why, whysz, "signatureData: reserved presence bits set");
        return A2F_ERR_INVALID;
    }

    rc = a2f_u2f_cd_check(&c, A2F_U2F_TYP_GET, &x, why, whysz);
    if (rc != A2F_OK) {
        return rc;
    }

    if (!(sd[0] & A2F_U2F_PRESENCE)) {
        a2f_why(why, whysz, "signatureData: user not present");
        return A2F_ERR_AUTH;
    }

    /* authenticatorData = SHA-256(appId) | presence | counter */

    memcpy(ad, x.app_hash, 32);
    memcpy(ad + 32, sd, 5);

    if (a2f_u2f_sha256(cd, cdn, cdh) != A2F_OK) {
        a2f_why(why, whysz, "OpenSSL failure");
        return A2F_ERR_CRYPTO;
    }

    rc = a2f_wa_signature_verify(app_id, ad, sizeof(ad), cdh,
                                 A2F_COSE_ES256, cose_pubkey, pklen, sd + 5,
                                 sdn - 5, why, whysz);

    if (rc == A2F_ERR_AUTH) {
        a2f_why(why, whysz, "signatureData: signature does not verify");
    }

    if (rc != A2F_OK) {
        return rc;
    }

    /* the counter: only a verified response gets here */

    n = (uint32_t) sd[1] << 24 | (uint32_t) sd[2] << 16
        | (uint32_t) sd[3] << 8 | sd[4];

    if ((n != 0 || stored_count != 0) && n <= stored_count) {
        a2f_why(why, whysz,
                "signatureData: counter did not increase (cloned key?)");
        return A2F_ERR_REPLAY;
    }

    if (new_count != NULL) {
        *new_count = n;
    }

    return A2F_OK;
}
