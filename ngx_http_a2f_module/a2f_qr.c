
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_qr.c: otpauth:// URIs and QR codes (libqrencode) for terminals
 * and pages.
 */


#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <qrencode.h>

#include "a2f_qr.h"


#define A2F_QR_QUIET   4


typedef struct {
    char    *p;
    size_t   size;
    size_t   len;
    int      full;
} a2f_qr_buf_t;


static void a2f_qr_add(a2f_qr_buf_t *b, const char *s, size_t n);
static void a2f_qr_adds(a2f_qr_buf_t *b, const char *s);
static void a2f_qr_addu(a2f_qr_buf_t *b, unsigned long v);
static void a2f_qr_escape(a2f_qr_buf_t *b, const char *s, size_t n);
static QRcode *a2f_qr_encode(const char *text, int *rc);
static int a2f_qr_dark(const QRcode *qr, int x, int y);


static const char  a2f_qr_hex[] = "0123456789ABCDEF";


static void
a2f_qr_add(a2f_qr_buf_t *b, const char *s, size_t n)
{
    if (b->full || b->size - b->len <= n) {
        b->full = 1;
        return;
    }

    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}


static void
a2f_qr_adds(a2f_qr_buf_t *b, const char *s)
{
    a2f_qr_add(b, s, strlen(s));
}


static void
a2f_qr_addu(a2f_qr_buf_t *b, unsigned long v)
{
    char  num[24];
    int   n;

    n = snprintf(num, sizeof(num), "%lu", v);

    a2f_qr_add(b, num, (size_t) n);
}


/* %-encode all but RFC 3986 unreserved characters */

static void
a2f_qr_escape(a2f_qr_buf_t *b, const char *s, size_t n)
{
    char           enc[3];
    size_t         i;
    unsigned char  c;

    for (i = 0; i < n; i++) {
        c = (unsigned char) s[i];

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9')
            || c == '-' || c == '.' || c == '_' || c == '~')
        {
            a2f_qr_add(b, &s[i], 1);
            continue;
        }

        enc[0] = '%';
        enc[1] = a2f_qr_hex[c >> 4];
        enc[2] = a2f_qr_hex[c & 0x0f];

        a2f_qr_add(b, enc, 3);
    }
}


size_t
a2f_otpauth_uri(const char *issuer, const char *user, size_t ulen,
    const uint8_t *secret, size_t slen, a2f_hash_t alg, unsigned digits,
    unsigned period, char *out, size_t outsz)
{
    char          b32[(A2F_TOTP_SECRET_MAX * 8 + 4) / 5 + 1];
    size_t        n;
    const char   *name;
    a2f_qr_buf_t  b;

    if (out == NULL || outsz == 0) {
        return 0;
    }

    out[0] = '\0';

    if (issuer == NULL || issuer[0] == '\0' || user == NULL || ulen == 0
        || secret == NULL || slen == 0 || slen > A2F_TOTP_SECRET_MAX)
    {
        return 0;
    }

    name = a2f_hash_name(alg);
    if (name == NULL) {
        return 0;
    }

    n = a2f_base32_encode(secret, slen, 0, b32, sizeof(b32));
    if (n == 0) {
        return 0;
    }

    b.p = out;
    b.size = outsz;
    b.len = 0;
    b.full = 0;

    a2f_qr_adds(&b, "otpauth://totp/");
    a2f_qr_escape(&b, issuer, strlen(issuer));
    a2f_qr_adds(&b, ":");
    a2f_qr_escape(&b, user, ulen);
    a2f_qr_adds(&b, "?secret=");
    a2f_qr_add(&b, b32, n);
    a2f_qr_adds(&b, "&issuer=");
    a2f_qr_escape(&b, issuer, strlen(issuer));
    a2f_qr_adds(&b, "&algorithm=");
    a2f_qr_adds(&b, name);
    a2f_qr_adds(&b, "&digits=");
    a2f_qr_addu(&b, digits);
    a2f_qr_adds(&b, "&period=");
    a2f_qr_addu(&b, period);

    memset(b32, 0, sizeof(b32));

    if (b.full) {
        memset(out, 0, outsz);
        return 0;
    }

    return b.len;
}


static QRcode *
a2f_qr_encode(const char *text, int *rc)
{
    QRcode  *qr;

    if (text == NULL || text[0] == '\0') {
        *rc = A2F_ERR_INVALID;
        return NULL;
    }

    errno = 0;

    qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);

    if (qr == NULL) {
        *rc = (errno == ENOMEM) ? A2F_ERR_NOMEM
                                : (errno == ERANGE) ? A2F_ERR_TOOBIG
                                                    : A2F_ERR_INVALID;
        return NULL;
    }

    *rc = A2F_OK;

    return qr;
}


/* is module (x, y) dark; coordinates include the quiet zone */

static int
a2f_qr_dark(const QRcode *qr, int x, int y)
{
    x -= A2F_QR_QUIET;
    y -= A2F_QR_QUIET;

    if (x < 0 || y < 0 || x >= qr->width || y >= qr->width) {
        return 0;
    }

    return qr->data[y * qr->width + x] & 1;
}


int
a2f_qr_terminal(FILE *out, const char *text)
{
    int          rc, x, y, w, top, bottom;
    QRcode      *qr;
    const char  *s;

    qr = a2f_qr_encode(text, &rc);
    if (qr == NULL) {
        return rc;
    }

    w = qr->width + 2 * A2F_QR_QUIET;
    rc = A2F_OK;

    for (y = 0; y < w; y += 2) {

        for (x = 0; x < w; x++) {

            /* light modules are drawn; the row past the last is light */

            top = !a2f_qr_dark(qr, x, y);
            bottom = !a2f_qr_dark(qr, x, y + 1);

            if (top && bottom) {
                s = "\xe2\x96\x88";             /* U+2588 full block  */

            } else if (top) {
                s = "\xe2\x96\x80";             /* U+2580 upper half  */

            } else if (bottom) {
                s = "\xe2\x96\x84";             /* U+2584 lower half  */

            } else {
                s = " ";
            }

            if (fputs(s, out) == EOF) {
                rc = A2F_ERR_STORAGE;
            }
        }

        if (fputc('\n', out) == EOF) {
            rc = A2F_ERR_STORAGE;
        }
    }

    QRcode_free(qr);

    if (fflush(out) == EOF) {
        rc = A2F_ERR_STORAGE;
    }

    return rc;
}


size_t
a2f_qr_svg(const char *text, char *out, size_t outsz)
{
    int           rc, x, y, w, run;
    QRcode       *qr;
    a2f_qr_buf_t  b;

    if (out == NULL || outsz == 0) {
        return 0;
    }

    out[0] = '\0';

    qr = a2f_qr_encode(text, &rc);
    if (qr == NULL) {
        return 0;
    }

    w = qr->width + 2 * A2F_QR_QUIET;

    b.p = out;
    b.size = outsz;
    b.len = 0;
    b.full = 0;

    a2f_qr_adds(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                    "viewBox=\"0 0 ");
    a2f_qr_addu(&b, (unsigned long) w);
    a2f_qr_adds(&b, " ");
    a2f_qr_addu(&b, (unsigned long) w);
    a2f_qr_adds(&b, "\" width=\"100%\" height=\"100%\" "
                    "shape-rendering=\"crispEdges\">"
                    "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
                    "<path fill=\"#000\" d=\"");

    for (y = A2F_QR_QUIET; y < w - A2F_QR_QUIET; y++) {
        x = A2F_QR_QUIET;

        while (x < w - A2F_QR_QUIET) {

            if (!a2f_qr_dark(qr, x, y)) {
                x++;
                continue;
            }

            for (run = 1; a2f_qr_dark(qr, x + run, y); run++) {
                /* void */
            }

            a2f_qr_adds(&b, "M");
            a2f_qr_addu(&b, (unsigned long) x);
            a2f_qr_adds(&b, " ");
            a2f_qr_addu(&b, (unsigned long) y);
            a2f_qr_adds(&b, "h");
            a2f_qr_addu(&b, (unsigned long) run);
            a2f_qr_adds(&b, "v1h-");
            a2f_qr_addu(&b, (unsigned long) run);
            a2f_qr_adds(&b, "z");

            x += run;
        }
    }

    a2f_qr_adds(&b, "\"/></svg>");

    QRcode_free(qr);

    if (b.full) {
        out[0] = '\0';
        return 0;
    }

    return b.len;
}
