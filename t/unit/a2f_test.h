/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_test.h: the smallest unit-test harness.  Each test program
 * includes this once, calls CHECK*() and ends main() with
 * return a2f_test_done(argv[0]);  which prints "N passed, N failed".
 */

#ifndef _A2F_TEST_H_INCLUDED_
#define _A2F_TEST_H_INCLUDED_


#include <stdio.h>
#include <string.h>


static unsigned  a2f_test_passed;
static unsigned  a2f_test_failed;


#define CHECK(cond)                                                          \
    do {                                                                     \
        if (cond) {                                                          \
            a2f_test_passed++;                                               \
        } else {                                                             \
            a2f_test_failed++;                                               \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n",                     \
                    __FILE__, __LINE__, #cond);                              \
        }                                                                    \
    } while (0)

#define CHECK_RC(expr, want)                                                 \
    do {                                                                     \
        int  a2f_test_rc_ = (expr);                                          \
        if (a2f_test_rc_ == (want)) {                                        \
            a2f_test_passed++;                                               \
        } else {                                                             \
            a2f_test_failed++;                                               \
            fprintf(stderr, "%s:%d: %s returned %d, want %d\n",              \
                    __FILE__, __LINE__, #expr, a2f_test_rc_, (int) (want));  \
        }                                                                    \
    } while (0)

#define CHECK_STR(got, want)                                                 \
    do {                                                                     \
        const char *a2f_test_g_ = (got), *a2f_test_w_ = (want);              \
        if (strcmp(a2f_test_g_, a2f_test_w_) == 0) {                         \
            a2f_test_passed++;                                               \
        } else {                                                             \
            a2f_test_failed++;                                               \
            fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n",              \
                    __FILE__, __LINE__, a2f_test_g_, a2f_test_w_);           \
        }                                                                    \
    } while (0)


static int
a2f_test_done(const char *name)
{
    printf("%s: %u passed, %u failed\n", name, a2f_test_passed,
           a2f_test_failed);

    return a2f_test_failed ? 1 : 0;
}


#endif /* _A2F_TEST_H_INCLUDED_ */
