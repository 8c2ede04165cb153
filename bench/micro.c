
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * micro.c: the per-request session check outside nginx: N times
 * a2f_session_decode() of a realistic two-factor cookie, then N times
 * decode + a2f_store_user_gen() (what ngx_http_a2f_session_get() does),
 * then N times a2f_session_encode(), and N times a2f_mac_compute() of the
 * cookie's signed text alone.  Prints ns per call.
 *
 *   cc -O2 -I ngx_http_a2f_module -o /tmp/a2f_micro bench/micro.c \
 *       ngx_http_a2f_module/a2f_*.c -lcrypto -llmdb -lqrencode
 *   /tmp/a2f_micro [N]
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "a2f_session.h"
#include "a2f_store.h"


#define A2F_MICRO_KEY                                                        \
    "3f2a9c0d1b7e4f6a8c5d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b\n"


static double
a2f_micro_now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}


int
main(int argc, char **argv)
{
    int             rc;
    char            err[256], path[64], cookie[A2F_SESSION_MAX + 1];
    long            i, n;
    double          t0, t1;
    size_t          len;
    int64_t         now;
    uint8_t         mac[32];
    uint32_t        gen, flags;
    a2f_mac_t      *m;
    a2f_user_t      u;
    a2f_store_t    *st;
    a2f_session_t   s, t;
    a2f_keyring_t   kr;
    volatile int    sink;

    n = (argc > 1) ? atol(argv[1]) : 1000000;
    now = (int64_t) time(NULL);
    sink = 0;

    if (a2f_keyring_parse(A2F_MICRO_KEY, strlen(A2F_MICRO_KEY), &kr, err,
                          sizeof(err))
        != A2F_OK)
    {
        fprintf(stderr, "keyring: %s\n", err);
        return 1;
    }

    m = a2f_mac_new(&kr);
    if (m == NULL) {
        fprintf(stderr, "a2f_mac_new failed\n");
        return 1;
    }

    (void) snprintf(path, sizeof(path), "/tmp/a2f_micro.%ld.mdb",
                    (long) getpid());

    if (a2f_store_open(path, 0, &kr, A2F_STORE_CREATE, &st, err,
                       sizeof(err))
        != A2F_OK)
    {
        fprintf(stderr, "store: %s\n", err);
        return 1;
    }

    memset(&u, 0, sizeof(u));
    strcpy(u.name, "bench");
    u.name_len = 5;
    strcpy(u.pwhash, "x");

    if (a2f_store_user_add(st, &u, now) != A2F_OK
        || a2f_store_user_gen(st, "bench", 5, &gen, &flags) != A2F_OK)
    {
        fprintf(stderr, "store: user add failed\n");
        return 1;
    }

    memset(&s, 0, sizeof(s));
    strcpy(s.user, "bench");
    s.user_len = 5;
    s.level = A2F_LEVEL_TWO;
    s.gen = gen;
    s.issued = now - 100;
    s.seen = now - 10;
    s.factor = now - 90;

    if (a2f_session_new_sid(&s) != A2F_OK
        || a2f_session_encode(m, &s, cookie, sizeof(cookie), &len) != A2F_OK)
    {
        fprintf(stderr, "encode failed\n");
        return 1;
    }

    printf("cookie (%zu bytes): %s\n", len, cookie);

    /* warm up */

    for (i = 0; i < n / 10; i++) {
        sink += a2f_session_decode(m, cookie, len, now, 43200, 3600, &t);
    }

    t0 = a2f_micro_now();

    for (i = 0; i < n; i++) {
        sink += a2f_session_decode(m, cookie, len, now, 43200, 3600, &t);
    }

    t1 = a2f_micro_now();

    printf("a2f_session_decode:              %7.1f ns\n", (t1 - t0) / n);

    t0 = a2f_micro_now();

    for (i = 0; i < n; i++) {
        rc = a2f_session_decode(m, cookie, len, now, 43200, 3600, &t);
        if (rc == A2F_OK) {
            rc = a2f_store_user_gen(st, t.user, t.user_len, &gen, &flags);
        }
        sink += rc;
    }

    t1 = a2f_micro_now();

    printf("decode + a2f_store_user_gen:     %7.1f ns\n", (t1 - t0) / n);

    t0 = a2f_micro_now();

    for (i = 0; i < n; i++) {
        sink += a2f_session_encode(m, &s, cookie, sizeof(cookie), &len);
    }

    t1 = a2f_micro_now();

    printf("a2f_session_encode:              %7.1f ns\n", (t1 - t0) / n);

    t0 = a2f_micro_now();

    for (i = 0; i < n; i++) {
        sink += a2f_mac_compute(m, NULL, (const uint8_t *) cookie, len - 44,
                                mac);
    }

    t1 = a2f_micro_now();

    printf("a2f_mac_compute (%3zu bytes):     %7.1f ns\n", len - 44,
           (t1 - t0) / n);

    if (sink != 0) {
        fprintf(stderr, "a call failed\n");
    }

    a2f_store_close(st);
    a2f_mac_free(m);
    a2f_keyring_wipe(&kr);

    (void) unlink(path);
    (void) snprintf(err, sizeof(err), "%s-lock", path);
    (void) unlink(err);

    return sink != 0;
}
