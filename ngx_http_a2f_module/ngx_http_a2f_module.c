
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * ngx_http_a2f_module.c: directives, configuration, per-worker set-up,
 * the access-phase handler and the $a2f_* variables.
 */


#include "ngx_http_a2f_module.h"


static ngx_int_t ngx_http_a2f_access_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_a2f_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);

static char *ngx_http_a2f_db(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static char *ngx_http_a2f_secret_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_a2f_portal(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_a2f_cookie(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_a2f_max_failures(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_a2f_window_check(ngx_conf_t *cf, void *post,
    void *data);
static void ngx_http_a2f_ring_cleanup(void *data);
static void ngx_http_a2f_audit_log(void *arg, const char *text, size_t len);

static ngx_int_t ngx_http_a2f_add_variables(ngx_conf_t *cf);
static void *ngx_http_a2f_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_a2f_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_a2f_create_srv_conf(ngx_conf_t *cf);
static char *ngx_http_a2f_merge_srv_conf(ngx_conf_t *cf, void *parent,
    void *child);
static void *ngx_http_a2f_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_a2f_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_http_a2f_init(ngx_conf_t *cf);
static ngx_http_a2f_main_conf_t *ngx_http_a2f_cycle_conf(ngx_cycle_t *cycle);
static ngx_int_t ngx_http_a2f_init_module(ngx_cycle_t *cycle);
static ngx_int_t ngx_http_a2f_init_process(ngx_cycle_t *cycle);
static void ngx_http_a2f_exit_process(ngx_cycle_t *cycle);


static ngx_conf_enum_t  ngx_http_a2f_policies[] = {
    { ngx_string("off"), NGX_HTTP_A2F_OFF },
    { ngx_string("one_factor"), NGX_HTTP_A2F_ONE_FACTOR },
    { ngx_string("two_factor"), NGX_HTTP_A2F_TWO_FACTOR },
    { ngx_null_string, 0 }
};


static ngx_conf_post_t  ngx_http_a2f_window_post = {
    ngx_http_a2f_window_check
};


static ngx_command_t  ngx_http_a2f_commands[] = {

    { ngx_string("a2f"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_a2f_loc_conf_t, policy),
      &ngx_http_a2f_policies },

    { ngx_string("a2f_portal"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_a2f_portal,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("a2f_db"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_http_a2f_db,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("a2f_secret_file"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_a2f_secret_file,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("a2f_pages"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_a2f_main_conf_t, pages_dir),
      NULL },

#if (NGX_THREADS)
    { ngx_string("a2f_thread_pool"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_a2f_main_conf_t, thread_pool_name),
      NULL },
#endif

    { ngx_string("a2f_cookie"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_1MORE,
      ngx_http_a2f_cookie,
      NGX_HTTP_SRV_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("a2f_session_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_a2f_srv_conf_t, session_timeout),
      NULL },

    { ngx_string("a2f_idle_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_a2f_srv_conf_t, idle_timeout),
      NULL },

    { ngx_string("a2f_totp_window"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_a2f_srv_conf_t, totp_window),
      &ngx_http_a2f_window_post },

    { ngx_string("a2f_enroll"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_a2f_srv_conf_t, enroll),
      NULL },

    { ngx_string("a2f_admin"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_a2f_srv_conf_t, admin),
      NULL },

    { ngx_string("a2f_admin_max_age"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_a2f_srv_conf_t, admin_max_age),
      NULL },

    { ngx_string("a2f_webauthn"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_a2f_loc_conf_t, webauthn),
      NULL },

    { ngx_string("a2f_webauthn_rp_id"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_a2f_webauthn_rp_id,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("a2f_webauthn_origin"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_a2f_webauthn_origin,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("a2f_issuer"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_SRV_CONF_OFFSET,
      offsetof(ngx_http_a2f_srv_conf_t, issuer),
      NULL },

    { ngx_string("a2f_api"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_a2f_api,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("a2f_api_client"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_2MORE,
      ngx_http_a2f_api_client,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("a2f_api_appid"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_a2f_api_appid,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("a2f_max_failures"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_CONF_TAKE2,
      ngx_http_a2f_max_failures,
      NGX_HTTP_SRV_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_a2f_module_ctx = {
    ngx_http_a2f_add_variables,            /* preconfiguration */
    ngx_http_a2f_init,                     /* postconfiguration */

    ngx_http_a2f_create_main_conf,         /* create main configuration */
    ngx_http_a2f_init_main_conf,           /* init main configuration */

    ngx_http_a2f_create_srv_conf,          /* create server configuration */
    ngx_http_a2f_merge_srv_conf,           /* merge server configuration */

    ngx_http_a2f_create_loc_conf,          /* create location configuration */
    ngx_http_a2f_merge_loc_conf            /* merge location configuration */
};


ngx_module_t  ngx_http_a2f_module = {
    NGX_MODULE_V1,
    &ngx_http_a2f_module_ctx,              /* module context */
    ngx_http_a2f_commands,                 /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    ngx_http_a2f_init_module,              /* init module */
    ngx_http_a2f_init_process,             /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_a2f_exit_process,             /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_http_variable_t  ngx_http_a2f_vars[] = {

    { ngx_string("a2f_user"), NULL, ngx_http_a2f_variable, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("a2f_level"), NULL, ngx_http_a2f_variable, 1,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


static ngx_int_t
ngx_http_a2f_access_handler(ngx_http_request_t *r)
{
    ngx_int_t                  rc;
    ngx_http_a2f_ctx_t        *ctx;
    ngx_http_a2f_loc_conf_t   *alcf;
    ngx_http_a2f_srv_conf_t   *ascf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_a2f_module);

    /* the portal and the API authenticate for themselves */

    if (alcf->policy == NGX_HTTP_A2F_OFF || alcf->portal || alcf->api) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_a2f_module);

    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_a2f_ctx_t));
        if (ctx == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_http_set_ctx(r, ctx, ngx_http_a2f_module);

        rc = ngx_http_a2f_session_get(r, &ctx->session);

        if (rc == NGX_ERROR) {
            return NGX_HTTP_SERVICE_UNAVAILABLE;
        }

        if (rc == NGX_OK) {
            ctx->level = ctx->session.level;
            ctx->user.data = (u_char *) ctx->session.user;
            ctx->user.len = ctx->session.user_len;

            ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

            /* slide the idle timeout: re-sign now and then, not always */

            if (ascf->idle_timeout
                && ngx_time() - ctx->session.seen
                   >= ngx_max(60, ascf->idle_timeout / 8))
            {
                if (ngx_http_a2f_session_set(r, &ctx->session) != NGX_OK) {
                    return NGX_HTTP_INTERNAL_SERVER_ERROR;
                }
            }
        }
    }

    if (ctx->level >= alcf->policy) {
        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "a2f: pass user \"%V\" level %ui",
                       &ctx->user, ctx->level);
        return NGX_DECLINED;
    }

    return ngx_http_a2f_deny(r, alcf->policy,
                             ctx->level == A2F_LEVEL_ONE ? "otc" : "login");
}


static ngx_int_t
ngx_http_a2f_variable(ngx_http_request_t *r, ngx_http_variable_value_t *v,
    uintptr_t data)
{
    ngx_http_a2f_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r->main, ngx_http_a2f_module);

    if (ctx == NULL || ctx->level == A2F_LEVEL_NONE) {
        v->not_found = 1;
        return NGX_OK;
    }

    if (data == 0) {
        v->data = ctx->user.data;
        v->len = ctx->user.len;

    } else if (ctx->level == A2F_LEVEL_TWO) {
        v->data = (u_char *) "two_factor";
        v->len = sizeof("two_factor") - 1;

    } else {
        v->data = (u_char *) "one_factor";
        v->len = sizeof("one_factor") - 1;
    }

    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


static char *
ngx_http_a2f_db(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_a2f_main_conf_t *amcf = conf;

    ssize_t     size;
    ngx_str_t  *value, s;

    if (amcf->db_path.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "a2f_db: empty path");
        return NGX_CONF_ERROR;
    }

    amcf->db_path = value[1];

    if (ngx_conf_full_name(cf->cycle, &amcf->db_path, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (cf->args->nelts == 3) {
        if (ngx_strncmp(value[2].data, "size=", 5) != 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "a2f_db: invalid parameter \"%V\"", &value[2]);
            return NGX_CONF_ERROR;
        }

        s.data = value[2].data + 5;
        s.len = value[2].len - 5;

        size = ngx_parse_size(&s);

        if (size == NGX_ERROR || size < 256 * 1024) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "a2f_db: invalid size \"%V\" "
                               "(at least 256k)", &value[2]);
            return NGX_CONF_ERROR;
        }

        amcf->db_size = size;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_a2f_secret_file(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_a2f_main_conf_t *amcf = conf;

    char                 err[512];
    ngx_str_t           *value;
    ngx_pool_cleanup_t  *cln;

    if (amcf->ring) {
        return "is duplicate";
    }

    value = cf->args->elts;
    amcf->key_path = value[1];

    if (ngx_conf_full_name(cf->cycle, &amcf->key_path, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        return NGX_CONF_ERROR;
    }

    amcf->ring = ngx_pcalloc(cf->pool, sizeof(a2f_keyring_t));
    if (amcf->ring == NULL) {
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_http_a2f_ring_cleanup;
    cln->data = amcf->ring;

    if (a2f_keyring_load((char *) amcf->key_path.data, amcf->ring,
                         err, sizeof(err))
        != A2F_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "a2f_secret_file: %s", err);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static void
ngx_http_a2f_ring_cleanup(void *data)
{
    a2f_keyring_wipe(data);
}


static char *
ngx_http_a2f_portal(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_a2f_loc_conf_t *alcf = conf;

    ngx_http_a2f_srv_conf_t   *ascf;
    ngx_http_core_loc_conf_t  *clcf;

    if (alcf->portal == 1) {
        return "is duplicate";
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    ascf = ngx_http_conf_get_module_srv_conf(cf, ngx_http_a2f_module);

    if (ngx_http_a2f_prefix_location(clcf) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "a2f_portal must be in a prefix location that "
                           "ends with \"/\", like \"location /_a2f/\"");
        return NGX_CONF_ERROR;
    }

    if (ascf->portal.len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "a2f_portal: this server has a portal at \"%V\" "
                           "already", &ascf->portal);
        return NGX_CONF_ERROR;
    }

    ascf->portal = clcf->name;
    alcf->portal = 1;
    clcf->handler = ngx_http_a2f_portal_handler;

    return NGX_CONF_OK;
}


/* Is clcf a prefix location whose name ends in "/"?  NGX_OK: yes. */

ngx_int_t
ngx_http_a2f_prefix_location(ngx_http_core_loc_conf_t *clcf)
{
    if (clcf->name.len == 0 || clcf->name.data[clcf->name.len - 1] != '/'
        || clcf->exact_match
#if (NGX_PCRE)
        || clcf->regex
#endif
        || clcf->named)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static char *
ngx_http_a2f_cookie(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_a2f_srv_conf_t *ascf = conf;

    u_char      *p;
    ngx_str_t   *value;
    ngx_uint_t   i;

    if (ascf->cookie_name.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    for (p = value[1].data; p < value[1].data + value[1].len; p++) {
        if (*p <= ' ' || *p >= 0x7f || ngx_strchr("()<>@,;:\\\"/[]?={}", *p))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "a2f_cookie: invalid cookie name \"%V\"",
                               &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    if (value[1].len == 0 || value[1].len > 64) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "a2f_cookie: invalid cookie name \"%V\"",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    ascf->cookie_name = value[1];

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "domain=", 7) == 0
            && value[i].len > 7)
        {
            ascf->cookie_domain.data = value[i].data + 7;
            ascf->cookie_domain.len = value[i].len - 7;

            for (p = ascf->cookie_domain.data;
                 p < ascf->cookie_domain.data + ascf->cookie_domain.len;
                 p++)
            {
                if (*p <= ' ' || *p >= 0x7f || *p == ';' || *p == ',') {
                    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                       "a2f_cookie: invalid domain \"%V\"",
                                       &value[i]);
                    return NGX_CONF_ERROR;
                }
            }

            continue;
        }

        if (ngx_strcmp(value[i].data, "secure") == 0) {
            ascf->cookie_secure = 1;
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "a2f_cookie: invalid parameter \"%V\"", &value[i]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_a2f_max_failures(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_a2f_srv_conf_t *ascf = conf;

    ngx_int_t   n;
    ngx_str_t  *value;
    time_t      period;

    if (ascf->max_failures != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    n = ngx_atoi(value[1].data, value[1].len);

    /* NIST SP 800-63B 5.2.2: at most 100 consecutive failures */

    if (n == NGX_ERROR || n < 1 || n > 100) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "a2f_max_failures: count \"%V\" must be "
                           "a number from 1 to 100", &value[1]);
        return NGX_CONF_ERROR;
    }

    period = ngx_parse_time(&value[2], 1);

    if (period == (time_t) NGX_ERROR || period < 1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "a2f_max_failures: invalid period \"%V\"",
                           &value[2]);
        return NGX_CONF_ERROR;
    }

    ascf->max_failures = n;
    ascf->failure_period = period;

    return NGX_CONF_OK;
}


static char *
ngx_http_a2f_window_check(ngx_conf_t *cf, void *post, void *data)
{
    ngx_uint_t  *np = data;

    if (*np > A2F_TOTP_WINDOW_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "a2f_totp_window: must be from 0 to %d steps",
                           A2F_TOTP_WINDOW_MAX);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_a2f_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_a2f_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static void *
ngx_http_a2f_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_a2f_main_conf_t));
    if (amcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     amcf->db_path = { 0, NULL };
     *     amcf->key_path = { 0, NULL };
     *     amcf->pages_dir = { 0, NULL };
     *     amcf->ring = NULL;
     *     amcf->store = NULL;
     *     amcf->mac = NULL;
     */

    amcf->db_size = NGX_CONF_UNSET_SIZE;

    return amcf;
}


static char *
ngx_http_a2f_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_a2f_main_conf_t *amcf = conf;

    char          err[512];
    a2f_store_t  *st;

    ngx_conf_init_size_value(amcf->db_size, A2F_STORE_MAPSIZE_DEFAULT);

#if (NGX_THREADS)
    if (amcf->thread_pool_name.data == NULL) {
        ngx_str_set(&amcf->thread_pool_name, "default");
    }
#endif

    if (ngx_http_a2f_load_pages(cf, amcf) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    if (amcf->db_path.data == NULL) {
        return NGX_CONF_OK;
    }

    if (amcf->ring == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "a2f_db \"%V\" needs a2f_secret_file", &amcf->db_path);
        return NGX_CONF_ERROR;
    }

    /*
     * Create or check the database now, in the master, so that
     * "nginx -t" reports an unusable path; the workers open it again
     * in init_process (an LMDB environment must not cross fork()).
     */

    if (a2f_store_open((char *) amcf->db_path.data, amcf->db_size, amcf->ring,
                       A2F_STORE_CREATE, &st, err, sizeof(err))
        != A2F_OK)
    {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "a2f_db: %s", err);
        return NGX_CONF_ERROR;
    }

    a2f_store_close(st);

#if (NGX_THREADS)
    amcf->thread_pool = ngx_thread_pool_add(cf, &amcf->thread_pool_name);
    if (amcf->thread_pool == NULL) {
        return NGX_CONF_ERROR;
    }
#endif

    return NGX_CONF_OK;
}


static void *
ngx_http_a2f_create_srv_conf(ngx_conf_t *cf)
{
    ngx_http_a2f_srv_conf_t  *ascf;

    ascf = ngx_pcalloc(cf->pool, sizeof(ngx_http_a2f_srv_conf_t));
    if (ascf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     ascf->portal = { 0, NULL };
     *     ascf->need_portal = 0;
     *     ascf->cookie_name = { 0, NULL };
     *     ascf->cookie_domain = { 0, NULL };
     *     ascf->issuer = { 0, NULL };
     */

    ascf->cookie_secure = NGX_CONF_UNSET;
    ascf->session_timeout = NGX_CONF_UNSET;
    ascf->idle_timeout = NGX_CONF_UNSET;
    ascf->totp_window = NGX_CONF_UNSET_UINT;
    ascf->enroll = NGX_CONF_UNSET;
    ascf->admin = NGX_CONF_UNSET;
    ascf->admin_max_age = NGX_CONF_UNSET;
    ascf->max_failures = NGX_CONF_UNSET_UINT;
    ascf->failure_period = NGX_CONF_UNSET;

    return ascf;
}


static char *
ngx_http_a2f_merge_srv_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_a2f_srv_conf_t *prev = parent;
    ngx_http_a2f_srv_conf_t *conf = child;

    u_char                    *p;
    ngx_http_core_srv_conf_t  *cscf;

    if (conf->cookie_name.data == NULL) {
        conf->cookie_domain = prev->cookie_domain;
    }

    ngx_conf_merge_str_value(conf->cookie_name, prev->cookie_name,
                             "a2f_session");

    /* a __Host- cookie must have Path=/ and no Domain */

    if (conf->cookie_domain.len == 0) {
        conf->cookie_name_tls.len = sizeof("__Host-") - 1
                                    + conf->cookie_name.len;
        conf->cookie_name_tls.data = ngx_pnalloc(cf->pool,
                                                 conf->cookie_name_tls.len);
        if (conf->cookie_name_tls.data == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_sprintf(conf->cookie_name_tls.data, "__Host-%V",
                    &conf->cookie_name);
    }
    ngx_conf_merge_value(conf->cookie_secure, prev->cookie_secure, 0);
    ngx_conf_merge_sec_value(conf->session_timeout, prev->session_timeout,
                             12 * 3600);
    ngx_conf_merge_sec_value(conf->idle_timeout, prev->idle_timeout, 3600);
    ngx_conf_merge_uint_value(conf->totp_window, prev->totp_window, 1);
    ngx_conf_merge_value(conf->enroll, prev->enroll, 1);
    ngx_conf_merge_value(conf->admin, prev->admin, 1);
    ngx_conf_merge_sec_value(conf->admin_max_age, prev->admin_max_age,
                             15 * 60);

    if (conf->admin_max_age < 1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "a2f_admin_max_age: must be at least 1s");
        return NGX_CONF_ERROR;
    }

    /* the issuer shown in authenticator apps: the server's name */

    if (conf->issuer.data == NULL) {
        conf->issuer = prev->issuer;
    }

    if (conf->issuer.data == NULL) {
        cscf = ngx_http_conf_get_module_srv_conf(cf, ngx_http_core_module);

        if (cscf && cscf->server_name.len) {
            conf->issuer = cscf->server_name;
        } else {
            ngx_str_set(&conf->issuer, "nginx");
        }
    }

    if (conf->issuer.len == 0 || conf->issuer.len > 64) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "a2f_issuer: \"%V\" must be 1 to 64 bytes",
                           &conf->issuer);
        return NGX_CONF_ERROR;
    }

    /* a copy with a NUL, for the nginx-free code */

    p = ngx_pnalloc(cf->pool, conf->issuer.len + 1);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(p, conf->issuer.data, conf->issuer.len);
    p[conf->issuer.len] = '\0';
    conf->issuer.data = p;
    ngx_conf_merge_uint_value(conf->max_failures, prev->max_failures, 5);
    ngx_conf_merge_sec_value(conf->failure_period, prev->failure_period,
                             15 * 60);

    return NGX_CONF_OK;
}


static void *
ngx_http_a2f_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_a2f_loc_conf_t  *alcf;

    alcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_a2f_loc_conf_t));
    if (alcf == NULL) {
        return NULL;
    }

    alcf->policy = NGX_CONF_UNSET_UINT;
    alcf->portal = NGX_CONF_UNSET;
    alcf->webauthn = NGX_CONF_UNSET;
    alcf->origins = NGX_CONF_UNSET_PTR;
    alcf->api = NGX_CONF_UNSET;

    /*
     * set by ngx_pcalloc():
     *
     *     alcf->api_appid = { 0, NULL };
     */

    return alcf;
}


static char *
ngx_http_a2f_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_a2f_loc_conf_t *prev = parent;
    ngx_http_a2f_loc_conf_t *conf = child;

    ngx_http_a2f_srv_conf_t  *ascf;

    ngx_conf_merge_uint_value(conf->policy, prev->policy, NGX_HTTP_A2F_OFF);

    /* the portal is never inherited: a nested location is no portal */
    if (conf->portal == NGX_CONF_UNSET) {
        conf->portal = 0;
    }

    /* nor is the API */
    if (conf->api == NGX_CONF_UNSET) {
        conf->api = 0;
    }

    ngx_conf_merge_str_value(conf->api_appid, prev->api_appid, "");

    if (conf->policy != NGX_HTTP_A2F_OFF && !conf->portal && !conf->api) {
        /* cf->ctx is the server's here: see ngx_http_merge_servers() */
        ascf = ngx_http_conf_get_module_srv_conf(cf, ngx_http_a2f_module);
        ascf->need_portal = 1;
    }

    return ngx_http_a2f_webauthn_merge(cf, prev, conf);
}


static ngx_int_t
ngx_http_a2f_init(ngx_conf_t *cf)
{
    ngx_uint_t                  s, used;
    ngx_http_handler_pt        *h;
    ngx_http_a2f_srv_conf_t    *ascf;
    ngx_http_a2f_main_conf_t   *amcf;
    ngx_http_core_srv_conf_t  **cscfp;
    ngx_http_core_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);
    amcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_a2f_module);

    cscfp = cmcf->servers.elts;
    used = 0;

    for (s = 0; s < cmcf->servers.nelts; s++) {
        ascf = cscfp[s]->ctx->srv_conf[ngx_http_a2f_module.ctx_index];

        if (ascf->need_portal && ascf->portal.len == 0) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "\"a2f\" is on in the server \"%V\" in %s:%ui "
                          "but that server has no \"a2f_portal\" location "
                          "(add: location /_a2f/ { a2f_portal; })",
                          &cscfp[s]->server_name, cscfp[s]->file_name,
                          cscfp[s]->line);
            return NGX_ERROR;
        }

        if (ascf->need_portal || ascf->portal.len || ascf->api) {
            used = 1;
        }
    }

    if (!used) {
        return NGX_OK;
    }

    if (amcf->db_path.data == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "\"a2f\", \"a2f_portal\" and \"a2f_api\" need "
                      "\"a2f_db\" and \"a2f_secret_file\" in the http "
                      "block");
        return NGX_ERROR;
    }

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_a2f_access_handler;

    amcf->enabled = 1;

    return NGX_OK;
}


static ngx_http_a2f_main_conf_t *
ngx_http_a2f_cycle_conf(ngx_cycle_t *cycle)
{
    ngx_http_a2f_main_conf_t  *amcf;

    if (ngx_http_cycle_get_module_main_conf(cycle, ngx_http_core_module)
        == NULL)
    {
        return NULL;
    }

    amcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_a2f_module);

    if (amcf == NULL || !amcf->enabled) {
        return NULL;
    }

    return amcf;
}


static ngx_int_t
ngx_http_a2f_init_module(ngx_cycle_t *cycle)
{
    u_char                    *lock;
    ngx_core_conf_t           *ccf;
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_a2f_cycle_conf(cycle);

    if (amcf == NULL) {
        return NGX_OK;
    }

    if (geteuid() != 0) {
        return NGX_OK;
    }

    /* the workers run as "user": let them write the database */

    ccf = (ngx_core_conf_t *) ngx_get_conf(cycle->conf_ctx, ngx_core_module);

    if (ccf->user == (ngx_uid_t) NGX_CONF_UNSET_UINT || ccf->user == 0) {
        return NGX_OK;
    }

    lock = ngx_pnalloc(cycle->pool, amcf->db_path.len + sizeof("-lock"));
    if (lock == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(lock, "%V-lock%Z", &amcf->db_path);

    if (chown((char *) amcf->db_path.data, ccf->user, (gid_t) -1) == -1
        || chown((char *) lock, ccf->user, (gid_t) -1) == -1)
    {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, ngx_errno,
                      "a2f_db: chown(\"%V\") failed", &amcf->db_path);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_a2f_init_process(ngx_cycle_t *cycle)
{
    char                       err[512];
    int                        dead;
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_a2f_cycle_conf(cycle);

    if (amcf == NULL) {
        return NGX_OK;
    }

    if (a2f_store_open((char *) amcf->db_path.data, amcf->db_size, amcf->ring,
                       0, &amcf->store, err, sizeof(err))
        != A2F_OK)
    {
        /* requests fail closed with 503 until the next reload */
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0, "a2f_db: %s", err);
        amcf->store = NULL;
        return NGX_OK;
    }

    /* the audit trail also goes to the error log, at "info" */

    a2f_store_audit_hook(amcf->store, ngx_http_a2f_audit_log, cycle->log);

    dead = 0;
    (void) a2f_store_reader_check(amcf->store, &dead);

    if (dead) {
        ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                      "a2f_db: cleared %d stale reader(s)", dead);
    }

    amcf->mac = a2f_mac_new(amcf->ring);
    if (amcf->mac == NULL) {
        ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                      "a2f: cannot prepare the HMAC contexts");
        a2f_store_close(amcf->store);
        amcf->store = NULL;
    }

    return NGX_OK;
}


/*
 * Called in the thread that committed an audit event (a thread pool
 * thread, or the event loop): the cycle's log has no request handler,
 * and one write(2) per line keeps lines whole.
 */

static void
ngx_http_a2f_audit_log(void *arg, const char *text, size_t len)
{
    ngx_log_t  *log = arg;

    ngx_log_error(NGX_LOG_INFO, log, 0, "a2f: audit: %*s", len, text);
}


static void
ngx_http_a2f_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_a2f_cycle_conf(cycle);

    if (amcf == NULL) {
        return;
    }

    a2f_store_close(amcf->store);
    amcf->store = NULL;

    a2f_mac_free(amcf->mac);
    amcf->mac = NULL;
}
