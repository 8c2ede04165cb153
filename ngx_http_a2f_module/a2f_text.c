
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_text.c: form bodies, %-coding, HTML escaping, redirect targets.
 * Every function is bounded by its length arguments and allocates nothing.
 */


#include <string.h>

#include "a2f_text.h"
#include "a2f_crypto.h"


static int a2f_text_next(const uint8_t **pp, const uint8_t *end);
static int a2f_text_field_valid(const uint8_t *p, const uint8_t *end);
static int a2f_text_names_eq(const uint8_t *a, const uint8_t *aend,
    const uint8_t *b, const uint8_t *bend);
static const uint8_t *a2f_text_name_end(const uint8_t *p,
    const uint8_t *end);
static int a2f_text_decode(const uint8_t *p, const uint8_t *end, char *out,
    size_t outsz, size_t *outlen);


static const char  a2f_text_hexdigits[] = "0123456789ABCDEF";


/*
 * Decode one form character at *pp ('+' is a space, %XX a byte) and
 * advance.  Returns the byte, or -1 for a bad %-sequence or a NUL.
 */

static int
a2f_text_next(const uint8_t **pp, const uint8_t *end)
{
    int             hi, lo, c;
    const uint8_t  *p;

    p = *pp;

    if (*p == '+') {
        *pp = p + 1;
        return ' ';
    }

    if (*p != '%') {
        *pp = p + 1;
        return *p == '\0' ? -1 : *p;
    }

    if (end - p < 3) {
        return -1;
    }

    hi = a2f_hex_digit(p[1]);
    lo = a2f_hex_digit(p[2]);

    if (hi < 0 || lo < 0) {
        return -1;
    }

    c = (hi << 4) | lo;

    *pp = p + 3;

    return c == 0 ? -1 : c;
}


/* one "name[=value]" field: raw bytes and %-sequences */

static int
a2f_text_field_valid(const uint8_t *p, const uint8_t *end)
{
    const uint8_t  *q;

    for (q = p; q < end; q++) {
        if (*q < 0x21 || *q == 0x7f) {
            return 0;
        }
    }

    while (p < end) {
        if (a2f_text_next(&p, end) < 0) {
            return 0;
        }
    }

    return 1;
}


static const uint8_t *
a2f_text_name_end(const uint8_t *p, const uint8_t *end)
{
    while (p < end && *p != '=') {
        p++;
    }

    return p;
}


/* compare two encoded names by their decoded bytes */

static int
a2f_text_names_eq(const uint8_t *a, const uint8_t *aend, const uint8_t *b,
    const uint8_t *bend)
{
    int  ca, cb;

    while (a < aend && b < bend) {
        ca = a2f_text_next(&a, aend);
        cb = a2f_text_next(&b, bend);

        if (ca < 0 || cb < 0 || ca != cb) {
            return 0;
        }
    }

    return a == aend && b == bend;
}


static int
a2f_text_decode(const uint8_t *p, const uint8_t *end, char *out,
    size_t outsz, size_t *outlen)
{
    int     c;
    size_t  o;

    if (outsz == 0) {
        return A2F_ERR_TOOBIG;
    }

    o = 0;

    while (p < end) {
        c = a2f_text_next(&p, end);

        if (c < 0) {
            out[0] = '\0';
            return A2F_ERR_INVALID;
        }

        if (o + 1 >= outsz) {
            out[0] = '\0';
            return A2F_ERR_TOOBIG;
        }

        out[o++] = (char) c;
    }

    out[o] = '\0';
    *outlen = o;

    return A2F_OK;
}


int
a2f_form_check(const char *body, size_t len, unsigned max_fields)
{
    size_t          n, i, j;
    const uint8_t  *p, *end, *s, *e, *ne, *t, *te, *tne;

    if (len == 0) {
        return A2F_OK;
    }

    if (body == NULL) {
        return A2F_ERR_INVALID;
    }

    p = (const uint8_t *) body;
    end = p + len;

    n = 1;

    for (s = p; s < end; s++) {
        if (*s == '&') {
            n++;

            if (n > max_fields) {
                return A2F_ERR_TOOBIG;
            }
        }
    }

    if (n > max_fields) {
        return A2F_ERR_TOOBIG;
    }

    /* each field, and its name against every earlier name */

    s = p;

    for (i = 0; i < n; i++) {
        e = memchr(s, '&', (size_t) (end - s));

        if (e == NULL) {
            e = end;
        }

        ne = a2f_text_name_end(s, e);

        if (ne == s || !a2f_text_field_valid(s, e)) {
            return A2F_ERR_INVALID;
        }

        t = p;

        for (j = 0; j < i; j++) {
            te = memchr(t, '&', (size_t) (end - t));

            if (te == NULL) {
                te = end;
            }

            tne = a2f_text_name_end(t, te);

            if (a2f_text_names_eq(s, ne, t, tne)) {
                return A2F_ERR_INVALID;
            }

            t = te + 1;
        }

        s = e + 1;
    }

    return A2F_OK;
}


int
a2f_form_get(const char *body, size_t len, const char *name, char *out,
    size_t outsz, size_t *outlen)
{
    size_t          nlen;
    const uint8_t  *p, *end, *s, *e, *ne;

    if (name == NULL) {
        return A2F_ERR_INVALID;
    }

    if (body == NULL || len == 0) {
        return A2F_ERR_NOTFOUND;
    }

    nlen = strlen(name);
    p = (const uint8_t *) body;
    end = p + len;

    for (s = p; /* void */; s = e + 1) {
        e = memchr(s, '&', (size_t) (end - s));

        if (e == NULL) {
            e = end;
        }

        ne = a2f_text_name_end(s, e);

        if (!a2f_text_field_valid(s, ne)) {
            return A2F_ERR_INVALID;
        }

        if (!a2f_text_names_eq(s, ne, (const uint8_t *) name,
                               (const uint8_t *) name + nlen))
        {
            if (e == end) {
                break;
            }

            continue;
        }

        if (ne == e) {
            /* "name" without '=': an empty value */
            return a2f_text_decode(ne, ne, out, outsz, outlen);
        }

        return a2f_text_decode(ne + 1, e, out, outsz, outlen);
    }

    return A2F_ERR_NOTFOUND;
}


int
a2f_url_unescape(const char *in, size_t len, char *out, size_t outsz,
    size_t *outlen)
{
    const uint8_t  *p;

    if (in == NULL && len != 0) {
        return A2F_ERR_INVALID;
    }

    p = (const uint8_t *) in;

    return a2f_text_decode(p, p + len, out, outsz, outlen);
}


size_t
a2f_url_escape(const char *in, size_t len, char *out, size_t outsz)
{
    size_t   i, o;
    uint8_t  c;

    o = 0;

    for (i = 0; i < len; i++) {
        c = (uint8_t) in[i];

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
            || c == '~')
        {
            if (outsz - o < 2) {
                goto toobig;
            }

            out[o++] = (char) c;
            continue;
        }

        if (outsz - o < 4) {
            goto toobig;
        }

        out[o++] = '%';
        out[o++] = a2f_text_hexdigits[c >> 4];
        out[o++] = a2f_text_hexdigits[c & 0x0f];
    }

    if (outsz - o < 1) {
        goto toobig;
    }

    out[o] = '\0';

    return o;

toobig:

    if (outsz > 0) {
        out[0] = '\0';
    }

    return 0;
}


size_t
a2f_html_escape_len(const char *in, size_t len)
{
    size_t  i, n;

    n = 0;

    for (i = 0; i < len; i++) {
        switch (in[i]) {
        case '&':
            n += 5;     /* &amp; */
            break;
        case '<':
        case '>':
            n += 4;     /* &lt; &gt; */
            break;
        case '"':
            n += 6;     /* &quot; */
            break;
        case '\'':
            n += 5;     /* &#39; */
            break;
        default:
            n++;
        }
    }

    return n;
}


size_t
a2f_html_escape(const char *in, size_t len, char *out, size_t outsz)
{
    size_t       i, o, n;
    const char  *rep;

    o = 0;

    for (i = 0; i < len; i++) {
        switch (in[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            rep = NULL;
        }

        n = rep != NULL ? strlen(rep) : 1;

        if (outsz - o < n + 1) {
            if (outsz > 0) {
                out[0] = '\0';
            }

            return 0;
        }

        if (rep != NULL) {
            memcpy(out + o, rep, n);

        } else {
            out[o] = in[i];
        }

        o += n;
    }

    if (outsz - o < 1) {
        return 0;
    }

    out[o] = '\0';

    return o;
}


/*
 * The raw target: '/' first, not "//" or "/\", printable ASCII only, no
 * space, no backslash.  Then the same text decoded once more (valid %XX
 * sequences only; anything else stays as it is): still one leading '/'
 * and no "//" or "/\" at the start, no control byte, and no backslash
 * before the query or fragment.
 */

int
a2f_rd_safe(const char *rd, size_t len)
{
    int             c, hi, lo, path;
    size_t          i, o;
    const uint8_t  *p;

    if (rd == NULL || len == 0 || len > A2F_RD_MAX) {
        return 0;
    }

    p = (const uint8_t *) rd;

    if (p[0] != '/' || (len > 1 && (p[1] == '/' || p[1] == '\\'))) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if (p[i] < 0x21 || p[i] >= 0x7f || p[i] == '\\') {
            return 0;
        }
    }

    /* one more decoding pass, streamed: o counts decoded bytes */

    path = 1;
    o = 0;

    for (i = 0; i < len; o++) {
        c = p[i];

        if (c == '?' || c == '#') {
            path = 0;
        }

        if (c == '%' && len - i >= 3) {
            hi = a2f_hex_digit(p[i + 1]);
            lo = a2f_hex_digit(p[i + 2]);

            if (hi >= 0 && lo >= 0) {
                c = (hi << 4) | lo;
                i += 2;
            }
        }

        i++;

        if (c < 0x20 || c == 0x7f) {
            return 0;
        }

        if (o == 1 && (c == '/' || c == '\\')) {
            return 0;
        }

        if (path && c == '\\') {
            return 0;
        }
    }

    return 1;
}


size_t
a2f_json_escape(const char *in, size_t len, char *out, size_t outsz)
{
    size_t          i, o;
    unsigned char   c;
    static const char  hex[] = "0123456789abcdef";

    o = 0;

    for (i = 0; i < len; i++) {
        c = (unsigned char) in[i];

        if (c == '"' || c == '\\') {
            if (o + 2 >= outsz) {
                return 0;
            }

            out[o++] = '\\';
            out[o++] = (char) c;
            continue;
        }

        if (c < 0x20) {
            if (o + 6 >= outsz) {
                return 0;
            }

            out[o++] = '\\';
            out[o++] = 'u';
            out[o++] = '0';
            out[o++] = '0';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 0x0f];
            continue;
        }

        if (o + 1 >= outsz) {
            return 0;
        }

        out[o++] = (char) c;
    }

    if (o >= outsz) {
        return 0;
    }

    out[o] = '\0';

    return o;
}
