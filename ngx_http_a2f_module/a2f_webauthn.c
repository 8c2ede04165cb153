
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_webauthn.c: WebAuthn registration and assertion verification
 * (libfido2), their JSON (jansson) and CBOR (libcbor, via a2f_cose.c),
 * and the options for the browser.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fido.h>
#include <jansson.h>

#include "a2f_crypto.h"
#include "a2f_cose.h"
#include "a2f_webauthn.h"


#define A2F_WA_X5C_MAX       8        /* certificates in x5c              */
#define A2F_WA_TRANSPORTS    16       /* entries in response.transports   */
#define A2F_WA_EXT_PAIRS     32       /* entries in authData extensions   */
#define A2F_WA_EDDSA_MAX     (1024 - 32)  /* libfido2's EdDSA buffer      */

/* the AAGUID extension of attestation certificates (WebAuthn 8.2.1) */
#define A2F_WA_OID_AAGUID    "1.3.6.1.4.1.45724.1.1.4"


/* what a registration decodes before it verifies */
typedef struct {
    uint8_t             id[A2F_SECKEY_ID_MAX];
    size_t              id_len;
    uint8_t             cdj[A2F_WA_CLIENT_DATA_MAX];
    size_t              cdj_len;
    uint8_t             ato[A2F_WA_ATT_OBJ_MAX];
    size_t              ato_len;
    unsigned            transports;
    uint8_t             cdh[32];
    char                fmt[A2F_WA_FMT_MAX + 1];
    a2f_wa_auth_data_t  ad;
    const uint8_t      *authdata;
    size_t              authdata_len;
} a2f_wa_reg_t;


/* an attestation statement */
typedef struct {
    int                 has_alg;
    int64_t             alg;
    const uint8_t      *sig;
    size_t              sig_len;
    const uint8_t      *x5c;          /* the first certificate            */
    size_t              x5c_len;
    size_t              nx5c;
    size_t              npairs;
} a2f_wa_stmt_t;


static int a2f_wa_sha256(const void *p, size_t len, uint8_t out[32]);
static json_t *a2f_wa_json_load(const char *what, const char *json,
    size_t len, int *rc, char *why, size_t whysz);
static int a2f_wa_json_b64(json_t *obj, const char *key, const char *what,
    int optional, uint8_t *out, size_t outsz, size_t *outlen, char *why,
    size_t whysz);
static int a2f_wa_json_cred(json_t *root, uint8_t *id, size_t *idlen,
    json_t **resp, char *why, size_t whysz);
static int a2f_wa_transports(json_t *resp, unsigned *t, char *why,
    size_t whysz);
static int a2f_wa_expect_ok(const a2f_wa_expect_t *e, char *why,
    size_t whysz);
static int a2f_wa_client_data_check(const a2f_wa_expect_t *e,
    const uint8_t *cdj, size_t len, int type, char *why, size_t whysz);
static int a2f_wa_flags_check(const a2f_wa_expect_t *e,
    const a2f_wa_auth_data_t *ad, const char *rp, char *why, size_t whysz);
static int a2f_wa_reg_decode(a2f_wa_reg_t *r, const char *json, size_t len,
    char *why, size_t whysz);
static int a2f_wa_reg_verify(const a2f_wa_expect_t *e, a2f_wa_reg_t *r,
    a2f_wa_cred_t *out, char *why, size_t whysz);
static int a2f_wa_stmt_parse(const cbor_item_t *stmt, a2f_wa_stmt_t *st,
    char *why, size_t whysz);
static int a2f_wa_stmt_check(const char *fmt, const a2f_wa_stmt_t *st,
    int alg, char *why, size_t whysz);
static int a2f_wa_cert_check(const a2f_wa_stmt_t *st, int u2f,
    const uint8_t *aaguid, char *why, size_t whysz);
static int a2f_wa_cert_aaguid(X509 *x, const uint8_t *aaguid, char *why,
    size_t whysz);
static int a2f_wa_stmt_encode(const a2f_wa_stmt_t *st, unsigned char **buf,
    size_t *len);
static int a2f_wa_cbor_put(cbor_item_t *map, cbor_item_t *key,
    cbor_item_t *value);
static int a2f_wa_cred_verify(const a2f_wa_expect_t *e, a2f_wa_reg_t *r,
    const a2f_wa_stmt_t *st, char *why, size_t whysz);
static int a2f_wa_text_is(const cbor_item_t *k, const char *s);
static int a2f_wa_is_bool(const cbor_item_t *v);
static int a2f_wa_is_u8(const cbor_item_t *v);
static int a2f_wa_ext_map(const a2f_wa_auth_data_t *ad, cbor_item_t **map,
    char *why, size_t whysz);
static int a2f_wa_cred_ext(fido_cred_t *cred, const a2f_wa_auth_data_t *ad,
    char *why, size_t whysz);
static int a2f_wa_assert_ext(fido_assert_t *as,
    const a2f_wa_auth_data_t *ad, char *why, size_t whysz);
static int a2f_wa_fido_rc(int r, const char *what, char *why, size_t whysz);
static int a2f_wa_fido_verify(const char *rp, const uint8_t *auth_data,
    size_t adlen, const a2f_wa_auth_data_t *ad, const uint8_t *cdh,
    const uint8_t *sig, size_t sig_len, int require_uv,
    const a2f_cose_key_t *key, char *why, size_t whysz);
static int a2f_wa_set_b64(json_t *obj, const char *key, const uint8_t *p,
    size_t len);
static int a2f_wa_set_creds(json_t *obj, const char *key,
    const a2f_seckey_t *keys, unsigned n);
static char *a2f_wa_dump(json_t *root);


static int
a2f_wa_sha256(const void *p, size_t len, uint8_t out[32])
{
    unsigned int  n;

    if (EVP_Digest(p, len, out, &n, EVP_sha256(), NULL) != 1 || n != 32) {
        return A2F_ERR_CRYPTO;
    }

    return A2F_OK;
}


/* -- JSON ----------------------------------------------------------------- */


static json_t *
a2f_wa_json_load(const char *what, const char *json, size_t len, int *rc,
    char *why, size_t whysz)
{
    json_t        *root;
    json_error_t   err;

    *rc = A2F_ERR_INVALID;

    if (json == NULL || len == 0) {
        a2f_why(why, whysz, "%s: empty", what);
        return NULL;
    }

    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);

    if (root == NULL) {
        switch (json_error_code(&err)) {

        case json_error_out_of_memory:
            *rc = A2F_ERR_NOMEM;
            a2f_why(why, whysz, "%s: out of memory", what);
            break;

        case json_error_duplicate_key:
            a2f_why(why, whysz, "%s: duplicate key", what);
            break;

        default:
            a2f_why(why, whysz, "%s: not valid JSON (near byte %d)",
                    what, err.position);
        }

        return NULL;
    }

    if (!json_is_object(root)) {
        json_decref(root);
        a2f_why(why, whysz, "%s: not a JSON object", what);
        return NULL;
    }

    *rc = A2F_OK;

    return root;
}


/*
 * A base64url member of obj, decoded into out.  optional: a missing
 * member, null or "" gives *outlen 0.
 */

static int
a2f_wa_json_b64(json_t *obj, const char *key, const char *what,
    int optional, uint8_t *out, size_t outsz, size_t *outlen, char *why,
    size_t whysz)
{
    int      rc;
    size_t   n;
    json_t  *v;

    *outlen = 0;
    v = json_object_get(obj, key);

    if (v == NULL || json_is_null(v)) {
        if (optional) {
            return A2F_OK;
        }

        a2f_why(why, whysz, "%s: missing", what);
        return A2F_ERR_INVALID;
    }

    if (!json_is_string(v)) {
        a2f_why(why, whysz, "%s: not a string", what);
        return A2F_ERR_INVALID;
    }

    n = json_string_length(v);

    if (n == 0) {
        if (optional) {
            return A2F_OK;
        }

        a2f_why(why, whysz, "%s: empty", what);
        return A2F_ERR_INVALID;
    }

    rc = a2f_b64url_decode(json_string_value(v), n, out, outsz, outlen);

    if (rc == A2F_ERR_TOOBIG) {
        a2f_why(why, whysz, "%s: too long", what);
        return A2F_ERR_INVALID;
    }

    if (rc != A2F_OK || *outlen == 0) {
        *outlen = 0;
        a2f_why(why, whysz, "%s: not base64url", what);
        return A2F_ERR_INVALID;
    }

    return A2F_OK;
}


/* "type", "id", "rawId" and "response" of a PublicKeyCredential */

static int
a2f_wa_json_cred(json_t *root, uint8_t *id, size_t *idlen, json_t **resp,
    char *why, size_t whysz)
{
    int      rc;
    size_t   rawlen;
    json_t  *v;
    uint8_t  raw[A2F_SECKEY_ID_MAX];

    v = json_object_get(root, "type");

    if (v == NULL || !json_is_string(v)
        || strcmp(json_string_value(v), "public-key") != 0)
    {
        a2f_why(why, whysz, "type: not \"public-key\"");
        return A2F_ERR_INVALID;
    }

    rc = a2f_wa_json_b64(root, "id", "id", 0, id, A2F_SECKEY_ID_MAX, idlen,
                         why, whysz);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_wa_json_b64(root, "rawId", "rawId", 0, raw, sizeof(raw),
                         &rawlen, why, whysz);
    if (rc != A2F_OK) {
        return rc;
    }

    if (rawlen != *idlen || memcmp(raw, id, rawlen) != 0) {
        a2f_why(why, whysz, "id: not the same bytes as rawId");
        return A2F_ERR_INVALID;
    }

    *resp = json_object_get(root, "response");

    if (*resp == NULL || !json_is_object(*resp)) {
        a2f_why(why, whysz, "response: missing or not an object");
        return A2F_ERR_INVALID;
    }

    return A2F_OK;
}


static int
a2f_wa_transports(json_t *resp, unsigned *t, char *why, size_t whysz)
{
    size_t       i, n;
    json_t      *arr, *v;
    const char  *s;

    static const struct {
        const char  *name;
        unsigned     bit;
    } names[] = {
        { "usb",        A2F_WA_TRANSPORT_USB },
        { "nfc",        A2F_WA_TRANSPORT_NFC },
        { "ble",        A2F_WA_TRANSPORT_BLE },
        { "internal",   A2F_WA_TRANSPORT_INTERNAL },
        { "hybrid",     A2F_WA_TRANSPORT_HYBRID },
        { "cable",      A2F_WA_TRANSPORT_HYBRID },
        { "smart-card", A2F_WA_TRANSPORT_SMART_CARD }
    };

    *t = 0;
    arr = json_object_get(resp, "transports");

    if (arr == NULL || json_is_null(arr)) {
        return A2F_OK;
    }

    if (!json_is_array(arr) || json_array_size(arr) > A2F_WA_TRANSPORTS) {
        a2f_why(why, whysz,
                "response.transports: not an array of at most %d",
                A2F_WA_TRANSPORTS);
        return A2F_ERR_INVALID;
    }

    for (i = 0; i < json_array_size(arr); i++) {
        v = json_array_get(arr, i);

        if (!json_is_string(v)) {
            a2f_why(why, whysz, "response.transports: not a string");
            return A2F_ERR_INVALID;
        }

        s = json_string_value(v);

        /* unknown transports are ignored */

        for (n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
            if (strcmp(s, names[n].name) == 0) {
                *t |= names[n].bit;
            }
        }
    }

    return A2F_OK;
}


/* -- clientDataJSON and authenticatorData --------------------------------- */


int
a2f_wa_client_data_parse(const uint8_t *cdj, size_t len,
    a2f_wa_client_data_t *cd, char *why, size_t whysz)
{
    int          rc;
    size_t       n;
    json_t      *root, *v, *tb;
    const char  *s;

    memset(cd, 0, sizeof(*cd));

    if (len > A2F_WA_CLIENT_DATA_MAX) {
        a2f_why(why, whysz, "clientDataJSON: too long");
        return A2F_ERR_INVALID;
    }

    root = a2f_wa_json_load("clientDataJSON", (const char *) cdj, len, &rc,
                            why, whysz);
    if (root == NULL) {
        return rc;
    }

    rc = A2F_ERR_INVALID;

    v = json_object_get(root, "type");

    if (v == NULL || !json_is_string(v)) {
        a2f_why(why, whysz, "clientDataJSON: type missing");
        goto done;
    }

    s = json_string_value(v);

    if (strcmp(s, "webauthn.create") == 0) {
        cd->type = A2F_WA_TYPE_CREATE;

    } else if (strcmp(s, "webauthn.get") == 0) {
        cd->type = A2F_WA_TYPE_GET;

    } else {
        cd->type = A2F_WA_TYPE_OTHER;
    }

    if (a2f_wa_json_b64(root, "challenge", "clientDataJSON: challenge", 0,
                        cd->challenge, sizeof(cd->challenge),
                        &cd->challenge_len, why, whysz)
        != A2F_OK)
    {
        goto done;
    }

    v = json_object_get(root, "origin");

    if (v == NULL || !json_is_string(v)) {
        a2f_why(why, whysz, "clientDataJSON: origin missing");
        goto done;
    }

    n = json_string_length(v);

    if (n == 0 || n > A2F_WA_ORIGIN_MAX) {
        a2f_why(why, whysz, "clientDataJSON: origin empty or too long");
        goto done;
    }

    memcpy(cd->origin, json_string_value(v), n);
    cd->origin[n] = '\0';
    cd->origin_len = n;

    v = json_object_get(root, "crossOrigin");

    if (v != NULL) {
        if (!json_is_boolean(v)) {
            a2f_why(why, whysz, "clientDataJSON: crossOrigin not boolean");
            goto done;
        }

        cd->cross_origin = json_is_true(v);
    }

    v = json_object_get(root, "topOrigin");

    if (v != NULL) {
        if (!json_is_string(v)) {
            a2f_why(why, whysz, "clientDataJSON: topOrigin not a string");
            goto done;
        }

        cd->cross_origin = 1;
    }

    tb = json_object_get(root, "tokenBinding");

    if (tb != NULL) {
        v = json_is_object(tb) ? json_object_get(tb, "status") : NULL;

        if (v == NULL || !json_is_string(v)) {
            a2f_why(why, whysz, "clientDataJSON: tokenBinding malformed");
            goto done;
        }

        cd->token_binding = strcmp(json_string_value(v), "present") == 0;
    }

    rc = A2F_OK;

done:

    json_decref(root);

    if (rc != A2F_OK) {
        memset(cd, 0, sizeof(*cd));
    }

    return rc;
}


int
a2f_wa_auth_data_parse(const uint8_t *p, size_t len, int attested,
    a2f_wa_auth_data_t *ad, char *why, size_t whysz)
{
    int             rc;
    size_t          off, n;
    cbor_item_t    *ext;
    a2f_cose_key_t  key;

    memset(ad, 0, sizeof(*ad));

    if (p == NULL || len < 37) {
        a2f_why(why, whysz, "authenticatorData: too short");
        return A2F_ERR_INVALID;
    }

    if (len > A2F_WA_AUTH_DATA_MAX) {
        a2f_why(why, whysz, "authenticatorData: too long");
        return A2F_ERR_INVALID;
    }

    ad->rp_id_hash = p;
    ad->flags = p[32];
    ad->sign_count = (uint32_t) p[33] << 24 | (uint32_t) p[34] << 16
                     | (uint32_t) p[35] << 8 | p[36];
    off = 37;

    if ((ad->flags & A2F_WA_FLAG_BS) && !(ad->flags & A2F_WA_FLAG_BE)) {
        a2f_why(why, whysz, "authenticatorData: BS flag without BE");
        goto invalid;
    }

    if (!(ad->flags & A2F_WA_FLAG_AT) != !attested) {
        a2f_why(why, whysz, attested
                ? "authenticatorData: no attested credential data"
                : "authenticatorData: unexpected attested credential data");
        goto invalid;
    }

    if (ad->flags & A2F_WA_FLAG_AT) {

        if (len - off < 18) {
            a2f_why(why, whysz,
                    "authenticatorData: attested credential data "
                    "truncated");
            goto invalid;
        }

        ad->aaguid = p + off;
        n = (size_t) p[off + 16] << 8 | p[off + 17];
        off += 18;

        if (n == 0 || n > len - off) {
            a2f_why(why, whysz,
                    "authenticatorData: credential id empty or truncated");
            goto invalid;
        }

        if (n > A2F_SECKEY_ID_MAX) {
            a2f_why(why, whysz,
                    "authenticatorData: credential id longer than %d",
                    A2F_SECKEY_ID_MAX);
            goto invalid;
        }

        ad->cred_id = p + off;
        ad->cred_id_len = n;
        off += n;

        rc = a2f_cose_parse(p + off, len - off, &n, &key, why, whysz);

        if (rc != A2F_OK) {
            memset(ad, 0, sizeof(*ad));
            return rc;
        }

        ad->alg = key.alg;
        a2f_cose_free(&key);

        if (n > A2F_SECKEY_PUB_MAX) {
            a2f_why(why, whysz, "COSE key: longer than %d",
                    A2F_SECKEY_PUB_MAX);
            goto invalid;
        }

        ad->cose = p + off;
        ad->cose_len = n;
        off += n;
    }

    if (ad->flags & A2F_WA_FLAG_ED) {

        rc = a2f_cbor_load(p + off, len - off, A2F_CBOR_DEPTH_MAX, &ext, &n);

        if (rc != A2F_OK) {
            a2f_why(why, whysz,
                    "authenticatorData: extensions not well-formed CBOR");
            memset(ad, 0, sizeof(*ad));
            return rc;
        }

        rc = a2f_cbor_map_check(ext, A2F_WA_EXT_PAIRS, 0);
        cbor_decref(&ext);

        if (rc != A2F_OK) {
            a2f_why(why, whysz,
                    "authenticatorData: extensions not a map without "
                    "duplicates");
            goto invalid;
        }

        ad->ext = p + off;
        ad->ext_len = n;
        off += n;
    }

    if (off != len) {
        a2f_why(why, whysz, "authenticatorData: trailing bytes");
        goto invalid;
    }

    return A2F_OK;

invalid:

    memset(ad, 0, sizeof(*ad));

    return A2F_ERR_INVALID;
}


static int
a2f_wa_expect_ok(const a2f_wa_expect_t *e, char *why, size_t whysz)
{
    size_t  i;

    if (e == NULL || e->rp_id == NULL || e->rp_id[0] == '\0'
        || e->origins == NULL || e->norigins == 0 || e->challenge == NULL
        || e->challenge_len == 0 || e->challenge_len > A2F_WA_CHALLENGE_MAX)
    {
        a2f_why(why, whysz, "expectation incomplete");
        return A2F_ERR_INVALID;
    }

    for (i = 0; i < e->norigins; i++) {
        if (e->origins[i] == NULL) {
            a2f_why(why, whysz, "expectation incomplete");
            return A2F_ERR_INVALID;
        }
    }

    return A2F_OK;
}


static int
a2f_wa_client_data_check(const a2f_wa_expect_t *e, const uint8_t *cdj,
    size_t len, int type, char *why, size_t whysz)
{
    int                   rc;
    size_t                i;
    a2f_wa_client_data_t  cd;

    rc = a2f_wa_client_data_parse(cdj, len, &cd, why, whysz);

    if (rc != A2F_OK) {
        return rc;
    }

    if (cd.type != type) {
        a2f_why(why, whysz, "clientDataJSON: type is not \"%s\"",
                type == A2F_WA_TYPE_CREATE ? "webauthn.create"
                                           : "webauthn.get");
        return A2F_ERR_AUTH;
    }

    if (cd.challenge_len != e->challenge_len
        || CRYPTO_memcmp(cd.challenge, e->challenge, e->challenge_len) != 0)
    {
        a2f_why(why, whysz, "clientDataJSON: challenge does not match");
        return A2F_ERR_AUTH;
    }

    for (i = 0; i < e->norigins; i++) {
        if (strlen(e->origins[i]) == cd.origin_len
            && memcmp(e->origins[i], cd.origin, cd.origin_len) == 0)
        {
            break;
        }
    }

    if (i == e->norigins) {
        a2f_why(why, whysz, "clientDataJSON: origin not allowed");
        return A2F_ERR_AUTH;
    }

    if (cd.cross_origin) {
        a2f_why(why, whysz, "clientDataJSON: cross-origin request");
        return A2F_ERR_AUTH;
    }

    if (cd.token_binding) {
        a2f_why(why, whysz, "clientDataJSON: token binding unsupported");
        return A2F_ERR_AUTH;
    }

    return A2F_OK;
}


/* rpIdHash = SHA-256(rp), UP, and UV when required */

static int
a2f_wa_flags_check(const a2f_wa_expect_t *e, const a2f_wa_auth_data_t *ad,
    const char *rp, char *why, size_t whysz)
{
    uint8_t  h[32];

    if (a2f_wa_sha256(rp, strlen(rp), h) != A2F_OK) {
        a2f_why(why, whysz, "OpenSSL failure");
        return A2F_ERR_CRYPTO;
    }

    if (CRYPTO_memcmp(h, ad->rp_id_hash, 32) != 0) {
        a2f_why(why, whysz,
                "authenticatorData: rpIdHash does not match the RP ID");
        return A2F_ERR_AUTH;
    }

    if (!(ad->flags & A2F_WA_FLAG_UP)) {
        a2f_why(why, whysz, "authenticatorData: user not present");
        return A2F_ERR_AUTH;
    }

    if (e->require_uv && !(ad->flags & A2F_WA_FLAG_UV)) {
        a2f_why(why, whysz, "authenticatorData: user not verified");
        return A2F_ERR_AUTH;
    }

    return A2F_OK;
}


/* -- registration --------------------------------------------------------- */


int
a2f_wa_register(const a2f_wa_expect_t *e, const char *json, size_t len,
    a2f_wa_cred_t *out, char *why, size_t whysz)
{
    int            rc;
    a2f_wa_reg_t  *r;

    if (why != NULL && whysz > 0) {
        why[0] = '\0';
    }

    if (out == NULL) {
        a2f_why(why, whysz, "no output");
        return A2F_ERR_INVALID;
    }

    memset(out, 0, sizeof(*out));

    rc = a2f_wa_expect_ok(e, why, whysz);
    if (rc != A2F_OK) {
        return rc;
    }

    if (len > A2F_WA_BODY_MAX) {
        a2f_why(why, whysz, "body: too long");
        return A2F_ERR_INVALID;
    }

    r = malloc(sizeof(a2f_wa_reg_t));

    if (r == NULL) {
        a2f_why(why, whysz, "out of memory");
        return A2F_ERR_NOMEM;
    }

    rc = a2f_wa_reg_decode(r, json, len, why, whysz);

    if (rc == A2F_OK) {
        rc = a2f_wa_client_data_check(e, r->cdj, r->cdj_len,
                                      A2F_WA_TYPE_CREATE, why, whysz);
    }

    if (rc == A2F_OK) {
        rc = a2f_wa_reg_verify(e, r, out, why, whysz);
    }

    free(r);

    if (rc != A2F_OK) {
        memset(out, 0, sizeof(*out));
    }

    return rc;
}


static int
a2f_wa_reg_decode(a2f_wa_reg_t *r, const char *json, size_t len, char *why,
    size_t whysz)
{
    int      rc;
    json_t  *root, *resp;

    /* no memset of the buffers: each is written before it is read */

    r->id_len = 0;
    r->cdj_len = 0;
    r->ato_len = 0;
    r->transports = 0;
    r->fmt[0] = '\0';
    r->authdata = NULL;
    r->authdata_len = 0;
    memset(&r->ad, 0, sizeof(r->ad));

    root = a2f_wa_json_load("body", json, len, &rc, why, whysz);
    if (root == NULL) {
        return rc;
    }

    rc = a2f_wa_json_cred(root, r->id, &r->id_len, &resp, why, whysz);

    if (rc == A2F_OK) {
        rc = a2f_wa_json_b64(resp, "clientDataJSON",
                             "response.clientDataJSON", 0, r->cdj,
                             sizeof(r->cdj), &r->cdj_len, why, whysz);
    }

    if (rc == A2F_OK) {
        rc = a2f_wa_json_b64(resp, "attestationObject",
                             "response.attestationObject", 0, r->ato,
                             sizeof(r->ato), &r->ato_len, why, whysz);
    }

    if (rc == A2F_OK) {
        rc = a2f_wa_transports(resp, &r->transports, why, whysz);
    }

    json_decref(root);

    return rc;
}


static int
a2f_wa_reg_verify(const a2f_wa_expect_t *e, a2f_wa_reg_t *r,
    a2f_wa_cred_t *out, char *why, size_t whysz)
{
    int             rc;
    size_t          n;
    cbor_item_t    *root, *v, *stmt;
    a2f_wa_stmt_t   st;
    const uint8_t  *s;

    if (a2f_wa_sha256(r->cdj, r->cdj_len, r->cdh) != A2F_OK) {
        a2f_why(why, whysz, "OpenSSL failure");
        return A2F_ERR_CRYPTO;
    }

    /* the attestation object: {"fmt": tstr, "attStmt": map, "authData"} */

    rc = a2f_cbor_load(r->ato, r->ato_len, A2F_CBOR_DEPTH_MAX, &root, &n);

    if (rc != A2F_OK) {
        a2f_why(why, whysz, "attestationObject: %s",
                rc == A2F_ERR_NOMEM ? "out of memory"
                                    : "not well-formed CBOR");
        return rc;
    }

    rc = A2F_ERR_INVALID;

    if (n != r->ato_len) {
        a2f_why(why, whysz, "attestationObject: trailing bytes");
        goto done;
    }

    if (a2f_cbor_map_check(root, 16, 0) != A2F_OK) {
        a2f_why(why, whysz,
                "attestationObject: not a map without duplicates");
        goto done;
    }

    v = a2f_cbor_map_str(root, "fmt");

    if (v == NULL || !cbor_isa_string(v) || !cbor_string_is_definite(v)
        || cbor_string_length(v) == 0
        || cbor_string_length(v) > A2F_WA_FMT_MAX
        || memchr(cbor_string_handle(v), '\0', cbor_string_length(v)))
    {
        a2f_why(why, whysz, "attestationObject: fmt missing or malformed");
        goto done;
    }

    memcpy(r->fmt, cbor_string_handle(v), cbor_string_length(v));
    r->fmt[cbor_string_length(v)] = '\0';

    stmt = a2f_cbor_map_str(root, "attStmt");

    if (stmt == NULL || !cbor_isa_map(stmt)) {
        a2f_why(why, whysz, "attestationObject: attStmt missing");
        goto done;
    }

    s = a2f_cbor_bytes(a2f_cbor_map_str(root, "authData"), 1,
                       A2F_WA_AUTH_DATA_MAX, &n);

    if (s == NULL) {
        a2f_why(why, whysz,
                "attestationObject: authData missing or too long");
        goto done;
    }

    r->authdata = s;
    r->authdata_len = n;

    rc = a2f_wa_auth_data_parse(s, n, 1, &r->ad, why, whysz);
    if (rc != A2F_OK) {
        goto done;
    }

    rc = a2f_wa_flags_check(e, &r->ad, e->rp_id, why, whysz);
    if (rc != A2F_OK) {
        goto done;
    }

    if (r->ad.cred_id_len != r->id_len
        || memcmp(r->ad.cred_id, r->id, r->id_len) != 0)
    {
        a2f_why(why, whysz,
                "authenticatorData: credential id is not rawId");
        rc = A2F_ERR_AUTH;
        goto done;
    }

    rc = a2f_wa_stmt_parse(stmt, &st, why, whysz);
    if (rc != A2F_OK) {
        goto done;
    }

    rc = a2f_wa_stmt_check(r->fmt, &st, r->ad.alg, why, whysz);
    if (rc != A2F_OK) {
        goto done;
    }

    if (st.nx5c) {
        rc = a2f_wa_cert_check(&st, strcmp(r->fmt, "fido-u2f") == 0,
                               r->ad.aaguid, why, whysz);
        if (rc != A2F_OK) {
            goto done;
        }
    }

    if (strcmp(r->fmt, "none") != 0) {
        rc = a2f_wa_cred_verify(e, r, &st, why, whysz);
        if (rc != A2F_OK) {
            goto done;
        }
    }

    memcpy(out->cred_id, r->ad.cred_id, r->ad.cred_id_len);
    out->cred_id_len = r->ad.cred_id_len;
    out->alg = r->ad.alg;
    memcpy(out->pubkey, r->ad.cose, r->ad.cose_len);
    out->pubkey_len = r->ad.cose_len;
    out->sign_count = r->ad.sign_count;
    memcpy(out->aaguid, r->ad.aaguid, 16);
    memcpy(out->fmt, r->fmt, sizeof(out->fmt));
    out->attestation = strcmp(r->fmt, "none") == 0 ? A2F_WA_ATT_NONE
                       : st.nx5c ? A2F_WA_ATT_X5C : A2F_WA_ATT_SELF;
    out->flags = r->ad.flags;
    out->transports = r->transports;

    rc = A2F_OK;

done:

    cbor_decref(&root);

    return rc;
}


/* the members of an attestation statement, whatever its format */

static int
a2f_wa_stmt_parse(const cbor_item_t *stmt, a2f_wa_stmt_t *st, char *why,
    size_t whysz)
{
    size_t         i, n, len;
    cbor_item_t   *v, **certs;

    memset(st, 0, sizeof(*st));

    if (a2f_cbor_map_check(stmt, 8, 0) != A2F_OK) {
        a2f_why(why, whysz, "attStmt: not a map without duplicates");
        return A2F_ERR_INVALID;
    }

    st->npairs = cbor_map_size(stmt);

    if (a2f_cbor_map_str(stmt, "ecdaaKeyId") != NULL) {
        a2f_why(why, whysz, "attStmt: ECDAA is not supported");
        return A2F_ERR_INVALID;
    }

    v = a2f_cbor_map_str(stmt, "alg");

    if (v != NULL) {
        if (a2f_cbor_int(v, &st->alg) != A2F_OK) {
            a2f_why(why, whysz, "attStmt: alg not an integer");
            return A2F_ERR_INVALID;
        }

        st->has_alg = 1;
    }

    v = a2f_cbor_map_str(stmt, "sig");

    if (v != NULL) {
        st->sig = a2f_cbor_bytes(v, 1, A2F_WA_SIG_MAX, &st->sig_len);

        if (st->sig == NULL) {
            a2f_why(why, whysz, "attStmt: sig not 1..%d bytes",
                    A2F_WA_SIG_MAX);
            return A2F_ERR_INVALID;
        }
    }

    v = a2f_cbor_map_str(stmt, "x5c");

    if (v != NULL) {
        if (!cbor_isa_array(v) || !cbor_array_is_definite(v)
            || cbor_array_size(v) == 0 || cbor_array_size(v) > A2F_WA_X5C_MAX)
        {
            a2f_why(why, whysz, "attStmt: x5c not 1..%d certificates",
                    A2F_WA_X5C_MAX);
            return A2F_ERR_INVALID;
        }

        n = cbor_array_size(v);
        certs = cbor_array_handle(v);

        for (i = 0; i < n; i++) {
            if (a2f_cbor_bytes(certs[i], 1, A2F_WA_ATT_OBJ_MAX, &len) == NULL)
            {
                a2f_why(why, whysz, "attStmt: x5c not byte strings");
                return A2F_ERR_INVALID;
            }
        }

        st->x5c = a2f_cbor_bytes(certs[0], 1, A2F_WA_ATT_OBJ_MAX,
                                 &st->x5c_len);
        st->nx5c = n;
    }

    return A2F_OK;
}


/* does the statement fit its format and the credential's algorithm */

static int
a2f_wa_stmt_check(const char *fmt, const a2f_wa_stmt_t *st, int alg,
    char *why, size_t whysz)
{
    if (strcmp(fmt, "none") == 0) {
        if (st->npairs != 0) {
            a2f_why(why, whysz, "attStmt: not empty for fmt \"none\"");
            return A2F_ERR_INVALID;
        }

        return A2F_OK;
    }

    if (strcmp(fmt, "packed") == 0) {
        if (!st->has_alg || st->sig == NULL) {
            a2f_why(why, whysz, "attStmt: packed needs alg and sig");
            return A2F_ERR_INVALID;
        }

        if (st->alg != A2F_COSE_ES256 && st->alg != A2F_COSE_EDDSA
            && st->alg != A2F_COSE_RS256)
        {
            a2f_why(why, whysz, "attStmt: unsupported alg");
            return A2F_ERR_INVALID;
        }

        if (st->nx5c == 0 && st->alg != alg) {
            a2f_why(why, whysz,
                    "attStmt: alg is not the credential key's");
            return A2F_ERR_INVALID;
        }

        return A2F_OK;
    }

    if (strcmp(fmt, "fido-u2f") == 0) {
        if (st->sig == NULL || st->nx5c != 1 || st->has_alg) {
            a2f_why(why, whysz,
                    "attStmt: fido-u2f needs sig and one certificate");
            return A2F_ERR_INVALID;
        }

        if (alg != A2F_COSE_ES256) {
            a2f_why(why, whysz, "attStmt: fido-u2f needs an ES256 key");
            return A2F_ERR_INVALID;
        }

        return A2F_OK;
    }

    a2f_why(why, whysz, "attestationObject: unsupported format");

    return A2F_ERR_INVALID;
}


static int
a2f_wa_cert_check(const a2f_wa_stmt_t *st, int u2f, const uint8_t *aaguid,
    char *why, size_t whysz)
{
    int                   rc, alg, ok;
    char                  group[64];
    X509                 *x;
    EVP_PKEY             *pkey;
    const unsigned char  *p;

    p = st->x5c;
    x = d2i_X509(NULL, &p, (long) st->x5c_len);

    if (x == NULL || p != st->x5c + st->x5c_len) {
        X509_free(x);
        a2f_why(why, whysz, "attStmt: x5c[0] not a DER certificate");
        return A2F_ERR_INVALID;
    }

    rc = A2F_ERR_INVALID;
    alg = u2f ? A2F_COSE_ES256 : (int) st->alg;
    pkey = X509_get0_pubkey(x);
    ok = 0;

    if (pkey != NULL) {
        switch (alg) {

        case A2F_COSE_ES256:
            ok = EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC
                 && EVP_PKEY_get_group_name(pkey, group, sizeof(group), NULL)
                    == 1
                 && strcmp(group, SN_X9_62_prime256v1) == 0;
            break;

        case A2F_COSE_EDDSA:
            ok = EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519;
            break;

        case A2F_COSE_RS256:
            ok = EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA
                 && EVP_PKEY_get_bits(pkey) >= 2048;
            break;
        }
    }

    if (!ok) {
        a2f_why(why, whysz,
                "attStmt: x5c[0] key does not fit the algorithm");
        goto done;
    }

    /* U2F attestation certificates predate these requirements */

    if (!u2f) {
        rc = A2F_ERR_AUTH;

        if (X509_get_version(x) != X509_VERSION_3) {
            a2f_why(why, whysz, "attStmt: x5c[0] is not X.509 v3");
            goto done;
        }

        if (X509_get_extension_flags(x) & EXFLAG_INVALID) {
            a2f_why(why, whysz, "attStmt: x5c[0] has bad extensions");
            goto done;
        }

        if (X509_check_ca(x) != 0) {
            a2f_why(why, whysz, "attStmt: x5c[0] is a CA certificate");
            goto done;
        }

        rc = a2f_wa_cert_aaguid(x, aaguid, why, whysz);
        if (rc != A2F_OK) {
            goto done;
        }
    }

    rc = A2F_OK;

done:

    X509_free(x);

    return rc;
}


/* the AAGUID extension, if any: not critical, OCTET STRING of authData's */

static int
a2f_wa_cert_aaguid(X509 *x, const uint8_t *aaguid, char *why, size_t whysz)
{
    int                         idx, rc;
    ASN1_OBJECT                *obj;
    X509_EXTENSION             *ext;
    const unsigned char        *p;
    const ASN1_OCTET_STRING    *data;

    obj = OBJ_txt2obj(A2F_WA_OID_AAGUID, 1);

    if (obj == NULL) {
        a2f_why(why, whysz, "OpenSSL failure");
        return A2F_ERR_CRYPTO;
    }

    idx = X509_get_ext_by_OBJ(x, obj, -1);
    rc = A2F_OK;

    if (idx >= 0) {
        ext = X509_get_ext(x, idx);
        data = (ext != NULL) ? X509_EXTENSION_get_data(ext) : NULL;
        p = (data != NULL) ? ASN1_STRING_get0_data(data) : NULL;

        if (p == NULL || X509_EXTENSION_get_critical(ext)
            || X509_get_ext_by_OBJ(x, obj, idx) >= 0
            || ASN1_STRING_length(data) != 18 || p[0] != 0x04 || p[1] != 16
            || memcmp(p + 2, aaguid, 16) != 0)
        {
            a2f_why(why, whysz,
                    "attStmt: x5c[0] AAGUID is not authenticatorData's");
            rc = A2F_ERR_AUTH;
        }
    }

    ASN1_OBJECT_free(obj);

    return rc;
}


/*
 * A canonical {"alg", "sig", "x5c": [x5c[0]]} for fido_cred_set_attstmt()
 * (libfido2 needs the alg for x5c keys other than P-256, and canonical
 * order, which the input need not have).
 */

static int
a2f_wa_stmt_encode(const a2f_wa_stmt_t *st, unsigned char **buf,
    size_t *len)
{
    int           rc;
    size_t        bufsz;
    cbor_item_t  *map, *arr, *cert;

    *buf = NULL;
    *len = 0;

    map = cbor_new_definite_map((st->has_alg ? 1 : 0) + 1
                                + (st->nx5c ? 1 : 0));
    if (map == NULL) {
        return A2F_ERR_NOMEM;
    }

    rc = A2F_OK;

    if (st->has_alg) {
        rc = a2f_wa_cbor_put(map, cbor_build_string("alg"),
                             cbor_build_negint16((uint16_t) (-1 - st->alg)));
    }

    if (rc == A2F_OK) {
        rc = a2f_wa_cbor_put(map, cbor_build_string("sig"),
                             cbor_build_bytestring(st->sig, st->sig_len));
    }

    if (rc == A2F_OK && st->nx5c) {
        arr = cbor_new_definite_array(1);
        cert = cbor_build_bytestring(st->x5c, st->x5c_len);

        if (arr != NULL && cert != NULL && cbor_array_push(arr, cert)) {
            rc = a2f_wa_cbor_put(map, cbor_build_string("x5c"), arr);
            arr = NULL;

        } else {
            rc = A2F_ERR_NOMEM;
        }

        if (arr != NULL) {
            cbor_decref(&arr);
        }

        if (cert != NULL) {
            cbor_decref(&cert);
        }
    }

    if (rc == A2F_OK) {
        *len = cbor_serialize_alloc(map, buf, &bufsz);

        if (*len == 0) {
            free(*buf);
            *buf = NULL;
            rc = A2F_ERR_NOMEM;
        }
    }

    cbor_decref(&map);

    return rc;
}


/* add key: value to map, dropping our references to both either way */

static int
a2f_wa_cbor_put(cbor_item_t *map, cbor_item_t *key, cbor_item_t *value)
{
    int  ok;

    ok = key != NULL && value != NULL
         && cbor_map_add(map, (struct cbor_pair) { .key = key,
                                                   .value = value });

    if (key != NULL) {
        cbor_decref(&key);
    }

    if (value != NULL) {
        cbor_decref(&value);
    }

    return ok ? A2F_OK : A2F_ERR_NOMEM;
}


/* the attestation signature, by libfido2 */

static int
a2f_wa_cred_verify(const a2f_wa_expect_t *e, a2f_wa_reg_t *r,
    const a2f_wa_stmt_t *st, char *why, size_t whysz)
{
    int             rc, fr, salg;
    size_t          slen;
    fido_cred_t    *cred;
    unsigned char  *sbuf;

    salg = st->has_alg ? (int) st->alg : A2F_COSE_ES256;

    if (salg == A2F_COSE_EDDSA && r->authdata_len > A2F_WA_EDDSA_MAX) {
        a2f_why(why, whysz, "authenticatorData: too long for EdDSA");
        return A2F_ERR_INVALID;
    }

    cred = fido_cred_new();

    if (cred == NULL) {
        a2f_why(why, whysz, "out of memory");
        return A2F_ERR_NOMEM;
    }

    sbuf = NULL;
    rc = A2F_ERR_INVALID;

    /* the type first: libfido2 parses the COSE key of authData with it */

    fr = fido_cred_set_type(cred, r->ad.alg);

    if (fr == FIDO_OK) {
        fr = fido_cred_set_clientdata_hash(cred, r->cdh, sizeof(r->cdh));
    }

    if (fr == FIDO_OK) {
        fr = fido_cred_set_rp(cred, e->rp_id, NULL);
    }

    if (fr == FIDO_OK) {
        fr = fido_cred_set_authdata_raw(cred, r->authdata, r->authdata_len);
    }

    if (fr == FIDO_OK) {
        fr = fido_cred_set_fmt(cred, r->fmt);
    }

    if (fr != FIDO_OK) {
        rc = a2f_wa_fido_rc(fr, "authenticatorData", why, whysz);
        goto done;
    }

    rc = a2f_wa_cred_ext(cred, &r->ad, why, whysz);
    if (rc != A2F_OK) {
        goto done;
    }

    rc = a2f_wa_stmt_encode(st, &sbuf, &slen);

    if (rc != A2F_OK) {
        a2f_why(why, whysz, "out of memory");
        goto done;
    }

    fr = fido_cred_set_attstmt(cred, sbuf, slen);

    if (fr != FIDO_OK) {
        rc = a2f_wa_fido_rc(fr, "attStmt", why, whysz);
        goto done;
    }

    fr = st->nx5c ? fido_cred_verify(cred) : fido_cred_verify_self(cred);
    rc = a2f_wa_fido_rc(fr, "attStmt", why, whysz);

done:

    free(sbuf);
    fido_cred_free(&cred);

    return rc;
}


/* map a libfido2 result */

static int
a2f_wa_fido_rc(int r, const char *what, char *why, size_t whysz)
{
    switch (r) {

    case FIDO_OK:
        return A2F_OK;

    case FIDO_ERR_INVALID_SIG:
        a2f_why(why, whysz, "%s: signature does not verify", what);
        return A2F_ERR_AUTH;

    case FIDO_ERR_INVALID_PARAM:
        a2f_why(why, whysz, "%s: rp, flags or extensions refused", what);
        return A2F_ERR_AUTH;

    case FIDO_ERR_INTERNAL:
        a2f_why(why, whysz, "%s: libfido2 failure", what);
        return A2F_ERR_CRYPTO;

    default:
        a2f_why(why, whysz, "%s: refused by libfido2", what);
        return A2F_ERR_INVALID;
    }
}


/* authData's extensions map, if any (checked by a2f_wa_auth_data_parse) */

static int
a2f_wa_ext_map(const a2f_wa_auth_data_t *ad, cbor_item_t **map, char *why,
    size_t whysz)
{
    int  rc;

    *map = NULL;

    if (ad->ext == NULL) {
        return A2F_OK;
    }

    rc = a2f_cbor_load(ad->ext, ad->ext_len, A2F_CBOR_DEPTH_MAX, map, NULL);

    if (rc != A2F_OK) {
        a2f_why(why, whysz, "authenticatorData: extensions malformed");
    }

    return rc;
}


/* a definite text string key of exactly the bytes of s */

static int
a2f_wa_text_is(const cbor_item_t *k, const char *s)
{
    size_t  n;

    n = strlen(s);

    return cbor_isa_string(k) && cbor_string_is_definite(k)
           && cbor_string_length(k) == n
           && memcmp(cbor_string_handle(k), s, n) == 0;
}


/* as libfido2's cbor_decode_bool() and its CBOR_INT_8 checks */

static int
a2f_wa_is_bool(const cbor_item_t *v)
{
    return cbor_isa_float_ctrl(v) && cbor_float_get_width(v) == CBOR_FLOAT_0
           && cbor_is_bool(v);
}


static int
a2f_wa_is_u8(const cbor_item_t *v)
{
    return cbor_isa_uint(v) && cbor_int_get_width(v) == CBOR_INT_8;
}


/*
 * libfido2 refuses authData whose extensions differ from those the
 * fido_cred_t asked for; we asked for none, but an authenticator may
 * add some (credProtect by policy): mirror what it decodes.
 */

static int
a2f_wa_cred_ext(fido_cred_t *cred, const a2f_wa_auth_data_t *ad,
    char *why, size_t whysz)
{
    int                rc, fr, bit;
    size_t             i, n;
    uint8_t            u;
    cbor_item_t       *map, *k, *v;
    struct cbor_pair  *p;

    rc = a2f_wa_ext_map(ad, &map, why, whysz);

    if (rc != A2F_OK || map == NULL) {
        return rc;
    }

    n = cbor_map_size(map);
    p = cbor_map_handle(map);
    fr = FIDO_OK;

    for (i = 0; i < n && fr == FIDO_OK; i++) {
        k = p[i].key;
        v = p[i].value;

        if (a2f_wa_text_is(k, "hmac-secret")
            || a2f_wa_text_is(k, "credBlob"))
        {
            bit = a2f_wa_text_is(k, "credBlob") ? FIDO_EXT_CRED_BLOB
                                                : FIDO_EXT_HMAC_SECRET;

            if (!a2f_wa_is_bool(v)) {
                fr = FIDO_ERR_INVALID_ARGUMENT;

            } else if (cbor_ctrl_value(v) == CBOR_CTRL_TRUE) {
                fr = fido_cred_set_extensions(cred, bit);
            }

        } else if (a2f_wa_text_is(k, "credProtect")) {
            fr = a2f_wa_is_u8(v) ? fido_cred_set_prot(cred,
                                                      cbor_get_uint8(v))
                                 : FIDO_ERR_INVALID_ARGUMENT;

        } else if (a2f_wa_text_is(k, "minPinLength")) {
            if (!a2f_wa_is_u8(v)) {
                fr = FIDO_ERR_INVALID_ARGUMENT;

            } else {
                u = cbor_get_uint8(v);
                fr = fido_cred_set_pin_minlen(cred, u);

                if (fr == FIDO_OK) {
                    fr = fido_cred_set_extensions(cred, FIDO_EXT_MINPINLEN);
                }
            }
        }
    }

    cbor_decref(&map);

    if (fr != FIDO_OK) {
        a2f_why(why, whysz,
                "authenticatorData: unsupported extension value");
        return A2F_ERR_INVALID;
    }

    return A2F_OK;
}


/* the same for assertions: hmac-secret and credBlob outputs */

static int
a2f_wa_assert_ext(fido_assert_t *as, const a2f_wa_auth_data_t *ad,
    char *why, size_t whysz)
{
    int                rc, fr, mask;
    size_t             i, n, len;
    cbor_item_t       *map, *k, *v;
    struct cbor_pair  *p;

    rc = a2f_wa_ext_map(ad, &map, why, whysz);

    if (rc != A2F_OK || map == NULL) {
        return rc;
    }

    n = cbor_map_size(map);
    p = cbor_map_handle(map);
    mask = 0;
    rc = A2F_OK;

    for (i = 0; i < n; i++) {
        k = p[i].key;
        v = p[i].value;

        if (a2f_wa_text_is(k, "hmac-secret")
            || a2f_wa_text_is(k, "credBlob"))
        {
            if (a2f_cbor_bytes(v, 0, A2F_WA_AUTH_DATA_MAX, &len) == NULL) {
                rc = A2F_ERR_INVALID;
                break;
            }

            mask |= a2f_wa_text_is(k, "credBlob") ? FIDO_EXT_CRED_BLOB
                                                  : FIDO_EXT_HMAC_SECRET;
        }
    }

    cbor_decref(&map);

    if (rc == A2F_OK && mask != 0) {
        fr = fido_assert_set_extensions(as, mask);
        rc = (fr == FIDO_OK) ? A2F_OK : A2F_ERR_INVALID;
    }

    if (rc != A2F_OK) {
        a2f_why(why, whysz,
                "authenticatorData: unsupported extension value");
    }

    return rc;
}


/* -- assertions ----------------------------------------------------------- */


int
a2f_wa_assertion_parse(const char *json, size_t len, a2f_wa_assertion_t *a,
    char *why, size_t whysz)
{
    int      rc;
    json_t  *root, *resp, *ext, *v;

    if (why != NULL && whysz > 0) {
        why[0] = '\0';
    }

    if (a == NULL) {
        a2f_why(why, whysz, "no output");
        return A2F_ERR_INVALID;
    }

    memset(a, 0, sizeof(*a));

    if (len > A2F_WA_BODY_MAX) {
        a2f_why(why, whysz, "body: too long");
        return A2F_ERR_INVALID;
    }

    root = a2f_wa_json_load("body", json, len, &rc, why, whysz);
    if (root == NULL) {
        return rc;
    }

    rc = a2f_wa_json_cred(root, a->cred_id, &a->cred_id_len, &resp, why,
                          whysz);

    if (rc == A2F_OK) {
        rc = a2f_wa_json_b64(resp, "clientDataJSON",
                             "response.clientDataJSON", 0, a->client_data,
                             sizeof(a->client_data), &a->client_data_len,
                             why, whysz);
    }

    if (rc == A2F_OK) {
        rc = a2f_wa_json_b64(resp, "authenticatorData",
                             "response.authenticatorData", 0, a->auth_data,
                             sizeof(a->auth_data), &a->auth_data_len, why,
                             whysz);
    }

    if (rc == A2F_OK) {
        rc = a2f_wa_json_b64(resp, "signature", "response.signature", 0,
                             a->sig, sizeof(a->sig), &a->sig_len, why,
                             whysz);
    }

    if (rc == A2F_OK) {
        rc = a2f_wa_json_b64(resp, "userHandle", "response.userHandle", 1,
                             a->user_handle, sizeof(a->user_handle),
                             &a->user_handle_len, why, whysz);
    }

    if (rc == A2F_OK) {
        ext = json_object_get(root, "clientExtensionResults");

        if (ext != NULL && !json_is_object(ext)) {
            a2f_why(why, whysz, "clientExtensionResults: not an object");
            rc = A2F_ERR_INVALID;

        } else if (ext != NULL) {
            v = json_object_get(ext, "appid");

            if (v != NULL && !json_is_boolean(v)) {
                a2f_why(why, whysz,
                        "clientExtensionResults.appid: not boolean");
                rc = A2F_ERR_INVALID;

            } else {
                a->appid = (v != NULL && json_is_true(v));
            }
        }
    }

    json_decref(root);

    if (rc != A2F_OK) {
        memset(a, 0, sizeof(*a));
    }

    return rc;
}


int
a2f_wa_assertion_verify(const a2f_wa_expect_t *e,
    const a2f_wa_assertion_t *a, int alg, const uint8_t *pubkey,
    size_t pubkey_len, uint32_t stored_count, uint32_t *new_count,
    char *why, size_t whysz)
{
    int                  rc;
    uint8_t              cdh[32];
    const char          *rp;
    a2f_cose_key_t       key;
    a2f_wa_auth_data_t   ad;

    if (why != NULL && whysz > 0) {
        why[0] = '\0';
    }

    rc = a2f_wa_expect_ok(e, why, whysz);
    if (rc != A2F_OK) {
        return rc;
    }

    if (a == NULL || pubkey == NULL
        || a->client_data_len > sizeof(a->client_data)
        || a->auth_data_len > sizeof(a->auth_data)
        || a->sig_len == 0 || a->sig_len > sizeof(a->sig))
    {
        a2f_why(why, whysz, "assertion incomplete");
        return A2F_ERR_INVALID;
    }

    rc = a2f_cose_parse(pubkey, pubkey_len, NULL, &key, why, whysz);
    if (rc != A2F_OK) {
        return rc;
    }

    if (key.alg != alg) {
        a2f_why(why, whysz, "COSE key: not of the stored algorithm");
        rc = A2F_ERR_INVALID;
        goto done;
    }

    rc = a2f_wa_client_data_check(e, a->client_data, a->client_data_len,
                                  A2F_WA_TYPE_GET, why, whysz);
    if (rc != A2F_OK) {
        goto done;
    }

    rc = a2f_wa_auth_data_parse(a->auth_data, a->auth_data_len, 0, &ad, why,
                                whysz);
    if (rc != A2F_OK) {
        goto done;
    }

    /* a U2F key registered under the appid signs for it (7.2 step 15) */

    rp = (e->appid != NULL && a->appid) ? e->appid : e->rp_id;

    rc = a2f_wa_flags_check(e, &ad, rp, why, whysz);
    if (rc != A2F_OK) {
        goto done;
    }

    if (a2f_wa_sha256(a->client_data, a->client_data_len, cdh) != A2F_OK) {
        a2f_why(why, whysz, "OpenSSL failure");
        rc = A2F_ERR_CRYPTO;
        goto done;
    }

    rc = a2f_wa_fido_verify(rp, a->auth_data, a->auth_data_len, &ad, cdh,
                            a->sig, a->sig_len, e->require_uv, &key, why,
                            whysz);
    if (rc != A2F_OK) {
        goto done;
    }

    /* the counter (7.2 step 21): only a verified assertion gets here */

    if ((ad.sign_count != 0 || stored_count != 0)
        && ad.sign_count <= stored_count)
    {
        a2f_why(why, whysz,
                "authenticatorData: signature counter did not increase "
                "(cloned key?)");
        rc = A2F_ERR_REPLAY;
        goto done;
    }

    if (new_count != NULL) {
        *new_count = ad.sign_count;
    }

done:

    a2f_cose_free(&key);

    return rc;
}


int
a2f_wa_signature_verify(const char *rp, const uint8_t *auth_data,
    size_t adlen, const uint8_t *cdh, int alg, const uint8_t *pubkey,
    size_t pubkey_len, const uint8_t *sig, size_t sig_len, char *why,
    size_t whysz)
{
    int                  rc;
    a2f_cose_key_t       key;
    a2f_wa_expect_t      e;
    a2f_wa_auth_data_t   ad;

    if (why != NULL && whysz > 0) {
        why[0] = '\0';
    }

    if (rp == NULL || rp[0] == '\0' || auth_data == NULL || cdh == NULL
        || pubkey == NULL || sig == NULL || sig_len == 0
        || sig_len > A2F_WA_SIG_MAX)
    {
        a2f_why(why, whysz, "signature check incomplete");
        return A2F_ERR_INVALID;
    }

    rc = a2f_wa_auth_data_parse(auth_data, adlen, 0, &ad, why, whysz);
    if (rc != A2F_OK) {
        return rc;
    }

    memset(&e, 0, sizeof(e));

    rc = a2f_wa_flags_check(&e, &ad, rp, why, whysz);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_cose_parse(pubkey, pubkey_len, NULL, &key, why, whysz);
    if (rc != A2F_OK) {
        ERR_clear_error();
        return rc;
    }

    if (key.alg != alg) {
        a2f_why(why, whysz, "COSE key: not of the stored algorithm");
        rc = A2F_ERR_INVALID;

    } else {
        rc = a2f_wa_fido_verify(rp, auth_data, adlen, &ad, cdh, sig, sig_len,
                                0, &key, why, whysz);
    }

    a2f_cose_free(&key);

    if (rc != A2F_OK) {
        ERR_clear_error();
    }

    return rc;
}


/*
 * The one libfido2 path of assertion signatures: sig over auth_data ||
 * cdh (32 bytes) with key; ad is auth_data parsed, its rpIdHash already
 * checked against rp.
 */

static int
a2f_wa_fido_verify(const char *rp, const uint8_t *auth_data, size_t adlen,
    const a2f_wa_auth_data_t *ad, const uint8_t *cdh, const uint8_t *sig,
    size_t sig_len, int require_uv, const a2f_cose_key_t *key, char *why,
    size_t whysz)
{
    int             rc, fr;
    fido_assert_t  *as;

    if (key->alg == A2F_COSE_EDDSA && adlen > A2F_WA_EDDSA_MAX) {
        a2f_why(why, whysz, "authenticatorData: too long for EdDSA");
        return A2F_ERR_INVALID;
    }

    as = fido_assert_new();

    if (as == NULL) {
        a2f_why(why, whysz, "out of memory");
        return A2F_ERR_NOMEM;
    }

    fr = fido_assert_set_count(as, 1);

    if (fr == FIDO_OK) {
        fr = fido_assert_set_clientdata_hash(as, cdh, 32);
    }

    if (fr == FIDO_OK) {
        fr = fido_assert_set_rp(as, rp);
    }

    if (fr == FIDO_OK) {
        fr = fido_assert_set_authdata_raw(as, 0, auth_data, adlen);
    }

    if (fr == FIDO_OK) {
        fr = fido_assert_set_sig(as, 0, sig, sig_len);
    }

    if (fr == FIDO_OK) {
        fr = fido_assert_set_up(as, FIDO_OPT_TRUE);
    }

    if (fr == FIDO_OK) {
        fr = fido_assert_set_uv(as, require_uv ? FIDO_OPT_TRUE
                                               : FIDO_OPT_OMIT);
    }

    if (fr != FIDO_OK) {
        rc = a2f_wa_fido_rc(fr, "authenticatorData", why, whysz);
        goto done;
    }

    rc = a2f_wa_assert_ext(as, ad, why, whysz);
    if (rc != A2F_OK) {
        goto done;
    }

    fr = fido_assert_verify(as, 0, key->alg, key->pk);
    rc = a2f_wa_fido_rc(fr, "signature", why, whysz);

done:

    fido_assert_free(&as);

    return rc;
}


/* -- options -------------------------------------------------------------- */


static int
a2f_wa_set_b64(json_t *obj, const char *key, const uint8_t *p, size_t len)
{
    char  buf[(A2F_SECKEY_ID_MAX + 2) / 3 * 4 + 1];

    if (len == 0 || a2f_b64url_encode(p, len, buf, sizeof(buf)) == 0) {
        return A2F_ERR_INVALID;
    }

    return json_object_set_new(obj, key, json_string(buf)) == 0
           ? A2F_OK : A2F_ERR_NOMEM;
}


/* [{"type": "public-key", "id": b64url, "transports": [...]}, ...] */

static int
a2f_wa_set_creds(json_t *obj, const char *key, const a2f_seckey_t *keys,
    unsigned n)
{
    size_t    t;
    unsigned  i;
    json_t   *arr, *c, *ts;

    static const struct {
        const char  *name;
        unsigned     bit;
    } names[] = {
        { "usb",      A2F_SECKEY_T_USB },
        { "nfc",      A2F_SECKEY_T_NFC },
        { "ble",      A2F_SECKEY_T_BLE },
        { "internal", A2F_SECKEY_T_INTERNAL },
        { "hybrid",   A2F_SECKEY_T_HYBRID }
    };

    if (n > 0 && keys == NULL) {
        return A2F_ERR_INVALID;
    }

    arr = json_array();

    if (json_object_set_new(obj, key, arr) != 0) {
        return A2F_ERR_NOMEM;
    }

    for (i = 0; i < n; i++) {
        if (keys[i].cred_id_len == 0
            || keys[i].cred_id_len > A2F_SECKEY_ID_MAX)
        {
            return A2F_ERR_INVALID;
        }

        c = json_object();

        if (json_array_append_new(arr, c) != 0
            || json_object_set_new(c, "type", json_string("public-key")) != 0
            || a2f_wa_set_b64(c, "id", keys[i].cred_id, keys[i].cred_id_len)
               != A2F_OK)
        {
            return A2F_ERR_NOMEM;
        }

        if (keys[i].transports == 0) {
            continue;
        }

        ts = json_array();

        if (json_object_set_new(c, "transports", ts) != 0) {
            return A2F_ERR_NOMEM;
        }

        for (t = 0; t < sizeof(names) / sizeof(names[0]); t++) {
            if ((keys[i].transports & names[t].bit)
                && json_array_append_new(ts, json_string(names[t].name)) != 0)
            {
                return A2F_ERR_NOMEM;
            }
        }
    }

    return A2F_OK;
}


static char *
a2f_wa_dump(json_t *root)
{
    char  *s;

    s = json_dumps(root, JSON_COMPACT | JSON_ESCAPE_SLASH);
    json_decref(root);

    return s;
}


char *
a2f_wa_creation_options(const char *rp_id, const char *rp_name,
    const char *user, size_t user_len, const uint8_t *user_handle,
    size_t uhlen, const uint8_t *challenge, size_t clen,
    const a2f_seckey_t *exclude, unsigned nexclude, unsigned timeout_ms,
    unsigned flags)
{
    size_t   i;
    json_t  *root, *rp, *u, *params, *p, *sel;

    static const int  algs[] = {
        A2F_COSE_ES256, A2F_COSE_EDDSA, A2F_COSE_RS256
    };

    if (rp_id == NULL || rp_id[0] == '\0' || user == NULL || user_len == 0
        || memchr(user, '\0', user_len) != NULL || user_handle == NULL
        || uhlen == 0 || uhlen > A2F_WA_USER_HANDLE_MAX || challenge == NULL
        || clen == 0 || clen > A2F_WA_CHALLENGE_MAX)
    {
        return NULL;
    }

    root = json_object();

    if (root == NULL) {
        return NULL;
    }

    /* json_object_set_new() takes the reference even when it fails */

    rp = json_object();

    if (json_object_set_new(root, "rp", rp) != 0) {
        goto failed;
    }

    u = json_object();

    if (json_object_set_new(root, "user", u) != 0) {
        goto failed;
    }

    params = json_array();

    if (json_object_set_new(root, "pubKeyCredParams", params) != 0) {
        goto failed;
    }

    sel = json_object();

    if (json_object_set_new(root, "authenticatorSelection", sel) != 0) {
        goto failed;
    }

    /* json_stringn() refuses text that is not valid UTF-8 */

    if (json_object_set_new(rp, "id", json_string(rp_id)) != 0
        || json_object_set_new(rp, "name",
                               json_string(rp_name ? rp_name : rp_id)) != 0
        || a2f_wa_set_b64(u, "id", user_handle, uhlen) != A2F_OK
        || json_object_set_new(u, "name", json_stringn(user, user_len)) != 0
        || json_object_set_new(u, "displayName",
                               json_stringn(user, user_len)) != 0
        || a2f_wa_set_b64(root, "challenge", challenge, clen) != A2F_OK)
    {
        goto failed;
    }

    for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
        p = json_object();

        if (p == NULL || json_array_append_new(params, p) != 0
            || json_object_set_new(p, "type", json_string("public-key")) != 0
            || json_object_set_new(p, "alg", json_integer(algs[i])) != 0)
        {
            goto failed;
        }
    }

    if ((timeout_ms != 0
         && json_object_set_new(root, "timeout", json_integer(timeout_ms))
            != 0)
        || a2f_wa_set_creds(root, "excludeCredentials", exclude, nexclude)
           != A2F_OK
        || json_object_set_new(sel, "residentKey",
                               json_string("discouraged")) != 0
        || json_object_set_new(sel, "requireResidentKey", json_false()) != 0
        || json_object_set_new(sel, "userVerification",
                               json_string((flags & A2F_WA_OPT_UV)
                                           ? "required" : "discouraged"))
           != 0
        || json_object_set_new(root, "attestation", json_string("none")) != 0)
    {
        goto failed;
    }

    return a2f_wa_dump(root);

failed:

    json_decref(root);

    return NULL;
}


char *
a2f_wa_request_options(const char *rp_id, const uint8_t *challenge,
    size_t clen, const a2f_seckey_t *allow, unsigned nallow,
    const char *appid, unsigned timeout_ms, unsigned flags)
{
    json_t  *root, *ext;

    if (rp_id == NULL || rp_id[0] == '\0' || challenge == NULL || clen == 0
        || clen > A2F_WA_CHALLENGE_MAX)
    {
        return NULL;
    }

    root = json_object();

    if (root == NULL
        || a2f_wa_set_b64(root, "challenge", challenge, clen) != A2F_OK
        || (timeout_ms != 0
            && json_object_set_new(root, "timeout", json_integer(timeout_ms))
               != 0)
        || json_object_set_new(root, "rpId", json_string(rp_id)) != 0
        || a2f_wa_set_creds(root, "allowCredentials", allow, nallow)
           != A2F_OK
        || json_object_set_new(root, "userVerification",
                               json_string((flags & A2F_WA_OPT_UV)
                                           ? "required" : "discouraged"))
           != 0)
    {
        goto failed;
    }

    if (appid != NULL) {
        ext = json_object();

        if (ext == NULL || json_object_set_new(root, "extensions", ext) != 0
            || json_object_set_new(ext, "appid", json_string(appid)) != 0)
        {
            goto failed;
        }
    }

    return a2f_wa_dump(root);

failed:

    json_decref(root);

    return NULL;
}


/* -- legacy U2F ----------------------------------------------------------- */


int
a2f_wa_cose_from_u2f(const uint8_t *point, size_t len, uint8_t *out,
    size_t outsz, size_t *outlen)
{
    int             rc;
    a2f_cose_key_t  key;
    uint8_t         cose[A2F_COSE_ES256_LEN];
    size_t          n;

    if (point == NULL || len != 65 || point[0] != 0x04) {
        return A2F_ERR_INVALID;
    }

    if (outsz < A2F_COSE_ES256_LEN) {
        return A2F_ERR_TOOBIG;
    }

    rc = a2f_cose_es256_encode(point + 1, point + 33, cose, sizeof(cose),
                               &n);
    if (rc != A2F_OK) {
        return rc;
    }

    /* parse it back: checks that the point is on the curve */

    rc = a2f_cose_parse(cose, n, NULL, &key, NULL, 0);
    a2f_cose_free(&key);

    if (rc != A2F_OK) {
        return rc;
    }

    memcpy(out, cose, n);
    *outlen = n;

    return A2F_OK;
}
