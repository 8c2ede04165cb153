
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * fuzz_webauthn_reg.c: libFuzzer target for WebAuthn registration.  The
 * first byte picks what the rest is:
 *
 *   0  a whole PublicKeyCredential JSON body for a2f_wa_register();
 *   1  an attestationObject, sent with the "none" vector's id and
 *      clientDataJSON (so it meets a valid envelope and clientData);
 *   2  an edit script on one of the good vectors of
 *      t/unit/webauthn_vectors.h (4-byte ops: what, offset, offset, xor;
 *      what % 4: 0 flip in clientDataJSON, 1 flip in attestationObject,
 *      2 flip in the credential id, 3 truncate one of them);
 *   3  authenticatorData for a2f_wa_auth_data_parse(), both ways;
 *   4  CBOR: a2f_cbor_check(), a2f_cbor_load() and a2f_cose_parse().
 *
 * Whatever comes out must keep the contract of a2f_webauthn.h: results
 * are one of the documented codes with a reason, a credential is
 * well-formed, and an edited vector is accepted only with what its
 * signature covers unchanged.
 */


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "a2f_crypto.h"
#include "a2f_cose.h"
#include "a2f_webauthn.h"
#include "../t/unit/webauthn_vectors.h"


#define A2F_FUZZ_B64  ((A2F_WA_ATT_OBJ_MAX + 2) / 3 * 4 + 1)


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static const char  *a2f_fuzz_origins[] = { WV_ORIGIN };

static char     a2f_fuzz_body[A2F_WA_BODY_MAX * 2];
static char     a2f_fuzz_b64[3][A2F_FUZZ_B64];
static uint8_t  a2f_fuzz_cdj[A2F_WA_CLIENT_DATA_MAX];
static uint8_t  a2f_fuzz_ato[A2F_WA_ATT_OBJ_MAX];
static uint8_t  a2f_fuzz_id[A2F_SECKEY_ID_MAX];


static void
a2f_fuzz_expect(a2f_wa_expect_t *e)
{
    memset(e, 0, sizeof(*e));
    e->rp_id = WV_RP_ID;
    e->origins = a2f_fuzz_origins;
    e->norigins = 1;
    e->challenge = wv_reg_challenge;
    e->challenge_len = sizeof(wv_reg_challenge);
}


/* the documented results, a reason on failure, a well-formed credential */

static void
a2f_fuzz_check(int rc, const a2f_wa_cred_t *out, const char *why,
    size_t whysz)
{
    a2f_cose_key_t  key;

    if (memchr(why, '\0', whysz) == NULL) {
        abort();
    }

    if (rc != A2F_OK) {
        if ((rc != A2F_ERR_INVALID && rc != A2F_ERR_AUTH
             && rc != A2F_ERR_NOMEM && rc != A2F_ERR_CRYPTO)
            || why[0] == '\0' || out->cred_id_len != 0
            || out->pubkey_len != 0)
        {
            abort();
        }

        return;
    }

    if (out->cred_id_len == 0 || out->cred_id_len > A2F_SECKEY_ID_MAX
        || out->pubkey_len == 0 || out->pubkey_len > A2F_SECKEY_PUB_MAX
        || (strcmp(out->fmt, "none") != 0 && strcmp(out->fmt, "packed") != 0
            && strcmp(out->fmt, "fido-u2f") != 0)
        || !(out->flags & A2F_WA_FLAG_UP) || !(out->flags & A2F_WA_FLAG_AT))
    {
        abort();
    }

    if (a2f_cose_parse(out->pubkey, out->pubkey_len, NULL, &key, NULL, 0)
        != A2F_OK || key.alg != out->alg)
    {
        abort();
    }

    a2f_cose_free(&key);
}


static int
a2f_fuzz_register(const uint8_t *id, size_t idlen, const uint8_t *cdj,
    size_t cdjlen, const uint8_t *ato, size_t atolen, a2f_wa_cred_t *out)
{
    int              n, rc;
    char             why[128];
    a2f_wa_expect_t  e;

    /* an empty field is sent as "" */

    a2f_fuzz_b64[0][0] = '\0';
    a2f_fuzz_b64[1][0] = '\0';
    a2f_fuzz_b64[2][0] = '\0';

    if ((idlen && a2f_b64url_encode(id, idlen, a2f_fuzz_b64[0],
                                    A2F_FUZZ_B64) == 0)
        || (cdjlen && a2f_b64url_encode(cdj, cdjlen, a2f_fuzz_b64[1],
                                        A2F_FUZZ_B64) == 0)
        || (atolen && a2f_b64url_encode(ato, atolen, a2f_fuzz_b64[2],
                                        A2F_FUZZ_B64) == 0))
    {
        abort();
    }

    n = snprintf(a2f_fuzz_body, sizeof(a2f_fuzz_body),
                 "{\"id\":\"%s\",\"rawId\":\"%s\",\"type\":\"public-key\","
                 "\"response\":{\"clientDataJSON\":\"%s\","
                 "\"attestationObject\":\"%s\",\"transports\":[\"usb\"]}}",
                 a2f_fuzz_b64[0], a2f_fuzz_b64[0], a2f_fuzz_b64[1],
                 a2f_fuzz_b64[2]);

    if (n < 0 || (size_t) n >= sizeof(a2f_fuzz_body)) {
        abort();
    }

    a2f_fuzz_expect(&e);
    memset(why, 0x55, sizeof(why));

    rc = a2f_wa_register(&e, a2f_fuzz_body, (size_t) n, out, why,
                         sizeof(why));
    a2f_fuzz_check(rc, out, why, sizeof(why));

    return rc;
}


/* mode 2: edit a good vector, then only what nothing signs may change */

static void
a2f_fuzz_edit(const uint8_t *p, size_t n)
{
    int              rc, signed_ad;
    size_t           i, off, cdjlen, atolen, idlen, *len;
    uint8_t         *buf;
    a2f_wa_cred_t    out;
    const wv_reg_t  *v;

    if (n < 1) {
        return;
    }

    v = &wv_regs[p[0] % (sizeof(wv_regs) / sizeof(wv_regs[0]))];
    p++;
    n--;

    memcpy(a2f_fuzz_cdj, v->cdj, v->cdj_len);
    memcpy(a2f_fuzz_ato, v->ato, v->ato_len);
    memcpy(a2f_fuzz_id, v->id, v->id_len);
    cdjlen = v->cdj_len;
    atolen = v->ato_len;
    idlen = v->id_len;

    for (i = 0; i + 4 <= n && i < 64; i += 4) {
        switch ((p[i] >> 2) % 3) {
        case 0:
            buf = a2f_fuzz_cdj;
            len = &cdjlen;
            break;
        case 1:
            buf = a2f_fuzz_ato;
            len = &atolen;
            break;
        default:
            buf = a2f_fuzz_id;
            len = &idlen;
        }

        off = (size_t) p[i + 1] << 8 | p[i + 2];

        if (p[i] % 4 == 3) {
            *len = off % (*len + 1);

        } else if (*len > 0) {
            buf[off % *len] ^= p[i + 3];
        }
    }

    rc = a2f_fuzz_register(a2f_fuzz_id, idlen, a2f_fuzz_cdj, cdjlen,
                           a2f_fuzz_ato, atolen, &out);

    if (rc != A2F_OK) {
        return;
    }

    /*
     * "packed" signs authData: its credential, counter and AAGUID;
     * "none" and "fido-u2f" only the credential (u2f) or nothing (none)
     */

    signed_ad = strcmp(v->fmt, "packed") == 0;

    if (strcmp(v->fmt, "none") != 0
        && (out.cred_id_len != v->id_len
            || memcmp(out.cred_id, v->id, v->id_len) != 0
            || out.pubkey_len != v->cose_len
            || memcmp(out.pubkey, v->cose, v->cose_len) != 0
            || out.alg != v->alg))
    {
        abort();
    }

    if (signed_ad && (out.sign_count != v->count || out.flags != v->flags)) {
        abort();
    }

    if (strcmp(v->fmt, "none") != 0 && strcmp(out.fmt, v->fmt) != 0) {
        abort();
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                 rc;
    char                why[128];
    size_t              n, used;
    cbor_item_t        *item;
    const uint8_t      *p;
    a2f_wa_cred_t       out;
    a2f_cose_key_t      key;
    a2f_wa_expect_t     e;
    a2f_wa_auth_data_t  ad;
    const wv_reg_t     *v;

    if (size < 1) {
        return 0;
    }

    p = data + 1;
    n = size - 1;

    switch (data[0] % 5) {

    case 0:
        a2f_fuzz_expect(&e);
        memset(why, 0x55, sizeof(why));
        rc = a2f_wa_register(&e, (const char *) p, n, &out, why, sizeof(why));
        a2f_fuzz_check(rc, &out, why, sizeof(why));
        break;

    case 1:
        v = &wv_regs[0];

        if (n <= A2F_WA_ATT_OBJ_MAX + 1) {
            (void) a2f_fuzz_register(v->id, v->id_len, v->cdj, v->cdj_len, p,
                                     n, &out);
        }

        break;

    case 2:
        a2f_fuzz_edit(p, n);
        break;

    case 3:
        for (rc = 0; rc < 2; rc++) {
            if (a2f_wa_auth_data_parse(p, n, rc, &ad, why, sizeof(why))
                != A2F_OK)
            {
                continue;
            }

            if (n < 37 || n > A2F_WA_AUTH_DATA_MAX || ad.rp_id_hash != p
                || (ad.cred_id != NULL) != (rc == 1)
                || (ad.cred_id != NULL
                    && (ad.cred_id < p || ad.cose_len == 0
                        || ad.cose + ad.cose_len > p + n
                        || ad.cred_id_len > A2F_SECKEY_ID_MAX))
                || (ad.ext != NULL && ad.ext + ad.ext_len != p + n))
            {
                abort();
            }
        }

        break;

    default:
        if (a2f_cbor_check(p, n, A2F_CBOR_DEPTH_MAX, &used) == A2F_OK
            && (used == 0 || used > n))
        {
            abort();
        }

        if (a2f_cbor_load(p, n, A2F_CBOR_DEPTH_MAX, &item, &used) == A2F_OK)
        {
            (void) a2f_cbor_map_check(item, 64, 1);
            (void) a2f_cbor_map_str(item, "fmt");
            (void) a2f_cbor_map_int(item, -1);
            cbor_decref(&item);
        }

        rc = a2f_cose_parse(p, n, &used, &key, why, sizeof(why));

        if ((rc == A2F_OK) != (key.pk != NULL)
            || (rc == A2F_OK && (used == 0 || used > n)))
        {
            abort();
        }

        a2f_cose_free(&key);
    }

    return 0;
}
