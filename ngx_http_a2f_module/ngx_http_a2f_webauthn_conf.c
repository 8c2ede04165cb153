
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * ngx_http_a2f_webauthn_conf.c: the WebAuthn relying party of a location
 * (a2f_webauthn, a2f_webauthn_rp_id, a2f_webauthn_origin).  What is not
 * set comes from the server's configuration: the first server_name is
 * the RP ID, and its listen (ssl or not, port) makes the origin.  Never
 * from a request's Host header: a phishing proxy controls that.
 */


#include "ngx_http_a2f_module.h"


static ngx_int_t ngx_http_a2f_rp_id_valid(ngx_str_t *id);
static ngx_int_t ngx_http_a2f_origin_valid(ngx_str_t *origin,
    ngx_str_t *rp_id);
static ngx_int_t ngx_http_a2f_default_origin(ngx_conf_t *cf,
    ngx_str_t *rp_id, ngx_str_t *origin);
static ngx_int_t ngx_http_a2f_nul(ngx_conf_t *cf, ngx_str_t *s);


/* a2f_webauthn_origin origin ...; */

char *
ngx_http_a2f_webauthn_origin(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_a2f_loc_conf_t *alcf = conf;

    ngx_str_t   *value, *o;
    ngx_uint_t   i;

    if (alcf->origins != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    alcf->origins = ngx_array_create(cf->pool, cf->args->nelts - 1,
                                     sizeof(ngx_str_t));
    if (alcf->origins == NULL) {
        return NGX_CONF_ERROR;
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        /* scheme://host[:port], no path, no trailing slash */

        if (ngx_http_a2f_origin_valid(&value[i], NULL) != NGX_OK) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "a2f_webauthn_origin: \"%V\" is not an "
                               "origin like \"https://example.com\" or "
                               "\"https://example.com:8443\"", &value[i]);
            return NGX_CONF_ERROR;
        }

        o = ngx_array_push(alcf->origins);
        if (o == NULL) {
            return NGX_CONF_ERROR;
        }

        *o = value[i];

        if (ngx_http_a2f_nul(cf, o) != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/*
 * Called from the location merge: inherit, then derive what is missing
 * when a2f_webauthn is on, and check that the origins belong to the RP
 * ID.  The errors name the server, so "nginx -t" says where.
 */

char *
ngx_http_a2f_webauthn_merge(ngx_conf_t *cf, ngx_http_a2f_loc_conf_t *prev,
    ngx_http_a2f_loc_conf_t *conf)
{
    ngx_str_t                 *o;
    ngx_uint_t                 i;
    ngx_http_core_srv_conf_t  *cscf;

    ngx_conf_merge_value(conf->webauthn, prev->webauthn, 0);
    ngx_conf_merge_str_value(conf->rp_id, prev->rp_id, "");
    ngx_conf_merge_ptr_value(conf->origins, prev->origins, NULL);

    if (!conf->webauthn) {
        return NGX_CONF_OK;
    }

    cscf = ngx_http_conf_get_module_srv_conf(cf, ngx_http_core_module);

    if (conf->rp_id.len == 0) {

        if (cscf->server_name.len == 0
            || ngx_http_a2f_rp_id_valid(&cscf->server_name) != NGX_OK)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"a2f_webauthn on\" needs a relying party "
                               "ID: the server \"%V\" has no server_name "
                               "that is a domain name; set "
                               "\"a2f_webauthn_rp_id\"",
                               &cscf->server_name);
            return NGX_CONF_ERROR;
        }

        conf->rp_id = cscf->server_name;

        if (ngx_http_a2f_nul(cf, &conf->rp_id) != NGX_OK) {
            return NGX_CONF_ERROR;
        }
    }

    if (conf->origins == NULL) {
        conf->origins = ngx_array_create(cf->pool, 1, sizeof(ngx_str_t));
        if (conf->origins == NULL) {
            return NGX_CONF_ERROR;
        }

        o = ngx_array_push(conf->origins);
        if (o == NULL) {
            return NGX_CONF_ERROR;
        }

        if (ngx_http_a2f_default_origin(cf, &conf->rp_id, o) != NGX_OK) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"a2f_webauthn on\" needs an origin: the "
                               "server \"%V\" listens without \"ssl\" and "
                               "\"%V\" is not \"localhost\" (browsers allow "
                               "security keys only on https); add \"ssl\" "
                               "to its listen or set "
                               "\"a2f_webauthn_origin\"",
                               &cscf->server_name, &conf->rp_id);
            return NGX_CONF_ERROR;
        }
    }

    o = conf->origins->elts;

    for (i = 0; i < conf->origins->nelts; i++) {
        if (ngx_http_a2f_origin_valid(&o[i], &conf->rp_id) != NGX_OK) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "a2f_webauthn_origin \"%V\" is not on the "
                               "relying party ID \"%V\" or one of its "
                               "subdomains (or is not https)",
                               &o[i], &conf->rp_id);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/* a2f_webauthn_rp_id: a domain name, lower case, no port */

char *
ngx_http_a2f_webauthn_rp_id(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_a2f_loc_conf_t *alcf = conf;

    ngx_str_t  *value;

    if (alcf->rp_id.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_http_a2f_rp_id_valid(&value[1]) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "a2f_webauthn_rp_id: \"%V\" is not a domain "
                           "name like \"example.com\" (lower case, no "
                           "scheme, no port, no IP address)", &value[1]);
        return NGX_CONF_ERROR;
    }

    alcf->rp_id = value[1];

    if (ngx_http_a2f_nul(cf, &alcf->rp_id) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * A relying party ID is a domain: labels of [a-z0-9-], dots between,
 * at most 253 bytes, at least one letter (not an IP address).
 */

static ngx_int_t
ngx_http_a2f_rp_id_valid(ngx_str_t *id)
{
    u_char      c, prev;
    ngx_uint_t  i, alpha;

    if (id->len == 0 || id->len > 253) {
        return NGX_ERROR;
    }

    prev = '.';
    alpha = 0;

    for (i = 0; i < id->len; i++) {
        c = id->data[i];

        if (c >= 'a' && c <= 'z') {
            alpha = 1;

        } else if (c == '.') {
            if (prev == '.' || prev == '-') {
                return NGX_ERROR;
            }

        } else if (c == '-') {
            if (prev == '.') {
                return NGX_ERROR;
            }

        } else if (c < '0' || c > '9') {
            return NGX_ERROR;
        }

        prev = c;
    }

    if (prev == '.' || prev == '-' || !alpha) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * An origin is "https://host[:port]" (or "http://localhost[:port]"),
 * host a domain; with rp_id, host must be rp_id or end in "." rp_id.
 */

static ngx_int_t
ngx_http_a2f_origin_valid(ngx_str_t *origin, ngx_str_t *rp_id)
{
    u_char     *p, *end, *colon;
    ngx_int_t   port;
    ngx_str_t   host;
    ngx_uint_t  https;

    p = origin->data;
    end = p + origin->len;

    if (origin->len > 8 && ngx_strncmp(p, "https://", 8) == 0) {
        https = 1;
        p += 8;

    } else if (origin->len > 7 && ngx_strncmp(p, "http://", 7) == 0) {
        https = 0;
        p += 7;

    } else {
        return NGX_ERROR;
    }

    colon = ngx_strlchr(p, end, ':');

    host.data = p;
    host.len = (colon ? colon : end) - p;

    if (colon) {
        port = ngx_atoi(colon + 1, end - colon - 1);
        if (port == NGX_ERROR || port < 1 || port > 65535
            || colon[1] == '0')
        {
            return NGX_ERROR;
        }
    }

    if (ngx_http_a2f_rp_id_valid(&host) != NGX_OK) {
        return NGX_ERROR;
    }

    if (!https
        && !(host.len == 9 && ngx_strncmp(host.data, "localhost", 9) == 0))
    {
        return NGX_ERROR;
    }

    if (rp_id == NULL) {
        return NGX_OK;
    }

    if (host.len == rp_id->len
        && ngx_strncmp(host.data, rp_id->data, host.len) == 0)
    {
        return NGX_OK;
    }

    if (host.len > rp_id->len + 1
        && host.data[host.len - rp_id->len - 1] == '.'
        && ngx_strncmp(host.data + host.len - rp_id->len, rp_id->data,
                       rp_id->len)
           == 0)
    {
        return NGX_OK;
    }

    return NGX_ERROR;
}


/*
 * The origin from the server's listen directives: https and its port
 * when one of them has "ssl", else http (for localhost only).
 */

static ngx_int_t
ngx_http_a2f_default_origin(ngx_conf_t *cf, ngx_str_t *rp_id,
    ngx_str_t *origin)
{
    u_char                      *p;
    in_port_t                    port, http_port;
    ngx_uint_t                   i, j, k, ssl, found;
    ngx_http_conf_port_t        *ports;
    ngx_http_conf_addr_t        *addrs;
    ngx_http_core_srv_conf_t    *cscf, **servers;
    ngx_http_core_main_conf_t   *cmcf;

    cscf = ngx_http_conf_get_module_srv_conf(cf, ngx_http_core_module);
    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    ssl = 0;
    found = 0;
    port = 0;
    http_port = 80;

    if (cmcf->ports) {
        ports = cmcf->ports->elts;

        for (i = 0; i < cmcf->ports->nelts; i++) {
            addrs = ports[i].addrs.elts;

            for (j = 0; j < ports[i].addrs.nelts; j++) {
                servers = addrs[j].servers.elts;

                for (k = 0; k < addrs[j].servers.nelts; k++) {
                    if (servers[k] != cscf) {
                        continue;
                    }

#if (NGX_HTTP_SSL)
                    if (addrs[j].opt.ssl && !ssl) {
                        ssl = 1;
                        port = ngx_inet_get_port(addrs[j].opt.sockaddr);
                    }
#endif

                    if (!found) {
                        found = 1;
                        http_port = ngx_inet_get_port(addrs[j].opt.sockaddr);
                    }
                }
            }
        }
    }

    if (!ssl) {
        if (!(rp_id->len == 9
              && ngx_strncmp(rp_id->data, "localhost", 9) == 0))
        {
            return NGX_ERROR;
        }

        port = http_port;
    }

    origin->data = ngx_pnalloc(cf->pool, rp_id->len + sizeof("https://:65535"));
    if (origin->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(origin->data, "%s://%V", ssl ? "https" : "http", rp_id);

    if (port != (ssl ? 443 : 80)) {
        p = ngx_sprintf(p, ":%d", (int) port);
    }

    *p = '\0';
    origin->len = p - origin->data;

    return NGX_OK;
}


/* Make s a NUL-terminated copy, for the nginx-free code. */

static ngx_int_t
ngx_http_a2f_nul(ngx_conf_t *cf, ngx_str_t *s)
{
    u_char  *p;

    p = ngx_pnalloc(cf->pool, s->len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(p, s->data, s->len);
    p[s->len] = '\0';
    s->data = p;

    return NGX_OK;
}
