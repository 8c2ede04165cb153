
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_text.h: bounded text helpers: form bodies, escaping, redirect
 * targets.  Plain C, no allocation; every function is fuzzed.
 */

#ifndef _A2F_TEXT_H_INCLUDED_
#define _A2F_TEXT_H_INCLUDED_


#include "a2f_common.h"


#define A2F_FORM_FIELDS_MAX   32    /* fields in one form body             */
#define A2F_RD_MAX            2048  /* redirect target bytes               */


/*
 * Check an application/x-www-form-urlencoded body as a whole: at most
 * max_fields fields, every name and value correctly %-encoded, no field
 * name twice, no decoded NUL.  Returns A2F_OK, A2F_ERR_TOOBIG (too many
 * fields) or A2F_ERR_INVALID.
 */
int a2f_form_check(const char *body, size_t len, unsigned max_fields);

/*
 * Find field name in a (checked) body and %-decode its value ('+' is a
 * space) into out, NUL-terminated.  Returns A2F_OK and sets *outlen,
 * A2F_ERR_NOTFOUND, A2F_ERR_INVALID (bad encoding, NUL) or A2F_ERR_TOOBIG
 * (value longer than outsz - 1).
 */
int a2f_form_get(const char *body, size_t len, const char *name, char *out,
    size_t outsz, size_t *outlen);

/*
 * %-decode a query-string argument value ('+' is a space).  Same returns
 * as a2f_form_get.
 */
int a2f_url_unescape(const char *in, size_t len, char *out, size_t outsz,
    size_t *outlen);

/*
 * %-encode everything but RFC 3986 unreserved characters into out
 * (NUL-terminated).  Returns the length, or 0 when outsz is too small.
 */
size_t a2f_url_escape(const char *in, size_t len, char *out, size_t outsz);

/*
 * HTML-escape & < > " ' into out (NUL-terminated).  Returns the length,
 * or 0 when outsz is too small.  a2f_html_escape_len() is the length the
 * escaped text will have.
 */
size_t a2f_html_escape(const char *in, size_t len, char *out, size_t outsz);
size_t a2f_html_escape_len(const char *in, size_t len);

/*
 * Escape text for a JSON string (without the quotes): '"', '\\' and
 * every byte under 0x20 (as \u00XX), into out (NUL-terminated).
 * Returns the length, or 0 when outsz is too small (6 * len + 1 always
 * suffices).
 */
size_t a2f_json_escape(const char *in, size_t len, char *out, size_t outsz);

/*
 * Is a decoded redirect target safe: a same-origin absolute path?
 * It must start with exactly one '/', must not start with "//" or "/\",
 * and must be printable ASCII only: no backslash, no space, no control
 * byte (< 0x20, 0x7f), no byte >= 0x80.  After one more %-decoding pass
 * (valid %XX only; a stray '%' stays as it is) it must still start with
 * exactly one '/' and not with "//" or "/\", contain no control byte,
 * and no backslash before the first '?' or '#'; a decoded space or UTF-8
 * is fine there ("/app?y=%20").  So "/%2F/evil", "/%5Cevil", "/%09/evil"
 * and "/a%0D%0A..." are refused.  Length 1..A2F_RD_MAX.
 * Returns 1 when safe, 0 otherwise.
 */
int a2f_rd_safe(const char *rd, size_t len);


#endif /* _A2F_TEXT_H_INCLUDED_ */
