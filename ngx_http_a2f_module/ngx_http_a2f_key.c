
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * ngx_http_a2f_key.c: security keys (WebAuthn, and FIDO U2F keys through
 * WebAuthn's appid extension), a2f_webauthn on:
 *
 *   GET  key                 the sign-in page (html/key.html, a2f.js)
 *   POST key/options         options for navigator.credentials.get()
 *   POST key/verify          the assertion: a two-factor session
 *   POST key/register/options  options for navigator.credentials.create()
 *   POST key/register        the new credential: stored
 *
 * The POSTs are JSON (at most A2F_WA_BODY_MAX bytes) with the CSRF token
 * in the X-A2F-CSRF header, bound to the session; the answers are JSON.
 * Challenges are 32 random bytes kept in LMDB for 2 minutes, single use.
 * Everything that writes or verifies a signature runs in the thread
 * pool.  The relying party (RP ID, origins) is the portal location's
 * configuration, never the request's Host header.
 */


#include "ngx_http_a2f_module.h"
#include "a2f_text.h"
#include "a2f_webauthn.h"
#include "a2f_wa_request.h"

#include <stdlib.h>
#include <openssl/crypto.h>
#include <openssl/err.h>


#define NGX_HTTP_A2F_KEY_OPTIONS      1
#define NGX_HTTP_A2F_KEY_VERIFY       2
#define NGX_HTTP_A2F_KEY_REG_OPTIONS  3
#define NGX_HTTP_A2F_KEY_REGISTER     4

#define NGX_HTTP_A2F_KEY_TTL          120       /* challenge, seconds */
#define NGX_HTTP_A2F_KEY_WHY          160


typedef struct {
    ngx_uint_t                 action;
    const char                *rp_id;
    const char                *rp_name;
    const char               **origins;
    size_t                     norigins;
    u_char                    *body;        /* a copy: the thread reads it */
    size_t                     body_len;
    char                       target[A2F_USER_MAX + 1];  /* whose key */
    size_t                     target_len;
    uint8_t                    handle[16];  /* WebAuthn user.id          */

    /* out */
    int                        rc;
    char                       why[NGX_HTTP_A2F_KEY_WHY];
    char                      *json;        /* options, malloc()ed      */
    char                       name[A2F_DEVICE_MAX + 1];
} ngx_http_a2f_key_job_t;


static ngx_int_t ngx_http_a2f_key_api_allowed(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_uint_t action, ngx_str_t *target);
static ngx_int_t ngx_http_a2f_key_csrf(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx);
static ngx_uint_t ngx_http_a2f_key_token_is(ngx_str_t *value, void *data);
static void ngx_http_a2f_key_verify(ngx_http_a2f_job_t *job,
    ngx_http_a2f_key_job_t *kj);
static void ngx_http_a2f_key_register(ngx_http_a2f_job_t *job,
    ngx_http_a2f_key_job_t *kj);
static void ngx_http_a2f_key_cleanup(void *data);


static ngx_str_t  ngx_http_a2f_json_type = ngx_string("application/json");


/* GET key: the page; a user without keys goes to the code page */

ngx_int_t
ngx_http_a2f_key_page(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx,
    ngx_uint_t status, const char *error)
{
    ngx_str_t                  binding, otc;
    a2f_user_t                 u;
    ngx_http_a2f_var_t         vars[2];
    ngx_http_a2f_srv_conf_t   *ascf;
    ngx_http_a2f_loc_conf_t   *alcf;
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);
    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);
    alcf = ngx_http_get_module_loc_conf(r, ngx_http_a2f_module);

    if (ctx->token.len != 0) {
        return NGX_HTTP_NOT_FOUND;
    }

    if (!alcf->webauthn) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: security key page refused: a2f_webauthn is off");
        return NGX_HTTP_NOT_FOUND;
    }

    if (!ctx->have_session) {
        return ngx_http_a2f_redirect(r, NGX_HTTP_MOVED_TEMPORARILY, "login",
                                     &ctx->rd, 0);
    }

    if (ctx->auth.level == A2F_LEVEL_TWO && !ctx->step_up) {
        return ngx_http_a2f_redirect(r, NGX_HTTP_MOVED_TEMPORARILY, NULL,
                                     &ctx->rd, 0);
    }

    if (ngx_http_a2f_session_user(r, ctx, &u) != NGX_OK) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    if (u.nkeys == 0) {
        return ngx_http_a2f_redirect(r, NGX_HTTP_MOVED_TEMPORARILY, "otc",
                                     &ctx->rd, ctx->step_up
                                               ? NGX_HTTP_A2F_RD_STEP : 0);
    }

    ngx_str_null(&otc);

    if (u.ndevices > 0) {
        otc.len = sizeof("<p class=\"small\"><a href=\"otc?rd=\">Use a code "
                         "from your authenticator app instead</a></p>") - 1
                  + 3 * ctx->rd.len + ascf->portal.len
                  + sizeof("&amp;step=1");
        otc.data = ngx_pnalloc(r->pool, otc.len);
        if (otc.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        otc.len = ngx_sprintf(otc.data, "<p class=\"small\"><a href=\"%Votc"
                              "?rd=", &ascf->portal)
                  - otc.data;
        otc.len += a2f_url_escape((char *) ctx->rd.data, ctx->rd.len,
                                  (char *) otc.data + otc.len,
                                  3 * ctx->rd.len + 1);
        otc.len = ngx_sprintf(otc.data + otc.len, "%s\">Use a code from your "
                              "authenticator app instead</a></p>",
                              ctx->step_up ? "&amp;step=1" : "")
                  - otc.data;
    }

    vars[0].name = "user";
    vars[0].value = ctx->auth.user;
    vars[0].raw = 0;
    vars[1].name = "otc";
    vars[1].value = otc;
    vars[1].raw = 1;

    binding.data = (u_char *) ctx->auth.session.sid;
    binding.len = ngx_strlen(ctx->auth.session.sid);

    return ngx_http_a2f_form_page(r, ctx, &amcf->page_key, status, error,
                                  &binding, vars, 2);
}


/* POST key/...: the JSON endpoints (the body is read, not checked) */

ngx_int_t
ngx_http_a2f_key_api(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx,
    ngx_str_t *body)
{
    size_t                     len;
    u_char                    *p;
    ngx_int_t                  rc;
    ngx_str_t                  target, *o;
    ngx_uint_t                 i, action;
    ngx_pool_cleanup_t        *cln;
    ngx_http_a2f_job_t        *job;
    ngx_http_a2f_key_job_t    *kj;
    ngx_http_a2f_srv_conf_t   *ascf;
    ngx_http_a2f_loc_conf_t   *alcf;
    ngx_http_a2f_main_conf_t  *amcf;
    char                       user[A2F_USER_MAX + 1], name[33];
    char                       why[NGX_HTTP_A2F_KEY_WHY];
    size_t                     ulen, nlen;
    uint8_t                    mac[32];

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);
    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);
    alcf = ngx_http_get_module_loc_conf(r, ngx_http_a2f_module);

    if (ctx->token.len == 8 && ngx_strncmp(ctx->token.data, "/options", 8)
                               == 0)
    {
        action = NGX_HTTP_A2F_KEY_OPTIONS;

    } else if (ctx->token.len == 7
               && ngx_strncmp(ctx->token.data, "/verify", 7) == 0)
    {
        action = NGX_HTTP_A2F_KEY_VERIFY;

    } else if (ctx->token.len == 17
               && ngx_strncmp(ctx->token.data, "/register/options", 17) == 0)
    {
        action = NGX_HTTP_A2F_KEY_REG_OPTIONS;

    } else if (ctx->token.len == 9
               && ngx_strncmp(ctx->token.data, "/register", 9) == 0)
    {
        action = NGX_HTTP_A2F_KEY_REGISTER;

    } else {
        return ngx_http_a2f_json_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                                       "No such endpoint.");
    }

    if (!alcf->webauthn) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: security key request refused: a2f_webauthn is "
                      "off");
        return ngx_http_a2f_json_error(r, NGX_HTTP_NOT_FOUND, "off",
                   "Security keys are turned off on this site.");
    }

    if (!ctx->have_session) {
        return ngx_http_a2f_json_error(r, NGX_HTTP_UNAUTHORIZED,
                   "unauthorized", "Your session has ended. Sign in again.");
    }

    rc = ngx_http_a2f_key_csrf(r, ctx);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    /* whose key: the session's user, or an administrator's target */

    target = ctx->auth.user;

    if (action == NGX_HTTP_A2F_KEY_REG_OPTIONS
        || action == NGX_HTTP_A2F_KEY_REGISTER)
    {
        if (a2f_wa_register_request((char *) body->data, body->len, user,
                                    &ulen, name, &nlen, NULL, NULL, why,
                                    sizeof(why))
            != A2F_OK)
        {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "a2f: security key registration by \"%V\" "
                          "refused: %s", &ctx->auth.user, why);
            return ngx_http_a2f_json_error(r, NGX_HTTP_BAD_REQUEST,
                                           "malformed", why);
        }

        if (ulen) {
            target.data = ngx_pnalloc(r->pool, ulen);
            if (target.data == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            ngx_memcpy(target.data, user, ulen);
            target.len = ulen;
        }
    }

    rc = ngx_http_a2f_key_api_allowed(r, ctx, action, &target);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    job = ctx->job;

    kj = ngx_pcalloc(r->pool, sizeof(ngx_http_a2f_key_job_t));
    if (kj == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_http_a2f_key_cleanup;
    cln->data = kj;

    job->ext = kj;
    kj->action = action;
    kj->rp_id = (char *) alcf->rp_id.data;
    kj->rp_name = (char *) ascf->issuer.data;

    kj->norigins = alcf->origins->nelts;
    kj->origins = ngx_palloc(r->pool, kj->norigins * sizeof(char *));
    if (kj->origins == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    o = alcf->origins->elts;

    for (i = 0; i < kj->norigins; i++) {
        kj->origins[i] = (char *) o[i].data;
    }

    ngx_memcpy(kj->target, target.data, target.len);
    kj->target[target.len] = '\0';
    kj->target_len = target.len;

    /* a stable user handle that does not tell the name */

    len = sizeof("a2f-user-handle:") - 1 + target.len;
    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_sprintf(p, "a2f-user-handle:%V", &target);

    if (a2f_mac_compute(amcf->mac, NULL, p, len, mac) != A2F_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_memcpy(kj->handle, mac, sizeof(kj->handle));

    if (action == NGX_HTTP_A2F_KEY_VERIFY
        || action == NGX_HTTP_A2F_KEY_REGISTER)
    {
        kj->body = ngx_pnalloc(r->pool, body->len + 1);
        if (kj->body == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_memcpy(kj->body, body->data, body->len);
        kj->body[body->len] = '\0';
        kj->body_len = body->len;
    }

    return ngx_http_a2f_post_job(r, ctx);
}


/* In a thread pool thread (nginx-free): the store and the core. */

void
ngx_http_a2f_key_run(ngx_http_a2f_job_t *job)
{
    int                      rc;
    unsigned                 n, i;
    uint8_t                  challenge[A2F_CHALLENGE_LEN];
    const char              *appid;
    a2f_seckey_t            *keys;
    ngx_http_a2f_key_job_t  *kj;

    kj = job->ext;

    switch (kj->action) {

    case NGX_HTTP_A2F_KEY_VERIFY:
        ngx_http_a2f_key_verify(job, kj);
        ERR_clear_error();      /* a refused key leaves OpenSSL errors */
        return;

    case NGX_HTTP_A2F_KEY_REGISTER:
        ngx_http_a2f_key_register(job, kj);
        ERR_clear_error();
        return;

    default:
        break;
    }

    /* options: the user's keys, a new challenge, the JSON */

    keys = malloc(A2F_SECKEYS_MAX * sizeof(a2f_seckey_t));
    if (keys == NULL) {
        kj->rc = A2F_ERR_NOMEM;
        return;
    }

    rc = a2f_store_seckey_list(job->store, kj->target, kj->target_len, keys,
                               A2F_SECKEYS_MAX, &n);

    if (rc == A2F_OK && n == 0 && kj->action == NGX_HTTP_A2F_KEY_OPTIONS) {
        rc = A2F_ERR_NOTFOUND;
        ngx_cpystrn((u_char *) kj->why, (u_char *) "no security key is "
                    "registered", sizeof(kj->why));
    }

    if (rc == A2F_OK) {
        rc = a2f_store_challenge_new(job->store, kj->target, kj->target_len,
                                     kj->action == NGX_HTTP_A2F_KEY_OPTIONS
                                     ? A2F_CHALLENGE_ASSERT
                                     : A2F_CHALLENGE_REGISTER,
                                     job->now + NGX_HTTP_A2F_KEY_TTL,
                                     job->now, challenge);
    }

    if (rc == A2F_OK) {
        if (kj->action == NGX_HTTP_A2F_KEY_OPTIONS) {
            appid = NULL;

            for (i = 0; i < n; i++) {
                if (keys[i].appid[0]) {
                    appid = keys[i].appid;
                    break;
                }
            }

            kj->json = a2f_wa_request_options(kj->rp_id, challenge,
                                              sizeof(challenge), keys, n,
                                              appid,
                                              NGX_HTTP_A2F_KEY_TTL * 1000, 0);

        } else {
            kj->json = a2f_wa_creation_options(kj->rp_id, kj->rp_name,
                                               kj->target, kj->target_len,
                                               kj->handle, sizeof(kj->handle),
                                               challenge, sizeof(challenge),
                                               keys, n,
                                               NGX_HTTP_A2F_KEY_TTL * 1000,
                                               0);
        }

        if (kj->json == NULL) {
            rc = A2F_ERR_NOMEM;
        }
    }

    ngx_explicit_memzero(challenge, sizeof(challenge));
    free(keys);

    kj->rc = rc;
}


/* An assertion: challenge, key, signature, counter, then the store. */

static void
ngx_http_a2f_key_verify(ngx_http_a2f_job_t *job, ngx_http_a2f_key_job_t *kj)
{
    int                  rc;
    char                 ignored[NGX_HTTP_A2F_KEY_WHY];
    uint32_t             count;
    uint8_t              challenge[A2F_CHALLENGE_LEN];
    a2f_seckey_t        *k;
    a2f_wa_expect_t      e;
    a2f_wa_auth_data_t   ad;
    a2f_wa_assertion_t  *a;

    a = malloc(sizeof(a2f_wa_assertion_t));
    k = malloc(sizeof(a2f_seckey_t));

    if (a == NULL || k == NULL) {
        kj->rc = A2F_ERR_NOMEM;
        goto done;
    }

    rc = a2f_store_locked(job->store, &job->lockout, kj->target,
                          kj->target_len, job->addr, job->now);
    if (rc != A2F_OK) {
        kj->rc = rc;
        goto done;
    }

    /* the challenge goes, whatever happens next */

    rc = a2f_store_challenge_take(job->store, kj->target, kj->target_len,
                                  A2F_CHALLENGE_ASSERT, job->now, challenge);
    if (rc == A2F_ERR_NOTFOUND || rc == A2F_ERR_EXPIRED) {
        ngx_cpystrn((u_char *) kj->why, (u_char *) "the challenge expired or "
                    "was used; press the button again", sizeof(kj->why));
        kj->rc = A2F_ERR_EXPIRED;
        goto done;
    }

    if (rc != A2F_OK) {
        kj->rc = rc;
        goto done;
    }

    rc = a2f_wa_assertion_parse((char *) kj->body, kj->body_len, a, kj->why,
                                sizeof(kj->why));
    if (rc != A2F_OK) {
        kj->rc = rc;
        goto done;
    }

    rc = a2f_store_seckey_find(job->store, kj->target, kj->target_len,
                               a->cred_id, a->cred_id_len, k);

    if (rc == A2F_ERR_NOTFOUND) {
        ngx_cpystrn((u_char *) kj->why, (u_char *) "this key is not "
                    "registered for the account", sizeof(kj->why));
        (void) a2f_store_seckey_fail(job->store, &job->lockout, kj->target,
                                     kj->target_len, job->addr, kj->why,
                                     job->now);
        kj->rc = A2F_ERR_AUTH;
        goto done;
    }

    if (rc != A2F_OK) {
        kj->rc = rc;
        goto done;
    }

    ngx_cpystrn((u_char *) kj->name, (u_char *) k->name, sizeof(kj->name));

    ngx_memzero(&e, sizeof(a2f_wa_expect_t));
    e.rp_id = kj->rp_id;
    e.origins = kj->origins;
    e.norigins = kj->norigins;
    e.challenge = challenge;
    e.challenge_len = sizeof(challenge);
    e.appid = k->appid[0] ? k->appid : NULL;

    rc = a2f_wa_assertion_verify(&e, a, k->alg, k->pubkey, k->pubkey_len,
                                 k->sign_count, &count, kj->why,
                                 sizeof(kj->why));

    if (rc == A2F_ERR_REPLAY) {
        /* the counter went back: the store marks the key and audits it */

        if (a2f_wa_auth_data_parse(a->auth_data, a->auth_data_len, 0, &ad,
                                   ignored, sizeof(ignored))
            == A2F_OK)
        {
            count = ad.sign_count;
            rc = A2F_OK;
        }
    }

    if (rc != A2F_OK) {
        (void) a2f_store_seckey_fail(job->store, &job->lockout, kj->target,
                                     kj->target_len, job->addr, kj->why,
                                     job->now);
        kj->rc = rc;
        goto done;
    }

    kj->rc = a2f_store_seckey_use(job->store, &job->lockout, kj->target,
                                  kj->target_len, job->addr, a->cred_id,
                                  a->cred_id_len, count, job->now);

    if (kj->rc == A2F_ERR_REPLAY) {
        ngx_cpystrn((u_char *) kj->why, (u_char *) "the key's signature "
                    "counter went backwards: it may have been copied",
                    sizeof(kj->why));
    }

done:

    ngx_explicit_memzero(challenge, sizeof(challenge));
    free(a);
    free(k);
}


/* A new credential: challenge, attestation, then the store. */

static void
ngx_http_a2f_key_register(ngx_http_a2f_job_t *job,
    ngx_http_a2f_key_job_t *kj)
{
    int               rc;
    char             *cred_json, user[A2F_USER_MAX + 1], name[33];
    char              detail[A2F_USER_MAX + A2F_DEVICE_MAX + 16];
    size_t            ulen, nlen, clen;
    uint8_t           challenge[A2F_CHALLENGE_LEN];
    a2f_seckey_t     *k;
    a2f_wa_cred_t    *c;
    a2f_wa_expect_t   e;

    cred_json = NULL;
    c = malloc(sizeof(a2f_wa_cred_t));
    k = calloc(1, sizeof(a2f_seckey_t));

    if (c == NULL || k == NULL) {
        kj->rc = A2F_ERR_NOMEM;
        goto done;
    }

    rc = a2f_store_challenge_take(job->store, kj->target, kj->target_len,
                                  A2F_CHALLENGE_REGISTER, job->now,
                                  challenge);
    if (rc == A2F_ERR_NOTFOUND || rc == A2F_ERR_EXPIRED) {
        ngx_cpystrn((u_char *) kj->why, (u_char *) "the challenge expired or "
                    "was used; press the button again", sizeof(kj->why));
        kj->rc = A2F_ERR_EXPIRED;
        goto done;
    }

    if (rc != A2F_OK) {
        kj->rc = rc;
        goto done;
    }

    rc = a2f_wa_register_request((char *) kj->body, kj->body_len, user,
                                 &ulen, name, &nlen, &cred_json, &clen,
                                 kj->why, sizeof(kj->why));
    if (rc != A2F_OK) {
        kj->rc = rc;
        goto done;
    }

    ngx_memzero(&e, sizeof(a2f_wa_expect_t));
    e.rp_id = kj->rp_id;
    e.origins = kj->origins;
    e.norigins = kj->norigins;
    e.challenge = challenge;
    e.challenge_len = sizeof(challenge);

    rc = a2f_wa_register(&e, cred_json, clen, c, kj->why, sizeof(kj->why));
    if (rc != A2F_OK) {
        kj->rc = rc;
        goto done;
    }

    ngx_memcpy(k->name, name, nlen + 1);
    ngx_memcpy(k->cred_id, c->cred_id, c->cred_id_len);
    k->cred_id_len = c->cred_id_len;
    k->alg = c->alg;
    ngx_memcpy(k->pubkey, c->pubkey, c->pubkey_len);
    k->pubkey_len = c->pubkey_len;
    k->sign_count = c->sign_count;
    ngx_memcpy(k->aaguid, c->aaguid, sizeof(k->aaguid));
    ngx_cpystrn((u_char *) k->fmt, (u_char *) c->fmt, sizeof(k->fmt));
    k->transports = c->transports & 0x1f;

    rc = a2f_store_seckey_add(job->store, kj->target, kj->target_len, k,
                              job->now);

    if (rc == A2F_OK) {
        ngx_cpystrn((u_char *) kj->name, (u_char *) k->name,
                    sizeof(kj->name));
        ngx_snprintf((u_char *) detail, sizeof(detail) - 1,
                     "key=%s fmt=%s by=%s%Z", k->name, k->fmt, job->user);
        (void) a2f_store_audit(job->store, job->now, "key_add", kj->target,
                               kj->target_len, job->addr, detail);
    }

    if (rc == A2F_ERR_EXISTS) {
        ngx_cpystrn((u_char *) kj->why, (u_char *) "a key of that name, or "
                    "this very key, is registered already", sizeof(kj->why));
    }

    if (rc == A2F_ERR_TOOBIG) {
        ngx_cpystrn((u_char *) kj->why, (u_char *) "the account has the most "
                    "security keys allowed (8)", sizeof(kj->why));
    }

    kj->rc = rc;

done:

    ngx_explicit_memzero(challenge, sizeof(challenge));
    free(cred_json);
    free(c);
    free(k);
}


/* Back on the event loop: the JSON answer. */

ngx_int_t
ngx_http_a2f_key_done(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx)
{
    u_char                  *p;
    ngx_str_t                out;
    ngx_uint_t               level;
    ngx_http_a2f_key_job_t  *kj;

    kj = ctx->job->ext;

    switch (kj->rc) {

    case A2F_OK:
        break;

    case A2F_ERR_INVALID:
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: security key request of \"%V\" refused as "
                      "malformed: %s", &ctx->auth.user, kj->why);
        return ngx_http_a2f_json_error(r, NGX_HTTP_BAD_REQUEST, "malformed",
                                       kj->why);

    case A2F_ERR_NOTFOUND:
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: security key request of \"%V\": %s",
                      &ctx->auth.user, kj->why[0] ? kj->why : "no such user");
        return ngx_http_a2f_json_error(r, NGX_HTTP_NOT_FOUND, "not_found",
                   kj->why[0] ? kj->why : "There is no such user.");

    case A2F_ERR_EXISTS:
    case A2F_ERR_TOOBIG:
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: security key of \"%s\" not registered: %s",
                      kj->target, kj->why);
        return ngx_http_a2f_json_error(r, NGX_HTTP_CONFLICT, "conflict",
                                       kj->why);

    case A2F_ERR_LOCKED:
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "a2f: security key of locked user \"%s\" refused",
                      kj->target);
        return ngx_http_a2f_json_error(r, NGX_HTTP_FORBIDDEN, "locked",
                   "Too many failed attempts. Wait a while, then try again.");

    case A2F_ERR_DISABLED:
        return ngx_http_a2f_json_error(r, NGX_HTTP_FORBIDDEN, "disabled",
                                       "This account is disabled.");

    case A2F_ERR_EXPIRED:
    case A2F_ERR_AUTH:
    case A2F_ERR_REPLAY:
        level = (kj->rc == A2F_ERR_REPLAY) ? NGX_LOG_WARN : NGX_LOG_INFO;
        ngx_log_error(level, r->connection->log, 0,
                      "a2f: security key of \"%s\" refused: %s",
                      kj->target, kj->why);

        /* the log has the details; the user gets plain words */

        return ngx_http_a2f_json_error(r, NGX_HTTP_FORBIDDEN, "refused",
            kj->rc == A2F_ERR_EXPIRED
            ? "The request expired. Press the button again."
            : kj->rc == A2F_ERR_REPLAY
            ? "This key is blocked: its signature counter went backwards, "
              "so it may have been copied. Ask your administrator."
            : ngx_strncmp(kj->why, "this key is not registered", 26) == 0
            ? "This key is not registered for your account."
            : "The key's answer could not be verified. Press the button "
              "to try again.");

    default:
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "a2f: security key request of \"%s\" failed: %s",
                      kj->target, a2f_strerror(kj->rc));
        return ngx_http_a2f_json_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "unavailable", "Try again later.");
    }

    switch (kj->action) {

    case NGX_HTTP_A2F_KEY_VERIFY:
        if (ngx_http_a2f_second_factor(r, &ctx->auth.session) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: user \"%s\" passed the security key \"%s\"",
                      kj->target, kj->name);

        if (!ctx->rd_given) {
            ngx_str_set(&out, "{\"ok\":true}");   /* the page knows rd */
            break;
        }

        out.len = sizeof("{\"ok\":true,\"next\":\"\"}") - 1
                  + 6 * ctx->rd.len;
        out.data = ngx_pnalloc(r->pool, out.len + 1);
        if (out.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        p = ngx_cpymem(out.data, "{\"ok\":true,\"next\":\"",
                       sizeof("{\"ok\":true,\"next\":\"") - 1);
        p += a2f_json_escape((char *) ctx->rd.data, ctx->rd.len, (char *) p,
                             6 * ctx->rd.len + 1);
        p = ngx_cpymem(p, "\"}", 2);
        out.len = p - out.data;
        break;

    case NGX_HTTP_A2F_KEY_REGISTER:
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: user \"%V\" registered the security key \"%s\" "
                      "of \"%s\"", &ctx->auth.user, kj->name, kj->target);

        out.len = sizeof("{\"ok\":true,\"name\":\"\"}") - 1
                  + 6 * sizeof(kj->name);
        out.data = ngx_pnalloc(r->pool, out.len + 1);
        if (out.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        p = ngx_cpymem(out.data, "{\"ok\":true,\"name\":\"",
                       sizeof("{\"ok\":true,\"name\":\"") - 1);
        p += a2f_json_escape(kj->name, ngx_strlen(kj->name), (char *) p,
                             6 * sizeof(kj->name));
        p = ngx_cpymem(p, "\"}", 2);
        out.len = p - out.data;
        break;

    default: /* the options */
        out.len = sizeof("{\"publicKey\":}") - 1 + ngx_strlen(kj->json);
        out.data = ngx_pnalloc(r->pool, out.len);
        if (out.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_sprintf(out.data, "{\"publicKey\":%s}", kj->json);
        break;
    }

    return ngx_http_a2f_send(r, NGX_HTTP_OK, &ngx_http_a2f_json_type, &out);
}


/*
 * Who may do what: sign-in (options, verify) with any session; a key
 * registered for oneself with a two-factor session; for another user by
 * an administrator with a recent second factor.  NGX_DECLINED: go on.
 */

static ngx_int_t
ngx_http_a2f_key_api_allowed(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_uint_t action, ngx_str_t *target)
{
    a2f_user_t                 u;
    ngx_http_a2f_srv_conf_t   *ascf;

    if (action == NGX_HTTP_A2F_KEY_OPTIONS
        || action == NGX_HTTP_A2F_KEY_VERIFY)
    {
        return NGX_DECLINED;
    }

    if (ctx->auth.level < A2F_LEVEL_TWO) {
        return ngx_http_a2f_json_error(r, NGX_HTTP_FORBIDDEN, "forbidden",
                   "Adding a security key needs a sign-in with your second "
                   "factor first.");
    }

    if (target->len == ctx->auth.user.len
        && ngx_strncmp(target->data, ctx->auth.user.data, target->len) == 0)
    {
        return NGX_DECLINED;
    }

    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    if (ngx_http_a2f_session_user(r, ctx, &u) != NGX_OK) {
        return ngx_http_a2f_json_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       "unavailable", "Try again later.");
    }

    if (!ascf->admin || !(u.flags & A2F_USER_ADMIN)) {
        ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                      "a2f: security key registration for \"%V\" refused "
                      "to \"%V\": not an administrator", target,
                      &ctx->auth.user);
        return ngx_http_a2f_json_error(r, NGX_HTTP_FORBIDDEN, "forbidden",
                   "Only an administrator may add a key for another user.");
    }

    if (ngx_time() - ctx->auth.session.factor >= ascf->admin_max_age) {
        return ngx_http_a2f_json_error(r, NGX_HTTP_FORBIDDEN, "step_up",
                   "Your second factor is too old for the admin pages: "
                   "reload the page and confirm with a fresh one.");
    }

    return NGX_DECLINED;
}


/*
 * X-A2F-CSRF: the token bound to the session, as the forms' csrf field.
 * NGX_DECLINED: it is there; anything else is the answer.
 */

static ngx_int_t
ngx_http_a2f_key_csrf(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx)
{
    ngx_str_t  binding, token;

    binding.data = (u_char *) ctx->auth.session.sid;
    binding.len = ngx_strlen(ctx->auth.session.sid);

    if (ngx_http_a2f_csrf_token(r, &binding, &token) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_a2f_header_any(r, "X-A2F-CSRF", ngx_http_a2f_key_token_is,
                                &token))
    {
        return NGX_DECLINED;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "a2f: security key request of \"%V\" without a valid "
                  "X-A2F-CSRF header refused", &ctx->auth.user);

    return ngx_http_a2f_json_error(r, NGX_HTTP_FORBIDDEN, "csrf",
               "The page had expired. Reload it and try again.");
}


static ngx_uint_t
ngx_http_a2f_key_token_is(ngx_str_t *value, void *data)
{
    ngx_str_t  *token = data;

    return value->len == token->len
           && CRYPTO_memcmp(value->data, token->data, token->len) == 0;
}


/* {"error": error, "reason": reason} with status */

ngx_int_t
ngx_http_a2f_json_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *error, const char *reason)
{
    u_char     *p;
    size_t      len;
    ngx_str_t   out;

    len = ngx_strlen(reason);

    out.data = ngx_pnalloc(r->pool, 64 + ngx_strlen(error) + 6 * len);
    if (out.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_sprintf(out.data, "{\"error\":\"%s\",\"reason\":\"", error);
    p += a2f_json_escape(reason, len, (char *) p, 6 * len + 1);
    p = ngx_cpymem(p, "\"}\n", 3);
    out.len = p - out.data;

    return ngx_http_a2f_send(r, status, &ngx_http_a2f_json_type, &out);
}


static void
ngx_http_a2f_key_cleanup(void *data)
{
    ngx_http_a2f_key_job_t  *kj = data;

    free(kj->json);
    kj->json = NULL;

    if (kj->body) {
        ngx_explicit_memzero(kj->body, kj->body_len);
    }
}
