
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * ngx_http_a2f_enroll.c: self-service activation of an authenticator app
 * (a2f_enroll on).  A fresh secret is shown as a QR code and as text; it
 * travels in the form as a sealed "ticket" (AES-256-GCM, bound to the
 * user and the session, 10 minutes), and is stored only after the user
 * typed a valid code from it.  A wrong code stores nothing and the same
 * secret may be tried again.
 */


#include "ngx_http_a2f_module.h"
#include "a2f_qr.h"
#include "a2f_text.h"
#include "a2f_totp.h"


#define NGX_HTTP_A2F_ENROLL_TTL     600
#define NGX_HTTP_A2F_TICKET_PT      (8 + NGX_HTTP_A2F_SECRET_LEN)
#define NGX_HTTP_A2F_TICKET_LEN     (NGX_HTTP_A2F_TICKET_PT + A2F_SEAL_OVERHEAD)
#define NGX_HTTP_A2F_TICKET_TEXT    128
#define NGX_HTTP_A2F_SVG_GUESS      (64 * 1024)


static size_t ngx_http_a2f_ticket_aad(ngx_http_a2f_portal_ctx_t *ctx,
    uint8_t *aad);
static ngx_int_t ngx_http_a2f_enroll_allowed(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx);


/*
 * The activation page.  ticket NULL: a new secret; else the secret in the
 * ticket again (after a wrong code).
 */

ngx_int_t
ngx_http_a2f_enroll_page(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_uint_t status, const char *error,
    u_char *ticket, size_t ticket_len)
{
    size_t                     n, aadlen;
    uint8_t                    secret[NGX_HTTP_A2F_SECRET_LEN];
    uint8_t                    aad[16 + A2F_USER_MAX + 1 + A2F_SID_LEN];
    ngx_int_t                  rc;
    ngx_str_t                  binding, tk;
    ngx_http_a2f_var_t         vars[5];
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);

    rc = ngx_http_a2f_enroll_allowed(r, ctx);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    aadlen = ngx_http_a2f_ticket_aad(ctx, aad);

    if (ticket == NULL
        || ngx_http_a2f_ticket_open(r, aad, aadlen, ticket, ticket_len,
                                    secret)
           != NGX_OK)
    {
        if (a2f_random(secret, sizeof(secret)) != A2F_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    rc = ngx_http_a2f_ticket_seal(r, aad, aadlen, secret, &tk);

    if (rc == NGX_OK) {
        rc = ngx_http_a2f_totp_vars(r, ctx->auth.session.user,
                                    ctx->auth.session.user_len, secret,
                                    &vars[1]);
    }

    ngx_explicit_memzero(secret, sizeof(secret));

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    vars[0].name = "user";
    vars[0].value = ctx->auth.user;
    vars[0].raw = 0;
    vars[4].name = "ticket";
    vars[4].value = tk;
    vars[4].raw = 0;
    n = 5;

    binding.data = (u_char *) ctx->auth.session.sid;
    binding.len = ngx_strlen(ctx->auth.session.sid);

    return ngx_http_a2f_form_page(r, ctx, &amcf->page_enroll, status, error,
                                  &binding, vars, n);
}


/* POST enroll: the CSRF token was checked by the caller. */

ngx_int_t
ngx_http_a2f_enroll_form(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *body)
{
    int                        rc;
    char                       ticket[NGX_HTTP_A2F_TICKET_TEXT];
    char                       code[A2F_CODE_MAX + 1];
    size_t                     ticket_len, code_len, aadlen;
    uint8_t                    aad[16 + A2F_USER_MAX + 1 + A2F_SID_LEN];
    uint64_t                   step;
    ngx_int_t                  allowed;
    ngx_http_a2f_job_t        *job;
    ngx_http_a2f_srv_conf_t   *ascf;

    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    allowed = ngx_http_a2f_enroll_allowed(r, ctx);
    if (allowed != NGX_DECLINED) {
        return allowed;
    }

    job = ctx->job;
    aadlen = ngx_http_a2f_ticket_aad(ctx, aad);

    if (a2f_form_get((char *) body->data, body->len, "ticket", ticket,
                     sizeof(ticket), &ticket_len)
        != A2F_OK
        || ngx_http_a2f_ticket_open(r, aad, aadlen, (u_char *) ticket,
                                    ticket_len, job->secret)
           != NGX_OK)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: enrollment of user \"%V\": missing, foreign or "
                      "expired ticket", &ctx->auth.user);
        return ngx_http_a2f_enroll_page(r, ctx, NGX_HTTP_BAD_REQUEST,
                                        "This setup page had expired. "
                                        "Scan the new code and try again.",
                                        NULL, 0);
    }

    job->secret_len = NGX_HTTP_A2F_SECRET_LEN;

    if (a2f_form_get((char *) body->data, body->len, "code", code,
                     sizeof(code), &code_len)
        != A2F_OK)
    {
        code_len = 0;
    }

    rc = a2f_totp_check(job->secret, job->secret_len, A2F_SHA1, 6, 30,
                        ngx_time(), ascf->totp_window, code, code_len, 0,
                        &step);

    ngx_explicit_memzero(code, sizeof(code));

    if (rc != A2F_OK) {
        ngx_explicit_memzero(job->secret, sizeof(job->secret));

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: enrollment of user \"%V\": %s code",
                      &ctx->auth.user,
                      rc == A2F_ERR_INVALID ? "malformed" : "wrong");

        /* the same secret again: nothing was stored */

        return ngx_http_a2f_enroll_page(r, ctx,
                   rc == A2F_ERR_INVALID ? NGX_HTTP_BAD_REQUEST : NGX_HTTP_OK,
                   rc == A2F_ERR_INVALID
                       ? "Type the 6 digits your authenticator app shows."
                       : "That code did not work. Check that the app shows "
                         "this account, wait for the next code and try again.",
                   (u_char *) ticket, ticket_len);
    }

    job->step = step;
    job->level = ctx->auth.level;

    return ngx_http_a2f_post_job(r, ctx);
}


/* In a thread pool thread: store the device (nginx-free). */

void
ngx_http_a2f_enroll_run(ngx_http_a2f_job_t *job)
{
    int             rc;
    unsigned        i;
    a2f_user_t      u;
    a2f_totp_dev_t  d;

    rc = a2f_store_user_get(job->store, job->user, job->user_len, &u);
    ngx_explicit_memzero(u.pwhash, sizeof(u.pwhash));

    if (rc != A2F_OK) {
        job->rc = rc;
        return;
    }

    /* with the password only, a device may be added to none at all */

    if (job->level < A2F_LEVEL_TWO && u.ndevices > 0) {
        job->rc = A2F_ERR_EXISTS;
        return;
    }

    ngx_memzero(&d, sizeof(a2f_totp_dev_t));
    d.alg = A2F_SHA1;
    d.digits = 6;
    d.period = 30;
    d.last_step = job->step;        /* the code just typed is used up */
    ngx_memcpy(d.secret, job->secret, job->secret_len);
    d.secret_len = job->secret_len;

    rc = A2F_ERR_EXISTS;

    for (i = u.ndevices; rc == A2F_ERR_EXISTS && i < A2F_DEVICES_MAX; i++) {
        if (i == 0) {
            ngx_cpystrn((u_char *) d.name, (u_char *) "default",
                        sizeof(d.name));
        } else {
            ngx_snprintf((u_char *) d.name, sizeof(d.name) - 1,
                         "device-%ud%Z", i + 1);
        }

        rc = a2f_store_totp_add(job->store, job->user, job->user_len, &d,
                                job->now);
    }

    if (rc == A2F_ERR_EXISTS) {
        rc = A2F_ERR_TOOBIG;
    }

    if (rc == A2F_OK) {
        (void) a2f_store_audit(job->store, job->now, "enroll", job->user,
                               job->user_len, job->addr, d.name);
    }

    ngx_explicit_memzero(&d, sizeof(a2f_totp_dev_t));

    job->rc = rc;
}


ngx_int_t
ngx_http_a2f_enroll_done(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx)
{
    ngx_str_t            href;
    a2f_session_t       *s;
    ngx_http_a2f_job_t  *job;

    job = ctx->job;
    s = &ctx->auth.session;

    switch (job->rc) {

    case A2F_OK:
        /* the user has just proved the new device: a two-factor session */

        if (ngx_http_a2f_second_factor(r, s) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: user \"%s\" enrolled an authenticator app",
                      job->user);

        return ngx_http_a2f_redirect(r, NGX_HTTP_SEE_OTHER, NULL, &ctx->rd,
                                     0);

    case A2F_ERR_EXISTS:
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "a2f: enrollment refused: user \"%s\" has a device "
                      "already and only a one-factor session", job->user);
        return ngx_http_a2f_redirect(r, NGX_HTTP_SEE_OTHER, "otc", &ctx->rd,
                                     0);

    case A2F_ERR_TOOBIG:
        ngx_str_set(&href, "logout");
        return ngx_http_a2f_message_page(r, NGX_HTTP_FORBIDDEN,
                   "Too many devices",
                   "Your account has the most authenticator apps allowed. "
                   "Ask your administrator to remove one.",
                   &href, "Sign out");

    default:
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "a2f: enrollment of user \"%s\" failed: %s",
                      job->user, a2f_strerror(job->rc));
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }
}


/*
 * Who may enroll: anyone with a two-factor session (another device), or
 * a one-factor session of a user without any device; never with
 * "a2f_enroll off".  NGX_DECLINED: go on; anything else is the answer
 * (a redirect, or a page already sent).
 */

static ngx_int_t
ngx_http_a2f_enroll_allowed(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx)
{
    unsigned                   ndevices;
    ngx_http_a2f_srv_conf_t   *ascf;

    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    if (!ctx->have_session) {
        return ngx_http_a2f_redirect(r, NGX_HTTP_SEE_OTHER, "login",
                                     &ctx->rd, 0);
    }

    if (!ascf->enroll) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: enrollment by user \"%V\" refused: "
                      "a2f_enroll is off", &ctx->auth.user);
        return ngx_http_a2f_no_device_page(r);
    }

    if (ctx->auth.level >= A2F_LEVEL_TWO) {
        return NGX_DECLINED;
    }

    if (ngx_http_a2f_devices(r, ctx, &ndevices, NULL) != NGX_OK) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    if (ndevices > 0) {
        /* the password alone never adds a device */
        return ngx_http_a2f_redirect(r, NGX_HTTP_SEE_OTHER, "otc",
                                     &ctx->rd, 0);
    }

    return NGX_DECLINED;
}


static size_t
ngx_http_a2f_ticket_aad(ngx_http_a2f_portal_ctx_t *ctx, uint8_t *aad)
{
    u_char  *p;

    p = ngx_cpymem(aad, "a2f-enroll", sizeof("a2f-enroll"));
    p = ngx_cpymem(p, ctx->auth.session.user, ctx->auth.session.user_len + 1);
    p = ngx_cpymem(p, ctx->auth.session.sid, A2F_SID_LEN);

    return p - aad;
}


ngx_int_t
ngx_http_a2f_ticket_seal(ngx_http_request_t *r, const uint8_t *aad,
    size_t aadlen, const uint8_t *secret, ngx_str_t *ticket)
{
    int                        rc;
    size_t                     len;
    uint8_t                    key[32], pt[NGX_HTTP_A2F_TICKET_PT];
    uint8_t                    sealed[NGX_HTTP_A2F_TICKET_LEN];
    uint64_t                   expires;
    ngx_uint_t                 i;
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);

    expires = (uint64_t) ngx_time() + NGX_HTTP_A2F_ENROLL_TTL;

    for (i = 0; i < 8; i++) {
        pt[i] = (uint8_t) (expires >> (56 - 8 * i));
    }

    ngx_memcpy(pt + 8, secret, NGX_HTTP_A2F_SECRET_LEN);

    rc = a2f_derive(&amcf->ring->keys[0], "a2f-enroll-v1", key);

    if (rc == A2F_OK) {
        rc = a2f_seal(key, aad, aadlen, pt, sizeof(pt), sealed,
                      sizeof(sealed), &len);
    }

    ngx_explicit_memzero(key, sizeof(key));
    ngx_explicit_memzero(pt, sizeof(pt));

    if (rc != A2F_OK) {
        return NGX_ERROR;
    }

    ticket->data = ngx_pnalloc(r->pool, NGX_HTTP_A2F_TICKET_TEXT);
    if (ticket->data == NULL) {
        return NGX_ERROR;
    }

    ticket->len = a2f_b64url_encode(sealed, len, (char *) ticket->data,
                                    NGX_HTTP_A2F_TICKET_TEXT);

    return ticket->len ? NGX_OK : NGX_ERROR;
}


/* Open a ticket with any key of the ring; NGX_DECLINED when it fails. */

ngx_int_t
ngx_http_a2f_ticket_open(ngx_http_request_t *r, const uint8_t *aad,
    size_t aadlen, u_char *text, size_t len, uint8_t *secret)
{
    size_t                     n, ptlen;
    uint8_t                    key[32], pt[NGX_HTTP_A2F_TICKET_PT];
    uint8_t                    sealed[NGX_HTTP_A2F_TICKET_LEN];
    uint64_t                   expires;
    ngx_uint_t                 i, k;
    ngx_int_t                  rc;
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);

    if (a2f_b64url_decode((char *) text, len, sealed, sizeof(sealed), &n)
        != A2F_OK
        || n != sizeof(sealed))
    {
        return NGX_DECLINED;
    }

    rc = NGX_DECLINED;

    for (k = 0; k < amcf->ring->n && rc != NGX_OK; k++) {

        if (a2f_derive(&amcf->ring->keys[k], "a2f-enroll-v1", key) != A2F_OK
            || a2f_open(key, aad, aadlen, sealed, n, pt, sizeof(pt), &ptlen)
               != A2F_OK
            || ptlen != sizeof(pt))
        {
            continue;
        }

        expires = 0;

        for (i = 0; i < 8; i++) {
            expires = (expires << 8) | pt[i];
        }

        if (expires >= (uint64_t) ngx_time()) {
            ngx_memcpy(secret, pt + 8, NGX_HTTP_A2F_SECRET_LEN);
            rc = NGX_OK;
        }
    }

    ngx_explicit_memzero(key, sizeof(key));
    ngx_explicit_memzero(pt, sizeof(pt));

    return rc;
}


/*
 * qr, secret and uri for a new secret of user: the otpauth:// URI (SHA1,
 * 6 digits, 30 s, issuer a2f_issuer), its QR code as inline SVG, and the
 * secret in base32 groups of four for typing it in.
 */

ngx_int_t
ngx_http_a2f_totp_vars(ngx_http_request_t *r, const char *user,
    size_t user_len, const uint8_t *secret, ngx_http_a2f_var_t *vars)
{
    u_char                   *p;
    char                      uri[A2F_URI_MAX], b32[128];
    size_t                    i, len;
    ngx_str_t                 svg, grouped, u;
    ngx_http_a2f_srv_conf_t  *ascf;

    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    if (a2f_otpauth_uri((char *) ascf->issuer.data, user, user_len, secret,
                        NGX_HTTP_A2F_SECRET_LEN, A2F_SHA1, 6, 30, uri,
                        sizeof(uri))
        == 0
        || a2f_base32_encode(secret, NGX_HTTP_A2F_SECRET_LEN, 0, b32,
                             sizeof(b32))
           == 0)
    {
        return NGX_ERROR;
    }

    /* the QR code as inline SVG */

    svg.data = ngx_pnalloc(r->pool, NGX_HTTP_A2F_SVG_GUESS);
    if (svg.data == NULL) {
        goto failed;
    }

    svg.len = a2f_qr_svg(uri, (char *) svg.data, NGX_HTTP_A2F_SVG_GUESS);

    if (svg.len == 0) {
        svg.data = ngx_pnalloc(r->pool, A2F_QR_SVG_MAX);
        if (svg.data == NULL) {
            goto failed;
        }

        svg.len = a2f_qr_svg(uri, (char *) svg.data, A2F_QR_SVG_MAX);

        if (svg.len == 0) {
            goto failed;
        }
    }

    /* the secret in groups of four, for typing it in */

    len = ngx_strlen(b32);

    grouped.data = ngx_pnalloc(r->pool, len + len / 4 + 1);
    if (grouped.data == NULL) {
        goto failed;
    }

    p = grouped.data;

    for (i = 0; i < len; i++) {
        if (i && i % 4 == 0) {
            *p++ = ' ';
        }

        *p++ = b32[i];
    }

    grouped.len = p - grouped.data;

    u.len = ngx_strlen(uri);
    u.data = ngx_pnalloc(r->pool, u.len);
    if (u.data == NULL) {
        goto failed;
    }

    ngx_memcpy(u.data, uri, u.len);

    ngx_explicit_memzero(uri, sizeof(uri));
    ngx_explicit_memzero(b32, sizeof(b32));

    vars[0].name = "qr";
    vars[0].value = svg;
    vars[0].raw = 1;
    vars[1].name = "secret";
    vars[1].value = grouped;
    vars[1].raw = 0;
    vars[2].name = "uri";
    vars[2].value = u;
    vars[2].raw = 0;

    return NGX_OK;

failed:

    ngx_explicit_memzero(uri, sizeof(uri));
    ngx_explicit_memzero(b32, sizeof(b32));

    return NGX_ERROR;
}
