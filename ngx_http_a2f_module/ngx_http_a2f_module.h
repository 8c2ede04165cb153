
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * ngx_http_a2f_module.h: configuration and request state shared by the
 * nginx glue files (ngx_http_a2f_*.c).  The nginx-free core lives in the
 * a2f_*.c files.
 */

#ifndef _NGX_HTTP_A2F_MODULE_H_INCLUDED_
#define _NGX_HTTP_A2F_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "a2f_common.h"
#include "a2f_crypto.h"
#include "a2f_session.h"
#include "a2f_store.h"
#include "a2f_webauthn.h"


#define NGX_HTTP_A2F_OFF           0
#define NGX_HTTP_A2F_ONE_FACTOR    A2F_LEVEL_ONE
#define NGX_HTTP_A2F_TWO_FACTOR    A2F_LEVEL_TWO

#define NGX_HTTP_A2F_BODY_MAX      8192     /* portal form bodies         */
#define NGX_HTTP_A2F_CSRF_COOKIE   "a2f_csrf"


typedef struct {
    ngx_str_t                 db_path;
    size_t                    db_size;
    ngx_str_t                 key_path;
    ngx_str_t                 pages_dir;

    a2f_keyring_t            *ring;         /* from cf->pool, wiped       */
    ngx_uint_t                enabled;      /* some server uses a2f       */

    /* per worker, set up in init_process */
    a2f_store_t              *store;
    a2f_mac_t                *mac;

#if (NGX_THREADS)
    ngx_thread_pool_t        *thread_pool;
    ngx_str_t                 thread_pool_name;
#endif

    /* page templates: built-in or read from a2f_pages */
    ngx_str_t                 page_login;
    ngx_str_t                 page_otc;
    ngx_str_t                 page_message;
    ngx_str_t                 page_enroll;
    ngx_str_t                 page_account;
    ngx_str_t                 page_admin;
    ngx_str_t                 page_admin_user;
    ngx_str_t                 page_admin_audit;
    ngx_str_t                 page_link;
    ngx_str_t                 page_key;
    ngx_str_t                 page_js;
    ngx_str_t                 page_css;

    ngx_array_t              *api_clients;  /* ngx_http_a2f_api_client_t */
} ngx_http_a2f_main_conf_t;


/* a2f_api_client: an application of the auth2factor API */

typedef struct {
    ngx_str_t                 name;         /* NUL-terminated             */
    ngx_str_t                 key;          /* the apiKey                 */
    ngx_str_t                 secret;       /* the HMAC key, wiped        */
    ngx_str_t                 secret_path;
    ngx_array_t              *allow;        /* ngx_cidr_t; NULL: any      */
    ngx_str_t                 appid;        /* NUL-terminated, or empty   */
} ngx_http_a2f_api_client_t;


typedef struct {
    ngx_str_t                 portal;       /* "/_a2f/", or empty         */
    ngx_uint_t                need_portal;  /* a location needs a login  */
    ngx_uint_t                api;          /* a location has a2f_api    */

    ngx_str_t                 cookie_name;
    ngx_str_t                 cookie_name_tls;  /* "__Host-" + name     */
    ngx_str_t                 cookie_domain;
    ngx_flag_t                cookie_secure;

    time_t                    session_timeout;
    time_t                    idle_timeout;
    ngx_uint_t                totp_window;
    ngx_flag_t                enroll;
    ngx_flag_t                admin;        /* a2f_admin                  */
    time_t                    admin_max_age;
    ngx_str_t                 issuer;       /* NUL-terminated             */
    ngx_uint_t                max_failures;
    time_t                    failure_period;
} ngx_http_a2f_srv_conf_t;


typedef struct {
    ngx_uint_t                policy;       /* NGX_HTTP_A2F_*             */
    ngx_flag_t                portal;       /* a2f_portal here            */

    ngx_flag_t                webauthn;     /* a2f_webauthn               */
    ngx_str_t                 rp_id;        /* NUL-terminated             */
    ngx_array_t              *origins;      /* ngx_str_t, NUL-terminated  */

    ngx_flag_t                api;          /* a2f_api here               */
    ngx_str_t                 api_appid;    /* a2f_api_appid, NUL-ended   */
} ngx_http_a2f_loc_conf_t;


typedef struct {
    a2f_session_t             session;
    ngx_uint_t                level;        /* 0 until a session checks   */
    ngx_str_t                 user;
    ngx_str_t                 level_text;
} ngx_http_a2f_ctx_t;


/* the portal's pages, and a request's state while it is served */

#define NGX_HTTP_A2F_LOGIN    1
#define NGX_HTTP_A2F_OTC      2
#define NGX_HTTP_A2F_LOGOUT   3
#define NGX_HTTP_A2F_CSS      4
#define NGX_HTTP_A2F_ENROLL   5
#define NGX_HTTP_A2F_ACCOUNT  6
#define NGX_HTTP_A2F_ADMIN    7     /* admin, admin/user, admin/audit    */
#define NGX_HTTP_A2F_LINK     8     /* enroll/<token>                    */
#define NGX_HTTP_A2F_KEY      9     /* key, key/... (security keys)      */
#define NGX_HTTP_A2F_JS       10    /* a2f.js                            */
#define NGX_HTTP_A2F_API      11    /* api/v2/...: ngx_http_a2f_api.c    */

/* ngx_http_a2f_redirect() flags */
#define NGX_HTTP_A2F_RD_LVL1  1     /* &lvl=1: a one-factor location     */
#define NGX_HTTP_A2F_RD_STEP  2     /* &step=1: a fresh code is needed   */

#define NGX_HTTP_A2F_SECRET_LEN   20  /* new TOTP secrets: 160 bits      */

#define NGX_HTTP_A2F_BINDING_LEN  22    /* 16 random bytes, base64url */


typedef struct {
    /* in */
    ngx_uint_t                 kind;
    a2f_store_t               *store;
    a2f_lockout_t              lockout;
    int64_t                    now;
    unsigned                   window;
    char                       user[A2F_USER_MAX + 1];
    size_t                     user_len;
    char                       password[A2F_PASSWORD_MAX + 1];
    size_t                     password_len;
    char                       code[64 + 1];     /* or a recovery code */
    unsigned                   recovery;    /* code is a recovery code  */
    unsigned                   remaining;   /* recovery codes left      */
    size_t                     code_len;
    char                       addr[A2F_ADDR_MAX + 1];
    unsigned                   level;       /* the session's             */
    uint8_t                    secret[A2F_TOTP_SECRET_MAX];  /* enroll   */
    size_t                     secret_len;
    uint64_t                   step;
    char                       codes[A2F_RECOVERY_CODES]
                                    [A2F_RECOVERY_LEN + 1];  /* account */

    /* admin actions and enrollment links */
    ngx_uint_t                 action;
    char                       target[A2F_USER_MAX + 1];
    size_t                     target_len;
    char                       name[A2F_DEVICE_MAX + 1];  /* device, key */
    size_t                     name_len;
    unsigned                   make_admin:1;
    unsigned                   make_link:1;
    int64_t                    expires;     /* a link's end              */
    char                       token[A2F_LINK_TOKEN_LEN + 1];

    void                      *ext;         /* security keys: key.c's   */

    /* out */
    int                        rc;
    uint32_t                   gen;
    uint32_t                   flags;
} ngx_http_a2f_job_t;


typedef struct {
    ngx_http_a2f_ctx_t         auth;        /* first: $a2f_user reads it */
    ngx_uint_t                 page;
    ngx_str_t                  rd;          /* decoded, checked          */
    ngx_uint_t                 one_factor;  /* lvl=1: skip the code page */
    ngx_uint_t                 have_session;
    ngx_http_a2f_job_t        *job;
    ngx_str_t                  ticket;      /* enroll: the sealed secret */
    ngx_uint_t                 sub;         /* admin: which page         */
    ngx_str_t                  token;       /* enroll/<token>            */
    ngx_str_t                  shown;       /* a generated password      */
    uint8_t                   *secret;      /* a new TOTP secret         */
    ngx_str_t                  notice;      /* admin: what was done      */
    ngx_uint_t                 step_up;     /* otc: step=1               */
    size_t                     body_max;    /* POST body bytes allowed   */
    ngx_uint_t                 rd_given;    /* ?rd= was there, and safe  */
} ngx_http_a2f_portal_ctx_t;


typedef struct {
    const char               *name;         /* {{name}} in the template   */
    ngx_str_t                 value;
    ngx_uint_t                raw;          /* 1: already HTML            */
} ngx_http_a2f_var_t;


extern ngx_module_t  ngx_http_a2f_module;
extern ngx_str_t     ngx_http_a2f_html_type;


/* ngx_http_a2f_module.c */

/* Is clcf a prefix location whose name ends in "/"?  NGX_OK: yes. */
ngx_int_t ngx_http_a2f_prefix_location(ngx_http_core_loc_conf_t *clcf);


/* ngx_http_a2f_cookie.c */

/*
 * Find the module's session cookie(s) in r and verify them: MAC, expiry,
 * and the user's generation and flags in the database.  Returns NGX_OK
 * and fills *s with the first cookie that verifies, NGX_DECLINED when none
 * does (the reason is logged at info), or NGX_ERROR when the database
 * fails (fail closed).
 */
ngx_int_t ngx_http_a2f_session_get(ngx_http_request_t *r,
    a2f_session_t *s);

/* Add a Set-Cookie header carrying s (re-signed, seen = now). */
ngx_int_t ngx_http_a2f_session_set(ngx_http_request_t *r, a2f_session_t *s);

/* Add a Set-Cookie header that deletes the session cookie. */
ngx_int_t ngx_http_a2f_session_clear(ngx_http_request_t *r);

/* The value of cookie name (first one), or NGX_DECLINED. */
ngx_int_t ngx_http_a2f_cookie_value(ngx_http_request_t *r, ngx_str_t *name,
    ngx_str_t *value);

/* Add a Set-Cookie header: name=value with the module's attributes. */
ngx_int_t ngx_http_a2f_cookie_add(ngx_http_request_t *r, ngx_str_t *name,
    ngx_str_t *value, ngx_str_t *path, time_t max_age);

/* The CSRF token for binding: base64url(HMAC(key, "csrf:" binding)). */
ngx_int_t ngx_http_a2f_csrf_token(ngx_http_request_t *r, ngx_str_t *binding,
    ngx_str_t *token);


/* ngx_http_a2f_portal.c */

ngx_int_t ngx_http_a2f_portal_handler(ngx_http_request_t *r);

/* The whole request body in one buffer, at most ctx->body_max bytes. */
ngx_int_t ngx_http_a2f_read_body(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *body);

/*
 * In the thread pool: job->user's password (job->password), with the
 * lockout; job->rc, job->gen, job->flags.  And job->user's one-time or
 * recovery code (job->code), with the window, replays and the lockout;
 * job->rc, job->recovery, job->remaining.
 */
void ngx_http_a2f_password_run(ngx_http_a2f_job_t *job);
void ngx_http_a2f_code_run(ngx_http_a2f_job_t *job);

/* Run ctx->job (ctx->page says which) in the thread pool; NGX_DONE. */
ngx_int_t ngx_http_a2f_post_job(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx);

/*
 * Location: {portal}{page}?rd=..., or rd itself when page is NULL; flags
 * NGX_HTTP_A2F_RD_* add &lvl=1 or &step=1.
 */
ngx_int_t ngx_http_a2f_redirect(ngx_http_request_t *r, ngx_uint_t status,
    const char *page, ngx_str_t *rd, ngx_uint_t flags);

/* Is there a request header "name" whose value match() accepts? */
ngx_uint_t ngx_http_a2f_header_any(ngx_http_request_t *r, const char *name,
    ngx_uint_t (*match)(ngx_str_t *value, void *data), void *data);

/* Keep rd when it is a same-origin path, else "/". */
ngx_int_t ngx_http_a2f_set_rd(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, u_char *rd, size_t len);

/* A fresh session id, the second factor's time now, and the cookie. */
ngx_int_t ngx_http_a2f_second_factor(ngx_http_request_t *r,
    a2f_session_t *s);

/* The session's user's record; NGX_ERROR is logged. */
ngx_int_t ngx_http_a2f_session_user(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, a2f_user_t *u);

/*
 * The session's user's TOTP device count and (nkeys not NULL) security
 * key count; NGX_ERROR is logged.
 */
ngx_int_t ngx_http_a2f_devices(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, unsigned *n, unsigned *nkeys);

ngx_int_t ngx_http_a2f_no_device_page(ngx_http_request_t *r);

ngx_int_t ngx_http_a2f_message_page(ngx_http_request_t *r,
    ngx_uint_t status, const char *title, const char *message,
    ngx_str_t *href, const char *link);

/*
 * A page with a form: {{portal}}, {{error}}, {{csrf}} (for binding) and
 * {{rd}}, plus n more variables.
 */
ngx_int_t ngx_http_a2f_form_page(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *tpl, ngx_uint_t status,
    const char *error, ngx_str_t *binding, ngx_http_a2f_var_t *extra,
    ngx_uint_t n);


/* ngx_http_a2f_account.c */

ngx_int_t ngx_http_a2f_account_page(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_uint_t status);
ngx_int_t ngx_http_a2f_account_form(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *body);
void ngx_http_a2f_account_run(ngx_http_a2f_job_t *job);
ngx_int_t ngx_http_a2f_account_done(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx);


/* ngx_http_a2f_admin.c */

ngx_int_t ngx_http_a2f_admin_get(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx);
ngx_int_t ngx_http_a2f_admin_form(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *body);
void ngx_http_a2f_admin_run(ngx_http_a2f_job_t *job);
ngx_int_t ngx_http_a2f_admin_done(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx);

/* ngx_http_a2f_admin_view.c: the admin pages' HTML */

ngx_int_t ngx_http_a2f_admin_list_page(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_uint_t status, ngx_str_t *query);
ngx_int_t ngx_http_a2f_admin_user_page(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_uint_t status, ngx_str_t *name);
ngx_int_t ngx_http_a2f_admin_audit_page(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx);
u_char *ngx_http_a2f_time_text(u_char *p, int64_t t);


/* ngx_http_a2f_key.c: security keys, /_a2f/key and key/... */

ngx_int_t ngx_http_a2f_key_page(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_uint_t status, const char *error);
ngx_int_t ngx_http_a2f_key_api(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *body);
void ngx_http_a2f_key_run(ngx_http_a2f_job_t *job);
ngx_int_t ngx_http_a2f_key_done(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx);
ngx_int_t ngx_http_a2f_json_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *error, const char *reason);


/* ngx_http_a2f_link.c: enrollment links, /_a2f/enroll/<token> */

ngx_int_t ngx_http_a2f_link_get(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx);
ngx_int_t ngx_http_a2f_link_form(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *body);
void ngx_http_a2f_link_run(ngx_http_a2f_job_t *job);
ngx_int_t ngx_http_a2f_link_done(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx);


/* ngx_http_a2f_enroll.c */

/*
 * The variables qr (inline SVG), secret (base32 in groups of four) and
 * uri (otpauth://) for a new TOTP secret of user; vars has room for 3.
 */
ngx_int_t ngx_http_a2f_totp_vars(ngx_http_request_t *r, const char *user,
    size_t user_len, const uint8_t *secret, ngx_http_a2f_var_t *vars);

/* A sealed, expiring (10 minutes) ticket holding secret, bound to aad. */
ngx_int_t ngx_http_a2f_ticket_seal(ngx_http_request_t *r,
    const uint8_t *aad, size_t aadlen, const uint8_t *secret,
    ngx_str_t *ticket);
ngx_int_t ngx_http_a2f_ticket_open(ngx_http_request_t *r,
    const uint8_t *aad, size_t aadlen, u_char *text, size_t len,
    uint8_t *secret);

ngx_int_t ngx_http_a2f_enroll_page(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_uint_t status, const char *error,
    u_char *ticket, size_t ticket_len);
ngx_int_t ngx_http_a2f_enroll_form(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *body);
void ngx_http_a2f_enroll_run(ngx_http_a2f_job_t *job);
ngx_int_t ngx_http_a2f_enroll_done(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx);

/* The 302 (browser) or 401 (API client) answer for an unauthenticated
 * request; page is "login" or "otc". */
ngx_int_t ngx_http_a2f_deny(ngx_http_request_t *r, ngx_uint_t policy,
    const char *page);


/* ngx_http_a2f_api.c, ngx_http_a2f_api_job.c: the auth2factor API */

ngx_int_t ngx_http_a2f_api_handler(ngx_http_request_t *r);
void ngx_http_a2f_api_run(ngx_http_a2f_job_t *job);
ngx_int_t ngx_http_a2f_api_done(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx);


/* ngx_http_a2f_api_conf.c */

char *ngx_http_a2f_api(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_http_a2f_api_client(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_a2f_api_appid(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
ngx_http_a2f_api_client_t *ngx_http_a2f_api_client_find(
    ngx_http_a2f_main_conf_t *amcf, u_char *key, size_t len,
    ngx_uint_t by_name);
ngx_int_t ngx_http_a2f_api_client_allowed(ngx_http_request_t *r,
    ngx_http_a2f_api_client_t *client);


/* ngx_http_a2f_webauthn_conf.c */

char *ngx_http_a2f_webauthn_origin(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_a2f_webauthn_rp_id(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_a2f_webauthn_merge(ngx_conf_t *cf,
    ngx_http_a2f_loc_conf_t *prev, ngx_http_a2f_loc_conf_t *conf);


/* ngx_http_a2f_html.c */

ngx_int_t ngx_http_a2f_render(ngx_http_request_t *r, ngx_str_t *tpl,
    ngx_http_a2f_var_t *vars, ngx_uint_t n, ngx_str_t *out);

ngx_int_t ngx_http_a2f_send(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *type, ngx_str_t *body);

char *ngx_http_a2f_load_pages(ngx_conf_t *cf, ngx_http_a2f_main_conf_t *amcf);


#endif /* _NGX_HTTP_A2F_MODULE_H_INCLUDED_ */
