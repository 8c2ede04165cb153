
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_password.h: password hashing.  Slow by design (tens of
 * milliseconds): the nginx module calls these from a thread pool only.
 *
 * Hash strings carry their parameters:
 *     $scrypt$ln=15,r=8,p=1$<salt b64url>$<hash b64url>
 *     $pbkdf2-sha256$i=600000$<salt b64url>$<hash b64url>
 * (verify accepts both; hash writes scrypt).
 */

#ifndef _A2F_PASSWORD_H_INCLUDED_
#define _A2F_PASSWORD_H_INCLUDED_


#include "a2f_common.h"


#define A2F_PWHASH_MAX       160    /* hash string bytes, with NUL         */
#define A2F_SCRYPT_LN_DEFAULT 15    /* N = 2^15, r = 8: 32 MiB             */


/*
 * Hash pw (len bytes, 0..A2F_PASSWORD_MAX) with scrypt N = 2^ln, r = 8,
 * p = 1 and a random 16-byte salt; ln 0 means A2F_SCRYPT_LN_DEFAULT
 * (allowed 10..20, but verify refuses 128 * r * N over 256 MiB, so with
 * r = 8 hash refuses ln 19 and 20 as A2F_ERR_INVALID rather than write a
 * hash nobody can verify).  Writes the NUL-terminated hash string (88
 * bytes with ln < 100) into out.
 * Returns A2F_OK, A2F_ERR_INVALID, A2F_ERR_TOOBIG (pw or out) or
 * A2F_ERR_CRYPTO.
 */
int a2f_password_hash(const char *pw, size_t len, unsigned ln, char *out,
    size_t outsz);

/*
 * Verify pw against a hash string; the comparison is constant-time.
 * Parameters read from the string are bounded: scrypt ln 10..20, r 1..32,
 * p 1..16, 128 * r * N at most 256 MiB (OpenSSL's maxmem is set to what
 * they need), N < 2^(16 r); pbkdf2 i 1000..10000000; salt 8..64 bytes,
 * hash 16..64 bytes; decimals canonical; the string under A2F_PWHASH_MAX.
 * A pw over A2F_PASSWORD_MAX is A2F_ERR_AUTH (after the same work).
 * Returns A2F_OK, A2F_ERR_AUTH (mismatch), A2F_ERR_INVALID (hash string
 * malformed or parameters out of bounds), or A2F_ERR_CRYPTO.
 */
int a2f_password_verify(const char *pw, size_t len, const char *hash);

/*
 * A random password for an administrator to hand over: 20 characters of
 * the recovery-code alphabet (lower-case Crockford base32, 100 bits) in
 * groups of five, "xxxxx-xxxxx-xxxxx-xxxxx" (A2F_PASSWORD_GEN_LEN
 * characters), NUL-terminated in out.  Returns A2F_OK, A2F_ERR_TOOBIG
 * (outsz under A2F_PASSWORD_GEN_LEN + 1) or A2F_ERR_CRYPTO.
 */
#define A2F_PASSWORD_GEN_LEN  23
int a2f_password_generate(char *out, size_t outsz);

/*
 * Spend the same time as a verify against a default-cost hash, for
 * unknown users (so timing does not tell whether a user exists).
 */
void a2f_password_dummy(const char *pw, size_t len);


#endif /* _A2F_PASSWORD_H_INCLUDED_ */
