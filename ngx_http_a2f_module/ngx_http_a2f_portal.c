
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * ngx_http_a2f_portal.c: the portal location (a2f_portal): the login,
 * one-time-code and logout pages and their forms, and the redirect or
 * 401 that sends unauthenticated requests there.
 *
 * Password hashing and every database write run in an nginx thread pool
 * (a2f_thread_pool, "default" unless set), so the event loop never waits
 * for scrypt or fsync.
 */


#include "ngx_http_a2f_module.h"
#include "a2f_text.h"
#include "a2f_password.h"

#include <openssl/crypto.h>




static ngx_int_t ngx_http_a2f_login_page(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_uint_t status, const char *error);
static ngx_int_t ngx_http_a2f_recovery_page(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_uint_t remaining);
static ngx_int_t ngx_http_a2f_otc_get(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx);
static ngx_int_t ngx_http_a2f_otc_page(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_uint_t status, const char *error);
static void ngx_http_a2f_body_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_a2f_form(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *body);
static ngx_int_t ngx_http_a2f_csrf_ok(ngx_http_request_t *r,
    ngx_str_t *binding, u_char *field, size_t len);
static ngx_int_t ngx_http_a2f_login_binding(ngx_http_request_t *r,
    ngx_str_t *binding, ngx_uint_t create);
static void ngx_http_a2f_job_run(void *data, ngx_log_t *log);
#if (NGX_THREADS)
static void ngx_http_a2f_job_event(ngx_event_t *ev);
#endif
static ngx_int_t ngx_http_a2f_job_done(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx);
static void ngx_http_a2f_get_rd(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx);
static ngx_uint_t ngx_http_a2f_is_browser(ngx_http_request_t *r);
static ngx_uint_t ngx_http_a2f_accepts_html(ngx_str_t *value, void *data);


ngx_str_t  ngx_http_a2f_html_type =
    ngx_string("text/html; charset=utf-8");
static ngx_str_t  ngx_http_a2f_css_type = ngx_string("text/css");
static ngx_str_t  ngx_http_a2f_js_type =
    ngx_string("application/javascript; charset=utf-8");
static ngx_str_t  ngx_http_a2f_json_type = ngx_string("application/json");


ngx_int_t
ngx_http_a2f_portal_handler(ngx_http_request_t *r)
{
    u_char                     *name;
    size_t                      len;
    ngx_int_t                   rc;
    ngx_str_t                   type;
    ngx_http_a2f_srv_conf_t    *ascf;
    ngx_http_a2f_loc_conf_t    *alcf;
    ngx_http_a2f_main_conf_t   *amcf;
    ngx_http_a2f_portal_ctx_t  *ctx;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);
    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    if (r->uri.len <= ascf->portal.len) {
        return NGX_HTTP_NOT_FOUND;
    }

    name = r->uri.data + ascf->portal.len;
    len = r->uri.len - ascf->portal.len;

    if (len >= 4 && ngx_strncmp(name, "api/", 4) == 0) {
        alcf = ngx_http_get_module_loc_conf(r, ngx_http_a2f_module);

        if (alcf->api) {
            return ngx_http_a2f_api_handler(r);
        }

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: \"%V\" not found: the portal location has no "
                      "\"a2f_api\"", &r->uri);
        return NGX_HTTP_NOT_FOUND;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_a2f_portal_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (len == 5 && ngx_strncmp(name, "login", 5) == 0) {
        ctx->page = NGX_HTTP_A2F_LOGIN;

    } else if (len == 3 && ngx_strncmp(name, "otc", 3) == 0) {
        ctx->page = NGX_HTTP_A2F_OTC;

    } else if (len == 6 && ngx_strncmp(name, "logout", 6) == 0) {
        ctx->page = NGX_HTTP_A2F_LOGOUT;

    } else if (len == 6 && ngx_strncmp(name, "enroll", 6) == 0) {
        ctx->page = NGX_HTTP_A2F_ENROLL;

    } else if (len == 7 && ngx_strncmp(name, "account", 7) == 0) {
        ctx->page = NGX_HTTP_A2F_ACCOUNT;

    } else if (len >= 5 && ngx_strncmp(name, "admin", 5) == 0
               && (len == 5 || name[5] == '/'))
    {
        ctx->page = NGX_HTTP_A2F_ADMIN;
        ctx->token.data = name + 5;     /* "", "/user" or "/audit" */
        ctx->token.len = len - 5;

    } else if (len >= 3 && ngx_strncmp(name, "key", 3) == 0
               && (len == 3 || name[3] == '/'))
    {
        ctx->page = NGX_HTTP_A2F_KEY;
        ctx->token.data = name + 3;     /* "", "/options", ... */
        ctx->token.len = len - 3;

    } else if (len == 6 && ngx_strncmp(name, "a2f.js", 6) == 0) {
        ctx->page = NGX_HTTP_A2F_JS;

    } else if (len > 7 && ngx_strncmp(name, "enroll/", 7) == 0) {
        ctx->page = NGX_HTTP_A2F_LINK;
        ctx->token.data = name + 7;
        ctx->token.len = len - 7;

    } else if (len == 7 && ngx_strncmp(name, "a2f.css", 7) == 0) {
        ctx->page = NGX_HTTP_A2F_CSS;

    } else {
        return NGX_HTTP_NOT_FOUND;
    }

    if (ctx->page == NGX_HTTP_A2F_CSS || ctx->page == NGX_HTTP_A2F_JS) {
        if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
            return NGX_HTTP_NOT_ALLOWED;
        }

        if (ctx->page == NGX_HTTP_A2F_JS) {
            return ngx_http_a2f_send(r, NGX_HTTP_OK, &ngx_http_a2f_js_type,
                                     &amcf->page_js);
        }

        return ngx_http_a2f_send(r, NGX_HTTP_OK, &ngx_http_a2f_css_type,
                                 &amcf->page_css);
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD|NGX_HTTP_POST))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    if (amcf->store == NULL || amcf->mac == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "a2f: database \"%V\" is not open", &amcf->db_path);
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    ngx_http_set_ctx(r, ctx, ngx_http_a2f_module);

    rc = ngx_http_a2f_session_get(r, &ctx->auth.session);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    if (rc == NGX_OK) {
        ctx->have_session = 1;
        ctx->auth.level = ctx->auth.session.level;
        ctx->auth.user.data = (u_char *) ctx->auth.session.user;
        ctx->auth.user.len = ctx->auth.session.user_len;
    }

    if (r->method == NGX_HTTP_POST) {

        /* forms, or JSON for the security-key endpoints */

        if (ctx->page == NGX_HTTP_A2F_KEY) {
            ctx->body_max = A2F_WA_BODY_MAX;
            ngx_str_set(&type, "application/json");

        } else {
            ctx->body_max = NGX_HTTP_A2F_BODY_MAX;
            ngx_str_set(&type, "application/x-www-form-urlencoded");
        }

        if (r->headers_in.content_length_n > (off_t) ctx->body_max) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "a2f: %s body of %O bytes refused (at most %uz)",
                          ctx->page == NGX_HTTP_A2F_KEY ? "JSON" : "form",
                          r->headers_in.content_length_n, ctx->body_max);
            return NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;
        }

        if (r->headers_in.content_type == NULL
            || r->headers_in.content_type->value.len < type.len
            || ngx_strncasecmp(r->headers_in.content_type->value.data,
                               type.data, type.len)
               != 0)
        {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "a2f: %s without %V refused",
                          ctx->page == NGX_HTTP_A2F_KEY ? "request" : "form",
                          &type);
            return NGX_HTTP_UNSUPPORTED_MEDIA_TYPE;
        }

        rc = ngx_http_read_client_request_body(r, ngx_http_a2f_body_handler);

        if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
            return rc;
        }

        return NGX_DONE;
    }

    /* GET and HEAD */

    ngx_http_a2f_get_rd(r, ctx);

    switch (ctx->page) {

    case NGX_HTTP_A2F_LOGIN:
        return ngx_http_a2f_login_page(r, ctx, NGX_HTTP_OK, NULL);

    case NGX_HTTP_A2F_OTC:
        if (!ctx->have_session) {
            return ngx_http_a2f_redirect(r, NGX_HTTP_MOVED_TEMPORARILY,
                                         "login", &ctx->rd, 0);
        }

        if (ctx->auth.level == A2F_LEVEL_TWO && !ctx->step_up) {
            return ngx_http_a2f_redirect(r, NGX_HTTP_MOVED_TEMPORARILY, NULL,
                                         &ctx->rd, 0);
        }

        return ngx_http_a2f_otc_get(r, ctx);

    case NGX_HTTP_A2F_ENROLL:
        if (!ctx->have_session) {
            return ngx_http_a2f_redirect(r, NGX_HTTP_MOVED_TEMPORARILY,
                                         "login", &ctx->rd, 0);
        }

        return ngx_http_a2f_enroll_page(r, ctx, NGX_HTTP_OK, NULL, NULL, 0);

    case NGX_HTTP_A2F_ACCOUNT:
        return ngx_http_a2f_account_page(r, ctx, NGX_HTTP_OK);

    case NGX_HTTP_A2F_ADMIN:
        return ngx_http_a2f_admin_get(r, ctx);

    case NGX_HTTP_A2F_LINK:
        return ngx_http_a2f_link_get(r, ctx);

    case NGX_HTTP_A2F_KEY:
        return ngx_http_a2f_key_page(r, ctx, NGX_HTTP_OK, NULL);

    default: /* NGX_HTTP_A2F_LOGOUT */
        return ngx_http_a2f_post_job(r, ctx);
    }
}


static void
ngx_http_a2f_body_handler(ngx_http_request_t *r)
{
    ngx_int_t                   rc;
    ngx_str_t                   body;
    ngx_http_a2f_portal_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_a2f_module);

    rc = ngx_http_a2f_read_body(r, ctx, &body);

    if (rc == NGX_OK) {
        if (ctx->page == NGX_HTTP_A2F_KEY) {
            ngx_http_a2f_get_rd(r, ctx);
            ctx->job = ngx_pcalloc(r->pool, sizeof(ngx_http_a2f_job_t));
            rc = ctx->job ? ngx_http_a2f_key_api(r, ctx, &body)
                          : NGX_HTTP_INTERNAL_SERVER_ERROR;

        } else {
            rc = ngx_http_a2f_form(r, ctx, &body);
        }

        ngx_explicit_memzero(body.data, body.len);
    }

    if (rc == NGX_DONE) {
        return;                 /* a job runs in the thread pool */
    }

    ngx_http_finalize_request(r, rc);
}


/* The whole body in one buffer, at most ctx->body_max bytes. */

ngx_int_t
ngx_http_a2f_read_body(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx,
    ngx_str_t *body)
{
    u_char       *p;
    off_t         len;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    if (r->request_body == NULL) {
        return NGX_HTTP_BAD_REQUEST;
    }

    len = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        len += ngx_buf_size(cl->buf);
    }

    if (len > (off_t) ctx->body_max) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: %s body of %O bytes refused (at most %uz)",
                      ctx->page == NGX_HTTP_A2F_KEY
                      || ctx->page == NGX_HTTP_A2F_API ? "JSON" : "form",
                      len, ctx->body_max);
        return NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;
    }

    body->data = ngx_pnalloc(r->pool, len + 1);
    if (body->data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = body->data;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (ngx_buf_in_memory(b)) {
            p = ngx_cpymem(p, b->pos, b->last - b->pos);
            ngx_explicit_memzero(b->pos, b->last - b->pos);
            continue;
        }

        if (b->in_file) {
            n = ngx_read_file(b->file, p, b->file_last - b->file_pos,
                              b->file_pos);

            if (n != b->file_last - b->file_pos) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            p += n;
        }
    }

    body->len = p - body->data;
    *p = '\0';

    return NGX_OK;
}


static ngx_int_t
ngx_http_a2f_form(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx,
    ngx_str_t *body)
{
    int                        rc;
    char                       csrf[64], rd[A2F_RD_MAX + 1], lvl[4];
    size_t                     csrf_len, rd_len, lvl_len;
    ngx_str_t                  binding, href;
    ngx_http_a2f_job_t        *job;

    rc = a2f_form_check((char *) body->data, body->len, A2F_FORM_FIELDS_MAX);

    if (rc != A2F_OK) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: malformed form body refused: %s",
                      a2f_strerror(rc));
        return NGX_HTTP_BAD_REQUEST;
    }

    /* rd and lvl: optional */

    if (a2f_form_get((char *) body->data, body->len, "rd", rd, sizeof(rd),
                     &rd_len)
        == A2F_OK)
    {
        if (ngx_http_a2f_set_rd(r, ctx, (u_char *) rd, rd_len) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

    } else {
        ngx_str_set(&ctx->rd, "/");
    }

    if (a2f_form_get((char *) body->data, body->len, "lvl", lvl, sizeof(lvl),
                     &lvl_len)
        == A2F_OK && lvl_len == 1 && lvl[0] == '1')
    {
        ctx->one_factor = 1;
    }

    /* the CSRF token, bound to the session or the login cookie */

    if (ctx->page == NGX_HTTP_A2F_LOGIN) {
        if (ngx_http_a2f_login_binding(r, &binding, 0) != NGX_OK) {
            binding.len = 0;
        }

    } else if (ctx->page == NGX_HTTP_A2F_LINK) {
        binding = ctx->token;       /* only its holder knows the token */

    } else if (ctx->have_session) {
        binding.data = (u_char *) ctx->auth.session.sid;
        binding.len = ngx_strlen(ctx->auth.session.sid);

    } else if (ctx->page == NGX_HTTP_A2F_LOGOUT) {
        return ngx_http_a2f_post_job(r, ctx);

    } else {
        return ngx_http_a2f_redirect(r, NGX_HTTP_SEE_OTHER, "login",
                                     &ctx->rd, 0);
    }

    if (a2f_form_get((char *) body->data, body->len, "csrf", csrf,
                     sizeof(csrf), &csrf_len)
        != A2F_OK
        || binding.len == 0
        || ngx_http_a2f_csrf_ok(r, &binding, (u_char *) csrf, csrf_len)
           != NGX_OK)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: form without a valid CSRF token refused");

        if (ctx->page == NGX_HTTP_A2F_LOGIN) {
            return ngx_http_a2f_login_page(r, ctx, NGX_HTTP_FORBIDDEN,
                                           "The form had expired. "
                                           "Please sign in again.");
        }

        if (ctx->page == NGX_HTTP_A2F_OTC) {
            return ngx_http_a2f_otc_page(r, ctx, NGX_HTTP_FORBIDDEN,
                                         "The form had expired. "
                                         "Please enter the code again.");
        }

        if (ctx->page == NGX_HTTP_A2F_ENROLL) {
            return ngx_http_a2f_enroll_page(r, ctx, NGX_HTTP_FORBIDDEN,
                                            "The form had expired. "
                                            "Scan the new code.", NULL, 0);
        }

        if (ctx->page == NGX_HTTP_A2F_ADMIN) {
            ngx_str_set(&href, "admin");
            return ngx_http_a2f_message_page(r, NGX_HTTP_FORBIDDEN,
                       "Form expired",
                       "The form had expired or did not come from this "
                       "site, so nothing was changed. Open the page again "
                       "and repeat the action.", &href,
                       "Back to the admin page");
        }

        return NGX_HTTP_FORBIDDEN;
    }

    job = ngx_pcalloc(r->pool, sizeof(ngx_http_a2f_job_t));
    if (job == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->job = job;

    switch (ctx->page) {

    case NGX_HTTP_A2F_LOGIN:

        rc = a2f_form_get((char *) body->data, body->len, "username",
                          job->user, sizeof(job->user), &job->user_len);

        if (rc == A2F_OK) {
            rc = a2f_form_get((char *) body->data, body->len, "password",
                              job->password, sizeof(job->password),
                              &job->password_len);
        }

        if (rc == A2F_OK
            && a2f_user_name_valid(job->user, job->user_len) != A2F_OK)
        {
            rc = A2F_ERR_INVALID;
        }

        if (rc != A2F_OK) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "a2f: login form refused: user name or password "
                          "missing, too long or invalid");
            ngx_explicit_memzero(job->password, sizeof(job->password));
            return ngx_http_a2f_login_page(r, ctx, NGX_HTTP_BAD_REQUEST,
                                           "Enter your user name and "
                                           "password.");
        }

        break;

    case NGX_HTTP_A2F_OTC:

        /* at level two: a step-up, a fresh code for the admin pages */

        rc = a2f_form_get((char *) body->data, body->len, "code",
                          job->code, sizeof(job->code), &job->code_len);

        if (rc != A2F_OK) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "a2f: code form of user \"%V\" refused: "
                          "code missing or too long", &ctx->auth.user);
            return ngx_http_a2f_otc_page(r, ctx, NGX_HTTP_BAD_REQUEST,
                                         "Type the 6 or 8 digits your "
                                         "authenticator app shows.");
        }

        break;

    case NGX_HTTP_A2F_ENROLL:
        return ngx_http_a2f_enroll_form(r, ctx, body);

    case NGX_HTTP_A2F_ACCOUNT:
        return ngx_http_a2f_account_form(r, ctx, body);

    case NGX_HTTP_A2F_ADMIN:
        return ngx_http_a2f_admin_form(r, ctx, body);

    case NGX_HTTP_A2F_LINK:
        return ngx_http_a2f_link_form(r, ctx, body);

    default: /* NGX_HTTP_A2F_LOGOUT */
        break;
    }

    return ngx_http_a2f_post_job(r, ctx);
}


static ngx_int_t
ngx_http_a2f_csrf_ok(ngx_http_request_t *r, ngx_str_t *binding, u_char *field,
    size_t len)
{
    ngx_str_t  token;

    if (ngx_http_a2f_csrf_token(r, binding, &token) != NGX_OK) {
        return NGX_ERROR;
    }

    if (len != token.len || CRYPTO_memcmp(field, token.data, len) != 0) {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * The login form's CSRF token is bound to a random pre-login cookie
 * (a2f_csrf, Path = the portal): a cross-site page cannot read it, so it
 * cannot forge a login into the attacker's account.
 */

static ngx_int_t
ngx_http_a2f_login_binding(ngx_http_request_t *r, ngx_str_t *binding,
    ngx_uint_t create)
{
    u_char                    c;
    uint8_t                   rnd[16];
    ngx_uint_t                i;
    ngx_str_t                 name;
    ngx_http_a2f_srv_conf_t  *ascf;

    ngx_str_set(&name, NGX_HTTP_A2F_CSRF_COOKIE);

    if (ngx_http_a2f_cookie_value(r, &name, binding) == NGX_OK
        && binding->len == NGX_HTTP_A2F_BINDING_LEN)
    {
        for (i = 0; i < binding->len; i++) {
            c = binding->data[i];

            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')
                  || (c >= 'a' && c <= 'z') || c == '-' || c == '_'))
            {
                break;
            }
        }

        if (i == binding->len) {
            return NGX_OK;
        }
    }

    if (!create) {
        return NGX_DECLINED;
    }

    if (a2f_random(rnd, sizeof(rnd)) != A2F_OK) {
        return NGX_ERROR;
    }

    binding->data = ngx_pnalloc(r->pool, NGX_HTTP_A2F_BINDING_LEN + 1);
    if (binding->data == NULL) {
        return NGX_ERROR;
    }

    binding->len = a2f_b64url_encode(rnd, sizeof(rnd), (char *) binding->data,
                                     NGX_HTTP_A2F_BINDING_LEN + 1);

    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    return ngx_http_a2f_cookie_add(r, &name, binding, &ascf->portal, 0);
}


ngx_int_t
ngx_http_a2f_post_job(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx)
{
    size_t                     len;
    ngx_http_a2f_job_t        *job;
    ngx_http_a2f_srv_conf_t   *ascf;
    ngx_http_a2f_main_conf_t  *amcf;
#if (NGX_THREADS)
    ngx_thread_task_t         *task;
#endif

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);
    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    job = ctx->job;

    if (job == NULL) {
        job = ngx_pcalloc(r->pool, sizeof(ngx_http_a2f_job_t));
        if (job == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ctx->job = job;
    }

    job->kind = ctx->page;
    job->store = amcf->store;
    job->now = ngx_time();
    job->window = ascf->totp_window;
    job->lockout.max_fails = ascf->max_failures;
    job->lockout.max_fails_addr = 4 * ascf->max_failures;
    job->lockout.period = ascf->failure_period;

    len = ngx_min(r->connection->addr_text.len, A2F_ADDR_MAX);
    ngx_memcpy(job->addr, r->connection->addr_text.data, len);
    job->addr[len] = '\0';

    if (job->kind != NGX_HTTP_A2F_LOGIN && job->kind != NGX_HTTP_A2F_LINK
        && job->kind != NGX_HTTP_A2F_API)
    {
        if (!ctx->have_session) {
            job->kind = 0;      /* logout without a session: nothing */

        } else {
            ngx_memcpy(job->user, ctx->auth.session.user,
                       ctx->auth.session.user_len + 1);
            job->user_len = ctx->auth.session.user_len;
        }
    }

#if (NGX_THREADS)

    if (job->kind != 0) {
        task = ngx_thread_task_alloc(r->pool, 0);
        if (task == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        task->ctx = job;
        task->handler = ngx_http_a2f_job_run;
        task->event.data = r;
        task->event.handler = ngx_http_a2f_job_event;

        if (ngx_thread_task_post(amcf->thread_pool, task) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        r->main->blocked++;
        r->aio = 1;

        if (r->method != NGX_HTTP_POST) {
            r->main->count++;   /* the body reader did it for POST */
        }

        return NGX_DONE;
    }

#endif

    ngx_http_a2f_job_run(job, r->connection->log);

    return ngx_http_a2f_job_done(r, ctx);
}


/* In a thread pool thread: only the job and the store, no nginx calls. */

static void
ngx_http_a2f_job_run(void *data, ngx_log_t *log)
{
    ngx_http_a2f_job_t *job = data;

    switch (job->kind) {

    case NGX_HTTP_A2F_LOGIN:
        ngx_http_a2f_password_run(job);
        break;

    case NGX_HTTP_A2F_OTC:
        ngx_http_a2f_code_run(job);
        break;

    case NGX_HTTP_A2F_API:
        ngx_http_a2f_api_run(job);
        break;

    case NGX_HTTP_A2F_ENROLL:
        ngx_http_a2f_enroll_run(job);
        break;

    case NGX_HTTP_A2F_ACCOUNT:
        ngx_http_a2f_account_run(job);
        break;

    case NGX_HTTP_A2F_ADMIN:
        ngx_http_a2f_admin_run(job);
        break;

    case NGX_HTTP_A2F_LINK:
        ngx_http_a2f_link_run(job);
        break;

    case NGX_HTTP_A2F_KEY:
        ngx_http_a2f_key_run(job);
        break;

    case NGX_HTTP_A2F_LOGOUT:
        job->rc = a2f_store_user_revoke(job->store, job->user, job->user_len);

        if (job->rc == A2F_OK) {
            (void) a2f_store_audit(job->store, job->now, "logout", job->user,
                                   job->user_len, job->addr, "");
        }

        break;

    default:
        job->rc = A2F_OK;
        break;
    }

    ngx_explicit_memzero(job->password, sizeof(job->password));
    ngx_explicit_memzero(job->code, sizeof(job->code));
    ngx_explicit_memzero(job->secret, sizeof(job->secret));
}


/* A password: the same time for every answer, so none tells who exists. */

void
ngx_http_a2f_password_run(ngx_http_a2f_job_t *job)
{
    int         rc;
    a2f_user_t  u;

    rc = a2f_store_locked(job->store, &job->lockout, job->user,
                          job->user_len, job->addr, job->now);

    if (rc == A2F_ERR_LOCKED) {
        /* same time as a verify: a lockout tells nothing by timing */
        a2f_password_dummy(job->password, job->password_len);
        job->rc = rc;
        return;
    }

    if (rc != A2F_OK) {
        job->rc = rc;
        return;
    }

    rc = a2f_store_user_get(job->store, job->user, job->user_len, &u);

    if (rc == A2F_ERR_NOTFOUND) {
        a2f_password_dummy(job->password, job->password_len);
        rc = A2F_ERR_AUTH;

    } else if (rc == A2F_OK) {
        rc = a2f_password_verify(job->password, job->password_len, u.pwhash);

        if (rc == A2F_OK && (u.flags & A2F_USER_DISABLED)) {
            rc = A2F_ERR_DISABLED;
        }

        job->gen = u.gen;
        job->flags = u.flags;
        ngx_explicit_memzero(u.pwhash, sizeof(u.pwhash));

    } else {
        job->rc = rc;
        return;
    }

    job->rc = a2f_store_password_result(job->store, &job->lockout, job->user,
                                        job->user_len, job->addr,
                                        rc == A2F_OK, job->now);
    if (job->rc == A2F_OK) {
        job->rc = rc;
    }
}


/* A one-time code (digits only), else a recovery code. */

void
ngx_http_a2f_code_run(ngx_http_a2f_job_t *job)
{
    size_t  i;

    job->recovery = 0;

    for (i = 0; i < job->code_len; i++) {
        if (job->code[i] < '0' || job->code[i] > '9') {
            job->recovery = 1;
            break;
        }
    }

    if (job->recovery) {
        job->rc = a2f_store_recovery_use(job->store, &job->lockout, job->user,
                                         job->user_len, job->addr, job->code,
                                         job->code_len, job->now,
                                         &job->remaining);
        return;
    }

    job->rc = a2f_store_totp_verify(job->store, &job->lockout, job->user,
                                    job->user_len, job->addr, job->code,
                                    job->code_len, job->window, job->now);
}



#if (NGX_THREADS)

static void
ngx_http_a2f_job_event(ngx_event_t *ev)
{
    ngx_connection_t           *c;
    ngx_http_request_t         *r;
    ngx_http_a2f_portal_ctx_t  *ctx;

    r = ev->data;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    r->main->blocked--;
    r->aio = 0;

    ctx = ngx_http_get_module_ctx(r, ngx_http_a2f_module);

    ngx_http_finalize_request(r, ngx_http_a2f_job_done(r, ctx));

    ngx_http_run_posted_requests(c);
}

#endif


/* Back on the event loop: answer the request from the job's result. */

static ngx_int_t
ngx_http_a2f_job_done(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx)
{
    ngx_str_t                 href;
    ngx_http_a2f_srv_conf_t  *ascf;
    ngx_uint_t           level;
    a2f_session_t       *s;
    ngx_http_a2f_job_t  *job;

    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    job = ctx->job;
    s = &ctx->auth.session;

    if (job->kind == NGX_HTTP_A2F_API) {
        return ngx_http_a2f_api_done(r, ctx);   /* JSON, also on errors */
    }

    if (job->rc == A2F_ERR_FULL || job->rc == A2F_ERR_STORAGE
        || job->rc == A2F_ERR_NOMEM || job->rc == A2F_ERR_CRYPTO)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "a2f: database error for user \"%s\": %s",
                      job->user, a2f_strerror(job->rc));
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    switch (job->kind) {

    case NGX_HTTP_A2F_ENROLL:
        return ngx_http_a2f_enroll_done(r, ctx);

    case NGX_HTTP_A2F_ACCOUNT:
        return ngx_http_a2f_account_done(r, ctx);

    case NGX_HTTP_A2F_ADMIN:
        return ngx_http_a2f_admin_done(r, ctx);

    case NGX_HTTP_A2F_LINK:
        return ngx_http_a2f_link_done(r, ctx);

    case NGX_HTTP_A2F_KEY:
        return ngx_http_a2f_key_done(r, ctx);

    case NGX_HTTP_A2F_LOGIN:

        if (job->rc != A2F_OK) {
            level = (job->rc == A2F_ERR_LOCKED) ? NGX_LOG_WARN : NGX_LOG_INFO;

            ngx_log_error(level, r->connection->log, 0,
                          "a2f: login of user \"%s\" failed: %s",
                          job->user, a2f_strerror(job->rc));

            /* one answer for every failure: nothing tells who exists */

            return ngx_http_a2f_login_page(r, ctx, NGX_HTTP_OK,
                       "Sign-in failed. Check your user name and password. "
                       "After several failed attempts, sign-in is paused "
                       "for a while.");
        }

        ngx_memzero(s, sizeof(a2f_session_t));
        ngx_memcpy(s->user, job->user, job->user_len + 1);
        s->user_len = job->user_len;
        s->level = A2F_LEVEL_ONE;
        s->gen = job->gen;
        s->issued = job->now;

        if (a2f_session_new_sid(s) != A2F_OK
            || ngx_http_a2f_session_set(r, s) != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: user \"%s\" passed the password", job->user);

        if (ctx->one_factor) {
            return ngx_http_a2f_redirect(r, NGX_HTTP_SEE_OTHER, NULL,
                                         &ctx->rd, 0);
        }

        return ngx_http_a2f_redirect(r, NGX_HTTP_SEE_OTHER, "otc", &ctx->rd,
                                     0);

    case NGX_HTTP_A2F_OTC:

        switch (job->rc) {

        case A2F_OK:
            if (ngx_http_a2f_second_factor(r, s) != NGX_OK) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            if (!job->recovery) {
                ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                              "a2f: user \"%s\" passed the one-time code",
                              job->user);

                return ngx_http_a2f_redirect(r, NGX_HTTP_SEE_OTHER, NULL,
                                             &ctx->rd, 0);
            }

            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "a2f: user \"%s\" used a recovery code, "
                          "%ud left", job->user, job->remaining);

            return ngx_http_a2f_recovery_page(r, ctx, job->remaining);

        case A2F_ERR_INVALID:
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "a2f: malformed code from user \"%s\" refused",
                          job->user);
            return ngx_http_a2f_otc_page(r, ctx, NGX_HTTP_BAD_REQUEST,
                                         "Type the 6 or 8 digits your "
                                         "authenticator app shows.");

        case A2F_ERR_LOCKED:
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "a2f: code from locked user \"%s\" refused",
                          job->user);
            return ngx_http_a2f_otc_page(r, ctx, NGX_HTTP_FORBIDDEN,
                                         "Too many wrong codes. "
                                         "Wait a while, then try again.");

        case A2F_ERR_NOTFOUND:
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "a2f: user \"%s\" has no one-time-code device",
                          job->user);

            if (ascf->enroll) {
                return ngx_http_a2f_redirect(r, NGX_HTTP_SEE_OTHER, "enroll",
                                             &ctx->rd, 0);
            }

            return ngx_http_a2f_no_device_page(r);

        default:
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "a2f: wrong code from user \"%s\": %s",
                          job->user, a2f_strerror(job->rc));
            return ngx_http_a2f_otc_page(r, ctx, NGX_HTTP_OK,
                                         "That code did not work. Wait for "
                                         "the next code and try again.");
        }

    default: /* NGX_HTTP_A2F_LOGOUT, or logout without a session */

        if (job->kind) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "a2f: user \"%s\" signed out", job->user);
        }

        if (ngx_http_a2f_session_clear(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_str_set(&href, "login");

        return ngx_http_a2f_message_page(r, NGX_HTTP_OK, "Signed out",
                                         "You are signed out on all your "
                                         "devices.", &href, "Sign in again");
    }
}


/* After a recovery code: say how many are left, then go on to rd. */

static ngx_int_t
ngx_http_a2f_recovery_page(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_uint_t remaining)
{
    u_char  *msg;

    msg = ngx_pnalloc(r->pool, 160);
    if (msg == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_sprintf(msg, "You signed in with a recovery code. Each works once: "
                "%ui %s left.%Z", remaining,
                remaining == 1 ? "code is" : "codes are");

    return ngx_http_a2f_message_page(r, NGX_HTTP_OK, "Recovery code used",
                                     (char *) msg, &ctx->rd, "Continue");
}


static ngx_int_t
ngx_http_a2f_login_page(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx,
    ngx_uint_t status, const char *error)
{
    ngx_str_t                  binding;
    ngx_http_a2f_var_t         var;
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);

    if (ngx_http_a2f_login_binding(r, &binding, 1) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    var.name = "lvl";
    var.raw = 0;

    if (ctx->one_factor) {
        ngx_str_set(&var.value, "1");
    } else {
        ngx_str_null(&var.value);
    }

    return ngx_http_a2f_form_page(r, ctx, &amcf->page_login, status, error,
                                  &binding, &var, 1);
}


/*
 * GET otc: a user with only security keys goes to the key page; one
 * without any second factor to enroll (a2f_enroll on).
 */

static ngx_int_t
ngx_http_a2f_otc_get(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx)
{
    unsigned                   ndevices, nkeys;
    ngx_http_a2f_srv_conf_t   *ascf;
    ngx_http_a2f_loc_conf_t   *alcf;

    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);
    alcf = ngx_http_get_module_loc_conf(r, ngx_http_a2f_module);

    if (ngx_http_a2f_devices(r, ctx, &ndevices, &nkeys) != NGX_OK) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    if (ndevices > 0) {
        return ngx_http_a2f_otc_page(r, ctx, NGX_HTTP_OK, NULL);
    }

    if (nkeys > 0 && alcf->webauthn) {
        return ngx_http_a2f_redirect(r, NGX_HTTP_MOVED_TEMPORARILY, "key",
                                     &ctx->rd, ctx->step_up
                                               ? NGX_HTTP_A2F_RD_STEP : 0);
    }

    if (ascf->enroll && ctx->auth.level < A2F_LEVEL_TWO) {
        return ngx_http_a2f_redirect(r, NGX_HTTP_MOVED_TEMPORARILY, "enroll",
                                     &ctx->rd, 0);
    }

    return ngx_http_a2f_no_device_page(r);
}


static ngx_int_t
ngx_http_a2f_otc_page(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx,
    ngx_uint_t status, const char *error)
{
    u_char                    *p;
    unsigned                   ndevices, nkeys;
    ngx_str_t                  binding;
    ngx_http_a2f_var_t         vars[3];
    ngx_http_a2f_srv_conf_t   *ascf;
    ngx_http_a2f_loc_conf_t   *alcf;
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);
    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);
    alcf = ngx_http_get_module_loc_conf(r, ngx_http_a2f_module);

    binding.data = (u_char *) ctx->auth.session.sid;
    binding.len = ngx_strlen(ctx->auth.session.sid);

    vars[0].name = "user";
    vars[0].value = ctx->auth.user;
    vars[0].raw = 0;
    vars[1].name = "intro";
    vars[1].raw = 0;

    if (ctx->auth.level == A2F_LEVEL_TWO) {
        ngx_str_set(&vars[1].value, "This page needs a fresh code. ");
    } else {
        ngx_str_null(&vars[1].value);
    }

    /* the other method, when the user has security keys too */

    vars[2].name = "keylink";
    vars[2].raw = 1;
    ngx_str_null(&vars[2].value);

    if (alcf->webauthn
        && ngx_http_a2f_devices(r, ctx, &ndevices, &nkeys) == NGX_OK
        && nkeys > 0)
    {
        p = ngx_pnalloc(r->pool, 128 + ascf->portal.len + 3 * ctx->rd.len);
        if (p == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        vars[2].value.data = p;
        p = ngx_sprintf(p, "<p class=\"small\"><a href=\"%Vkey?rd=",
                        &ascf->portal);
        p += a2f_url_escape((char *) ctx->rd.data, ctx->rd.len, (char *) p,
                            3 * ctx->rd.len + 1);
        p = ngx_sprintf(p, "%s\">Use a security key instead</a></p>",
                        ctx->auth.level == A2F_LEVEL_TWO ? "&amp;step=1"
                                                         : "");
        vars[2].value.len = p - vars[2].value.data;
    }

    return ngx_http_a2f_form_page(r, ctx, &amcf->page_otc, status, error,
                                  &binding, vars, 3);
}


/*
 * A page with a form: {{portal}}, {{error}} (an alert paragraph when
 * error is set), {{csrf}} (the token for binding), {{rd}}, and one more
 * page-specific variable.
 */

ngx_int_t
ngx_http_a2f_form_page(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx,
    ngx_str_t *tpl, ngx_uint_t status, const char *error, ngx_str_t *binding,
    ngx_http_a2f_var_t *extra, ngx_uint_t n)
{
    ngx_str_t                 csrf, err, out;
    ngx_uint_t                i;
    ngx_http_a2f_var_t        vars[12];
    ngx_http_a2f_srv_conf_t  *ascf;

    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    if (ngx_http_a2f_csrf_token(r, binding, &csrf) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_str_null(&err);

    if (error) {
        err.len = sizeof("<p class=\"error\" role=\"alert\"></p>") - 1
                  + ngx_strlen(error);
        err.data = ngx_pnalloc(r->pool, err.len);
        if (err.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_sprintf(err.data, "<p class=\"error\" role=\"alert\">%s</p>",
                    error);
    }

    vars[0].name = "portal";
    vars[0].value = ascf->portal;
    vars[0].raw = 0;
    vars[1].name = "error";
    vars[1].value = err;
    vars[1].raw = 1;
    vars[2].name = "csrf";
    vars[2].value = csrf;
    vars[2].raw = 0;
    vars[3].name = "rd";
    vars[3].value = ctx->rd;
    vars[3].raw = 0;
    for (i = 0; i < n && i < 8; i++) {
        vars[4 + i] = extra[i];
    }

    if (ngx_http_a2f_render(r, tpl, vars, 4 + i, &out) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_a2f_send(r, status, &ngx_http_a2f_html_type, &out);
}


ngx_int_t
ngx_http_a2f_message_page(ngx_http_request_t *r, ngx_uint_t status,
    const char *title, const char *message, ngx_str_t *href,
    const char *link)
{
    ngx_str_t                  out, abs;
    ngx_http_a2f_var_t         vars[5];
    ngx_http_a2f_srv_conf_t   *ascf;
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);
    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    /* a portal page ("login"), or a path on the site ("/app") */

    if (href->len && href->data[0] == '/') {
        abs = *href;

    } else {
        abs.len = ascf->portal.len + href->len;
        abs.data = ngx_pnalloc(r->pool, abs.len);
        if (abs.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_sprintf(abs.data, "%V%V", &ascf->portal, href);
    }

    vars[0].name = "portal";
    vars[0].value = ascf->portal;
    vars[1].name = "title";
    vars[1].value.data = (u_char *) title;
    vars[1].value.len = ngx_strlen(title);
    vars[2].name = "message";
    vars[2].value.data = (u_char *) message;
    vars[2].value.len = ngx_strlen(message);
    vars[3].name = "href";
    vars[3].value = abs;
    vars[4].name = "link";
    vars[4].value.data = (u_char *) link;
    vars[4].value.len = ngx_strlen(link);
    vars[0].raw = vars[1].raw = vars[2].raw = vars[3].raw = vars[4].raw = 0;

    if (ngx_http_a2f_render(r, &amcf->page_message, vars, 5, &out)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_a2f_send(r, status, &ngx_http_a2f_html_type, &out);
}


/*
 * Location: {portal}{page}?rd={rd} (page NULL: rd itself).  rd passed
 * a2f_rd_safe() and is %-encoded here, so no byte of it can break out of
 * the header or the query.
 */

ngx_int_t
ngx_http_a2f_redirect(ngx_http_request_t *r, ngx_uint_t status,
    const char *page, ngx_str_t *rd, ngx_uint_t flags)
{
    u_char                   *p;
    size_t                    len;
    ngx_http_a2f_srv_conf_t  *ascf;

    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_clear_location(r);

    r->headers_out.location = ngx_list_push(&r->headers_out.headers);
    if (r->headers_out.location == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.location->hash = 1;
    ngx_str_set(&r->headers_out.location->key, "Location");
#if (nginx_version >= 1023000)
    r->headers_out.location->next = NULL;
#endif

    if (page == NULL) {
        r->headers_out.location->value = *rd;
        return status;
    }

    len = ascf->portal.len + ngx_strlen(page) + sizeof("?rd=") - 1
          + 3 * rd->len + 1 + sizeof("&lvl=1&step=1") - 1;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.location->value.data = p;

    p = ngx_sprintf(p, "%V%s?rd=", &ascf->portal, page);
    p += a2f_url_escape((char *) rd->data, rd->len, (char *) p,
                        3 * rd->len + 1);

    if (flags & NGX_HTTP_A2F_RD_LVL1) {
        p = ngx_cpymem(p, "&lvl=1", sizeof("&lvl=1") - 1);
    }

    if (flags & NGX_HTTP_A2F_RD_STEP) {
        p = ngx_cpymem(p, "&step=1", sizeof("&step=1") - 1);
    }

    r->headers_out.location->value.len =
        p - r->headers_out.location->value.data;

    return status;
}


/*
 * Where an unauthenticated request goes: a browser's GET or HEAD is sent
 * to the portal page; anything else (API clients, forms) gets 401.
 */

ngx_int_t
ngx_http_a2f_deny(ngx_http_request_t *r, ngx_uint_t policy, const char *page)
{
    ngx_int_t                  rc;
    ngx_str_t                  rd, body;
    ngx_table_elt_t           *h;
    ngx_http_a2f_srv_conf_t   *ascf;
    ngx_http_core_loc_conf_t  *clcf;

    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    if ((r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))
        && ngx_http_a2f_is_browser(r))
    {
        rd = r->unparsed_uri;

        if (!a2f_rd_safe((char *) rd.data, rd.len)) {
            ngx_str_set(&rd, "/");
        }

        return ngx_http_a2f_redirect(r, NGX_HTTP_MOVED_TEMPORARILY, page, &rd,
                                     policy == NGX_HTTP_A2F_ONE_FACTOR
                                     ? NGX_HTTP_A2F_RD_LVL1 : 0);
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "a2f: request without a %s session refused with 401",
                  policy == NGX_HTTP_A2F_TWO_FACTOR ? "two-factor"
                                                     : "one-factor");

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "WWW-Authenticate");
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif

    h->value.len = sizeof("A2F realm=\"a2f\", login=\"login\"") - 1
                   + ascf->portal.len;
    h->value.data = ngx_pnalloc(r->pool, h->value.len);
    if (h->value.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_sprintf(h->value.data, "A2F realm=\"a2f\", login=\"%Vlogin\"",
                &ascf->portal);

    /*
     * "satisfy any": another access module (allow, auth_basic) may still
     * let the request in, so answer with a status only and let the access
     * phase go on; nginx sends its own 401 page if nothing does.
     */

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (clcf->satisfy == NGX_HTTP_SATISFY_ANY) {
        return NGX_HTTP_UNAUTHORIZED;
    }

    body.len = sizeof("{\"error\":\"unauthorized\",\"login\":\"login\"}\n") - 1
               + ascf->portal.len;
    body.data = ngx_pnalloc(r->pool, body.len);
    if (body.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_sprintf(body.data,
                "{\"error\":\"unauthorized\",\"login\":\"%Vlogin\"}\n",
                &ascf->portal);

    rc = ngx_http_a2f_send(r, NGX_HTTP_UNAUTHORIZED, &ngx_http_a2f_json_type,
                           &body);

    ngx_http_finalize_request(r, rc);

    return NGX_DONE;
}


static ngx_uint_t
ngx_http_a2f_is_browser(ngx_http_request_t *r)
{
    return ngx_http_a2f_header_any(r, "Accept", ngx_http_a2f_accepts_html,
                                   NULL);
}


static ngx_uint_t
ngx_http_a2f_accepts_html(ngx_str_t *value, void *data)
{
    return ngx_strlcasestrn(value->data, value->data + value->len,
                            (u_char *) "text/html", sizeof("text/html") - 2)
           != NULL;
}


/* Is there a request header "name" whose value match() accepts? */

ngx_uint_t
ngx_http_a2f_header_any(ngx_http_request_t *r, const char *name,
    ngx_uint_t (*match)(ngx_str_t *value, void *data), void *data)
{
    size_t            len;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    len = ngx_strlen(name);
    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len == len
            && ngx_strncasecmp(h[i].key.data, (u_char *) name, len) == 0
            && match(&h[i].value, data))
        {
            return 1;
        }
    }

    return 0;
}


static void
ngx_http_a2f_get_rd(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx)
{
    u_char     rd[A2F_RD_MAX + 1];
    size_t     len;
    ngx_str_t  arg;

    ngx_str_set(&ctx->rd, "/");

    if (ngx_http_arg(r, (u_char *) "lvl", 3, &arg) == NGX_OK
        && arg.len == 1 && arg.data[0] == '1')
    {
        ctx->one_factor = 1;
    }

    if (ngx_http_arg(r, (u_char *) "step", 4, &arg) == NGX_OK
        && arg.len == 1 && arg.data[0] == '1')
    {
        ctx->step_up = 1;
    }

    if (ngx_http_arg(r, (u_char *) "rd", 2, &arg) != NGX_OK) {
        return;
    }

    if (a2f_url_unescape((char *) arg.data, arg.len, (char *) rd, sizeof(rd),
                         &len)
        != A2F_OK)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: malformed \"rd\" argument ignored");
        return;
    }

    if (ngx_http_a2f_set_rd(r, ctx, rd, len) == NGX_OK
        && a2f_rd_safe((char *) rd, len))
    {
        ctx->rd_given = 1;
    }
}


/* Keep rd when it is a same-origin path, else "/" (and say so). */

ngx_int_t
ngx_http_a2f_set_rd(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx,
    u_char *rd, size_t len)
{
    if (!a2f_rd_safe((char *) rd, len)) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: unsafe redirect target replaced by \"/\"");
        ngx_str_set(&ctx->rd, "/");
        return NGX_OK;
    }

    ctx->rd.data = ngx_pnalloc(r->pool, len);
    if (ctx->rd.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(ctx->rd.data, rd, len);
    ctx->rd.len = len;

    return NGX_OK;
}


/* The session's user's record (a read, no write); NGX_ERROR is logged. */

ngx_int_t
ngx_http_a2f_session_user(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, a2f_user_t *u)
{
    int                        rc;
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);

    rc = a2f_store_user_get(amcf->store, ctx->auth.session.user,
                            ctx->auth.session.user_len, u);
    ngx_explicit_memzero(u->pwhash, sizeof(u->pwhash));

    if (rc != A2F_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "a2f: database \"%V\": %s", &amcf->db_path,
                      a2f_strerror(rc));
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* How many TOTP devices (and security keys) the session's user has. */

ngx_int_t
ngx_http_a2f_devices(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx,
    unsigned *n, unsigned *nkeys)
{
    a2f_user_t  u;

    if (ngx_http_a2f_session_user(r, ctx, &u) != NGX_OK) {
        return NGX_ERROR;
    }

    *n = u.ndevices;

    if (nkeys) {
        *nkeys = u.nkeys;
    }

    return NGX_OK;
}


/* The answer to a user without a device where self-service is off. */

ngx_int_t
ngx_http_a2f_no_device_page(ngx_http_request_t *r)
{
    ngx_str_t  href;

    ngx_str_set(&href, "logout");

    return ngx_http_a2f_message_page(r, NGX_HTTP_FORBIDDEN,
               "No second factor",
               "Your account has no authenticator app set up yet. "
               "Ask your administrator to enroll one.",
               &href, "Sign out");
}


/*
 * The second factor passed: level two, its time now, a fresh session id
 * (the level changed), and the cookie.
 */

ngx_int_t
ngx_http_a2f_second_factor(ngx_http_request_t *r, a2f_session_t *s)
{
    s->level = A2F_LEVEL_TWO;
    s->factor = ngx_time();

    if (a2f_session_new_sid(s) != A2F_OK
        || ngx_http_a2f_session_set(r, s) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}
