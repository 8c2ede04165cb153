
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_password.c: scrypt and PBKDF2-SHA256 password hashes through the
 * OpenSSL 3 EVP_KDF interface.
 */


#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "a2f_password.h"
#include "a2f_crypto.h"


#define A2F_PW_SALT_LEN      16
#define A2F_PW_DK_LEN        32
#define A2F_PW_SALT_MIN      8
#define A2F_PW_BIN_MAX       64
#define A2F_PW_DK_MIN        16

#define A2F_SCRYPT_LN_MIN    10
#define A2F_SCRYPT_LN_MAX    20
#define A2F_SCRYPT_R         8
#define A2F_SCRYPT_R_MAX     32
#define A2F_SCRYPT_P_MAX     16
#define A2F_SCRYPT_MEM_MAX   (256 * 1024 * 1024ULL)

#define A2F_PBKDF2_ITER_MIN  1000
#define A2F_PBKDF2_ITER_MAX  10000000

#define A2F_PW_GEN_CHARS     20
#define A2F_PW_GEN_GROUP     5
#define A2F_PW_GEN_ALPHABET  "0123456789abcdefghjkmnpqrstvwxyz"

#if (A2F_PASSWORD_GEN_LEN                                                  \
     != A2F_PW_GEN_CHARS + A2F_PW_GEN_CHARS / A2F_PW_GEN_GROUP - 1)
#error "A2F_PASSWORD_GEN_LEN does not match the generated passwords"
#endif


typedef struct {
    int       scrypt;
    unsigned  ln;
    unsigned  r;
    unsigned  p;
    unsigned  iter;
    uint8_t   salt[A2F_PW_BIN_MAX];
    size_t    salt_len;
    uint8_t   dk[A2F_PW_BIN_MAX];
    size_t    dk_len;
} a2f_pw_params_t;


static int a2f_pw_scrypt_mem(unsigned ln, unsigned r, unsigned p,
    uint64_t *mem);
static int a2f_pw_scrypt(const char *pw, size_t len, const uint8_t *salt,
    size_t saltlen, unsigned ln, unsigned r, unsigned p, uint8_t *dk,
    size_t dklen);
static int a2f_pw_pbkdf2(const char *pw, size_t len, const uint8_t *salt,
    size_t saltlen, unsigned iter, uint8_t *dk, size_t dklen);
static const char *a2f_pw_literal(const char *p, const char *end,
    const char *lit);
static const char *a2f_pw_uint(const char *p, const char *end,
    unsigned max, unsigned *v);
static const char *a2f_pw_b64(const char *p, const char *end, int last,
    uint8_t *out, size_t *outlen);
static int a2f_pw_parse(const char *hash, a2f_pw_params_t *pp);


/*
 * A default-cost hash of a random password nobody knows; the dummy check
 * verifies against it so that unknown users cost as much as known ones.
 */
static const char  a2f_pw_dummy_hash[] =
    "$scrypt$ln=15,r=8,p=1$2m3QIykTMeCUbaEDu-JTsA"
    "$3alA-JSW7eL7LV7JmVR5SuEYuJ9v_3sSPaikfuS_8gA";


/*
 * Bytes OpenSSL's scrypt allocates: B (128 r p) and V (128 r (N + 2)),
 * the value of its maxmem parameter.  Refuses parameter sets OpenSSL
 * itself refuses (N >= 2^(16 r)) and sets whose V (128 r N) is over
 * A2F_SCRYPT_MEM_MAX: with r = 8, ln is at most 18.
 */

static int
a2f_pw_scrypt_mem(unsigned ln, unsigned r, unsigned p, uint64_t *mem)
{
    uint64_t  n, m;

    if (ln < A2F_SCRYPT_LN_MIN || ln > A2F_SCRYPT_LN_MAX
        || r < 1 || r > A2F_SCRYPT_R_MAX || p < 1 || p > A2F_SCRYPT_P_MAX)
    {
        return A2F_ERR_INVALID;
    }

    if (16 * r < 64 && ln >= 16 * r) {
        return A2F_ERR_INVALID;
    }

    n = (uint64_t) 1 << ln;
    m = 128ULL * r * p + 128ULL * r * (n + 2);

    if (128ULL * r * n > A2F_SCRYPT_MEM_MAX) {
        return A2F_ERR_INVALID;
    }

    *mem = m;

    return A2F_OK;
}


static int
a2f_pw_scrypt(const char *pw, size_t len, const uint8_t *salt,
    size_t saltlen, unsigned ln, unsigned r, unsigned p, uint8_t *dk,
    size_t dklen)
{
    int            rc;
    uint64_t       n, mem;
    uint32_t       r32, p32;
    EVP_KDF       *kdf;
    OSSL_PARAM     params[7];
    EVP_KDF_CTX   *kctx;

    rc = a2f_pw_scrypt_mem(ln, r, p, &mem);
    if (rc != A2F_OK) {
        return rc;
    }

    n = (uint64_t) 1 << ln;
    r32 = r;
    p32 = p;

    params[0] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
                    (void *) (pw != NULL ? pw : ""), len);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                    (void *) salt, saltlen);
    params[2] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
    params[3] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r32);
    params[4] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p32);
    params[5] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM,
                                            &mem);
    params[6] = OSSL_PARAM_construct_end();

    kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
    if (kdf == NULL) {
        return A2F_ERR_CRYPTO;
    }

    kctx = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);

    if (kctx == NULL) {
        return A2F_ERR_CRYPTO;
    }

    rc = A2F_OK;

    if (EVP_KDF_derive(kctx, dk, dklen, params) != 1) {
        rc = A2F_ERR_CRYPTO;
    }

    EVP_KDF_CTX_free(kctx);

    return rc;
}


static int
a2f_pw_pbkdf2(const char *pw, size_t len, const uint8_t *salt,
    size_t saltlen, unsigned iter, uint8_t *dk, size_t dklen)
{
    if (iter < A2F_PBKDF2_ITER_MIN || iter > A2F_PBKDF2_ITER_MAX) {
        return A2F_ERR_INVALID;
    }

    if (PKCS5_PBKDF2_HMAC(pw != NULL ? pw : "", (int) len, salt,
                          (int) saltlen, (int) iter, EVP_sha256(),
                          (int) dklen, dk)
        != 1)
    {
        return A2F_ERR_CRYPTO;
    }

    return A2F_OK;
}


int
a2f_password_hash(const char *pw, size_t len, unsigned ln, char *out,
    size_t outsz)
{
    int       rc, n;
    char      salt64[A2F_PW_BIN_MAX], dk64[A2F_PW_BIN_MAX];
    uint8_t   salt[A2F_PW_SALT_LEN], dk[A2F_PW_DK_LEN];
    uint64_t  mem;

    if (len > A2F_PASSWORD_MAX) {
        return A2F_ERR_TOOBIG;
    }

    if (pw == NULL && len != 0) {
        return A2F_ERR_INVALID;
    }

    if (ln == 0) {
        ln = A2F_SCRYPT_LN_DEFAULT;
    }

    rc = a2f_pw_scrypt_mem(ln, A2F_SCRYPT_R, 1, &mem);
    if (rc != A2F_OK) {
        return rc;
    }

    if (a2f_random(salt, sizeof(salt)) != A2F_OK) {
        return A2F_ERR_CRYPTO;
    }

    rc = a2f_pw_scrypt(pw, len, salt, sizeof(salt), ln, A2F_SCRYPT_R, 1,
                       dk, sizeof(dk));

    if (rc != A2F_OK) {
        OPENSSL_cleanse(dk, sizeof(dk));
        return rc;
    }

    (void) a2f_b64url_encode(salt, sizeof(salt), salt64, sizeof(salt64));
    (void) a2f_b64url_encode(dk, sizeof(dk), dk64, sizeof(dk64));

    n = snprintf(out, outsz, "$scrypt$ln=%u,r=%u,p=1$%s$%s", ln,
                 (unsigned) A2F_SCRYPT_R, salt64, dk64);

    OPENSSL_cleanse(dk, sizeof(dk));
    OPENSSL_cleanse(dk64, sizeof(dk64));

    if (n < 0 || (size_t) n >= outsz) {
        if (outsz > 0) {
            OPENSSL_cleanse(out, outsz);
            out[0] = '\0';
        }

        return A2F_ERR_TOOBIG;
    }

    return A2F_OK;
}


static const char *
a2f_pw_literal(const char *p, const char *end, const char *lit)
{
    size_t  n;

    if (p == NULL) {
        return NULL;
    }

    n = strlen(lit);

    if ((size_t) (end - p) < n || memcmp(p, lit, n) != 0) {
        return NULL;
    }

    return p + n;
}


/* a canonical decimal: no sign, no leading zero, at most max */

static const char *
a2f_pw_uint(const char *p, const char *end, unsigned max, unsigned *v)
{
    uint64_t     n;
    const char  *s;

    if (p == NULL || p == end || *p < '0' || *p > '9') {
        return NULL;
    }

    s = p;
    n = 0;

    while (p < end && *p >= '0' && *p <= '9') {
        n = n * 10 + (uint64_t) (*p - '0');

        if (n > max) {
            return NULL;
        }

        p++;
    }

    if (*s == '0' && p - s > 1) {
        return NULL;
    }

    *v = (unsigned) n;

    return p;
}


/* base64url up to the next '$' (or the end when last) */

static const char *
a2f_pw_b64(const char *p, const char *end, int last, uint8_t *out,
    size_t *outlen)
{
    const char  *e;

    if (p == NULL) {
        return NULL;
    }

    e = p;

    while (e < end && *e != '$') {
        e++;
    }

    if (last ? e != end : e == end) {
        return NULL;
    }

    if (a2f_b64url_decode(p, (size_t) (e - p), out, A2F_PW_BIN_MAX, outlen)
        != A2F_OK)
    {
        return NULL;
    }

    return e;
}


static int
a2f_pw_parse(const char *hash, a2f_pw_params_t *pp)
{
    size_t       len;
    uint64_t     mem;
    const char  *p, *end;

    if (hash == NULL) {
        return A2F_ERR_INVALID;
    }

    for (len = 0; len < A2F_PWHASH_MAX && hash[len] != '\0'; len++) {
        /* void */
    }

    if (len == A2F_PWHASH_MAX) {
        return A2F_ERR_INVALID;
    }

    memset(pp, 0, sizeof(a2f_pw_params_t));

    end = hash + len;

    p = a2f_pw_literal(hash, end, "$scrypt$ln=");

    if (p != NULL) {
        pp->scrypt = 1;
        p = a2f_pw_uint(p, end, A2F_SCRYPT_LN_MAX, &pp->ln);
        p = a2f_pw_literal(p, end, ",r=");
        p = a2f_pw_uint(p, end, A2F_SCRYPT_R_MAX, &pp->r);
        p = a2f_pw_literal(p, end, ",p=");
        p = a2f_pw_uint(p, end, A2F_SCRYPT_P_MAX, &pp->p);

        if (p != NULL
            && a2f_pw_scrypt_mem(pp->ln, pp->r, pp->p, &mem) != A2F_OK)
        {
            return A2F_ERR_INVALID;
        }

    } else {
        p = a2f_pw_literal(hash, end, "$pbkdf2-sha256$i=");
        p = a2f_pw_uint(p, end, A2F_PBKDF2_ITER_MAX, &pp->iter);

        if (p != NULL && pp->iter < A2F_PBKDF2_ITER_MIN) {
            return A2F_ERR_INVALID;
        }
    }

    p = a2f_pw_literal(p, end, "$");
    p = a2f_pw_b64(p, end, 0, pp->salt, &pp->salt_len);
    p = a2f_pw_literal(p, end, "$");
    p = a2f_pw_b64(p, end, 1, pp->dk, &pp->dk_len);

    if (p == NULL || pp->salt_len < A2F_PW_SALT_MIN
        || pp->dk_len < A2F_PW_DK_MIN)
    {
        return A2F_ERR_INVALID;
    }

    return A2F_OK;
}


int
a2f_password_verify(const char *pw, size_t len, const char *hash)
{
    int              rc, toolong;
    uint8_t          dk[A2F_PW_BIN_MAX];
    a2f_pw_params_t  pp;

    if (pw == NULL && len != 0) {
        return A2F_ERR_INVALID;
    }

    rc = a2f_pw_parse(hash, &pp);
    if (rc != A2F_OK) {
        OPENSSL_cleanse(&pp, sizeof(pp));
        return rc;
    }

    /*
     * No stored hash comes from a password this long; spend the time
     * anyway, on a prefix, so that the answer takes as long as any other.
     */

    toolong = (len > A2F_PASSWORD_MAX);

    if (toolong) {
        len = A2F_PASSWORD_MAX;
    }

    if (pp.scrypt) {
        rc = a2f_pw_scrypt(pw, len, pp.salt, pp.salt_len, pp.ln, pp.r, pp.p,
                           dk, pp.dk_len);

    } else {
        rc = a2f_pw_pbkdf2(pw, len, pp.salt, pp.salt_len, pp.iter,
                           dk, pp.dk_len);
    }

    if (rc == A2F_OK
        && (CRYPTO_memcmp(dk, pp.dk, pp.dk_len) != 0 || toolong))
    {
        rc = A2F_ERR_AUTH;
    }

    OPENSSL_cleanse(dk, sizeof(dk));
    OPENSSL_cleanse(&pp, sizeof(pp));

    return rc;
}


/*
 * 20 characters of 5 random bits each (the low bits of one random byte
 * each: 256 is a multiple of 32, so every character is equally likely),
 * a dash after every fifth but the last.
 */

int
a2f_password_generate(char *out, size_t outsz)
{
    size_t   i, k;
    uint8_t  rnd[A2F_PW_GEN_CHARS];

    if (out == NULL || outsz < A2F_PASSWORD_GEN_LEN + 1) {
        return A2F_ERR_TOOBIG;
    }

    if (a2f_random(rnd, sizeof(rnd)) != A2F_OK) {
        OPENSSL_cleanse(rnd, sizeof(rnd));
        OPENSSL_cleanse(out, outsz);
        out[0] = '\0';
        return A2F_ERR_CRYPTO;
    }

    k = 0;

    for (i = 0; i < A2F_PW_GEN_CHARS; i++) {
        if (i != 0 && i % A2F_PW_GEN_GROUP == 0) {
            out[k++] = '-';
        }

        out[k++] = A2F_PW_GEN_ALPHABET[rnd[i] & 0x1f];
    }

    out[k] = '\0';

    OPENSSL_cleanse(rnd, sizeof(rnd));

    return A2F_OK;
}


void
a2f_password_dummy(const char *pw, size_t len)
{
    (void) a2f_password_verify(pw != NULL ? pw : "", pw != NULL ? len : 0,
                               a2f_pw_dummy_hash);
}
