
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * ngx_http_a2f_api.h: a request of the auth2factor API, shared by its
 * HTTP side (ngx_http_a2f_api.c, the event loop) and its work in the
 * thread pool (ngx_http_a2f_api_job.c, nginx-free).
 */


#ifndef _NGX_HTTP_A2F_API_H_INCLUDED_
#define _NGX_HTTP_A2F_API_H_INCLUDED_


#include "ngx_http_a2f_module.h"
#include "a2f_apitoken.h"
#include "a2f_jwt.h"
#include "a2f_u2f.h"


/* the endpoints, under .../api/v2/ */
#define NGX_HTTP_A2F_EP_DELEGATE      1     /* POST users/delegate        */
#define NGX_HTTP_A2F_EP_AUTHENTICATE  2     /* POST users/authenticate    */
#define NGX_HTTP_A2F_EP_OTC           3     /* POST users/otc             */
#define NGX_HTTP_A2F_EP_U2F           4     /* POST users/u2f             */
#define NGX_HTTP_A2F_EP_CHALLENGE     5     /* POST security_keys/challenge */
#define NGX_HTTP_A2F_EP_KEY_ADD       6     /* POST security_keys         */
#define NGX_HTTP_A2F_EP_KEY_LIST      7     /* GET security_keys          */
#define NGX_HTTP_A2F_EP_KEY_DEL       8     /* DELETE security_keys/{id}  */

#define NGX_HTTP_A2F_API_WHY          160
#define NGX_HTTP_A2F_API_DESC_MAX     256   /* description bytes read     */
#define NGX_HTTP_A2F_API_ID_MAX       1400  /* {id} bytes: base64url of   */
                                            /* a COSE key or key handle   */
#define NGX_HTTP_A2F_API_REG_TTL      300   /* registration challenge, s  */


typedef struct {
    ngx_uint_t                 endpoint;
    char                       client[A2F_APITOKEN_CLIENT_MAX + 1];
    char                       appid[A2F_SECKEY_APPID_MAX + 1]; /* "": none */
    a2f_apitoken_t             token;       /* the caller's, decoded      */
    a2f_jwt_claims_t          *claims;      /* the client's JWT, or NULL  */
    unsigned                   tries;       /* of a new temporary token   */
    int64_t                    ttl;         /* of a new temporary token   */

    /* from the body or the path */
    char                       client_data[A2F_U2F_CLIENT_DATA_MAX + 1];
    size_t                     client_data_len;
    char                       data[A2F_U2F_REG_DATA_MAX + 1];
    size_t                     data_len;    /* signature or registration */
    char                       description[NGX_HTTP_A2F_API_DESC_MAX + 1];
    size_t                     description_len;
    char                       id[NGX_HTTP_A2F_API_ID_MAX + 1];
    size_t                     id_len;

    /* out */
    int                        rc;
    unsigned                   unauthorized;  /* the token failed: 401   */
    char                       why[NGX_HTTP_A2F_API_WHY];
    uint8_t                    token_id[A2F_APITOKEN_ID_LEN];
    uint8_t                    challenge[A2F_CHALLENGE_LEN];
    char                      *json;        /* malloc()ed: sign requests, */
                                            /* or the list of keys        */
    char                       group[A2F_GROUP_MAX + 1];
    char                       key_name[A2F_DEVICE_MAX + 1];
} ngx_http_a2f_api_job_t;


#endif /* _NGX_HTTP_A2F_API_H_INCLUDED_ */
