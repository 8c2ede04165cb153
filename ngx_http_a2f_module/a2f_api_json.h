
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_api_json.h: the JSON request bodies of the auth2factor API
 * (../shared/design/AUTH2FACTOR-API.md), such as
 *
 *     {"account": "user@example.com"}
 *     {"email": "...", "password": "..."}
 *     {"code": "123456"}
 *     {"clientData": "...", "signatureData": "..."}
 *     {"clientData": "...", "registrationData": "...", "description": "..."}
 *
 * One bounded reader for all of them: the caller names the string
 * members it wants, with a bound each; every other member is ignored
 * (clients send extras, e.g. "doRequestOtc": true).
 *
 * Plain C, no nginx types; jansson.
 */


#ifndef _A2F_API_JSON_H_INCLUDED_
#define _A2F_API_JSON_H_INCLUDED_


#include "a2f_common.h"


#define A2F_API_BODY_MAX     24576  /* request body bytes                   */
#define A2F_API_FIELDS_MAX   8      /* members asked for in one call        */


typedef struct {
    /* in */
    const char  *name;              /* member name, NUL-terminated          */
    size_t       max;               /* longest value in bytes, >= 1         */
    unsigned     required;          /* absent: A2F_ERR_INVALID              */
    char        *value;             /* max + 1 bytes                        */

    /* out */
    size_t       len;               /* bytes in value, without the NUL      */
    unsigned     present;           /* the member was there                 */
} a2f_api_field_t;


/*
 * Read the string members f[0..n-1] of a JSON request body.
 *
 * body/len   1..A2F_API_BODY_MAX bytes (not NUL-terminated); it must be
 *            one JSON object (jansson; duplicate keys refused, also among
 *            ignored members, a NUL in a string refused, nothing but
 *            white space after the object).  Being jansson's, the whole
 *            body, ignored members too, must be nested at most
 *            JSON_PARSER_MAX_DEPTH (2048) deep and hold no number out of
 *            range (an integer beyond json_int_t, a real beyond double).
 * f, n       1..A2F_API_FIELDS_MAX fields.  For each: when the member is
 *            present it must be a JSON string of 0..f->max bytes (UTF-8,
 *            no NUL; null is not absent but of another type), copied
 *            NUL-terminated into f->value, with f->len and f->present = 1;
 *            when absent, f->value is "", f->len 0, f->present 0, and a
 *            required one makes the call fail.
 * why        (may be NULL) a short NUL-terminated reason on failure ("" on
 *            A2F_OK), at most whysz bytes; it names the member at fault,
 *            never its value.
 *
 * On failure every f->value is "" and every len and present 0; only when
 * f is NULL or n out of range is f left alone, and a NULL value is left
 * NULL.
 *
 * Returns A2F_OK, A2F_ERR_INVALID (not JSON, not an object, a duplicate
 * key, a member of another type, a required member missing, a NULL
 * argument, n out of range, a field with a NULL name or value or max 0),
 * A2F_ERR_TOOBIG (body over A2F_API_BODY_MAX, or a member longer than
 * its max) or A2F_ERR_NOMEM (when jansson says so: jansson 2.14 reports
 * its allocation failures while parsing as parse errors, so these come
 * back as A2F_ERR_INVALID).
 */
int a2f_api_json_fields(const char *body, size_t len, a2f_api_field_t *f,
    size_t n, char *why, size_t whysz);


#endif /* _A2F_API_JSON_H_INCLUDED_ */
