
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * fuzz_webauthn_assert.c: libFuzzer target for WebAuthn assertions.  The
 * first byte picks what the rest is:
 *
 *   0  an assertion's JSON body: a2f_wa_assertion_parse(), then, when it
 *      parses, a2f_wa_assertion_verify() with every vector's key;
 *   1  an edit script on one of the good assertions of
 *      t/unit/webauthn_vectors.h (4-byte ops: what, offset, offset, xor;
 *      what % 4: 0 flip in clientDataJSON, 1 flip in authenticatorData,
 *      2 flip in the signature, 3 truncate one of them; the appid bit of
 *      the first op's byte sets a->appid);
 *   2  a clientDataJSON for a2f_wa_client_data_parse();
 *   3  a user name for a2f_wa_creation_options() and an appid for
 *      a2f_wa_request_options(), parsed back.
 *
 * An edited assertion may verify only when what its signature covers
 * (clientDataJSON and authenticatorData) is unchanged.
 */


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "a2f_crypto.h"
#include "a2f_cose.h"
#include "a2f_webauthn.h"
#include "../t/unit/webauthn_vectors.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


static const char  *a2f_fuzz_origins[] = { WV_ORIGIN };

static a2f_wa_assertion_t  a2f_fuzz_a;


static void
a2f_fuzz_expect(a2f_wa_expect_t *e)
{
    memset(e, 0, sizeof(*e));
    e->rp_id = WV_RP_ID;
    e->origins = a2f_fuzz_origins;
    e->norigins = 1;
    e->challenge = wv_auth_challenge;
    e->challenge_len = sizeof(wv_auth_challenge);
    e->appid = WV_APPID;
}


static const wv_reg_t *
a2f_fuzz_reg(const char *name)
{
    size_t  i;

    for (i = 0; i < sizeof(wv_regs) / sizeof(wv_regs[0]); i++) {
        if (strcmp(wv_regs[i].name, name) == 0) {
            return &wv_regs[i];
        }
    }

    abort();
}


static int
a2f_fuzz_verify(const a2f_wa_assertion_t *a, const wv_reg_t *r,
    uint32_t stored)
{
    int              rc;
    char             why[128];
    uint32_t         newc;
    a2f_wa_expect_t  e;

    a2f_fuzz_expect(&e);
    memset(why, 0x55, sizeof(why));
    newc = 0xdeadbeef;

    rc = a2f_wa_assertion_verify(&e, a, r->alg, r->cose, r->cose_len,
                                 stored, &newc, why, sizeof(why));

    if (memchr(why, '\0', sizeof(why)) == NULL
        || (rc != A2F_OK && why[0] == '\0'))
    {
        abort();
    }

    switch (rc) {

    case A2F_OK:
        if ((newc == 0 && stored != 0) || (newc != 0 && newc <= stored)) {
            abort();
        }

        break;

    case A2F_ERR_INVALID:
    case A2F_ERR_AUTH:
    case A2F_ERR_REPLAY:
    case A2F_ERR_NOMEM:
    case A2F_ERR_CRYPTO:
        if (newc != 0xdeadbeef) {
            abort();
        }

        break;

    default:
        abort();
    }

    return rc;
}


static void
a2f_fuzz_edit(const uint8_t *p, size_t n)
{
    int                 rc;
    size_t              i, off, *len, max;
    uint8_t            *buf;
    const wv_reg_t     *r;
    const wv_assert_t  *v;
    a2f_wa_assertion_t *a;

    if (n < 1) {
        return;
    }

    v = &wv_asserts[p[0] % (sizeof(wv_asserts) / sizeof(wv_asserts[0]))];
    r = a2f_fuzz_reg(v->reg);
    a = &a2f_fuzz_a;

    memset(a, 0, sizeof(*a));
    memcpy(a->cred_id, r->id, r->id_len);
    a->cred_id_len = r->id_len;
    memcpy(a->client_data, v->cdj, v->cdj_len);
    a->client_data_len = v->cdj_len;
    memcpy(a->auth_data, v->ad, v->ad_len);
    a->auth_data_len = v->ad_len;
    memcpy(a->sig, v->sig, v->sig_len);
    a->sig_len = v->sig_len;
    a->appid = v->appid ^ ((p[0] & 0x80) != 0);
    p++;
    n--;

    for (i = 0; i + 4 <= n && i < 64; i += 4) {
        switch ((p[i] >> 2) % 3) {
        case 0:
            buf = a->client_data;
            len = &a->client_data_len;
            max = sizeof(a->client_data);
            break;
        case 1:
            buf = a->auth_data;
            len = &a->auth_data_len;
            max = sizeof(a->auth_data);
            break;
        default:
            buf = a->sig;
            len = &a->sig_len;
            max = sizeof(a->sig);
        }

        off = (size_t) p[i + 1] << 8 | p[i + 2];

        if (p[i] % 4 == 3) {
            *len = off % (*len + 1);

        } else if (*len > 0 && p[i] % 4 == 2 && *len < max) {
            buf[(*len)++] = p[i + 3];             /* one byte more */

        } else if (*len > 0) {
            buf[off % *len] ^= p[i + 3];
        }
    }

    rc = a2f_fuzz_verify(a, r, 0);

    if (rc == A2F_OK
        && (a->client_data_len != v->cdj_len
            || memcmp(a->client_data, v->cdj, v->cdj_len) != 0
            || a->auth_data_len != v->ad_len
            || memcmp(a->auth_data, v->ad, v->ad_len) != 0
            || !(v->flags & A2F_WA_FLAG_UP)
            || a->appid != v->appid))
    {
        abort();
    }
}


static void
a2f_fuzz_options(const uint8_t *p, size_t n)
{
    char          *s, appid[128];
    size_t         k;
    json_t        *root, *v;
    json_error_t   err;

    /* a user name */

    s = a2f_wa_creation_options(WV_RP_ID, NULL, (const char *) p, n,
                                wv_reg_challenge, 16, wv_reg_challenge, 32,
                                NULL, 0, 1000, 0);

    if (s != NULL) {
        root = json_loads(s, JSON_REJECT_DUPLICATES, &err);
        v = json_object_get(json_object_get(root, "user"), "name");

        if (root == NULL || !json_is_string(v) || json_string_length(v) != n
            || memcmp(json_string_value(v), p, n) != 0
            || strstr(s, "</") != NULL)
        {
            abort();
        }

        json_decref(root);
        free(s);
    }

    /* an appid */

    k = n < sizeof(appid) - 1 ? n : sizeof(appid) - 1;
    memcpy(appid, p, k);
    appid[k] = '\0';

    s = a2f_wa_request_options(WV_RP_ID, wv_auth_challenge, 32, NULL, 0,
                               appid, 0, 0);

    if (s != NULL) {
        root = json_loads(s, JSON_REJECT_DUPLICATES, &err);
        v = json_object_get(json_object_get(root, "extensions"), "appid");

        if (root == NULL || !json_is_string(v)
            || strcmp(json_string_value(v), appid) != 0)
        {
            abort();
        }

        json_decref(root);
        free(s);
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                   rc;
    char                  why[128];
    size_t                i, n;
    const uint8_t        *p;
    a2f_wa_client_data_t  cd;

    if (size < 1) {
        return 0;
    }

    p = data + 1;
    n = size - 1;

    switch (data[0] % 4) {

    case 0:
        memset(why, 0x55, sizeof(why));
        rc = a2f_wa_assertion_parse((const char *) p, n, &a2f_fuzz_a, why,
                                    sizeof(why));

        if (memchr(why, '\0', sizeof(why)) == NULL) {
            abort();
        }

        if (rc != A2F_OK) {
            if ((rc != A2F_ERR_INVALID && rc != A2F_ERR_NOMEM)
                || why[0] == '\0' || a2f_fuzz_a.sig_len != 0)
            {
                abort();
            }

            break;
        }

        if (a2f_fuzz_a.cred_id_len == 0
            || a2f_fuzz_a.cred_id_len > A2F_SECKEY_ID_MAX
            || a2f_fuzz_a.client_data_len == 0
            || a2f_fuzz_a.auth_data_len == 0 || a2f_fuzz_a.sig_len == 0
            || a2f_fuzz_a.user_handle_len > A2F_WA_USER_HANDLE_MAX)
        {
            abort();
        }

        for (i = 0; i < sizeof(wv_regs) / sizeof(wv_regs[0]); i++) {
            (void) a2f_fuzz_verify(&a2f_fuzz_a, &wv_regs[i], i);
        }

        break;

    case 1:
        a2f_fuzz_edit(p, n);
        break;

    case 2:
        rc = a2f_wa_client_data_parse(p, n, &cd, why, sizeof(why));

        if (rc == A2F_OK
            && (cd.challenge_len == 0
                || cd.challenge_len > A2F_WA_CHALLENGE_MAX
                || cd.origin_len == 0 || cd.origin_len > A2F_WA_ORIGIN_MAX
                || strlen(cd.origin) != cd.origin_len
                || cd.type < A2F_WA_TYPE_OTHER || cd.type > A2F_WA_TYPE_GET))
        {
            abort();
        }

        if (rc != A2F_OK && (cd.origin_len != 0 || cd.challenge_len != 0)) {
            abort();
        }

        break;

    default:
        a2f_fuzz_options(p, n);
    }

    return 0;
}
