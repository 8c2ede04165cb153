
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_cose.h: bounded CBOR (RFC 8949) over libcbor, and the COSE_Key
 * public keys (RFC 9052/9053) of WebAuthn credentials, turned into
 * libfido2 keys.  Used by a2f_webauthn.c, the unit tests and the
 * fuzzers; plain C, no nginx types.
 *
 * libcbor 0.8's cbor_load() believes the counts in its input: a five
 * byte array header claiming 2^28 items makes it allocate and clear
 * 2 GB, and nesting is limited only by its 2048-deep stack.  So nothing
 * from outside reaches cbor_load() except through a2f_cbor_load(),
 * which first walks the bytes with libcbor's streaming decoder
 * (a2f_cbor_check()) and refuses what the builder would choke on.
 */

#ifndef _A2F_COSE_H_INCLUDED_
#define _A2F_COSE_H_INCLUDED_


#include <cbor.h>

#include "a2f_common.h"


/* COSE algorithms (RFC 9053) accepted for credentials */
#define A2F_COSE_ES256       (-7)     /* ECDSA P-256 with SHA-256          */
#define A2F_COSE_EDDSA       (-8)     /* Ed25519                           */
#define A2F_COSE_RS256       (-257)   /* RSASSA-PKCS1-v1_5, SHA-256        */

#define A2F_COSE_ES256_LEN   77       /* a2f_cose_es256_encode() output    */

#define A2F_CBOR_DEPTH_MAX   8        /* nesting accepted by a2f_cbor_*()  */


/*
 * A parsed public key.  pk is a libfido2 key for fido_assert_verify():
 * es256_pk_t * (alg A2F_COSE_ES256), eddsa_pk_t * (A2F_COSE_EDDSA) or
 * rs256_pk_t * (A2F_COSE_RS256).  Freed with a2f_cose_free().
 */
typedef struct {
    int     alg;
    void   *pk;
} a2f_cose_key_t;


/*
 * Check that buf starts with one well-formed CBOR data item that
 * a2f_cbor_load() may hand to cbor_load(): definite lengths only (no
 * indefinite strings, arrays or maps, no break), no tags, text strings
 * valid UTF-8 (shortest form, no surrogates, at most U+10FFFF), nesting
 * at most maxdepth arrays and maps (at most A2F_CBOR_DEPTH_MAX), and no
 * array or map announcing more items than there are bytes left.  Other
 * bytes may follow the item.  *used (may be NULL) receives the item's
 * length.  Returns A2F_OK or A2F_ERR_INVALID (also for len 0 or a
 * truncated item).
 */
int a2f_cbor_check(const uint8_t *buf, size_t len, unsigned maxdepth,
    size_t *used);

/*
 * a2f_cbor_check(), then cbor_load() of that one item.  With used NULL
 * the item must fill buf exactly; else *used receives its length.  On
 * A2F_OK *item is the caller's, to free with cbor_decref().  Returns
 * A2F_OK, A2F_ERR_INVALID (not well-formed, refused by the check, or
 * trailing bytes when used is NULL) or A2F_ERR_NOMEM.
 */
int a2f_cbor_load(const uint8_t *buf, size_t len, unsigned maxdepth,
    cbor_item_t **item, size_t *used);

/*
 * Check a map: definite, at most max pairs, and no two keys equal (keys
 * that are integers, text strings or byte strings are compared by
 * value).  With canonical != 0 also the CTAP2 canonical order that
 * libfido2 insists on: every key an integer or a text string, unsigned
 * before negative before text, integers ascending (negative ones by
 * magnitude), texts shorter first, then bytewise.  Returns A2F_OK or
 * A2F_ERR_INVALID (also when map is not a map).
 */
int a2f_cbor_map_check(const cbor_item_t *map, size_t max, int canonical);

/*
 * The value under a text key (definite text string of exactly those
 * bytes) or an integer key, or NULL.  The map must have passed
 * a2f_cbor_map_check(), so there is at most one.
 */
cbor_item_t *a2f_cbor_map_str(const cbor_item_t *map, const char *key);
cbor_item_t *a2f_cbor_map_int(const cbor_item_t *map, int64_t key);

/*
 * An unsigned or negative integer item as an int64_t.  Returns A2F_OK, or
 * A2F_ERR_INVALID when item is no integer or does not fit.
 */
int a2f_cbor_int(const cbor_item_t *item, int64_t *v);

/*
 * A definite byte string of minlen..maxlen bytes: its bytes, or NULL.
 */
const uint8_t *a2f_cbor_bytes(const cbor_item_t *item, size_t minlen,
    size_t maxlen, size_t *len);

/*
 * Parse a COSE_Key public key at the start of buf (len bytes; with used
 * NULL it must fill buf, else *used receives its length).  The key is a
 * CTAP2-canonical map (a2f_cbor_map_check()) of at most 16 pairs with
 * integer label 1 (kty) and 3 (alg), and:
 *
 *   alg -7 (ES256):   kty 2 (EC2), crv (-1) 1 (P-256), x (-2) and y (-3)
 *                     32-byte strings, a point on the curve;
 *   alg -8 (EdDSA):   kty 1 (OKP), crv (-1) 6 (Ed25519), x (-2) 32 bytes;
 *   alg -257 (RS256): kty 3 (RSA), n (-1) 256 bytes with its top bit set
 *                     (a 2048-bit modulus, the only size libfido2
 *                     verifies), e (-2) 3 bytes, first non-zero, odd.
 *
 * Other labels are ignored.  On A2F_OK key holds the algorithm and a
 * libfido2 key (free with a2f_cose_free()); on failure key->pk is NULL
 * and why (when whysz > 0) a NUL-terminated reason starting "COSE key:".
 * Returns A2F_OK, A2F_ERR_INVALID (anything wrong with the bytes,
 * including an unsupported algorithm or a point off the curve),
 * A2F_ERR_NOMEM or A2F_ERR_CRYPTO.
 */
int a2f_cose_parse(const uint8_t *buf, size_t len, size_t *used,
    a2f_cose_key_t *key, char *why, size_t whysz);

/* Free key->pk (NULL is fine) and set it to NULL. */
void a2f_cose_free(a2f_cose_key_t *key);

/*
 * Write the canonical COSE_Key {1: 2, 3: -7, -1: 1, -2: x, -3: y} of a
 * P-256 point (x and y 32 bytes each, big-endian) into out:
 * A2F_COSE_ES256_LEN bytes.  The point is not checked here.  Returns
 * A2F_OK or A2F_ERR_TOOBIG (outsz too small).
 */
int a2f_cose_es256_encode(const uint8_t *x, const uint8_t *y, uint8_t *out,
    size_t outsz, size_t *outlen);


#endif /* _A2F_COSE_H_INCLUDED_ */
