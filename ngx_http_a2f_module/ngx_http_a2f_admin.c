
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * ngx_http_a2f_admin.c: the admin pages (/_a2f/admin, a2f_admin on):
 * who may use them, the actions their forms post, and the thread-pool
 * job that carries each action out.  The HTML is in
 * ngx_http_a2f_admin_view.c.
 *
 * Only a user with the admin role and a two-factor session whose second
 * factor is at most a2f_admin_max_age old gets in: without a session the
 * login page, with a one-factor or an older session the code page
 * (step-up), anyone else 403.  Every action is a POST with a CSRF token
 * bound to the session, runs in the thread pool (password hashing and
 * database writes), and is audited with the administrator's name.
 */


#include "ngx_http_a2f_module.h"
#include "a2f_password.h"
#include "a2f_text.h"


#define NGX_HTTP_A2F_ADM_CREATE     1
#define NGX_HTTP_A2F_ADM_DELETE     2
#define NGX_HTTP_A2F_ADM_DISABLE    3
#define NGX_HTTP_A2F_ADM_ENABLE     4
#define NGX_HTTP_A2F_ADM_ADMIN      5
#define NGX_HTTP_A2F_ADM_UNADMIN    6
#define NGX_HTTP_A2F_ADM_PASSWORD   7
#define NGX_HTTP_A2F_ADM_UNLOCK     8
#define NGX_HTTP_A2F_ADM_REVOKE     9
#define NGX_HTTP_A2F_ADM_TOTP_ADD   10
#define NGX_HTTP_A2F_ADM_TOTP_DEL   11
#define NGX_HTTP_A2F_ADM_KEY_DEL    12
#define NGX_HTTP_A2F_ADM_RECOVERY   13
#define NGX_HTTP_A2F_ADM_LINK       14
#define NGX_HTTP_A2F_ADM_GROUP      15
#define NGX_HTTP_A2F_ADM_GROUP_CLR  16

#define NGX_HTTP_A2F_PASSWORD_MIN   8
#define NGX_HTTP_A2F_LINK_TTL       86400


typedef struct {
    ngx_str_t                  name;        /* the form's action value  */
    ngx_uint_t                 action;
    const char                *event;       /* audit event              */
    const char                *done;        /* "User %s disabled."      */
} ngx_http_a2f_admin_action_t;


/* job->ext of the group actions */

typedef struct {
    char                       name[A2F_GROUP_MAX + 1];
    size_t                     len;
} ngx_http_a2f_admin_group_t;


static ngx_http_a2f_admin_action_t  ngx_http_a2f_admin_actions[] = {
    { ngx_string("create"), NGX_HTTP_A2F_ADM_CREATE, "admin_create",
      "User \"%s\" created." },
    { ngx_string("delete"), NGX_HTTP_A2F_ADM_DELETE, "admin_delete",
      "User \"%s\" deleted." },
    { ngx_string("disable"), NGX_HTTP_A2F_ADM_DISABLE, "admin_disable",
      "User \"%s\" disabled and signed out." },
    { ngx_string("enable"), NGX_HTTP_A2F_ADM_ENABLE, "admin_enable",
      "User \"%s\" enabled." },
    { ngx_string("admin"), NGX_HTTP_A2F_ADM_ADMIN, "admin_grant",
      "User \"%s\" is now an administrator." },
    { ngx_string("unadmin"), NGX_HTTP_A2F_ADM_UNADMIN, "admin_revoke_role",
      "User \"%s\" is no longer an administrator." },
    { ngx_string("password"), NGX_HTTP_A2F_ADM_PASSWORD, "admin_password",
      "The password of \"%s\" was reset; their sessions ended." },
    { ngx_string("unlock"), NGX_HTTP_A2F_ADM_UNLOCK, "admin_unlock",
      "Sign-in of \"%s\" unlocked." },
    { ngx_string("revoke"), NGX_HTTP_A2F_ADM_REVOKE, "admin_signout",
      "User \"%s\" is signed out everywhere." },
    { ngx_string("totp_add"), NGX_HTTP_A2F_ADM_TOTP_ADD, "admin_totp_add",
      "An authenticator app was added to \"%s\"." },
    { ngx_string("totp_del"), NGX_HTTP_A2F_ADM_TOTP_DEL, "admin_totp_del",
      "An authenticator app of \"%s\" was removed." },
    { ngx_string("key_del"), NGX_HTTP_A2F_ADM_KEY_DEL, "admin_key_del",
      "A security key of \"%s\" was removed." },
    { ngx_string("recovery"), NGX_HTTP_A2F_ADM_RECOVERY, "admin_recovery",
      "New recovery codes for \"%s\"; the old ones stopped working." },
    { ngx_string("link"), NGX_HTTP_A2F_ADM_LINK, "admin_link",
      "A new enrollment link for \"%s\"; an older one stopped working." },

    /* "group" with an empty group field becomes "group_clear" */

    { ngx_string("group"), NGX_HTTP_A2F_ADM_GROUP, "group_set",
      "Group of \"%s\" set to \"%s\"." },
    { ngx_string("group_clear"), NGX_HTTP_A2F_ADM_GROUP_CLR, "group_clear",
      "Group of \"%s\" cleared." },
    { ngx_null_string, 0, NULL, NULL }
};


static ngx_int_t ngx_http_a2f_admin_allowed(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx);
static ngx_http_a2f_admin_action_t *ngx_http_a2f_admin_action(
    ngx_uint_t action);
static ngx_int_t ngx_http_a2f_admin_refuse(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_uint_t status, const char *text);
static ngx_int_t ngx_http_a2f_admin_password(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *body);
static ngx_int_t ngx_http_a2f_admin_group(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *body);
static ngx_int_t ngx_http_a2f_admin_shown(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx);
static ngx_int_t ngx_http_a2f_admin_arg(ngx_http_request_t *r,
    const char *name, u_char *out, size_t size, ngx_str_t *value);


/* GET admin, admin/user?name=..., admin/audit?before=... */

ngx_int_t
ngx_http_a2f_admin_get(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx)
{
    u_char     *buf;
    ngx_int_t   rc;
    ngx_str_t   value;

    rc = ngx_http_a2f_admin_allowed(r, ctx);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    buf = ngx_pnalloc(r->pool, A2F_USER_MAX + 1);
    if (buf == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->token.len == 0) {
        if (ngx_http_a2f_admin_arg(r, "q", buf, A2F_USER_MAX + 1, &value)
            != NGX_OK)
        {
            value.len = 0;
        }

        return ngx_http_a2f_admin_list_page(r, ctx, NGX_HTTP_OK, &value);
    }

    if (ctx->token.len == 5 && ngx_strncmp(ctx->token.data, "/user", 5) == 0)
    {
        if (ngx_http_a2f_admin_arg(r, "name", buf, A2F_USER_MAX + 1, &value)
            != NGX_OK
            || a2f_user_name_valid((char *) value.data, value.len) != A2F_OK)
        {
            return ngx_http_a2f_admin_refuse(r, ctx, NGX_HTTP_NOT_FOUND,
                                             "There is no such user.");
        }

        return ngx_http_a2f_admin_user_page(r, ctx, NGX_HTTP_OK, &value);
    }

    if (ctx->token.len == 6 && ngx_strncmp(ctx->token.data, "/audit", 6) == 0)
    {
        return ngx_http_a2f_admin_audit_page(r, ctx);
    }

    return NGX_HTTP_NOT_FOUND;
}


/*
 * POST admin: action, user, and per action: password, admin, link,
 * device, key, ttl, confirm, group.  The CSRF token was checked by the
 * caller.
 */

ngx_int_t
ngx_http_a2f_admin_form(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *body)
{
    char                          act[16], val[16];
    size_t                        len, vlen;
    ngx_int_t                     rc, ttl;
    ngx_str_t                     target;
    ngx_http_a2f_job_t           *job;
    ngx_http_a2f_admin_action_t  *a;

    if (ctx->token.len != 0) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_a2f_admin_allowed(r, ctx);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    job = ctx->job;

    if (a2f_form_get((char *) body->data, body->len, "action", act,
                     sizeof(act), &len)
        != A2F_OK)
    {
        len = 0;
    }

    for (a = ngx_http_a2f_admin_actions; a->name.len; a++) {
        if (a->name.len == len && ngx_strncmp(a->name.data, act, len) == 0) {
            break;
        }
    }

    if (a->name.len == 0) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: admin form of \"%V\" without a known action",
                      &ctx->auth.user);
        return ngx_http_a2f_admin_refuse(r, ctx, NGX_HTTP_BAD_REQUEST,
                                         "That form did not say what to "
                                         "do. Nothing was changed.");
    }

    job->action = a->action;

    if (a2f_form_get((char *) body->data, body->len, "user", job->target,
                     sizeof(job->target), &job->target_len)
        != A2F_OK
        || a2f_user_name_valid(job->target, job->target_len) != A2F_OK)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: admin \"%V\": %V refused: missing or invalid "
                      "user name", &ctx->auth.user, &a->name);
        return ngx_http_a2f_admin_refuse(r, ctx, NGX_HTTP_BAD_REQUEST,
                   "A user name is 1 to 64 characters without spaces, "
                   "control characters, \"/\", \"\\\" or \":\".");
    }

    target.data = (u_char *) job->target;
    target.len = job->target_len;

    /* an administrator cannot lock themselves out */

    if ((job->action == NGX_HTTP_A2F_ADM_DELETE
         || job->action == NGX_HTTP_A2F_ADM_DISABLE
         || job->action == NGX_HTTP_A2F_ADM_UNADMIN)
        && target.len == ctx->auth.user.len
        && ngx_strncmp(target.data, ctx->auth.user.data, target.len) == 0)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: admin \"%V\": %V of their own account refused",
                      &ctx->auth.user, &a->name);
        ngx_str_set(&ctx->notice, "You cannot delete, disable or remove "
                    "the administrator role of your own account: ask "
                    "another administrator.");
        return ngx_http_a2f_admin_user_page(r, ctx, NGX_HTTP_CONFLICT,
                                            &target);
    }

    switch (job->action) {

    case NGX_HTTP_A2F_ADM_CREATE:
        job->make_admin = (a2f_form_get((char *) body->data, body->len,
                                        "admin", val, sizeof(val), &vlen)
                           == A2F_OK && vlen == 1 && val[0] == '1');
        job->make_link = (a2f_form_get((char *) body->data, body->len,
                                       "link", val, sizeof(val), &vlen)
                          == A2F_OK && vlen == 1 && val[0] == '1');
        job->expires = ngx_time() + NGX_HTTP_A2F_LINK_TTL;

        /* fall through */

    case NGX_HTTP_A2F_ADM_PASSWORD:
        rc = ngx_http_a2f_admin_password(r, ctx, body);
        if (rc != NGX_DECLINED) {
            return rc;
        }

        break;

    case NGX_HTTP_A2F_ADM_DELETE:
        if (a2f_form_get((char *) body->data, body->len, "confirm", val,
                         sizeof(val), &vlen)
            != A2F_OK
            || vlen != 1 || val[0] != '1')
        {
            ctx->notice.data = (u_char *) "Tick the box to confirm the "
                                          "deletion. Nothing was deleted.";
            ctx->notice.len = ngx_strlen(ctx->notice.data);
            return ngx_http_a2f_admin_user_page(r, ctx, NGX_HTTP_BAD_REQUEST,
                                                &target);
        }

        break;

    case NGX_HTTP_A2F_ADM_TOTP_ADD:
    case NGX_HTTP_A2F_ADM_TOTP_DEL:
    case NGX_HTTP_A2F_ADM_KEY_DEL:
        rc = a2f_form_get((char *) body->data, body->len,
                          job->action == NGX_HTTP_A2F_ADM_KEY_DEL
                          ? "key" : "device",
                          job->name, sizeof(job->name), &job->name_len);

        if (rc == A2F_ERR_NOTFOUND
            && job->action == NGX_HTTP_A2F_ADM_TOTP_ADD)
        {
            job->name_len = 0;
            rc = A2F_OK;
        }

        if (rc != A2F_OK
            || (job->name_len == 0
                && job->action != NGX_HTTP_A2F_ADM_TOTP_ADD))
        {
            ngx_str_set(&ctx->notice, "A device name is 1 to 32 "
                        "characters. Nothing was changed.");
            return ngx_http_a2f_admin_user_page(r, ctx, NGX_HTTP_BAD_REQUEST,
                                                &target);
        }

        if (job->action == NGX_HTTP_A2F_ADM_TOTP_ADD) {
            ctx->secret = ngx_pnalloc(r->pool, NGX_HTTP_A2F_SECRET_LEN);
            if (ctx->secret == NULL
                || a2f_random(ctx->secret, NGX_HTTP_A2F_SECRET_LEN) != A2F_OK)
            {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            ngx_memcpy(job->secret, ctx->secret, NGX_HTTP_A2F_SECRET_LEN);
            job->secret_len = NGX_HTTP_A2F_SECRET_LEN;
        }

        break;

    case NGX_HTTP_A2F_ADM_LINK:
        ttl = NGX_HTTP_A2F_LINK_TTL;

        if (a2f_form_get((char *) body->data, body->len, "ttl", val,
                         sizeof(val), &vlen)
            == A2F_OK)
        {
            ttl = ngx_atoi((u_char *) val, vlen);

            if (ttl == NGX_ERROR || ttl < 60 || ttl > A2F_LINK_TTL_MAX) {
                ngx_str_set(&ctx->notice, "A link is valid for a minute "
                            "to 30 days. Nothing was changed.");
                return ngx_http_a2f_admin_user_page(r, ctx,
                                                    NGX_HTTP_BAD_REQUEST,
                                                    &target);
            }
        }

        job->expires = ngx_time() + ttl;
        break;

    case NGX_HTTP_A2F_ADM_GROUP:
    case NGX_HTTP_A2F_ADM_GROUP_CLR:
        rc = ngx_http_a2f_admin_group(r, ctx, body);
        if (rc != NGX_DECLINED) {
            return rc;
        }

        break;

    default:
        break;
    }

    return ngx_http_a2f_post_job(r, ctx);
}


/*
 * The group field of group: a group name (set), or empty (clear: the
 * action becomes group_clear); group_clear ignores it.  NGX_DECLINED: go
 * on; anything else is the answer.
 */

static ngx_int_t
ngx_http_a2f_admin_group(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *body)
{
    ngx_str_t                    target;
    ngx_http_a2f_job_t          *job;
    ngx_http_a2f_admin_group_t  *g;

    job = ctx->job;

    g = ngx_pcalloc(r->pool, sizeof(ngx_http_a2f_admin_group_t));
    if (g == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    job->ext = g;

    if (job->action == NGX_HTTP_A2F_ADM_GROUP_CLR) {
        return NGX_DECLINED;
    }

    if (a2f_form_get((char *) body->data, body->len, "group", g->name,
                     sizeof(g->name), &g->len)
        == A2F_OK
        && (g->len == 0 || a2f_store_group_ok(g->name, g->len)))
    {
        if (g->len == 0) {
            job->action = NGX_HTTP_A2F_ADM_GROUP_CLR;
        }

        return NGX_DECLINED;
    }

    target.data = (u_char *) job->target;
    target.len = job->target_len;

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "a2f: admin \"%V\": group of user \"%V\" refused: "
                  "missing or invalid group name", &ctx->auth.user, &target);

    ngx_str_set(&ctx->notice, "A group name is 1 to 64 characters of "
                "printable ASCII without spaces, \" or \\. Leave the field "
                "empty to clear the group. Nothing was changed.");

    return ngx_http_a2f_admin_user_page(r, ctx, NGX_HTTP_BAD_REQUEST,
                                        &target);
}


/*
 * The password field of create and password: typed (8..256 bytes), or
 * empty or absent: a generated one, shown once.  NGX_DECLINED: go on;
 * anything else is the answer (a page sent, or an error status).
 */

static ngx_int_t
ngx_http_a2f_admin_password(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *body)
{
    int                  rc;
    ngx_str_t            target;
    ngx_http_a2f_job_t  *job;

    job = ctx->job;

    rc = a2f_form_get((char *) body->data, body->len, "password",
                      job->password, sizeof(job->password),
                      &job->password_len);

    if (rc == A2F_ERR_NOTFOUND || (rc == A2F_OK && job->password_len == 0)) {

        if (a2f_password_generate(job->password, sizeof(job->password))
            != A2F_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        job->password_len = ngx_strlen(job->password);

        ctx->shown.data = ngx_pnalloc(r->pool, job->password_len);
        if (ctx->shown.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_memcpy(ctx->shown.data, job->password, job->password_len);
        ctx->shown.len = job->password_len;

        return NGX_DECLINED;
    }

    if (rc == A2F_OK && job->password_len >= NGX_HTTP_A2F_PASSWORD_MIN) {
        return NGX_DECLINED;
    }

    ngx_explicit_memzero(job->password, sizeof(job->password));

    ngx_str_set(&ctx->notice, "A password is 8 to 256 characters. Leave "
                "the field empty to generate one. Nothing was changed.");

    if (job->action == NGX_HTTP_A2F_ADM_CREATE) {
        return ngx_http_a2f_admin_list_page(r, ctx, NGX_HTTP_BAD_REQUEST,
                                            NULL);
    }

    target.data = (u_char *) job->target;
    target.len = job->target_len;

    return ngx_http_a2f_admin_user_page(r, ctx, NGX_HTTP_BAD_REQUEST,
                                        &target);
}


/* In a thread pool thread: carry the action out (nginx-free). */

void
ngx_http_a2f_admin_run(ngx_http_a2f_job_t *job)
{
    int                           rc;
    char                          detail[A2F_USER_MAX + A2F_DEVICE_MAX
                                         + A2F_GROUP_MAX + 16];
    a2f_user_t                    u;
    a2f_totp_dev_t                d;
    ngx_http_a2f_admin_group_t   *g;
    ngx_http_a2f_admin_action_t  *a;

    rc = A2F_OK;
    g = NULL;

    switch (job->action) {

    case NGX_HTTP_A2F_ADM_CREATE:
        ngx_memzero(&u, sizeof(a2f_user_t));
        ngx_memcpy(u.name, job->target, job->target_len + 1);
        u.name_len = job->target_len;
        u.flags = job->make_admin ? A2F_USER_ADMIN : 0;

        rc = a2f_password_hash(job->password, job->password_len, 0,
                               u.pwhash, sizeof(u.pwhash));

        if (rc == A2F_OK) {
            rc = a2f_store_user_add(job->store, &u, job->now);
        }

        ngx_explicit_memzero(u.pwhash, sizeof(u.pwhash));
        break;

    case NGX_HTTP_A2F_ADM_PASSWORD:
        rc = a2f_password_hash(job->password, job->password_len, 0,
                               u.pwhash, sizeof(u.pwhash));

        if (rc == A2F_OK) {
            rc = a2f_store_user_set_password(job->store, job->target,
                                             job->target_len, u.pwhash);
        }

        ngx_explicit_memzero(u.pwhash, sizeof(u.pwhash));
        break;

    case NGX_HTTP_A2F_ADM_DELETE:
        rc = a2f_store_user_del(job->store, job->target, job->target_len);
        break;

    case NGX_HTTP_A2F_ADM_DISABLE:
    case NGX_HTTP_A2F_ADM_ENABLE:
        rc = a2f_store_user_update_flags(job->store, job->target,
                 job->target_len,
                 job->action == NGX_HTTP_A2F_ADM_DISABLE
                 ? A2F_USER_DISABLED : 0,
                 job->action == NGX_HTTP_A2F_ADM_ENABLE
                 ? A2F_USER_DISABLED : 0,
                 &job->flags);
        break;

    case NGX_HTTP_A2F_ADM_ADMIN:
    case NGX_HTTP_A2F_ADM_UNADMIN:
        rc = a2f_store_user_update_flags(job->store, job->target,
                 job->target_len,
                 job->action == NGX_HTTP_A2F_ADM_ADMIN ? A2F_USER_ADMIN : 0,
                 job->action == NGX_HTTP_A2F_ADM_UNADMIN ? A2F_USER_ADMIN : 0,
                 &job->flags);
        break;

    case NGX_HTTP_A2F_ADM_UNLOCK:
        rc = a2f_store_unlock(job->store, job->target, job->target_len);
        break;

    case NGX_HTTP_A2F_ADM_REVOKE:
        rc = a2f_store_user_revoke(job->store, job->target, job->target_len);
        break;

    case NGX_HTTP_A2F_ADM_TOTP_ADD:
        ngx_memzero(&d, sizeof(a2f_totp_dev_t));
        ngx_memcpy(d.name, job->name, job->name_len);
        d.alg = A2F_SHA1;
        d.digits = 6;
        d.period = 30;
        ngx_memcpy(d.secret, job->secret, job->secret_len);
        d.secret_len = job->secret_len;

        rc = a2f_store_totp_add(job->store, job->target, job->target_len, &d,
                                job->now);

        if (job->name_len == 0) {
            ngx_memcpy(job->name, "default", sizeof("default"));
            job->name_len = sizeof("default") - 1;
        }

        ngx_explicit_memzero(&d, sizeof(a2f_totp_dev_t));
        break;

    case NGX_HTTP_A2F_ADM_TOTP_DEL:
        rc = a2f_store_totp_del(job->store, job->target, job->target_len,
                                job->name, job->name_len);
        break;

    case NGX_HTTP_A2F_ADM_KEY_DEL:
        rc = a2f_store_seckey_del(job->store, job->target, job->target_len,
                                  job->name, job->name_len);
        break;

    case NGX_HTTP_A2F_ADM_RECOVERY:
        rc = a2f_store_recovery_new(job->store, job->target, job->target_len,
                                    job->codes, job->now);
        break;

    case NGX_HTTP_A2F_ADM_GROUP:
    case NGX_HTTP_A2F_ADM_GROUP_CLR:
        g = job->ext;
        rc = a2f_store_user_group_set(job->store, job->target,
                                      job->target_len, g->name,
                                      job->action == NGX_HTTP_A2F_ADM_GROUP
                                      ? g->len : 0);
        break;

    default: /* NGX_HTTP_A2F_ADM_LINK */
        break;
    }

    a = ngx_http_a2f_admin_action(job->action);

    if (job->action == NGX_HTTP_A2F_ADM_GROUP) {
        ngx_snprintf((u_char *) detail, sizeof(detail) - 1,
                     "group=%*s by=%s%Z", g->len, g->name, job->user);

    } else {
        ngx_snprintf((u_char *) detail, sizeof(detail) - 1, "by=%s%s%*s%Z",
                     job->user,
                     job->name_len == 0 ? ""
                     : job->action == NGX_HTTP_A2F_ADM_KEY_DEL ? " key="
                                                              : " device=",
                     job->name_len, job->name);
    }

    if (rc == A2F_OK && a) {
        rc = a2f_store_audit(job->store, job->now, a->event, job->target,
                             job->target_len, job->addr, detail);
    }

    /* a new user's link, or the link action itself */

    if (rc == A2F_OK
        && (job->action == NGX_HTTP_A2F_ADM_LINK || job->make_link))
    {
        rc = a2f_store_link_new(job->store, job->target, job->target_len,
                                job->expires, job->now, detail, job->token);
    }

    job->rc = rc;
}


ngx_int_t
ngx_http_a2f_admin_done(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx)
{
    u_char                       *p;
    size_t                        len;
    ngx_str_t                     target;
    ngx_uint_t                    status, group;
    const char                   *gname;
    ngx_http_a2f_job_t           *job;
    ngx_http_a2f_admin_group_t   *g;
    ngx_http_a2f_admin_action_t  *a;

    job = ctx->job;
    a = ngx_http_a2f_admin_action(job->action);

    group = (job->action == NGX_HTTP_A2F_ADM_GROUP
             || job->action == NGX_HTTP_A2F_ADM_GROUP_CLR);

    target.data = (u_char *) job->target;
    target.len = job->target_len;

    if (job->rc != A2F_OK) {
        ngx_explicit_memzero(job->codes, sizeof(job->codes));

        if (ctx->secret) {
            ngx_explicit_memzero(ctx->secret, NGX_HTTP_A2F_SECRET_LEN);
            ctx->secret = NULL;
        }

        if (ctx->shown.len) {
            ngx_explicit_memzero(ctx->shown.data, ctx->shown.len);
            ngx_str_null(&ctx->shown);
        }

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: admin \"%V\": %s of user \"%V\" failed: %s",
                      &ctx->auth.user, a ? a->event : "-", &target,
                      a2f_strerror(job->rc));

        switch (job->rc) {

        case A2F_ERR_NOTFOUND:
            status = NGX_HTTP_NOT_FOUND;

            if (job->action == NGX_HTTP_A2F_ADM_TOTP_DEL
                || job->action == NGX_HTTP_A2F_ADM_KEY_DEL)
            {
                ngx_str_set(&ctx->notice, "There is no device of that "
                            "name. Nothing was changed.");
                break;
            }

            ngx_str_set(&ctx->notice, "There is no such user.");
            return ngx_http_a2f_admin_list_page(r, ctx, status, NULL);

        case A2F_ERR_EXISTS:
            status = NGX_HTTP_CONFLICT;

            if (job->action == NGX_HTTP_A2F_ADM_CREATE) {
                ngx_str_set(&ctx->notice, "A user of that name exists "
                            "already. Nothing was changed.");
                break;
            }

            ngx_str_set(&ctx->notice, "The user has an app of that name "
                        "already. Choose another name.");
            break;

        case A2F_ERR_TOOBIG:
            status = NGX_HTTP_CONFLICT;
            ngx_str_set(&ctx->notice, "The user has the most authenticator "
                        "apps allowed (8). Remove one first.");
            break;

        case A2F_ERR_INVALID:
            status = NGX_HTTP_BAD_REQUEST;

            if (group) {
                ngx_str_set(&ctx->notice, "A group name is 1 to 64 "
                            "characters of printable ASCII without "
                            "spaces, \" or \\. Nothing was changed.");
                break;
            }

            ngx_str_set(&ctx->notice, "That value is not allowed (a device "
                        "name is 1 to 32 characters without control "
                        "characters). Nothing was changed.");
            break;

        default:
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "a2f: database \"%s\" action of admin \"%V\" "
                          "failed: %s", a ? a->event : "-",
                          &ctx->auth.user, a2f_strerror(job->rc));
            return NGX_HTTP_SERVICE_UNAVAILABLE;
        }

        if (job->action == NGX_HTTP_A2F_ADM_CREATE) {
            return ngx_http_a2f_admin_list_page(r, ctx, status, NULL);
        }

        return ngx_http_a2f_admin_user_page(r, ctx, status, &target);
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "a2f: admin \"%V\": %s of user \"%V\"",
                  &ctx->auth.user, a ? a->event : "-", &target);

    /* the group's name is the second %s of group_set's text */

    gname = "";

    if (group) {
        g = job->ext;
        gname = g->name;
    }

    len = 128 + job->target_len + ngx_strlen(gname);

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->notice.data = p;
    ctx->notice.len = ngx_snprintf(p, len, a->done, job->target, gname) - p;

    if (ngx_http_a2f_admin_shown(r, ctx) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (job->action == NGX_HTTP_A2F_ADM_DELETE) {
        return ngx_http_a2f_admin_list_page(r, ctx, NGX_HTTP_OK, NULL);
    }

    return ngx_http_a2f_admin_user_page(r, ctx, NGX_HTTP_OK, &target);
}


/*
 * What is shown once after an action (raw HTML in ctx->shown): a
 * generated password, an enrollment link, a new app's QR code, or new
 * recovery codes.  The secrets are wiped from the job and the pool copy
 * once they are in the page.
 */

static ngx_int_t
ngx_http_a2f_admin_shown(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx)
{
    u_char                   *p, *end;
    size_t                    len;
    ngx_str_t                 host, scheme, out;
    ngx_uint_t                i;
    ngx_http_a2f_job_t       *job;
    ngx_http_a2f_var_t        vars[3];
    ngx_http_a2f_srv_conf_t  *ascf;

    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);
    job = ctx->job;

    ngx_memzero(vars, sizeof(vars));

    if (ctx->secret) {
        if (ngx_http_a2f_totp_vars(r, job->target, job->target_len,
                                   ctx->secret, vars)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        ngx_explicit_memzero(ctx->secret, NGX_HTTP_A2F_SECRET_LEN);
        ctx->secret = NULL;
    }

    /* the link as the administrator reached this page: Host with port */

    if (r->headers_in.host && r->headers_in.host->value.len) {
        host = r->headers_in.host->value;
    } else {
        host = ascf->issuer;
    }

#if (NGX_HTTP_SSL)
    if (r->connection->ssl) {
        ngx_str_set(&scheme, "https");
    } else
#endif
    {
        ngx_str_set(&scheme, "http");
    }

    len = 1024 + 6 * (ctx->shown.len + host.len + ascf->portal.len)
          + vars[0].value.len + 6 * (vars[1].value.len + vars[2].value.len)
          + A2F_RECOVERY_CODES * (A2F_RECOVERY_LEN + 32);

    out.data = ngx_pnalloc(r->pool, len);
    if (out.data == NULL) {
        return NGX_ERROR;
    }

    p = out.data;
    end = out.data + len;

    if (ctx->shown.len) {
        p = ngx_slprintf(p, end, "<div class=\"shown\" role=\"status\">"
                         "<p><strong>The new password</strong>, shown only "
                         "now: hand it over safely.</p><p><code>");
        p += a2f_html_escape((char *) ctx->shown.data, ctx->shown.len,
                             (char *) p, end - p);
        p = ngx_slprintf(p, end, "</code></p></div>");

        ngx_explicit_memzero(ctx->shown.data, ctx->shown.len);
    }

    if (job->token[0]) {
        p = ngx_slprintf(p, end, "<div class=\"shown\" role=\"status\">"
                         "<p><strong>The enrollment link</strong>, shown "
                         "only now. It works once, until ");
        p = ngx_http_a2f_time_text(p, job->expires);
        p = ngx_slprintf(p, end, ". With it the user chooses a password "
                         "and sets up an authenticator app.</p><p><code>");
        i = a2f_html_escape((char *) scheme.data, scheme.len, (char *) p,
                            end - p);
        p += i;
        p = ngx_slprintf(p, end, "://");
        p += a2f_html_escape((char *) host.data, host.len, (char *) p,
                             end - p);
        p += a2f_html_escape((char *) ascf->portal.data, ascf->portal.len,
                             (char *) p, end - p);
        p = ngx_slprintf(p, end, "enroll/%s</code></p></div>", job->token);

        ngx_explicit_memzero(job->token, sizeof(job->token));
    }

    if (vars[0].value.len) {
        p = ngx_slprintf(p, end, "<div class=\"shown\" role=\"status\">"
                         "<p><strong>Scan this code</strong> with the "
                         "user's authenticator app now: it is not shown "
                         "again.</p><div class=\"qr\">%V</div>"
                         "<p class=\"secret\">", &vars[0].value);
        p += a2f_html_escape((char *) vars[1].value.data, vars[1].value.len,
                             (char *) p, end - p);
        p = ngx_slprintf(p, end, "</p><p class=\"small\"><code>");
        p += a2f_html_escape((char *) vars[2].value.data, vars[2].value.len,
                             (char *) p, end - p);
        p = ngx_slprintf(p, end, "</code></p></div>");

        ngx_explicit_memzero(vars[1].value.data, vars[1].value.len);
        ngx_explicit_memzero(vars[2].value.data, vars[2].value.len);
    }

    if (job->action == NGX_HTTP_A2F_ADM_RECOVERY) {
        p = ngx_slprintf(p, end, "<div class=\"shown codes\" role=\"status\">"
                         "<p><strong>The new recovery codes</strong>, shown "
                         "only now. Each signs the user in once.</p><ol>");

        for (i = 0; i < A2F_RECOVERY_CODES; i++) {
            p = ngx_slprintf(p, end, "<li>%s</li>", job->codes[i]);
        }

        p = ngx_slprintf(p, end, "</ol></div>");

        ngx_explicit_memzero(job->codes, sizeof(job->codes));
    }

    out.len = p - out.data;
    ctx->shown = out;

    return NGX_OK;
}


/*
 * NGX_DECLINED when the request may use the admin pages; anything else
 * is the answer.
 */

static ngx_int_t
ngx_http_a2f_admin_allowed(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx)
{
    ngx_str_t                  href, rd;
    ngx_uint_t                 status;
    a2f_user_t                 u;
    ngx_http_a2f_srv_conf_t   *ascf;

    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    if (!ascf->admin) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: admin page refused: a2f_admin is off");
        return NGX_HTTP_NOT_FOUND;
    }

    /* back here after the login or the code: this page, or the list */

    if (r->method == NGX_HTTP_POST) {
        status = NGX_HTTP_SEE_OTHER;
        rd.len = ascf->portal.len + sizeof("admin") - 1;
        rd.data = ngx_pnalloc(r->pool, rd.len);
        if (rd.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_sprintf(rd.data, "%Vadmin", &ascf->portal);

    } else {
        status = NGX_HTTP_MOVED_TEMPORARILY;
        rd = r->unparsed_uri;
    }

    if (ngx_http_a2f_set_rd(r, ctx, rd.data, rd.len) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (!ctx->have_session) {
        return ngx_http_a2f_redirect(r, status, "login", &ctx->rd, 0);
    }

    if (ngx_http_a2f_session_user(r, ctx, &u) != NGX_OK) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    if (!(u.flags & A2F_USER_ADMIN)) {
        ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                      "a2f: admin page refused to user \"%V\": not an "
                      "administrator", &ctx->auth.user);

        ngx_str_set(&href, "account");

        return ngx_http_a2f_message_page(r, NGX_HTTP_FORBIDDEN,
                   "Administrators only",
                   "This page is for administrators, and your account does "
                   "not have that role.", &href, "Your account");
    }

    if (ctx->auth.level < A2F_LEVEL_TWO) {
        return ngx_http_a2f_redirect(r, status, "otc", &ctx->rd, 0);
    }

    if (ngx_time() - ctx->auth.session.factor >= ascf->admin_max_age) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: admin \"%V\": second factor older than %T s, "
                      "asking for a fresh code", &ctx->auth.user,
                      ascf->admin_max_age);

        return ngx_http_a2f_redirect(r, status, "otc", &ctx->rd,
                                     NGX_HTTP_A2F_RD_STEP);
    }

    return NGX_DECLINED;
}


/* The list page with a notice (a form that cannot be carried out). */

static ngx_int_t
ngx_http_a2f_admin_refuse(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_uint_t status, const char *text)
{
    ctx->notice.data = (u_char *) text;
    ctx->notice.len = ngx_strlen(text);

    return ngx_http_a2f_admin_list_page(r, ctx, status, NULL);
}


static ngx_http_a2f_admin_action_t *
ngx_http_a2f_admin_action(ngx_uint_t action)
{
    ngx_http_a2f_admin_action_t  *a;

    for (a = ngx_http_a2f_admin_actions; a->name.len; a++) {
        if (a->action == action) {
            return a;
        }
    }

    return NULL;
}


/* A %-decoded query argument, at most size - 1 bytes, into out. */

static ngx_int_t
ngx_http_a2f_admin_arg(ngx_http_request_t *r, const char *name, u_char *out,
    size_t size, ngx_str_t *value)
{
    size_t     len;
    ngx_str_t  arg;

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &arg) != NGX_OK
        || a2f_url_unescape((char *) arg.data, arg.len, (char *) out, size,
                            &len)
           != A2F_OK)
    {
        return NGX_DECLINED;
    }

    value->data = out;
    value->len = len;

    return NGX_OK;
}
