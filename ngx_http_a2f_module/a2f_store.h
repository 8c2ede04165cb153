
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_store.h: the LMDB file and every transaction on it.  The only file
 * that includes lmdb.h is a2f_store.c.
 *
 * One environment, MDB_NOSUBDIR (the file "path" and its lock file
 * "path-lock"), opened with MDB_NOTLS so that read transactions may be
 * used from nginx thread-pool threads.  Named databases:
 *
 *   users   user name -> user record (flags, generation, password hash,
 *           created, last login)
 *   creds   user name "\0" 't' device name -> TOTP device (algorithm,
 *           digits, period, last accepted step, secret sealed with
 *           AES-256-GCM under the data key)
 *   fails   'u' user name | 'a' client address -> failure bucket
 *           (count, first failure, locked until)
 *   audit   8-byte big-endian microsecond time -> event text
 *   meta    "version" -> schema version; "dek.<kid>" -> the data key
 *           sealed under the key-encryption key derived from the key
 *           with that kid
 *
 * Records are versioned little-endian binary structs; a record that does
 * not parse is A2F_ERR_STORAGE (fail closed).
 *
 * Thread safety: an a2f_store_t may be used by several threads at once
 * except a2f_store_user_gen(), which reuses one read transaction and must
 * be called from one thread only (the nginx event loop).
 */

#ifndef _A2F_STORE_H_INCLUDED_
#define _A2F_STORE_H_INCLUDED_


#include "a2f_common.h"
#include "a2f_crypto.h"
#include "a2f_totp.h"
#include "a2f_password.h"


#define A2F_STORE_CREATE     0x01   /* create the file if missing           */
#define A2F_STORE_RDONLY     0x02   /* open read-only                       */

#define A2F_STORE_MAPSIZE_DEFAULT  (64 * 1024 * 1024)

#define A2F_USER_ADMIN       0x01
#define A2F_USER_DISABLED    0x02

#define A2F_DEVICE_MAX       32     /* device name bytes                    */
#define A2F_DEVICES_MAX      8      /* TOTP devices per user                */
#define A2F_AUDIT_MAX        512    /* audit event text bytes               */


typedef struct a2f_store_s  a2f_store_t;


typedef struct {
    char       name[A2F_USER_MAX + 1];
    size_t     name_len;
    uint32_t   flags;                 /* A2F_USER_*                         */
    uint32_t   gen;                   /* session generation                 */
    int64_t    created;
    int64_t    last_login;
    char       pwhash[A2F_PWHASH_MAX];
    unsigned   ndevices;              /* filled by get/list                 */
    int64_t    locked_until;          /* filled by get/list (fails db)      */
} a2f_user_t;


typedef struct {
    char        name[A2F_DEVICE_MAX + 1];
    a2f_hash_t  alg;
    unsigned    digits;               /* 6 or 8                             */
    unsigned    period;               /* seconds, 15..300                   */
    uint64_t    last_step;
    int64_t     created;
    uint8_t     secret[A2F_TOTP_SECRET_MAX];
    size_t      secret_len;
} a2f_totp_dev_t;


typedef struct {
    unsigned    max_fails;            /* per user; 0 = no lockout           */
    unsigned    max_fails_addr;       /* per client address; 0 = none       */
    int64_t     period;               /* seconds                            */
} a2f_lockout_t;


/*
 * Open (and with A2F_STORE_CREATE create) the database file at path with
 * the given map size (0: default).  kr opens the data key (meta
 * "dek.<kid>" for any key in the ring); a new file gets a fresh data key
 * sealed under every key in the ring, and an existing one gets it sealed
 * under ring keys that do not have it yet (unless RDONLY).
 * On failure writes a reason naming path into err (errsz > 0) and returns
 * A2F_ERR_STORAGE, A2F_ERR_NOKEY (no ring key opens the data key) or
 * A2F_ERR_NOMEM.  The store keeps its own copy of kr.
 */
int a2f_store_open(const char *path, size_t mapsize, const a2f_keyring_t *kr,
    unsigned flags, a2f_store_t **st, char *err, size_t errsz);

/* Close and free; NULL is allowed. */
void a2f_store_close(a2f_store_t *st);

/* Run mdb_reader_check (clear stale readers of dead processes). */
int a2f_store_reader_check(a2f_store_t *st, int *dead);

/* Hot copy to path (mdb_env_copy2 with compaction). */
int a2f_store_backup(a2f_store_t *st, const char *path);

/*
 * Hot path: generation and flags of a user, through one reused read
 * transaction (mdb_txn_renew / mdb_txn_reset).  Returns A2F_OK,
 * A2F_ERR_NOTFOUND or A2F_ERR_STORAGE.  One thread only.
 */
int a2f_store_user_gen(a2f_store_t *st, const char *name, size_t len,
    uint32_t *gen, uint32_t *flags);

/*
 * Users.  get fills u (ndevices and locked_until too).  add fails with
 * A2F_ERR_EXISTS; u->created 0 means now.  set_password stores a hash
 * string and bumps the generation (ends existing sessions).  revoke bumps
 * the generation.  set_flags replaces the A2F_USER_* flags.  del removes
 * the user, the user's devices and failure bucket.  list calls cb for
 * every user in name order until cb returns non-zero.
 * Missing users are A2F_ERR_NOTFOUND.  Writes are one transaction each:
 * all or nothing; a full map is A2F_ERR_FULL.
 */
int a2f_store_user_get(a2f_store_t *st, const char *name, size_t len,
    a2f_user_t *u);
int a2f_store_user_add(a2f_store_t *st, const a2f_user_t *u, int64_t now);
int a2f_store_user_del(a2f_store_t *st, const char *name, size_t len);
int a2f_store_user_set_password(a2f_store_t *st, const char *name,
    size_t len, const char *pwhash);
int a2f_store_user_revoke(a2f_store_t *st, const char *name, size_t len);
int a2f_store_user_set_flags(a2f_store_t *st, const char *name, size_t len,
    uint32_t flags);
int a2f_store_user_list(a2f_store_t *st,
    int (*cb)(const a2f_user_t *u, void *arg), void *arg);

/*
 * TOTP devices.  add seals d->secret under the data key; an empty
 * d->name means "default"; A2F_ERR_EXISTS when the user has a device of
 * that name; A2F_ERR_TOOBIG past A2F_DEVICES_MAX.  list fills up to max
 * devices (secrets decrypted) and sets *n.  del removes one device.
 */
int a2f_store_totp_add(a2f_store_t *st, const char *user, size_t len,
    const a2f_totp_dev_t *d, int64_t now);
int a2f_store_totp_list(a2f_store_t *st, const char *user, size_t len,
    a2f_totp_dev_t *devs, unsigned max, unsigned *n);
int a2f_store_totp_del(a2f_store_t *st, const char *user, size_t len,
    const char *dev, size_t devlen);

/*
 * Failure buckets.  locked: A2F_OK when neither the user nor the address
 * is locked at now, else A2F_ERR_LOCKED (addr may be NULL).  unlock
 * clears the user's bucket.
 */
int a2f_store_locked(a2f_store_t *st, const a2f_lockout_t *lo,
    const char *user, size_t len, const char *addr, int64_t now);
int a2f_store_unlock(a2f_store_t *st, const char *user, size_t len);

/*
 * Authentication events, each one write transaction (the caller runs
 * them off the event loop):
 *
 * a2f_store_password_result: ok != 0 clears the user's bucket and sets
 * last_login; ok == 0 counts a failure against user (if it exists) and
 * addr, locking either past its limit.  Audits "login" / "login_failed" /
 * "locked".
 *
 * a2f_store_totp_verify: inside one write transaction: refuse when
 * locked, check code against every device of the user (window steps
 * either side), on a match store the step as the device's last step
 * (so a code is accepted once, also across workers), else count a
 * failure.  Returns A2F_OK, A2F_ERR_AUTH, A2F_ERR_REPLAY (counted as a
 * failure), A2F_ERR_LOCKED, A2F_ERR_NOTFOUND (no device), A2F_ERR_INVALID
 * (code malformed: not counted), A2F_ERR_FULL or A2F_ERR_STORAGE.
 */
int a2f_store_password_result(a2f_store_t *st, const a2f_lockout_t *lo,
    const char *user, size_t len, const char *addr, int ok, int64_t now);
int a2f_store_totp_verify(a2f_store_t *st, const a2f_lockout_t *lo,
    const char *user, size_t len, const char *addr, const char *code,
    size_t codelen, unsigned window, int64_t now);

/*
 * Audit trail: append "event user addr detail" at now (microseconds are
 * made unique); each part is sanitised (control bytes become '?').
 * a2f_store_audit_list calls cb newest first, at most max entries.
 */
int a2f_store_audit(a2f_store_t *st, int64_t now, const char *event,
    const char *user, size_t len, const char *addr, const char *detail);
int a2f_store_audit_list(a2f_store_t *st, unsigned max,
    int (*cb)(int64_t usec, const char *text, size_t len, void *arg),
    void *arg);


#endif /* _A2F_STORE_H_INCLUDED_ */
