
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * ngx_http_a2f_cookie.c: reading and writing the session cookie, and the
 * CSRF tokens bound to it.  The cookie value itself is a2f_session.c's.
 */


#include "ngx_http_a2f_module.h"


#define NGX_HTTP_A2F_COOKIE_TRIES  4   /* same-named cookies examined */


static ngx_str_t *ngx_http_a2f_cookie_name(ngx_http_request_t *r);
static ngx_uint_t ngx_http_a2f_cookies(ngx_http_request_t *r,
    ngx_str_t *name, ngx_str_t *values, ngx_uint_t max);
static ngx_uint_t ngx_http_a2f_cookies_in(ngx_str_t *line, ngx_str_t *name,
    ngx_str_t *values, ngx_uint_t n, ngx_uint_t max);


ngx_int_t
ngx_http_a2f_session_get(ngx_http_request_t *r, a2f_session_t *s)
{
    int                        rc;
    uint32_t                   gen, flags;
    ngx_str_t                  values[NGX_HTTP_A2F_COOKIE_TRIES];
    ngx_uint_t                 i, n;
    ngx_http_a2f_srv_conf_t   *ascf;
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);
    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    if (amcf->store == NULL || amcf->mac == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "a2f: database \"%V\" is not open", &amcf->db_path);
        return NGX_ERROR;
    }

    n = ngx_http_a2f_cookies(r, ngx_http_a2f_cookie_name(r), values,
                             NGX_HTTP_A2F_COOKIE_TRIES);

    if (n == 0) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "a2f: no session cookie");
        return NGX_DECLINED;
    }

    /* each candidate is verified whole: nothing is combined across them */

    for (i = 0; i < n; i++) {

        rc = a2f_session_decode(amcf->mac, (char *) values[i].data,
                                values[i].len, ngx_time(),
                                ascf->session_timeout, ascf->idle_timeout, s);

        if (rc != A2F_OK) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "a2f: session cookie refused: %s",
                          a2f_strerror(rc));
            continue;
        }

        rc = a2f_store_user_gen(amcf->store, s->user, s->user_len,
                                &gen, &flags);

        if (rc == A2F_ERR_NOTFOUND) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "a2f: session of unknown user \"%s\" refused",
                          s->user);
            continue;
        }

        if (rc != A2F_OK) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "a2f: database \"%V\": %s",
                          &amcf->db_path, a2f_strerror(rc));
            return NGX_ERROR;
        }

        if (flags & A2F_USER_DISABLED) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "a2f: session of disabled user \"%s\" refused",
                          s->user);
            continue;
        }

        if (gen != s->gen) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "a2f: revoked session of user \"%s\" refused",
                          s->user);
            continue;
        }

        return NGX_OK;
    }

    ngx_memzero(s, sizeof(a2f_session_t));

    return NGX_DECLINED;
}


ngx_int_t
ngx_http_a2f_session_set(ngx_http_request_t *r, a2f_session_t *s)
{
    char                       buf[A2F_SESSION_MAX];
    size_t                     len;
    time_t                     max_age;
    ngx_str_t                  value, path;
    ngx_http_a2f_srv_conf_t   *ascf;
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);
    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    s->seen = ngx_time();

    if (a2f_session_encode(amcf->mac, s, buf, sizeof(buf), &len) != A2F_OK) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "a2f: cannot encode the session of \"%s\"", s->user);
        return NGX_ERROR;
    }

    value.len = len;
    value.data = ngx_pnalloc(r->pool, len);
    if (value.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(value.data, buf, len);

    max_age = 0;

    if (ascf->session_timeout) {
        max_age = s->issued + ascf->session_timeout - s->seen;

        if (max_age < 1) {
            max_age = 1;
        }
    }

    ngx_str_set(&path, "/");

    return ngx_http_a2f_cookie_add(r, ngx_http_a2f_cookie_name(r), &value,
                                   &path, max_age);
}


ngx_int_t
ngx_http_a2f_session_clear(ngx_http_request_t *r)
{
    ngx_str_t  value, path;

    ngx_str_set(&value, "");
    ngx_str_set(&path, "/");

    return ngx_http_a2f_cookie_add(r, ngx_http_a2f_cookie_name(r), &value,
                                   &path, -1);
}


ngx_int_t
ngx_http_a2f_cookie_value(ngx_http_request_t *r, ngx_str_t *name,
    ngx_str_t *value)
{
    if (ngx_http_a2f_cookies(r, name, value, 1) == 0) {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * name=value; Path=path[; Domain=d][; Max-Age=n]; HttpOnly; SameSite=Lax
 * [; Secure].  max_age 0: a browser-session cookie; -1: delete it.
 */

ngx_int_t
ngx_http_a2f_cookie_add(ngx_http_request_t *r, ngx_str_t *name,
    ngx_str_t *value, ngx_str_t *path, time_t max_age)
{
    u_char                   *p;
    size_t                    len;
    ngx_uint_t                secure;
    ngx_table_elt_t          *set_cookie;
    ngx_http_a2f_srv_conf_t  *ascf;

    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    secure = ascf->cookie_secure;
#if (NGX_HTTP_SSL)
    if (r->connection->ssl) {
        secure = 1;
    }
#endif

    len = name->len + 1 + value->len + sizeof("; Path=") - 1 + path->len
          + sizeof("; Max-Age=") - 1 + NGX_TIME_T_LEN
          + sizeof("; HttpOnly; SameSite=Lax; Secure") - 1;

    if (ascf->cookie_domain.len) {
        len += sizeof("; Domain=") - 1 + ascf->cookie_domain.len;
    }

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    set_cookie = ngx_list_push(&r->headers_out.headers);
    if (set_cookie == NULL) {
        return NGX_ERROR;
    }

    set_cookie->hash = 1;
    ngx_str_set(&set_cookie->key, "Set-Cookie");
    set_cookie->value.data = p;
#if (nginx_version >= 1023000)
    set_cookie->next = NULL;
#endif

    p = ngx_sprintf(p, "%V=%V; Path=%V", name, value, path);

    if (ascf->cookie_domain.len) {
        p = ngx_sprintf(p, "; Domain=%V", &ascf->cookie_domain);
    }

    if (max_age > 0) {
        p = ngx_sprintf(p, "; Max-Age=%T", max_age);

    } else if (max_age < 0) {
        p = ngx_cpymem(p, "; Max-Age=0", sizeof("; Max-Age=0") - 1);
    }

    p = ngx_cpymem(p, "; HttpOnly; SameSite=Lax",
                   sizeof("; HttpOnly; SameSite=Lax") - 1);

    if (secure) {
        p = ngx_cpymem(p, "; Secure", sizeof("; Secure") - 1);
    }

    set_cookie->value.len = p - set_cookie->value.data;

    return NGX_OK;
}


ngx_int_t
ngx_http_a2f_csrf_token(ngx_http_request_t *r, ngx_str_t *binding,
    ngx_str_t *token)
{
    u_char                     data[64 + 5];
    uint8_t                    mac[32];
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);

    if (binding->len == 0 || binding->len > 64 || amcf->mac == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(data, "csrf:", 5);
    ngx_memcpy(data + 5, binding->data, binding->len);

    if (a2f_mac_compute(amcf->mac, NULL, data, 5 + binding->len, mac)
        != A2F_OK)
    {
        return NGX_ERROR;
    }

    token->data = ngx_pnalloc(r->pool, 44);
    if (token->data == NULL) {
        return NGX_ERROR;
    }

    token->len = a2f_b64url_encode(mac, sizeof(mac), (char *) token->data,
                                   44);

    return token->len ? NGX_OK : NGX_ERROR;
}


/* "__Host-" + name over TLS (or with "secure") when no Domain is set */

static ngx_str_t *
ngx_http_a2f_cookie_name(ngx_http_request_t *r)
{
    ngx_http_a2f_srv_conf_t  *ascf;

    ascf = ngx_http_get_module_srv_conf(r, ngx_http_a2f_module);

    if (ascf->cookie_name_tls.len
        && (ascf->cookie_secure
#if (NGX_HTTP_SSL)
            || r->connection->ssl
#endif
       ))
    {
        return &ascf->cookie_name_tls;
    }

    return &ascf->cookie_name;
}


/* collect up to max values of cookie name from the Cookie header lines */

static ngx_uint_t
ngx_http_a2f_cookies(ngx_http_request_t *r, ngx_str_t *name,
    ngx_str_t *values, ngx_uint_t max)
{
    ngx_uint_t         n;
    ngx_table_elt_t   *h;
#if (nginx_version < 1023000)
    ngx_uint_t         i;
    ngx_table_elt_t  **hh;
#endif

    n = 0;

#if (nginx_version >= 1023000)

    for (h = r->headers_in.cookie; h && n < max; h = h->next) {
        n = ngx_http_a2f_cookies_in(&h->value, name, values, n, max);
    }

#else

    hh = r->headers_in.cookies.elts;

    for (i = 0; i < r->headers_in.cookies.nelts && n < max; i++) {
        h = hh[i];
        n = ngx_http_a2f_cookies_in(&h->value, name, values, n, max);
    }

#endif

    return n;
}


static ngx_uint_t
ngx_http_a2f_cookies_in(ngx_str_t *line, ngx_str_t *name, ngx_str_t *values,
    ngx_uint_t n, ngx_uint_t max)
{
    u_char  *p, *end, *start, *eq;

    p = line->data;
    end = line->data + line->len;

    while (p < end && n < max) {

        while (p < end && (*p == ' ' || *p == '\t' || *p == ';')) {
            p++;
        }

        start = p;
        eq = NULL;

        while (p < end && *p != ';') {
            if (eq == NULL && *p == '=') {
                eq = p;
            }

            p++;
        }

        if (eq == NULL || (size_t) (eq - start) != name->len
            || ngx_strncmp(start, name->data, name->len) != 0)
        {
            continue;
        }

        values[n].data = eq + 1;
        values[n].len = p - (eq + 1);

        while (values[n].len
               && (values[n].data[values[n].len - 1] == ' '
                   || values[n].data[values[n].len - 1] == '\t'))
        {
            values[n].len--;
        }

        n++;
    }

    return n;
}
