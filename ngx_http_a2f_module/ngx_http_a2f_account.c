
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * ngx_http_a2f_account.c: the user's own page (/_a2f/account), for a
 * two-factor session: the authenticator apps, a link to add another one,
 * and new recovery codes (shown once).
 */


#include "ngx_http_a2f_module.h"
#include "a2f_text.h"


#define NGX_HTTP_A2F_ACC_RECOVERY  1
#define NGX_HTTP_A2F_ACC_KEY_DEL   2


static ngx_int_t ngx_http_a2f_account_devices(ngx_http_request_t *r,
    ngx_str_t *out);
static ngx_int_t ngx_http_a2f_account_keys(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *out);


ngx_int_t
ngx_http_a2f_account_page(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_uint_t status)
{
    u_char                    *p;
    size_t                     len;
    unsigned                   remaining;
    ngx_uint_t                 i, n;
    ngx_str_t                  binding, devices, codes, left, keys;
    ngx_http_a2f_job_t        *job;
    ngx_http_a2f_var_t         vars[5];
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);

    if (!ctx->have_session) {
        return ngx_http_a2f_redirect(r, NGX_HTTP_MOVED_TEMPORARILY, "login",
                                     &ctx->rd, 0);
    }

    if (ctx->auth.level < A2F_LEVEL_TWO) {
        return ngx_http_a2f_redirect(r, NGX_HTTP_MOVED_TEMPORARILY, "otc",
                                     &ctx->rd, 0);
    }

    if (ngx_http_a2f_account_devices(r, &devices) != NGX_OK
        || ngx_http_a2f_account_keys(r, ctx, &keys) != NGX_OK
        || a2f_store_recovery_count(amcf->store, ctx->auth.session.user,
                                    ctx->auth.session.user_len, &remaining)
           != A2F_OK)
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "a2f: database \"%V\": cannot read the account of "
                      "\"%V\"", &amcf->db_path, &ctx->auth.user);
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    /* new recovery codes: shown this once */

    ngx_str_null(&codes);
    job = ctx->job;

    if (job && job->kind == NGX_HTTP_A2F_ACCOUNT && job->rc == A2F_OK
        && job->action == NGX_HTTP_A2F_ACC_RECOVERY)
    {
        len = sizeof("<div class=\"codes\" role=\"status\"><p><strong>Your new "
                     "recovery codes.</strong> Write them down or print "
                     "them now: they are not shown again.</p><ol></ol>"
                     "</div>") - 1
              + A2F_RECOVERY_CODES * (sizeof("<li></li>") - 1
                                      + A2F_RECOVERY_LEN);

        codes.data = ngx_pnalloc(r->pool, len);
        if (codes.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        p = ngx_cpymem(codes.data, "<div class=\"codes\" role=\"status\"><p>"
                       "<strong>Your new recovery codes.</strong> Write them "
                       "down or print them now: they are not shown again."
                       "</p><ol>",
                       sizeof("<div class=\"codes\" role=\"status\"><p>"
                              "<strong>Your new recovery codes.</strong> "
                              "Write them down or print them now: they are "
                              "not shown again.</p><ol>") - 1);

        for (i = 0; i < A2F_RECOVERY_CODES; i++) {
            p = ngx_sprintf(p, "<li>%s</li>", job->codes[i]);
        }

        p = ngx_cpymem(p, "</ol></div>", sizeof("</ol></div>") - 1);
        codes.len = p - codes.data;

        ngx_explicit_memzero(job->codes, sizeof(job->codes));
        remaining = A2F_RECOVERY_CODES;
    }

    left.data = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
    if (left.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    left.len = ngx_sprintf(left.data, "%ud", remaining) - left.data;

    n = 0;
    vars[n].name = "user";
    vars[n].value = ctx->auth.user;
    vars[n++].raw = 0;
    vars[n].name = "devices";
    vars[n].value = devices;
    vars[n++].raw = 1;
    vars[n].name = "codes";
    vars[n].value = codes;
    vars[n++].raw = 1;
    vars[n].name = "remaining";
    vars[n].value = left;
    vars[n++].raw = 0;
    vars[n].name = "keys";
    vars[n].value = keys;
    vars[n++].raw = 1;

    binding.data = (u_char *) ctx->auth.session.sid;
    binding.len = ngx_strlen(ctx->auth.session.sid);

    return ngx_http_a2f_form_page(r, ctx, &amcf->page_account, status, NULL,
                                  &binding, vars, n);
}


/*
 * POST account (CSRF checked by the caller): action=recovery, or
 * action=key_del with key=NAME.
 */

ngx_int_t
ngx_http_a2f_account_form(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *body)
{
    char                 action[16];
    size_t               len;
    ngx_http_a2f_job_t  *job;

    if (ctx->auth.level < A2F_LEVEL_TWO) {
        return ngx_http_a2f_redirect(r, NGX_HTTP_SEE_OTHER, "otc", &ctx->rd,
                                     0);
    }

    job = ctx->job;

    if (a2f_form_get((char *) body->data, body->len, "action", action,
                     sizeof(action), &len)
        != A2F_OK)
    {
        len = 0;
    }

    if (len == sizeof("recovery") - 1
        && ngx_strncmp(action, "recovery", len) == 0)
    {
        job->action = NGX_HTTP_A2F_ACC_RECOVERY;
        return ngx_http_a2f_post_job(r, ctx);
    }

    if (len == sizeof("key_del") - 1
        && ngx_strncmp(action, "key_del", len) == 0
        && a2f_form_get((char *) body->data, body->len, "key", job->name,
                        sizeof(job->name), &job->name_len)
           == A2F_OK
        && job->name_len > 0)
    {
        job->action = NGX_HTTP_A2F_ACC_KEY_DEL;
        return ngx_http_a2f_post_job(r, ctx);
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "a2f: account form of \"%V\" without a known action",
                  &ctx->auth.user);

    return NGX_HTTP_BAD_REQUEST;
}


/* In a thread pool thread: a new set of recovery codes (nginx-free). */

void
ngx_http_a2f_account_run(ngx_http_a2f_job_t *job)
{
    char  detail[A2F_DEVICE_MAX + 16];

    if (job->action == NGX_HTTP_A2F_ACC_RECOVERY) {
        job->rc = a2f_store_recovery_new(job->store, job->user,
                                         job->user_len, job->codes,
                                         job->now);
        return;
    }

    job->rc = a2f_store_seckey_del(job->store, job->user, job->user_len,
                                   job->name, job->name_len);

    if (job->rc == A2F_OK) {
        ngx_snprintf((u_char *) detail, sizeof(detail) - 1, "key=%*s%Z",
                     job->name_len, job->name);
        (void) a2f_store_audit(job->store, job->now, "key_del", job->user,
                               job->user_len, job->addr, detail);
    }
}


ngx_int_t
ngx_http_a2f_account_done(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx)
{
    ngx_http_a2f_job_t  *job;

    job = ctx->job;

    if (job->action == NGX_HTTP_A2F_ACC_KEY_DEL) {
        if (job->rc == A2F_ERR_NOTFOUND) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "a2f: user \"%s\" has no security key of that "
                          "name", job->user);
            return NGX_HTTP_NOT_FOUND;
        }

        if (job->rc != A2F_OK) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "a2f: removing a security key of \"%s\" "
                          "failed: %s", job->user, a2f_strerror(job->rc));
            return NGX_HTTP_SERVICE_UNAVAILABLE;
        }

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: user \"%s\" removed a security key",
                      job->user);

        return ngx_http_a2f_account_page(r, ctx, NGX_HTTP_OK);
    }

    if (job->rc != A2F_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "a2f: new recovery codes for \"%s\" failed: %s",
                      job->user, a2f_strerror(job->rc));
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "a2f: user \"%s\" made new recovery codes", job->user);

    return ngx_http_a2f_account_page(r, ctx, NGX_HTTP_OK);
}


/* <ul> of the user's device names, HTML-escaped */

static ngx_int_t
ngx_http_a2f_account_devices(ngx_http_request_t *r, ngx_str_t *out)
{
    u_char                    *p;
    size_t                     len;
    unsigned                   n, i;
    a2f_totp_dev_t             devs[A2F_DEVICES_MAX];
    ngx_http_a2f_ctx_t        *ctx;
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);
    ctx = ngx_http_get_module_ctx(r, ngx_http_a2f_module);

    if (a2f_store_totp_list(amcf->store, ctx->session.user,
                            ctx->session.user_len, devs, A2F_DEVICES_MAX, &n)
        != A2F_OK)
    {
        return NGX_ERROR;
    }

    len = sizeof("<p>None yet.</p>");

    for (i = 0; i < n; i++) {
        ngx_explicit_memzero(devs[i].secret, sizeof(devs[i].secret));
        len += sizeof("<li></li>") + 6 * A2F_DEVICE_MAX;
    }

    len += sizeof("<ul class=\"devices\"></ul>");

    out->data = ngx_pnalloc(r->pool, len);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    if (n == 0) {
        p = ngx_cpymem(out->data, "<p>None yet.</p>",
                       sizeof("<p>None yet.</p>") - 1);
        out->len = p - out->data;
        return NGX_OK;
    }

    p = ngx_cpymem(out->data, "<ul class=\"devices\">",
                   sizeof("<ul class=\"devices\">") - 1);

    for (i = 0; i < n; i++) {
        p = ngx_cpymem(p, "<li>", 4);
        p += a2f_html_escape(devs[i].name, ngx_strlen(devs[i].name),
                             (char *) p, 6 * A2F_DEVICE_MAX + 1);
        p = ngx_cpymem(p, "</li>", 5);
    }

    p = ngx_cpymem(p, "</ul>", 5);
    out->len = p - out->data;

    return NGX_OK;
}


/* the user's security keys, each with a remove button */

static ngx_int_t
ngx_http_a2f_account_keys(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *out)
{
    u_char                    *p, *end;
    size_t                     len;
    unsigned                   n, i;
    ngx_str_t                  binding, csrf;
    a2f_seckey_t              *ks;
    ngx_http_a2f_srv_conf_t   *ascf;
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);
    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    ks = ngx_palloc(r->pool, A2F_SECKEYS_MAX * sizeof(a2f_seckey_t));
    if (ks == NULL) {
        return NGX_ERROR;
    }

    if (a2f_store_seckey_list(amcf->store, ctx->auth.session.user,
                              ctx->auth.session.user_len, ks,
                              A2F_SECKEYS_MAX, &n)
        != A2F_OK)
    {
        return NGX_ERROR;
    }

    if (n == 0) {
        ngx_str_set(out, "<p>None yet.</p>");
        return NGX_OK;
    }

    binding.data = (u_char *) ctx->auth.session.sid;
    binding.len = ngx_strlen(ctx->auth.session.sid);

    if (ngx_http_a2f_csrf_token(r, &binding, &csrf) != NGX_OK) {
        return NGX_ERROR;
    }

    len = 128 + n * (512 + csrf.len + 6 * ascf->portal.len
                     + 12 * A2F_DEVICE_MAX);

    out->data = ngx_pnalloc(r->pool, len);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    p = out->data;
    end = p + len;

    p = ngx_slprintf(p, end, "<ul class=\"devices keys\">");

    for (i = 0; i < n; i++) {
        p = ngx_slprintf(p, end, "<li><span>");
        p += a2f_html_escape(ks[i].name, ngx_strlen(ks[i].name), (char *) p,
                             end - p);
        p = ngx_slprintf(p, end, "%s</span> <form method=\"post\" "
                         "action=\"",
                         (ks[i].flags & A2F_SECKEY_CLONED)
                         ? " <span class=\"tag bad\">blocked</span>" : "");
        p += a2f_html_escape((char *) ascf->portal.data, ascf->portal.len,
                             (char *) p, end - p);
        p = ngx_slprintf(p, end, "account\"><input type=\"hidden\" "
                         "name=\"csrf\" value=\"%V\"><input type=\"hidden\" "
                         "name=\"action\" value=\"key_del\"><input "
                         "type=\"hidden\" name=\"key\" value=\"", &csrf);
        p += a2f_html_escape(ks[i].name, ngx_strlen(ks[i].name), (char *) p,
                             end - p);
        p = ngx_slprintf(p, end, "\"><button type=\"submit\" "
                         "class=\"secondary\">Remove</button></form></li>");
    }

    p = ngx_slprintf(p, end, "</ul>");
    out->len = p - out->data;

    return NGX_OK;
}
