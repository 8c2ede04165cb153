
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_api_json.c: the JSON request bodies of the API (a2f_api_json.h).
 */


#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "a2f_api_json.h"


static void a2f_api_json_reset(a2f_api_field_t *f, size_t n);
static int a2f_api_json_load(const char *body, size_t len, json_t **root,
    char *why, size_t whysz);
static int a2f_api_json_field(json_t *root, a2f_api_field_t *f, char *why,
    size_t whysz);


/* every field absent: value "", len and present 0 */

static void
a2f_api_json_reset(a2f_api_field_t *f, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (f[i].value != NULL) {
            f[i].value[0] = '\0';
        }

        f[i].len = 0;
        f[i].present = 0;
    }
}


int
a2f_api_json_fields(const char *body, size_t len, a2f_api_field_t *f,
    size_t n, char *why, size_t whysz)
{
    int      rc;
    size_t   i;
    json_t  *root;

    a2f_why(why, whysz, "%s", "");

    if (f == NULL || n == 0 || n > A2F_API_FIELDS_MAX) {
        a2f_why(why, whysz, "request: no fields or too many");
        return A2F_ERR_INVALID;
    }

    a2f_api_json_reset(f, n);

    for (i = 0; i < n; i++) {
        if (f[i].name == NULL || f[i].value == NULL || f[i].max == 0) {
            a2f_why(why, whysz, "request: field %u is not usable",
                    (unsigned) i);
            return A2F_ERR_INVALID;
        }
    }

    /* the length before any parsing */

    if (body == NULL || len == 0) {
        a2f_why(why, whysz, "request: empty");
        return A2F_ERR_INVALID;
    }

    if (len > A2F_API_BODY_MAX) {
        a2f_why(why, whysz, "request: larger than %d bytes",
                A2F_API_BODY_MAX);
        return A2F_ERR_TOOBIG;
    }

    rc = a2f_api_json_load(body, len, &root, why, whysz);

    if (rc != A2F_OK) {
        return rc;
    }

    for (i = 0; i < n; i++) {
        rc = a2f_api_json_field(root, &f[i], why, whysz);

        if (rc != A2F_OK) {
            break;
        }
    }

    json_decref(root);

    if (rc != A2F_OK) {
        a2f_api_json_reset(f, n);
    }

    return rc;
}


/*
 * One JSON object, duplicate keys and NUL refused, nothing after it.
 * The texts of jansson's errors are not copied: they quote the input.
 */

static int
a2f_api_json_load(const char *body, size_t len, json_t **root, char *why,
    size_t whysz)
{
    json_t        *r;
    json_error_t   err;

    *root = NULL;

    r = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);

    if (r == NULL) {
        switch (json_error_code(&err)) {

        case json_error_out_of_memory:
            a2f_why(why, whysz, "request: out of memory");
            return A2F_ERR_NOMEM;

        case json_error_duplicate_key:
            a2f_why(why, whysz, "request: duplicate key");
            break;

        case json_error_null_character:
        case json_error_null_byte_in_key:
            a2f_why(why, whysz, "request: NUL in a string");
            break;

        case json_error_end_of_input_expected:
            a2f_why(why, whysz, "request: data after the JSON");
            break;

        case json_error_stack_overflow:
            a2f_why(why, whysz, "request: nested too deep");
            break;

        case json_error_numeric_overflow:
            a2f_why(why, whysz, "request: number out of range");
            break;

        case json_error_invalid_utf8:
            a2f_why(why, whysz, "request: not UTF-8");
            break;

        default:
            a2f_why(why, whysz, "request: not valid JSON (near "
                    "byte %d)", err.position);
        }

        return A2F_ERR_INVALID;
    }

    if (!json_is_object(r)) {
        json_decref(r);
        a2f_why(why, whysz, "request: not a JSON object");
        return A2F_ERR_INVALID;
    }

    *root = r;

    return A2F_OK;
}


/* one wanted member: absent, or a string of 0..f->max bytes, no NUL */

static int
a2f_api_json_field(json_t *root, a2f_api_field_t *f, char *why,
    size_t whysz)
{
    size_t       n;
    json_t      *v;
    const char  *s;

    v = json_object_get(root, f->name);

    if (v == NULL) {
        if (f->required) {
            a2f_why(why, whysz, "request: \"%s\" missing", f->name);
            return A2F_ERR_INVALID;
        }

        return A2F_OK;
    }

    if (!json_is_string(v)) {
        a2f_why(why, whysz, "request: \"%s\" is not a string",
                f->name);
        return A2F_ERR_INVALID;
    }

    s = json_string_value(v);
    n = json_string_length(v);

    if (n > f->max) {
        a2f_why(why, whysz, "request: \"%s\" longer than %zu bytes",
                f->name, f->max);
        return A2F_ERR_TOOBIG;
    }

    /* jansson refuses \u0000 without JSON_ALLOW_NUL; and if it did not */

    if (memchr(s, '\0', n) != NULL) {
        a2f_why(why, whysz, "request: \"%s\" has a NUL", f->name);
        return A2F_ERR_INVALID;
    }

    memcpy(f->value, s, n);
    f->value[n] = '\0';
    f->len = n;
    f->present = 1;

    return A2F_OK;
}
