
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_cose.c: bounded CBOR over libcbor, and COSE_Key public keys as
 * libfido2 keys.
 */


#include <stdio.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <fido.h>
#include <fido/es256.h>
#include <fido/eddsa.h>
#include <fido/rs256.h>

#include "a2f_cose.h"


#define A2F_COSE_PAIRS_MAX   16


/* the state of a2f_cbor_check()'s walk */
typedef struct {
    size_t    left[A2F_CBOR_DEPTH_MAX];  /* items due in each open level */
    unsigned  depth;
    unsigned  maxdepth;
    size_t    avail;                     /* bytes from this head on      */
    int       bad;
    int       done;
} a2f_cbor_walk_t;


static void a2f_cbor_walk_item(a2f_cbor_walk_t *w);
static void a2f_cbor_walk_open(a2f_cbor_walk_t *w, size_t n, size_t per);
static void a2f_cbor_cb_u8(void *ctx, uint8_t v);
static void a2f_cbor_cb_u16(void *ctx, uint16_t v);
static void a2f_cbor_cb_u32(void *ctx, uint32_t v);
static void a2f_cbor_cb_u64(void *ctx, uint64_t v);
static void a2f_cbor_cb_bytes(void *ctx, cbor_data data, size_t len);
static void a2f_cbor_cb_text(void *ctx, cbor_data data, size_t len);
static void a2f_cbor_cb_array(void *ctx, size_t n);
static void a2f_cbor_cb_map(void *ctx, size_t n);
static void a2f_cbor_cb_simple(void *ctx);
static void a2f_cbor_cb_bad(void *ctx);
static void a2f_cbor_cb_tag(void *ctx, uint64_t v);
static void a2f_cbor_cb_float(void *ctx, float v);
static void a2f_cbor_cb_double(void *ctx, double v);
static void a2f_cbor_cb_bool(void *ctx, bool v);
static int a2f_cbor_utf8_valid(const uint8_t *p, size_t len);
static int a2f_cbor_key_eq(const cbor_item_t *a, const cbor_item_t *b);
static int a2f_cbor_key_order(const cbor_item_t *prev,
    const cbor_item_t *curr);
static int a2f_cose_es256(const cbor_item_t *map, a2f_cose_key_t *key,
    char *why, size_t whysz);
static int a2f_cose_eddsa(const cbor_item_t *map, a2f_cose_key_t *key,
    char *why, size_t whysz);
static int a2f_cose_rs256(const cbor_item_t *map, a2f_cose_key_t *key,
    char *why, size_t whysz);


static const struct cbor_callbacks  a2f_cbor_walk_callbacks = {
    .uint8 = a2f_cbor_cb_u8,
    .uint16 = a2f_cbor_cb_u16,
    .uint32 = a2f_cbor_cb_u32,
    .uint64 = a2f_cbor_cb_u64,
    .negint8 = a2f_cbor_cb_u8,
    .negint16 = a2f_cbor_cb_u16,
    .negint32 = a2f_cbor_cb_u32,
    .negint64 = a2f_cbor_cb_u64,
    .byte_string_start = a2f_cbor_cb_bad,
    .byte_string = a2f_cbor_cb_bytes,
    .string = a2f_cbor_cb_text,
    .string_start = a2f_cbor_cb_bad,
    .indef_array_start = a2f_cbor_cb_bad,
    .array_start = a2f_cbor_cb_array,
    .indef_map_start = a2f_cbor_cb_bad,
    .map_start = a2f_cbor_cb_map,
    .tag = a2f_cbor_cb_tag,
    .float2 = a2f_cbor_cb_float,
    .float4 = a2f_cbor_cb_float,
    .float8 = a2f_cbor_cb_double,
    .undefined = a2f_cbor_cb_simple,
    .null = a2f_cbor_cb_simple,
    .boolean = a2f_cbor_cb_bool,
    .indef_break = a2f_cbor_cb_bad
};


/* -- the walk ------------------------------------------------------------- */


/* one complete item: close every level it completes */

static void
a2f_cbor_walk_item(a2f_cbor_walk_t *w)
{
    while (w->depth > 0) {
        if (--w->left[w->depth - 1] > 0) {
            return;
        }

        w->depth--;
    }

    w->done = 1;
}


/* an array (per 1) or map (per 2) of n entries opens */

static void
a2f_cbor_walk_open(a2f_cbor_walk_t *w, size_t n, size_t per)
{
    if (n == 0) {
        a2f_cbor_walk_item(w);
        return;
    }

    /* every entry takes at least one byte */

    if (w->depth >= w->maxdepth || n > w->avail / per) {
        w->bad = 1;
        return;
    }

    w->left[w->depth++] = n * per;
}


static void
a2f_cbor_cb_u8(void *ctx, uint8_t v)
{
    a2f_cbor_walk_item(ctx);
}


static void
a2f_cbor_cb_u16(void *ctx, uint16_t v)
{
    a2f_cbor_walk_item(ctx);
}


static void
a2f_cbor_cb_u32(void *ctx, uint32_t v)
{
    a2f_cbor_walk_item(ctx);
}


static void
a2f_cbor_cb_u64(void *ctx, uint64_t v)
{
    a2f_cbor_walk_item(ctx);
}


static void
a2f_cbor_cb_bytes(void *ctx, cbor_data data, size_t len)
{
    a2f_cbor_walk_item(ctx);
}


static void
a2f_cbor_cb_text(void *ctx, cbor_data data, size_t len)
{
    a2f_cbor_walk_t  *w = ctx;

    if (!a2f_cbor_utf8_valid(data, len)) {
        w->bad = 1;
        return;
    }

    a2f_cbor_walk_item(w);
}


static void
a2f_cbor_cb_array(void *ctx, size_t n)
{
    a2f_cbor_walk_open(ctx, n, 1);
}


static void
a2f_cbor_cb_map(void *ctx, size_t n)
{
    a2f_cbor_walk_open(ctx, n, 2);
}


static void
a2f_cbor_cb_simple(void *ctx)
{
    a2f_cbor_walk_item(ctx);
}


static void
a2f_cbor_cb_bad(void *ctx)
{
    a2f_cbor_walk_t  *w = ctx;

    w->bad = 1;
}


static void
a2f_cbor_cb_tag(void *ctx, uint64_t v)
{
    a2f_cbor_walk_t  *w = ctx;

    w->bad = 1;
}


static void
a2f_cbor_cb_float(void *ctx, float v)
{
    a2f_cbor_walk_item(ctx);
}


static void
a2f_cbor_cb_double(void *ctx, double v)
{
    a2f_cbor_walk_item(ctx);
}


static void
a2f_cbor_cb_bool(void *ctx, bool v)
{
    a2f_cbor_walk_item(ctx);
}


static int
a2f_cbor_utf8_valid(const uint8_t *p, size_t len)
{
    size_t    i, n, k;
    uint32_t  c, min;

    for (i = 0; i < len; i += n) {
        c = p[i];

        if (c < 0x80) {
            n = 1;
            continue;
        }

        if ((c & 0xe0) == 0xc0) {
            n = 2;
            c &= 0x1f;
            min = 0x80;

        } else if ((c & 0xf0) == 0xe0) {
            n = 3;
            c &= 0x0f;
            min = 0x800;

        } else if ((c & 0xf8) == 0xf0) {
            n = 4;
            c &= 0x07;
            min = 0x10000;

        } else {
            return 0;
        }

        if (n > len - i) {
            return 0;
        }

        for (k = 1; k < n; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                return 0;
            }

            c = (c << 6) | (p[i + k] & 0x3f);
        }

        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
            return 0;
        }
    }

    return 1;
}


int
a2f_cbor_check(const uint8_t *buf, size_t len, unsigned maxdepth,
    size_t *used)
{
    size_t                      pos;
    a2f_cbor_walk_t             w;
    struct cbor_decoder_result  r;

    if (buf == NULL) {
        return A2F_ERR_INVALID;
    }

    memset(&w, 0, sizeof(w));
    w.maxdepth = maxdepth < A2F_CBOR_DEPTH_MAX ? maxdepth
                                                : A2F_CBOR_DEPTH_MAX;
    pos = 0;

    while (!w.done) {

        if (pos >= len) {
            return A2F_ERR_INVALID;
        }

        /* one head (and a definite string's bytes) per call */

        w.avail = len - pos;
        r = cbor_stream_decode(buf + pos, len - pos,
                               &a2f_cbor_walk_callbacks, &w);

        if (r.status != CBOR_DECODER_FINISHED || r.read == 0
            || r.read > len - pos || w.bad)
        {
            return A2F_ERR_INVALID;
        }

        pos += r.read;
    }

    if (used != NULL) {
        *used = pos;
    }

    return A2F_OK;
}


int
a2f_cbor_load(const uint8_t *buf, size_t len, unsigned maxdepth,
    cbor_item_t **item, size_t *used)
{
    size_t                   n;
    cbor_item_t             *it;
    struct cbor_load_result  res;

    *item = NULL;

    if (a2f_cbor_check(buf, len, maxdepth, &n) != A2F_OK) {
        return A2F_ERR_INVALID;
    }

    if (used == NULL && n != len) {
        return A2F_ERR_INVALID;
    }

    it = cbor_load(buf, n, &res);

    if (it == NULL) {
        return res.error.code == CBOR_ERR_MEMERROR ? A2F_ERR_NOMEM
                                                   : A2F_ERR_INVALID;
    }

    if (res.read != n) {
        cbor_decref(&it);
        return A2F_ERR_INVALID;
    }

    if (used != NULL) {
        *used = n;
    }

    *item = it;

    return A2F_OK;
}


/* -- maps and values ------------------------------------------------------ */


static int
a2f_cbor_key_eq(const cbor_item_t *a, const cbor_item_t *b)
{
    size_t  n;

    if (cbor_typeof(a) != cbor_typeof(b)) {
        return 0;
    }

    switch (cbor_typeof(a)) {

    case CBOR_TYPE_UINT:
    case CBOR_TYPE_NEGINT:
        return cbor_get_int(a) == cbor_get_int(b);

    case CBOR_TYPE_STRING:
        if (!cbor_string_is_definite(a) || !cbor_string_is_definite(b)) {
            return 0;
        }

        n = cbor_string_length(a);

        return n == cbor_string_length(b)
               && (n == 0 || memcmp(cbor_string_handle(a),
                                    cbor_string_handle(b), n) == 0);

    case CBOR_TYPE_BYTESTRING:
        if (!cbor_bytestring_is_definite(a)
            || !cbor_bytestring_is_definite(b))
        {
            return 0;
        }

        n = cbor_bytestring_length(a);

        return n == cbor_bytestring_length(b)
               && (n == 0 || memcmp(cbor_bytestring_handle(a),
                                    cbor_bytestring_handle(b), n) == 0);

    default:
        return 0;
    }
}


/* libfido2's ctap_check_cbor(): curr may follow prev in a canonical map */

static int
a2f_cbor_key_order(const cbor_item_t *prev, const cbor_item_t *curr)
{
    int     c;
    size_t  pn, cn;

    if ((cbor_typeof(prev) != CBOR_TYPE_UINT
         && cbor_typeof(prev) != CBOR_TYPE_NEGINT
         && cbor_typeof(prev) != CBOR_TYPE_STRING)
        || (cbor_typeof(curr) != CBOR_TYPE_UINT
            && cbor_typeof(curr) != CBOR_TYPE_NEGINT
            && cbor_typeof(curr) != CBOR_TYPE_STRING))
    {
        return 0;
    }

    if (cbor_typeof(prev) != cbor_typeof(curr)) {
        return cbor_typeof(prev) < cbor_typeof(curr);
    }

    if (cbor_typeof(curr) != CBOR_TYPE_STRING) {
        return cbor_int_get_width(curr) >= cbor_int_get_width(prev)
               && cbor_get_int(curr) > cbor_get_int(prev);
    }

    if (!cbor_string_is_definite(prev) || !cbor_string_is_definite(curr)) {
        return 0;
    }

    pn = cbor_string_length(prev);
    cn = cbor_string_length(curr);

    if (cn != pn) {
        return cn > pn;
    }

    c = cn ? memcmp(cbor_string_handle(prev), cbor_string_handle(curr), cn)
           : 0;

    return c < 0;
}


int
a2f_cbor_map_check(const cbor_item_t *map, size_t max, int canonical)
{
    size_t             i, j, n;
    struct cbor_pair  *p;

    if (map == NULL || !cbor_isa_map(map) || !cbor_map_is_definite(map)) {
        return A2F_ERR_INVALID;
    }

    n = cbor_map_size(map);

    if (n > max) {
        return A2F_ERR_INVALID;
    }

    if (n == 0) {
        return A2F_OK;
    }

    p = cbor_map_handle(map);

    for (i = 0; i < n; i++) {
        if (p[i].key == NULL || p[i].value == NULL) {
            return A2F_ERR_INVALID;
        }

        if (canonical && i > 0 && !a2f_cbor_key_order(p[i - 1].key, p[i].key))
        {
            return A2F_ERR_INVALID;
        }

        for (j = 0; j < i; j++) {
            if (a2f_cbor_key_eq(p[j].key, p[i].key)) {
                return A2F_ERR_INVALID;
            }
        }
    }

    return A2F_OK;
}


cbor_item_t *
a2f_cbor_map_str(const cbor_item_t *map, const char *key)
{
    size_t             i, n, klen;
    struct cbor_pair  *p;

    if (!cbor_isa_map(map) || cbor_map_size(map) == 0) {
        return NULL;
    }

    n = cbor_map_size(map);
    p = cbor_map_handle(map);
    klen = strlen(key);

    for (i = 0; i < n; i++) {
        if (p[i].key != NULL && cbor_isa_string(p[i].key)
            && cbor_string_is_definite(p[i].key)
            && cbor_string_length(p[i].key) == klen
            && memcmp(cbor_string_handle(p[i].key), key, klen) == 0)
        {
            return p[i].value;
        }
    }

    return NULL;
}


cbor_item_t *
a2f_cbor_map_int(const cbor_item_t *map, int64_t key)
{
    size_t             i, n;
    int64_t            v;
    struct cbor_pair  *p;

    if (!cbor_isa_map(map) || cbor_map_size(map) == 0) {
        return NULL;
    }

    n = cbor_map_size(map);
    p = cbor_map_handle(map);

    for (i = 0; i < n; i++) {
        if (p[i].key != NULL && a2f_cbor_int(p[i].key, &v) == A2F_OK
            && v == key)
        {
            return p[i].value;
        }
    }

    return NULL;
}


int
a2f_cbor_int(const cbor_item_t *item, int64_t *v)
{
    uint64_t  n;

    if (item == NULL) {
        return A2F_ERR_INVALID;
    }

    if (cbor_isa_uint(item)) {
        n = cbor_get_int(item);

        if (n > (uint64_t) INT64_MAX) {
            return A2F_ERR_INVALID;
        }

        *v = (int64_t) n;
        return A2F_OK;
    }

    if (cbor_isa_negint(item)) {
        n = cbor_get_int(item);

        if (n > (uint64_t) INT64_MAX) {
            return A2F_ERR_INVALID;
        }

        *v = -1 - (int64_t) n;
        return A2F_OK;
    }

    return A2F_ERR_INVALID;
}


const uint8_t *
a2f_cbor_bytes(const cbor_item_t *item, size_t minlen, size_t maxlen,
    size_t *len)
{
    size_t  n;

    if (item == NULL || !cbor_isa_bytestring(item)
        || !cbor_bytestring_is_definite(item))
    {
        return NULL;
    }

    n = cbor_bytestring_length(item);

    if (n < minlen || n > maxlen) {
        return NULL;
    }

    *len = n;

    /* an empty string may have no handle: any non-NULL pointer will do */

    return n ? cbor_bytestring_handle(item) : (const uint8_t *) "";
}


/* -- COSE keys ------------------------------------------------------------ */


int
a2f_cose_parse(const uint8_t *buf, size_t len, size_t *used,
    a2f_cose_key_t *key, char *why, size_t whysz)
{
    int           rc;
    int64_t       kty, alg, want;
    cbor_item_t  *map;

    key->alg = 0;
    key->pk = NULL;

    rc = a2f_cbor_load(buf, len, 2, &map, used);

    if (rc != A2F_OK) {
        a2f_why(why, whysz, "COSE key: %s",
                rc == A2F_ERR_NOMEM ? "out of memory"
                                    : "not well-formed CBOR");
        return rc;
    }

    if (a2f_cbor_map_check(map, A2F_COSE_PAIRS_MAX, 1) != A2F_OK) {
        a2f_why(why, whysz,
                "COSE key: not a canonical map without duplicates");
        rc = A2F_ERR_INVALID;
        goto done;
    }

    if (a2f_cbor_int(a2f_cbor_map_int(map, 1), &kty) != A2F_OK
        || a2f_cbor_int(a2f_cbor_map_int(map, 3), &alg) != A2F_OK)
    {
        a2f_why(why, whysz, "COSE key: no integer kty or alg");
        rc = A2F_ERR_INVALID;
        goto done;
    }

    switch (alg) {

    case A2F_COSE_ES256:
        want = 2;                       /* EC2 */
        break;

    case A2F_COSE_EDDSA:
        want = 1;                       /* OKP */
        break;

    case A2F_COSE_RS256:
        want = 3;                       /* RSA */
        break;

    default:
        a2f_why(why, whysz, "COSE key: unsupported algorithm");
        rc = A2F_ERR_INVALID;
        goto done;
    }

    if (kty != want) {
        a2f_why(why, whysz, "COSE key: kty does not match alg");
        rc = A2F_ERR_INVALID;
        goto done;
    }

    if (alg == A2F_COSE_ES256) {
        rc = a2f_cose_es256(map, key, why, whysz);

    } else if (alg == A2F_COSE_EDDSA) {
        rc = a2f_cose_eddsa(map, key, why, whysz);

    } else {
        rc = a2f_cose_rs256(map, key, why, whysz);
    }

done:

    cbor_decref(&map);

    if (rc != A2F_OK) {
        a2f_cose_free(key);
    }

    return rc;
}


static int
a2f_cose_es256(const cbor_item_t *map, a2f_cose_key_t *key, char *why,
    size_t whysz)
{
    size_t          xlen, ylen;
    int64_t         crv;
    uint8_t         point[65];
    es256_pk_t     *pk;
    const uint8_t  *x, *y;

    if (a2f_cbor_int(a2f_cbor_map_int(map, -1), &crv) != A2F_OK
        || crv != 1)
    {
        a2f_why(why, whysz, "COSE key: ES256 needs crv 1 (P-256)");
        return A2F_ERR_INVALID;
    }

    x = a2f_cbor_bytes(a2f_cbor_map_int(map, -2), 32, 32, &xlen);
    y = a2f_cbor_bytes(a2f_cbor_map_int(map, -3), 32, 32, &ylen);

    if (x == NULL || y == NULL) {
        a2f_why(why, whysz, "COSE key: ES256 x and y must be 32 bytes");
        return A2F_ERR_INVALID;
    }

    pk = es256_pk_new();

    if (pk == NULL) {
        a2f_why(why, whysz, "COSE key: out of memory");
        return A2F_ERR_NOMEM;
    }

    point[0] = 0x04;
    memcpy(point + 1, x, 32);
    memcpy(point + 33, y, 32);

    /* es256_pk_from_ptr() checks that the point is on the curve */

    if (es256_pk_from_ptr(pk, point, sizeof(point)) != FIDO_OK) {
        es256_pk_free(&pk);
        a2f_why(why, whysz, "COSE key: not a point on P-256");
        return A2F_ERR_INVALID;
    }

    key->alg = A2F_COSE_ES256;
    key->pk = pk;

    return A2F_OK;
}


static int
a2f_cose_eddsa(const cbor_item_t *map, a2f_cose_key_t *key, char *why,
    size_t whysz)
{
    size_t          xlen;
    int64_t         crv;
    eddsa_pk_t     *pk;
    const uint8_t  *x;

    if (a2f_cbor_int(a2f_cbor_map_int(map, -1), &crv) != A2F_OK
        || crv != 6)
    {
        a2f_why(why, whysz, "COSE key: EdDSA needs crv 6 (Ed25519)");
        return A2F_ERR_INVALID;
    }

    x = a2f_cbor_bytes(a2f_cbor_map_int(map, -2), 32, 32, &xlen);

    if (x == NULL) {
        a2f_why(why, whysz, "COSE key: Ed25519 x must be 32 bytes");
        return A2F_ERR_INVALID;
    }

    pk = eddsa_pk_new();

    if (pk == NULL) {
        a2f_why(why, whysz, "COSE key: out of memory");
        return A2F_ERR_NOMEM;
    }

    if (eddsa_pk_from_ptr(pk, x, xlen) != FIDO_OK) {
        eddsa_pk_free(&pk);
        a2f_why(why, whysz, "COSE key: not an Ed25519 key");
        return A2F_ERR_INVALID;
    }

    key->alg = A2F_COSE_EDDSA;
    key->pk = pk;

    return A2F_OK;
}


static int
a2f_cose_rs256(const cbor_item_t *map, a2f_cose_key_t *key, char *why,
    size_t whysz)
{
    int              rc;
    size_t           nlen, elen;
    BIGNUM          *n, *e;
    EVP_PKEY        *pkey;
    rs256_pk_t      *pk;
    OSSL_PARAM      *params;
    EVP_PKEY_CTX    *ctx;
    const uint8_t   *nb, *eb;
    OSSL_PARAM_BLD  *bld;

    nb = a2f_cbor_bytes(a2f_cbor_map_int(map, -1), 256, 256, &nlen);
    eb = a2f_cbor_bytes(a2f_cbor_map_int(map, -2), 3, 3, &elen);

    if (nb == NULL || eb == NULL || !(nb[0] & 0x80) || !(nb[255] & 1)
        || eb[0] == 0 || !(eb[2] & 1))
    {
        a2f_why(why, whysz,
                "COSE key: RS256 needs a 2048-bit n and a 3-byte e");
        return A2F_ERR_INVALID;
    }

    rc = A2F_ERR_CRYPTO;
    n = BN_bin2bn(nb, (int) nlen, NULL);
    e = BN_bin2bn(eb, (int) elen, NULL);
    bld = OSSL_PARAM_BLD_new();
    params = NULL;
    ctx = NULL;
    pkey = NULL;
    pk = NULL;

    if (n == NULL || e == NULL || bld == NULL
        || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1
        || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1
        || (params = OSSL_PARAM_BLD_to_param(bld)) == NULL
        || (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL
        || EVP_PKEY_fromdata_init(ctx) != 1
        || EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
    {
        a2f_why(why, whysz, "COSE key: OpenSSL failure");
        goto done;
    }

    pk = rs256_pk_new();

    if (pk == NULL) {
        a2f_why(why, whysz, "COSE key: out of memory");
        rc = A2F_ERR_NOMEM;
        goto done;
    }

    if (rs256_pk_from_EVP_PKEY(pk, pkey) != FIDO_OK) {
        rs256_pk_free(&pk);
        a2f_why(why, whysz, "COSE key: not an RSA-2048 key");
        rc = A2F_ERR_INVALID;
        goto done;
    }

    key->alg = A2F_COSE_RS256;
    key->pk = pk;
    rc = A2F_OK;

done:

    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);

    return rc;
}


void
a2f_cose_free(a2f_cose_key_t *key)
{
    es256_pk_t  *es;
    eddsa_pk_t  *ed;
    rs256_pk_t  *rs;

    if (key == NULL || key->pk == NULL) {
        return;
    }

    switch (key->alg) {

    case A2F_COSE_ES256:
        es = key->pk;
        es256_pk_free(&es);
        break;

    case A2F_COSE_EDDSA:
        ed = key->pk;
        eddsa_pk_free(&ed);
        break;

    case A2F_COSE_RS256:
        rs = key->pk;
        rs256_pk_free(&rs);
        break;
    }

    key->pk = NULL;
}


int
a2f_cose_es256_encode(const uint8_t *x, const uint8_t *y, uint8_t *out,
    size_t outsz, size_t *outlen)
{
    /* {1: 2, 3: -7, -1: 1, -2: h'x', -3: h'y'} in canonical order */

    static const uint8_t  head[] = {
        0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20
    };

    if (outsz < A2F_COSE_ES256_LEN) {
        return A2F_ERR_TOOBIG;
    }

    memcpy(out, head, sizeof(head));
    memcpy(out + sizeof(head), x, 32);
    out[42] = 0x22;
    out[43] = 0x58;
    out[44] = 0x20;
    memcpy(out + 45, y, 32);

    *outlen = A2F_COSE_ES256_LEN;

    return A2F_OK;
}
