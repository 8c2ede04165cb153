
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * test_store.c: a2f_store.c: open and keys, key rotation, users, TOTP
 * devices and their replay guard, lockouts, audit, recovery codes, a
 * full map, two processes racing.
 */


#define _GNU_SOURCE                 /* memmem() */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "a2f_store.h"
#include "a2f_test.h"


#define A2F_T_KEY_A  \
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define A2F_T_KEY_B  \
    "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f"
#define A2F_T_KEY_C  \
    "4242424242424242424242424242424242424242424242424242424242424242"

#define A2F_T_NOW    1700000000


static char  a2f_t_dir[64];


typedef struct {
    char      names[8][A2F_USER_MAX + 1];
    unsigned  n;
} a2f_t_names_t;


typedef struct {
    char      texts[8][A2F_AUDIT_MAX];
    int64_t   usec[8];
    unsigned  n;
} a2f_t_audit_t;


static void
a2f_t_ring(const char *text, a2f_keyring_t *kr)
{
    char  err[256];

    memset(kr, 0, sizeof(a2f_keyring_t));
    CHECK_RC(a2f_keyring_parse(text, strlen(text), kr, err, sizeof(err)),
             A2F_OK);
}


static void
a2f_t_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", a2f_t_dir, name);
}


static a2f_store_t *
a2f_t_open(const char *path, const a2f_keyring_t *kr, unsigned flags)
{
    int           rc;
    char          err[512];
    a2f_store_t  *st;

    st = NULL;
    rc = a2f_store_open(path, 0, kr, flags, &st, err, sizeof(err));

    if (rc != A2F_OK) {
        fprintf(stderr, "open %s: %s\n", path, err);
    }

    CHECK_RC(rc, A2F_OK);

    return st;
}


static int
a2f_t_add_user(a2f_store_t *st, const char *name, uint32_t flags)
{
    a2f_user_t  u;

    memset(&u, 0, sizeof(a2f_user_t));
    snprintf(u.name, sizeof(u.name), "%s", name);
    u.name_len = strlen(name);
    u.flags = flags;
    u.gen = 1;
    snprintf(u.pwhash, sizeof(u.pwhash), "$scrypt$ln=10,r=8,p=1$x$%s", name);

    return a2f_store_user_add(st, &u, A2F_T_NOW);
}


static int
a2f_t_names_cb(const a2f_user_t *u, void *arg)
{
    a2f_t_names_t *nm = arg;

    if (nm->n < 8) {
        snprintf(nm->names[nm->n], sizeof(nm->names[0]), "%s", u->name);
    }

    nm->n++;

    return 0;
}


static int
a2f_t_count_cb(const a2f_user_t *u, void *arg)
{
    (*(unsigned *) arg)++;

    return 0;
}


static int
a2f_t_audit_cb(int64_t usec, const char *text, size_t len, void *arg)
{
    a2f_t_audit_t *au = arg;

    if (au->n < 8) {
        snprintf(au->texts[au->n], sizeof(au->texts[0]), "%s", text);
        au->usec[au->n] = usec;
    }

    au->n++;

    return 0;
}


static void
a2f_t_code(const uint8_t *key, size_t keylen, a2f_hash_t alg,
    unsigned digits, uint64_t step, char *out)
{
    uint32_t  code;

    code = 0;
    CHECK_RC(a2f_hotp(key, keylen, alg, step, digits, &code), A2F_OK);
    a2f_code_format(code, digits, out);
}


static void
a2f_t_device(a2f_totp_dev_t *d, const char *name, const uint8_t *secret,
    size_t len, a2f_hash_t alg, unsigned digits)
{
    memset(d, 0, sizeof(a2f_totp_dev_t));
    snprintf(d->name, sizeof(d->name), "%s", name);
    d->alg = alg;
    d->digits = digits;
    d->period = 30;
    memcpy(d->secret, secret, len);
    d->secret_len = len;
}


/*
 * Deleting the user who owns the last devices of the database (the
 * cursor walks off the end): the user and the devices are gone.
 */

static void
a2f_t_del_last(const a2f_keyring_t *kr)
{
    char             path[128];
    unsigned         n;
    a2f_user_t       u;
    a2f_store_t     *st;
    a2f_totp_dev_t   d, devs[A2F_DEVICES_MAX];
    static uint8_t   secret[20] = "12345678901234567890";

    a2f_t_path(path, sizeof(path), "del_last.db");
    st = a2f_t_open(path, kr, A2F_STORE_CREATE);

    if (st == NULL) {
        return;
    }

    CHECK_RC(a2f_t_add_user(st, "alice", 0), A2F_OK);
    CHECK_RC(a2f_t_add_user(st, "zed", 0), A2F_OK);
    a2f_t_device(&d, "phone", secret, sizeof(secret), A2F_SHA1, 6);
    CHECK_RC(a2f_store_totp_add(st, "zed", 3, &d, A2F_T_NOW), A2F_OK);
    a2f_t_device(&d, "tablet", secret, sizeof(secret), A2F_SHA1, 6);
    CHECK_RC(a2f_store_totp_add(st, "zed", 3, &d, A2F_T_NOW), A2F_OK);

    CHECK_RC(a2f_store_user_del(st, "zed", 3), A2F_OK);
    CHECK_RC(a2f_store_user_get(st, "zed", 3, &u), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_totp_list(st, "zed", 3, devs, A2F_DEVICES_MAX, &n),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_t_add_user(st, "zed", 0), A2F_OK);
    n = 1;
    CHECK_RC(a2f_store_totp_list(st, "zed", 3, devs, A2F_DEVICES_MAX, &n),
             A2F_OK);
    CHECK(n == 0);
    CHECK_RC(a2f_store_user_get(st, "alice", 5, &u), A2F_OK);

    a2f_store_close(st);
}


/* does needle occur in the file at path */

static int
a2f_t_file_has(const char *path, const uint8_t *needle, size_t len)
{
    int      found;
    FILE    *f;
    long     size;
    uint8_t *buf;

    f = fopen(path, "rb");
    if (f == NULL) {
        return -1;
    }

    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);

    buf = malloc((size_t) size + 1);
    if (buf == NULL || fread(buf, 1, (size_t) size, f) != (size_t) size) {
        fclose(f);
        free(buf);
        return -1;
    }

    fclose(f);

    found = memmem(buf, (size_t) size, needle, len) != NULL;
    free(buf);

    return found;
}


static void
a2f_t_open_and_keys(void)
{
    int            rc;
    char           path[128], err[512], ring[512];
    struct stat    sb;
    a2f_store_t   *st;
    a2f_keyring_t  a, b, ba, c;

    a2f_t_ring(A2F_T_KEY_A "\n", &a);
    a2f_t_ring(A2F_T_KEY_B "\n", &b);
    a2f_t_ring(A2F_T_KEY_C "\n", &c);
    snprintf(ring, sizeof(ring), "%s\n%s\n", A2F_T_KEY_B, A2F_T_KEY_A);
    a2f_t_ring(ring, &ba);

    a2f_t_path(path, sizeof(path), "keys.db");

    /* missing file without CREATE; bad arguments */

    st = NULL;
    err[0] = '\0';
    CHECK_RC(a2f_store_open(path, 0, &a, 0, &st, err, sizeof(err)),
             A2F_ERR_STORAGE);
    CHECK(st == NULL);
    CHECK(strstr(err, path) != NULL);
    CHECK_RC(a2f_store_open(path, 0, &a, A2F_STORE_RDONLY, &st, err,
                            sizeof(err)), A2F_ERR_STORAGE);
    CHECK_RC(a2f_store_open(path, 0, &a, A2F_STORE_RDONLY | A2F_STORE_CREATE,
                            &st, err, sizeof(err)), A2F_ERR_INVALID);
    CHECK_RC(a2f_store_open("", 0, &a, A2F_STORE_CREATE, &st, err,
                            sizeof(err)), A2F_ERR_INVALID);
    CHECK(access(path, F_OK) != 0);

    /* create, reopen */

    st = a2f_t_open(path, &a, A2F_STORE_CREATE);
    CHECK(st != NULL);
    CHECK_RC(a2f_t_add_user(st, "alice", 0), A2F_OK);
    a2f_store_close(st);

    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);

    st = a2f_t_open(path, &a, 0);
    CHECK(st != NULL);
    CHECK_RC(a2f_store_user_gen(st, "alice", 5, &(uint32_t) { 0 },
                                &(uint32_t) { 0 }), A2F_OK);
    a2f_store_close(st);

    /* a key file that does not match */

    st = NULL;
    err[0] = '\0';
    rc = a2f_store_open(path, 0, &b, 0, &st, err, sizeof(err));
    CHECK_RC(rc, A2F_ERR_NOKEY);
    CHECK(st == NULL);
    CHECK(strstr(err, path) != NULL);
    CHECK(strstr(err, "key file does not match") != NULL);

    /* rotation: [B, A] opens and seals the data key under B too */

    st = a2f_t_open(path, &ba, 0);
    CHECK(st != NULL);
    a2f_store_close(st);

    st = a2f_t_open(path, &b, 0);
    CHECK(st != NULL);
    CHECK_RC(a2f_store_user_gen(st, "alice", 5, &(uint32_t) { 0 },
                                &(uint32_t) { 0 }), A2F_OK);
    a2f_store_close(st);

    st = a2f_t_open(path, &a, A2F_STORE_RDONLY);
    CHECK(st != NULL);
    CHECK_RC(a2f_t_add_user(st, "ro", 0), A2F_ERR_STORAGE);
    a2f_store_close(st);

    /* read-only does not add a data key for C ... */

    snprintf(ring, sizeof(ring), "%s\n%s\n", A2F_T_KEY_C, A2F_T_KEY_A);
    a2f_t_ring(ring, &ba);

    st = a2f_t_open(path, &ba, A2F_STORE_RDONLY);
    CHECK(st != NULL);
    a2f_store_close(st);

    CHECK_RC(a2f_store_open(path, 0, &c, 0, &st, err, sizeof(err)),
             A2F_ERR_NOKEY);

    /* ... read-write does */

    st = a2f_t_open(path, &ba, 0);
    CHECK(st != NULL);
    a2f_store_close(st);

    st = a2f_t_open(path, &c, 0);
    CHECK(st != NULL);
    CHECK_RC(a2f_store_reader_check(st, &rc), A2F_OK);
    a2f_store_close(st);

    a2f_store_close(NULL);
}


/* the whole file at path (malloc()ed, *size bytes), or NULL */

static uint8_t *
a2f_t_file_read(const char *path, size_t *size)
{
    FILE     *f;
    long      n;
    uint8_t  *buf;

    f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }

    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);

    buf = (n >= 0) ? malloc((size_t) n + 1) : NULL;

    if (buf == NULL || fread(buf, 1, (size_t) n, f) != (size_t) n) {
        fclose(f);
        free(buf);
        return NULL;
    }

    fclose(f);
    *size = (size_t) n;

    return buf;
}


/*
 * Key rotation: [old] creates, [new, old] adds dek.new, [new] prunes
 * dek.old; then old alone opens nothing.  Read-only never writes.
 */

static void
a2f_t_rekey(void)
{
    int             rc, status, go[2], ready[2];
    char            path[128], ring[512], err[512], c;
    pid_t           pid;
    size_t          n1, n2;
    uint8_t         s[20], *f1, *f2;
    unsigned        removed, n;
    a2f_store_t    *st;
    a2f_keyring_t   o, nw, no;
    a2f_totp_dev_t  d, devs[A2F_DEVICES_MAX];

    a2f_t_ring(A2F_T_KEY_A "\n", &o);
    a2f_t_ring(A2F_T_KEY_B "\n", &nw);
    snprintf(ring, sizeof(ring), "%s\n%s\n", A2F_T_KEY_B, A2F_T_KEY_A);
    a2f_t_ring(ring, &no);

    memcpy(s, "rotation-secret-byte", 20);
    a2f_t_path(path, sizeof(path), "rekey.db");

    /* [old]: a new file; nothing to prune */

    st = a2f_t_open(path, &o, A2F_STORE_CREATE);
    CHECK_RC(a2f_t_add_user(st, "rot", 0), A2F_OK);
    a2f_t_device(&d, "", s, 20, A2F_SHA1, 6);
    CHECK_RC(a2f_store_totp_add(st, "rot", 3, &d, A2F_T_NOW), A2F_OK);
    removed = 99;
    CHECK_RC(a2f_store_dek_prune(st, &removed), A2F_OK);
    CHECK(removed == 0);
    a2f_store_close(st);

    /* read-only [new, old]: the file stays byte for byte as it was */

    f1 = a2f_t_file_read(path, &n1);
    CHECK(f1 != NULL);

    st = a2f_t_open(path, &no, A2F_STORE_RDONLY);
    removed = 99;
    CHECK_RC(a2f_store_dek_prune(st, &removed), A2F_ERR_STORAGE);
    CHECK(removed == 0);
    a2f_store_close(st);

    f2 = a2f_t_file_read(path, &n2);
    CHECK(f1 != NULL && f2 != NULL && n1 == n2
          && memcmp(f1, f2, n1) == 0);
    free(f1);
    free(f2);

    st = NULL;
    CHECK_RC(a2f_store_open(path, 0, &nw, 0, &st, err, sizeof(err)),
             A2F_ERR_NOKEY);

    /* [new, old] adds dek.new, and keeps dek.old (both in the ring) */

    st = a2f_t_open(path, &no, 0);
    removed = 99;
    CHECK_RC(a2f_store_dek_prune(st, &removed), A2F_OK);
    CHECK(removed == 0);
    a2f_store_close(st);

    /* [new] drops dek.old */

    st = a2f_t_open(path, &nw, 0);
    removed = 0;
    CHECK_RC(a2f_store_dek_prune(st, &removed), A2F_OK);
    CHECK(removed == 1);
    a2f_store_close(st);

    /* old alone opens nothing; new opens the data */

    st = NULL;
    err[0] = '\0';
    CHECK_RC(a2f_store_open(path, 0, &o, 0, &st, err, sizeof(err)),
             A2F_ERR_NOKEY);
    CHECK(st == NULL);
    CHECK_RC(a2f_store_open(path, 0, &o, A2F_STORE_RDONLY, &st, err,
                            sizeof(err)), A2F_ERR_NOKEY);

    st = a2f_t_open(path, &nw, 0);
    n = 0;
    CHECK_RC(a2f_store_totp_list(st, "rot", 3, devs, A2F_DEVICES_MAX, &n),
             A2F_OK);
    CHECK(n == 1 && devs[0].secret_len == 20
          && memcmp(devs[0].secret, s, 20) == 0);
    removed = 99;
    CHECK_RC(a2f_store_dek_prune(st, &removed), A2F_OK);
    CHECK(removed == 0);
    CHECK_RC(a2f_store_dek_prune(st, NULL), A2F_OK);
    a2f_store_close(st);

    /*
     * A store whose ring lost its wrap under it (another process pruned
     * with another ring) refuses: it never removes the last wrap.
     */

    st = a2f_t_open(path, &no, 0);      /* dek.old again */
    a2f_store_close(st);

    if (pipe(go) != 0 || pipe(ready) != 0) {
        CHECK(0);
        return;
    }

    fflush(NULL);

    pid = fork();

    if (pid == 0) {
        close(go[1]);
        close(ready[0]);

        st = NULL;
        if (a2f_store_open(path, 0, &o, 0, &st, NULL, 0) != A2F_OK) {
            _exit(10);
        }

        if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1) {
            _exit(11);
        }

        removed = 99;
        rc = a2f_store_dek_prune(st, &removed);
        a2f_store_close(st);

        _exit(rc == A2F_ERR_NOKEY && removed == 0 ? 0 : 12);
    }

    close(go[0]);
    close(ready[1]);

    CHECK(pid > 0 && read(ready[0], &c, 1) == 1);

    st = a2f_t_open(path, &nw, 0);
    removed = 0;
    CHECK_RC(a2f_store_dek_prune(st, &removed), A2F_OK);
    CHECK(removed == 1);
    a2f_store_close(st);

    CHECK(write(go[1], "g", 1) == 1);
    close(go[1]);
    close(ready[0]);

    status = -1;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    st = a2f_t_open(path, &nw, 0);
    CHECK(st != NULL);
    a2f_store_close(st);

    memset(devs, 0, sizeof(devs));
    a2f_keyring_wipe(&o);
    a2f_keyring_wipe(&nw);
    a2f_keyring_wipe(&no);
}


static void
a2f_t_users(a2f_store_t *st)
{
    uint32_t       gen, flags;
    a2f_user_t     u;
    a2f_t_names_t  nm;

    CHECK_RC(a2f_t_add_user(st, "carol", 0), A2F_OK);
    CHECK_RC(a2f_t_add_user(st, "bob", A2F_USER_ADMIN), A2F_OK);
    CHECK_RC(a2f_t_add_user(st, "dave", 0), A2F_OK);
    CHECK_RC(a2f_t_add_user(st, "bob", 0), A2F_ERR_EXISTS);
    CHECK_RC(a2f_t_add_user(st, "bad/name", 0), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_add_user(st, "bad:name", 0), A2F_ERR_INVALID);
    CHECK_RC(a2f_t_add_user(st, "", 0), A2F_ERR_INVALID);

    memset(&u, 0, sizeof(u));
    CHECK_RC(a2f_store_user_get(st, "bob", 3, &u), A2F_OK);
    CHECK_STR(u.name, "bob");
    CHECK(u.name_len == 3);
    CHECK(u.flags == A2F_USER_ADMIN);
    CHECK(u.gen == 1);
    CHECK(u.created == A2F_T_NOW);
    CHECK(u.last_login == 0);
    CHECK_STR(u.pwhash, "$scrypt$ln=10,r=8,p=1$x$bob");
    CHECK(u.ndevices == 0);
    CHECK(u.locked_until == 0);

    CHECK_RC(a2f_store_user_get(st, "bo", 2, &u), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_user_get(st, "bobby", 5, &u), A2F_ERR_NOTFOUND);

    gen = 0;
    flags = 0;
    CHECK_RC(a2f_store_user_gen(st, "bob", 3, &gen, &flags), A2F_OK);
    CHECK(gen == 1 && flags == A2F_USER_ADMIN);
    CHECK_RC(a2f_store_user_gen(st, "nobody", 6, &gen, &flags),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_user_gen(st, "", 0, &gen, &flags), A2F_ERR_NOTFOUND);

    /* revoke, password, flags: the hot path sees each at once */

    CHECK_RC(a2f_store_user_revoke(st, "bob", 3), A2F_OK);
    CHECK_RC(a2f_store_user_gen(st, "bob", 3, &gen, &flags), A2F_OK);
    CHECK(gen == 2);

    CHECK_RC(a2f_store_user_set_password(st, "bob", 3, "$scrypt$new"),
             A2F_OK);
    CHECK_RC(a2f_store_user_set_password(st, "bob", 3, ""), A2F_ERR_INVALID);
    CHECK_RC(a2f_store_user_get(st, "bob", 3, &u), A2F_OK);
    CHECK_STR(u.pwhash, "$scrypt$new");
    CHECK(u.gen == 3);

    CHECK_RC(a2f_store_user_set_flags(st, "bob", 3, A2F_USER_DISABLED),
             A2F_OK);
    CHECK_RC(a2f_store_user_set_flags(st, "bob", 3, 0x80), A2F_ERR_INVALID);
    CHECK_RC(a2f_store_user_gen(st, "bob", 3, &gen, &flags), A2F_OK);
    CHECK(flags == A2F_USER_DISABLED && gen == 3);

    CHECK_RC(a2f_store_user_revoke(st, "zed", 3), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_user_set_password(st, "zed", 3, "$x"),
             A2F_ERR_NOTFOUND);

    /* list in name order */

    memset(&nm, 0, sizeof(nm));
    CHECK_RC(a2f_store_user_list(st, a2f_t_names_cb, &nm), A2F_OK);
    CHECK(nm.n == 4);
    CHECK_STR(nm.names[0], "alice");
    CHECK_STR(nm.names[1], "bob");
    CHECK_STR(nm.names[2], "carol");
    CHECK_STR(nm.names[3], "dave");

    /* del */

    CHECK_RC(a2f_store_user_del(st, "dave", 4), A2F_OK);
    CHECK_RC(a2f_store_user_del(st, "dave", 4), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_user_get(st, "dave", 4, &u), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_user_gen(st, "dave", 4, &gen, &flags),
             A2F_ERR_NOTFOUND);

    memset(&nm, 0, sizeof(nm));
    CHECK_RC(a2f_store_user_list(st, a2f_t_names_cb, &nm), A2F_OK);
    CHECK(nm.n == 3);
}


static void
a2f_t_totp(a2f_store_t *st, const char *path)
{
    int             i;
    char            code[16], name[16];
    uint8_t         s1[20], s2[32];
    unsigned        n;
    uint64_t        step;
    a2f_user_t      u;
    a2f_lockout_t   lo;
    a2f_totp_dev_t  d, devs[A2F_DEVICES_MAX];

    memcpy(s1, "12345678901234567890", 20);
    CHECK_RC(a2f_random(s2, sizeof(s2)), A2F_OK);

    CHECK_RC(a2f_t_add_user(st, "frank", 0), A2F_OK);

    /* add, checks */

    a2f_t_device(&d, "", s1, sizeof(s1), A2F_SHA1, 6);
    CHECK_RC(a2f_store_totp_add(st, "frank", 5, &d, A2F_T_NOW), A2F_OK);
    CHECK_RC(a2f_store_totp_add(st, "frank", 5, &d, A2F_T_NOW),
             A2F_ERR_EXISTS);
    CHECK_RC(a2f_store_totp_add(st, "nobody", 6, &d, A2F_T_NOW),
             A2F_ERR_NOTFOUND);

    d.digits = 7;
    CHECK_RC(a2f_store_totp_add(st, "frank", 5, &d, A2F_T_NOW),
             A2F_ERR_INVALID);
    d.digits = 6;
    d.period = 10;
    CHECK_RC(a2f_store_totp_add(st, "frank", 5, &d, A2F_T_NOW),
             A2F_ERR_INVALID);
    d.period = 30;
    d.secret_len = 9;
    CHECK_RC(a2f_store_totp_add(st, "frank", 5, &d, A2F_T_NOW),
             A2F_ERR_INVALID);

    a2f_t_device(&d, "phone", s2, sizeof(s2), A2F_SHA256, 8);
    CHECK_RC(a2f_store_totp_add(st, "frank", 5, &d, A2F_T_NOW), A2F_OK);

    /* list: secrets round-trip, name order */

    CHECK_RC(a2f_store_totp_list(st, "frank", 5, devs, A2F_DEVICES_MAX, &n),
             A2F_OK);
    CHECK(n == 2);
    CHECK_STR(devs[0].name, "default");
    CHECK(devs[0].alg == A2F_SHA1 && devs[0].digits == 6);
    CHECK(devs[0].period == 30 && devs[0].last_step == 0);
    CHECK(devs[0].created == A2F_T_NOW);
    CHECK(devs[0].secret_len == 20 && memcmp(devs[0].secret, s1, 20) == 0);
    CHECK_STR(devs[1].name, "phone");
    CHECK(devs[1].alg == A2F_SHA256 && devs[1].digits == 8);
    CHECK(devs[1].secret_len == 32 && memcmp(devs[1].secret, s2, 32) == 0);

    CHECK_RC(a2f_store_totp_list(st, "frank", 5, devs, 1, &n), A2F_OK);
    CHECK(n == 1);
    CHECK_RC(a2f_store_totp_list(st, "nobody", 6, devs, 8, &n),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_totp_list(st, "alice", 5, devs, 8, &n), A2F_OK);
    CHECK(n == 0);

    CHECK_RC(a2f_store_user_get(st, "frank", 5, &u), A2F_OK);
    CHECK(u.ndevices == 2);

    /* the secrets are not in the file in clear */

    CHECK(a2f_t_file_has(path, s1, sizeof(s1)) == 0);
    CHECK(a2f_t_file_has(path, s2, sizeof(s2)) == 0);
    CHECK(a2f_t_file_has(path, s2, 12) == 0);
    CHECK(a2f_t_file_has(path, (const uint8_t *) "frank", 5) == 1);

    /* verify: accept, replay, older step, wrong, window */

    memset(&lo, 0, sizeof(lo));
    step = A2F_T_NOW / 30;

    a2f_t_code(s1, 20, A2F_SHA1, 6, step, code);
    CHECK_RC(a2f_store_totp_verify(st, &lo, "frank", 5, "10.0.0.1", code, 6,
                                   1, A2F_T_NOW), A2F_OK);
    CHECK_RC(a2f_store_totp_verify(st, &lo, "frank", 5, "10.0.0.1", code, 6,
                                   1, A2F_T_NOW), A2F_ERR_REPLAY);

    CHECK_RC(a2f_store_totp_list(st, "frank", 5, devs, A2F_DEVICES_MAX, &n),
             A2F_OK);
    CHECK(n == 2 && devs[0].last_step == step && devs[1].last_step == 0);

    a2f_t_code(s1, 20, A2F_SHA1, 6, step + 1, code);
    CHECK_RC(a2f_store_totp_verify(st, &lo, "frank", 5, NULL, code, 6, 1,
                                   A2F_T_NOW), A2F_OK);

    a2f_t_code(s1, 20, A2F_SHA1, 6, step - 1, code);
    CHECK_RC(a2f_store_totp_verify(st, &lo, "frank", 5, NULL, code, 6, 1,
                                   A2F_T_NOW), A2F_ERR_REPLAY);

    /* the 8-digit SHA-256 device, window edge both sides */

    a2f_t_code(s2, 32, A2F_SHA256, 8, step + 2, code);
    CHECK_RC(a2f_store_totp_verify(st, &lo, "frank", 5, NULL, code, 8, 1,
                                   A2F_T_NOW), A2F_ERR_AUTH);
    CHECK_RC(a2f_store_totp_verify(st, &lo, "frank", 5, NULL, code, 8, 2,
                                   A2F_T_NOW), A2F_OK);

    a2f_t_code(s2, 32, A2F_SHA256, 8, step + 3, code);
    code[0] = (char) (code[0] == '9' ? '0' : code[0] + 1);
    CHECK_RC(a2f_store_totp_verify(st, &lo, "frank", 5, NULL, code, 8, 1,
                                   A2F_T_NOW + 90), A2F_ERR_AUTH);

    /* malformed codes: not counted */

    lo.max_fails = 2;
    lo.period = 600;

    for (i = 0; i < 5; i++) {
        CHECK_RC(a2f_store_totp_verify(st, &lo, "frank", 5, NULL, "12a456",
                                       6, 1, A2F_T_NOW), A2F_ERR_INVALID);
        CHECK_RC(a2f_store_totp_verify(st, &lo, "frank", 5, NULL, "", 0, 1,
                                       A2F_T_NOW), A2F_ERR_INVALID);
        CHECK_RC(a2f_store_totp_verify(st, &lo, "frank", 5, NULL, "1234567",
                                       7, 1, A2F_T_NOW), A2F_ERR_INVALID);
        CHECK_RC(a2f_store_totp_verify(st, &lo, "frank", 5, NULL, "+12345",
                                       6, 1, A2F_T_NOW), A2F_ERR_INVALID);
    }

    CHECK_RC(a2f_store_locked(st, &lo, "frank", 5, NULL, A2F_T_NOW), A2F_OK);
    CHECK_RC(a2f_store_totp_verify(st, &lo, "frank", 5, NULL, "123456", 6,
                                   A2F_TOTP_WINDOW_MAX + 1, A2F_T_NOW),
             A2F_ERR_INVALID);

    /* no device, no user, disabled */

    CHECK_RC(a2f_store_totp_verify(st, &lo, "alice", 5, NULL, "123456", 6,
                                   1, A2F_T_NOW), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_totp_verify(st, &lo, "nobody", 6, NULL, "123456", 6,
                                   1, A2F_T_NOW), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_user_set_flags(st, "frank", 5, A2F_USER_DISABLED),
             A2F_OK);
    a2f_t_code(s1, 20, A2F_SHA1, 6, step + 5, code);
    CHECK_RC(a2f_store_totp_verify(st, &lo, "frank", 5, NULL, code, 6, 10,
                                   A2F_T_NOW), A2F_ERR_DISABLED);
    CHECK_RC(a2f_store_user_set_flags(st, "frank", 5, 0), A2F_OK);

    /* del */

    CHECK_RC(a2f_store_totp_del(st, "frank", 5, "phone", 5), A2F_OK);
    CHECK_RC(a2f_store_totp_del(st, "frank", 5, "phone", 5),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_totp_del(st, "nobody", 6, "phone", 5),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_user_get(st, "frank", 5, &u), A2F_OK);
    CHECK(u.ndevices == 1);

    /* A2F_DEVICES_MAX */

    CHECK_RC(a2f_t_add_user(st, "gina", 0), A2F_OK);

    for (i = 0; i < A2F_DEVICES_MAX; i++) {
        snprintf(name, sizeof(name), "dev %d", i);
        a2f_t_device(&d, name, s2, 20, A2F_SHA1, 6);
        CHECK_RC(a2f_store_totp_add(st, "gina", 4, &d, A2F_T_NOW), A2F_OK);
    }

    a2f_t_device(&d, "one more", s2, 20, A2F_SHA1, 6);
    CHECK_RC(a2f_store_totp_add(st, "gina", 4, &d, A2F_T_NOW),
             A2F_ERR_TOOBIG);

    /* user del takes the devices along; a new gina starts clean */

    CHECK_RC(a2f_store_user_del(st, "gina", 4), A2F_OK);
    CHECK_RC(a2f_t_add_user(st, "gina", 0), A2F_OK);
    CHECK_RC(a2f_store_totp_list(st, "gina", 4, devs, A2F_DEVICES_MAX, &n),
             A2F_OK);
    CHECK(n == 0);
    CHECK_RC(a2f_store_user_get(st, "frank", 5, &u), A2F_OK);
    CHECK(u.ndevices == 1);
}


static void
a2f_t_lockout(a2f_store_t *st)
{
    int            i;
    char           code[16], name[32];
    uint8_t        s1[20];
    a2f_user_t     u;
    a2f_lockout_t  lo;
    a2f_totp_dev_t d;

    lo.max_fails = 3;
    lo.max_fails_addr = 10;
    lo.period = 900;

    CHECK_RC(a2f_t_add_user(st, "erin", 0), A2F_OK);
    memcpy(s1, "abcdefghijabcdefghij", 20);
    a2f_t_device(&d, "", s1, 20, A2F_SHA1, 6);
    CHECK_RC(a2f_store_totp_add(st, "erin", 4, &d, A2F_T_NOW), A2F_OK);

    /* password failures lock the user */

    for (i = 0; i < 2; i++) {
        CHECK_RC(a2f_store_password_result(st, &lo, "erin", 4, "10.1.1.1", 0,
                                           A2F_T_NOW), A2F_OK);
        CHECK_RC(a2f_store_locked(st, &lo, "erin", 4, "10.1.1.1", A2F_T_NOW),
                 A2F_OK);
    }

    CHECK_RC(a2f_store_password_result(st, &lo, "erin", 4, "10.1.1.1", 0,
                                       A2F_T_NOW), A2F_OK);
    CHECK_RC(a2f_store_locked(st, &lo, "erin", 4, NULL, A2F_T_NOW),
             A2F_ERR_LOCKED);
    CHECK_RC(a2f_store_locked(st, &lo, "erin", 4, "10.1.1.1", A2F_T_NOW),
             A2F_ERR_LOCKED);
    CHECK_RC(a2f_store_locked(st, &lo, "frank", 5, "10.1.1.1", A2F_T_NOW),
             A2F_OK);
    CHECK_RC(a2f_store_user_get(st, "erin", 4, &u), A2F_OK);
    CHECK(u.locked_until == A2F_T_NOW + 900);

    /* a correct code while locked is refused */

    a2f_t_code(s1, 20, A2F_SHA1, 6, A2F_T_NOW / 30, code);
    CHECK_RC(a2f_store_totp_verify(st, &lo, "erin", 4, NULL, code, 6, 1,
                                   A2F_T_NOW), A2F_ERR_LOCKED);

    /* expiry: locked until now + period, not at it */

    CHECK_RC(a2f_store_locked(st, &lo, "erin", 4, NULL, A2F_T_NOW + 899),
             A2F_ERR_LOCKED);
    CHECK_RC(a2f_store_locked(st, &lo, "erin", 4, NULL, A2F_T_NOW + 900),
             A2F_OK);

    /* unlock */

    CHECK_RC(a2f_store_unlock(st, "erin", 4), A2F_OK);
    CHECK_RC(a2f_store_unlock(st, "nobody", 6), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_locked(st, &lo, "erin", 4, NULL, A2F_T_NOW), A2F_OK);
    CHECK_RC(a2f_store_totp_verify(st, &lo, "erin", 4, NULL, code, 6, 1,
                                   A2F_T_NOW), A2F_OK);

    /* code failures lock too; a bucket older than period restarts */

    CHECK_RC(a2f_store_totp_verify(st, &lo, "erin", 4, NULL, "000000", 6, 0,
                                   A2F_T_NOW + 1000), A2F_ERR_AUTH);
    CHECK_RC(a2f_store_totp_verify(st, &lo, "erin", 4, NULL, "000000", 6, 0,
                                   A2F_T_NOW + 1001), A2F_ERR_AUTH);
    CHECK_RC(a2f_store_totp_verify(st, &lo, "erin", 4, NULL, "000000", 6, 0,
                                   A2F_T_NOW + 1901), A2F_ERR_AUTH);
    CHECK_RC(a2f_store_totp_verify(st, &lo, "erin", 4, NULL, "000000", 6, 0,
                                   A2F_T_NOW + 1902), A2F_ERR_AUTH);
    CHECK_RC(a2f_store_locked(st, &lo, "erin", 4, NULL, A2F_T_NOW + 1902),
             A2F_OK);
    CHECK_RC(a2f_store_totp_verify(st, &lo, "erin", 4, NULL, "000000", 6, 0,
                                   A2F_T_NOW + 1903), A2F_ERR_AUTH);
    CHECK_RC(a2f_store_locked(st, &lo, "erin", 4, NULL, A2F_T_NOW + 1903),
             A2F_ERR_LOCKED);
    CHECK_RC(a2f_store_totp_verify(st, &lo, "erin", 4, NULL, "000000", 6, 0,
                                   A2F_T_NOW + 1904), A2F_ERR_LOCKED);

    /* a good password clears the user's bucket and sets last_login */

    CHECK_RC(a2f_store_password_result(st, &lo, "erin", 4, "10.1.1.1", 1,
                                       A2F_T_NOW + 2000), A2F_OK);
    CHECK_RC(a2f_store_locked(st, &lo, "erin", 4, NULL, A2F_T_NOW + 2000),
             A2F_OK);
    CHECK_RC(a2f_store_user_get(st, "erin", 4, &u), A2F_OK);
    CHECK(u.last_login == A2F_T_NOW + 2000);
    CHECK(u.locked_until == 0);
    CHECK_RC(a2f_store_password_result(st, &lo, "ghost", 5, "10.1.1.1", 1,
                                       A2F_T_NOW), A2F_ERR_NOTFOUND);

    /* address lockout: unknown users count against the address only */

    for (i = 0; i < 10; i++) {
        snprintf(name, sizeof(name), "ghost%d", i % 2);
        CHECK_RC(a2f_store_locked(st, &lo, name, strlen(name), "10.9.9.9",
                                  A2F_T_NOW + 3000), A2F_OK);
        CHECK_RC(a2f_store_password_result(st, &lo, name, strlen(name),
                                           "10.9.9.9", 0, A2F_T_NOW + 3000),
                 A2F_OK);
    }

    CHECK_RC(a2f_store_locked(st, &lo, "erin", 4, "10.9.9.9",
                              A2F_T_NOW + 3000), A2F_ERR_LOCKED);
    CHECK_RC(a2f_store_locked(st, &lo, "ghost0", 6, "10.9.9.8",
                              A2F_T_NOW + 3000), A2F_OK);
    CHECK_RC(a2f_store_locked(st, &lo, "ghost0", 6, NULL, A2F_T_NOW + 3000),
             A2F_OK);
    CHECK_RC(a2f_store_locked(st, &lo, "erin", 4, NULL, A2F_T_NOW + 3000),
             A2F_OK);
    CHECK_RC(a2f_store_locked(st, &lo, "erin", 4, "10.9.9.9",
                              A2F_T_NOW + 3900), A2F_OK);

    /* no lockout configured */

    CHECK_RC(a2f_store_locked(st, NULL, "erin", 4, "10.9.9.9",
                              A2F_T_NOW + 3000), A2F_OK);
    CHECK_RC(a2f_store_password_result(st, NULL, "erin", 4, "10.9.9.9", 0,
                                       A2F_T_NOW), A2F_OK);
}


static void
a2f_t_audit(a2f_store_t *st)
{
    a2f_t_audit_t  au;

    CHECK_RC(a2f_store_audit(st, A2F_T_NOW + 10000, "test", "a1", 2,
                             "1.2.3.4", "first"), A2F_OK);
    CHECK_RC(a2f_store_audit(st, A2F_T_NOW + 10000, "test", "a\nb", 3,
                             NULL, "sec\x01ond"), A2F_OK);
    CHECK_RC(a2f_store_audit(st, A2F_T_NOW + 10000, "test", NULL, 0,
                             "::1", NULL), A2F_OK);
    CHECK_RC(a2f_store_audit(st, A2F_T_NOW + 10001, "test", "a 4", 3,
                             "x\ty", ""), A2F_OK);
    CHECK_RC(a2f_store_audit(st, A2F_T_NOW + 10000, NULL, NULL, 0, NULL,
                             NULL), A2F_ERR_INVALID);

    memset(&au, 0, sizeof(au));
    CHECK_RC(a2f_store_audit_list(st, 4, a2f_t_audit_cb, &au), A2F_OK);
    CHECK(au.n == 4);
    CHECK_STR(au.texts[0], "test user=a?4 addr=x?y");
    CHECK_STR(au.texts[1], "test user=- addr=::1");
    CHECK_STR(au.texts[2], "test user=a?b addr=- sec?ond");
    CHECK_STR(au.texts[3], "test user=a1 addr=1.2.3.4 first");
    CHECK(au.usec[0] == (int64_t) (A2F_T_NOW + 10001) * 1000000);
    CHECK(au.usec[1] == (int64_t) (A2F_T_NOW + 10000) * 1000000 + 2);
    CHECK(au.usec[2] == au.usec[1] - 1);
    CHECK(au.usec[3] == au.usec[1] - 2);

    memset(&au, 0, sizeof(au));
    CHECK_RC(a2f_store_audit_list(st, 2, a2f_t_audit_cb, &au), A2F_OK);
    CHECK(au.n == 2);

    /* events written by the authentication calls (at earlier times) */

    memset(&au, 0, sizeof(au));
    CHECK_RC(a2f_store_audit_list(st, 8, a2f_t_audit_cb, &au), A2F_OK);
    CHECK(au.n == 8);
    CHECK(strncmp(au.texts[4], "login_failed user=ghost", 23) == 0
          || strncmp(au.texts[4], "locked user=ghost", 17) == 0);
}


static void
a2f_t_full(void)
{
    int            rc;
    char           path[128], name[32], err[512];
    unsigned       i, ok, n;
    a2f_user_t     u;
    a2f_store_t   *st;
    a2f_keyring_t  a;

    a2f_t_ring(A2F_T_KEY_A "\n", &a);

    /* too small for the schema (LMDB needs 5 pages of 4 KiB) */

    a2f_t_path(path, sizeof(path), "tiny.db");

    st = NULL;
    err[0] = '\0';
    CHECK_RC(a2f_store_open(path, 16 * 1024, &a, A2F_STORE_CREATE, &st, err,
                            sizeof(err)), A2F_ERR_FULL);
    CHECK(st == NULL);
    CHECK(strstr(err, path) != NULL);

    /* 64 KiB: a few users fit */

    a2f_t_path(path, sizeof(path), "small.db");

    st = NULL;
    rc = a2f_store_open(path, 64 * 1024, &a, A2F_STORE_CREATE, &st, err,
                        sizeof(err));
    CHECK_RC(rc, A2F_OK);

    if (rc != A2F_OK) {
        fprintf(stderr, "%s\n", err);
        return;
    }

    ok = 0;
    rc = A2F_OK;

    for (i = 0; i < 100000 && rc == A2F_OK; i++) {
        snprintf(name, sizeof(name), "user%05u", i);
        rc = a2f_t_add_user(st, name, 0);

        if (rc == A2F_OK) {
            ok++;
        }
    }

    CHECK_RC(rc, A2F_ERR_FULL);
    CHECK(ok > 10);

    /* the failed one is not there, the others are */

    CHECK_RC(a2f_store_user_get(st, name, strlen(name), &u),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_user_get(st, "user00000", 9, &u), A2F_OK);

    /* other trees fill up too, nothing is lost */

    for (i = 0; i < 100000; i++) {
        rc = a2f_store_audit(st, A2F_T_NOW, "x", NULL, 0, NULL,
                             "0123456789012345678901234567890123456789"
                             "0123456789012345678901234567890123456789");
        if (rc != A2F_OK) {
            break;
        }
    }

    CHECK_RC(rc, A2F_ERR_FULL);

    n = 0;
    CHECK_RC(a2f_store_user_list(st, a2f_t_count_cb, &n), A2F_OK);
    CHECK(n == ok);

    a2f_store_close(st);

    /* still so after reopening, also with the size recorded in the file */

    st = a2f_t_open(path, &a, 0);
    n = 0;
    CHECK_RC(a2f_store_user_list(st, a2f_t_count_cb, &n), A2F_OK);
    CHECK(n == ok);
    CHECK_RC(a2f_t_add_user(st, "one-more-user", 0), A2F_ERR_FULL);
    a2f_store_close(st);

    /* a bigger map takes more */

    st = NULL;
    CHECK_RC(a2f_store_open(path, 1024 * 1024, &a, 0, &st, err, sizeof(err)),
             A2F_OK);
    CHECK_RC(a2f_t_add_user(st, "one-more-user", 0), A2F_OK);
    a2f_store_close(st);
}


/* is every byte of the code text in the alphabet, in groups 4-4-4 */

static int
a2f_t_recovery_ok(const char *code)
{
    size_t  i;

    if (strlen(code) != A2F_RECOVERY_LEN) {
        return 0;
    }

    for (i = 0; i < A2F_RECOVERY_LEN; i++) {
        if (i == 4 || i == 9) {
            if (code[i] != '-') {
                return 0;
            }

        } else if (strchr("0123456789abcdefghjkmnpqrstvwxyz", code[i])
                   == NULL || code[i] == '\0')
        {
            return 0;
        }
    }

    return 1;
}


/* does the audit trail (newest 8) hold an event starting with text */

static int
a2f_t_audit_has(a2f_store_t *st, const char *text)
{
    unsigned       i;
    a2f_t_audit_t  au;

    memset(&au, 0, sizeof(au));

    if (a2f_store_audit_list(st, 8, a2f_t_audit_cb, &au) != A2F_OK) {
        return 0;
    }

    for (i = 0; i < au.n && i < 8; i++) {
        if (strncmp(au.texts[i], text, strlen(text)) == 0) {
            return 1;
        }
    }

    return 0;
}


/*
 * Recovery codes: a new set, each code once (with or without dashes, in
 * either case), a new set ends the old one, wrong codes lock the user,
 * only hashes in the file, deleting the user deletes the set.
 */

static void
a2f_t_recovery(a2f_store_t *st, const char *path)
{
    int             i, j;
    char            codes[A2F_RECOVERY_CODES][A2F_RECOVERY_LEN + 1];
    char            old[A2F_RECOVERY_CODES][A2F_RECOVERY_LEN + 1];
    char            buf[64], bare[16], addr[A2F_ADDR_MAX + 2];
    size_t          k;
    int64_t         t;
    uint8_t         s1[20];
    unsigned        left, n;
    a2f_user_t      u;
    a2f_lockout_t   lo, lo_addr;
    a2f_totp_dev_t  d, devs[A2F_DEVICES_MAX];

    lo.max_fails = 3;
    lo.max_fails_addr = 10;
    lo.period = 900;

    lo_addr.max_fails = 0;
    lo_addr.max_fails_addr = 1;
    lo_addr.period = 900;

    t = A2F_T_NOW + 20000;

    CHECK_RC(a2f_t_add_user(st, "rita", 0), A2F_OK);
    memcpy(s1, "recovery-test-secret", 20);
    a2f_t_device(&d, "phone", s1, 20, A2F_SHA1, 6);
    CHECK_RC(a2f_store_totp_add(st, "rita", 4, &d, A2F_T_NOW), A2F_OK);

    /* no set yet; unknown users */

    left = 99;
    CHECK_RC(a2f_store_recovery_count(st, "rita", 4, &left), A2F_OK);
    CHECK(left == 0);
    CHECK_RC(a2f_store_recovery_count(st, "nobody", 6, &left),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_recovery_new(st, "nobody", 6, codes, t),
             A2F_ERR_NOTFOUND);
    CHECK(codes[0][0] == '\0' && codes[9][0] == '\0');
    CHECK_RC(a2f_store_recovery_new(st, "", 0, codes, t), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_recovery_use(st, &lo, "nobody", 6, NULL,
                                    "abcd-efgh-jkmn", 14, t, &left),
             A2F_ERR_NOTFOUND);

    /* a user without a set: a failure like a wrong code */

    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, NULL,
                                    "abcd-efgh-jkmn", 14, t, &left),
             A2F_ERR_AUTH);
    CHECK(a2f_t_audit_has(st, "recovery_failed user=rita addr=- "
                          "codes=none"));
    CHECK_RC(a2f_store_unlock(st, "rita", 4), A2F_OK);

    /* a new set */

    CHECK_RC(a2f_store_recovery_new(st, "rita", 4, codes, t), A2F_OK);
    CHECK(a2f_t_audit_has(st, "recovery_new user=rita addr=- count=10"));

    for (i = 0; i < A2F_RECOVERY_CODES; i++) {
        CHECK(a2f_t_recovery_ok(codes[i]));

        for (j = 0; j < i; j++) {
            CHECK(strcmp(codes[i], codes[j]) != 0);
        }
    }

    left = 99;
    CHECK_RC(a2f_store_recovery_count(st, "rita", 4, &left), A2F_OK);
    CHECK(left == A2F_RECOVERY_CODES);

    /* the devices do not see it */

    CHECK_RC(a2f_store_user_get(st, "rita", 4, &u), A2F_OK);
    CHECK(u.ndevices == 1);
    CHECK_RC(a2f_store_totp_list(st, "rita", 4, devs, A2F_DEVICES_MAX, &n),
             A2F_OK);
    CHECK(n == 1);
    CHECK_STR(devs[0].name, "phone");

    /* only hashes in the file: no code, with or without dashes */

    for (i = 0; i < A2F_RECOVERY_CODES; i++) {
        CHECK(a2f_t_file_has(path, (const uint8_t *) codes[i],
                             A2F_RECOVERY_LEN) == 0);

        for (j = 0, k = 0; codes[i][j] != '\0'; j++) {
            if (codes[i][j] != '-') {
                bare[k++] = codes[i][j];
            }
        }

        CHECK(a2f_t_file_has(path, (const uint8_t *) bare, k) == 0);
    }

    /* a code as shown; then again: refused, counted */

    left = 99;
    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, "10.2.2.2",
                                    codes[0], strlen(codes[0]), t, &left),
             A2F_OK);
    CHECK(left == 9);
    CHECK(a2f_t_audit_has(st, "recovery_ok user=rita addr=10.2.2.2 "
                          "remaining=9"));

    left = 99;
    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, "10.2.2.2",
                                    codes[0], strlen(codes[0]), t + 1,
                                    &left), A2F_ERR_AUTH);
    CHECK(left == 99);
    CHECK(a2f_t_audit_has(st, "recovery_failed user=rita addr=10.2.2.2 "
                          "reused=1"));

    /* without dashes, upper case: a success clears the bucket */

    for (j = 0, k = 0; codes[1][j] != '\0'; j++) {
        if (codes[1][j] != '-') {
            buf[k++] = (char) (codes[1][j] >= 'a' ? codes[1][j] - 'a' + 'A'
                                                  : codes[1][j]);
        }
    }

    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, NULL, buf, k, t + 2,
                                    &left), A2F_OK);
    CHECK(left == 8);

    /* spaces for dashes, look-alikes: 'O' for '0', 'l' for '1' */

    for (j = 0, k = 0; codes[2][j] != '\0'; j++) {
        buf[k++] = codes[2][j] == '-' ? ' '
                   : codes[2][j] == '0' ? 'O'
                   : codes[2][j] == '1' ? 'l'
                   : codes[2][j];
    }

    buf[k++] = ' ';

    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, NULL, buf, k, t + 3,
                                    NULL), A2F_OK);

    CHECK_RC(a2f_store_recovery_count(st, "rita", 4, &left), A2F_OK);
    CHECK(left == 7);

    /* malformed: not counted (more than max_fails of them) */

    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, NULL, "abc", 3,
                                    t + 4, &left), A2F_ERR_INVALID);
    snprintf(buf, sizeof(buf), "%sx", codes[3]);
    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, NULL, buf,
                                    strlen(buf), t + 4, &left),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, NULL,
                                    "uuuu-uuuu-uuuu", 14, t + 4, &left),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, NULL,
                                    "abcd\0efg-hjkmn", 14, t + 4, &left),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, NULL, NULL, 0,
                                    t + 4, &left), A2F_ERR_INVALID);
    memset(buf, 'a', sizeof(buf));
    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, NULL, buf,
                                    sizeof(buf), t + 4, &left),
             A2F_ERR_INVALID);
    memset(addr, 'x', sizeof(addr) - 1);
    addr[sizeof(addr) - 1] = '\0';
    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, addr, codes[3],
                                    strlen(codes[3]), t + 4, &left),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_locked(st, &lo, "rita", 4, NULL, t + 4), A2F_OK);

    /* a disabled user: nothing checked */

    CHECK_RC(a2f_store_user_set_flags(st, "rita", 4, A2F_USER_DISABLED),
             A2F_OK);
    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, NULL, codes[3],
                                    strlen(codes[3]), t + 4, &left),
             A2F_ERR_DISABLED);
    CHECK_RC(a2f_store_user_set_flags(st, "rita", 4, 0), A2F_OK);

    /* a new set: the old codes stop working */

    memcpy(old, codes, sizeof(old));
    CHECK_RC(a2f_store_recovery_new(st, "rita", 4, codes, t + 5), A2F_OK);
    CHECK_RC(a2f_store_recovery_count(st, "rita", 4, &left), A2F_OK);
    CHECK(left == A2F_RECOVERY_CODES);
    CHECK(strcmp(old[3], codes[3]) != 0);

    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, NULL, old[3],
                                    strlen(old[3]), t + 6, &left),
             A2F_ERR_AUTH);

    /* wrong codes count toward the lockout: three lock the user */

    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, NULL,
                                    "2222-2222-2222", 14, t + 7, &left),
             A2F_ERR_AUTH);
    CHECK_RC(a2f_store_locked(st, &lo, "rita", 4, NULL, t + 7), A2F_OK);
    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, NULL,
                                    "2222-2222-2223", 14, t + 8, &left),
             A2F_ERR_AUTH);
    CHECK_RC(a2f_store_locked(st, &lo, "rita", 4, NULL, t + 8),
             A2F_ERR_LOCKED);
    CHECK_RC(a2f_store_user_get(st, "rita", 4, &u), A2F_OK);
    CHECK(u.locked_until == t + 8 + 900);
    CHECK(a2f_t_audit_has(st, "locked user=rita addr=- bucket=user"));

    /* locked: a good code is refused and not used up */

    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, NULL, codes[0],
                                    strlen(codes[0]), t + 9, &left),
             A2F_ERR_LOCKED);
    CHECK_RC(a2f_store_recovery_count(st, "rita", 4, &left), A2F_OK);
    CHECK(left == A2F_RECOVERY_CODES);

    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, NULL, codes[0],
                                    strlen(codes[0]), t + 8 + 900, &left),
             A2F_OK);
    CHECK(left == A2F_RECOVERY_CODES - 1);
    CHECK_RC(a2f_store_user_get(st, "rita", 4, &u), A2F_OK);
    CHECK(u.locked_until == 0);

    /* the address bucket counts too */

    CHECK_RC(a2f_store_recovery_use(st, &lo_addr, "rita", 4, "10.3.3.3",
                                    "2222-2222-2222", 14, t + 1000, &left),
             A2F_ERR_AUTH);
    CHECK_RC(a2f_store_locked(st, &lo_addr, "rita", 4, "10.3.3.3",
                              t + 1000), A2F_ERR_LOCKED);
    CHECK_RC(a2f_store_recovery_use(st, &lo_addr, "rita", 4, "10.3.3.3",
                                    codes[1], strlen(codes[1]), t + 1000,
                                    &left), A2F_ERR_LOCKED);
    CHECK_RC(a2f_store_recovery_use(st, NULL, "rita", 4, "10.3.3.3",
                                    "2222-2222-2222", 14, t + 1000, &left),
             A2F_ERR_AUTH);

    /* every code once, down to none */

    for (i = 1; i < A2F_RECOVERY_CODES; i++) {
        CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, NULL, codes[i],
                                        strlen(codes[i]), t + 1001, &left),
                 A2F_OK);
        CHECK(left == (unsigned) (A2F_RECOVERY_CODES - 1 - i));
    }

    CHECK_RC(a2f_store_recovery_count(st, "rita", 4, &left), A2F_OK);
    CHECK(left == 0);
    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, NULL, codes[5],
                                    strlen(codes[5]), t + 1002, &left),
             A2F_ERR_AUTH);

    CHECK_RC(a2f_store_user_get(st, "rita", 4, &u), A2F_OK);
    CHECK(u.ndevices == 1);

    /* deleting the user deletes the set: a new "rita" has none */

    CHECK_RC(a2f_store_recovery_new(st, "rita", 4, codes, t + 1003), A2F_OK);
    CHECK_RC(a2f_store_user_del(st, "rita", 4), A2F_OK);
    CHECK_RC(a2f_store_recovery_count(st, "rita", 4, &left),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_t_add_user(st, "rita", 0), A2F_OK);
    left = 99;
    CHECK_RC(a2f_store_recovery_count(st, "rita", 4, &left), A2F_OK);
    CHECK(left == 0);
    CHECK_RC(a2f_store_user_get(st, "rita", 4, &u), A2F_OK);
    CHECK(u.ndevices == 0);
    CHECK_RC(a2f_store_recovery_use(st, &lo, "rita", 4, NULL, codes[0],
                                    strlen(codes[0]), t + 1004, &left),
             A2F_ERR_AUTH);
    CHECK_RC(a2f_store_user_del(st, "rita", 4), A2F_OK);

    memset(codes, 0, sizeof(codes));
    memset(old, 0, sizeof(old));
}


static void
a2f_t_backup(a2f_store_t *st, const a2f_keyring_t *kr)
{
    char          path[128];
    a2f_user_t    u;
    struct stat   sb;
    a2f_store_t  *bk;

    a2f_t_path(path, sizeof(path), "backup.db");

    CHECK_RC(a2f_store_backup(st, path), A2F_OK);
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    CHECK_RC(a2f_store_backup(st, path), A2F_ERR_EXISTS);
    CHECK_RC(a2f_store_backup(st, ""), A2F_ERR_INVALID);

    bk = a2f_t_open(path, kr, 0);
    CHECK(bk != NULL);

    if (bk != NULL) {
        CHECK_RC(a2f_store_user_get(bk, "frank", 5, &u), A2F_OK);
        CHECK(u.ndevices == 1);
        a2f_store_close(bk);
    }
}


/* two processes, one code, at the same moment: exactly one wins */

static void
a2f_t_race(const char *path, const a2f_keyring_t *kr)
{
    int             rc, round, k, status, wins, replays, go[2], ready[2];
    char            code[16], c;
    pid_t           pid[2];
    uint8_t         s[20];
    uint64_t        step;
    a2f_store_t    *st;
    a2f_lockout_t   lo;
    a2f_totp_dev_t  d;

    memset(&lo, 0, sizeof(lo));
    memcpy(s, "racing-secret-bytes!", 20);

    st = a2f_t_open(path, kr, 0);
    CHECK_RC(a2f_t_add_user(st, "racer", 0), A2F_OK);
    a2f_t_device(&d, "", s, 20, A2F_SHA1, 6);
    CHECK_RC(a2f_store_totp_add(st, "racer", 5, &d, A2F_T_NOW), A2F_OK);
    a2f_store_close(st);

    for (round = 0; round < 8; round++) {
        step = A2F_T_NOW / 30 + (uint64_t) round * 2;
        a2f_t_code(s, 20, A2F_SHA1, 6, step, code);

        if (pipe(go) != 0 || pipe(ready) != 0) {
            CHECK(0);
            return;
        }

        fflush(NULL);

        for (k = 0; k < 2; k++) {
            pid[k] = fork();

            if (pid[k] == 0) {
                close(go[1]);
                close(ready[0]);

                st = NULL;
                rc = a2f_store_open(path, 0, kr, 0, &st, NULL, 0);
                if (rc != A2F_OK) {
                    _exit(10);
                }

                if (write(ready[1], "r", 1) != 1
                    || read(go[0], &c, 1) != 1)
                {
                    _exit(11);
                }

                rc = a2f_store_totp_verify(st, &lo, "racer", 5, NULL, code,
                                           6, 1, (int64_t) step * 30);
                a2f_store_close(st);

                _exit(rc == A2F_OK ? 0 : rc == A2F_ERR_REPLAY ? 1 : 12);
            }
        }

        close(go[0]);
        close(ready[1]);

        for (k = 0; k < 2; k++) {
            if (read(ready[0], &c, 1) != 1) {
                CHECK(0);
            }
        }

        /* both are waiting: let them go at once */

        if (write(go[1], "gg", 2) != 2) {
            CHECK(0);
        }

        close(go[1]);
        close(ready[0]);

        wins = 0;
        replays = 0;

        for (k = 0; k < 2; k++) {
            status = -1;
            CHECK(waitpid(pid[k], &status, 0) == pid[k]);
            CHECK(WIFEXITED(status));

            if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                wins++;

            } else if (WIFEXITED(status) && WEXITSTATUS(status) == 1) {
                replays++;

            } else {
                fprintf(stderr, "race child exit %d\n",
                        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
            }
        }

        CHECK(wins == 1);
        CHECK(replays == 1);
    }
}


int
main(int argc, char **argv)
{
    char           path[128], cmd[128];
    a2f_store_t   *st;
    a2f_keyring_t  kr;

    snprintf(a2f_t_dir, sizeof(a2f_t_dir), "/tmp/a2f_test_store.XXXXXX");

    if (mkdtemp(a2f_t_dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }

    a2f_t_open_and_keys();
    a2f_t_rekey();

    a2f_t_ring(A2F_T_KEY_A "\n", &kr);
    a2f_t_path(path, sizeof(path), "main.db");

    st = a2f_t_open(path, &kr, A2F_STORE_CREATE);

    if (st != NULL) {
        CHECK_RC(a2f_t_add_user(st, "alice", 0), A2F_OK);
        a2f_t_users(st);
        a2f_t_totp(st, path);
        a2f_t_lockout(st);
        a2f_t_audit(st);
        a2f_t_backup(st, &kr);
        a2f_t_recovery(st, path);
        a2f_store_close(st);
    }

    a2f_t_full();
    a2f_t_race(path, &kr);
    a2f_t_del_last(&kr);

    a2f_keyring_wipe(&kr);

    if (getenv("A2F_TEST_KEEP") == NULL) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", a2f_t_dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "cannot remove %s\n", a2f_t_dir);
        }
    }

    return a2f_test_done(argv[0]);
}
