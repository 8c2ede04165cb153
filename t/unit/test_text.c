
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * test_text.c: form bodies, %-coding, HTML escaping, redirect targets.
 */


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "a2f_text.h"
#include "a2f_test.h"


#define A2F_TEST_FORM_CHECK(body, rc)                                        \
    CHECK_RC(a2f_form_check(body, sizeof(body) - 1, A2F_FORM_FIELDS_MAX), rc)


static void
a2f_test_form_check(void)
{
    char    *big;
    size_t   i, n;

    A2F_TEST_FORM_CHECK("", A2F_OK);
    A2F_TEST_FORM_CHECK("a=1", A2F_OK);
    A2F_TEST_FORM_CHECK("a=1&b=2&c=", A2F_OK);
    A2F_TEST_FORM_CHECK("username=al+ice&password=p%40ss%2b%C3%a9", A2F_OK);
    A2F_TEST_FORM_CHECK("a", A2F_OK);
    A2F_TEST_FORM_CHECK("a=b=c", A2F_OK);
    A2F_TEST_FORM_CHECK("a=1&A=2", A2F_OK);
    A2F_TEST_FORM_CHECK("a=\xc3\xa9", A2F_OK);

    /* duplicated names, also when spelled differently */
    A2F_TEST_FORM_CHECK("a=1&a=2", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("a=1&b=2&a", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("a=1&%61=2", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("a+b=1&a%20b=2", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("ab=1&a=2&b=3&abc=4", A2F_OK);

    /* bad %-sequences */
    A2F_TEST_FORM_CHECK("a=%", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("a=%4", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("a=%zz", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("a=%4g", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("a=%%41", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("%ZZ=1", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("a=1&b=%4&c=3", A2F_ERR_INVALID);

    /* NUL, decoded or raw; raw control bytes and spaces */
    A2F_TEST_FORM_CHECK("a=%00", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("a%00=1", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("a=x\0y", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("a=x y", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("a=x\r\n", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("a=x\x7f", A2F_ERR_INVALID);

    /* empty fields and names */
    A2F_TEST_FORM_CHECK("&", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("a=1&", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("&a=1", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("a=1&&b=2", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("=1", A2F_ERR_INVALID);
    A2F_TEST_FORM_CHECK("a=1&=2", A2F_ERR_INVALID);

    CHECK_RC(a2f_form_check(NULL, 0, 32), A2F_OK);
    CHECK_RC(a2f_form_check(NULL, 3, 32), A2F_ERR_INVALID);

    /* field counts: exactly the limit, one more, 10 000 */
    big = malloc(10000 * 12);
    CHECK(big != NULL);

    if (big == NULL) {
        return;
    }

    n = 0;

    for (i = 0; i < 10000; i++) {
        n += (size_t) sprintf(big + n, "%sf%u=%u", i ? "&" : "", (unsigned) i,
                              (unsigned) i);

        if (i == A2F_FORM_FIELDS_MAX - 1) {
            CHECK_RC(a2f_form_check(big, n, A2F_FORM_FIELDS_MAX), A2F_OK);
        }

        if (i == A2F_FORM_FIELDS_MAX) {
            CHECK_RC(a2f_form_check(big, n, A2F_FORM_FIELDS_MAX),
                     A2F_ERR_TOOBIG);
        }
    }

    CHECK_RC(a2f_form_check(big, n, A2F_FORM_FIELDS_MAX), A2F_ERR_TOOBIG);
    CHECK_RC(a2f_form_check(big, n, 10000), A2F_OK);
    CHECK_RC(a2f_form_check(big, n, 9999), A2F_ERR_TOOBIG);
    CHECK_RC(a2f_form_check(big, n, 0), A2F_ERR_TOOBIG);

    /* 10 000 copies of one field: too many before duplicated */
    n = 0;

    for (i = 0; i < 10000; i++) {
        n += (size_t) sprintf(big + n, "%sa=1", i ? "&" : "");
    }

    CHECK_RC(a2f_form_check(big, n, A2F_FORM_FIELDS_MAX), A2F_ERR_TOOBIG);

    free(big);
}


static void
a2f_test_form_get(void)
{
    char         out[16];
    size_t       n;
    const char  *body;

    body = "username=al+ice&password=p%40ss%2b%C3%a9&empty=&bare&code=012345";

    CHECK_RC(a2f_form_check(body, strlen(body), 32), A2F_OK);

    CHECK_RC(a2f_form_get(body, strlen(body), "username", out, sizeof(out),
                          &n), A2F_OK);
    CHECK_STR(out, "al ice");
    CHECK(n == 6);

    CHECK_RC(a2f_form_get(body, strlen(body), "password", out, sizeof(out),
                          &n), A2F_OK);
    CHECK_STR(out, "p@ss+\xc3\xa9");
    CHECK(n == 7);

    CHECK_RC(a2f_form_get(body, strlen(body), "empty", out, sizeof(out), &n),
             A2F_OK);
    CHECK(n == 0 && out[0] == '\0');
    CHECK_RC(a2f_form_get(body, strlen(body), "bare", out, sizeof(out), &n),
             A2F_OK);
    CHECK(n == 0 && out[0] == '\0');

    CHECK_RC(a2f_form_get(body, strlen(body), "code", out, sizeof(out), &n),
             A2F_OK);
    CHECK_STR(out, "012345");

    CHECK_RC(a2f_form_get(body, strlen(body), "user", out, sizeof(out), &n),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_form_get(body, strlen(body), "usernamex", out, sizeof(out),
                          &n), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_form_get(body, strlen(body), "", out, sizeof(out), &n),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_form_get("", 0, "a", out, sizeof(out), &n),
             A2F_ERR_NOTFOUND);

    /* a name found only within the body's length */
    CHECK_RC(a2f_form_get("a=1&b=2", 3, "b", out, sizeof(out), &n),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_form_get("a=12345&b=2", 4, "a", out, sizeof(out), &n),
             A2F_OK);
    CHECK_STR(out, "12");

    /* bounds: exactly outsz - 1 fits */
    CHECK_RC(a2f_form_get("a=123456789012345", 17, "a", out, 16, &n),
             A2F_OK);
    CHECK(n == 15);
    CHECK_RC(a2f_form_get("a=1234567890123456", 18, "a", out, 16, &n),
             A2F_ERR_TOOBIG);
    CHECK_RC(a2f_form_get("a=1", 3, "a", out, 0, &n), A2F_ERR_TOOBIG);
    CHECK_RC(a2f_form_get("a=1", 3, "a", out, 1, &n), A2F_ERR_TOOBIG);
    CHECK_RC(a2f_form_get("a=", 2, "a", out, 1, &n), A2F_OK);

    /* unchecked bodies are still handled safely */
    CHECK_RC(a2f_form_get("a=%4", 4, "a", out, sizeof(out), &n),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_form_get("a=x%00y", 7, "a", out, sizeof(out), &n),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_form_get("%4=1&a=2", 8, "a", out, sizeof(out), &n),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_form_get("%61=1", 5, "a", out, sizeof(out), &n), A2F_OK);
    CHECK_STR(out, "1");
}


static void
a2f_test_url(void)
{
    char    out[64], esc[64];
    size_t  n;

    CHECK_RC(a2f_url_unescape("%2Fapp%3fx%3D1+2", 16, out, sizeof(out), &n),
             A2F_OK);
    CHECK_STR(out, "/app?x=1 2");
    CHECK(n == 10);
    CHECK_RC(a2f_url_unescape("", 0, out, sizeof(out), &n), A2F_OK);
    CHECK(n == 0);
    CHECK_RC(a2f_url_unescape("%", 1, out, sizeof(out), &n),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_url_unescape("%0", 2, out, sizeof(out), &n),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_url_unescape("%g0", 3, out, sizeof(out), &n),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_url_unescape("a%00", 4, out, sizeof(out), &n),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_url_unescape("a\0", 2, out, sizeof(out), &n),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_url_unescape("%0d%0A", 6, out, sizeof(out), &n), A2F_OK);
    CHECK(n == 2 && out[0] == '\r' && out[1] == '\n');
    CHECK_RC(a2f_url_unescape("abcd", 4, out, 4, &n), A2F_ERR_TOOBIG);
    CHECK_RC(a2f_url_unescape("abcd", 4, out, 5, &n), A2F_OK);
    CHECK_RC(a2f_url_unescape("%41%42", 6, out, 3, &n), A2F_OK);
    CHECK_STR(out, "AB");

    CHECK(a2f_url_escape("a b/\xc3\xa9~-._Z9?&=%", 16, out, sizeof(out))
          == 32);
    CHECK_STR(out, "a%20b%2F%C3%A9~-._Z9%3F%26%3D%25");
    CHECK(a2f_url_escape("", 0, out, sizeof(out)) == 0 && out[0] == '\0');
    CHECK(a2f_url_escape("abc", 3, out, 3) == 0);
    CHECK(a2f_url_escape("abc", 3, out, 4) == 3);
    CHECK(a2f_url_escape("a/", 2, out, 4) == 0);
    CHECK(a2f_url_escape("a/", 2, out, 5) == 4);
    CHECK_STR(out, "a%2F");
    CHECK(a2f_url_escape("a", 1, out, 0) == 0);

    /* escape then unescape is the identity */
    CHECK(a2f_url_escape("/p?q=1&r=\"<x>\" +", 16, esc, sizeof(esc)) > 0);
    CHECK_RC(a2f_url_unescape(esc, strlen(esc), out, sizeof(out), &n),
             A2F_OK);
    CHECK_STR(out, "/p?q=1&r=\"<x>\" +");
}


static void
a2f_test_html(void)
{
    char         out[64];
    const char  *in;

    in = "<a href=\"x\">&'</a>";

    CHECK(a2f_html_escape(in, strlen(in), out, sizeof(out))
          == a2f_html_escape_len(in, strlen(in)));
    CHECK_STR(out, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
    CHECK(a2f_html_escape_len(in, strlen(in)) == strlen(out));

    CHECK(a2f_html_escape("plain \xc3\xa9", 8, out, sizeof(out)) == 8);
    CHECK_STR(out, "plain \xc3\xa9");
    CHECK(a2f_html_escape("", 0, out, sizeof(out)) == 0 && out[0] == '\0');
    CHECK(a2f_html_escape_len("", 0) == 0);

    /* bounds: text + NUL */
    CHECK(a2f_html_escape("a&b", 3, out, 7) == 0);
    CHECK(a2f_html_escape("a&b", 3, out, 8) == 7);
    CHECK_STR(out, "a&amp;b");
    CHECK(a2f_html_escape("<", 1, out, 4) == 0);
    CHECK(a2f_html_escape("x", 1, out, 0) == 0);
}


static void
a2f_test_rd(void)
{
    size_t  i;
    char    big[A2F_RD_MAX + 2];

    static const char  *good[] = {
        "/", "/app", "/app?x=1&y=%20", "/a/b#frag", "/a/b/?c=/d//e",
        "/app?next=https://x.example", "/%7Euser/", "/caf%C3%A9",
        "/a%2Fb", "/a?q=a%5Cb", "/100%", "/a%zz", "/a?rd=%2F%2Fevil"
    };

    static const char  *bad[] = {
        "", "https://evil.example", "http://evil", "//evil.example",
        "///evil", "/\\evil.example", "\\\\evil.example", "\\/evil",
        "/%2F/evil", "/%2f/evil", "%2F%2Fevil.example", "/%5Cevil",
        "/%5cevil", "/%09/evil.example", "/\t/evil", "/a\r\nSet-Cookie:x",
        "/a%0d%0aSet-Cookie:x", "/a%0ALocation:x", "/a%00", "/a\x7f",
        "/a%7f", "javascript:alert(1)", "JavaScript:alert(1)",
        "data:text/html,x", " /app", "/app ", "/a b", "app",
        "/a\\b", "/a%5Cb", "/\xc3\xa9", "?x=1", "#frag", ".", "./app"
    };

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (!a2f_rd_safe(good[i], strlen(good[i]))) {
            fprintf(stderr, "refused: \"%s\"\n", good[i]);
            CHECK(0);

        } else {
            CHECK(1);
        }
    }

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (a2f_rd_safe(bad[i], strlen(bad[i]))) {
            fprintf(stderr, "accepted: \"%s\"\n", bad[i]);
            CHECK(0);

        } else {
            CHECK(1);
        }
    }

    CHECK(!a2f_rd_safe(NULL, 0));
    CHECK(!a2f_rd_safe("/a\0b", 4));
    CHECK(a2f_rd_safe("/ab//", 2));

    memset(big, 'a', sizeof(big));
    big[0] = '/';
    CHECK(a2f_rd_safe(big, A2F_RD_MAX));
    CHECK(!a2f_rd_safe(big, A2F_RD_MAX + 1));
}


int
main(int argc, char **argv)
{
    a2f_test_form_check();
    a2f_test_form_get();
    a2f_test_url();
    a2f_test_html();
    a2f_test_rd();

    return a2f_test_done(argv[0]);
}
