
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_totp.h: RFC 4648 base32, RFC 4226 HOTP and RFC 6238 TOTP.
 * Plain C, no nginx types; OpenSSL for HMAC.
 */

#ifndef _A2F_TOTP_H_INCLUDED_
#define _A2F_TOTP_H_INCLUDED_


#include "a2f_common.h"


#define A2F_TOTP_SECRET_MAX   64     /* secret bytes                       */
#define A2F_TOTP_WINDOW_MAX   10     /* steps either side                  */


typedef enum {
    A2F_SHA1 = 0,
    A2F_SHA256 = 1,
    A2F_SHA512 = 2
} a2f_hash_t;


/*
 * Encode len bytes as RFC 4648 base32 (upper case).  With pad != 0 the
 * output carries '=' padding to a multiple of 8.  out must hold the text
 * and a NUL.  Returns the text length, or 0 when outsz is too small.
 */
size_t a2f_base32_encode(const uint8_t *in, size_t len, int pad, char *out,
    size_t outsz);

/*
 * Decode base32 text.  Accepts upper and lower case, ignores spaces and
 * '-', accepts missing or correct '=' padding.  Refuses any other byte,
 * misplaced or wrong padding, and a last group of 1, 3 or 6 characters
 * (no input encodes to that); non-zero trailing bits are allowed (as
 * authenticator apps do).  Returns A2F_OK and sets *outlen, A2F_ERR_INVALID, or
 * A2F_ERR_TOOBIG when out is too small.
 */
int a2f_base32_decode(const char *in, size_t len, uint8_t *out, size_t outsz,
    size_t *outlen);

/*
 * Parse "SHA1" / "SHA256" / "SHA512" (case-insensitive).  Returns A2F_OK or
 * A2F_ERR_INVALID.  a2f_hash_name() returns the canonical upper-case name.
 */
int a2f_hash_parse(const char *s, size_t len, a2f_hash_t *alg);
const char *a2f_hash_name(a2f_hash_t alg);

/*
 * RFC 4226 HOTP value for counter, truncated to digits (6..8) digits.
 * Returns A2F_OK or A2F_ERR_INVALID / A2F_ERR_CRYPTO.
 */
int a2f_hotp(const uint8_t *key, size_t keylen, a2f_hash_t alg,
    uint64_t counter, unsigned digits, uint32_t *code);

/*
 * Format code as exactly digits decimal digits with leading zeros into
 * out (at least digits + 1 bytes).
 */
void a2f_code_format(uint32_t code, unsigned digits, char *out);

/*
 * Check a user-typed TOTP code.  now is Unix time in seconds, period the
 * step length (1..300 s), window the number of steps accepted either side
 * of the current one (0..A2F_TOTP_WINDOW_MAX).  last_step is the last
 * step accepted for this device (0 = none): any step <= last_step is a
 * replay (RFC 6238 section 5.2).
 *
 * code must be exactly digits ASCII digits; anything else is
 * A2F_ERR_INVALID.  Every step in the window is computed and compared with
 * CRYPTO_memcmp, without early exit.
 *
 * Returns A2F_OK and sets *step to the matched step, A2F_ERR_REPLAY when
 * the code matches only an already-used step, A2F_ERR_AUTH when it matches
 * nothing, A2F_ERR_INVALID, or A2F_ERR_CRYPTO.
 */
int a2f_totp_check(const uint8_t *key, size_t keylen, a2f_hash_t alg,
    unsigned digits, unsigned period, int64_t now, unsigned window,
    const char *code, size_t codelen, uint64_t last_step, uint64_t *step);


#endif /* _A2F_TOTP_H_INCLUDED_ */
