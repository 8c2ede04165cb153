
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * ngx_http_a2f_link.c: enrollment links, /_a2f/enroll/<token>.  An
 * administrator makes a single-use, expiring link for a user; whoever
 * holds it chooses the user's password and activates an authenticator
 * app (the same confirm-before-save flow as self-service enrollment:
 * the secret travels sealed in the form and is stored only with a valid
 * code).  Password, device and the link's end are written in one
 * transaction (a2f_store_link_use), and the user leaves with a
 * two-factor session.  The token is never logged.
 */


#include "ngx_http_a2f_module.h"
#include "a2f_password.h"
#include "a2f_text.h"
#include "a2f_totp.h"


#define NGX_HTTP_A2F_LINK_AAD      (sizeof("a2f-link") + A2F_LINK_TOKEN_LEN)
#define NGX_HTTP_A2F_TICKET_TEXT   128
#define NGX_HTTP_A2F_GONE          410


static ngx_int_t ngx_http_a2f_link_check(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx);
static ngx_int_t ngx_http_a2f_link_page(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_uint_t status, const char *error,
    u_char *ticket, size_t ticket_len);
static ngx_int_t ngx_http_a2f_link_gone(ngx_http_request_t *r, int rc);
static size_t ngx_http_a2f_link_aad(ngx_http_a2f_portal_ctx_t *ctx,
    uint8_t *aad);


ngx_int_t
ngx_http_a2f_link_get(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx)
{
    ngx_int_t  rc;

    rc = ngx_http_a2f_link_check(r, ctx);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    return ngx_http_a2f_link_page(r, ctx, NGX_HTTP_OK, NULL, NULL, 0);
}


/* POST enroll/<token>: the CSRF token (bound to the token) is checked. */

ngx_int_t
ngx_http_a2f_link_form(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx,
    ngx_str_t *body)
{
    int                        rc;
    char                       ticket[NGX_HTTP_A2F_TICKET_TEXT];
    char                       code[A2F_CODE_MAX + 1];
    char                       again[A2F_PASSWORD_MAX + 1];
    size_t                     ticket_len, code_len, again_len, aadlen;
    uint8_t                    aad[NGX_HTTP_A2F_LINK_AAD];
    uint64_t                   step;
    ngx_int_t                  ok;
    const char                *error;
    ngx_http_a2f_job_t        *job;
    ngx_http_a2f_srv_conf_t   *ascf;

    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    ok = ngx_http_a2f_link_check(r, ctx);
    if (ok != NGX_DECLINED) {
        return ok;
    }

    job = ctx->job;
    aadlen = ngx_http_a2f_link_aad(ctx, aad);

    if (a2f_form_get((char *) body->data, body->len, "ticket", ticket,
                     sizeof(ticket), &ticket_len)
        != A2F_OK
        || ngx_http_a2f_ticket_open(r, aad, aadlen, (u_char *) ticket,
                                    ticket_len, job->secret)
           != NGX_OK)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: enrollment link of user \"%s\": missing, "
                      "foreign or expired ticket", job->user);
        return ngx_http_a2f_link_page(r, ctx, NGX_HTTP_BAD_REQUEST,
                                      "This page had expired. Scan the new "
                                      "code and try again.", NULL, 0);
    }

    job->secret_len = NGX_HTTP_A2F_SECRET_LEN;
    error = NULL;

    /* the password, twice */

    if (a2f_form_get((char *) body->data, body->len, "password",
                     job->password, sizeof(job->password),
                     &job->password_len)
        != A2F_OK
        || job->password_len < 8)
    {
        error = "Choose a password of 8 to 256 characters.";

    } else if (a2f_form_get((char *) body->data, body->len, "password2",
                            again, sizeof(again), &again_len)
               != A2F_OK
               || again_len != job->password_len
               || ngx_memcmp(again, job->password, again_len) != 0)
    {
        error = "The two passwords are not the same.";
    }

    ngx_explicit_memzero(again, sizeof(again));

    if (error) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: enrollment link of user \"%s\": %s", job->user,
                      error);
        goto again;
    }

    /* the code, from the secret in the ticket */

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
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: enrollment link of user \"%s\": %s code",
                      job->user,
                      rc == A2F_ERR_INVALID ? "malformed" : "wrong");

        error = rc == A2F_ERR_INVALID
                ? "Type the 6 digits your authenticator app shows."
                : "That code did not work. Check that the app shows this "
                  "account, wait for the next code and try again.";
        goto again;
    }

    job->step = step;

    return ngx_http_a2f_post_job(r, ctx);

again:

    /* nothing was stored: the same secret again */

    ngx_explicit_memzero(job->password, sizeof(job->password));
    ngx_explicit_memzero(job->secret, sizeof(job->secret));

    return ngx_http_a2f_link_page(r, ctx, NGX_HTTP_BAD_REQUEST, error,
                                  (u_char *) ticket, ticket_len);
}


/* In a thread pool thread: hash the password, then one transaction. */

void
ngx_http_a2f_link_run(ngx_http_a2f_job_t *job)
{
    int             rc;
    char            pwhash[A2F_PWHASH_MAX];
    a2f_totp_dev_t  d;

    rc = a2f_password_hash(job->password, job->password_len, 0, pwhash,
                           sizeof(pwhash));

    if (rc == A2F_OK) {
        ngx_memzero(&d, sizeof(a2f_totp_dev_t));
        d.alg = A2F_SHA1;
        d.digits = 6;
        d.period = 30;
        d.last_step = job->step;        /* the code just typed is used */
        ngx_memcpy(d.secret, job->secret, job->secret_len);
        d.secret_len = job->secret_len;

        rc = a2f_store_link_use(job->store, job->token,
                                ngx_strlen(job->token), job->now, pwhash, &d,
                                job->addr, job->target, &job->target_len,
                                &job->gen);

        ngx_explicit_memzero(&d, sizeof(a2f_totp_dev_t));
    }

    ngx_explicit_memzero(pwhash, sizeof(pwhash));

    job->rc = rc;
}


ngx_int_t
ngx_http_a2f_link_done(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx)
{
    ngx_str_t            href;
    a2f_session_t       *s;
    ngx_http_a2f_job_t  *job;

    job = ctx->job;
    ngx_explicit_memzero(job->token, sizeof(job->token));

    if (job->rc == A2F_ERR_TOOBIG) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "a2f: enrollment link of user \"%s\": the user has "
                      "the most devices allowed", job->user);
        ngx_str_set(&href, "login");
        return ngx_http_a2f_message_page(r, NGX_HTTP_CONFLICT,
                   "Too many devices",
                   "Your account has the most authenticator apps allowed. "
                   "Ask your administrator to remove one.", &href,
                   "Sign in");
    }

    if (job->rc != A2F_OK) {
        return ngx_http_a2f_link_gone(r, job->rc);
    }

    /* the password and the app are set: a two-factor session */

    s = &ctx->auth.session;
    ngx_memzero(s, sizeof(a2f_session_t));
    ngx_memcpy(s->user, job->target, job->target_len + 1);
    s->user_len = job->target_len;
    s->gen = job->gen;
    s->issued = ngx_time();

    if (ngx_http_a2f_second_factor(r, s) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "a2f: user \"%s\" set a password and an authenticator "
                  "app with an enrollment link", job->target);

    ngx_str_set(&href, "/");

    return ngx_http_a2f_message_page(r, NGX_HTTP_OK, "Your account is ready",
               "From now on, sign in with your password and a code from "
               "the app. You are signed in now.", &href, "Continue");
}


/*
 * Is ctx->token a live link?  NGX_DECLINED: yes (the job holds the token
 * and the user); anything else is the answer.
 */

static ngx_int_t
ngx_http_a2f_link_check(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx)
{
    int                        rc;
    ngx_http_a2f_job_t        *job;
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);

    job = ctx->job;

    if (job == NULL) {
        job = ngx_pcalloc(r->pool, sizeof(ngx_http_a2f_job_t));
        if (job == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ctx->job = job;
    }

    if (ctx->token.len != A2F_LINK_TOKEN_LEN) {
        return ngx_http_a2f_link_gone(r, A2F_ERR_INVALID);
    }

    rc = a2f_store_link_check(amcf->store, (char *) ctx->token.data,
                              ctx->token.len, ngx_time(), job->user,
                              &job->user_len, &job->expires);

    if (rc == A2F_ERR_STORAGE) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "a2f: database \"%V\": %s", &amcf->db_path,
                      a2f_strerror(rc));
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    if (rc != A2F_OK) {
        return ngx_http_a2f_link_gone(r, rc);
    }

    ngx_memcpy(job->token, ctx->token.data, A2F_LINK_TOKEN_LEN);
    job->token[A2F_LINK_TOKEN_LEN] = '\0';

    return NGX_DECLINED;
}


static ngx_int_t
ngx_http_a2f_link_page(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx,
    ngx_uint_t status, const char *error, u_char *ticket, size_t ticket_len)
{
    size_t                     aadlen;
    uint8_t                    secret[NGX_HTTP_A2F_SECRET_LEN];
    uint8_t                    aad[NGX_HTTP_A2F_LINK_AAD];
    ngx_int_t                  rc;
    ngx_str_t                  tk;
    ngx_http_a2f_var_t         vars[6];
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);

    aadlen = ngx_http_a2f_link_aad(ctx, aad);

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
        rc = ngx_http_a2f_totp_vars(r, ctx->job->user, ctx->job->user_len,
                                    secret, &vars[1]);
    }

    ngx_explicit_memzero(secret, sizeof(secret));

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    vars[0].name = "user";
    vars[0].value.data = (u_char *) ctx->job->user;
    vars[0].value.len = ctx->job->user_len;
    vars[0].raw = 0;
    vars[4].name = "ticket";
    vars[4].value = tk;
    vars[4].raw = 0;
    vars[5].name = "token";
    vars[5].value = ctx->token;
    vars[5].raw = 0;

    return ngx_http_a2f_form_page(r, ctx, &amcf->page_link, status, error,
                                  &ctx->token, vars, 6);
}


static ngx_int_t
ngx_http_a2f_link_gone(ngx_http_request_t *r, int rc)
{
    ngx_str_t  href;

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "a2f: enrollment link refused: %s", a2f_strerror(rc));

    ngx_str_set(&href, "login");

    if (rc == A2F_ERR_DISABLED) {
        return ngx_http_a2f_message_page(r, NGX_HTTP_FORBIDDEN,
                   "Account disabled",
                   "This account is disabled. Ask your administrator.",
                   &href, "Sign in");
    }

    return ngx_http_a2f_message_page(r, NGX_HTTP_A2F_GONE,
               "Link no longer valid",
               "This enrollment link has expired, was used already, or was "
               "replaced by a newer one. Ask your administrator for a new "
               "link.", &href, "Sign in");
}


static size_t
ngx_http_a2f_link_aad(ngx_http_a2f_portal_ctx_t *ctx, uint8_t *aad)
{
    u_char  *p;

    p = ngx_cpymem(aad, "a2f-link", sizeof("a2f-link"));
    p = ngx_cpymem(p, ctx->token.data, ctx->token.len);

    return p - aad;
}
