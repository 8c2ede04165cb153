
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * test_qr.c: a2f_qr.c: otpauth:// URIs, the terminal QR code and the SVG.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "a2f_qr.h"
#include "a2f_test.h"


static void
a2f_t_uri(void)
{
    char    *small, out[A2F_URI_MAX];
    size_t   n, i;
    uint8_t  s20[20], s11[11];

    memcpy(s20, "12345678901234567890", 20);
    memcpy(s11, "12345678901", 11);

    /* space, '@', ':' and a two-byte UTF-8 character */

    n = a2f_otpauth_uri("Big Corp:IT", "j\xc3\xa9@x y", 7, s20, 20,
                        A2F_SHA1, 6, 30, out, sizeof(out));
    CHECK_STR(out,
              "otpauth://totp/Big%20Corp%3AIT:j%C3%A9%40x%20y"
              "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
              "&issuer=Big%20Corp%3AIT&algorithm=SHA1&digits=6&period=30");
    CHECK(n == strlen(out));

    /* unreserved characters stay; no '=' padding on the secret */

    n = a2f_otpauth_uri("a-b.c_d~e", "Zz09-._~", 8, s11, 11, A2F_SHA256, 8,
                        60, out, sizeof(out));
    CHECK_STR(out,
              "otpauth://totp/a-b.c_d~e:Zz09-._~"
              "?secret=GEZDGNBVGY3TQOJQGE"
              "&issuer=a-b.c_d~e&algorithm=SHA256&digits=8&period=60");
    CHECK(strchr(out, '=') != NULL && strstr(out, "==") == NULL);

    n = a2f_otpauth_uri("a2f", "bob", 3, s20, 20, A2F_SHA512, 6, 30, out,
                        sizeof(out));
    CHECK(n > 0);
    CHECK(strstr(out, "&algorithm=SHA512&") != NULL);

    /* user length is honoured; "&", "?", "/", "%" and "+" are encoded */

    n = a2f_otpauth_uri("x", "a&b?c/d%e+fIGNORED", 11, s20, 20, A2F_SHA1, 6,
                        30, out, sizeof(out));
    CHECK(n > 0);
    CHECK(strncmp(out, "otpauth://totp/x:a%26b%3Fc%2Fd%25e%2Bf?secret=", 46)
          == 0);

    /* the exact size fits, one byte less does not */

    n = a2f_otpauth_uri("a2f", "bob", 3, s20, 20, A2F_SHA1, 6, 30, out,
                        sizeof(out));
    CHECK(n > 0);

    for (i = n; i <= n + 1; i++) {
        small = malloc(i);
        CHECK(small != NULL);

        if (small != NULL) {
            CHECK(a2f_otpauth_uri("a2f", "bob", 3, s20, 20, A2F_SHA1, 6, 30,
                                  small, i) == (i == n ? 0 : n));
            CHECK(i == n ? small[0] == '\0' : strcmp(small, out) == 0);
            free(small);
        }
    }

    /* refused */

    CHECK(a2f_otpauth_uri("", "bob", 3, s20, 20, A2F_SHA1, 6, 30, out,
                          sizeof(out)) == 0);
    CHECK(a2f_otpauth_uri("a2f", "bob", 0, s20, 20, A2F_SHA1, 6, 30, out,
                          sizeof(out)) == 0);
    CHECK(a2f_otpauth_uri("a2f", "bob", 3, s20, 0, A2F_SHA1, 6, 30, out,
                          sizeof(out)) == 0);
    CHECK(a2f_otpauth_uri("a2f", "bob", 3, s20, 20, A2F_SHA1, 6, 30, out,
                          0) == 0);
}


static size_t
a2f_t_count(const char *s, const char *what)
{
    size_t       n;
    const char  *p;

    n = 0;

    for (p = strstr(s, what); p != NULL; p = strstr(p + 1, what)) {
        n++;
    }

    return n;
}


static void
a2f_t_svg(void)
{
    int      w;
    char    *svg, *big, *p;
    char     want[64];
    size_t   n, i, depth;

    svg = malloc(A2F_QR_SVG_MAX);
    CHECK(svg != NULL);

    if (svg == NULL) {
        return;
    }

    n = a2f_qr_svg("otpauth://totp/a2f:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY"
                   "3TQOJQ&issuer=a2f&algorithm=SHA1&digits=6&period=30",
                   svg, A2F_QR_SVG_MAX);
    CHECK(n > 0);
    CHECK(n == strlen(svg));
    CHECK(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 40)
          == 0);
    CHECK(n > 6 && strcmp(svg + n - 6, "</svg>") == 0);
    CHECK(strstr(svg, "shape-rendering=\"crispEdges\"") != NULL);
    CHECK(strstr(svg, "width=\"100%\" height=\"100%\"") != NULL);
    CHECK(a2f_t_count(svg, "<path") == 1);
    CHECK(a2f_t_count(svg, "<svg") == 1);
    CHECK(a2f_t_count(svg, "M") > 50);
    CHECK(a2f_t_count(svg, "M") == a2f_t_count(svg, "z"));

    /* viewBox: an odd module count plus the quiet zone of 4 each side */

    w = 0;
    p = strstr(svg, "viewBox=\"0 0 ");
    CHECK(p != NULL);

    if (p != NULL) {
        w = atoi(p + 13);
    }

    CHECK(w >= 21 + 8 && w <= 177 + 8 && (w - 8 - 21) % 4 == 0);
    snprintf(want, sizeof(want), "viewBox=\"0 0 %d %d\"", w, w);
    CHECK(strstr(svg, want) != NULL);

    /* the finder pattern in the top left corner: a 7-module run at 4 4 */

    CHECK(strstr(svg, "M4 4h7v1h-7z") != NULL);

    /* tags balanced, quotes even, nothing but markup and numbers */

    depth = 0;

    for (i = 0; i < n; i++) {
        if (svg[i] == '<') {
            CHECK(depth == 0);
            depth++;

        } else if (svg[i] == '>') {
            CHECK(depth == 1);
            depth--;
        }
    }

    CHECK(depth == 0);
    CHECK(a2f_t_count(svg, "\"") % 2 == 0);
    CHECK(strstr(svg, "bob") == NULL);

    /* too small, empty */

    CHECK(a2f_qr_svg("hello", svg, 100) == 0);
    CHECK(svg[0] == '\0');
    CHECK(a2f_qr_svg("", svg, A2F_QR_SVG_MAX) == 0);
    CHECK(a2f_qr_svg(NULL, svg, A2F_QR_SVG_MAX) == 0);

    /* the bound holds for the longest URI */

    big = malloc(A2F_URI_MAX);
    CHECK(big != NULL);

    if (big != NULL) {
        for (i = 0; i < A2F_URI_MAX - 1; i++) {
            big[i] = (char) ('!' + (i * 37 + i / 7) % 90);
        }

        big[A2F_URI_MAX - 1] = '\0';

        n = a2f_qr_svg(big, svg, A2F_QR_SVG_MAX);
        CHECK(n > 0 && n < A2F_QR_SVG_MAX);

        free(big);
    }

    free(svg);
}


static void
a2f_t_terminal(void)
{
    int      w;
    FILE    *f;
    char    *line, *buf;
    size_t   size, lines, cols, i;

    buf = NULL;
    size = 0;

    f = open_memstream(&buf, &size);
    CHECK(f != NULL);

    if (f == NULL) {
        return;
    }

    CHECK_RC(a2f_qr_terminal(f, "otpauth://totp/a2f:bob?secret=GEZDGNBVGY3T"
                             "QOJQGEZDGNBVGY3TQOJQ&issuer=a2f"), A2F_OK);
    fclose(f);

    CHECK(buf != NULL && size > 0);

    if (buf == NULL) {
        return;
    }

    /* every line has the same number of glyphs; two module rows a line */

    lines = 0;
    w = -1;

    for (line = buf; *line != '\0'; line = strchr(line, '\n') + 1) {
        cols = 0;

        for (i = 0; line[i] != '\n' && line[i] != '\0'; i++) {
            if (((unsigned char) line[i] & 0xc0) != 0x80) {
                cols++;
            }
        }

        CHECK(line[i] == '\n');

        if (line[i] != '\n') {
            break;
        }

        if (w == -1) {
            w = (int) cols;
        }

        CHECK((int) cols == w);
        lines++;
    }

    CHECK(w >= 29 && (size_t) (w + 1) / 2 == lines);

    /* the quiet zone is light: full blocks (also the half row past it) */

    CHECK(strncmp(buf, "\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88",
                  12) == 0);
    CHECK(size >= 4 && strcmp(buf + size - 4, "\xe2\x96\x88\n") == 0);
    CHECK(strchr(buf, ' ') != NULL);
    CHECK(strstr(buf, "\xe2\x96\x84") != NULL);

    free(buf);

    CHECK_RC(a2f_qr_terminal(stdout, ""), A2F_ERR_INVALID);
}


int
main(int argc, char **argv)
{
    a2f_t_uri();
    a2f_t_svg();
    a2f_t_terminal();

    return a2f_test_done(argv[0]);
}
