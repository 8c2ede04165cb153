
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * ngx_http_a2f_api.c: the auth2factor-compatible JSON API, the HTTP side
 * (../shared/design/AUTH2FACTOR-API.md).  Under a location with a2f_api
 * (or the portal's, then under api/), the path ends in v2/<endpoint>:
 *
 *   POST   users/delegate          apiKey:JWT    temporary token (5 min,
 *                                                1 try), sign requests
 *   POST   users/authenticate      password      the same (13 min, 3)
 *   POST   users/otc               temporary     a bearer (24 h)
 *   POST   users/u2f               temporary     a bearer
 *   POST   security_keys/challenge bearer        a U2F registration
 *   POST   security_keys           bearer        register a key
 *   GET    security_keys           bearer        list the keys
 *   DELETE security_keys/{id}      bearer        remove a key
 *
 * Tokens travel in lower-case response headers; errors are JSON
 * {"statusCode", "error", "message"}.  Everything that touches the
 * database runs in the thread pool (ngx_http_a2f_api_job.c); the MACs of
 * tokens and JWTs are checked here, before that.
 */


#include "ngx_http_a2f_api.h"
#include "a2f_api_json.h"
#include "a2f_jwt.h"
#include "a2f_text.h"

#include <stdlib.h>


static ngx_int_t ngx_http_a2f_api_endpoint(ngx_http_request_t *r,
    ngx_http_a2f_api_job_t *aj);
static void ngx_http_a2f_api_body_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_a2f_api_request(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *body);
static ngx_int_t ngx_http_a2f_api_client_auth(ngx_http_request_t *r,
    ngx_http_a2f_api_job_t *aj, ngx_uint_t optional);
static ngx_int_t ngx_http_a2f_api_token_auth(ngx_http_request_t *r,
    ngx_http_a2f_api_job_t *aj, int kind);
static ngx_int_t ngx_http_a2f_api_set_client(ngx_http_request_t *r,
    ngx_http_a2f_api_job_t *aj, ngx_http_a2f_api_client_t *client);
static ngx_int_t ngx_http_a2f_api_body(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *body);
static ngx_int_t ngx_http_a2f_api_make_token(ngx_http_request_t *r,
    a2f_apitoken_t *t, ngx_str_t *out);
static ngx_int_t ngx_http_a2f_api_header(ngx_http_request_t *r,
    const char *name, u_char *value, size_t len);
static ngx_int_t ngx_http_a2f_api_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *message);
static void ngx_http_a2f_api_cleanup(void *data);


static ngx_str_t  ngx_http_a2f_api_type =
    ngx_string("application/json; charset=utf-8");


ngx_int_t
ngx_http_a2f_api_handler(ngx_http_request_t *r)
{
    ngx_int_t                   rc;
    ngx_pool_cleanup_t         *cln;
    ngx_http_a2f_job_t         *job;
    ngx_http_a2f_api_job_t     *aj;
    ngx_http_a2f_main_conf_t   *amcf;
    ngx_http_a2f_portal_ctx_t  *ctx;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);

    if (r != r->main) {
        return NGX_HTTP_NOT_FOUND;      /* never in a subrequest */
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_a2f_portal_ctx_t));
    job = ngx_pcalloc(r->pool, sizeof(ngx_http_a2f_job_t));
    aj = ngx_pcalloc(r->pool, sizeof(ngx_http_a2f_api_job_t));
    cln = ngx_pool_cleanup_add(r->pool, 0);

    if (ctx == NULL || job == NULL || aj == NULL || cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_http_a2f_api_cleanup;
    cln->data = job;

    ctx->page = NGX_HTTP_A2F_API;
    ctx->job = job;
    ctx->body_max = A2F_API_BODY_MAX;
    job->ext = aj;

    rc = ngx_http_a2f_api_endpoint(r, aj);
    if (rc != NGX_DECLINED) {
        return rc;              /* 404, 405: answered */
    }

    if (amcf->store == NULL || amcf->mac == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "a2f: database \"%V\" is not open", &amcf->db_path);
        return ngx_http_a2f_api_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                      "The service is unavailable.");
    }

    ngx_http_set_ctx(r, ctx, ngx_http_a2f_module);

    if (r->method != NGX_HTTP_POST) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_a2f_api_request(r, ctx, NULL);
    }

    if (r->headers_in.content_length_n > (off_t) A2F_API_BODY_MAX) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: api: body of %O bytes refused (at most %d)",
                      r->headers_in.content_length_n, A2F_API_BODY_MAX);
        return ngx_http_a2f_api_error(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                      "The request body is too large.");
    }

    /* JSON, as the SDKs send it (the challenge call has no body) */

    if (aj->endpoint != NGX_HTTP_A2F_EP_CHALLENGE
        && (r->headers_in.content_type == NULL
            || r->headers_in.content_type->value.len
               < sizeof("application/json") - 1
            || ngx_strncasecmp(r->headers_in.content_type->value.data,
                               (u_char *) "application/json",
                               sizeof("application/json") - 1)
               != 0))
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: api: request without Content-Type "
                      "application/json refused");
        return ngx_http_a2f_api_error(r, NGX_HTTP_UNSUPPORTED_MEDIA_TYPE,
                   "The request body must be JSON (Content-Type: "
                   "application/json).");
    }

    rc = ngx_http_read_client_request_body(r, ngx_http_a2f_api_body_handler);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


/*
 * Which endpoint: the path after the location, and the method.
 * NGX_DECLINED: found; anything else is the answer (404, 405).
 */

static ngx_int_t
ngx_http_a2f_api_endpoint(ngx_http_request_t *r, ngx_http_a2f_api_job_t *aj)
{
    u_char                    *p;
    size_t                     len;
    ngx_uint_t                 allowed;
    const char                *allow;
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    p = r->uri.data + clcf->name.len;
    len = r->uri.len - clcf->name.len;

    if (r->uri.len < clcf->name.len) {
        len = 0;
    }

    if (len >= 4 && ngx_strncmp(p, "api/", 4) == 0) {
        p += 4;
        len -= 4;
    }

    if (len < 3 || ngx_strncmp(p, "v2/", 3) != 0) {
        goto not_found;
    }

    p += 3;
    len -= 3;

#define ngx_http_a2f_is(s)                                                   \
    (len == sizeof(s) - 1 && ngx_strncmp(p, s, sizeof(s) - 1) == 0)

    allowed = NGX_HTTP_POST;

    if (ngx_http_a2f_is("users/delegate")) {
        aj->endpoint = NGX_HTTP_A2F_EP_DELEGATE;

    } else if (ngx_http_a2f_is("users/authenticate")) {
        aj->endpoint = NGX_HTTP_A2F_EP_AUTHENTICATE;

    } else if (ngx_http_a2f_is("users/otc")) {
        aj->endpoint = NGX_HTTP_A2F_EP_OTC;

    } else if (ngx_http_a2f_is("users/u2f")) {
        aj->endpoint = NGX_HTTP_A2F_EP_U2F;

    } else if (ngx_http_a2f_is("security_keys/challenge")) {
        aj->endpoint = NGX_HTTP_A2F_EP_CHALLENGE;

    } else if (ngx_http_a2f_is("security_keys")) {
        allowed = NGX_HTTP_POST|NGX_HTTP_GET;
        aj->endpoint = (r->method == NGX_HTTP_GET) ? NGX_HTTP_A2F_EP_KEY_LIST
                                                   : NGX_HTTP_A2F_EP_KEY_ADD;

    } else if (len > sizeof("security_keys/") - 1
               && ngx_strncmp(p, "security_keys/",
                              sizeof("security_keys/") - 1) == 0)
    {
        allowed = NGX_HTTP_DELETE;
        aj->endpoint = NGX_HTTP_A2F_EP_KEY_DEL;

        p += sizeof("security_keys/") - 1;
        len -= sizeof("security_keys/") - 1;

        if (len > NGX_HTTP_A2F_API_ID_MAX || ngx_strlchr(p, p + len, '/')) {
            goto not_found;
        }

        ngx_memcpy(aj->id, p, len);
        aj->id[len] = '\0';
        aj->id_len = len;

    } else {
        goto not_found;
    }

#undef ngx_http_a2f_is

    if (r->method & allowed) {
        return NGX_DECLINED;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "a2f: api: method %V not allowed for \"%V\"",
                  &r->method_name, &r->uri);

    allow = (allowed == NGX_HTTP_DELETE) ? "DELETE"
            : (allowed & NGX_HTTP_GET) ? "GET, POST" : "POST";

    if (ngx_http_a2f_api_header(r, "Allow", (u_char *) allow,
                                ngx_strlen(allow))
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_a2f_api_error(r, NGX_HTTP_NOT_ALLOWED,
                                  "Method not allowed.");

not_found:

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "a2f: api: no endpoint \"%V\"", &r->uri);

    return ngx_http_a2f_api_error(r, NGX_HTTP_NOT_FOUND, "Not found.");
}


static void
ngx_http_a2f_api_body_handler(ngx_http_request_t *r)
{
    ngx_int_t                   rc;
    ngx_str_t                   body;
    ngx_http_a2f_portal_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_a2f_module);

    rc = ngx_http_a2f_read_body(r, ctx, &body);

    if (rc == NGX_OK) {
        rc = ngx_http_a2f_api_request(r, ctx, &body);
        ngx_explicit_memzero(body.data, body.len);

    } else if (rc == NGX_HTTP_REQUEST_ENTITY_TOO_LARGE) {
        rc = ngx_http_a2f_api_error(r, rc, "The request body is too large.");

    } else if (rc == NGX_HTTP_BAD_REQUEST) {
        rc = ngx_http_a2f_api_error(r, rc, "The request has no body.");
    }

    if (rc == NGX_DONE) {
        return;                 /* the job runs in the thread pool */
    }

    ngx_http_finalize_request(r, rc);
}


/* authenticate, read the body, then run the job */

static ngx_int_t
ngx_http_a2f_api_request(ngx_http_request_t *r,
    ngx_http_a2f_portal_ctx_t *ctx, ngx_str_t *body)
{
    ngx_int_t                rc;
    ngx_http_a2f_api_job_t  *aj;

    aj = ctx->job->ext;

    switch (aj->endpoint) {

    case NGX_HTTP_A2F_EP_DELEGATE:
        rc = ngx_http_a2f_api_client_auth(r, aj, 0);
        aj->tries = A2F_APITOKEN_DELEGATE_TRIES;
        aj->ttl = A2F_APITOKEN_DELEGATE_TTL;
        break;

    case NGX_HTTP_A2F_EP_AUTHENTICATE:
        rc = ngx_http_a2f_api_client_auth(r, aj, 1);
        aj->tries = A2F_APITOKEN_AUTH_TRIES;
        aj->ttl = A2F_APITOKEN_AUTH_TTL;
        break;

    case NGX_HTTP_A2F_EP_OTC:
    case NGX_HTTP_A2F_EP_U2F:
        rc = ngx_http_a2f_api_token_auth(r, aj, A2F_APITOKEN_TEMP);
        break;

    default:
        rc = ngx_http_a2f_api_token_auth(r, aj, A2F_APITOKEN_BEARER);
        break;
    }

    if (rc != NGX_DECLINED) {
        return rc;              /* answered: 401, 503 */
    }

    if (aj->token.user_len) {
        ngx_memcpy(ctx->job->user, aj->token.user, aj->token.user_len + 1);
        ctx->job->user_len = aj->token.user_len;
    }

    if (body != NULL) {
        rc = ngx_http_a2f_api_body(r, ctx, body);
        if (rc != NGX_DECLINED) {
            return rc;          /* answered: 400, 413 */
        }
    }

    return ngx_http_a2f_post_job(r, ctx);
}


/*
 * Authorization: Bearer <apiKey>:<JWT> of a configured client, from one
 * of its addresses, signed with its secret.  optional: no header is
 * fine (authenticate: the password authenticates), a bad one is not.
 * NGX_DECLINED: go on; anything else is the answer.
 */

static ngx_int_t
ngx_http_a2f_api_client_auth(ngx_http_request_t *r,
    ngx_http_a2f_api_job_t *aj, ngx_uint_t optional)
{
    int                         rc;
    char                        why[NGX_HTTP_A2F_API_WHY];
    size_t                      key_len, jwt_len;
    ngx_str_t                  *v;
    const char                 *key, *jwt;
    a2f_jwt_claims_t           *c;
    ngx_http_a2f_api_client_t  *client;
    ngx_http_a2f_main_conf_t   *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);

    if (r->headers_in.authorization == NULL) {
        if (optional) {
            return ngx_http_a2f_api_set_client(r, aj, NULL);
        }

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: api: request without Authorization refused");
        return ngx_http_a2f_api_error(r, NGX_HTTP_UNAUTHORIZED,
                                      "Unauthorized.");
    }

    v = &r->headers_in.authorization->value;

    if (a2f_api_bearer_split((char *) v->data, v->len, &key, &key_len, &jwt,
                             &jwt_len)
        != A2F_OK)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: api: Authorization is not \"Bearer "
                      "<apiKey>:<JWT>\"");
        return ngx_http_a2f_api_error(r, NGX_HTTP_UNAUTHORIZED,
                                      "Unauthorized.");
    }

    client = ngx_http_a2f_api_client_find(amcf, (u_char *) key, key_len, 0);

    if (client == NULL) {
        ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                      "a2f: api: unknown api key refused");
        return ngx_http_a2f_api_error(r, NGX_HTTP_UNAUTHORIZED,
                                      "Unauthorized.");
    }

    if (ngx_http_a2f_api_client_allowed(r, client) != NGX_OK) {
        return ngx_http_a2f_api_error(r, NGX_HTTP_UNAUTHORIZED,
                                      "Unauthorized.");
    }

    c = ngx_palloc(r->pool, sizeof(a2f_jwt_claims_t));
    if (c == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = a2f_jwt_verify(jwt, jwt_len, client->secret.data, client->secret.len,
                        ngx_time(), c, why, sizeof(why));

    if (rc == A2F_ERR_NOMEM || rc == A2F_ERR_CRYPTO) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "a2f: api: JWT of client \"%V\" not checked: %s",
                      &client->name, a2f_strerror(rc));
        return ngx_http_a2f_api_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                      "The service is unavailable.");
    }

    if (rc != A2F_OK) {
        ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                      "a2f: api: JWT of client \"%V\" refused: %s",
                      &client->name, why);
        return ngx_http_a2f_api_error(r, NGX_HTTP_UNAUTHORIZED,
                                      "Unauthorized.");
    }

    aj->claims = c;

    return ngx_http_a2f_api_set_client(r, aj, client);
}


/*
 * Authorization: Bearer <token> of kind; its client's addresses.
 * NGX_DECLINED: go on; anything else is the answer.
 */

static ngx_int_t
ngx_http_a2f_api_token_auth(ngx_http_request_t *r,
    ngx_http_a2f_api_job_t *aj, int kind)
{
    int                         rc;
    size_t                      len;
    u_char                     *p;
    ngx_str_t                  *v;
    ngx_http_a2f_api_client_t  *client;
    ngx_http_a2f_main_conf_t   *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);

    if (r->headers_in.authorization == NULL) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: api: request without Authorization refused");
        return ngx_http_a2f_api_error(r, NGX_HTTP_UNAUTHORIZED,
                                      "Unauthorized.");
    }

    v = &r->headers_in.authorization->value;

    if (v->len < 7 || ngx_strncasecmp(v->data, (u_char *) "Bearer ", 7) != 0)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: api: Authorization is not \"Bearer <token>\"");
        return ngx_http_a2f_api_error(r, NGX_HTTP_UNAUTHORIZED,
                                      "Unauthorized.");
    }

    p = v->data + 7;
    len = v->len - 7;

    rc = a2f_apitoken_decode(amcf->mac, (char *) p, len, ngx_time(),
                             &aj->token);

    if (rc == A2F_OK && aj->token.kind != kind) {
        rc = A2F_ERR_AUTH;
    }

    if (rc != A2F_OK) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: api: %s refused: %s",
                      kind == A2F_APITOKEN_TEMP ? "temporary token"
                                                : "bearer token",
                      rc == A2F_ERR_EXPIRED ? "expired"
                      : rc == A2F_ERR_AUTH ? "bad signature or wrong kind"
                      : a2f_strerror(rc));
        return ngx_http_a2f_api_error(r, NGX_HTTP_UNAUTHORIZED,
                   rc == A2F_ERR_EXPIRED ? "The token has expired."
                                         : "Unauthorized.");
    }

    client = NULL;

    if (aj->token.client_len) {
        client = ngx_http_a2f_api_client_find(amcf, (u_char *) aj->token.client,
                                              aj->token.client_len, 1);

        if (client == NULL) {
            ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                          "a2f: api: token of user \"%s\" refused: its "
                          "client \"%s\" is no longer configured",
                          aj->token.user, aj->token.client);
            return ngx_http_a2f_api_error(r, NGX_HTTP_UNAUTHORIZED,
                                          "Unauthorized.");
        }

        if (ngx_http_a2f_api_client_allowed(r, client) != NGX_OK) {
            return ngx_http_a2f_api_error(r, NGX_HTTP_UNAUTHORIZED,
                                          "Unauthorized.");
        }
    }

    return ngx_http_a2f_api_set_client(r, aj, client);
}


/* the client's name and the appId its keys use */

static ngx_int_t
ngx_http_a2f_api_set_client(ngx_http_request_t *r,
    ngx_http_a2f_api_job_t *aj, ngx_http_a2f_api_client_t *client)
{
    ngx_str_t                 *appid, *o;
    ngx_http_a2f_loc_conf_t   *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_http_a2f_module);

    appid = NULL;

    if (client != NULL) {
        ngx_memcpy(aj->client, client->name.data, client->name.len);
        aj->client[client->name.len] = '\0';

        if (client->appid.len) {
            appid = &client->appid;
        }
    }

    if (appid == NULL && alcf->api_appid.len) {
        appid = &alcf->api_appid;
    }

    if (appid == NULL && alcf->webauthn && alcf->origins
        && alcf->origins->nelts)
    {
        o = alcf->origins->elts;

        if (o[0].len > 8 && ngx_strncmp(o[0].data, "https://", 8) == 0) {
            appid = &o[0];      /* U2F appIds are https only */
        }
    }

    if (appid != NULL && appid->len <= A2F_SECKEY_APPID_MAX) {
        ngx_memcpy(aj->appid, appid->data, appid->len);
        aj->appid[appid->len] = '\0';
    }

    return NGX_DECLINED;
}


/* the body's members into the job; NGX_DECLINED: go on */

static ngx_int_t
ngx_http_a2f_api_body(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx,
    ngx_str_t *body)
{
    int                      rc;
    char                     why[NGX_HTTP_A2F_API_WHY];
    char                     name[NGX_HTTP_A2F_API_DESC_MAX + 1];
    size_t                   n;
    a2f_jwt_claims_t        *c;
    a2f_api_field_t          f[3];
    ngx_http_a2f_job_t      *job;
    ngx_http_a2f_api_job_t  *aj;

    job = ctx->job;
    aj = job->ext;

    ngx_memzero(f, sizeof(f));

    switch (aj->endpoint) {

    case NGX_HTTP_A2F_EP_DELEGATE:
        f[0].name = "account";
        f[0].max = NGX_HTTP_A2F_API_DESC_MAX;
        f[0].value = name;
        f[0].required = 1;
        n = 1;
        break;

    case NGX_HTTP_A2F_EP_AUTHENTICATE:
        f[0].name = "email";
        f[0].max = NGX_HTTP_A2F_API_DESC_MAX;
        f[0].value = name;
        f[1].name = "password";
        f[1].max = A2F_PASSWORD_MAX;
        f[1].value = job->password;
        f[0].required = f[1].required = 1;
        n = 2;
        break;

    case NGX_HTTP_A2F_EP_OTC:
        f[0].name = "code";
        f[0].max = sizeof(job->code) - 1;
        f[0].value = job->code;
        f[0].required = 1;
        n = 1;
        break;

    case NGX_HTTP_A2F_EP_U2F:
        f[0].name = "clientData";
        f[0].max = A2F_U2F_CLIENT_DATA_MAX;
        f[0].value = aj->client_data;
        f[1].name = "signatureData";
        f[1].max = A2F_U2F_REG_DATA_MAX;
        f[1].value = aj->data;
        f[0].required = f[1].required = 1;
        n = 2;
        break;

    case NGX_HTTP_A2F_EP_KEY_ADD:
        f[0].name = "clientData";
        f[0].max = A2F_U2F_CLIENT_DATA_MAX;
        f[0].value = aj->client_data;
        f[1].name = "registrationData";
        f[1].max = A2F_U2F_REG_DATA_MAX;
        f[1].value = aj->data;
        f[2].name = "description";
        f[2].max = NGX_HTTP_A2F_API_DESC_MAX;
        f[2].value = aj->description;
        f[0].required = f[1].required = 1;
        n = 3;
        break;

    default:
        return NGX_DECLINED;    /* challenge: a body, if any, is not read */
    }

    rc = a2f_api_json_fields((char *) body->data, body->len, f, n, why,
                             sizeof(why));

    if (rc == A2F_ERR_NOMEM) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc != A2F_OK) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: api: malformed request body refused: %s", why);
        return ngx_http_a2f_api_error(r, rc == A2F_ERR_TOOBIG
                                         ? NGX_HTTP_REQUEST_ENTITY_TOO_LARGE
                                         : NGX_HTTP_BAD_REQUEST, why);
    }

    switch (aj->endpoint) {

    case NGX_HTTP_A2F_EP_DELEGATE:
    case NGX_HTTP_A2F_EP_AUTHENTICATE:

        /* a name that cannot exist is an unknown user, said later */

        if (f[0].len <= A2F_USER_MAX
            && a2f_user_name_valid(name, f[0].len) == A2F_OK)
        {
            ngx_memcpy(job->user, name, f[0].len + 1);
            job->user_len = f[0].len;

        } else {
            ngx_memcpy(job->user, "-", 2);   /* never a name in the store */
            job->user_len = 0;
        }

        job->password_len = f[1].len;
        break;

    case NGX_HTTP_A2F_EP_OTC:
        job->code_len = f[0].len;
        break;

    case NGX_HTTP_A2F_EP_U2F:
        aj->client_data_len = f[0].len;
        aj->data_len = f[1].len;
        break;

    case NGX_HTTP_A2F_EP_KEY_ADD:
        aj->client_data_len = f[0].len;
        aj->data_len = f[1].len;
        aj->description_len = f[2].len;
        break;
    }

    /*
     * The SDKs sign the account into the JWT (email, accountRequester):
     * a JWT made for one account does not delegate another.
     */

    c = aj->claims;

    if (aj->endpoint == NGX_HTTP_A2F_EP_DELEGATE && c != NULL
        && ((c->email_len
             && (c->email_len != f[0].len
                 || ngx_strncmp(c->email, name, f[0].len) != 0))
            || (c->account_requester_len
                && (c->account_requester_len != f[0].len
                    || ngx_strncmp(c->account_requester, name, f[0].len)
                       != 0))))
    {
        ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                      "a2f: api: JWT of client \"%s\" refused: it names "
                      "another account than the request", aj->client);
        return ngx_http_a2f_api_error(r, NGX_HTTP_UNAUTHORIZED,
                                      "Unauthorized.");
    }

    return NGX_DECLINED;
}


/* Back on the event loop: the answer. */

ngx_int_t
ngx_http_a2f_api_done(ngx_http_request_t *r, ngx_http_a2f_portal_ctx_t *ctx)
{
    ngx_int_t                status;
    ngx_str_t                out, tok;
    ngx_uint_t               level;
    a2f_apitoken_t           t;
    ngx_http_a2f_job_t      *job;
    ngx_http_a2f_api_job_t  *aj;

    job = ctx->job;
    aj = job->ext;

    switch (aj->rc) {

    case A2F_OK:
        break;

    case A2F_ERR_FULL:
    case A2F_ERR_STORAGE:
    case A2F_ERR_NOMEM:
    case A2F_ERR_CRYPTO:
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "a2f: api: database error for user \"%s\": %s",
                      job->user, a2f_strerror(aj->rc));
        return ngx_http_a2f_api_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                      "The service is unavailable.");

    default:
        level = NGX_LOG_INFO;
        status = NGX_HTTP_UNAUTHORIZED;     /* a token, a code, a key */

        if (!aj->unauthorized) {
            switch (aj->endpoint) {

            case NGX_HTTP_A2F_EP_DELEGATE:
                status = NGX_HTTP_NOT_FOUND;        /* the contract's 404 */
                break;

            case NGX_HTTP_A2F_EP_AUTHENTICATE:
                status = NGX_HTTP_BAD_REQUEST;      /* one answer for all */
                break;

            case NGX_HTTP_A2F_EP_CHALLENGE:
            case NGX_HTTP_A2F_EP_KEY_ADD:
                status = NGX_HTTP_BAD_REQUEST;
                break;

            case NGX_HTTP_A2F_EP_KEY_DEL:
                status = NGX_HTTP_NOT_FOUND;
                break;
            }
        }

        if (aj->rc == A2F_ERR_LOCKED || aj->rc == A2F_ERR_REPLAY) {
            level = NGX_LOG_WARN;
        }

        ngx_log_error(level, r->connection->log, 0,
                      "a2f: api: %V of user \"%s\" refused: %s%s%s",
                      &r->uri, job->user_len ? job->user : "(unknown)",
                      a2f_strerror(aj->rc), aj->why[0] ? ": " : "",
                      aj->why);

        return ngx_http_a2f_api_error(r, status,
            status == NGX_HTTP_NOT_FOUND
            ? (aj->endpoint == NGX_HTTP_A2F_EP_KEY_DEL
               ? "No such security key." : "No such user.")
            : status == NGX_HTTP_BAD_REQUEST
            ? (aj->endpoint == NGX_HTTP_A2F_EP_AUTHENTICATE
               ? "Invalid email or password." : aj->why[0] ? aj->why
               : "Bad request.")
            : aj->rc == A2F_ERR_LOCKED
            ? "Too many failed attempts. Wait a while, then try again."
            : aj->rc == A2F_ERR_EXPIRED
            ? "The token has expired or has no tries left."
            : "Unauthorized.");
    }

    ngx_str_null(&out);

    switch (aj->endpoint) {

    case NGX_HTTP_A2F_EP_DELEGATE:
    case NGX_HTTP_A2F_EP_AUTHENTICATE:
        ngx_memzero(&t, sizeof(a2f_apitoken_t));
        t.kind = A2F_APITOKEN_TEMP;
        ngx_memcpy(t.user, job->user, job->user_len + 1);
        t.user_len = job->user_len;
        ngx_memcpy(t.id, aj->token_id, sizeof(t.id));
        t.gen = job->gen;
        t.expires = job->now + aj->ttl;
        t.client_len = ngx_strlen(aj->client);
        ngx_memcpy(t.client, aj->client, t.client_len + 1);

        if (ngx_http_a2f_api_make_token(r, &t, &tok) != NGX_OK
            || ngx_http_a2f_api_header(r, "x-app-sign-request", tok.data,
                                       tok.len)
               != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (aj->json != NULL
            && ngx_http_a2f_api_header(r, "x-u2f-sign-request",
                                       (u_char *) aj->json,
                                       ngx_strlen(aj->json))
               != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: api: user \"%s\" %s%s%s", job->user,
                      aj->endpoint == NGX_HTTP_A2F_EP_DELEGATE
                      ? "delegated by client \"" : "passed the password",
                      aj->endpoint == NGX_HTTP_A2F_EP_DELEGATE
                      ? aj->client : "",
                      aj->endpoint == NGX_HTTP_A2F_EP_DELEGATE ? "\"" : "");

        return ngx_http_a2f_send(r, NGX_HTTP_CREATED, &ngx_http_a2f_api_type,
                                 &out);

    case NGX_HTTP_A2F_EP_OTC:
    case NGX_HTTP_A2F_EP_U2F:
        ngx_memzero(&t, sizeof(a2f_apitoken_t));
        t.kind = A2F_APITOKEN_BEARER;
        ngx_memcpy(t.user, aj->token.user, aj->token.user_len + 1);
        t.user_len = aj->token.user_len;
        t.gen = aj->token.gen;
        t.expires = job->now + A2F_APITOKEN_BEARER_TTL;
        ngx_memcpy(t.client, aj->token.client, aj->token.client_len + 1);
        t.client_len = aj->token.client_len;

        if (ngx_http_a2f_api_make_token(r, &t, &tok) != NGX_OK
            || ngx_http_a2f_api_header(r, "x-app-bearer", tok.data, tok.len)
               != NGX_OK
            || ngx_http_a2f_api_header(r, "x-app-account-group",
                                       (u_char *) (aj->group[0] ? aj->group
                                                   : "default"),
                                       aj->group[0] ? ngx_strlen(aj->group)
                                                    : 7)
               != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (aj->endpoint == NGX_HTTP_A2F_EP_U2F) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "a2f: api: user \"%s\" passed the security key "
                          "\"%s\"", job->user, aj->key_name);

        } else if (job->recovery) {
            ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                          "a2f: api: user \"%s\" used a recovery code, "
                          "%ud left", job->user, job->remaining);

        } else {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "a2f: api: user \"%s\" passed the one-time code",
                          job->user);
        }

        return ngx_http_a2f_send(r, NGX_HTTP_CREATED, &ngx_http_a2f_api_type,
                                 &out);

    case NGX_HTTP_A2F_EP_CHALLENGE:
        tok.data = ngx_pnalloc(r->pool, 2 * A2F_CHALLENGE_LEN);
        if (tok.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        tok.len = a2f_b64url_encode(aj->challenge, sizeof(aj->challenge),
                                    (char *) tok.data, 2 * A2F_CHALLENGE_LEN);

        if (ngx_http_a2f_api_header(r, "x-app-u2f-version",
                                    (u_char *) A2F_U2F_VERSION,
                                    sizeof(A2F_U2F_VERSION) - 1)
            != NGX_OK
            || ngx_http_a2f_api_header(r, "x-app-u2f-appid",
                                       (u_char *) aj->appid,
                                       ngx_strlen(aj->appid))
               != NGX_OK
            || ngx_http_a2f_api_header(r, "x-app-u2f-challenge", tok.data,
                                       tok.len)
               != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_a2f_send(r, NGX_HTTP_CREATED, &ngx_http_a2f_api_type,
                                 &out);

    case NGX_HTTP_A2F_EP_KEY_ADD:
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: api: user \"%s\" registered the security key "
                      "\"%s\"", job->user, aj->key_name);

        return ngx_http_a2f_send(r, NGX_HTTP_CREATED, &ngx_http_a2f_api_type,
                                 &out);

    case NGX_HTTP_A2F_EP_KEY_DEL:
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "a2f: api: user \"%s\" removed the security key "
                      "\"%s\"", job->user, aj->key_name);

        return ngx_http_a2f_send(r, NGX_HTTP_NO_CONTENT,
                                 &ngx_http_a2f_api_type, &out);

    default: /* NGX_HTTP_A2F_EP_KEY_LIST */
        out.len = ngx_strlen(aj->json);
        out.data = ngx_pnalloc(r->pool, out.len);
        if (out.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_memcpy(out.data, aj->json, out.len);

        return ngx_http_a2f_send(r, NGX_HTTP_OK, &ngx_http_a2f_api_type,
                                 &out);
    }
}


/* a token signed with the ring's first key (the session cookie's) */

static ngx_int_t
ngx_http_a2f_api_make_token(ngx_http_request_t *r, a2f_apitoken_t *t,
    ngx_str_t *out)
{
    int                        rc;
    ngx_http_a2f_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_http_a2f_module);

    out->data = ngx_pnalloc(r->pool, A2F_APITOKEN_MAX + 1);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    if (t->kind == A2F_APITOKEN_BEARER) {
        rc = a2f_apitoken_make(amcf->mac, amcf->ring->keys[0].kid, t,
                               ngx_time(), (char *) out->data,
                               A2F_APITOKEN_MAX + 1, &out->len);

    } else {
        rc = a2f_apitoken_encode(amcf->mac, amcf->ring->keys[0].kid, t,
                                 ngx_time(), (char *) out->data,
                                 A2F_APITOKEN_MAX + 1, &out->len);
    }

    if (rc != A2F_OK) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "a2f: api: token for user \"%s\" not made: %s",
                      t->user, a2f_strerror(rc));
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* a response header, named in lower case as the contract says */

static ngx_int_t
ngx_http_a2f_api_header(ngx_http_request_t *r, const char *name,
    u_char *value, size_t len)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) name;
    h->key.len = ngx_strlen(name);
    h->value.data = ngx_pnalloc(r->pool, len);
    if (h->value.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(h->value.data, value, len);
    h->value.len = len;
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif

    return NGX_OK;
}


/* {"statusCode": status, "error": the reason phrase, "message": ...} */

static ngx_int_t
ngx_http_a2f_api_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *message)
{
    u_char     *p;
    size_t      len;
    ngx_str_t   out;
    const char *error;

    switch (status) {
    case NGX_HTTP_BAD_REQUEST:
        error = "Bad Request";
        break;
    case NGX_HTTP_UNAUTHORIZED:
        error = "Unauthorized";
        break;
    case NGX_HTTP_NOT_FOUND:
        error = "Not Found";
        break;
    case NGX_HTTP_NOT_ALLOWED:
        error = "Method Not Allowed";
        break;
    case NGX_HTTP_REQUEST_ENTITY_TOO_LARGE:
        error = "Payload Too Large";
        break;
    case NGX_HTTP_UNSUPPORTED_MEDIA_TYPE:
        error = "Unsupported Media Type";
        break;
    case NGX_HTTP_SERVICE_UNAVAILABLE:
        error = "Service Unavailable";
        break;
    default:
        error = "Internal Server Error";
        break;
    }

    if (status == NGX_HTTP_UNAUTHORIZED) {
        if (ngx_http_a2f_api_header(r, "WWW-Authenticate",
                                    (u_char *) "Bearer realm=\"a2f\"",
                                    sizeof("Bearer realm=\"a2f\"") - 1)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    len = ngx_strlen(message);

    out.data = ngx_pnalloc(r->pool, 96 + 6 * len);
    if (out.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_sprintf(out.data, "{\"statusCode\":%ui,\"error\":\"%s\","
                    "\"message\":\"", status, error);
    p += a2f_json_escape(message, len, (char *) p, 6 * len + 1);
    p = ngx_cpymem(p, "\"}\n", 3);
    out.len = p - out.data;

    return ngx_http_a2f_send(r, status, &ngx_http_a2f_api_type, &out);
}


static void
ngx_http_a2f_api_cleanup(void *data)
{
    ngx_http_a2f_job_t *job = data;

    ngx_http_a2f_api_job_t  *aj;

    aj = job->ext;

    if (aj == NULL) {
        return;
    }

    free(aj->json);
    aj->json = NULL;

    ngx_explicit_memzero(job->password, sizeof(job->password));
    ngx_explicit_memzero(job->code, sizeof(job->code));
}
