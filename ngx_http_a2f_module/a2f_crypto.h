
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_crypto.h: randomness, hex and base64url codecs, the key ring read
 * from a2f_secret_file, and AES-256-GCM sealing of data at rest.
 * Plain C, no nginx types; OpenSSL.
 */

#ifndef _A2F_CRYPTO_H_INCLUDED_
#define _A2F_CRYPTO_H_INCLUDED_


#include "a2f_common.h"


#define A2F_KEY_MIN        32     /* key bytes (64 hex digits)             */
#define A2F_KEY_MAX        64
#define A2F_KEYS_MAX       16     /* lines in a2f_secret_file              */
#define A2F_KID_LEN        8      /* hex chars of SHA-256(key)             */

#define A2F_SEAL_OVERHEAD  28     /* 12-byte nonce + 16-byte tag           */


typedef struct {
    uint8_t   key[A2F_KEY_MAX];
    size_t    len;
    char      kid[A2F_KID_LEN + 1];   /* first 8 hex digits of SHA-256(key) */
} a2f_key_t;


/* keys[0] signs and seals; every key verifies and opens */
typedef struct {
    a2f_key_t  keys[A2F_KEYS_MAX];
    size_t     n;
} a2f_keyring_t;


/* Fill buf with len bytes from RAND_bytes.  A2F_OK or A2F_ERR_CRYPTO. */
int a2f_random(uint8_t *buf, size_t len);

/*
 * Lower-case hex.  encode: out holds 2 * len + 1 bytes (NUL-terminated);
 * returns the text length or 0 when outsz is too small.  decode: accepts
 * either case, an even number of digits; A2F_OK, A2F_ERR_INVALID or
 * A2F_ERR_TOOBIG.
 */
/* The value of one hex digit (either case), or -1. */
int a2f_hex_digit(uint8_t c);

size_t a2f_hex_encode(const uint8_t *in, size_t len, char *out, size_t outsz);
int a2f_hex_decode(const char *in, size_t len, uint8_t *out, size_t outsz,
    size_t *outlen);

/*
 * base64url (RFC 4648 section 5) without padding.  encode returns the text
 * length (NUL-terminated) or 0 when outsz is too small.  decode refuses
 * padding, '+', '/', white space and non-zero trailing bits: A2F_OK,
 * A2F_ERR_INVALID or A2F_ERR_TOOBIG.
 */
size_t a2f_b64url_encode(const uint8_t *in, size_t len, char *out,
    size_t outsz);
int a2f_b64url_decode(const char *in, size_t len, uint8_t *out, size_t outsz,
    size_t *outlen);

/*
 * Parse the text of a2f_secret_file: one key per line, hex, at least 64
 * hex digits (32 bytes), at most 128; blank lines and lines starting with
 * '#' are skipped; at most A2F_KEYS_MAX keys; at least one.
 * On failure writes a reason naming the line number into err and returns
 * A2F_ERR_INVALID.
 */
int a2f_keyring_parse(const char *text, size_t len, a2f_keyring_t *kr,
    char *err, size_t errsz);

/* Read and parse a key file; err names the path on any failure. */
int a2f_keyring_load(const char *path, a2f_keyring_t *kr, char *err,
    size_t errsz);

/* Return the key with this kid, or NULL. */
const a2f_key_t *a2f_keyring_find(const a2f_keyring_t *kr, const char *kid,
    size_t kidlen);

/* Wipe the key ring with OPENSSL_cleanse. */
void a2f_keyring_wipe(a2f_keyring_t *kr);

/*
 * Write one new random 32-byte key as 64 hex digits and '\n' into out
 * (at least 66 bytes, NUL-terminated).  A2F_OK or A2F_ERR_CRYPTO.
 */
int a2f_keygen_line(char *out, size_t outsz);

/*
 * Derive a 32-byte subkey: HMAC-SHA256(key, label).  Used to separate the
 * key-encryption key from the session MAC key.
 */
int a2f_derive(const a2f_key_t *key, const char *label, uint8_t out[32]);

/*
 * AES-256-GCM.  seal writes nonce(12) | ciphertext | tag(16) into out
 * (ptlen + A2F_SEAL_OVERHEAD bytes) with a fresh random nonce; aad is
 * authenticated, not stored.  open reverses it and returns A2F_ERR_AUTH
 * when the tag does not verify.
 */
int a2f_seal(const uint8_t key[32], const uint8_t *aad, size_t aadlen,
    const uint8_t *pt, size_t ptlen, uint8_t *out, size_t outsz,
    size_t *outlen);
int a2f_open(const uint8_t key[32], const uint8_t *aad, size_t aadlen,
    const uint8_t *in, size_t inlen, uint8_t *out, size_t outsz,
    size_t *outlen);


#endif /* _A2F_CRYPTO_H_INCLUDED_ */
