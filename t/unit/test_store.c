
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * test_store.c: a2f_store.c: open and keys, key rotation, users, TOTP
 * devices and their replay guard, lockouts, audit, recovery codes, a
 * full map, two processes racing (TOTP codes, security key counters);
 * flags, security keys (find, use, the clone flag, failures),
 * WebAuthn and FIDO U2F challenges, temporary API token records, user
 * groups, enrollment links, audit pages and the audit hook (also from
 * several threads).
 */


#define _GNU_SOURCE                 /* memmem() */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lmdb.h>                   /* a2f_t_index() reads a copy itself */
#include <openssl/sha.h>

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


static void
a2f_t_seckey(a2f_seckey_t *k, const char *name, uint8_t id, size_t idlen,
    size_t publen)
{
    memset(k, 0, sizeof(a2f_seckey_t));
    snprintf(k->name, sizeof(k->name), "%s", name);
    memset(k->cred_id, id, idlen);
    k->cred_id_len = idlen;
    memset(k->pubkey, 0xa5, publen);
    k->pubkey[0] = id;
    k->pubkey_len = publen;
    k->alg = -7;
    snprintf(k->fmt, sizeof(k->fmt), "none");
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


/* what a racer does with its own store: 0 won, 1 replay, else failed */

typedef int (*a2f_t_racer_pt)(a2f_store_t *st, const void *arg);


/*
 * Two processes, each with its own store, run racer(arg) at the same
 * moment; *wins and *replays count their exit codes 0 and 1.
 */

static void
a2f_t_race2(const char *path, const a2f_keyring_t *kr, a2f_t_racer_pt racer,
    const void *arg, int *wins, int *replays)
{
    int           rc, k, status, go[2], ready[2];
    char          c;
    pid_t         pid[2];
    a2f_store_t  *st;

    *wins = 0;
    *replays = 0;

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

            if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1) {
                _exit(11);
            }

            rc = racer(st, arg);
            a2f_store_close(st);

            _exit(rc);
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

    for (k = 0; k < 2; k++) {
        status = -1;
        CHECK(waitpid(pid[k], &status, 0) == pid[k]);
        CHECK(WIFEXITED(status));

        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            (*wins)++;

        } else if (WIFEXITED(status) && WEXITSTATUS(status) == 1) {
            (*replays)++;

        } else {
            fprintf(stderr, "race child exit %d\n",
                    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        }
    }
}


/* one code at one step */

typedef struct {
    char      code[16];
    uint64_t  step;
} a2f_t_otc_t;


static int
a2f_t_race_totp(a2f_store_t *st, const void *arg)
{
    int                 rc;
    a2f_lockout_t       lo;
    const a2f_t_otc_t  *o = arg;

    memset(&lo, 0, sizeof(lo));

    rc = a2f_store_totp_verify(st, &lo, "racer", 5, NULL, o->code, 6, 1,
                               (int64_t) o->step * 30);

    return rc == A2F_OK ? 0 : rc == A2F_ERR_REPLAY ? 1 : 12;
}


/* one assertion's counter */

static int
a2f_t_race_key(a2f_store_t *st, const void *arg)
{
    int             rc;
    uint8_t         id[32];
    a2f_lockout_t   lo;

    memset(&lo, 0, sizeof(lo));
    memset(id, 0x5a, sizeof(id));

    rc = a2f_store_seckey_use(st, &lo, "racer", 5, NULL, id, sizeof(id),
                              *(const uint32_t *) arg, A2F_T_NOW);

    return rc == A2F_OK ? 0 : rc == A2F_ERR_REPLAY ? 1 : 12;
}


/*
 * Two processes, one code (one security key counter), at the same
 * moment: exactly one wins.
 */

static void
a2f_t_race(const char *path, const a2f_keyring_t *kr)
{
    int             round, wins, replays;
    uint8_t         s[20], id[32];
    uint32_t        count;
    a2f_store_t    *st;
    a2f_seckey_t    k, f;
    a2f_t_otc_t     o;
    a2f_totp_dev_t  d;

    memcpy(s, "racing-secret-bytes!", 20);

    st = a2f_t_open(path, kr, 0);
    CHECK_RC(a2f_t_add_user(st, "racer", 0), A2F_OK);
    a2f_t_device(&d, "", s, 20, A2F_SHA1, 6);
    CHECK_RC(a2f_store_totp_add(st, "racer", 5, &d, A2F_T_NOW), A2F_OK);
    a2f_store_close(st);

    for (round = 0; round < 8; round++) {
        o.step = A2F_T_NOW / 30 + (uint64_t) round * 2;
        a2f_t_code(s, 20, A2F_SHA1, 6, o.step, o.code);

        a2f_t_race2(path, kr, a2f_t_race_totp, &o, &wins, &replays);

        CHECK(wins == 1);
        CHECK(replays == 1);
    }

    /*
     * The same counter twice: one use wins, the other sees the count
     * used and flags the key as cloned (an admin then adds it again).
     */

    memset(id, 0x5a, sizeof(id));

    for (round = 0; round < 8; round++) {
        st = a2f_t_open(path, kr, 0);

        if (st == NULL) {
            return;
        }

        a2f_t_seckey(&k, "racing key", 0x5a, sizeof(id), 77);
        k.sign_count = (uint32_t) round * 10;
        (void) a2f_store_seckey_del(st, "racer", 5, k.name, strlen(k.name));
        CHECK_RC(a2f_store_seckey_add(st, "racer", 5, &k, A2F_T_NOW),
                 A2F_OK);
        a2f_store_close(st);

        count = (uint32_t) round * 10 + 1;

        a2f_t_race2(path, kr, a2f_t_race_key, &count, &wins, &replays);

        CHECK(wins == 1);
        CHECK(replays == 1);

        st = a2f_t_open(path, kr, 0);

        if (st == NULL) {
            return;
        }

        memset(&f, 0, sizeof(f));
        CHECK_RC(a2f_store_seckey_find(st, "racer", 5, id, sizeof(id), &f),
                 A2F_OK);
        CHECK(f.sign_count == count && f.flags == A2F_SECKEY_CLONED);
        a2f_store_close(st);
    }
}


/* -- flags, security keys, enrollment links, audit pages and hook ---------- */


/* the events the audit hook saw */

typedef struct {
    char      texts[16][A2F_AUDIT_MAX];
    unsigned  n;
    int       badlen;
} a2f_t_hook_t;


static void
a2f_t_hook(void *arg, const char *text, size_t len)
{
    a2f_t_hook_t *hk = arg;

    if (strlen(text) != len) {
        hk->badlen = 1;
    }

    if (hk->n < 16) {
        snprintf(hk->texts[hk->n], sizeof(hk->texts[0]), "%s", text);
    }

    hk->n++;
}


/* the user's nkeys as user_list tells it */

typedef struct {
    const char  *name;
    unsigned     nkeys;
    unsigned     ndevices;
    int          found;
} a2f_t_find_t;


static int
a2f_t_find_cb(const a2f_user_t *u, void *arg)
{
    a2f_t_find_t *f = arg;

    if (strcmp(u->name, f->name) == 0) {
        f->nkeys = u->nkeys;
        f->ndevices = u->ndevices;
        f->found = 1;
    }

    return 0;
}


static void
a2f_t_flags(a2f_store_t *st)
{
    uint32_t    flags, gen, g;
    a2f_user_t  u;

    CHECK_RC(a2f_t_add_user(st, "flo", 0), A2F_OK);
    CHECK_RC(a2f_store_user_gen(st, "flo", 3, &gen, &flags), A2F_OK);

    flags = 99;
    CHECK_RC(a2f_store_user_update_flags(st, "flo", 3, A2F_USER_ADMIN, 0,
                                         &flags), A2F_OK);
    CHECK(flags == A2F_USER_ADMIN);

    /* set and clear at once; the other bit stays */

    CHECK_RC(a2f_store_user_update_flags(st, "flo", 3, A2F_USER_DISABLED, 0,
                                         &flags), A2F_OK);
    CHECK(flags == (A2F_USER_ADMIN | A2F_USER_DISABLED));
    CHECK_RC(a2f_store_user_update_flags(st, "flo", 3, 0, A2F_USER_ADMIN,
                                         &flags), A2F_OK);
    CHECK(flags == A2F_USER_DISABLED);
    CHECK_RC(a2f_store_user_update_flags(st, "flo", 3, A2F_USER_ADMIN,
                                         A2F_USER_DISABLED, &flags), A2F_OK);
    CHECK(flags == A2F_USER_ADMIN);

    /* set wins over clear; flags may be NULL */

    CHECK_RC(a2f_store_user_update_flags(st, "flo", 3, A2F_USER_DISABLED,
                                         A2F_USER_DISABLED | A2F_USER_ADMIN,
                                         NULL), A2F_OK);
    CHECK_RC(a2f_store_user_get(st, "flo", 3, &u), A2F_OK);
    CHECK(u.flags == A2F_USER_DISABLED);

    /* the generation stays; the hot path sees the flags */

    CHECK_RC(a2f_store_user_gen(st, "flo", 3, &g, &flags), A2F_OK);
    CHECK(g == gen && flags == A2F_USER_DISABLED);

    /* refused: unknown bits (nothing written), unknown users */

    flags = 99;
    CHECK_RC(a2f_store_user_update_flags(st, "flo", 3, 0x04, 0, &flags),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_user_update_flags(st, "flo", 3, 0, 0x80000000,
                                         &flags), A2F_ERR_INVALID);
    CHECK(flags == 99);
    CHECK_RC(a2f_store_user_update_flags(st, "nobody", 6, A2F_USER_ADMIN, 0,
                                         &flags), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_user_update_flags(st, "", 0, A2F_USER_ADMIN, 0,
                                         &flags), A2F_ERR_NOTFOUND);
    CHECK(flags == 99);
    CHECK_RC(a2f_store_user_get(st, "flo", 3, &u), A2F_OK);
    CHECK(u.flags == A2F_USER_DISABLED);

    CHECK_RC(a2f_store_user_del(st, "flo", 3), A2F_OK);
}


static void
a2f_t_seckeys(a2f_store_t *st)
{
    int             i;
    char            name[16];
    uint8_t         s1[20];
    unsigned        n;
    a2f_user_t      u;
    a2f_t_find_t    f;
    a2f_seckey_t    k, keys[A2F_SECKEYS_MAX + 1];
    a2f_totp_dev_t  d;

    memcpy(s1, "security-key-secret!", 20);

    CHECK_RC(a2f_t_add_user(st, "kate", 0), A2F_OK);
    CHECK_RC(a2f_t_add_user(st, "kat", 0), A2F_OK);

    CHECK_RC(a2f_store_user_get(st, "kate", 4, &u), A2F_OK);
    CHECK(u.nkeys == 0);
    n = 99;
    CHECK_RC(a2f_store_seckey_list(st, "kate", 4, keys, A2F_SECKEYS_MAX, &n),
             A2F_OK);
    CHECK(n == 0);

    /* add: every field round-trips */

    a2f_t_seckey(&k, "yubi", 0x11, 64, 77);
    k.alg = -257;
    k.sign_count = 41;
    k.flags = A2F_SECKEY_U2F;
    k.last_used = A2F_T_NOW + 5;
    snprintf(k.fmt, sizeof(k.fmt), "u2f");
    memset(k.appid, 'a', A2F_SECKEY_APPID_MAX);
    memcpy(k.appid, "https://", 8);
    k.transports = A2F_SECKEY_T_USB | A2F_SECKEY_T_HYBRID;
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW), A2F_OK);

    a2f_t_seckey(&k, "", 0x22, A2F_SECKEY_ID_MAX, A2F_SECKEY_PUB_MAX);
    k.created = 12345;
    snprintf(k.fmt, sizeof(k.fmt), "fido-u2f-format");
    memset(k.aaguid, 0xcb, sizeof(k.aaguid));
    k.aaguid[15] = 0x01;
    k.transports = A2F_SECKEY_T_USB | A2F_SECKEY_T_NFC | A2F_SECKEY_T_BLE
                   | A2F_SECKEY_T_INTERNAL | A2F_SECKEY_T_HYBRID;
    k.flags = A2F_SECKEY_CLONED;
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW), A2F_OK);

    memset(keys, 0, sizeof(keys));
    CHECK_RC(a2f_store_seckey_list(st, "kate", 4, keys, A2F_SECKEYS_MAX, &n),
             A2F_OK);
    CHECK(n == 2);
    CHECK_STR(keys[0].name, "key");
    CHECK(keys[0].alg == -7 && keys[0].created == 12345);
    CHECK(keys[0].cred_id_len == A2F_SECKEY_ID_MAX);
    CHECK(keys[0].cred_id[0] == 0x22
          && keys[0].cred_id[A2F_SECKEY_ID_MAX - 1] == 0x22);
    CHECK(keys[0].pubkey_len == A2F_SECKEY_PUB_MAX);
    CHECK(keys[0].pubkey[0] == 0x22
          && keys[0].pubkey[A2F_SECKEY_PUB_MAX - 1] == 0xa5);
    CHECK(keys[0].sign_count == 0 && keys[0].flags == A2F_SECKEY_CLONED);
    CHECK(keys[0].last_used == 0);
    CHECK_STR(keys[0].fmt, "fido-u2f-format");
    CHECK(keys[0].aaguid[0] == 0xcb && keys[0].aaguid[14] == 0xcb
          && keys[0].aaguid[15] == 0x01);
    CHECK(keys[0].transports == 0x1f);
    CHECK_STR(keys[0].appid, "");
    CHECK_STR(keys[1].name, "yubi");
    CHECK(keys[1].alg == -257);
    CHECK(keys[1].cred_id_len == 64 && keys[1].cred_id[63] == 0x11);
    CHECK(keys[1].pubkey_len == 77 && keys[1].pubkey[0] == 0x11
          && keys[1].pubkey[76] == 0xa5);
    CHECK(keys[1].sign_count == 41);
    CHECK(keys[1].flags == A2F_SECKEY_U2F);
    CHECK(keys[1].created == A2F_T_NOW);
    CHECK(keys[1].last_used == A2F_T_NOW + 5);
    CHECK_STR(keys[1].fmt, "u2f");
    CHECK(strlen(keys[1].appid) == A2F_SECKEY_APPID_MAX
          && strncmp(keys[1].appid, "https://aaa", 11) == 0);
    CHECK(keys[1].transports == (A2F_SECKEY_T_USB | A2F_SECKEY_T_HYBRID));
    CHECK(keys[1].aaguid[0] == 0 && keys[1].aaguid[15] == 0);

    CHECK_RC(a2f_store_seckey_list(st, "kate", 4, keys, 1, &n), A2F_OK);
    CHECK(n == 1);
    CHECK_STR(keys[0].name, "key");
    CHECK_RC(a2f_store_seckey_list(st, "nobody", 6, keys, 8, &n),
             A2F_ERR_NOTFOUND);

    /* keys are no devices, devices no keys; list tells both */

    a2f_t_device(&d, "phone", s1, 20, A2F_SHA1, 6);
    CHECK_RC(a2f_store_totp_add(st, "kate", 4, &d, A2F_T_NOW), A2F_OK);
    CHECK_RC(a2f_store_user_get(st, "kate", 4, &u), A2F_OK);
    CHECK(u.nkeys == 2 && u.ndevices == 1);
    CHECK_RC(a2f_store_user_get(st, "kat", 3, &u), A2F_OK);
    CHECK(u.nkeys == 0 && u.ndevices == 0);

    memset(&f, 0, sizeof(f));
    f.name = "kate";
    CHECK_RC(a2f_store_user_list(st, a2f_t_find_cb, &f), A2F_OK);
    CHECK(f.found && f.nkeys == 2 && f.ndevices == 1);

    /* refused: a name or a credential id taken, bad sizes and names */

    a2f_t_seckey(&k, "yubi", 0x33, 16, 16);
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_EXISTS);
    a2f_t_seckey(&k, "other", 0x11, 64, 16);
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_EXISTS);
    a2f_t_seckey(&k, "key", 0x44, 16, 16);
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_EXISTS);

    /* a prefix of an id is another id; another user may have the same */

    a2f_t_seckey(&k, "short", 0x11, 63, 16);
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW), A2F_OK);
    a2f_t_seckey(&k, "yubi", 0x11, 64, 16);
    CHECK_RC(a2f_store_seckey_add(st, "kat", 3, &k, A2F_T_NOW), A2F_OK);

    a2f_t_seckey(&k, "bad", 0x55, 0, 16);
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_INVALID);
    k.cred_id_len = A2F_SECKEY_ID_MAX + 1;
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_INVALID);
    a2f_t_seckey(&k, "bad", 0x55, 16, 0);
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_INVALID);
    k.pubkey_len = A2F_SECKEY_PUB_MAX + 1;
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_INVALID);
    a2f_t_seckey(&k, "bad\tname", 0x55, 16, 16);
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_INVALID);
    a2f_t_seckey(&k, "", 0x55, 16, 16);
    memset(k.name, 'n', sizeof(k.name));
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, NULL, A2F_T_NOW),
             A2F_ERR_INVALID);
    a2f_t_seckey(&k, "ok", 0x55, 16, 16);
    CHECK_RC(a2f_store_seckey_add(st, "nobody", 6, &k, A2F_T_NOW),
             A2F_ERR_NOTFOUND);

    /* refused: fmt, appid, flags, transports */

    k.fmt[0] = '\0';
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_INVALID);
    memset(k.fmt, 'f', sizeof(k.fmt));
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_INVALID);
    snprintf(k.fmt, sizeof(k.fmt), "no ne");
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_INVALID);
    snprintf(k.fmt, sizeof(k.fmt), "none\n");
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_INVALID);
    snprintf(k.fmt, sizeof(k.fmt), "n\xc3\xa9");
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_INVALID);
    snprintf(k.fmt, sizeof(k.fmt), "none");
    memset(k.appid, 'a', sizeof(k.appid));
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_INVALID);
    snprintf(k.appid, sizeof(k.appid), "https://a b");
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_INVALID);
    snprintf(k.appid, sizeof(k.appid), "https://a\x7f");
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_INVALID);
    k.appid[0] = '\0';
    k.transports = 0x20;
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_INVALID);
    k.transports = 0;
    k.flags = 0x04;
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_INVALID);
    k.flags = 0;

    CHECK_RC(a2f_store_user_get(st, "kate", 4, &u), A2F_OK);
    CHECK(u.nkeys == 3);

    /* A2F_SECKEYS_MAX */

    for (i = 3; i < A2F_SECKEYS_MAX; i++) {
        snprintf(name, sizeof(name), "k%d", i);
        a2f_t_seckey(&k, name, (uint8_t) (0x60 + i), 32, 32);
        CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW), A2F_OK);
    }

    a2f_t_seckey(&k, "one more", 0x7f, 32, 32);
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW),
             A2F_ERR_TOOBIG);
    CHECK_RC(a2f_store_seckey_list(st, "kate", 4, keys, A2F_SECKEYS_MAX + 1,
                                   &n), A2F_OK);
    CHECK(n == A2F_SECKEYS_MAX);
    CHECK_RC(a2f_store_user_get(st, "kate", 4, &u), A2F_OK);
    CHECK(u.nkeys == A2F_SECKEYS_MAX);

    /* del: then there is room again */

    CHECK_RC(a2f_store_seckey_del(st, "kate", 4, "k3", 2), A2F_OK);
    CHECK_RC(a2f_store_seckey_del(st, "kate", 4, "k3", 2), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_seckey_del(st, "kate", 4, "phone", 5),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_seckey_del(st, "nobody", 6, "yubi", 4),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_seckey_del(st, "kate", 4, "", 0), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_seckey_add(st, "kate", 4, &k, A2F_T_NOW), A2F_OK);
    CHECK_RC(a2f_store_user_get(st, "kate", 4, &u), A2F_OK);
    CHECK(u.nkeys == A2F_SECKEYS_MAX && u.ndevices == 1);

    /* the other user's key is untouched */

    CHECK_RC(a2f_store_seckey_list(st, "kat", 3, keys, 8, &n), A2F_OK);
    CHECK(n == 1 && keys[0].cred_id_len == 64);

    /* deleting the user deletes the keys: a new "kate" has none */

    CHECK_RC(a2f_store_user_del(st, "kate", 4), A2F_OK);
    CHECK_RC(a2f_store_seckey_list(st, "kate", 4, keys, 8, &n),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_t_add_user(st, "kate", 0), A2F_OK);
    n = 99;
    CHECK_RC(a2f_store_seckey_list(st, "kate", 4, keys, 8, &n), A2F_OK);
    CHECK(n == 0);
    CHECK_RC(a2f_store_user_get(st, "kate", 4, &u), A2F_OK);
    CHECK(u.nkeys == 0 && u.ndevices == 0);
    CHECK_RC(a2f_store_user_get(st, "kat", 3, &u), A2F_OK);
    CHECK(u.nkeys == 1);

    CHECK_RC(a2f_store_user_del(st, "kate", 4), A2F_OK);
    CHECK_RC(a2f_store_user_del(st, "kat", 3), A2F_OK);
}


/* the number of audit events; au (may be NULL) the newest 8 */

static unsigned
a2f_t_events(a2f_store_t *st, a2f_t_audit_t *au)
{
    a2f_t_audit_t  tmp;

    if (au == NULL) {
        au = &tmp;
    }

    memset(au, 0, sizeof(a2f_t_audit_t));
    CHECK_RC(a2f_store_audit_list(st, 1000000, a2f_t_audit_cb, au), A2F_OK);

    return au->n;
}


/* the key with id byte id (idlen bytes) of user, found */

static a2f_seckey_t *
a2f_t_key_of(a2f_store_t *st, const char *user, uint8_t id, size_t idlen,
    a2f_seckey_t *k)
{
    uint8_t  cid[A2F_SECKEY_ID_MAX];

    memset(cid, id, idlen);
    memset(k, 0, sizeof(a2f_seckey_t));

    if (a2f_store_seckey_find(st, user, strlen(user), cid, idlen, k)
        != A2F_OK)
    {
        CHECK(0);
    }

    return k;
}


/*
 * find, use and fail: the counter check, the clone flag, lockouts, the
 * audit trail, and nothing written on a refusal.
 */

static void
a2f_t_seckey_use(a2f_store_t *st)
{
    char            addr[A2F_ADDR_MAX + 2];
    uint8_t         id[A2F_SECKEY_ID_MAX + 1];
    int64_t         t;
    unsigned        ev;
    a2f_seckey_t    k, f;
    a2f_lockout_t   lo;
    a2f_t_audit_t   au;

    t = A2F_T_NOW + 90000;

    lo.max_fails = 3;
    lo.max_fails_addr = 5;
    lo.period = 60;

    CHECK_RC(a2f_t_add_user(st, "una", 0), A2F_OK);
    CHECK_RC(a2f_t_add_user(st, "uwe", 0), A2F_OK);

    a2f_t_seckey(&k, "yubi", 0x31, 48, 77);
    CHECK_RC(a2f_store_seckey_add(st, "una", 3, &k, t), A2F_OK);
    a2f_t_seckey(&k, "solo", 0x32, 48, 77);
    k.sign_count = 9;
    CHECK_RC(a2f_store_seckey_add(st, "una", 3, &k, t), A2F_OK);
    a2f_t_seckey(&k, "uwes", 0x33, 48, 77);
    CHECK_RC(a2f_store_seckey_add(st, "uwe", 3, &k, t), A2F_OK);

    /* find: by the exact id, among this user's keys only */

    memset(id, 0x32, sizeof(id));
    memset(&f, 0, sizeof(f));
    CHECK_RC(a2f_store_seckey_find(st, "una", 3, id, 48, &f), A2F_OK);
    CHECK_STR(f.name, "solo");
    CHECK(f.sign_count == 9 && f.cred_id_len == 48 && f.pubkey_len == 77);
    CHECK_STR(f.fmt, "none");
    CHECK_RC(a2f_store_seckey_find(st, "una", 3, id, 48, NULL), A2F_OK);

    memset(&f, 0x77, sizeof(f));
    CHECK_RC(a2f_store_seckey_find(st, "una", 3, id, 47, &f),
             A2F_ERR_NOTFOUND);
    CHECK(f.sign_count == 0x77777777);
    CHECK_RC(a2f_store_seckey_find(st, "una", 3, id, 49, &f),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_seckey_find(st, "una", 3, id, 0, &f),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_seckey_find(st, "una", 3, id, A2F_SECKEY_ID_MAX + 1,
                                   &f), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_seckey_find(st, "una", 3, NULL, 48, &f),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_seckey_find(st, "uwe", 3, id, 48, &f),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_seckey_find(st, "nobody", 6, id, 48, &f),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_seckey_find(st, "", 0, id, 48, &f),
             A2F_ERR_NOTFOUND);
    CHECK(f.sign_count == 0x77777777);
    memset(id, 0x33, sizeof(id));
    CHECK_RC(a2f_store_seckey_find(st, "uwe", 3, id, 48, &f), A2F_OK);
    CHECK_STR(f.name, "uwes");

    /* use: a key without a counter (0 and 0) is accepted every time */

    memset(id, 0x31, sizeof(id));
    ev = a2f_t_events(st, NULL);
    CHECK_RC(a2f_store_seckey_use(st, &lo, "una", 3, "10.0.0.1", id, 48, 0,
                                  t + 1), A2F_OK);
    CHECK_RC(a2f_store_seckey_use(st, &lo, "una", 3, "10.0.0.1", id, 48, 0,
                                  t + 2), A2F_OK);
    a2f_t_key_of(st, "una", 0x31, 48, &f);
    CHECK(f.sign_count == 0 && f.last_used == t + 2 && f.flags == 0);
    CHECK(a2f_t_events(st, &au) == ev + 2);
    CHECK_STR(au.texts[0], "key_ok user=una addr=10.0.0.1 key=yubi");

    /* a growing counter is stored */

    CHECK_RC(a2f_store_seckey_use(st, NULL, "una", 3, NULL, id, 48, 5,
                                  t + 3), A2F_OK);
    a2f_t_key_of(st, "una", 0x31, 48, &f);
    CHECK(f.sign_count == 5 && f.last_used == t + 3);
    CHECK_RC(a2f_store_seckey_use(st, &lo, "una", 3, NULL, id, 48, 7,
                                  t + 4), A2F_OK);
    a2f_t_key_of(st, "una", 0x31, 48, &f);
    CHECK(f.sign_count == 7 && f.last_used == t + 4);
    CHECK(a2f_t_events(st, &au) == ev + 4);
    CHECK_STR(au.texts[0], "key_ok user=una addr=- key=yubi");

    /* fail: counted and audited; a success clears the user's bucket */

    CHECK_RC(a2f_store_seckey_fail(st, &lo, "una", 3, "10.0.0.2",
                                   "signature key=yubi", t + 5), A2F_OK);
    CHECK_RC(a2f_store_seckey_fail(st, &lo, "una", 3, "10.0.0.2", NULL,
                                   t + 5), A2F_OK);
    CHECK(a2f_t_events(st, &au) == ev + 6);
    CHECK_STR(au.texts[0], "key_failed user=una addr=10.0.0.2");
    CHECK_STR(au.texts[1],
              "key_failed user=una addr=10.0.0.2 signature key=yubi");
    CHECK_RC(a2f_store_seckey_use(st, &lo, "una", 3, "10.0.0.3", id, 48, 8,
                                  t + 6), A2F_OK);
    CHECK_RC(a2f_store_seckey_fail(st, &lo, "una", 3, "10.0.0.3", "x",
                                   t + 6), A2F_OK);
    CHECK_RC(a2f_store_seckey_fail(st, &lo, "una", 3, "10.0.0.3", "x",
                                   t + 6), A2F_OK);
    CHECK_RC(a2f_store_locked(st, &lo, "una", 3, NULL, t + 6), A2F_OK);

    /* the third failure in a row locks the user */

    ev = a2f_t_events(st, NULL);
    CHECK_RC(a2f_store_seckey_fail(st, &lo, "una", 3, "10.0.0.3",
                                   "origin", t + 6), A2F_OK);
    CHECK_RC(a2f_store_locked(st, &lo, "una", 3, NULL, t + 6),
             A2F_ERR_LOCKED);
    CHECK(a2f_t_events(st, &au) == ev + 2);
    CHECK_STR(au.texts[0], "key_failed user=una addr=10.0.0.3 origin");
    CHECK_STR(au.texts[1], "locked user=una addr=10.0.0.3 bucket=user");

    /* locked: refused, nothing written (the counter stays) */

    CHECK_RC(a2f_store_seckey_use(st, &lo, "una", 3, NULL, id, 48, 20,
                                  t + 7), A2F_ERR_LOCKED);
    a2f_t_key_of(st, "una", 0x31, 48, &f);
    CHECK(f.sign_count == 8 && f.last_used == t + 6);
    CHECK(a2f_t_events(st, NULL) == ev + 2);
    CHECK_RC(a2f_store_unlock(st, "una", 3), A2F_OK);

    /* an address past its limit is locked too */

    CHECK_RC(a2f_store_seckey_use(st, &lo, "una", 3, "10.0.0.3", id, 48, 20,
                                  t + 7), A2F_OK);
    CHECK_RC(a2f_store_seckey_fail(st, &lo, "una", 3, "10.0.0.3", "x",
                                   t + 7), A2F_OK);
    CHECK_RC(a2f_store_locked(st, &lo, NULL, 0, "10.0.0.3", t + 7), A2F_OK);
    ev = a2f_t_events(st, NULL);
    CHECK_RC(a2f_store_seckey_fail(st, &lo, "una", 3, "10.0.0.3", "x",
                                   t + 7), A2F_OK);
    CHECK_RC(a2f_store_locked(st, &lo, NULL, 0, "10.0.0.3", t + 7),
             A2F_ERR_LOCKED);
    CHECK(a2f_t_events(st, &au) == ev + 2);
    CHECK_STR(au.texts[1], "locked user=una addr=10.0.0.3 bucket=addr");
    CHECK_RC(a2f_store_locked(st, &lo, "una", 3, NULL, t + 7), A2F_OK);
    ev = a2f_t_events(st, NULL);
    CHECK_RC(a2f_store_seckey_use(st, &lo, "una", 3, "10.0.0.3", id, 48, 21,
                                  t + 8), A2F_ERR_LOCKED);
    CHECK_RC(a2f_store_seckey_use(st, &lo, "una", 3, "10.0.0.4", id, 48, 21,
                                  t + 8), A2F_OK);
    CHECK(a2f_t_events(st, NULL) == ev + 1);

    /* refused without a trace: disabled, no such user or key, bad input */

    ev = a2f_t_events(st, NULL);
    CHECK_RC(a2f_store_user_set_flags(st, "una", 3, A2F_USER_DISABLED),
             A2F_OK);
    CHECK_RC(a2f_store_seckey_use(st, &lo, "una", 3, NULL, id, 48, 30,
                                  t + 9), A2F_ERR_DISABLED);
    CHECK_RC(a2f_store_user_set_flags(st, "una", 3, 0), A2F_OK);
    CHECK_RC(a2f_store_seckey_use(st, &lo, "nobody", 6, NULL, id, 48, 30,
                                  t + 9), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_seckey_use(st, &lo, "una", 3, NULL, id, 47, 30,
                                  t + 9), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_seckey_use(st, &lo, "una", 3, NULL, id, 0, 30,
                                  t + 9), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_seckey_use(st, &lo, "una", 3, NULL, NULL, 48, 30,
                                  t + 9), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_seckey_use(st, &lo, "una", 3, NULL, id,
                                  A2F_SECKEY_ID_MAX + 1, 30, t + 9),
             A2F_ERR_NOTFOUND);
    memset(id, 0x33, sizeof(id));
    CHECK_RC(a2f_store_seckey_use(st, &lo, "una", 3, NULL, id, 48, 30,
                                  t + 9), A2F_ERR_NOTFOUND);
    memset(id, 0x31, sizeof(id));
    memset(addr, 'a', sizeof(addr));
    addr[A2F_ADDR_MAX + 1] = '\0';
    CHECK_RC(a2f_store_seckey_use(st, &lo, "una", 3, addr, id, 48, 30,
                                  t + 9), A2F_ERR_INVALID);
    CHECK_RC(a2f_store_seckey_fail(st, &lo, "una", 3, addr, "x", t + 9),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_seckey_fail(st, &lo, "nobody", 6, "10.0.0.9", "x",
                                   t + 9), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_seckey_fail(st, &lo, "", 0, "10.0.0.9", "x", t + 9),
             A2F_ERR_NOTFOUND);
    CHECK(a2f_t_events(st, NULL) == ev);
    a2f_t_key_of(st, "una", 0x31, 48, &f);
    CHECK(f.sign_count == 21 && f.last_used == t + 8 && f.flags == 0);
    lo.max_fails_addr = 1;
    CHECK_RC(a2f_store_locked(st, &lo, NULL, 0, "10.0.0.9", t + 9), A2F_OK);
    lo.max_fails_addr = 5;

    /* an address that is exactly A2F_ADDR_MAX bytes is fine */

    addr[A2F_ADDR_MAX] = '\0';
    CHECK_RC(a2f_store_seckey_use(st, NULL, "una", 3, addr, id, 48, 22,
                                  t + 9), A2F_OK);

    /*
     * The counter did not grow: the key is flagged, a failure counted
     * against user and address, and the key refused from then on.
     */

    ev = a2f_t_events(st, NULL);
    CHECK_RC(a2f_store_seckey_use(st, &lo, "una", 3, "10.0.0.5", id, 48, 22,
                                  t + 10), A2F_ERR_REPLAY);
    a2f_t_key_of(st, "una", 0x31, 48, &f);
    CHECK(f.flags == A2F_SECKEY_CLONED);
    CHECK(f.sign_count == 22 && f.last_used == t + 9);
    CHECK(a2f_t_events(st, &au) == ev + 1);
    CHECK_STR(au.texts[0], "key_cloned user=una addr=10.0.0.5 key=yubi "
              "count=22 stored=22");

    CHECK_RC(a2f_store_seckey_use(st, &lo, "una", 3, "10.0.0.5", id, 48,
                                  1000, t + 11), A2F_ERR_REPLAY);
    CHECK_RC(a2f_store_seckey_use(st, NULL, "una", 3, NULL, id, 48, 1001,
                                  t + 11), A2F_ERR_REPLAY);
    a2f_t_key_of(st, "una", 0x31, 48, &f);
    CHECK(f.flags == A2F_SECKEY_CLONED);
    CHECK(f.sign_count == 22 && f.last_used == t + 9);
    CHECK(a2f_t_events(st, &au) == ev + 3);
    CHECK_STR(au.texts[0], "key_refused user=una addr=- cloned key=yubi");
    CHECK_STR(au.texts[1],
              "key_refused user=una addr=10.0.0.5 cloned key=yubi");

    /* only the clone was counted: two more failures lock the user */

    CHECK_RC(a2f_store_seckey_fail(st, &lo, "una", 3, NULL, "x", t + 12),
             A2F_OK);
    CHECK_RC(a2f_store_locked(st, &lo, "una", 3, NULL, t + 12), A2F_OK);
    CHECK_RC(a2f_store_seckey_fail(st, &lo, "una", 3, NULL, "x", t + 12),
             A2F_OK);
    CHECK_RC(a2f_store_locked(st, &lo, "una", 3, NULL, t + 12),
             A2F_ERR_LOCKED);
    CHECK_RC(a2f_store_unlock(st, "una", 3), A2F_OK);

    /* the other key still works; a stored counter going to 0 is a clone */

    memset(id, 0x32, sizeof(id));
    CHECK_RC(a2f_store_seckey_use(st, &lo, "una", 3, NULL, id, 48, 0,
                                  t + 13), A2F_ERR_REPLAY);
    a2f_t_key_of(st, "una", 0x32, 48, &f);
    CHECK(f.flags == A2F_SECKEY_CLONED && f.sign_count == 9);
    CHECK(a2f_t_events(st, &au) > 0);
    CHECK_STR(au.texts[0], "key_cloned user=una addr=- key=solo count=0 "
              "stored=9");

    /* a smaller one too; the other user's key is untouched */

    memset(id, 0x33, sizeof(id));
    CHECK_RC(a2f_store_seckey_use(st, &lo, "uwe", 3, NULL, id, 48, 3,
                                  t + 14), A2F_OK);
    CHECK_RC(a2f_store_seckey_use(st, &lo, "uwe", 3, NULL, id, 48, 2,
                                  t + 15), A2F_ERR_REPLAY);
    a2f_t_key_of(st, "uwe", 0x33, 48, &f);
    CHECK(f.flags == A2F_SECKEY_CLONED && f.sign_count == 3);

    /* removed and added again by an admin: accepted */

    CHECK_RC(a2f_store_seckey_del(st, "uwe", 3, "uwes", 4), A2F_OK);
    a2f_t_seckey(&k, "uwes", 0x33, 48, 77);
    CHECK_RC(a2f_store_seckey_add(st, "uwe", 3, &k, t), A2F_OK);
    CHECK_RC(a2f_store_seckey_use(st, &lo, "uwe", 3, NULL, id, 48, 4,
                                  t + 16), A2F_OK);

    CHECK_RC(a2f_store_user_del(st, "una", 3), A2F_OK);
    CHECK_RC(a2f_store_user_del(st, "uwe", 3), A2F_OK);
}


/* challenges: random, single use, per purpose, expiring, not audited */

/*
 * The four challenge purposes at t: each its own (a new one replaces
 * only the one of its purpose, a take leaves the others), all of them
 * good for A2F_CHALLENGE_TTL_MAX (900) seconds, not one more.
 */

static void
a2f_t_challenge_purposes(a2f_store_t *st, int64_t t)
{
    int       purpose[4];
    uint8_t   c[4][A2F_CHALLENGE_LEN], c1[A2F_CHALLENGE_LEN];
    uint8_t   out[A2F_CHALLENGE_LEN], zero[A2F_CHALLENGE_LEN];
    unsigned  i, j;

    purpose[0] = A2F_CHALLENGE_REGISTER;
    purpose[1] = A2F_CHALLENGE_ASSERT;
    purpose[2] = A2F_CHALLENGE_U2F_SIGN;
    purpose[3] = A2F_CHALLENGE_U2F_REGISTER;

    memset(zero, 0, sizeof(zero));

    CHECK(A2F_CHALLENGE_U2F_SIGN == 's' && A2F_CHALLENGE_U2F_REGISTER == 'u');
    CHECK(A2F_CHALLENGE_TTL_MAX == 900);

    /* from none pending (the caller leaves one of its own) */

    for (i = 0; i < 4; i++) {
        (void) a2f_store_challenge_take(st, "cleo", 4, purpose[i], t, out);
    }

    for (i = 0; i < 4; i++) {
        CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, purpose[i], t + 900,
                                         t, c[i]), A2F_OK);
        CHECK(memcmp(c[i], zero, sizeof(zero)) != 0);
    }

    for (i = 0; i < 4; i++) {
        for (j = i + 1; j < 4; j++) {
            CHECK(memcmp(c[i], c[j], sizeof(c[i])) != 0);
        }
    }

    /* a new one of each U2F purpose replaces only that one */

    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, A2F_CHALLENGE_U2F_SIGN,
                                     t + 60, t, c1), A2F_OK);
    CHECK(memcmp(c1, c[2], sizeof(c1)) != 0);
    memcpy(c[2], c1, sizeof(c1));

    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4,
                                     A2F_CHALLENGE_U2F_REGISTER, t + 120, t,
                                     c1), A2F_OK);
    CHECK(memcmp(c1, c[3], sizeof(c1)) != 0);
    memcpy(c[3], c1, sizeof(c1));

    /* and a new WebAuthn one leaves the U2F ones */

    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                     t + 900, t, c1), A2F_OK);
    memcpy(c[1], c1, sizeof(c1));

    /* taken once each, in any order; the others stay */

    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_U2F_SIGN,
                                      t + 59, out), A2F_OK);
    CHECK(memcmp(out, c[2], sizeof(out)) == 0);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_U2F_SIGN,
                                      t + 59, out), A2F_ERR_NOTFOUND);

    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                      t + 899, out), A2F_OK);
    CHECK(memcmp(out, c[1], sizeof(out)) == 0);

    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4,
                                      A2F_CHALLENGE_U2F_REGISTER, t + 119,
                                      out), A2F_OK);
    CHECK(memcmp(out, c[3], sizeof(out)) == 0);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4,
                                      A2F_CHALLENGE_U2F_REGISTER, t, out),
             A2F_ERR_NOTFOUND);

    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_REGISTER,
                                      t + 899, out), A2F_OK);
    CHECK(memcmp(out, c[0], sizeof(out)) == 0);

    for (i = 0; i < 4; i++) {
        CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, purpose[i], t, out),
                 A2F_ERR_NOTFOUND);
    }

    /* 900 seconds for every purpose, not 901; expired at 900 */

    for (i = 0; i < 4; i++) {
        memset(c1, 0xff, sizeof(c1));
        CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, purpose[i], t + 901,
                                         t, c1), A2F_ERR_INVALID);
        CHECK(memcmp(c1, zero, sizeof(zero)) == 0);
        CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, purpose[i], t,
                                          out), A2F_ERR_NOTFOUND);

        CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, purpose[i], t + 900,
                                         t, c[i]), A2F_OK);
    }

    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_U2F_SIGN,
                                      t + 899, out), A2F_OK);
    CHECK(memcmp(out, c[2], sizeof(out)) == 0);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4,
                                      A2F_CHALLENGE_U2F_REGISTER, t + 900,
                                      out), A2F_ERR_EXPIRED);
    CHECK(memcmp(out, zero, sizeof(zero)) == 0);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4,
                                      A2F_CHALLENGE_U2F_REGISTER, t, out),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                      t + 900, out), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_REGISTER,
                                      t + 899, out), A2F_OK);
    CHECK(memcmp(out, c[0], sizeof(out)) == 0);

    /* other letters are no purposes */

    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, 'S', t + 60, t, c1),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, 'U', t + 60, t, c1),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, 'g', t, out),
             A2F_ERR_INVALID);
}


static void
a2f_t_challenges(a2f_store_t *st)
{
    int64_t      t;
    uint8_t      c1[A2F_CHALLENGE_LEN], c2[A2F_CHALLENGE_LEN];
    uint8_t      c3[A2F_CHALLENGE_LEN], out[A2F_CHALLENGE_LEN];
    uint8_t      zero[A2F_CHALLENGE_LEN];
    unsigned     ev, n;
    a2f_user_t   u;
    a2f_seckey_t keys[A2F_SECKEYS_MAX];

    t = A2F_T_NOW + 95000;
    memset(zero, 0, sizeof(zero));

    CHECK_RC(a2f_t_add_user(st, "cleo", 0), A2F_OK);
    ev = a2f_t_events(st, NULL);

    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, A2F_CHALLENGE_REGISTER,
                                     t + 60, t, c1), A2F_OK);
    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                     t + 600, t, c2), A2F_OK);
    CHECK(memcmp(c1, zero, sizeof(zero)) != 0);
    CHECK(memcmp(c1, c2, sizeof(c1)) != 0);

    /* pending challenges are no keys or devices */

    CHECK_RC(a2f_store_user_get(st, "cleo", 4, &u), A2F_OK);
    CHECK(u.nkeys == 0 && u.ndevices == 0);
    n = 99;
    CHECK_RC(a2f_store_seckey_list(st, "cleo", 4, keys, A2F_SECKEYS_MAX, &n),
             A2F_OK);
    CHECK(n == 0);

    /* taken once, each purpose its own */

    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_REGISTER,
                                      t + 59, out), A2F_OK);
    CHECK(memcmp(out, c1, sizeof(c1)) == 0);
    memset(out, 0xff, sizeof(out));
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_REGISTER,
                                      t + 1, out), A2F_ERR_NOTFOUND);
    CHECK(memcmp(out, zero, sizeof(zero)) == 0);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                      t + 599, out), A2F_OK);
    CHECK(memcmp(out, c2, sizeof(c2)) == 0);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                      t + 1, out), A2F_ERR_NOTFOUND);

    /* a new one replaces the old one of its purpose only */

    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                     t + 60, t, c1), A2F_OK);
    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, A2F_CHALLENGE_REGISTER,
                                     t + 60, t, c3), A2F_OK);
    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                     t + 60, t, c2), A2F_OK);
    CHECK(memcmp(c1, c2, sizeof(c1)) != 0);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                      t, out), A2F_OK);
    CHECK(memcmp(out, c2, sizeof(c2)) == 0);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                      t, out), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_REGISTER,
                                      t, out), A2F_OK);
    CHECK(memcmp(out, c3, sizeof(c3)) == 0);

    /* expired: refused and gone */

    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                     t + 10, t, c1), A2F_OK);
    memset(out, 0xff, sizeof(out));
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                      t + 10, out), A2F_ERR_EXPIRED);
    CHECK(memcmp(out, zero, sizeof(zero)) == 0);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                      t + 5, out), A2F_ERR_NOTFOUND);

    /* refused: bad purposes and times, no such user; nothing written */

    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                     t + 60, t, c3), A2F_OK);
    memset(c1, 0xff, sizeof(c1));
    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, 'x', t + 60, t, c1),
             A2F_ERR_INVALID);
    CHECK(memcmp(c1, zero, sizeof(zero)) == 0);
    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, 0, t + 60, t, c1),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                     t, t, c1), A2F_ERR_INVALID);
    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                     t - 1, t, c1), A2F_ERR_INVALID);
    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                     t + A2F_CHALLENGE_TTL_MAX + 1, t, c1),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                     INT64_MAX, INT64_MIN, c1),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                     t + 60, t, NULL), A2F_ERR_INVALID);
    memset(c1, 0xff, sizeof(c1));
    CHECK_RC(a2f_store_challenge_new(st, "nobody", 6, A2F_CHALLENGE_ASSERT,
                                     t + 60, t, c1), A2F_ERR_NOTFOUND);
    CHECK(memcmp(c1, zero, sizeof(zero)) == 0);
    CHECK_RC(a2f_store_challenge_new(st, "", 0, A2F_CHALLENGE_ASSERT,
                                     t + 60, t, c1), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, 'x', t, out),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                      t, NULL), A2F_ERR_INVALID);
    CHECK_RC(a2f_store_challenge_take(st, "nobody", 6, A2F_CHALLENGE_ASSERT,
                                      t, out), A2F_ERR_NOTFOUND);

    /* the one made before the refusals is still there, as it was */

    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                      t + 59, out), A2F_OK);
    CHECK(memcmp(out, c3, sizeof(c3)) == 0);

    /* at most A2F_CHALLENGE_TTL_MAX */

    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                     t + A2F_CHALLENGE_TTL_MAX, t, c1),
             A2F_OK);

    /* the four purposes, each apart */

    a2f_t_challenge_purposes(st, t);

    /* nothing about challenges is audited */

    CHECK(a2f_t_events(st, NULL) == ev);

    /* deleting the user deletes them: a new "cleo" has none */

    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, A2F_CHALLENGE_REGISTER,
                                     t + 60, t, c1), A2F_OK);
    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4, A2F_CHALLENGE_U2F_SIGN,
                                     t + 60, t, c1), A2F_OK);
    CHECK_RC(a2f_store_challenge_new(st, "cleo", 4,
                                     A2F_CHALLENGE_U2F_REGISTER, t + 60, t,
                                     c1), A2F_OK);
    CHECK_RC(a2f_store_user_del(st, "cleo", 4), A2F_OK);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                      t, out), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_t_add_user(st, "cleo", 0), A2F_OK);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_ASSERT,
                                      t, out), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_REGISTER,
                                      t, out), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4, A2F_CHALLENGE_U2F_SIGN,
                                      t, out), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_challenge_take(st, "cleo", 4,
                                      A2F_CHALLENGE_U2F_REGISTER, t, out),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_user_del(st, "cleo", 4), A2F_OK);
}


/* -- user groups ----------------------------------------------------------- */


/* the user's group is want (glen and text), read back */

static void
a2f_t_group_is(a2f_store_t *st, const char *user, const char *want)
{
    char    g[A2F_GROUP_MAX + 1];
    size_t  glen;

    memset(g, 'x', sizeof(g));
    glen = 999;

    CHECK_RC(a2f_store_user_group_get(st, user, strlen(user), g, &glen),
             A2F_OK);
    CHECK_STR(g, want);
    CHECK(glen == strlen(want));
}


/*
 * User groups: none at first, set, replaced, cleared; names checked
 * (nothing written when refused); 64 bytes and every allowed byte;
 * unknown users; one user's group is not another's (also of a user
 * whose name is a prefix); not audited; deleting the user deletes it.
 */

static void
a2f_t_groups(a2f_store_t *st)
{
    int          c;
    char         g[A2F_GROUP_MAX + 1], big[A2F_GROUP_MAX + 2], one;
    size_t       glen, i;
    unsigned     ev, bad;
    a2f_user_t   u;

    CHECK_RC(a2f_t_add_user(st, "gwen", 0), A2F_OK);
    CHECK_RC(a2f_t_add_user(st, "gwe", 0), A2F_OK);
    ev = a2f_t_events(st, NULL);

    /* none set: "" */

    a2f_t_group_is(st, "gwen", "");

    /* set, read back; glen may be NULL */

    CHECK_RC(a2f_store_user_group_set(st, "gwen", 4, "staff", 5), A2F_OK);
    a2f_t_group_is(st, "gwen", "staff");
    memset(g, 'x', sizeof(g));
    CHECK_RC(a2f_store_user_group_get(st, "gwen", 4, g, NULL), A2F_OK);
    CHECK_STR(g, "staff");

    /* only glen bytes of group are taken */

    CHECK_RC(a2f_store_user_group_set(st, "gwen", 4, "staffing", 5),
             A2F_OK);
    a2f_t_group_is(st, "gwen", "staff");

    /* the other user (whose name is a prefix) has none */

    a2f_t_group_is(st, "gwe", "");

    /* replaced */

    CHECK_RC(a2f_store_user_group_set(st, "gwen", 4, "ops-team_2.eu", 13),
             A2F_OK);
    a2f_t_group_is(st, "gwen", "ops-team_2.eu");
    CHECK_RC(a2f_store_user_group_set(st, "gwe", 3, "x", 1), A2F_OK);
    a2f_t_group_is(st, "gwe", "x");
    a2f_t_group_is(st, "gwen", "ops-team_2.eu");

    /* a group is no device or key */

    CHECK_RC(a2f_store_user_get(st, "gwen", 4, &u), A2F_OK);
    CHECK(u.ndevices == 0 && u.nkeys == 0);

    /* bad names: refused, nothing written */

    CHECK_RC(a2f_store_user_group_set(st, "gwen", 4, NULL, 3),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_user_group_set(st, "gwen", 4, "a b", 3),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_user_group_set(st, "gwen", 4, " ab", 3),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_user_group_set(st, "gwen", 4, "a\"b", 3),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_user_group_set(st, "gwen", 4, "a\\b", 3),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_user_group_set(st, "gwen", 4, "ab\x7f", 3),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_user_group_set(st, "gwen", 4, "a\tb", 3),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_user_group_set(st, "gwen", 4, "a\r\nb", 4),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_user_group_set(st, "gwen", 4, "a\0b", 3),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_user_group_set(st, "gwen", 4, "caf\xc3\xa9", 5),
             A2F_ERR_INVALID);

    /* A2F_GROUP_MAX bytes, not one more */

    CHECK(A2F_GROUP_MAX == 64);
    memset(big, 'g', sizeof(big));
    big[A2F_GROUP_MAX + 1] = '\0';
    CHECK_RC(a2f_store_user_group_set(st, "gwen", 4, big, A2F_GROUP_MAX + 1),
             A2F_ERR_INVALID);
    a2f_t_group_is(st, "gwen", "ops-team_2.eu");

    big[A2F_GROUP_MAX] = '\0';
    CHECK_RC(a2f_store_user_group_set(st, "gwen", 4, big, A2F_GROUP_MAX),
             A2F_OK);
    a2f_t_group_is(st, "gwen", big);

    /* every byte alone: 0x21..0x7e but '"' and '\\' */

    bad = 0;

    for (c = 0; c < 256; c++) {
        one = (char) c;

        if (a2f_store_user_group_set(st, "gwe", 3, &one, 1)
            != ((c >= 0x21 && c <= 0x7e && c != '"' && c != '\\')
                ? A2F_OK : A2F_ERR_INVALID))
        {
            bad++;
        }
    }

    CHECK(bad == 0);
    a2f_t_group_is(st, "gwe", "~");

    /* 64 bytes of every allowed byte in turn */

    for (i = 0, c = 0x21; i < A2F_GROUP_MAX; i++) {
        big[i] = (char) c;

        do {
            c = (c == 0x7e) ? 0x21 : c + 1;
        } while (c == '"' || c == '\\');
    }

    big[A2F_GROUP_MAX] = '\0';
    CHECK_RC(a2f_store_user_group_set(st, "gwe", 3, big, A2F_GROUP_MAX),
             A2F_OK);
    a2f_t_group_is(st, "gwe", big);

    /* and the 92 - 64 allowed bytes after them */

    for (i = 0; c != 0x21; i++) {
        big[i] = (char) c;

        do {
            c = (c == 0x7e) ? 0x21 : c + 1;
        } while (c == '"' || c == '\\');
    }

    big[i] = '\0';
    CHECK(i == 92 - A2F_GROUP_MAX);
    CHECK_RC(a2f_store_user_group_set(st, "gwe", 3, big, strlen(big)),
             A2F_OK);
    a2f_t_group_is(st, "gwe", big);

    /* unknown users; a bad name is checked before the user */

    memset(g, 'x', sizeof(g));
    glen = 999;
    CHECK_RC(a2f_store_user_group_get(st, "nobody", 6, g, &glen),
             A2F_ERR_NOTFOUND);
    CHECK_STR(g, "");
    CHECK(glen == 0);
    CHECK_RC(a2f_store_user_group_get(st, "", 0, g, &glen),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_user_group_get(st, "gwen", 4, NULL, &glen),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_user_group_set(st, "nobody", 6, "staff", 5),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_user_group_set(st, "nobody", 6, NULL, 0),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_user_group_set(st, "", 0, "staff", 5),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_user_group_set(st, "nobody", 6, "a b", 3),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_user_get(st, "nobody", 6, &u), A2F_ERR_NOTFOUND);

    /* cleared (glen 0); clearing again is no error */

    CHECK_RC(a2f_store_user_group_set(st, "gwen", 4, "", 0), A2F_OK);
    a2f_t_group_is(st, "gwen", "");
    CHECK_RC(a2f_store_user_group_set(st, "gwen", 4, NULL, 0), A2F_OK);
    a2f_t_group_is(st, "gwen", "");
    a2f_t_group_is(st, "gwe", big);

    /* nothing about groups is audited */

    CHECK(a2f_t_events(st, NULL) == ev);

    /* deleting the user deletes the group: a new "gwen" has none */

    CHECK_RC(a2f_store_user_group_set(st, "gwen", 4, "staff", 5), A2F_OK);
    CHECK_RC(a2f_store_user_del(st, "gwen", 4), A2F_OK);
    CHECK_RC(a2f_store_user_group_get(st, "gwen", 4, g, &glen),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_t_add_user(st, "gwen", 0), A2F_OK);
    a2f_t_group_is(st, "gwen", "");
    a2f_t_group_is(st, "gwe", big);

    CHECK_RC(a2f_store_user_del(st, "gwen", 4), A2F_OK);
    CHECK_RC(a2f_store_user_del(st, "gwe", 3), A2F_OK);
}


/* -- temporary API token records ------------------------------------------- */


/*
 * The user's token records, read with LMDB itself from a compacting copy
 * of st (as a2f_t_index()): returns how many there are (-1 on failure)
 * and sets *tries to the tries left of id's record (-1: none).
 */

static int
a2f_t_tokens(a2f_store_t *st, const char *user, const uint8_t *id,
    int *tries)
{
    int          n, rc;
    char         path[128];
    size_t       plen;
    uint8_t      prefix[A2F_USER_MAX + 2];
    MDB_env     *env;
    MDB_txn     *txn;
    MDB_dbi      dbi;
    MDB_val      key, val;
    MDB_cursor  *cur;

    *tries = -1;
    n = -1;

    plen = strlen(user);
    memcpy(prefix, user, plen);
    prefix[plen++] = '\0';
    prefix[plen++] = 'a';

    a2f_t_path(path, sizeof(path), "tokens.db");
    unlink(path);

    if (a2f_store_backup(st, path) != A2F_OK) {
        return -1;
    }

    if (mdb_env_create(&env) != MDB_SUCCESS) {
        return -1;
    }

    if (mdb_env_set_maxdbs(env, 8) != MDB_SUCCESS
        || mdb_env_open(env, path, MDB_NOSUBDIR | MDB_RDONLY | MDB_NOLOCK,
                        0600) != MDB_SUCCESS
        || mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != MDB_SUCCESS)
    {
        mdb_env_close(env);
        return -1;
    }

    if (mdb_dbi_open(txn, "creds", 0, &dbi) == MDB_SUCCESS
        && mdb_cursor_open(txn, dbi, &cur) == MDB_SUCCESS)
    {
        n = 0;
        key.mv_data = prefix;
        key.mv_size = plen;

        for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
             rc == MDB_SUCCESS && key.mv_size > plen
             && memcmp(key.mv_data, prefix, plen) == 0;
             rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT))
        {
            n++;

            /* version 1, tries, created, expires: 18 bytes */

            CHECK(key.mv_size == plen + A2F_APITOKEN_ID_LEN);
            CHECK(val.mv_size == 18 && ((uint8_t *) val.mv_data)[0] == 1);

            if (id != NULL && key.mv_size == plen + A2F_APITOKEN_ID_LEN
                && memcmp((uint8_t *) key.mv_data + plen, id,
                          A2F_APITOKEN_ID_LEN) == 0
                && val.mv_size >= 2)
            {
                *tries = ((uint8_t *) val.mv_data)[1];
            }
        }

        mdb_cursor_close(cur);
    }

    mdb_txn_abort(txn);
    mdb_env_close(env);
    unlink(path);

    return n;
}


/* the id of token number i: its bytes i, i + 1, ... */

static void
a2f_t_token_id(uint8_t id[A2F_APITOKEN_ID_LEN], unsigned i)
{
    unsigned  k;

    for (k = 0; k < A2F_APITOKEN_ID_LEN; k++) {
        id[k] = (uint8_t) (i + k);
    }
}


/*
 * Records of temporary API tokens: tries taken one by one and the
 * record gone at 0, expiry, spending, refusals, expired records swept
 * and at most A2F_APITOKENS_MAX per user (the oldest go), nothing
 * audited, no key or device counted, removed with the user.
 */

static void
a2f_t_apitokens(a2f_store_t *st)
{
    int         tries;
    int64_t     t;
    uint8_t     id[A2F_APITOKEN_ID_LEN], id2[A2F_APITOKEN_ID_LEN];
    unsigned    i, ev, left;
    a2f_user_t  u;

    t = A2F_T_NOW + 97000;

    CHECK_RC(a2f_t_add_user(st, "tess", 0), A2F_OK);
    CHECK_RC(a2f_t_add_user(st, "tessa", 0), A2F_OK);
    ev = a2f_t_events(st, NULL);

    /* three tries, one by one; the record goes with the last */

    a2f_t_token_id(id, 1);
    CHECK_RC(a2f_store_apitoken_new(st, "tess", 4, id, 3, t + 780, t),
             A2F_OK);
    CHECK(a2f_t_tokens(st, "tess", id, &tries) == 1 && tries == 3);

    left = 99;
    CHECK_RC(a2f_store_apitoken_try(st, "tess", 4, id, t, &left), A2F_OK);
    CHECK(left == 2);
    CHECK(a2f_t_tokens(st, "tess", id, &tries) == 1 && tries == 2);
    CHECK_RC(a2f_store_apitoken_try(st, "tess", 4, id, t + 779, NULL),
             A2F_OK);
    CHECK_RC(a2f_store_apitoken_try(st, "tess", 4, id, t, &left), A2F_OK);
    CHECK(left == 0);
    CHECK(a2f_t_tokens(st, "tess", id, &tries) == 0 && tries == -1);
    left = 99;
    CHECK_RC(a2f_store_apitoken_try(st, "tess", 4, id, t, &left),
             A2F_ERR_NOTFOUND);
    CHECK(left == 0);

    /* an id used before cannot come back while its record lives */

    CHECK_RC(a2f_store_apitoken_new(st, "tess", 4, id, 1, t + 300, t),
             A2F_OK);
    CHECK_RC(a2f_store_apitoken_new(st, "tess", 4, id, 3, t + 300, t),
             A2F_ERR_EXISTS);
    CHECK(a2f_t_tokens(st, "tess", id, &tries) == 1 && tries == 1);

    /* spent: deleted with its tries */

    CHECK_RC(a2f_store_apitoken_del(st, "tess", 4, id), A2F_OK);
    CHECK_RC(a2f_store_apitoken_del(st, "tess", 4, id), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_apitoken_try(st, "tess", 4, id, t, &left),
             A2F_ERR_NOTFOUND);

    /* expired: refused, and deleted all the same */

    CHECK_RC(a2f_store_apitoken_new(st, "tess", 4, id, 3, t + 300, t),
             A2F_OK);
    CHECK_RC(a2f_store_apitoken_try(st, "tess", 4, id, t + 300, &left),
             A2F_ERR_EXPIRED);
    CHECK(a2f_t_tokens(st, "tess", id, &tries) == 0);
    CHECK_RC(a2f_store_apitoken_try(st, "tess", 4, id, t, &left),
             A2F_ERR_NOTFOUND);

    /* per user: "tess" and "tessa" do not share records */

    CHECK_RC(a2f_store_apitoken_new(st, "tess", 4, id, 1, t + 300, t),
             A2F_OK);
    CHECK_RC(a2f_store_apitoken_try(st, "tessa", 5, id, t, &left),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_apitoken_del(st, "tessa", 5, id), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_apitoken_new(st, "tessa", 5, id, 2, t + 300, t),
             A2F_OK);
    CHECK_RC(a2f_store_apitoken_try(st, "tess", 4, id, t, &left), A2F_OK);
    CHECK(left == 0);
    CHECK_RC(a2f_store_apitoken_try(st, "tessa", 5, id, t, &left), A2F_OK);
    CHECK(left == 1);
    CHECK(a2f_t_tokens(st, "tess", id, &tries) == 0);
    CHECK(a2f_t_tokens(st, "tessa", id, &tries) == 1 && tries == 1);

    /* refused: nothing written */

    a2f_t_token_id(id2, 2);
    CHECK_RC(a2f_store_apitoken_new(st, "tess", 4, id2, 0, t + 300, t),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_apitoken_new(st, "tess", 4, id2,
                                    A2F_APITOKEN_TRIES_MAX + 1, t + 300, t),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_apitoken_new(st, "tess", 4, id2, 1, t, t),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_apitoken_new(st, "tess", 4, id2, 1, t - 1, t),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_apitoken_new(st, "tess", 4, id2, 1,
                                    t + A2F_APITOKEN_TEMP_TTL_MAX + 1, t),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_apitoken_new(st, "tess", 4, id2, 1, INT64_MAX,
                                    INT64_MIN), A2F_ERR_INVALID);
    CHECK_RC(a2f_store_apitoken_new(st, "tess", 4, NULL, 1, t + 300, t),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_apitoken_new(st, "nobody", 6, id2, 1, t + 300, t),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_apitoken_new(st, "", 0, id2, 1, t + 300, t),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_apitoken_try(st, "tess", 4, NULL, t, &left),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_apitoken_try(st, "", 0, id2, t, &left),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_apitoken_del(st, "tess", 4, NULL), A2F_ERR_INVALID);
    CHECK(a2f_t_tokens(st, "tess", NULL, &tries) == 0);

    /* the limits themselves */

    CHECK_RC(a2f_store_apitoken_new(st, "tess", 4, id2,
                                    A2F_APITOKEN_TRIES_MAX,
                                    t + A2F_APITOKEN_TEMP_TTL_MAX, t),
             A2F_OK);
    CHECK(a2f_t_tokens(st, "tess", id2, &tries) == 1
          && tries == A2F_APITOKEN_TRIES_MAX);
    CHECK_RC(a2f_store_apitoken_del(st, "tess", 4, id2), A2F_OK);

    /* a new record sweeps the user's expired ones (and only them) */

    for (i = 0; i < 5; i++) {
        a2f_t_token_id(id, 10 + i);
        CHECK_RC(a2f_store_apitoken_new(st, "tess", 4, id, 1,
                                        t + 100 + i, t), A2F_OK);
    }

    CHECK(a2f_t_tokens(st, "tess", NULL, &tries) == 5);
    a2f_t_token_id(id, 20);
    CHECK_RC(a2f_store_apitoken_new(st, "tess", 4, id, 1, t + 600,
                                    t + 102), A2F_OK);
    CHECK(a2f_t_tokens(st, "tess", NULL, &tries) == 3);   /* 13, 14, 20 */
    a2f_t_token_id(id, 13);
    CHECK_RC(a2f_store_apitoken_try(st, "tess", 4, id, t + 102, &left),
             A2F_OK);
    CHECK(a2f_t_tokens(st, "tess", NULL, &tries) == 2);
    a2f_t_token_id(id, 12);
    CHECK_RC(a2f_store_apitoken_try(st, "tess", 4, id, t, &left),
             A2F_ERR_NOTFOUND);
    CHECK(a2f_t_tokens(st, "tessa", NULL, &tries) == 1);

    /* at most A2F_APITOKENS_MAX live: the oldest made go first */

    t += 1000;

    for (i = 0; i < A2F_APITOKENS_MAX + 3; i++) {
        a2f_t_token_id(id, 100 + i);
        CHECK_RC(a2f_store_apitoken_new(st, "tess", 4, id, 2, t + 3000,
                                        t + i), A2F_OK);
        CHECK(a2f_t_tokens(st, "tess", NULL, &tries)
              == (int) (i + 1 < A2F_APITOKENS_MAX ? i + 1
                                                  : A2F_APITOKENS_MAX));
    }

    for (i = 0; i < A2F_APITOKENS_MAX + 3; i++) {
        a2f_t_token_id(id, 100 + i);
        CHECK_RC(a2f_store_apitoken_try(st, "tess", 4, id, t + 100, &left),
                 i < 3 ? A2F_ERR_NOTFOUND : A2F_OK);
    }

    /* made in the same second: one goes, the rest stay */

    for (i = 0; i < A2F_APITOKENS_MAX + 1; i++) {
        a2f_t_token_id(id, 150 + i);
        CHECK_RC(a2f_store_apitoken_new(st, "tess", 4, id, 1, t + 3000,
                                        t + 500), A2F_OK);
    }

    CHECK(a2f_t_tokens(st, "tess", NULL, &tries) == A2F_APITOKENS_MAX);

    /* not audited; neither keys nor devices */

    CHECK(a2f_t_events(st, NULL) == ev);
    CHECK_RC(a2f_store_user_get(st, "tess", 4, &u), A2F_OK);
    CHECK(u.nkeys == 0 && u.ndevices == 0);

    /* deleting the user deletes them: a new "tess" has none */

    CHECK_RC(a2f_store_user_del(st, "tess", 4), A2F_OK);
    CHECK(a2f_t_tokens(st, "tess", NULL, &tries) == 0);
    CHECK(a2f_t_tokens(st, "tessa", NULL, &tries) == 1);
    CHECK_RC(a2f_t_add_user(st, "tess", 0), A2F_OK);
    a2f_t_token_id(id, 160);
    CHECK_RC(a2f_store_apitoken_try(st, "tess", 4, id, t + 600, &left),
             A2F_ERR_NOTFOUND);

    CHECK_RC(a2f_store_user_del(st, "tess", 4), A2F_OK);
    CHECK_RC(a2f_store_user_del(st, "tessa", 5), A2F_OK);
}


/*
 * A full map: a key's use fails with A2F_ERR_FULL and changes nothing (or,
 * should it fit in freed pages, works whole); a bigger map takes it.
 */

static void
a2f_t_seckey_full(const a2f_keyring_t *kr)
{
    int            rc;
    char           path[128], err[512];
    int64_t        t;
    uint8_t        id[16], c[A2F_CHALLENGE_LEN], out[A2F_CHALLENGE_LEN];
    unsigned       i, ev;
    a2f_store_t   *st;
    a2f_seckey_t   k, f;
    a2f_lockout_t  lo;

    t = A2F_T_NOW + 97000;
    memset(id, 0x41, sizeof(id));
    memset(&lo, 0, sizeof(lo));
    lo.max_fails = 1;
    lo.period = 60;

    a2f_t_path(path, sizeof(path), "keyfull.db");

    st = NULL;
    rc = a2f_store_open(path, 64 * 1024, kr, A2F_STORE_CREATE, &st, err,
                        sizeof(err));
    CHECK_RC(rc, A2F_OK);

    if (rc != A2F_OK) {
        return;
    }

    CHECK_RC(a2f_t_add_user(st, "fay", 0), A2F_OK);
    a2f_t_seckey(&k, "yubi", 0x41, 16, 77);
    k.sign_count = 3;
    CHECK_RC(a2f_store_seckey_add(st, "fay", 3, &k, t), A2F_OK);
    CHECK_RC(a2f_store_challenge_new(st, "fay", 3, A2F_CHALLENGE_ASSERT,
                                     t + 60, t, c), A2F_OK);

    for (i = 0; i < 100000; i++) {
        rc = a2f_store_audit(st, t, "fill", NULL, 0, NULL,
                             "0123456789012345678901234567890123456789"
                             "0123456789012345678901234567890123456789"
                             "0123456789012345678901234567890123456789");
        if (rc != A2F_OK) {
            break;
        }
    }

    CHECK_RC(rc, A2F_ERR_FULL);
    ev = a2f_t_events(st, NULL);

    /* each of these either fails whole or, in freed pages, works whole */

    rc = a2f_store_seckey_use(st, &lo, "fay", 3, "10.1.1.1", id, 16, 3, t);
    CHECK(rc == A2F_ERR_FULL || rc == A2F_ERR_REPLAY);
    a2f_t_key_of(st, "fay", 0x41, 16, &f);

    if (rc == A2F_ERR_FULL) {
        CHECK(f.flags == 0 && f.sign_count == 3);
        CHECK(a2f_t_events(st, NULL) == ev);
        CHECK_RC(a2f_store_locked(st, &lo, "fay", 3, NULL, t), A2F_OK);

    } else {
        fprintf(stderr, "note: seckey_use fit into the full map\n");
    }

    a2f_store_close(st);

    /* a bigger map: the challenge is still there, the key as it was */

    st = NULL;
    CHECK_RC(a2f_store_open(path, 1024 * 1024, kr, 0, &st, err, sizeof(err)),
             A2F_OK);

    if (st == NULL) {
        return;
    }

    CHECK_RC(a2f_store_challenge_take(st, "fay", 3, A2F_CHALLENGE_ASSERT, t,
                                      out), A2F_OK);
    CHECK(memcmp(out, c, sizeof(c)) == 0);

    if (rc == A2F_ERR_FULL) {
        CHECK_RC(a2f_store_seckey_use(st, &lo, "fay", 3, NULL, id, 16, 4, t),
                 A2F_OK);
    }

    a2f_store_close(st);
}


/* a well-formed token: A2F_LINK_TOKEN_LEN base64url characters */

static int
a2f_t_token_ok(const char *tok)
{
    size_t  i;

    if (strlen(tok) != A2F_LINK_TOKEN_LEN) {
        return 0;
    }

    for (i = 0; i < A2F_LINK_TOKEN_LEN; i++) {
        if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                   "0123456789-_", tok[i]) == NULL)
        {
            return 0;
        }
    }

    return 1;
}


/*
 * The "enroll." index entries, read with LMDB itself from a compacting
 * copy of st (a second environment on a file the store has open would
 * break its locks): returns how many there are, and sets *found when
 * one is the entry of token (may be NULL) and names user.
 */

static int
a2f_t_index(a2f_store_t *st, const char *token, const char *user,
    int *found)
{
    int          n, rc;
    char         path[128];
    uint8_t      want[sizeof("enroll.") - 1 + 32];
    MDB_env     *env;
    MDB_txn     *txn;
    MDB_dbi      dbi;
    MDB_val      key, val;
    MDB_cursor  *cur;

    *found = 0;
    n = -1;

    memcpy(want, "enroll.", 7);

    if (token != NULL) {
        SHA256((const unsigned char *) token, strlen(token), want + 7);
    }

    a2f_t_path(path, sizeof(path), "index.db");
    unlink(path);

    if (a2f_store_backup(st, path) != A2F_OK) {
        return -1;
    }

    if (mdb_env_create(&env) != MDB_SUCCESS) {
        return -1;
    }

    if (mdb_env_set_maxdbs(env, 8) != MDB_SUCCESS
        || mdb_env_open(env, path, MDB_NOSUBDIR | MDB_RDONLY | MDB_NOLOCK,
                        0600) != MDB_SUCCESS
        || mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) != MDB_SUCCESS)
    {
        mdb_env_close(env);
        return -1;
    }

    if (mdb_dbi_open(txn, "meta", 0, &dbi) == MDB_SUCCESS
        && mdb_cursor_open(txn, dbi, &cur) == MDB_SUCCESS)
    {
        n = 0;
        key.mv_data = want;
        key.mv_size = 7;

        for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
             rc == MDB_SUCCESS && key.mv_size >= 7
             && memcmp(key.mv_data, "enroll.", 7) == 0;
             rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT))
        {
            n++;

            if (token != NULL && key.mv_size == sizeof(want)
                && memcmp(key.mv_data, want, sizeof(want)) == 0
                && val.mv_size == strlen(user)
                && memcmp(val.mv_data, user, val.mv_size) == 0)
            {
                *found = 1;
            }
        }

        mdb_cursor_close(cur);
    }

    mdb_txn_abort(txn);
    mdb_env_close(env);
    unlink(path);

    return n;
}


/*
 * A link that was not used: it still checks, and the user's password,
 * generation and devices are as they were.
 */

static int
a2f_t_link_unused(a2f_store_t *st, const char *tok, const char *name,
    const char *pwhash, uint32_t gen, unsigned ndevices, int64_t now)
{
    char        user[A2F_USER_MAX + 1];
    size_t      ulen;
    a2f_user_t  u;

    if (a2f_store_link_check(st, tok, strlen(tok), now, user, &ulen, NULL)
        != A2F_OK
        || strcmp(user, name) != 0
        || a2f_store_user_get(st, name, strlen(name), &u) != A2F_OK)
    {
        return 0;
    }

    return strcmp(u.pwhash, pwhash) == 0 && u.gen == gen
           && u.ndevices == ndevices;
}


/*
 * Enrollment links: made, checked, replaced, expired, refused for a
 * disabled user, used once (password, device, lock, audit), failures
 * that write nothing, removed with the user; and the audit hook.
 */

static void
a2f_t_links(const a2f_keyring_t *kr)
{
    int             i, found;
    char            path[128], tok[A2F_LINK_TOKEN_LEN + 1];
    char            tok2[A2F_LINK_TOKEN_LEN + 1], bad[64], pw[64];
    char            user[A2F_USER_MAX + 1], addr[A2F_ADDR_MAX + 2];
    char            tokott[A2F_LINK_TOKEN_LEN + 1];
    const char     *badc;
    size_t          ulen;
    int64_t         t, exp;
    uint8_t         s1[20], s2[20];
    uint32_t        gen, g0;
    unsigned        n, h;
    a2f_user_t      u;
    a2f_store_t    *st;
    a2f_seckey_t    k;
    a2f_lockout_t   lo;
    a2f_t_hook_t    hk;
    a2f_totp_dev_t  d, devs[A2F_DEVICES_MAX];
    char            codes[A2F_RECOVERY_CODES][A2F_RECOVERY_LEN + 1];

    a2f_t_path(path, sizeof(path), "links.db");
    st = a2f_t_open(path, kr, A2F_STORE_CREATE);

    if (st == NULL) {
        return;
    }

    memset(&hk, 0, sizeof(hk));
    a2f_store_audit_hook(st, a2f_t_hook, &hk);

    memcpy(s1, "enrollment-secret-01", 20);
    memcpy(s2, "enrollment-secret-02", 20);
    t = A2F_T_NOW + 50000;

    CHECK_RC(a2f_t_add_user(st, "lena", 0), A2F_OK);
    CHECK(hk.n == 0);

    /* refused: bad expiry, unknown user, no token buffer */

    memset(tok, 'x', sizeof(tok));
    CHECK_RC(a2f_store_link_new(st, "lena", 4, t, t, NULL, tok),
             A2F_ERR_INVALID);
    CHECK(tok[0] == '\0');
    CHECK_RC(a2f_store_link_new(st, "lena", 4, t - 1, t, NULL, tok),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_link_new(st, "lena", 4, t + A2F_LINK_TTL_MAX + 1, t,
                                NULL, tok), A2F_ERR_INVALID);
    CHECK_RC(a2f_store_link_new(st, "lena", 4, INT64_MAX, INT64_MIN, NULL,
                                tok), A2F_ERR_INVALID);
    memset(tok, 'x', sizeof(tok));
    CHECK_RC(a2f_store_link_new(st, "nobody", 6, t + 3600, t, NULL, tok),
             A2F_ERR_NOTFOUND);
    CHECK(tok[0] == '\0');
    CHECK_RC(a2f_store_link_new(st, "", 0, t + 3600, t, NULL, tok),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_link_new(st, "lena", 4, t + 3600, t, NULL, NULL),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_link_get(st, "lena", 4, &exp), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_link_get(st, "nobody", 6, &exp), A2F_ERR_NOTFOUND);
    CHECK(a2f_t_index(st, NULL, NULL, &found) == 0);
    CHECK(hk.n == 0);

    /* a link, at the longest lifetime */

    CHECK_RC(a2f_store_link_new(st, "lena", 4, t + A2F_LINK_TTL_MAX, t,
                                "by=test", tok), A2F_OK);
    CHECK(a2f_t_token_ok(tok));
    CHECK(hk.n == 1 && !hk.badlen);
    CHECK_STR(hk.texts[0], "link_new user=lena addr=- by=test");
    CHECK(a2f_t_audit_has(st, "link_new user=lena addr=- by=test"));

    exp = 0;
    CHECK_RC(a2f_store_link_get(st, "lena", 4, &exp), A2F_OK);
    CHECK(exp == t + A2F_LINK_TTL_MAX);

    memset(user, 'x', sizeof(user) - 1);
    user[sizeof(user) - 1] = '\0';
    ulen = 0;
    exp = 0;
    CHECK_RC(a2f_store_link_check(st, tok, strlen(tok), t, user, &ulen, &exp),
             A2F_OK);
    CHECK_STR(user, "lena");
    CHECK(ulen == 4 && exp == t + A2F_LINK_TTL_MAX);
    CHECK_RC(a2f_store_link_check(st, tok, strlen(tok), t, user, &ulen,
                                  NULL), A2F_OK);
    CHECK(hk.n == 1);

    /* only the hash is stored, and indexed */

    CHECK(a2f_t_file_has(path, (const uint8_t *) tok, strlen(tok)) == 0);
    CHECK(a2f_t_index(st, tok, "lena", &found) == 1);
    CHECK(found);

    /* a new link replaces the old one and its index entry */

    CHECK_RC(a2f_store_link_new(st, "lena", 4, t + 3600, t, NULL, tok2),
             A2F_OK);
    CHECK(a2f_t_token_ok(tok2) && strcmp(tok, tok2) != 0);
    CHECK(hk.n == 2);
    CHECK_STR(hk.texts[1], "link_new user=lena addr=-");
    CHECK_RC(a2f_store_link_check(st, tok, strlen(tok), t, user, &ulen, NULL),
             A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_link_check(st, tok2, strlen(tok2), t, user, &ulen,
                                  &exp), A2F_OK);
    CHECK(exp == t + 3600);
    CHECK(a2f_t_index(st, tok, "lena", &found) == 1);
    CHECK(!found);
    CHECK(a2f_t_index(st, tok2, "lena", &found) == 1);
    CHECK(found);

    memcpy(tok, tok2, sizeof(tok));

    /* malformed tokens; a well-formed one never made */

    CHECK_RC(a2f_store_link_check(st, tok, A2F_LINK_TOKEN_LEN - 1, t, user,
                                  &ulen, NULL), A2F_ERR_INVALID);
    snprintf(bad, sizeof(bad), "%sA", tok);
    CHECK_RC(a2f_store_link_check(st, bad, strlen(bad), t, user, &ulen,
                                  NULL), A2F_ERR_INVALID);
    CHECK_RC(a2f_store_link_check(st, NULL, 0, t, user, &ulen, NULL),
             A2F_ERR_INVALID);
    CHECK_RC(a2f_store_link_check(st, tok, strlen(tok), t, NULL, &ulen,
                                  NULL), A2F_ERR_INVALID);

    for (badc = "+/=. \n"; *badc != '\0'; badc++) {
        memcpy(bad, tok, sizeof(tok));
        bad[5] = *badc;
        CHECK_RC(a2f_store_link_check(st, bad, A2F_LINK_TOKEN_LEN, t, user,
                                      &ulen, NULL), A2F_ERR_INVALID);
    }

    memcpy(bad, tok, sizeof(tok));
    bad[31] = '\0';
    CHECK_RC(a2f_store_link_check(st, bad, A2F_LINK_TOKEN_LEN, t, user,
                                  &ulen, NULL), A2F_ERR_INVALID);

    memset(bad, 'A', A2F_LINK_TOKEN_LEN);
    bad[A2F_LINK_TOKEN_LEN] = '\0';
    CHECK_RC(a2f_store_link_check(st, bad, A2F_LINK_TOKEN_LEN, t, user,
                                  &ulen, NULL), A2F_ERR_NOTFOUND);
    memcpy(bad, tok, sizeof(tok));
    bad[7] = (char) (bad[7] == 'a' ? 'b' : 'a');
    CHECK_RC(a2f_store_link_check(st, bad, A2F_LINK_TOKEN_LEN, t, user,
                                  &ulen, NULL), A2F_ERR_NOTFOUND);

    /* expiry: valid until expires, not at it */

    CHECK_RC(a2f_store_link_check(st, tok, strlen(tok), t + 3599, user, &ulen,
                                  NULL), A2F_OK);
    CHECK_RC(a2f_store_link_check(st, tok, strlen(tok), t + 3600, user, &ulen,
                                  NULL), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_store_link_check(st, tok, strlen(tok), t + 99999, user,
                                  &ulen, NULL), A2F_ERR_EXPIRED);
    CHECK_RC(a2f_store_link_get(st, "lena", 4, &exp), A2F_OK);
    CHECK(exp == t + 3600);

    /* failures write nothing (and audit nothing) */

    snprintf(pw, sizeof(pw), "$scrypt$ln=10,r=8,p=1$x$lena");
    CHECK_RC(a2f_store_user_get(st, "lena", 4, &u), A2F_OK);
    g0 = u.gen;
    CHECK(a2f_t_link_unused(st, tok, "lena", pw, g0, 0, t));

    a2f_t_device(&d, "", s1, 20, A2F_SHA1, 6);

    CHECK_RC(a2f_store_link_use(st, tok, strlen(tok), t + 3600, "$new", &d,
                                NULL, user, &ulen, &gen), A2F_ERR_EXPIRED);
    CHECK(a2f_t_link_unused(st, tok, "lena", pw, g0, 0, t));

    d.digits = 7;
    CHECK_RC(a2f_store_link_use(st, tok, strlen(tok), t, "$new", &d, NULL,
                                user, &ulen, &gen), A2F_ERR_INVALID);
    d.digits = 6;
    d.secret_len = 9;
    CHECK_RC(a2f_store_link_use(st, tok, strlen(tok), t, "$new", &d, NULL,
                                user, &ulen, &gen), A2F_ERR_INVALID);
    d.secret_len = 20;
    snprintf(d.name, sizeof(d.name), "bad\001name");
    CHECK_RC(a2f_store_link_use(st, tok, strlen(tok), t, "$new", &d, NULL,
                                user, &ulen, &gen), A2F_ERR_INVALID);
    memset(d.name, 'n', sizeof(d.name));
    CHECK_RC(a2f_store_link_use(st, tok, strlen(tok), t, "$new", &d, NULL,
                                user, &ulen, &gen), A2F_ERR_INVALID);
    a2f_t_device(&d, "", s1, 20, A2F_SHA1, 6);
    CHECK_RC(a2f_store_link_use(st, tok, strlen(tok), t, "", &d, NULL, user,
                                &ulen, &gen), A2F_ERR_INVALID);
    CHECK_RC(a2f_store_link_use(st, tok, strlen(tok), t, NULL, &d, NULL,
                                user, &ulen, &gen), A2F_ERR_INVALID);
    CHECK_RC(a2f_store_link_use(st, tok, strlen(tok), t, "$new", NULL, NULL,
                                user, &ulen, &gen), A2F_ERR_INVALID);
    memset(addr, 'x', sizeof(addr) - 1);
    addr[sizeof(addr) - 1] = '\0';
    CHECK_RC(a2f_store_link_use(st, tok, strlen(tok), t, "$new", &d, addr,
                                user, &ulen, &gen), A2F_ERR_INVALID);
    CHECK_RC(a2f_store_link_use(st, bad, strlen(bad), t, "$new", &d, NULL,
                                user, &ulen, &gen), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_link_use(st, tok, A2F_LINK_TOKEN_LEN - 1, t, "$new",
                                &d, NULL, user, &ulen, &gen),
             A2F_ERR_INVALID);
    CHECK(a2f_t_link_unused(st, tok, "lena", pw, g0, 0, t));

    /* a disabled user's link is refused, and works again once enabled */

    CHECK_RC(a2f_store_user_update_flags(st, "lena", 4, A2F_USER_DISABLED, 0,
                                         NULL), A2F_OK);
    CHECK_RC(a2f_store_link_check(st, tok, strlen(tok), t, user, &ulen,
                                  NULL), A2F_ERR_DISABLED);
    CHECK_RC(a2f_store_link_use(st, tok, strlen(tok), t, "$new", &d, NULL,
                                user, &ulen, &gen), A2F_ERR_DISABLED);
    CHECK_RC(a2f_store_user_update_flags(st, "lena", 4, 0, A2F_USER_DISABLED,
                                         NULL), A2F_OK);
    CHECK(a2f_t_link_unused(st, tok, "lena", pw, g0, 0, t));
    CHECK(hk.n == 2);

    /* a locked user: the use clears the lock */

    lo.max_fails = 2;
    lo.max_fails_addr = 0;
    lo.period = 900;

    CHECK_RC(a2f_store_password_result(st, &lo, "lena", 4, NULL, 0, t),
             A2F_OK);
    CHECK_RC(a2f_store_password_result(st, &lo, "lena", 4, NULL, 0, t),
             A2F_OK);
    CHECK_RC(a2f_store_locked(st, &lo, "lena", 4, NULL, t), A2F_ERR_LOCKED);

    /* hook: each committed event once, in order, as stored */

    CHECK(hk.n == 5);
    CHECK_STR(hk.texts[2], "login_failed user=lena addr=-");
    CHECK_STR(hk.texts[3], "locked user=lena addr=- bucket=user");
    CHECK_STR(hk.texts[4], "login_failed user=lena addr=-");

    /* the use: password, generation, device, lock, audit; user out */

    memset(user, 'x', sizeof(user) - 1);
    user[sizeof(user) - 1] = '\0';
    ulen = 0;
    gen = 0;
    CHECK_RC(a2f_store_link_use(st, tok, strlen(tok), t + 10,
                                "$scrypt$new-lena", &d, "10.0.0.9", user,
                                &ulen, &gen), A2F_OK);
    CHECK_STR(user, "lena");
    CHECK(ulen == 4);
    CHECK(gen == g0 + 1);

    CHECK_RC(a2f_store_user_get(st, "lena", 4, &u), A2F_OK);
    CHECK_STR(u.pwhash, "$scrypt$new-lena");
    CHECK(u.gen == g0 + 1 && u.ndevices == 1 && u.locked_until == 0);
    CHECK_RC(a2f_store_locked(st, &lo, "lena", 4, NULL, t + 10), A2F_OK);
    CHECK_RC(a2f_store_user_gen(st, "lena", 4, &gen, &(uint32_t) { 0 }),
             A2F_OK);
    CHECK(gen == g0 + 1);

    CHECK_RC(a2f_store_totp_list(st, "lena", 4, devs, A2F_DEVICES_MAX, &n),
             A2F_OK);
    CHECK(n == 1);
    CHECK_STR(devs[0].name, "default");
    CHECK(devs[0].created == t + 10 && devs[0].secret_len == 20
          && memcmp(devs[0].secret, s1, 20) == 0);
    CHECK(a2f_t_file_has(path, s1, 20) == 0);

    CHECK(hk.n == 6);
    CHECK_STR(hk.texts[5], "link_used user=lena addr=10.0.0.9 device=default");
    CHECK(a2f_t_audit_has(st, "link_used user=lena addr=10.0.0.9 "
                          "device=default"));

    /* once only: the link, its index entry are gone */

    CHECK_RC(a2f_store_link_use(st, tok, strlen(tok), t + 11, "$again", &d,
                                NULL, user, &ulen, &gen), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_link_check(st, tok, strlen(tok), t + 11, user, &ulen,
                                  NULL), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_link_get(st, "lena", 4, &exp), A2F_ERR_NOTFOUND);
    CHECK(a2f_t_index(st, NULL, NULL, &found) == 0);
    CHECK_RC(a2f_store_user_get(st, "lena", 4, &u), A2F_OK);
    CHECK_STR(u.pwhash, "$scrypt$new-lena");
    CHECK(u.gen == g0 + 1 && u.ndevices == 1);
    CHECK(hk.n == 6);

    /* device names: as given; taken: "default"; then "device-N" */

    a2f_t_device(&d, "phone", s2, 20, A2F_SHA1, 6);

    for (i = 0; i < 3; i++) {
        CHECK_RC(a2f_store_link_new(st, "lena", 4, t + 3600, t, NULL, tok),
                 A2F_OK);
        CHECK_RC(a2f_store_link_use(st, tok, strlen(tok), t, "$p", &d, NULL,
                                    user, &ulen, &gen), A2F_OK);
        CHECK(gen == g0 + 2 + (uint32_t) i);

        if (i == 1) {
            d.name[0] = '\0';
        }
    }

    CHECK_RC(a2f_store_totp_list(st, "lena", 4, devs, A2F_DEVICES_MAX, &n),
             A2F_OK);
    CHECK(n == 4);
    CHECK_STR(devs[0].name, "default");
    CHECK_STR(devs[1].name, "device-1");
    CHECK_STR(devs[2].name, "device-2");
    CHECK_STR(devs[3].name, "phone");
    CHECK(devs[1].secret_len == 20 && memcmp(devs[1].secret, s2, 20) == 0);
    CHECK(hk.n == 12);
    CHECK_STR(hk.texts[11], "link_used user=lena addr=- device=device-2");

    /* A2F_DEVICES_MAX: refused, nothing written */

    CHECK_RC(a2f_t_add_user(st, "maxi", 0), A2F_OK);

    for (i = 0; i < A2F_DEVICES_MAX; i++) {
        snprintf(d.name, sizeof(d.name), "d%d", i);
        CHECK_RC(a2f_store_totp_add(st, "maxi", 4, &d, t), A2F_OK);
    }

    CHECK_RC(a2f_store_link_new(st, "maxi", 4, t + 3600, t, NULL, tok),
             A2F_OK);
    CHECK_RC(a2f_store_user_get(st, "maxi", 4, &u), A2F_OK);
    g0 = u.gen;
    h = hk.n;

    d.name[0] = '\0';
    CHECK_RC(a2f_store_link_use(st, tok, strlen(tok), t, "$new", &d, NULL,
                                user, &ulen, &gen), A2F_ERR_TOOBIG);
    snprintf(d.name, sizeof(d.name), "d0");
    CHECK_RC(a2f_store_link_use(st, tok, strlen(tok), t, "$new", &d, NULL,
                                user, &ulen, &gen), A2F_ERR_TOOBIG);
    snprintf(pw, sizeof(pw), "$scrypt$ln=10,r=8,p=1$x$maxi");
    CHECK(a2f_t_link_unused(st, tok, "maxi", pw, g0, A2F_DEVICES_MAX, t));
    CHECK(hk.n == h);

    /* link_del */

    CHECK_RC(a2f_store_link_del(st, "maxi", 4), A2F_OK);
    CHECK_RC(a2f_store_link_del(st, "maxi", 4), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_link_del(st, "nobody", 6), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_link_check(st, tok, strlen(tok), t, user, &ulen,
                                  NULL), A2F_ERR_NOTFOUND);
    CHECK(a2f_t_index(st, NULL, NULL, &found) == 0);

    /* user del takes keys, link and index entry along (not a prefix's) */

    CHECK_RC(a2f_t_add_user(st, "otto", 0), A2F_OK);
    CHECK_RC(a2f_t_add_user(st, "ott", 0), A2F_OK);
    a2f_t_seckey(&k, "yubi", 0x42, 32, 32);
    CHECK_RC(a2f_store_seckey_add(st, "otto", 4, &k, t), A2F_OK);
    CHECK_RC(a2f_store_seckey_add(st, "ott", 3, &k, t), A2F_OK);
    a2f_t_device(&d, "", s1, 20, A2F_SHA1, 6);
    CHECK_RC(a2f_store_totp_add(st, "otto", 4, &d, t), A2F_OK);
    CHECK_RC(a2f_store_recovery_new(st, "otto", 4, codes, t), A2F_OK);
    CHECK_RC(a2f_store_link_new(st, "otto", 4, t + 3600, t, NULL, tok),
             A2F_OK);
    CHECK_RC(a2f_store_link_new(st, "ott", 3, t + 3600, t, NULL, tokott),
             A2F_OK);
    CHECK(a2f_t_index(st, tok, "otto", &found) == 2);
    CHECK(found);

    CHECK_RC(a2f_store_user_del(st, "otto", 4), A2F_OK);
    CHECK(a2f_t_index(st, tok, "otto", &found) == 1);
    CHECK(!found);
    CHECK(a2f_t_index(st, tokott, "ott", &found) == 1);
    CHECK(found);
    CHECK_RC(a2f_store_link_check(st, tok, strlen(tok), t, user, &ulen,
                                  NULL), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_link_get(st, "otto", 4, &exp), A2F_ERR_NOTFOUND);

    CHECK_RC(a2f_t_add_user(st, "otto", 0), A2F_OK);
    CHECK_RC(a2f_store_user_get(st, "otto", 4, &u), A2F_OK);
    CHECK(u.nkeys == 0 && u.ndevices == 0);
    CHECK_RC(a2f_store_link_get(st, "otto", 4, &exp), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_link_check(st, tok, strlen(tok), t, user, &ulen,
                                  NULL), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_recovery_count(st, "otto", 4, &n), A2F_OK);
    CHECK(n == 0);

    CHECK_RC(a2f_store_user_get(st, "ott", 3, &u), A2F_OK);
    CHECK(u.nkeys == 1);
    CHECK_RC(a2f_store_link_check(st, tokott, strlen(tokott), t, user, &ulen,
                                  NULL), A2F_OK);
    CHECK_STR(user, "ott");

    /* no hook: nothing called */

    h = hk.n;
    a2f_store_audit_hook(st, NULL, &hk);
    CHECK_RC(a2f_store_audit(st, t, "quiet", NULL, 0, NULL, NULL), A2F_OK);
    CHECK(hk.n == h);
    CHECK(!hk.badlen);

    memset(codes, 0, sizeof(codes));
    memset(devs, 0, sizeof(devs));
    a2f_store_close(st);
}


/*
 * A full map: every committed event reaches the hook once, a failed
 * transaction none, and a link_use that does not fit writes nothing.
 */

static void
a2f_t_links_full(const a2f_keyring_t *kr)
{
    int             rc;
    char            path[128], err[512], tok[A2F_LINK_TOKEN_LEN + 1];
    char            user[A2F_USER_MAX + 1], pw[64];
    size_t          ulen;
    int64_t         t;
    uint8_t         s1[20];
    uint32_t        gen, g0;
    unsigned        ok, i;
    a2f_user_t      u;
    a2f_store_t    *st;
    a2f_t_hook_t    hk;
    a2f_totp_dev_t  d;

    memcpy(s1, "full-map-secret-0001", 20);
    t = A2F_T_NOW + 60000;
    snprintf(pw, sizeof(pw), "$scrypt$ln=10,r=8,p=1$x$nina");

    a2f_t_path(path, sizeof(path), "linkfull.db");

    st = NULL;
    rc = a2f_store_open(path, 64 * 1024, kr, A2F_STORE_CREATE, &st, err,
                        sizeof(err));
    CHECK_RC(rc, A2F_OK);

    if (rc != A2F_OK) {
        return;
    }

    memset(&hk, 0, sizeof(hk));
    a2f_store_audit_hook(st, a2f_t_hook, &hk);

    CHECK_RC(a2f_t_add_user(st, "nina", 0), A2F_OK);
    CHECK_RC(a2f_store_link_new(st, "nina", 4, t + 3600, t, NULL, tok),
             A2F_OK);
    CHECK(hk.n == 1);

    ok = 0;

    for (i = 0; i < 100000; i++) {
        rc = a2f_store_audit(st, t, "fill", NULL, 0, NULL,
                             "0123456789012345678901234567890123456789"
                             "0123456789012345678901234567890123456789");
        if (rc != A2F_OK) {
            break;
        }

        ok++;
    }

    CHECK_RC(rc, A2F_ERR_FULL);
    CHECK(ok > 10);
    CHECK(hk.n == 1 + ok);
    CHECK_STR(hk.texts[1], "fill user=- addr=- "
              "0123456789012345678901234567890123456789"
              "0123456789012345678901234567890123456789");

    CHECK_RC(a2f_store_user_get(st, "nina", 4, &u), A2F_OK);
    g0 = u.gen;

    a2f_t_device(&d, "", s1, 20, A2F_SHA1, 6);
    CHECK_RC(a2f_store_link_use(st, tok, strlen(tok), t, "$scrypt$new", &d,
                                NULL, user, &ulen, &gen), A2F_ERR_FULL);
    CHECK(hk.n == 1 + ok);
    CHECK(a2f_t_link_unused(st, tok, "nina", pw, g0, 0, t));

    a2f_store_close(st);

    /* a bigger map: the same link works, its event alone reaches the hook */

    st = NULL;
    CHECK_RC(a2f_store_open(path, 1024 * 1024, kr, 0, &st, err, sizeof(err)),
             A2F_OK);

    if (st == NULL) {
        return;
    }

    memset(&hk, 0, sizeof(hk));
    a2f_store_audit_hook(st, a2f_t_hook, &hk);

    CHECK(a2f_t_link_unused(st, tok, "nina", pw, g0, 0, t));
    CHECK_RC(a2f_store_link_use(st, tok, strlen(tok), t, "$scrypt$new", &d,
                                NULL, user, &ulen, &gen), A2F_OK);
    CHECK(gen == g0 + 1);
    CHECK(hk.n == 1);
    CHECK_STR(hk.texts[0], "link_used user=nina addr=- device=default");

    a2f_store_close(st);
}


/* audit pages */

typedef struct {
    int64_t   usec[64];
    char      texts[64][64];
    unsigned  n;
    unsigned  stop;             /* return 7 after this many, 0: never */
} a2f_t_page_t;


static int
a2f_t_page_cb(int64_t usec, const char *text, size_t len, void *arg)
{
    a2f_t_page_t *pg = arg;

    if (pg->n < 64) {
        pg->usec[pg->n] = usec;
        snprintf(pg->texts[pg->n], sizeof(pg->texts[0]), "%s", text);
    }

    pg->n++;

    return (pg->stop && pg->n == pg->stop) ? 7 : 0;
}


static void
a2f_t_audit_page(const a2f_keyring_t *kr)
{
    int            ok;
    char           path[128], detail[16];
    int64_t        before;
    unsigned       i, pages, total;
    a2f_store_t   *st;
    a2f_t_page_t   all, pg, seq;

    a2f_t_path(path, sizeof(path), "audit.db");
    st = a2f_t_open(path, kr, A2F_STORE_CREATE);

    if (st == NULL) {
        return;
    }

    memset(&pg, 0, sizeof(pg));
    CHECK_RC(a2f_store_audit_page(st, 0, 10, a2f_t_page_cb, &pg), A2F_OK);
    CHECK(pg.n == 0);

    /* 23 events, three in each second */

    for (i = 0; i < 23; i++) {
        snprintf(detail, sizeof(detail), "i=%u", i);
        CHECK_RC(a2f_store_audit(st, A2F_T_NOW + i / 3, "ev", NULL, 0, NULL,
                                 detail), A2F_OK);
    }

    memset(&all, 0, sizeof(all));
    CHECK_RC(a2f_store_audit_list(st, 100, a2f_t_page_cb, &all), A2F_OK);
    CHECK(all.n == 23);
    CHECK_STR(all.texts[0], "ev user=- addr=- i=22");
    CHECK_STR(all.texts[22], "ev user=- addr=- i=0");

    memset(&pg, 0, sizeof(pg));
    CHECK_RC(a2f_store_audit_page(st, 0, 100, a2f_t_page_cb, &pg), A2F_OK);
    CHECK(pg.n == 23 && memcmp(pg.usec, all.usec, sizeof(pg.usec)) == 0);

    /* pages of 5: no gap, no repetition, newest first */

    memset(&seq, 0, sizeof(seq));
    before = 0;
    pages = 0;
    total = 0;
    ok = 1;

    for ( ;; ) {
        memset(&pg, 0, sizeof(pg));

        if (a2f_store_audit_page(st, before, 5, a2f_t_page_cb, &pg)
            != A2F_OK || pg.n > 5)
        {
            ok = 0;
            break;
        }

        if (pg.n == 0) {
            break;
        }

        pages++;

        for (i = 0; i < pg.n && seq.n < 64; i++) {
            seq.usec[seq.n] = pg.usec[i];
            memcpy(seq.texts[seq.n], pg.texts[i], sizeof(seq.texts[0]));
            seq.n++;
        }

        total += pg.n;
        before = pg.usec[pg.n - 1];

        if (pages > 10) {
            ok = 0;
            break;
        }
    }

    CHECK(ok);
    CHECK(pages == 5);
    CHECK(total == 23);

    for (i = 0; i < 23 && i < seq.n; i++) {
        CHECK(seq.usec[i] == all.usec[i]);
        CHECK_STR(seq.texts[i], all.texts[i]);
    }

    for (i = 1; i < 23; i++) {
        CHECK(all.usec[i] < all.usec[i - 1]);
    }

    /* before an event's time: only older ones; the bounds */

    memset(&pg, 0, sizeof(pg));
    CHECK_RC(a2f_store_audit_page(st, all.usec[0], 100, a2f_t_page_cb, &pg),
             A2F_OK);
    CHECK(pg.n == 22 && pg.usec[0] == all.usec[1]);

    memset(&pg, 0, sizeof(pg));
    CHECK_RC(a2f_store_audit_page(st, all.usec[10] + 1, 2, a2f_t_page_cb,
                                  &pg), A2F_OK);
    CHECK(pg.n == 2 && pg.usec[0] == all.usec[10]
          && pg.usec[1] == all.usec[11]);

    memset(&pg, 0, sizeof(pg));
    CHECK_RC(a2f_store_audit_page(st, all.usec[0] + 1, 100, a2f_t_page_cb,
                                  &pg), A2F_OK);
    CHECK(pg.n == 23);

    memset(&pg, 0, sizeof(pg));
    CHECK_RC(a2f_store_audit_page(st, INT64_MAX, 100, a2f_t_page_cb, &pg),
             A2F_OK);
    CHECK(pg.n == 23);

    memset(&pg, 0, sizeof(pg));
    CHECK_RC(a2f_store_audit_page(st, all.usec[22], 100, a2f_t_page_cb, &pg),
             A2F_OK);
    CHECK(pg.n == 0);

    memset(&pg, 0, sizeof(pg));
    CHECK_RC(a2f_store_audit_page(st, 1, 100, a2f_t_page_cb, &pg), A2F_OK);
    CHECK(pg.n == 0);

    memset(&pg, 0, sizeof(pg));
    CHECK_RC(a2f_store_audit_page(st, 0, 0, a2f_t_page_cb, &pg), A2F_OK);
    CHECK(pg.n == 0);

    /* the callback's value stops the walk and is returned */

    memset(&pg, 0, sizeof(pg));
    pg.stop = 2;
    CHECK_RC(a2f_store_audit_page(st, all.usec[5], 100, a2f_t_page_cb, &pg),
             7);
    CHECK(pg.n == 2 && pg.usec[1] == all.usec[7]);

    memset(&pg, 0, sizeof(pg));
    pg.stop = 3;
    CHECK_RC(a2f_store_audit_list(st, 100, a2f_t_page_cb, &pg), 7);
    CHECK(pg.n == 3);

    a2f_store_close(st);
}


/*
 * Put a record into a closed database with LMDB itself (what no store
 * function would write): for failures the API cannot cause.
 */

static int
a2f_t_raw_put(const char *path, const char *db, const void *k, size_t klen,
    const void *v, size_t vlen)
{
    int       rc;
    MDB_env  *env;
    MDB_txn  *txn;
    MDB_dbi   dbi;
    MDB_val   key, val;

    if (mdb_env_create(&env) != MDB_SUCCESS) {
        return -1;
    }

    rc = mdb_env_set_maxdbs(env, 8);

    if (rc == MDB_SUCCESS) {
        rc = mdb_env_open(env, path, MDB_NOSUBDIR, 0600);
    }

    if (rc == MDB_SUCCESS) {
        rc = mdb_txn_begin(env, NULL, 0, &txn);

        if (rc == MDB_SUCCESS) {
            rc = mdb_dbi_open(txn, db, 0, &dbi);

            if (rc == MDB_SUCCESS) {
                key.mv_data = (void *) k;
                key.mv_size = klen;
                val.mv_data = (void *) v;
                val.mv_size = vlen;
                rc = mdb_put(txn, dbi, &key, &val, 0);
            }

            if (rc == MDB_SUCCESS) {
                rc = mdb_txn_commit(txn);

            } else {
                mdb_txn_abort(txn);
            }
        }
    }

    mdb_env_close(env);

    return rc == MDB_SUCCESS ? 0 : -1;
}


/*
 * A token record that does not parse fails closed: its use is
 * A2F_ERR_STORAGE, as is every new record of the user (the sweep reads
 * them all); other users are not touched.
 */

static void
a2f_t_apitoken_bad(const a2f_keyring_t *kr)
{
    char          path[128];
    size_t        klen;
    uint8_t       key[8 + A2F_APITOKEN_ID_LEN], id[A2F_APITOKEN_ID_LEN];
    unsigned      left;
    a2f_store_t  *st;

    a2f_t_path(path, sizeof(path), "badtoken.db");

    st = a2f_t_open(path, kr, A2F_STORE_CREATE);

    if (st == NULL) {
        return;
    }

    CHECK_RC(a2f_t_add_user(st, "bert", 0), A2F_OK);
    CHECK_RC(a2f_t_add_user(st, "bo", 0), A2F_OK);
    a2f_store_close(st);

    a2f_t_token_id(id, 7);
    memcpy(key, "bert\0a", 6);
    memcpy(key + 6, id, A2F_APITOKEN_ID_LEN);
    klen = 6 + A2F_APITOKEN_ID_LEN;

    /* version 2: unknown */

    CHECK(a2f_t_raw_put(path, "creds", key, klen,
                        "\x02\x01\0\0\0\0\0\0\0\0\xff\xff\xff\xff\0\0\0\0",
                        18) == 0);

    st = a2f_t_open(path, kr, 0);

    if (st == NULL) {
        return;
    }

    CHECK_RC(a2f_store_apitoken_try(st, "bert", 4, id, A2F_T_NOW, &left),
             A2F_ERR_STORAGE);
    a2f_t_token_id(id, 8);
    CHECK_RC(a2f_store_apitoken_new(st, "bert", 4, id, 1, A2F_T_NOW + 300,
                                    A2F_T_NOW), A2F_ERR_STORAGE);
    CHECK_RC(a2f_store_apitoken_new(st, "bo", 2, id, 1, A2F_T_NOW + 300,
                                    A2F_T_NOW), A2F_OK);
    CHECK_RC(a2f_store_apitoken_try(st, "bo", 2, id, A2F_T_NOW, &left),
             A2F_OK);
    a2f_store_close(st);

    /* a short record; too many tries; a key of the wrong length */

    a2f_t_token_id(id, 7);
    CHECK(a2f_t_raw_put(path, "creds", key, klen, "\x01\x01", 2) == 0);
    st = a2f_t_open(path, kr, 0);

    if (st != NULL) {
        CHECK_RC(a2f_store_apitoken_try(st, "bert", 4, id, A2F_T_NOW,
                                        &left), A2F_ERR_STORAGE);
        a2f_store_close(st);
    }

    CHECK(a2f_t_raw_put(path, "creds", key, klen,
                        "\x01\xff\0\0\0\0\0\0\0\0\xff\xff\xff\xff\0\0\0\0",
                        18) == 0);
    st = a2f_t_open(path, kr, 0);

    if (st != NULL) {
        CHECK_RC(a2f_store_apitoken_try(st, "bert", 4, id, A2F_T_NOW,
                                        &left), A2F_ERR_STORAGE);

        /* the user goes, with the bad record */

        CHECK_RC(a2f_store_user_del(st, "bert", 4), A2F_OK);
        CHECK_RC(a2f_t_add_user(st, "bert", 0), A2F_OK);
        CHECK_RC(a2f_store_apitoken_new(st, "bert", 4, id, 1,
                                        A2F_T_NOW + 300, A2F_T_NOW), A2F_OK);
        a2f_store_close(st);
    }

    CHECK(a2f_t_raw_put(path, "creds", "bert\0a\x01", 7,
                        "\x01\x01\0\0\0\0\0\0\0\0\xff\xff\xff\xff\0\0\0\0",
                        18) == 0);
    st = a2f_t_open(path, kr, 0);

    if (st != NULL) {
        a2f_t_token_id(id, 9);
        CHECK_RC(a2f_store_apitoken_new(st, "bert", 4, id, 1,
                                        A2F_T_NOW + 300, A2F_T_NOW),
                 A2F_ERR_STORAGE);
        a2f_store_close(st);
    }
}


/*
 * A group record that does not parse, or holds a bad name, fails
 * closed (A2F_ERR_STORAGE); a new group or a clear replaces it, and
 * other users are not touched.
 */

static void
a2f_t_group_bad(const a2f_keyring_t *kr)
{
    char          path[128], g[A2F_GROUP_MAX + 1];
    size_t        glen, i;
    a2f_store_t  *st;

    static const struct {
        const char  *rec;
        size_t       len;
    } bad[] = {
        { "\x02\x05staff", 7 },         /* version 2: unknown */
        { "\x01\x06staff", 7 },         /* shorter than its length */
        { "\x01\x04staff", 7 },         /* longer */
        { "\x01\x00", 2 },              /* empty */
        { "\x01", 1 },                  /* no length */
        { "", 0 },                      /* nothing */
        { "\x01\x05st ff", 7 },         /* a space */
        { "\x01\x05st\"ff", 7 },        /* a quote */
        { "\x01\x05st\\ff", 7 },        /* a backslash */
        { "\x01\x05st\0ff", 7 }         /* a NUL */
    };

    a2f_t_path(path, sizeof(path), "badgroup.db");

    st = a2f_t_open(path, kr, A2F_STORE_CREATE);

    if (st == NULL) {
        return;
    }

    CHECK_RC(a2f_t_add_user(st, "gert", 0), A2F_OK);
    CHECK_RC(a2f_t_add_user(st, "gus", 0), A2F_OK);
    CHECK_RC(a2f_store_user_group_set(st, "gus", 3, "staff", 5), A2F_OK);
    a2f_store_close(st);

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK(a2f_t_raw_put(path, "creds", "gert\0g", 6, bad[i].rec,
                            bad[i].len) == 0);

        st = a2f_t_open(path, kr, 0);

        if (st == NULL) {
            return;
        }

        memset(g, 'x', sizeof(g));
        glen = 999;
        CHECK_RC(a2f_store_user_group_get(st, "gert", 4, g, &glen),
                 A2F_ERR_STORAGE);
        CHECK_STR(g, "");
        CHECK(glen == 0);
        CHECK_RC(a2f_store_user_group_get(st, "gus", 3, g, &glen), A2F_OK);
        CHECK_STR(g, "staff");

        /* i odd: cleared, even: replaced */

        if (i % 2) {
            CHECK_RC(a2f_store_user_group_set(st, "gert", 4, NULL, 0),
                     A2F_OK);
            CHECK_RC(a2f_store_user_group_get(st, "gert", 4, g, &glen),
                     A2F_OK);
            CHECK(glen == 0);

        } else {
            CHECK_RC(a2f_store_user_group_set(st, "gert", 4, "ops", 3),
                     A2F_OK);
            CHECK_RC(a2f_store_user_group_get(st, "gert", 4, g, &glen),
                     A2F_OK);
            CHECK_STR(g, "ops");
        }

        a2f_store_close(st);
    }

    /* the user goes, with a bad record */

    CHECK(a2f_t_raw_put(path, "creds", "gert\0g", 6, "\x02", 1) == 0);
    st = a2f_t_open(path, kr, 0);

    if (st != NULL) {
        CHECK_RC(a2f_store_user_del(st, "gert", 4), A2F_OK);
        CHECK_RC(a2f_t_add_user(st, "gert", 0), A2F_OK);
        CHECK_RC(a2f_store_user_group_get(st, "gert", 4, g, &glen), A2F_OK);
        CHECK(glen == 0);
        a2f_store_close(st);
    }
}


/*
 * A transaction that fails after it audited: the hook sees nothing of
 * it, then or with the next transaction; nothing of it is stored.  An
 * index entry whose hash is not the user's link's finds nothing.
 */

static void
a2f_t_hook_abort(const a2f_keyring_t *kr)
{
    char            path[128], tok[A2F_LINK_TOKEN_LEN + 1];
    char            user[A2F_USER_MAX + 1];
    uint8_t         ikey[7 + 32];
    size_t          ulen;
    int64_t         t;
    a2f_store_t    *st;
    a2f_t_page_t    pg;
    a2f_t_hook_t    hk;
    a2f_lockout_t   lo;
    static const char  forged[] = "ForgedTokenForgedTokenForgedTok0";

    t = A2F_T_NOW + 70000;
    a2f_t_path(path, sizeof(path), "abort.db");

    st = a2f_t_open(path, kr, A2F_STORE_CREATE);

    if (st == NULL) {
        return;
    }

    CHECK_RC(a2f_t_add_user(st, "abby", 0), A2F_OK);
    CHECK_RC(a2f_store_link_new(st, "abby", 4, t + 3600, t, NULL, tok),
             A2F_OK);
    a2f_store_close(st);

    /* a failure bucket of an address that does not parse */

    CHECK(a2f_t_raw_put(path, "fails", "a10.6.6.6", 9, "\x07junk", 5) == 0);

    /* an index entry of another token to abby */

    memcpy(ikey, "enroll.", 7);
    SHA256((const unsigned char *) forged, A2F_LINK_TOKEN_LEN, ikey + 7);
    CHECK(a2f_t_raw_put(path, "meta", ikey, sizeof(ikey), "abby", 4) == 0);

    st = a2f_t_open(path, kr, 0);

    if (st == NULL) {
        return;
    }

    memset(&hk, 0, sizeof(hk));
    a2f_store_audit_hook(st, a2f_t_hook, &hk);

    CHECK_RC(a2f_store_link_check(st, forged, A2F_LINK_TOKEN_LEN, t, user,
                                  &ulen, NULL), A2F_ERR_NOTFOUND);
    CHECK_RC(a2f_store_link_check(st, tok, strlen(tok), t, user, &ulen,
                                  NULL), A2F_OK);

    /*
     * The user's bucket locks at the first failure ("locked" audited),
     * then the address's bucket does not parse: all of it is undone.
     */

    lo.max_fails = 1;
    lo.max_fails_addr = 5;
    lo.period = 900;

    CHECK_RC(a2f_store_password_result(st, &lo, "abby", 4, "10.6.6.6", 0, t),
             A2F_ERR_STORAGE);
    CHECK(hk.n == 0);
    CHECK_RC(a2f_store_locked(st, &lo, "abby", 4, NULL, t), A2F_OK);

    CHECK_RC(a2f_store_audit(st, t, "after", NULL, 0, NULL, NULL), A2F_OK);
    CHECK(hk.n == 1);
    CHECK_STR(hk.texts[0], "after user=- addr=-");

    memset(&pg, 0, sizeof(pg));
    CHECK_RC(a2f_store_audit_list(st, 10, a2f_t_page_cb, &pg), A2F_OK);
    CHECK(pg.n == 2);
    CHECK_STR(pg.texts[0], "after user=- addr=-");
    CHECK_STR(pg.texts[1], "link_new user=abby addr=-");

    a2f_store_close(st);
}


/* threads writing at once: each event reaches the hook once, in its thread */

#define A2F_T_THREADS  4
#define A2F_T_EVENTS   50


typedef struct {
    pthread_mutex_t  lock;
    unsigned         calls[A2F_T_THREADS];
    unsigned         wrong;
} a2f_t_mt_t;


typedef struct {
    a2f_store_t     *st;
    unsigned         id;
    int              failed;
} a2f_t_thread_t;


static _Thread_local int  a2f_t_thread_id = -1;


static void
a2f_t_mt_hook(void *arg, const char *text, size_t len)
{
    int          id;
    a2f_t_mt_t  *mt = arg;

    pthread_mutex_lock(&mt->lock);

    if (sscanf(text, "mt user=- addr=- thread=%d", &id) != 1
        || id != a2f_t_thread_id || id < 0 || id >= A2F_T_THREADS)
    {
        mt->wrong++;

    } else {
        mt->calls[id]++;
    }

    pthread_mutex_unlock(&mt->lock);
}


static void *
a2f_t_mt_run(void *arg)
{
    char             detail[32];
    unsigned         i;
    a2f_t_thread_t  *th = arg;

    a2f_t_thread_id = (int) th->id;

    for (i = 0; i < A2F_T_EVENTS; i++) {
        snprintf(detail, sizeof(detail), "thread=%u", th->id);

        if (a2f_store_audit(th->st, A2F_T_NOW, "mt", NULL, 0, NULL, detail)
            != A2F_OK)
        {
            th->failed = 1;
        }

        /* a failing write in between: it must not reach the hook */

        if (a2f_store_user_add(th->st, NULL, A2F_T_NOW) != A2F_ERR_INVALID) {
            th->failed = 1;
        }
    }

    return NULL;
}


static void
a2f_t_hook_threads(const a2f_keyring_t *kr)
{
    char             path[128];
    unsigned         i;
    pthread_t        tid[A2F_T_THREADS];
    a2f_t_mt_t       mt;
    a2f_store_t     *st;
    a2f_t_page_t     pg;
    a2f_t_thread_t   th[A2F_T_THREADS];

    a2f_t_path(path, sizeof(path), "threads.db");
    st = a2f_t_open(path, kr, A2F_STORE_CREATE);

    if (st == NULL) {
        return;
    }

    memset(&mt, 0, sizeof(mt));
    pthread_mutex_init(&mt.lock, NULL);
    a2f_store_audit_hook(st, a2f_t_mt_hook, &mt);

    for (i = 0; i < A2F_T_THREADS; i++) {
        th[i].st = st;
        th[i].id = i;
        th[i].failed = 0;
        CHECK(pthread_create(&tid[i], NULL, a2f_t_mt_run, &th[i]) == 0);
    }

    for (i = 0; i < A2F_T_THREADS; i++) {
        CHECK(pthread_join(tid[i], NULL) == 0);
        CHECK(!th[i].failed);
        CHECK(mt.calls[i] == A2F_T_EVENTS);
    }

    CHECK(mt.wrong == 0);

    memset(&pg, 0, sizeof(pg));
    CHECK_RC(a2f_store_audit_list(st, 1000, a2f_t_page_cb, &pg), A2F_OK);
    CHECK(pg.n == A2F_T_THREADS * A2F_T_EVENTS);

    pthread_mutex_destroy(&mt.lock);
    a2f_store_close(st);
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
        a2f_t_flags(st);
        a2f_t_seckeys(st);
        a2f_t_seckey_use(st);
        a2f_t_challenges(st);
        a2f_t_apitokens(st);
        a2f_t_groups(st);
        a2f_store_close(st);
    }

    a2f_t_links(&kr);
    a2f_t_links_full(&kr);
    a2f_t_audit_page(&kr);
    a2f_t_hook_abort(&kr);
    a2f_t_apitoken_bad(&kr);
    a2f_t_group_bad(&kr);
    a2f_t_hook_threads(&kr);

    a2f_t_full();
    a2f_t_seckey_full(&kr);
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
