
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * ngx_http_a2f_api_conf.c: the configuration of the auth2factor API
 * (ngx_http_a2f_api.c):
 *
 *   a2f_api;          (location) serve the API here
 *   a2f_api_client NAME key=KEY secret_file=FILE [allow=CIDR ...]
 *                     [appid=URL];   (http) an application
 *   a2f_api_appid URL;  (http, server, location) the FIDO U2F appId of
 *                     clients without appid=
 *
 * Everything that can be checked is checked here, so that "nginx -t"
 * names the directive and the file.
 */


#include "ngx_http_a2f_module.h"
#include "a2f_jwt.h"
#include "a2f_u2f.h"
#include "a2f_apitoken.h"

#include <sys/stat.h>


#define NGX_HTTP_A2F_SECRET_FILE_MAX  4096


static ngx_int_t ngx_http_a2f_api_key_ok(ngx_str_t *key);
static char *ngx_http_a2f_api_secret(ngx_conf_t *cf,
    ngx_http_a2f_api_client_t *client);
static char *ngx_http_a2f_api_appid_check(ngx_conf_t *cf, ngx_str_t *appid,
    const char *directive);
static void ngx_http_a2f_api_secret_cleanup(void *data);


/* a2f_api; */

char *
ngx_http_a2f_api(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_a2f_loc_conf_t *alcf = conf;

    ngx_http_a2f_srv_conf_t   *ascf;
    ngx_http_core_loc_conf_t  *clcf;

    if (alcf->api == 1) {
        return "is duplicate";
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    ascf = ngx_http_conf_get_module_srv_conf(cf, ngx_http_a2f_module);

    if (ngx_http_a2f_prefix_location(clcf) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "a2f_api must be in a prefix location that ends "
                           "with \"/\", like \"location /api/\" (or in the "
                           "a2f_portal location)");
        return NGX_CONF_ERROR;
    }

    alcf->api = 1;
    ascf->api = 1;

    /* in the portal's location the portal handler passes api/ on */

    if (clcf->handler != ngx_http_a2f_portal_handler) {
        clcf->handler = ngx_http_a2f_api_handler;
    }

    return NGX_CONF_OK;
}


/* a2f_api_appid URL; */

char *
ngx_http_a2f_api_appid(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_a2f_loc_conf_t *alcf = conf;

    ngx_str_t  *value;

    if (alcf->api_appid.data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;
    alcf->api_appid = value[1];

    return ngx_http_a2f_api_appid_check(cf, &alcf->api_appid,
                                        "a2f_api_appid");
}


/* a2f_api_client NAME key=KEY secret_file=FILE [allow=CIDR ...] [appid=] */

char *
ngx_http_a2f_api_client(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_a2f_main_conf_t *amcf = conf;

    char                       *rv;
    u_char                     *what;
    ngx_int_t                   rc;
    ngx_str_t                  *value, v;
    ngx_uint_t                  i, any;
    ngx_cidr_t                 *cidr;
    ngx_http_a2f_api_client_t  *client, *c;

    value = cf->args->elts;

    if (amcf->api_clients == NULL) {
        amcf->api_clients = ngx_array_create(cf->pool, 4,
                                        sizeof(ngx_http_a2f_api_client_t));
        if (amcf->api_clients == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    client = ngx_array_push(amcf->api_clients);
    if (client == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(client, sizeof(ngx_http_a2f_api_client_t));

    client->name = value[1];
    any = 0;

    if (!a2f_apitoken_client_valid((char *) client->name.data,
                                   client->name.len))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "a2f_api_client: the name \"%V\" must be 1 to %d "
                           "letters, digits, \"-\" or \"_\"",
                           &client->name, A2F_APITOKEN_CLIENT_MAX);
        return NGX_CONF_ERROR;
    }

    for (i = 2; i < cf->args->nelts; i++) {

        v.data = (u_char *) ngx_strlchr(value[i].data,
                                        value[i].data + value[i].len, '=');

        if (v.data != NULL && v.data == value[i].data + value[i].len - 1) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "a2f_api_client \"%V\": \"%V\" has no value",
                               &client->name, &value[i]);
            return NGX_CONF_ERROR;
        }

        if (value[i].len > 4 && ngx_strncmp(value[i].data, "key=", 4) == 0) {
            if (client->key.data) {
                goto duplicate;
            }

            client->key.data = value[i].data + 4;
            client->key.len = value[i].len - 4;

            if (ngx_http_a2f_api_key_ok(&client->key) != NGX_OK) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "a2f_api_client \"%V\": the key must be "
                                   "1 to %d printable characters without "
                                   "\":\"", &client->name, A2F_API_KEY_MAX);
                return NGX_CONF_ERROR;
            }

            continue;
        }

        if (value[i].len > 12
            && ngx_strncmp(value[i].data, "secret_file=", 12) == 0)
        {
            if (client->secret_path.data) {
                goto duplicate;
            }

            client->secret_path.data = value[i].data + 12;
            client->secret_path.len = value[i].len - 12;
            continue;
        }

        if (value[i].len > 6 && ngx_strncmp(value[i].data, "allow=", 6) == 0)
        {
            v.data = value[i].data + 6;
            v.len = value[i].len - 6;

            if (v.len == 3 && ngx_strncmp(v.data, "all", 3) == 0) {
                any = 1;
                continue;
            }

            if (client->allow == NULL) {
                client->allow = ngx_array_create(cf->pool, 2,
                                                 sizeof(ngx_cidr_t));
                if (client->allow == NULL) {
                    return NGX_CONF_ERROR;
                }
            }

            cidr = ngx_array_push(client->allow);
            if (cidr == NULL) {
                return NGX_CONF_ERROR;
            }

            rc = ngx_ptocidr(&v, cidr);

            if (rc == NGX_ERROR) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "a2f_api_client \"%V\": \"%V\" is not an "
                                   "address or a CIDR block like "
                                   "\"192.0.2.0/24\"", &client->name, &v);
                return NGX_CONF_ERROR;
            }

            if (rc == NGX_DONE) {
                ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                                   "a2f_api_client \"%V\": low address bits "
                                   "of \"%V\" are meaningless",
                                   &client->name, &v);
            }

            continue;
        }

        if (value[i].len > 6 && ngx_strncmp(value[i].data, "appid=", 6) == 0)
        {
            if (client->appid.data) {
                goto duplicate;
            }

            client->appid.data = value[i].data + 6;
            client->appid.len = value[i].len - 6;

            what = ngx_pnalloc(cf->pool,
                               sizeof("a2f_api_client \"\" appid=")
                               + client->name.len);
            if (what == NULL) {
                return NGX_CONF_ERROR;
            }

            ngx_sprintf(what, "a2f_api_client \"%V\" appid=%Z",
                        &client->name);

            rv = ngx_http_a2f_api_appid_check(cf, &client->appid,
                                              (char *) what);
            if (rv != NGX_CONF_OK) {
                return rv;
            }

            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "a2f_api_client \"%V\": unknown parameter \"%V\" "
                           "(expected key=, secret_file=, allow= or appid=)",
                           &client->name, &value[i]);
        return NGX_CONF_ERROR;
    }

    if (client->key.data == NULL || client->secret_path.data == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "a2f_api_client \"%V\" needs key= and "
                           "secret_file=", &client->name);
        return NGX_CONF_ERROR;
    }

    if (any) {
        client->allow = NULL;       /* allow=all wins */
    }

    /* names and keys are unique: a token and a JWT name one client */

    c = amcf->api_clients->elts;

    for (i = 0; i + 1 < amcf->api_clients->nelts; i++) {
        if (c[i].name.len == client->name.len
            && ngx_strncmp(c[i].name.data, client->name.data,
                           client->name.len) == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "a2f_api_client \"%V\" is declared twice",
                               &client->name);
            return NGX_CONF_ERROR;
        }

        if (c[i].key.len == client->key.len
            && ngx_strncmp(c[i].key.data, client->key.data, client->key.len)
               == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "a2f_api_client \"%V\" has the same key as "
                               "\"%V\"", &client->name, &c[i].name);
            return NGX_CONF_ERROR;
        }
    }

    return ngx_http_a2f_api_secret(cf, client);

duplicate:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "a2f_api_client \"%V\": duplicate \"%V\"",
                       &client->name, &value[i]);
    return NGX_CONF_ERROR;
}


/* the secret: the file's content without surrounding white space */

static char *
ngx_http_a2f_api_secret(ngx_conf_t *cf, ngx_http_a2f_api_client_t *client)
{
    u_char              *p, *last, buf[NGX_HTTP_A2F_SECRET_FILE_MAX + 1];
    ssize_t              n;
    ngx_fd_t             fd;
    ngx_file_t           file;
    ngx_file_info_t      fi;
    ngx_pool_cleanup_t  *cln;

    if (ngx_conf_full_name(cf->cycle, &client->secret_path, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    fd = ngx_open_file(client->secret_path.data, NGX_FILE_RDONLY,
                       NGX_FILE_OPEN, 0);

    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "a2f_api_client \"%V\": cannot open the "
                           "secret_file \"%V\"", &client->name,
                           &client->secret_path);
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&file, sizeof(ngx_file_t));
    file.fd = fd;
    file.name = client->secret_path;
    file.log = cf->log;

    n = NGX_ERROR;

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR || !ngx_is_file(&fi)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "a2f_api_client \"%V\": the secret_file \"%V\" "
                           "is not a regular file", &client->name,
                           &client->secret_path);
        goto done;
    }

    if (ngx_file_access(&fi) & (S_IRGRP | S_IROTH)) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "a2f_api_client \"%V\": the secret_file \"%V\" "
                           "can be read by other users (chmod 600 it)",
                           &client->name, &client->secret_path);
    }

    n = ngx_read_file(&file, buf, sizeof(buf), 0);

    if (n == NGX_ERROR) {
        goto done;
    }

    if (n > NGX_HTTP_A2F_SECRET_FILE_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "a2f_api_client \"%V\": the secret_file \"%V\" "
                           "is longer than %d bytes", &client->name,
                           &client->secret_path,
                           NGX_HTTP_A2F_SECRET_FILE_MAX);
        n = NGX_ERROR;
        goto done;
    }

    p = buf;
    last = buf + n;

    while (p < last && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
    {
        p++;
    }

    while (last > p && (last[-1] == ' ' || last[-1] == '\t'
                        || last[-1] == '\r' || last[-1] == '\n'))
    {
        last--;
    }

    if (last == p || last - p > A2F_JWT_SECRET_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "a2f_api_client \"%V\": the secret_file \"%V\" "
                           "must hold 1 to %d bytes besides white space",
                           &client->name, &client->secret_path,
                           A2F_JWT_SECRET_MAX);
        n = NGX_ERROR;
        goto done;
    }

    if (last - p < 16) {
        ngx_conf_log_error(NGX_LOG_WARN, cf, 0,
                           "a2f_api_client \"%V\": the secret in \"%V\" is "
                           "short (%d bytes); 32 random bytes or more are "
                           "safer", &client->name, &client->secret_path,
                           (int) (last - p));
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        n = NGX_ERROR;
        goto done;
    }

    client->secret.len = last - p;
    client->secret.data = ngx_pnalloc(cf->pool, client->secret.len);
    if (client->secret.data == NULL) {
        n = NGX_ERROR;
        goto done;
    }

    ngx_memcpy(client->secret.data, p, client->secret.len);

    cln->handler = ngx_http_a2f_api_secret_cleanup;
    cln->data = &client->secret;

done:

    ngx_explicit_memzero(buf, sizeof(buf));

    if (ngx_close_file(fd) == NGX_FILE_ERROR) {
        ngx_conf_log_error(NGX_LOG_ALERT, cf, ngx_errno,
                           ngx_close_file_n " \"%V\" failed",
                           &client->secret_path);
    }

    return n == NGX_ERROR ? NGX_CONF_ERROR : NGX_CONF_OK;
}


static void
ngx_http_a2f_api_secret_cleanup(void *data)
{
    ngx_str_t  *secret = data;

    if (secret->data) {
        ngx_explicit_memzero(secret->data, secret->len);
    }
}


/* an appId: an https URL (a2f_u2f_origin() reads it); made NUL-ended */

static char *
ngx_http_a2f_api_appid_check(ngx_conf_t *cf, ngx_str_t *appid,
    const char *directive)
{
    u_char  *p;
    char     origin[A2F_U2F_ORIGIN_MAX + 1];

    p = ngx_pnalloc(cf->pool, appid->len + 1);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(p, appid->data, appid->len);
    p[appid->len] = '\0';
    appid->data = p;

    if (appid->len == 0 || appid->len > A2F_SECKEY_APPID_MAX
        || ngx_strlen(p) != appid->len
        || a2f_u2f_origin((char *) p, origin, sizeof(origin)) != A2F_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "%s \"%V\" is not an https URL like "
                           "\"https://app.example.com\" (the FIDO U2F "
                           "appId: the origin of the pages that call "
                           "u2f.sign)", directive, appid);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_a2f_api_key_ok(ngx_str_t *key)
{
    ngx_uint_t  i;

    if (key->len == 0 || key->len > A2F_API_KEY_MAX) {
        return NGX_ERROR;
    }

    for (i = 0; i < key->len; i++) {
        if (key->data[i] < 0x21 || key->data[i] > 0x7e
            || key->data[i] == ':')
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* the client with this apiKey (by_name 0) or name (by_name 1), or NULL */

ngx_http_a2f_api_client_t *
ngx_http_a2f_api_client_find(ngx_http_a2f_main_conf_t *amcf, u_char *key,
    size_t len, ngx_uint_t by_name)
{
    ngx_str_t                  *s;
    ngx_uint_t                  i;
    ngx_http_a2f_api_client_t  *c;

    if (amcf->api_clients == NULL) {
        return NULL;
    }

    c = amcf->api_clients->elts;

    for (i = 0; i < amcf->api_clients->nelts; i++) {
        s = by_name ? &c[i].name : &c[i].key;

        if (s->len == len && ngx_strncmp(s->data, key, len) == 0) {
            return &c[i];
        }
    }

    return NULL;
}


/* Is the request's address in the client's allow= list?  NGX_OK: yes. */

ngx_int_t
ngx_http_a2f_api_client_allowed(ngx_http_request_t *r,
    ngx_http_a2f_api_client_t *client)
{
    if (client->allow == NULL) {
        return NGX_OK;
    }

    if (ngx_cidr_match(r->connection->sockaddr, client->allow) == NGX_OK) {
        return NGX_OK;
    }

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "a2f: api client \"%V\" refused from %V: not in its "
                  "allow= list", &client->name, &r->connection->addr_text);

    return NGX_DECLINED;
}
