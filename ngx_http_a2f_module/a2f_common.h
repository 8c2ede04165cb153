
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_common.h: return codes and limits shared by the nginx-free core
 * (a2f_* files), the nginx module, a2fctl, the unit tests and the fuzzers.
 *
 * Every a2f_* function that can fail returns A2F_OK (0) or one of the
 * negative codes below; a2f_strerror() turns any of them into text.
 * No a2f_* function logs, and no error text ever contains a secret.
 */

#ifndef _A2F_COMMON_H_INCLUDED_
#define _A2F_COMMON_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


/* return codes */
#define A2F_OK               0
#define A2F_ERR_INVALID   (-30900)  /* malformed input (syntax, length)     */
#define A2F_ERR_NOTFOUND  (-30901)  /* no such user, device or record       */
#define A2F_ERR_EXISTS    (-30902)  /* the record exists already            */
#define A2F_ERR_AUTH      (-30903)  /* wrong password, code or MAC          */
#define A2F_ERR_LOCKED    (-30904)  /* user or client address locked out    */
#define A2F_ERR_REPLAY    (-30905)  /* one-time code step already used      */
#define A2F_ERR_EXPIRED   (-30906)  /* session or token too old             */
#define A2F_ERR_FULL      (-30907)  /* database map is full                 */
#define A2F_ERR_STORAGE   (-30908)  /* any other database or file failure   */
#define A2F_ERR_CRYPTO    (-30909)  /* OpenSSL failure                      */
#define A2F_ERR_NOMEM     (-30910)  /* allocation failure                   */
#define A2F_ERR_DISABLED  (-30911)  /* user disabled                        */
#define A2F_ERR_TOOBIG    (-30912)  /* input or output exceeds its bound    */
#define A2F_ERR_NOKEY     (-30913)  /* no key in the keyring opens the data */


/* limits */
#define A2F_USER_MAX         64     /* user name bytes                      */
#define A2F_PASSWORD_MAX     256    /* password bytes                       */
#define A2F_CODE_MAX         8      /* one-time code digits                 */
#define A2F_ADDR_MAX         64     /* client address text                  */


/*
 * Return a static, human-readable text for an A2F_* code (never NULL).
 */
const char *a2f_strerror(int rc);

/*
 * A short reason for a refusal: printf fmt into why (whysz bytes,
 * NUL-terminated, cut to fit); nothing when why is NULL or whysz 0.
 */
void a2f_why(char *why, size_t whysz, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;


/*
 * A user name is 1..A2F_USER_MAX bytes of printable, non-space ASCII
 * or UTF-8 (no control bytes, no NUL, no '/', no ':', no '\\', valid
 * shortest-form UTF-8 without surrogates or C1 controls).  HTML specials
 * such as '<' and '&' are allowed: whoever shows a name escapes it.
 * Returns A2F_OK or A2F_ERR_INVALID.
 */
int a2f_user_name_valid(const char *name, size_t len);


#endif /* _A2F_COMMON_H_INCLUDED_ */
