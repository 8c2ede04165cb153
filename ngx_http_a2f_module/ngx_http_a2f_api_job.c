
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * ngx_http_a2f_api_job.c: the auth2factor API's work in the thread pool
 * (ngx_http_a2f_api.c posts it): the store, the codes, the keys.  No
 * nginx calls but memory helpers; the MAC states are the event loop's
 * and are not touched here (tokens are signed back there).
 */


#include "ngx_http_a2f_api.h"
#include "a2f_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>


#define NGX_HTTP_A2F_API_PUB_TEXT  ((A2F_SECKEY_PUB_MAX * 4 + 2) / 3 + 1)
#define NGX_HTTP_A2F_API_KH_TEXT   ((A2F_SECKEY_ID_MAX * 4 + 2) / 3 + 1)


static void ngx_http_a2f_api_delegate(ngx_http_a2f_job_t *job,
    ngx_http_a2f_api_job_t *aj);
static void ngx_http_a2f_api_temp_token(ngx_http_a2f_job_t *job,
    ngx_http_a2f_api_job_t *aj);
static int ngx_http_a2f_api_sign_requests(ngx_http_a2f_job_t *job,
    ngx_http_a2f_api_job_t *aj);
static int ngx_http_a2f_api_token_user(ngx_http_a2f_job_t *job,
    ngx_http_a2f_api_job_t *aj, int kind);
static int ngx_http_a2f_api_spend(ngx_http_a2f_job_t *job,
    ngx_http_a2f_api_job_t *aj);
static void ngx_http_a2f_api_otc(ngx_http_a2f_job_t *job,
    ngx_http_a2f_api_job_t *aj);
static void ngx_http_a2f_api_u2f(ngx_http_a2f_job_t *job,
    ngx_http_a2f_api_job_t *aj);
static void ngx_http_a2f_api_challenge(ngx_http_a2f_job_t *job,
    ngx_http_a2f_api_job_t *aj);
static void ngx_http_a2f_api_key_add(ngx_http_a2f_job_t *job,
    ngx_http_a2f_api_job_t *aj);
static void ngx_http_a2f_api_key_list(ngx_http_a2f_job_t *job,
    ngx_http_a2f_api_job_t *aj);
static void ngx_http_a2f_api_key_del(ngx_http_a2f_job_t *job,
    ngx_http_a2f_api_job_t *aj);
static void ngx_http_a2f_api_key_name(const char *desc, size_t len,
    unsigned n, char name[A2F_DEVICE_MAX + 1]);
static size_t ngx_http_a2f_api_pubkey_text(const a2f_seckey_t *k,
    char *out, size_t outsz);
static int ngx_http_a2f_api_keys(ngx_http_a2f_job_t *job,
    a2f_seckey_t **keys, unsigned *n);
static void ngx_http_a2f_api_why(ngx_http_a2f_api_job_t *aj,
    const char *why);


void
ngx_http_a2f_api_run(ngx_http_a2f_job_t *job)
{
    ngx_http_a2f_api_job_t  *aj;

    aj = job->ext;

    switch (aj->endpoint) {

    case NGX_HTTP_A2F_EP_DELEGATE:
        ngx_http_a2f_api_delegate(job, aj);
        break;

    case NGX_HTTP_A2F_EP_AUTHENTICATE:
        if (job->user_len == 0) {
            aj->rc = A2F_ERR_INVALID;
            ngx_http_a2f_api_why(aj, "not a valid user name");
            break;
        }

        ngx_http_a2f_password_run(job);
        aj->rc = job->rc;

        if (aj->rc == A2F_OK) {
            ngx_http_a2f_api_temp_token(job, aj);
        }

        break;

    case NGX_HTTP_A2F_EP_OTC:
        ngx_http_a2f_api_otc(job, aj);
        break;

    case NGX_HTTP_A2F_EP_U2F:
        ngx_http_a2f_api_u2f(job, aj);
        break;

    case NGX_HTTP_A2F_EP_CHALLENGE:
        ngx_http_a2f_api_challenge(job, aj);
        break;

    case NGX_HTTP_A2F_EP_KEY_ADD:
        ngx_http_a2f_api_key_add(job, aj);
        break;

    case NGX_HTTP_A2F_EP_KEY_LIST:
        ngx_http_a2f_api_key_list(job, aj);
        break;

    default: /* NGX_HTTP_A2F_EP_KEY_DEL */
        ngx_http_a2f_api_key_del(job, aj);
        break;
    }

    ERR_clear_error();          /* a refused key leaves OpenSSL errors */
}


/* delegate: an active user by name; no password, the client vouches */

static void
ngx_http_a2f_api_delegate(ngx_http_a2f_job_t *job,
    ngx_http_a2f_api_job_t *aj)
{
    a2f_user_t  u;

    if (job->user_len == 0) {
        aj->rc = A2F_ERR_NOTFOUND;
        ngx_http_a2f_api_why(aj, "not a valid user name");
        return;
    }

    aj->rc = a2f_store_user_get(job->store, job->user, job->user_len, &u);

    if (aj->rc != A2F_OK) {
        return;
    }

    ngx_explicit_memzero(u.pwhash, sizeof(u.pwhash));

    if (u.flags & A2F_USER_DISABLED) {
        aj->rc = A2F_ERR_DISABLED;
        return;
    }

    job->gen = u.gen;

    ngx_http_a2f_api_temp_token(job, aj);
}


/* a new temporary token's record of tries, and the sign requests */

static void
ngx_http_a2f_api_temp_token(ngx_http_a2f_job_t *job,
    ngx_http_a2f_api_job_t *aj)
{
    aj->rc = a2f_random(aj->token_id, sizeof(aj->token_id));

    if (aj->rc == A2F_OK) {
        aj->rc = a2f_store_apitoken_new(job->store, job->user, job->user_len,
                                        aj->token_id, aj->tries,
                                        job->now + aj->ttl, job->now);
    }

    if (aj->rc == A2F_OK) {
        aj->rc = ngx_http_a2f_api_sign_requests(job, aj);
    }
}


/*
 * X-U2F-SIGN-REQUEST: one {"version","appId","challenge","keyHandle"}
 * per key registered through U2F (it has an appId; that of the client,
 * when one is configured), not blocked; one challenge for all, kept
 * until the temporary token expires.  No such key: no header (json
 * stays NULL).
 */

static int
ngx_http_a2f_api_sign_requests(ngx_http_a2f_job_t *job,
    ngx_http_a2f_api_job_t *aj)
{
    int            rc;
    char          *p, *end, ch[2 * A2F_CHALLENGE_LEN];
    char           kh[NGX_HTTP_A2F_API_KH_TEXT];
    unsigned       n, i, m;
    int64_t        ttl;
    a2f_seckey_t  *keys, *k;

    rc = ngx_http_a2f_api_keys(job, &keys, &n);
    if (rc != A2F_OK) {
        return rc;
    }

    m = 0;

    for (i = 0; i < n; i++) {
        k = &keys[i];

        if (k->appid[0] && !(k->flags & A2F_SECKEY_CLONED)
            && (aj->appid[0] == '\0' || strcmp(k->appid, aj->appid) == 0))
        {
            keys[m++] = *k;
        }
    }

    if (m == 0) {
        goto done;
    }

    ttl = ngx_min(aj->ttl, A2F_CHALLENGE_TTL_MAX);

    rc = a2f_store_challenge_new(job->store, job->user, job->user_len,
                                 A2F_CHALLENGE_U2F_SIGN, job->now + ttl,
                                 job->now, aj->challenge);
    if (rc != A2F_OK) {
        goto done;
    }

    (void) a2f_b64url_encode(aj->challenge, sizeof(aj->challenge), ch,
                             sizeof(ch));

    aj->json = malloc(m * (128 + 6 * A2F_SECKEY_APPID_MAX + sizeof(ch)
                           + sizeof(kh)) + 3);
    if (aj->json == NULL) {
        rc = A2F_ERR_NOMEM;
        goto done;
    }

    p = aj->json;
    end = p + m * (128 + 6 * A2F_SECKEY_APPID_MAX + sizeof(ch) + sizeof(kh))
          + 3;
    *p++ = '[';

    for (i = 0; i < m; i++) {
        (void) a2f_b64url_encode(keys[i].cred_id, keys[i].cred_id_len, kh,
                                 sizeof(kh));

        p += snprintf(p, end - p, "%s{\"version\":\"" A2F_U2F_VERSION
                      "\",\"appId\":\"", i ? "," : "");
        p += a2f_json_escape(keys[i].appid, strlen(keys[i].appid), p,
                             end - p);
        p += snprintf(p, end - p, "\",\"challenge\":\"%s\","
                      "\"keyHandle\":\"%s\"}", ch, kh);
    }

    *p++ = ']';
    *p = '\0';

done:

    free(keys);

    return rc;
}


/*
 * The caller's token against its user: the user exists, is active, and
 * has the token's generation.  Else the answer is 401.
 */

static int
ngx_http_a2f_api_token_user(ngx_http_a2f_job_t *job,
    ngx_http_a2f_api_job_t *aj, int kind)
{
    int         rc;
    a2f_user_t  u;

    rc = a2f_store_user_get(job->store, job->user, job->user_len, &u);

    if (rc == A2F_ERR_NOTFOUND) {
        aj->unauthorized = 1;
        ngx_http_a2f_api_why(aj, "the token's user no longer exists");
        return rc;
    }

    if (rc != A2F_OK) {
        return rc;
    }

    ngx_explicit_memzero(u.pwhash, sizeof(u.pwhash));

    if (u.flags & A2F_USER_DISABLED) {
        aj->unauthorized = 1;
        return A2F_ERR_DISABLED;
    }

    rc = a2f_apitoken_check(&aj->token, kind, u.gen);

    if (rc != A2F_OK) {
        aj->unauthorized = 1;
        ngx_http_a2f_api_why(aj, rc == A2F_ERR_EXPIRED
                                 ? "the user's tokens were revoked"
                                 : "a token of the wrong kind");
        return rc;
    }

    job->gen = u.gen;
    job->flags = u.flags;

    return A2F_OK;
}


/* one try of the temporary token, before anything is checked */

static int
ngx_http_a2f_api_spend(ngx_http_a2f_job_t *job, ngx_http_a2f_api_job_t *aj)
{
    int       rc;
    unsigned  left;

    rc = ngx_http_a2f_api_token_user(job, aj, A2F_APITOKEN_TEMP);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_store_apitoken_try(job->store, job->user, job->user_len,
                                aj->token.id, job->now, &left);

    if (rc == A2F_ERR_NOTFOUND || rc == A2F_ERR_EXPIRED) {
        ngx_http_a2f_api_why(aj, "the temporary token has no tries left, "
                                 "was used, or has expired");
        return A2F_ERR_EXPIRED;
    }

    return rc;
}


/* users/otc: a one-time or recovery code, as on the portal */

static void
ngx_http_a2f_api_otc(ngx_http_a2f_job_t *job, ngx_http_a2f_api_job_t *aj)
{
    size_t  glen;

    aj->rc = ngx_http_a2f_api_spend(job, aj);
    if (aj->rc != A2F_OK) {
        return;
    }

    ngx_http_a2f_code_run(job);
    aj->rc = job->rc;

    switch (aj->rc) {

    case A2F_OK:
        break;

    case A2F_ERR_REPLAY:
        ngx_http_a2f_api_why(aj, "the code was used already");
        return;

    case A2F_ERR_NOTFOUND:
        ngx_http_a2f_api_why(aj, job->recovery
                                 ? "no such recovery code"
                                 : "the user has no authenticator app");
        return;

    case A2F_ERR_INVALID:
        ngx_http_a2f_api_why(aj, "the code is not 6 or 8 digits");
        return;

    default:
        return;
    }

    (void) a2f_store_apitoken_del(job->store, job->user, job->user_len,
                                  aj->token.id);

    aj->rc = a2f_store_user_group_get(job->store, job->user, job->user_len,
                                      aj->group, &glen);
}


/* users/u2f: a raw U2F sign response, from one of the user's keys */

static void
ngx_http_a2f_api_u2f(ngx_http_a2f_job_t *job, ngx_http_a2f_api_job_t *aj)
{
    int            rc;
    char           why[NGX_HTTP_A2F_API_WHY];
    size_t         glen, n8;
    uint8_t        sig[A2F_U2F_SIG_DATA_MAX];
    unsigned       n, i;
    uint32_t       count;
    a2f_seckey_t  *keys, *k;

    keys = NULL;
    k = NULL;
    why[0] = '\0';

    aj->rc = ngx_http_a2f_api_spend(job, aj);
    if (aj->rc != A2F_OK) {
        return;
    }

    aj->rc = a2f_store_locked(job->store, &job->lockout, job->user,
                              job->user_len, job->addr, job->now);
    if (aj->rc != A2F_OK) {
        return;
    }

    aj->rc = a2f_store_challenge_take(job->store, job->user, job->user_len,
                                      A2F_CHALLENGE_U2F_SIGN, job->now,
                                      aj->challenge);

    if (aj->rc == A2F_ERR_NOTFOUND || aj->rc == A2F_ERR_EXPIRED) {
        ngx_http_a2f_api_why(aj, "no sign request is pending: delegate or "
                                 "authenticate again");
        aj->rc = A2F_ERR_EXPIRED;
        return;
    }

    if (aj->rc != A2F_OK) {
        return;
    }

    aj->rc = ngx_http_a2f_api_keys(job, &keys, &n);
    if (aj->rc != A2F_OK) {
        return;
    }

    /* the signature tells which key: try each of the client's appId */

    rc = A2F_ERR_AUTH;
    ngx_http_a2f_api_why(aj, "no security key of the user for this appId");

    for (i = 0; i < n; i++) {
        if (keys[i].appid[0] == '\0'
            || (aj->appid[0] && strcmp(keys[i].appid, aj->appid) != 0))
        {
            continue;
        }

        rc = a2f_u2f_authenticate(aj->client_data, aj->client_data_len,
                                  aj->data, aj->data_len, keys[i].appid,
                                  aj->challenge, sizeof(aj->challenge),
                                  keys[i].pubkey, keys[i].pubkey_len,
                                  keys[i].sign_count, &count, why,
                                  sizeof(why));

        ngx_http_a2f_api_why(aj, why);

        if (rc == A2F_OK || rc == A2F_ERR_REPLAY) {
            k = &keys[i];
            break;
        }

        if (rc == A2F_ERR_INVALID || rc == A2F_ERR_NOMEM
            || rc == A2F_ERR_CRYPTO)
        {
            break;      /* the response itself is bad: so for every key */
        }
    }

    if (rc == A2F_ERR_NOMEM || rc == A2F_ERR_CRYPTO) {
        aj->rc = rc;
        goto done;
    }

    if (k == NULL) {
        (void) a2f_store_seckey_fail(job->store, &job->lockout, job->user,
                                     job->user_len, job->addr, "u2f",
                                     job->now);
        aj->rc = (rc == A2F_ERR_INVALID) ? A2F_ERR_INVALID : A2F_ERR_AUTH;
        goto done;
    }

    ngx_cpystrn((u_char *) aj->key_name, (u_char *) k->name,
                sizeof(aj->key_name));

    if (rc == A2F_ERR_REPLAY) {
        /* a good signature, a counter that did not grow: the store flags */

        if (a2f_u2f_b64_decode(aj->data, aj->data_len, sig, sizeof(sig), &n8)
            != A2F_OK || n8 < 5)
        {
            aj->rc = A2F_ERR_AUTH;
            goto done;
        }

        count = ((uint32_t) sig[1] << 24) | ((uint32_t) sig[2] << 16)
                | ((uint32_t) sig[3] << 8) | sig[4];
    }

    aj->rc = a2f_store_seckey_use(job->store, &job->lockout, job->user,
                                  job->user_len, job->addr, k->cred_id,
                                  k->cred_id_len, count, job->now);

    if (aj->rc == A2F_ERR_REPLAY) {
        ngx_http_a2f_api_why(aj, "the key's signature counter did not grow: "
                                 "it may have been copied; it is blocked");
        goto done;
    }

    if (aj->rc != A2F_OK) {
        goto done;
    }

    (void) a2f_store_apitoken_del(job->store, job->user, job->user_len,
                                  aj->token.id);

    aj->rc = a2f_store_user_group_get(job->store, job->user, job->user_len,
                                      aj->group, &glen);

done:

    free(keys);
}


/* security_keys/challenge: a registration challenge for the appId */

static void
ngx_http_a2f_api_challenge(ngx_http_a2f_job_t *job,
    ngx_http_a2f_api_job_t *aj)
{
    aj->rc = ngx_http_a2f_api_token_user(job, aj, A2F_APITOKEN_BEARER);
    if (aj->rc != A2F_OK) {
        return;
    }

    if (aj->appid[0] == '\0') {
        aj->rc = A2F_ERR_INVALID;
        ngx_http_a2f_api_why(aj, "no FIDO U2F appId is configured "
                                 "(a2f_api_appid, or appid= of the client)");
        return;
    }

    aj->rc = a2f_store_challenge_new(job->store, job->user, job->user_len,
                                     A2F_CHALLENGE_U2F_REGISTER,
                                     job->now + NGX_HTTP_A2F_API_REG_TTL,
                                     job->now, aj->challenge);
}


/* security_keys POST: a raw U2F registration response */

static void
ngx_http_a2f_api_key_add(ngx_http_a2f_job_t *job, ngx_http_a2f_api_job_t *aj)
{
    char            detail[A2F_DEVICE_MAX + A2F_APITOKEN_CLIENT_MAX + 48];
    unsigned        i;
    a2f_seckey_t   *k;
    a2f_u2f_reg_t  *reg;

    aj->rc = ngx_http_a2f_api_token_user(job, aj, A2F_APITOKEN_BEARER);
    if (aj->rc != A2F_OK) {
        return;
    }

    if (aj->appid[0] == '\0') {
        aj->rc = A2F_ERR_INVALID;
        ngx_http_a2f_api_why(aj, "no FIDO U2F appId is configured");
        return;
    }

    aj->rc = a2f_store_challenge_take(job->store, job->user, job->user_len,
                                      A2F_CHALLENGE_U2F_REGISTER, job->now,
                                      aj->challenge);

    if (aj->rc == A2F_ERR_NOTFOUND || aj->rc == A2F_ERR_EXPIRED) {
        aj->rc = A2F_ERR_INVALID;
        ngx_http_a2f_api_why(aj, "no registration challenge is pending: "
                                 "call security_keys/challenge first");
        return;
    }

    if (aj->rc != A2F_OK) {
        return;
    }

    reg = malloc(sizeof(a2f_u2f_reg_t));
    k = calloc(1, sizeof(a2f_seckey_t));

    if (reg == NULL || k == NULL) {
        aj->rc = A2F_ERR_NOMEM;
        goto done;
    }

    aj->rc = a2f_u2f_register(aj->client_data, aj->client_data_len,
                              aj->data, aj->data_len, aj->appid,
                              aj->challenge, sizeof(aj->challenge), reg,
                              aj->why, sizeof(aj->why));

    if (aj->rc == A2F_ERR_AUTH) {
        aj->rc = A2F_ERR_INVALID;       /* 400, as the contract says */
    }

    if (aj->rc != A2F_OK) {
        goto done;
    }

    if (a2f_store_seckey_find(job->store, job->user, job->user_len,
                              reg->key_handle, reg->key_handle_len, NULL)
        == A2F_OK)
    {
        aj->rc = A2F_ERR_EXISTS;
        ngx_http_a2f_api_why(aj, "this security key is registered already");
        goto done;
    }

    memcpy(k->cred_id, reg->key_handle, reg->key_handle_len);
    k->cred_id_len = reg->key_handle_len;
    k->alg = reg->alg;
    memcpy(k->pubkey, reg->cose, reg->cose_len);
    k->pubkey_len = reg->cose_len;
    k->sign_count = 0;
    k->flags = A2F_SECKEY_U2F;
    k->transports = A2F_SECKEY_T_USB;
    memcpy(k->fmt, "u2f", sizeof("u2f"));
    ngx_cpystrn((u_char *) k->appid, (u_char *) aj->appid, sizeof(k->appid));

    /* the description names the key; "name 2", "name 3"... when taken */

    for (i = 1; i <= A2F_SECKEYS_MAX + 1; i++) {
        ngx_http_a2f_api_key_name(aj->description, aj->description_len, i,
                                  k->name);

        aj->rc = a2f_store_seckey_add(job->store, job->user, job->user_len, k,
                                      job->now);
        if (aj->rc != A2F_ERR_EXISTS) {
            break;
        }
    }

    if (aj->rc == A2F_ERR_TOOBIG) {
        aj->rc = A2F_ERR_INVALID;
        ngx_http_a2f_api_why(aj, "the account has the most security keys "
                                 "allowed");
        goto done;
    }

    if (aj->rc != A2F_OK) {
        goto done;
    }

    ngx_cpystrn((u_char *) aj->key_name, (u_char *) k->name,
                sizeof(aj->key_name));

    (void) snprintf(detail, sizeof(detail), "key=%s fmt=u2f by=api%s%s",
                    k->name, aj->client[0] ? " client=" : "", aj->client);

    (void) a2f_store_audit(job->store, job->now, "key_add", job->user,
                           job->user_len, job->addr, detail);

done:

    free(reg);
    free(k);
}


/* security_keys GET: {"securityKeys": [...]}, every key of the user */

static void
ngx_http_a2f_api_key_list(ngx_http_a2f_job_t *job,
    ngx_http_a2f_api_job_t *aj)
{
    char          *p, *end, pub[NGX_HTTP_A2F_API_PUB_TEXT];
    char           kh[NGX_HTTP_A2F_API_KH_TEXT], t1[32], t2[32];
    size_t         size;
    unsigned       n, i;
    time_t         t;
    struct tm      tm;
    a2f_seckey_t  *keys;

    aj->rc = ngx_http_a2f_api_token_user(job, aj, A2F_APITOKEN_BEARER);
    if (aj->rc != A2F_OK) {
        return;
    }

    aj->rc = ngx_http_a2f_api_keys(job, &keys, &n);
    if (aj->rc != A2F_OK) {
        return;
    }

    size = 32 + n * (256 + 6 * A2F_SECKEY_APPID_MAX + 2 * sizeof(pub)
                     + sizeof(kh) + 6 * A2F_DEVICE_MAX);

    aj->json = malloc(size);
    if (aj->json == NULL) {
        aj->rc = A2F_ERR_NOMEM;
        goto done;
    }

    p = aj->json;
    end = p + size;

    p += snprintf(p, end - p, "{\"securityKeys\":[");

    for (i = 0; i < n; i++) {
        (void) ngx_http_a2f_api_pubkey_text(&keys[i], pub, sizeof(pub));
        (void) a2f_b64url_encode(keys[i].cred_id, keys[i].cred_id_len, kh,
                                 sizeof(kh));

        t = (time_t) keys[i].created;
        gmtime_r(&t, &tm);
        strftime(t1, sizeof(t1), "%Y-%m-%dT%H:%M:%S.000Z", &tm);

        t = (time_t) (keys[i].last_used ? keys[i].last_used
                                        : keys[i].created);
        gmtime_r(&t, &tm);
        strftime(t2, sizeof(t2), "%Y-%m-%dT%H:%M:%S.000Z", &tm);

        p += snprintf(p, end - p, "%s{\"id\":\"%s\",\"appId\":\"",
                      i ? "," : "", pub);
        p += a2f_json_escape(keys[i].appid, strlen(keys[i].appid), p,
                             end - p);
        p += snprintf(p, end - p, "\",\"publicKey\":\"%s\",\"keyHandle\":"
                      "\"%s\",\"created\":\"%s\",\"updated\":\"%s\","
                      "\"description\":\"", pub, kh, t1, t2);
        p += a2f_json_escape(keys[i].name, strlen(keys[i].name), p, end - p);
        p += snprintf(p, end - p, "\",\"blocked\":%s}",
                      (keys[i].flags & A2F_SECKEY_CLONED) ? "true"
                                                          : "false");
    }

    (void) snprintf(p, end - p, "]}\n");

done:

    free(keys);
}


/* security_keys/{id} DELETE: {id} is its publicKey or keyHandle */

static void
ngx_http_a2f_api_key_del(ngx_http_a2f_job_t *job, ngx_http_a2f_api_job_t *aj)
{
    char           pub[NGX_HTTP_A2F_API_PUB_TEXT];
    char           kh[NGX_HTTP_A2F_API_KH_TEXT];
    char           detail[A2F_DEVICE_MAX + A2F_APITOKEN_CLIENT_MAX + 32];
    size_t         len;
    unsigned       n, i;
    a2f_seckey_t  *keys, *k;

    aj->rc = ngx_http_a2f_api_token_user(job, aj, A2F_APITOKEN_BEARER);
    if (aj->rc != A2F_OK) {
        return;
    }

    aj->rc = ngx_http_a2f_api_keys(job, &keys, &n);
    if (aj->rc != A2F_OK) {
        return;
    }

    k = NULL;

    for (i = 0; i < n && k == NULL; i++) {
        len = ngx_http_a2f_api_pubkey_text(&keys[i], pub, sizeof(pub));

        if (len == aj->id_len && memcmp(pub, aj->id, len) == 0) {
            k = &keys[i];
            break;
        }

        len = a2f_b64url_encode(keys[i].cred_id, keys[i].cred_id_len, kh,
                                sizeof(kh));

        if (len == aj->id_len && memcmp(kh, aj->id, len) == 0) {
            k = &keys[i];
        }
    }

    if (k == NULL) {
        aj->rc = A2F_ERR_NOTFOUND;
        ngx_http_a2f_api_why(aj, "no security key of the user has this id");
        goto done;
    }

    ngx_cpystrn((u_char *) aj->key_name, (u_char *) k->name,
                sizeof(aj->key_name));

    aj->rc = a2f_store_seckey_del(job->store, job->user, job->user_len,
                                  k->name, strlen(k->name));

    if (aj->rc == A2F_ERR_NOTFOUND) {
        ngx_http_a2f_api_why(aj, "the key was removed meanwhile");
        goto done;
    }

    if (aj->rc == A2F_OK) {
        (void) snprintf(detail, sizeof(detail), "key=%s by=api%s%s",
                        k->name, aj->client[0] ? " client=" : "",
                        aj->client);
        (void) a2f_store_audit(job->store, job->now, "key_del", job->user,
                               job->user_len, job->addr, detail);
    }

done:

    free(keys);
}


/*
 * A key name from a description: at most A2F_DEVICE_MAX bytes, cut at a
 * UTF-8 character, control characters as spaces, " n" added for n > 1;
 * "security key" when nothing is left.
 */

static void
ngx_http_a2f_api_key_name(const char *desc, size_t len, unsigned n,
    char name[A2F_DEVICE_MAX + 1])
{
    char     suffix[16];
    size_t   i, slen, max;

    slen = 0;

    if (n > 1) {
        slen = (size_t) snprintf(suffix, sizeof(suffix), " %u", n);
    }

    while (len > 0 && (unsigned char) desc[0] <= ' ') {
        desc++;
        len--;
    }

    while (len > 0 && (unsigned char) desc[len - 1] <= ' ') {
        len--;
    }

    if (len == 0) {
        desc = "security key";
        len = sizeof("security key") - 1;
    }

    max = A2F_DEVICE_MAX - slen;

    if (len > max) {
        len = max;

        /* not inside a UTF-8 sequence: back to a lead or ASCII byte */

        while (len > 0 && ((unsigned char) desc[len] & 0xc0) == 0x80) {
            len--;
        }
    }

    for (i = 0; i < len; i++) {
        name[i] = ((unsigned char) desc[i] < 0x20 || desc[i] == 0x7f)
                  ? ' ' : desc[i];
    }

    memcpy(name + len, suffix, slen);
    name[len + slen] = '\0';
}


/*
 * The publicKey of a key as the API shows it: the U2F form (websafe
 * base64 of 0x04 | x | y) for a P-256 key stored as the canonical
 * COSE_Key, else the COSE_Key's bytes.
 */

static size_t
ngx_http_a2f_api_pubkey_text(const a2f_seckey_t *k, char *out,
    size_t outsz)
{
    uint8_t  point[A2F_U2F_POINT_LEN];

    static const uint8_t  head[] = {
        0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20
    };

    if (k->alg == -7 && k->pubkey_len == A2F_U2F_COSE_LEN
        && memcmp(k->pubkey, head, sizeof(head)) == 0
        && k->pubkey[42] == 0x22 && k->pubkey[43] == 0x58
        && k->pubkey[44] == 0x20)
    {
        point[0] = 0x04;
        memcpy(point + 1, k->pubkey + 10, 32);
        memcpy(point + 33, k->pubkey + 45, 32);

        return a2f_b64url_encode(point, sizeof(point), out, outsz);
    }

    return a2f_b64url_encode(k->pubkey, k->pubkey_len, out, outsz);
}


/* the user's security keys, in a malloc()ed array (free() it) */

static int
ngx_http_a2f_api_keys(ngx_http_a2f_job_t *job, a2f_seckey_t **keys,
    unsigned *n)
{
    int  rc;

    *keys = malloc(A2F_SECKEYS_MAX * sizeof(a2f_seckey_t));
    if (*keys == NULL) {
        return A2F_ERR_NOMEM;
    }

    rc = a2f_store_seckey_list(job->store, job->user, job->user_len, *keys,
                               A2F_SECKEYS_MAX, n);
    if (rc != A2F_OK) {
        free(*keys);
        *keys = NULL;
    }

    return rc;
}


static void
ngx_http_a2f_api_why(ngx_http_a2f_api_job_t *aj, const char *why)
{
    ngx_cpystrn((u_char *) aj->why, (u_char *) why, sizeof(aj->why));
}
