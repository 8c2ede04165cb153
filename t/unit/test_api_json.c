
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * test_api_json.c: a2f_api_json.c: the JSON request bodies of the
 * auth2factor API.  The five body shapes of a2f_api_json.h, ignored
 * extras, every refusal of the contract, and after every call the
 * promises on the fields and on why.  Bodies and values live in heap
 * blocks of exactly their size, so that ASan sees any read past the body
 * or write past a value.
 */


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "a2f_api_json.h"
#include "a2f_test.h"


#define A2F_T_WHYSZ   128

/* put in values and bodies that must never reach why */
#define A2F_T_SECRET  "SECRETVALUE"


static a2f_api_field_t  a2f_t_f[A2F_API_FIELDS_MAX + 1];
static char             a2f_t_why[A2F_T_WHYSZ];


/* field i: a value of exactly max + 1 bytes, everything else stale */

static void
a2f_t_field(size_t i, const char *name, size_t max, unsigned required)
{
    a2f_api_field_t  *f;

    f = &a2f_t_f[i];

    free(f->value);

    f->name = name;
    f->max = max;
    f->required = required;
    f->value = malloc(max + 1);

    if (f->value == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }

    memset(f->value, 'v', max);
    f->value[max] = '\0';
    f->len = 12345;
    f->present = 7;
}


static void
a2f_t_clear(void)
{
    size_t  i;

    for (i = 0; i < sizeof(a2f_t_f) / sizeof(a2f_t_f[0]); i++) {
        free(a2f_t_f[i].value);
    }

    memset(a2f_t_f, 0, sizeof(a2f_t_f));
}


/* what the header promises of why and of f[0..n-1] after rc */

static int
a2f_t_sane(int rc, size_t n)
{
    size_t            i;
    a2f_api_field_t  *f;

    if (memchr(a2f_t_why, '\0', sizeof(a2f_t_why)) == NULL) {
        fprintf(stderr, "why is not NUL-terminated\n");
        return 0;
    }

    if ((rc == A2F_OK) != (a2f_t_why[0] == '\0')) {
        fprintf(stderr, "rc %d with why \"%s\"\n", rc, a2f_t_why);
        return 0;
    }

    if (strstr(a2f_t_why, A2F_T_SECRET) != NULL) {
        fprintf(stderr, "why \"%s\" has the value\n", a2f_t_why);
        return 0;
    }

    /* n out of range: f is left alone */

    if (n > A2F_API_FIELDS_MAX) {
        n = 0;
    }

    for (i = 0; i < n; i++) {
        f = &a2f_t_f[i];

        if (rc != A2F_OK || !f->present) {
            if (f->present != 0 || f->len != 0 || f->value[0] != '\0'
                || (rc == A2F_OK && f->required))
            {
                fprintf(stderr, "rc %d: field \"%s\" not reset\n", rc,
                        f->name);
                return 0;
            }

            continue;
        }

        if (f->present != 1 || f->len > f->max || f->value[f->len] != '\0'
            || strlen(f->value) != f->len)
        {
            fprintf(stderr, "field \"%s\" is not a string of %zu bytes\n",
                    f->name, f->len);
            return 0;
        }
    }

    return 1;
}


/* len bytes of body (copied to a block of exactly len) against n fields */

static int
a2f_t_run(const char *body, size_t len, size_t n)
{
    int    rc;
    char  *copy;

    copy = malloc(len ? len : 1);

    if (copy == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }

    memcpy(copy, body, len);
    memset(a2f_t_why, 'x', sizeof(a2f_t_why));

    rc = a2f_api_json_fields(copy, len, a2f_t_f, n, a2f_t_why,
                             sizeof(a2f_t_why));

    free(copy);

    CHECK(a2f_t_sane(rc, n));

    return rc;
}


static int
a2f_t_body(const char *body, size_t n)
{
    return a2f_t_run(body, strlen(body), n);
}


/* -- the shapes of a2f_api_json.h ------------------------------------------ */


static void
a2f_t_shapes(void)
{
    a2f_t_clear();
    a2f_t_field(0, "account", 255, 1);
    CHECK_RC(a2f_t_body("{\"account\": \"user@example.com\"}", 1), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "user@example.com");
    CHECK(a2f_t_f[0].len == 16 && a2f_t_f[0].present == 1);

    a2f_t_clear();
    a2f_t_field(0, "email", 255, 1);
    a2f_t_field(1, "password", 1024, 1);
    CHECK_RC(a2f_t_body("{\"email\": \"user@example.com\", "
                        "\"password\": \"p4ss w0rd\"}", 2), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "user@example.com");
    CHECK_STR(a2f_t_f[1].value, "p4ss w0rd");
    CHECK(a2f_t_f[1].len == 9 && a2f_t_f[1].present == 1);

    /* members in any order, any white space */

    CHECK_RC(a2f_t_body("\r\n\t {\"password\"\n:\"p\" ,\"email\":\"e\"}\n\t ",
                        2), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "e");
    CHECK_STR(a2f_t_f[1].value, "p");

    a2f_t_clear();
    a2f_t_field(0, "code", 6, 1);
    CHECK_RC(a2f_t_body("{\"code\": \"123456\"}", 1), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "123456");
    CHECK(a2f_t_f[0].len == 6 && a2f_t_f[0].present == 1);

    a2f_t_clear();
    a2f_t_field(0, "clientData", 2048, 1);
    a2f_t_field(1, "signatureData", 1024, 1);
    CHECK_RC(a2f_t_body("{\"clientData\": \"eyJ0eXAiOiJuYXZpZ2F0b3IuaWQuZ2"
                        "V0QXNzZXJ0aW9uIn0\", \"signatureData\": "
                        "\"AQAAAAUwRAIgZm9vYmFy\"}", 2), A2F_OK);
    CHECK_STR(a2f_t_f[0].value,
              "eyJ0eXAiOiJuYXZpZ2F0b3IuaWQuZ2V0QXNzZXJ0aW9uIn0");
    CHECK_STR(a2f_t_f[1].value, "AQAAAAUwRAIgZm9vYmFy");

    a2f_t_clear();
    a2f_t_field(0, "clientData", 2048, 1);
    a2f_t_field(1, "registrationData", 4096, 1);
    a2f_t_field(2, "description", 64, 0);
    CHECK_RC(a2f_t_body("{\"clientData\": \"Y2Q\", \"registrationData\": "
                        "\"BQR\", \"description\": \"my key\"}", 3), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "Y2Q");
    CHECK_STR(a2f_t_f[1].value, "BQR");
    CHECK_STR(a2f_t_f[2].value, "my key");
    CHECK(a2f_t_f[2].len == 6 && a2f_t_f[2].present == 1);

    /* the optional member absent */

    CHECK_RC(a2f_t_body("{\"clientData\": \"Y2Q\", \"registrationData\": "
                        "\"BQR\"}", 3), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "Y2Q");
    CHECK_STR(a2f_t_f[1].value, "BQR");
    CHECK_STR(a2f_t_f[2].value, "");
    CHECK(a2f_t_f[2].len == 0 && a2f_t_f[2].present == 0);

    /* every member optional, none there: {} is fine */

    a2f_t_clear();
    a2f_t_field(0, "a", 8, 0);
    a2f_t_field(1, "b", 8, 0);
    CHECK_RC(a2f_t_body("{}", 2), A2F_OK);
    CHECK(a2f_t_f[0].present == 0 && a2f_t_f[1].present == 0);

    /* the same member asked for twice */

    a2f_t_field(1, "a", 8, 1);
    CHECK_RC(a2f_t_body("{\"a\":\"x\"}", 2), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "x");
    CHECK_STR(a2f_t_f[1].value, "x");

    /* A2F_API_FIELDS_MAX at once */

    a2f_t_clear();
    a2f_t_field(0, "a", 1, 1);
    a2f_t_field(1, "b", 1, 1);
    a2f_t_field(2, "c", 1, 1);
    a2f_t_field(3, "d", 1, 1);
    a2f_t_field(4, "e", 1, 1);
    a2f_t_field(5, "f", 1, 1);
    a2f_t_field(6, "g", 1, 0);
    a2f_t_field(7, "h", 1, 1);
    CHECK_RC(a2f_t_body("{\"h\":\"8\",\"a\":\"1\",\"b\":\"2\",\"c\":\"3\","
                        "\"d\":\"4\",\"e\":\"5\",\"f\":\"6\"}",
                        A2F_API_FIELDS_MAX), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "1");
    CHECK_STR(a2f_t_f[5].value, "6");
    CHECK_STR(a2f_t_f[6].value, "");
    CHECK_STR(a2f_t_f[7].value, "8");
}


/* -- members --------------------------------------------------------------- */


static void
a2f_t_extras(void)
{
    a2f_t_clear();
    a2f_t_field(0, "account", 64, 1);

    /* ignored, whatever their type */

    CHECK_RC(a2f_t_body("{\"account\":\"u\",\"doRequestOtc\":true}", 1),
             A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "u");
    CHECK_RC(a2f_t_body("{\"doRequestOtc\":false,\"account\":\"u\"}", 1),
             A2F_OK);
    CHECK_RC(a2f_t_body("{\"account\":\"u\",\"n\":-12.5e3,\"i\":42}", 1),
             A2F_OK);
    CHECK_RC(a2f_t_body("{\"account\":\"u\",\"o\":{\"account\":1,"
                        "\"p\":{\"q\":[]}}}", 1), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "u");
    CHECK_RC(a2f_t_body("{\"a\":[1,\"two\",{\"account\":3},[null]],"
                        "\"account\":\"u\"}", 1), A2F_OK);
    CHECK_RC(a2f_t_body("{\"account\":\"u\",\"z\":null}", 1), A2F_OK);
    CHECK_RC(a2f_t_body("{\"account\":\"u\",\"s\":\"" A2F_T_SECRET "\"}",
                        1), A2F_OK);
    CHECK_RC(a2f_t_body("{\"Account\":1,\"account \":2,\"account\":\"u\"}",
                        1), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "u");

    /* an ignored member still has to be JSON that jansson takes */

    CHECK_RC(a2f_t_body("{\"account\":\"u\",\"n\":1e400}", 1),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"account\":\"u\",\"n\":99999999999999999999}",
                        1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"account\":\"u\",\"n\":NaN}", 1),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"account\":\"u\",\"s\":'x'}", 1),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"account\":\"u\",}", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"account\":\"u\",\"a\":[1,]}", 1),
             A2F_ERR_INVALID);
}


static void
a2f_t_types(void)
{
    size_t  i;

    static const char  *bodies[] = {
        "{\"code\":123456}",
        "{\"code\":1.5}",
        "{\"code\":null}",
        "{\"code\":true}",
        "{\"code\":false}",
        "{\"code\":{}}",
        "{\"code\":{\"code\":\"1\"}}",
        "{\"code\":[]}",
        "{\"code\":[\"1\"]}",
    };

    a2f_t_clear();
    a2f_t_field(0, "code", 6, 1);

    for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        CHECK_RC(a2f_t_body(bodies[i], 1), A2F_ERR_INVALID);
        CHECK_STR(a2f_t_why, "request: \"code\" is not a string");
    }

    /* optional or not */

    a2f_t_field(0, "code", 6, 0);

    for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        CHECK_RC(a2f_t_body(bodies[i], 1), A2F_ERR_INVALID);
    }

    /* a good member before a bad one: reset all the same */

    a2f_t_field(0, "code", 6, 1);
    a2f_t_field(1, "other", 6, 0);
    CHECK_RC(a2f_t_body("{\"code\":\"123456\",\"other\":7}", 2),
             A2F_ERR_INVALID);
    CHECK_STR(a2f_t_why, "request: \"other\" is not a string");
}


static void
a2f_t_duplicates(void)
{
    a2f_t_clear();
    a2f_t_field(0, "code", 6, 1);

    CHECK_RC(a2f_t_body("{\"code\":\"111111\",\"code\":\"222222\"}", 1),
             A2F_ERR_INVALID);
    CHECK_STR(a2f_t_why, "request: duplicate key");
    CHECK_RC(a2f_t_body("{\"code\":\"111111\",\"code\":\"111111\"}", 1),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"code\":\"" A2F_T_SECRET "\",\"code\":1}", 1),
             A2F_ERR_INVALID);

    /* among ignored members, and in a nested object */

    CHECK_RC(a2f_t_body("{\"x\":1,\"code\":\"1\",\"x\":true}", 1),
             A2F_ERR_INVALID);
    CHECK_STR(a2f_t_why, "request: duplicate key");
    CHECK_RC(a2f_t_body("{\"code\":\"1\",\"o\":{\"k\":1,\"k\":1}}", 1),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"code\":\"1\",\"a\":[{\"k\":1,\"k\":2}]}", 1),
             A2F_ERR_INVALID);

    /* the same key spelt with an escape */

    CHECK_RC(a2f_t_body("{\"code\":\"1\",\"co\\u0064e\":\"2\"}", 1),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"co\\u0064e\":\"123\"}", 1), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "123");

    /* the same key in two objects is no duplicate */

    CHECK_RC(a2f_t_body("{\"code\":\"1\",\"o\":{\"code\":2}}", 1), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "1");
}


static void
a2f_t_required(void)
{
    a2f_t_clear();
    a2f_t_field(0, "email", 64, 1);
    a2f_t_field(1, "password", 64, 1);

    /* email is copied first, then password is found missing */

    CHECK_RC(a2f_t_body("{\"email\":\"e@x\"}", 2), A2F_ERR_INVALID);
    CHECK_STR(a2f_t_why, "request: \"password\" missing");
    CHECK_RC(a2f_t_body("{\"password\":\"p\"}", 2), A2F_ERR_INVALID);
    CHECK_STR(a2f_t_why, "request: \"email\" missing");
    CHECK_RC(a2f_t_body("{}", 2), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"Email\":\"e\",\"password\":\"p\"}", 2),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"email\":\"e\",\"o\":{\"password\":\"p\"}}", 2),
             A2F_ERR_INVALID);

    /* the optional one absent, the required one there */

    a2f_t_field(0, "email", 64, 0);
    CHECK_RC(a2f_t_body("{\"password\":\"p\"}", 2), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "");
    CHECK(a2f_t_f[0].len == 0 && a2f_t_f[0].present == 0);
    CHECK_STR(a2f_t_f[1].value, "p");
}


/* -- lengths and strings --------------------------------------------------- */


static void
a2f_t_lengths(void)
{
    char    body[128];
    size_t  max;

    a2f_t_clear();

    /* exactly max bytes, and max + 1 */

    a2f_t_field(0, "code", 6, 1);
    CHECK_RC(a2f_t_body("{\"code\":\"123456\"}", 1), A2F_OK);
    CHECK_RC(a2f_t_body("{\"code\":\"1234567\"}", 1), A2F_ERR_TOOBIG);
    CHECK_STR(a2f_t_why, "request: \"code\" longer than 6 bytes");

    /* max 1 */

    a2f_t_field(0, "code", 1, 1);
    CHECK_RC(a2f_t_body("{\"code\":\"1\"}", 1), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "1");
    CHECK_RC(a2f_t_body("{\"code\":\"12\"}", 1), A2F_ERR_TOOBIG);

    /* bytes, not characters: U+00E9 is two */

    CHECK_RC(a2f_t_body("{\"code\":\"\\u00e9\"}", 1), A2F_ERR_TOOBIG);
    a2f_t_field(0, "code", 2, 1);
    CHECK_RC(a2f_t_body("{\"code\":\"\\u00e9\"}", 1), A2F_OK);
    CHECK_RC(a2f_t_body("{\"code\":\"\xc3\xa9\"}", 1), A2F_OK);
    CHECK_RC(a2f_t_body("{\"code\":\"\\u00e9e\"}", 1), A2F_ERR_TOOBIG);

    /* and after the escapes are decoded: six bytes of text, one byte */

    a2f_t_field(0, "code", 1, 1);
    CHECK_RC(a2f_t_body("{\"code\":\"\\u0041\"}", 1), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "A");
    CHECK_RC(a2f_t_body("{\"code\":\"\\n\"}", 1), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "\n");

    /* the empty string is present, with 0 bytes */

    a2f_t_field(0, "code", 6, 1);
    CHECK_RC(a2f_t_body("{\"code\":\"\"}", 1), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "");
    CHECK(a2f_t_f[0].len == 0 && a2f_t_f[0].present == 1);

    /* the value too long, and why without it */

    CHECK_RC(a2f_t_body("{\"code\":\"" A2F_T_SECRET "\"}", 1),
             A2F_ERR_TOOBIG);
    CHECK(strstr(a2f_t_why, "\"code\"") != NULL);

    /* every max from 1 to 40 against a value of 20 bytes */

    (void) snprintf(body, sizeof(body), "{\"v\":\"%s\"}",
                    "abcdefghijklmnopqrst");

    for (max = 1; max <= 40; max++) {
        a2f_t_field(0, "v", max, 1);
        CHECK_RC(a2f_t_body(body, 1), max >= 20 ? A2F_OK : A2F_ERR_TOOBIG);
    }
}


static void
a2f_t_unicode(void)
{
    a2f_t_clear();
    a2f_t_field(0, "s", 16, 1);

    CHECK_RC(a2f_t_body("{\"s\":\"caf\\u00e9\"}", 1), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "caf\xc3\xa9");
    CHECK(a2f_t_f[0].len == 5);
    CHECK_RC(a2f_t_body("{\"s\":\"\\u20AC\"}", 1), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "\xe2\x82\xac");
    CHECK_RC(a2f_t_body("{\"s\":\"\\ud83d\\ude00\"}", 1), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "\xf0\x9f\x98\x80");
    CHECK(a2f_t_f[0].len == 4);
    CHECK_RC(a2f_t_body("{\"s\":\"\xf0\x9f\x98\x80\"}", 1), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "\xf0\x9f\x98\x80");
    CHECK_RC(a2f_t_body("{\"s\":\"\\\"\\\\\\/\\b\\f\\r\\t\"}", 1), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "\"\\/\b\f\r\t");

    /* NUL: escaped, raw, in a key */

    CHECK_RC(a2f_t_body("{\"s\":\"\\u0000\"}", 1), A2F_ERR_INVALID);
    CHECK_STR(a2f_t_why, "request: NUL in a string");
    CHECK_RC(a2f_t_body("{\"s\":\"a\\u0000b\"}", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"s\":\"a\",\"x\":\"\\u0000\"}", 1),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"s\":\"a\",\"x\\u0000\":1}", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"s\\u0000\":\"a\"}", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_run("{\"s\":\"a\0b\"}", 10, 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_run("{\"s\":\"a\"}\0", 10, 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_run("\0{\"s\":\"a\"}", 10, 1), A2F_ERR_INVALID);

    /* not UTF-8, lone surrogates, raw control bytes, bad escapes */

    CHECK_RC(a2f_t_body("{\"s\":\"\xff\"}", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"s\":\"\xc3\"}", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"s\":\"\xc0\xaf\"}", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"s\":\"\xed\xa0\x80\"}", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"s\":\"a\",\"\xfe\":1}", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"s\":\"\\ud83d\"}", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"s\":\"\\ude00\"}", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"s\":\"\\ud83dx\"}", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"s\":\"a\nb\"}", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"s\":\"a\tb\"}", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"s\":\"\\x41\"}", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"s\":\"\\u00g0\"}", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"s\":\"\\u00e\"}", 1), A2F_ERR_INVALID);

    /* DEL is no control character to JSON */

    CHECK_RC(a2f_t_body("{\"s\":\"\x7f\"}", 1), A2F_OK);
}


/* -- bodies ---------------------------------------------------------------- */


static void
a2f_t_not_objects(void)
{
    size_t  i;

    static const char  *bodies[] = {
        "[]", "[{\"code\":\"1\"}]", "\"x\"", "\"{\\\"code\\\":\\\"1\\\"}\"",
        "1", "-0", "null", "true", "false", " ", "\n", "{", "}", "{]", "[}",
        "{\"code\"}", "{\"code\":}", "{\"code\" \"1\"}", "{code:\"1\"}",
        "{'code':'1'}", "{\"code\":\"1\";}", "{\"code\":\"1\"",
        "{\"code\":\"1}", "\xef\xbb\xbf{\"code\":\"1\"}",
        "/**/{\"code\":\"1\"}",
    };

    a2f_t_clear();
    a2f_t_field(0, "code", 6, 0);

    for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        CHECK_RC(a2f_t_body(bodies[i], 1), A2F_ERR_INVALID);
    }

    CHECK_RC(a2f_t_body("[]", 1), A2F_ERR_INVALID);
    CHECK_STR(a2f_t_why, "request: not a JSON object");

    /* the empty body */

    CHECK_RC(a2f_t_body("", 1), A2F_ERR_INVALID);
    CHECK_STR(a2f_t_why, "request: empty");
}


static void
a2f_t_trailing(void)
{
    a2f_t_clear();
    a2f_t_field(0, "code", 6, 1);

    CHECK_RC(a2f_t_body("{\"code\":\"1\"}x", 1), A2F_ERR_INVALID);
    CHECK_STR(a2f_t_why, "request: data after the JSON");
    CHECK_RC(a2f_t_body("{\"code\":\"1\"}{}", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"code\":\"1\"} {\"code\":\"2\"}", 1),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"code\":\"1\"}}", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"code\":\"1\"},", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"code\":\"1\"}\n1", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"code\":\"1\"}\x0c", 1), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_body("{\"code\":\"1\"}//", 1), A2F_ERR_INVALID);

    /* white space is fine */

    CHECK_RC(a2f_t_body("{\"code\":\"1\"} \t\r\n", 1), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "1");
}


/* every proper prefix of a good body is refused, and none crashes */

static void
a2f_t_truncated(void)
{
    int          rc, ok;
    size_t       i, n;
    const char  *body;

    a2f_t_clear();
    a2f_t_field(0, "clientData", 64, 1);
    a2f_t_field(1, "registrationData", 64, 1);
    a2f_t_field(2, "description", 16, 0);

    body = "{\"clientData\":\"caf\\u00e9 \\ud83d\\ude00\", "
           "\"registrationData\" : \"BQR\",\"x\":[1,-2.5e1,{\"y\":null}],"
           "\"t\":true,\"f\":false,\"description\":\"my key\"}";
    n = strlen(body);
    ok = 1;

    for (i = 0; i < n; i++) {
        rc = a2f_t_run(body, i, 3);

        if (rc == A2F_OK) {
            fprintf(stderr, "first %zu bytes accepted\n", i);
            ok = 0;
        }
    }

    CHECK(ok);
    CHECK_RC(a2f_t_run(body, n, 3), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "caf\xc3\xa9 \xf0\x9f\x98\x80");
    CHECK_STR(a2f_t_f[1].value, "BQR");
    CHECK_STR(a2f_t_f[2].value, "my key");
}


static void
a2f_t_body_max(void)
{
    char    *body;
    size_t   n;

    a2f_t_clear();
    a2f_t_field(0, "code", 6, 1);

    body = malloc(A2F_API_BODY_MAX + 2);

    if (body == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }

    /* {"code":"1","pad":"ppp..."} of exactly A2F_API_BODY_MAX bytes */

    n = (size_t) snprintf(body, A2F_API_BODY_MAX + 2,
                          "{\"code\":\"1\",\"pad\":\"");
    memset(body + n, 'p', A2F_API_BODY_MAX - n - 2);
    memcpy(body + A2F_API_BODY_MAX - 2, "\"}", 2);
    CHECK_RC(a2f_t_run(body, A2F_API_BODY_MAX, 1), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "1");

    /* one more byte, even white space */

    body[A2F_API_BODY_MAX] = ' ';
    CHECK_RC(a2f_t_run(body, A2F_API_BODY_MAX + 1, 1), A2F_ERR_TOOBIG);
    CHECK_STR(a2f_t_why, "request: larger than 24576 bytes");

    /* not even looked at: not JSON, still TOOBIG */

    memset(body, '[', A2F_API_BODY_MAX + 1);
    CHECK_RC(a2f_t_run(body, A2F_API_BODY_MAX + 1, 1), A2F_ERR_TOOBIG);
    CHECK_RC(a2f_api_json_fields(body, (size_t) -1, a2f_t_f, 1, NULL, 0),
             A2F_ERR_TOOBIG);

    /* a value of A2F_API_BODY_MAX - 10 bytes with a bound as large */

    a2f_t_field(0, "v", A2F_API_BODY_MAX, 1);
    memcpy(body, "{\"v\":\"", 6);
    memset(body + 6, 'w', A2F_API_BODY_MAX - 8);
    memcpy(body + A2F_API_BODY_MAX - 2, "\"}", 2);
    CHECK_RC(a2f_t_run(body, A2F_API_BODY_MAX, 1), A2F_OK);
    CHECK(a2f_t_f[0].len == A2F_API_BODY_MAX - 8);

    free(body);
}


static void
a2f_t_deep(void)
{
    int      rc;
    char    *body;
    size_t   i, n, d;

    a2f_t_clear();
    a2f_t_field(0, "code", 6, 1);

    body = malloc(A2F_API_BODY_MAX);

    if (body == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }

    /* 10000 '[' in an ignored member, unclosed and closed */

    n = (size_t) snprintf(body, A2F_API_BODY_MAX, "{\"code\":\"1\",\"x\":");
    memset(body + n, '[', 10000);
    CHECK_RC(a2f_t_run(body, n + 10000, 1), A2F_ERR_INVALID);

    memset(body + n + 10000, ']', 10000);
    body[n + 20000] = '}';
    rc = a2f_t_run(body, n + 20001, 1);
    CHECK_RC(rc, A2F_ERR_INVALID);
    CHECK_STR(a2f_t_why, "request: nested too deep");

    /* and at the top */

    memset(body, '[', 10000);
    CHECK_RC(a2f_t_run(body, 10000, 1), A2F_ERR_INVALID);

    /* objects in objects */

    n = 0;

    for (i = 0; i < 4000; i++) {
        memcpy(body + n, "{\"a\":", 5);
        n += 5;
    }

    CHECK_RC(a2f_t_run(body, n, 1), A2F_ERR_INVALID);

    /* 2000 deep is within jansson's bound: fine */

    n = (size_t) snprintf(body, A2F_API_BODY_MAX, "{\"x\":");
    d = 2000;
    memset(body + n, '[', d);
    n += d;
    memset(body + n, ']', d);
    n += d;
    memcpy(body + n, ",\"code\":\"1\"}", 12);
    n += 12;
    CHECK_RC(a2f_t_run(body, n, 1), A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "1");

    free(body);
}


/* -- arguments ------------------------------------------------------------- */


static void
a2f_t_arguments(void)
{
    int               rc;
    char              why[16], v[8];
    a2f_api_field_t   g;
    const char       *body;

    body = "{\"code\":\"1\"}";

    a2f_t_clear();
    a2f_t_field(0, "code", 6, 1);

    /* NULL body, NULL fields, n out of range */

    CHECK_RC(a2f_t_run(body, strlen(body), 1), A2F_OK);

    memset(a2f_t_why, 'x', sizeof(a2f_t_why));
    rc = a2f_api_json_fields(NULL, 12, a2f_t_f, 1, a2f_t_why,
                             sizeof(a2f_t_why));
    CHECK_RC(rc, A2F_ERR_INVALID);
    CHECK(a2f_t_sane(rc, 1));

    memset(a2f_t_why, 'x', sizeof(a2f_t_why));
    rc = a2f_api_json_fields(body, strlen(body), NULL, 1, a2f_t_why,
                             sizeof(a2f_t_why));
    CHECK_RC(rc, A2F_ERR_INVALID);
    CHECK(a2f_t_sane(rc, 0));

    CHECK_RC(a2f_t_run(body, strlen(body), 0), A2F_ERR_INVALID);

    /* n out of range: f is left alone */

    a2f_t_field(0, "code", 6, 1);
    CHECK_RC(a2f_t_run(body, strlen(body), A2F_API_FIELDS_MAX + 1),
             A2F_ERR_INVALID);
    CHECK(a2f_t_f[0].present == 7 && a2f_t_f[0].len == 12345);
    CHECK_RC(a2f_api_json_fields(body, strlen(body), a2f_t_f, (size_t) -1,
                                 NULL, 0), A2F_ERR_INVALID);

    /* a field without a name, a value or a bound */

    a2f_t_field(0, "code", 6, 1);
    a2f_t_field(1, "other", 6, 0);
    a2f_t_f[1].name = NULL;
    CHECK_RC(a2f_t_run(body, strlen(body), 2), A2F_ERR_INVALID);
    a2f_t_f[1].name = "other";

    a2f_t_f[1].max = 0;
    CHECK_RC(a2f_t_run(body, strlen(body), 2), A2F_ERR_INVALID);
    a2f_t_f[1].max = 6;
    CHECK_RC(a2f_t_run(body, strlen(body), 2), A2F_OK);

    /* (a2f_t_sane() needs values: not through a2f_t_run) */

    g.name = "code";
    g.max = 6;
    g.required = 1;
    g.value = NULL;
    g.len = 3;
    g.present = 1;
    CHECK_RC(a2f_api_json_fields(body, strlen(body), &g, 1, NULL, 0),
             A2F_ERR_INVALID);
    CHECK(g.value == NULL && g.len == 0 && g.present == 0);

    /* why: NULL, size 0, short */

    g.value = v;
    CHECK_RC(a2f_api_json_fields(body, strlen(body), &g, 1, NULL, 0),
             A2F_OK);
    CHECK_STR(v, "1");
    CHECK_RC(a2f_api_json_fields("[]", 2, &g, 1, NULL, 0), A2F_ERR_INVALID);
    CHECK(v[0] == '\0' && g.len == 0 && g.present == 0);

    memset(why, 'x', sizeof(why));
    CHECK_RC(a2f_api_json_fields("[]", 2, &g, 1, why, 0), A2F_ERR_INVALID);
    CHECK(why[0] == 'x');

    CHECK_RC(a2f_api_json_fields("[]", 2, &g, 1, why, 1), A2F_ERR_INVALID);
    CHECK(why[0] == '\0' && why[1] == 'x');

    CHECK_RC(a2f_api_json_fields("[]", 2, &g, 1, why, 8), A2F_ERR_INVALID);
    CHECK_STR(why, "request");
    CHECK(why[8] == 'x');

    memset(why, 'x', sizeof(why));
    CHECK_RC(a2f_api_json_fields(body, strlen(body), &g, 1, why,
                                 sizeof(why)), A2F_OK);
    CHECK_STR(why, "");
}


/* -- out of memory --------------------------------------------------------- */


static unsigned long  a2f_t_allocs;


/* jansson's allocator: a2f_t_allocs more blocks, then none */

static void *
a2f_t_malloc(size_t size)
{
    if (a2f_t_allocs == 0) {
        return NULL;
    }

    a2f_t_allocs--;

    return malloc(size);
}


static void
a2f_t_nomem(void)
{
    int            rc, ok;
    unsigned long  k;
    const char    *body;

    a2f_t_clear();
    a2f_t_field(0, "clientData", 64, 1);
    a2f_t_field(1, "description", 64, 0);

    body = "{\"clientData\":\"cd\",\"x\":[1,{\"y\":\"z\"}],"
           "\"description\":\"d\"}";

    json_set_alloc_funcs(a2f_t_malloc, free);

    /*
     * every allocation in turn fails: refused, never a crash or a leak.
     * jansson 2.14 reports none as json_error_out_of_memory: a failed
     * allocation in its parser is a parse error, A2F_ERR_INVALID.
     */

    ok = 1;

    for (k = 0; k < 1000; k++) {
        a2f_t_allocs = k;
        rc = a2f_t_body(body, 2);

        if (rc == A2F_OK) {
            break;
        }

        if (rc != A2F_ERR_NOMEM && rc != A2F_ERR_INVALID) {
            fprintf(stderr, "%lu allocations: rc %d\n", k, rc);
            ok = 0;
        }
    }

    json_set_alloc_funcs(malloc, free);

    CHECK(ok);
    CHECK(k > 0 && k < 1000);
    CHECK_RC(rc, A2F_OK);
    CHECK_STR(a2f_t_f[0].value, "cd");
    CHECK_STR(a2f_t_f[1].value, "d");
}


/* why names the member, never the value */

static void
a2f_t_why_value(void)
{
    size_t  i;

    static const char  *bodies[] = {
        "{\"code\":\"" A2F_T_SECRET "\"}",
        "{\"code\":\"" A2F_T_SECRET "\",\"code\":\"1\"}",
        "{\"code\":\"" A2F_T_SECRET "\"}" A2F_T_SECRET,
        "{\"code\":\"" A2F_T_SECRET "\\u0000\"}",
        "{\"code\":\"" A2F_T_SECRET "\x01\"}",
        "{\"code\":\"" A2F_T_SECRET "\xff\"}",
        "{\"code\":\"" A2F_T_SECRET,
        "{\"code\":" A2F_T_SECRET "}",
        "{\"code\":[\"" A2F_T_SECRET "\"]}",
        "{\"" A2F_T_SECRET "\":1,\"" A2F_T_SECRET "\":2}",
        "[\"" A2F_T_SECRET "\"]",
        A2F_T_SECRET,
    };

    a2f_t_clear();
    a2f_t_field(0, "code", 6, 1);

    for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        /* a2f_t_run() checks why for A2F_T_SECRET */
        CHECK(a2f_t_body(bodies[i], 1) != A2F_OK);
        CHECK(a2f_t_why[0] != '\0');
    }

    CHECK_RC(a2f_t_body(bodies[0], 1), A2F_ERR_TOOBIG);
    CHECK_STR(a2f_t_why, "request: \"code\" longer than 6 bytes");
}


int
main(int argc, char **argv)
{
    a2f_t_shapes();
    a2f_t_extras();
    a2f_t_types();
    a2f_t_duplicates();
    a2f_t_required();
    a2f_t_lengths();
    a2f_t_unicode();
    a2f_t_not_objects();
    a2f_t_trailing();
    a2f_t_truncated();
    a2f_t_body_max();
    a2f_t_deep();
    a2f_t_arguments();
    a2f_t_why_value();
    a2f_t_nomem();

    a2f_t_clear();

    return a2f_test_done(argv[0]);
}
