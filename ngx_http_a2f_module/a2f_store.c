
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_store.c: the LMDB schema and every transaction on it (see
 * a2f_store.h).  The only file that includes lmdb.h.
 */


#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <lmdb.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "a2f_store.h"


#define A2F_STORE_VERSION     1       /* schema, meta "version"             */
#define A2F_STORE_MAXDBS      8

#define A2F_REC_USER_V1       1
#define A2F_REC_DEV_V1        1
#define A2F_REC_FAIL_V1       1
#define A2F_REC_RECOVERY_V1   1
#define A2F_REC_SECKEY_V2     2       /* v1 (no fmt, appid...) unreleased   */
#define A2F_REC_LINK_V1       1
#define A2F_REC_CHALLENGE_V1  1
#define A2F_REC_APITOKEN_V1   1
#define A2F_REC_GROUP_V1      1

/* version, flags, gen, created, last_login, hash length */
#define A2F_REC_USER_FIXED    (1 + 4 + 4 + 8 + 8 + 2)
/* version, alg, digits, period, last_step, created, sealed length */
#define A2F_REC_DEV_FIXED     (1 + 1 + 1 + 2 + 8 + 8 + 2)
#define A2F_REC_DEV_MAX       (A2F_REC_DEV_FIXED + A2F_TOTP_SECRET_MAX      \
                               + A2F_SEAL_OVERHEAD)
/* version, count, first, locked_until */
#define A2F_REC_FAIL_LEN      (1 + 4 + 8 + 8)
/* version, count, used bitmap, created; then count hashes */
#define A2F_REC_RECOVERY_FIXED  (1 + 1 + 2 + 8)
#define A2F_REC_RECOVERY_MAX  (A2F_REC_RECOVERY_FIXED                      \
                               + A2F_RECOVERY_CODES * A2F_RECOVERY_HASH)

/*
 * version, alg, sign count, flags, created, last used, transports,
 * AAGUID; then the attestation format after its 1-byte length, the U2F
 * appId, the credential id and the public key, each after its 2-byte
 * length
 */
#define A2F_REC_SECKEY_FIXED  (1 + 4 + 4 + 4 + 8 + 8 + 4 + A2F_SECKEY_AAGUID)
#define A2F_REC_SECKEY_MAX    (A2F_REC_SECKEY_FIXED                        \
                               + 1 + A2F_SECKEY_FMT_MAX                    \
                               + 2 + A2F_SECKEY_APPID_MAX                  \
                               + 2 + A2F_SECKEY_ID_MAX                     \
                               + 2 + A2F_SECKEY_PUB_MAX)
/* version, SHA-256 of the token, created, expires */
#define A2F_REC_LINK_LEN      (1 + A2F_LINK_HASH + 8 + 8)
/* version, expires, the challenge */
#define A2F_REC_CHALLENGE_LEN (1 + 8 + A2F_CHALLENGE_LEN)
/* version, tries left, created, expires */
#define A2F_REC_APITOKEN_LEN  (1 + 1 + 8 + 8)
/* version, the group name after its 1-byte length */
#define A2F_REC_GROUP_MAX     (1 + 1 + A2F_GROUP_MAX)

#define A2F_RECOVERY_HASH     32      /* HMAC-SHA256                        */
#define A2F_RECOVERY_CHARS    12      /* code characters without dashes     */
#define A2F_RECOVERY_INPUT    64      /* longest code input looked at       */
#define A2F_RECOVERY_LABEL    "a2f-recovery-v1"
#define A2F_RECOVERY_ALPHABET "0123456789abcdefghjkmnpqrstvwxyz"

#if (A2F_RECOVERY_CODES > 16 || A2F_RECOVERY_LEN != A2F_RECOVERY_CHARS + 2)
#error "the recovery record holds at most 16 codes of 12 characters"
#endif

#define A2F_DEK_LEN           32
#define A2F_DEK_SEALED_LEN    (A2F_DEK_LEN + A2F_SEAL_OVERHEAD)
#define A2F_DEK_AAD           "a2f-dek"
#define A2F_KEK_LABEL         "a2f-kek-v1"
#define A2F_DEK_PREFIX        "dek."
#define A2F_META_KEY_MAX      511     /* LMDB's default maximum key size */

#define A2F_CRED_KEY_MAX      (A2F_USER_MAX + 2 + A2F_DEVICE_MAX)
#define A2F_FAIL_KEY_MAX      (1 + (A2F_USER_MAX > A2F_ADDR_MAX             \
                                    ? A2F_USER_MAX : A2F_ADDR_MAX))
#define A2F_AAD_MAX           (A2F_USER_MAX + 1 + A2F_DEVICE_MAX)
#define A2F_RECOVERY_KEY_MAX  (A2F_USER_MAX + 2)
#define A2F_RECOVERY_MSG_MAX  (A2F_USER_MAX + 1 + A2F_RECOVERY_CHARS)

#define A2F_DEVICE_DEFAULT    "default"
#define A2F_DEVICE_NUMBERED   "device-"
#define A2F_SECKEY_DEFAULT    "key"
#define A2F_SECKEY_FLAGS      (A2F_SECKEY_U2F | A2F_SECKEY_CLONED)
#define A2F_SECKEY_TRANSPORTS (A2F_SECKEY_T_USB | A2F_SECKEY_T_NFC         \
                               | A2F_SECKEY_T_BLE | A2F_SECKEY_T_INTERNAL  \
                               | A2F_SECKEY_T_HYBRID)

#if (A2F_SECKEY_FMT_MAX > 255 || A2F_SECKEY_APPID_MAX > 65535)
#error "the security key record holds fmt and appid after 1 and 2 bytes"
#endif

/* the kinds of creds records: user name "\0" kind [name] */
#define A2F_CRED_TOTP         't'
#define A2F_CRED_SECKEY       'k'
#define A2F_CRED_RECOVERY     'r'
#define A2F_CRED_LINK         'e'
#define A2F_CRED_CHALLENGE    'c'     /* [purpose]                          */
#define A2F_CRED_APITOKEN     'a'     /* [token id]                         */
#define A2F_CRED_GROUP        'g'

#if (A2F_APITOKEN_ID_LEN > A2F_DEVICE_MAX || A2F_APITOKEN_TRIES_MAX > 255)
#error "a token record's key holds its id, the record its tries in a byte"
#endif

#if (A2F_GROUP_MAX > 255)
#error "the group record holds the name's length in a byte"
#endif

#define A2F_LINK_RANDOM       24      /* random bytes in a token            */
#define A2F_LINK_HASH         32      /* SHA-256 of the token text          */
#define A2F_LINK_PREFIX       "enroll."
#define A2F_LINK_INDEX_LEN    (sizeof(A2F_LINK_PREFIX) - 1 + A2F_LINK_HASH)

#if (A2F_LINK_TOKEN_LEN != A2F_LINK_RANDOM * 4 / 3)
#error "a link token is the base64url text of A2F_LINK_RANDOM bytes"
#endif

/* audit events of one write transaction handed to the hook after commit */
#define A2F_STORE_PENDING     8

/* a callback of a2f_store_cred_each(): stop here, without an error */
#define A2F_STORE_STOP        1

#if (__STDC_VERSION__ >= 201112L)
#define A2F_STORE_THREAD      _Thread_local
#else
#define A2F_STORE_THREAD      __thread
#endif


struct a2f_store_s {
    MDB_env        *env;
    MDB_txn        *rtxn;           /* reused by a2f_store_user_gen()    */
    MDB_dbi         users;
    MDB_dbi         creds;
    MDB_dbi         fails;
    MDB_dbi         audit;
    MDB_dbi         meta;
    unsigned        flags;
    uint8_t         dek[A2F_DEK_LEN];
    a2f_keyring_t   kr;
    void          (*hook)(void *arg, const char *text, size_t len);
    void           *hook_arg;
};


/* a bounds-checked reader of a record */
typedef struct {
    const uint8_t  *p;
    size_t          left;
    int             bad;
} a2f_store_rd_t;


/* a failure bucket */
typedef struct {
    uint32_t        count;
    int64_t         first;
    int64_t         locked_until;
} a2f_store_fail_t;


/* a set of recovery codes: hashes only */
typedef struct {
    unsigned        count;
    uint32_t        used;           /* bit i: code i is used up           */
    int64_t         created;
    uint8_t         hash[A2F_RECOVERY_CODES][A2F_RECOVERY_HASH];
} a2f_store_recovery_t;


/* a temporary API token's record (the 'a' record) */
typedef struct {
    unsigned        tries;          /* left                               */
    int64_t         created;
    int64_t         expires;
} a2f_store_apitoken_t;


/* what a2f_store_apitoken_visit() finds among a user's token records */
typedef struct {
    size_t          len;            /* the user name's                    */
    int64_t         now;
    unsigned        live;
    int             expired;        /* one found (in id): delete it first */
    int             oldest_set;
    int64_t         oldest_created;
    uint8_t         id[A2F_APITOKEN_ID_LEN];      /* the expired one      */
    uint8_t         oldest[A2F_APITOKEN_ID_LEN];
} a2f_store_sweep_t;


/* a user's enrollment link (the 'e' record) */
typedef struct {
    uint8_t         hash[A2F_LINK_HASH];
    int64_t         created;
    int64_t         expires;
} a2f_store_link_t;


/*
 * A callback of a2f_store_cred_each(), given record i (the number taken
 * before it): A2F_OK takes it, A2F_STORE_STOP ends the walk without it,
 * anything else is an error that ends the walk.
 */
typedef int (*a2f_store_each_pt)(const MDB_val *key, const MDB_val *val,
    unsigned i, void *arg);


/* the devices a2f_store_dev_read() fills */
typedef struct {
    a2f_store_t     *st;
    const char      *user;
    size_t           len;
    a2f_totp_dev_t  *devs;
    unsigned         max;
} a2f_store_devs_t;


/* the keys a2f_store_seckey_list() fills */
typedef struct {
    size_t           len;
    a2f_seckey_t    *keys;
    unsigned         max;
} a2f_store_keys_t;


/* the credential id a2f_store_seckey_scan() looks for */
typedef struct {
    size_t           len;
    const uint8_t   *id;
    size_t           idlen;
    int              dup;
    a2f_seckey_t    *k;             /* receives the key found, or NULL    */
} a2f_store_scan_t;


/*
 * The audit events written by the current write transaction of this
 * thread, for the hook.  Write transactions of one environment never
 * overlap, and each write function begins and commits (or aborts) its
 * transaction in one thread: a2f_store_begin() starts the list,
 * a2f_store_audit_put() appends to it, a2f_store_commit() hands it to
 * the hook once mdb_txn_commit() succeeded.  An aborted transaction's
 * list is dropped by the next a2f_store_begin().
 */
typedef struct {
    a2f_store_t    *st;             /* whose transaction, NULL: none      */
    unsigned        n;
    size_t          len[A2F_STORE_PENDING];
    char            text[A2F_STORE_PENDING][A2F_AUDIT_MAX];
} a2f_store_pending_t;


static A2F_STORE_THREAD a2f_store_pending_t  a2f_store_pending;


static void a2f_store_errf(char *err, size_t errsz, const char *fmt, ...);
static int a2f_store_mdb_rc(int rc);
static int a2f_store_begin(a2f_store_t *st, unsigned flags, MDB_txn **txn);
static int a2f_store_commit(a2f_store_t *st, MDB_txn *txn);
static void a2f_store_wipe(void *p, size_t n);
static int a2f_store_int32(uint32_t v);

static void a2f_store_put16(uint8_t *p, uint16_t v);
static void a2f_store_put32(uint8_t *p, uint32_t v);
static void a2f_store_put64(uint8_t *p, uint64_t v);
static const uint8_t *a2f_store_rd_bytes(a2f_store_rd_t *r, size_t n);
static uint8_t a2f_store_rd_u8(a2f_store_rd_t *r);
static uint16_t a2f_store_rd_u16(a2f_store_rd_t *r);
static uint32_t a2f_store_rd_u32(a2f_store_rd_t *r);
static uint64_t a2f_store_rd_u64(a2f_store_rd_t *r);
static int a2f_store_rd_open(a2f_store_rd_t *r, const MDB_val *val,
    unsigned version);

static int a2f_store_name_ok(const char *name, size_t len);
static int a2f_store_dev_name_ok(const char *name, size_t len);
static size_t a2f_store_user_encode(const a2f_user_t *u, uint8_t *buf,
    size_t size);
static int a2f_store_user_decode(const MDB_val *key, const MDB_val *val,
    a2f_user_t *u);
static int a2f_store_user_load(a2f_store_t *st, MDB_txn *txn,
    const char *name, size_t len, a2f_user_t *u);
static int a2f_store_begin_user(a2f_store_t *st, unsigned flags,
    const char *name, size_t len, MDB_txn **txn);
static int a2f_store_user_save(a2f_store_t *st, MDB_txn *txn,
    const a2f_user_t *u);
static int a2f_store_user_extra(a2f_store_t *st, MDB_txn *txn,
    a2f_user_t *u);
static int a2f_store_user_bump(a2f_store_t *st, MDB_txn *txn,
    const char *name, size_t len, const char *pwhash, uint32_t *gen);
static int a2f_store_user_flags(a2f_store_t *st, MDB_txn *txn,
    const char *name, size_t len, uint32_t set, uint32_t clear,
    uint32_t *flags);
static int a2f_store_user_change(a2f_store_t *st, const char *name,
    size_t len, const char *pwhash, int flags, uint32_t set, uint32_t clear,
    uint32_t *out);

static size_t a2f_store_cred_key(const char *user, size_t len, char kind,
    const char *name, size_t namelen, uint8_t *buf);
static int a2f_store_cred_open(size_t len, const MDB_val *key,
    const MDB_val *val, unsigned version, const char **name, size_t *nlen,
    a2f_store_rd_t *r);
static int a2f_store_cred_each(a2f_store_t *st, MDB_txn *txn,
    const char *user, size_t len, char kind, a2f_store_each_pt each,
    void *arg, unsigned *n);
static int a2f_store_new_name(char *name, size_t size, const char *def,
    size_t *nlen);
static size_t a2f_store_aad(const char *user, size_t len, const char *dev,
    size_t devlen, uint8_t *buf);
static int a2f_store_dev_decode(a2f_store_t *st, const char *user,
    size_t len, const MDB_val *key, const MDB_val *val, a2f_totp_dev_t *d,
    int secret);
static int a2f_store_dev_encode(a2f_store_t *st, const char *user,
    size_t len, const a2f_totp_dev_t *d, uint8_t *buf, size_t size,
    size_t *outlen);
static int a2f_store_dev_take(const MDB_val *key, const MDB_val *val,
    unsigned i, void *arg);
static int a2f_store_dev_read(a2f_store_t *st, MDB_txn *txn,
    const char *user, size_t len, a2f_totp_dev_t *devs, unsigned max,
    unsigned *n);
static int a2f_store_dev_valid(const a2f_totp_dev_t *d);
static int a2f_store_totp_put(a2f_store_t *st, MDB_txn *txn,
    const char *user, size_t len, const a2f_totp_dev_t *d, size_t dlen);
static int a2f_store_dev_free(a2f_store_t *st, MDB_txn *txn,
    const char *user, size_t len, const char *dev, size_t devlen);

static int a2f_store_seckey_text_ok(const char *s, size_t len);
static int a2f_store_seckey_id_ok(const uint8_t *id, size_t idlen);
static int a2f_store_seckey_valid(const a2f_seckey_t *k);
static size_t a2f_store_seckey_encode(const a2f_seckey_t *k, uint8_t *buf,
    size_t size);
static int a2f_store_seckey_decode(size_t len, const MDB_val *key,
    const MDB_val *val, a2f_seckey_t *k);
static int a2f_store_seckey_put(a2f_store_t *st, MDB_txn *txn,
    const char *user, size_t len, const a2f_seckey_t *k, unsigned flags);
static int a2f_store_seckey_take(const MDB_val *key, const MDB_val *val,
    unsigned i, void *arg);
static int a2f_store_seckey_match(const MDB_val *key, const MDB_val *val,
    unsigned i, void *arg);
static int a2f_store_seckey_scan(a2f_store_t *st, MDB_txn *txn,
    const char *user, size_t len, const uint8_t *id, size_t idlen,
    unsigned *n, int *dup, a2f_seckey_t *k);

static int a2f_store_challenge_purpose_ok(int purpose);
static size_t a2f_store_challenge_key(const char *user, size_t len,
    int purpose, uint8_t *buf);

static size_t a2f_store_apitoken_key(const char *user, size_t len,
    const uint8_t *id, uint8_t *buf);
static int a2f_store_apitoken_decode(const MDB_val *val,
    a2f_store_apitoken_t *a);
static int a2f_store_apitoken_visit(const MDB_val *key, const MDB_val *val,
    unsigned i, void *arg);
static int a2f_store_apitoken_sweep(a2f_store_t *st, MDB_txn *txn,
    const char *user, size_t len, int64_t now);

static int a2f_store_link_token_ok(const char *token, size_t toklen);
static int a2f_store_link_hash(const char *token, size_t toklen,
    uint8_t out[A2F_LINK_HASH]);
static size_t a2f_store_link_index(const uint8_t hash[A2F_LINK_HASH],
    uint8_t *buf);
static int a2f_store_link_read(a2f_store_t *st, MDB_txn *txn,
    const char *user, size_t len, a2f_store_link_t *lk);
static int a2f_store_link_write(a2f_store_t *st, MDB_txn *txn,
    const char *user, size_t len, const a2f_store_link_t *lk);
static int a2f_store_link_drop(a2f_store_t *st, MDB_txn *txn,
    const char *user, size_t len, const a2f_store_link_t *lk);
static int a2f_store_link_clear(a2f_store_t *st, MDB_txn *txn,
    const char *user, size_t len);
static int a2f_store_link_find(a2f_store_t *st, MDB_txn *txn,
    const char *token, size_t toklen, int64_t now,
    char user[A2F_USER_MAX + 1], size_t *ulen, a2f_store_link_t *lk);

static size_t a2f_store_fail_key(char kind, const char *s, size_t len,
    uint8_t *buf);
static int a2f_store_fail_get(a2f_store_t *st, MDB_txn *txn,
    const uint8_t *key, size_t klen, a2f_store_fail_t *f);
static int a2f_store_fail_count(a2f_store_t *st, MDB_txn *txn,
    const uint8_t *key, size_t klen, unsigned limit, int64_t period,
    int64_t now, int *locked);
static int a2f_store_fail_locked(a2f_store_t *st, MDB_txn *txn,
    char kind, const char *s, size_t len, int64_t now);
static int a2f_store_fail_del(a2f_store_t *st, MDB_txn *txn, char kind,
    const char *s, size_t len);
static int a2f_store_count_failure(a2f_store_t *st, MDB_txn *txn,
    const a2f_lockout_t *lo, const char *user, size_t len, int user_exists,
    const char *addr, int64_t now);
static int a2f_store_factor_check(a2f_store_t *st, MDB_txn *txn,
    const a2f_lockout_t *lo, const char *user, size_t len, const char *addr,
    int64_t now);

static size_t a2f_store_recovery_key(const char *user, size_t len,
    uint8_t *buf);
static int a2f_store_recovery_mac_key(a2f_store_t *st, uint8_t out[32]);
static int a2f_store_recovery_hash(const uint8_t mkey[32], const char *user,
    size_t len, const char *code, uint8_t out[A2F_RECOVERY_HASH]);
static int a2f_store_recovery_norm(const char *code, size_t codelen,
    char out[A2F_RECOVERY_CHARS]);
static int a2f_store_recovery_get(a2f_store_t *st, MDB_txn *txn,
    const char *user, size_t len, a2f_store_recovery_t *rs);
static int a2f_store_recovery_put(a2f_store_t *st, MDB_txn *txn,
    const char *user, size_t len, const a2f_store_recovery_t *rs);
static unsigned a2f_store_recovery_left(const a2f_store_recovery_t *rs);

static size_t a2f_store_cat(char *buf, size_t size, size_t pos,
    const char *s, size_t n, int field);
static int a2f_store_audit_put(a2f_store_t *st, MDB_txn *txn, int64_t now,
    const char *event, const char *user, size_t len, const char *addr,
    const char *detail);
static void a2f_store_pending_add(a2f_store_t *st, const char *text,
    size_t len);

static int a2f_store_open_dbs(a2f_store_t *st, MDB_txn *txn, char *err,
    size_t errsz, const char *path);
static int a2f_store_open_dek(a2f_store_t *st, MDB_txn *txn, char *err,
    size_t errsz, const char *path);
static int a2f_store_seal_dek(a2f_store_t *st, MDB_txn *txn,
    const a2f_key_t *k);
static int a2f_store_dek_opens(a2f_store_t *st, MDB_txn *txn,
    const a2f_key_t *k);
static int a2f_store_addr_ok(const char *addr);


/* -- small helpers --------------------------------------------------------- */


static void
a2f_store_errf(char *err, size_t errsz, const char *fmt, ...)
{
    va_list  ap;

    if (err == NULL || errsz == 0) {
        return;
    }

    va_start(ap, fmt);
    (void) vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
}


static int
a2f_store_mdb_rc(int rc)
{
    switch (rc) {

    case MDB_SUCCESS:
        return A2F_OK;

    case MDB_NOTFOUND:
        return A2F_ERR_NOTFOUND;

    case MDB_KEYEXIST:
        return A2F_ERR_EXISTS;

    case MDB_MAP_FULL:
        return A2F_ERR_FULL;

    case ENOMEM:
        return A2F_ERR_NOMEM;

    default:
        return A2F_ERR_STORAGE;
    }
}


static int
a2f_store_begin(a2f_store_t *st, unsigned flags, MDB_txn **txn)
{
    int  rc;

    if (!(flags & MDB_RDONLY)) {

        /* a new write transaction: no audit events yet */

        a2f_store_pending.st = st;
        a2f_store_pending.n = 0;

        if (st->flags & A2F_STORE_RDONLY) {
            return A2F_ERR_STORAGE;
        }
    }

    rc = mdb_txn_begin(st->env, NULL, flags, txn);

    return a2f_store_mdb_rc(rc);
}


/*
 * Commit a write transaction; after a successful commit hand its audit
 * events to the hook.  mdb_txn_commit() frees txn also when it fails.
 * The events are copied first: a hook may itself call the store.
 */

static int
a2f_store_commit(a2f_store_t *st, MDB_txn *txn)
{
    int                   rc;
    char                  text[A2F_STORE_PENDING][A2F_AUDIT_MAX];
    size_t                len[A2F_STORE_PENDING];
    unsigned              i, n;
    a2f_store_pending_t  *pe;

    pe = &a2f_store_pending;
    n = 0;

    if (pe->st == st && st->hook != NULL) {
        n = pe->n;

        for (i = 0; i < n; i++) {
            len[i] = pe->len[i];
            memcpy(text[i], pe->text[i], len[i] + 1);
        }
    }

    pe->st = NULL;
    pe->n = 0;

    rc = a2f_store_mdb_rc(mdb_txn_commit(txn));

    if (rc != A2F_OK) {
        return rc;
    }

    for (i = 0; i < n; i++) {
        st->hook(st->hook_arg, text[i], len[i]);
    }

    return A2F_OK;
}


/* remember an audit event of the current write transaction for the hook */

static void
a2f_store_pending_add(a2f_store_t *st, const char *text, size_t len)
{
    a2f_store_pending_t  *pe;

    pe = &a2f_store_pending;

    /*
     * No hook, or not this store's transaction; or more events than any
     * transaction writes (they are stored, but not handed to the hook).
     */

    if (st->hook == NULL || pe->st != st || pe->n == A2F_STORE_PENDING
        || len >= A2F_AUDIT_MAX)
    {
        return;
    }

    memcpy(pe->text[pe->n], text, len);
    pe->text[pe->n][len] = '\0';
    pe->len[pe->n] = len;
    pe->n++;
}


static void
a2f_store_wipe(void *p, size_t n)
{
    OPENSSL_cleanse(p, n);
}


/* a stored 32-bit two's complement value */

static int
a2f_store_int32(uint32_t v)
{
    if (v <= 0x7fffffff) {
        return (int) v;
    }

    return -(int) (0xffffffff - v) - 1;
}


static void
a2f_store_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t) v;
    p[1] = (uint8_t) (v >> 8);
}


static void
a2f_store_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t) v;
    p[1] = (uint8_t) (v >> 8);
    p[2] = (uint8_t) (v >> 16);
    p[3] = (uint8_t) (v >> 24);
}


static void
a2f_store_put64(uint8_t *p, uint64_t v)
{
    a2f_store_put32(p, (uint32_t) v);
    a2f_store_put32(p + 4, (uint32_t) (v >> 32));
}


static const uint8_t *
a2f_store_rd_bytes(a2f_store_rd_t *r, size_t n)
{
    const uint8_t  *p;

    if (r->bad || r->left < n) {
        r->bad = 1;
        return NULL;
    }

    p = r->p;
    r->p += n;
    r->left -= n;

    return p;
}


static uint8_t
a2f_store_rd_u8(a2f_store_rd_t *r)
{
    const uint8_t  *p;

    p = a2f_store_rd_bytes(r, 1);

    return p ? p[0] : 0;
}


static uint16_t
a2f_store_rd_u16(a2f_store_rd_t *r)
{
    const uint8_t  *p;

    p = a2f_store_rd_bytes(r, 2);
    if (p == NULL) {
        return 0;
    }

    return (uint16_t) (p[0] | (p[1] << 8));
}


static uint32_t
a2f_store_rd_u32(a2f_store_rd_t *r)
{
    const uint8_t  *p;

    p = a2f_store_rd_bytes(r, 4);
    if (p == NULL) {
        return 0;
    }

    return (uint32_t) p[0] | ((uint32_t) p[1] << 8)
           | ((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}


static uint64_t
a2f_store_rd_u64(a2f_store_rd_t *r)
{
    uint64_t  lo, hi;

    lo = a2f_store_rd_u32(r);
    hi = a2f_store_rd_u32(r);

    return lo | (hi << 32);
}


/* a reader of a record, past its version byte, which must be version */

static int
a2f_store_rd_open(a2f_store_rd_t *r, const MDB_val *val, unsigned version)
{
    r->p = val->mv_data;
    r->left = val->mv_size;
    r->bad = 0;

    if (a2f_store_rd_u8(r) != version) {
        return A2F_ERR_STORAGE;
    }

    return A2F_OK;
}


/* a name usable as a key: 1..A2F_USER_MAX bytes, no NUL */

static int
a2f_store_name_ok(const char *name, size_t len)
{
    return name != NULL && len > 0 && len <= A2F_USER_MAX
           && memchr(name, '\0', len) == NULL;
}


static int
a2f_store_dev_name_ok(const char *name, size_t len)
{
    size_t  i;

    if (name == NULL || len == 0 || len > A2F_DEVICE_MAX) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if ((unsigned char) name[i] < 0x20 || name[i] == 0x7f) {
            return 0;
        }
    }

    return 1;
}


static int
a2f_store_addr_ok(const char *addr)
{
    return addr == NULL || strlen(addr) <= A2F_ADDR_MAX;
}


/* -- records --------------------------------------------------------------- */


static size_t
a2f_store_user_encode(const a2f_user_t *u, uint8_t *buf, size_t size)
{
    size_t  hlen;

    hlen = strnlen(u->pwhash, sizeof(u->pwhash));

    if (hlen == 0 || hlen >= sizeof(u->pwhash)
        || A2F_REC_USER_FIXED + hlen > size)
    {
        return 0;
    }

    buf[0] = A2F_REC_USER_V1;
    a2f_store_put32(buf + 1, u->flags);
    a2f_store_put32(buf + 5, u->gen);
    a2f_store_put64(buf + 9, (uint64_t) u->created);
    a2f_store_put64(buf + 17, (uint64_t) u->last_login);
    a2f_store_put16(buf + 25, (uint16_t) hlen);
    memcpy(buf + A2F_REC_USER_FIXED, u->pwhash, hlen);

    return A2F_REC_USER_FIXED + hlen;
}


static int
a2f_store_user_decode(const MDB_val *key, const MDB_val *val, a2f_user_t *u)
{
    size_t           hlen;
    const uint8_t   *h;
    a2f_store_rd_t   r;

    if (!a2f_store_name_ok(key->mv_data, key->mv_size)
        || a2f_store_rd_open(&r, val, A2F_REC_USER_V1) != A2F_OK)
    {
        return A2F_ERR_STORAGE;
    }

    u->flags = a2f_store_rd_u32(&r);
    u->gen = a2f_store_rd_u32(&r);
    u->created = (int64_t) a2f_store_rd_u64(&r);
    u->last_login = (int64_t) a2f_store_rd_u64(&r);
    hlen = a2f_store_rd_u16(&r);
    h = a2f_store_rd_bytes(&r, hlen);

    if (r.bad || r.left != 0 || hlen == 0 || hlen >= sizeof(u->pwhash)
        || memchr(h, '\0', hlen) != NULL)
    {
        return A2F_ERR_STORAGE;
    }

    memcpy(u->name, key->mv_data, key->mv_size);
    u->name[key->mv_size] = '\0';
    u->name_len = key->mv_size;

    memcpy(u->pwhash, h, hlen);
    u->pwhash[hlen] = '\0';

    u->ndevices = 0;
    u->nkeys = 0;
    u->locked_until = 0;

    return A2F_OK;
}


static int
a2f_store_user_load(a2f_store_t *st, MDB_txn *txn, const char *name,
    size_t len, a2f_user_t *u)
{
    int      rc;
    MDB_val  key, val;

    if (!a2f_store_name_ok(name, len)) {
        return A2F_ERR_NOTFOUND;
    }

    key.mv_data = (void *) name;
    key.mv_size = len;

    rc = mdb_get(txn, st->users, &key, &val);
    if (rc != MDB_SUCCESS) {
        return a2f_store_mdb_rc(rc);
    }

    return a2f_store_user_decode(&key, &val, u);
}


/*
 * Begin a transaction (flags as a2f_store_begin()) on the records of a
 * user who must exist: A2F_ERR_NOTFOUND, and no transaction, when not.
 */

static int
a2f_store_begin_user(a2f_store_t *st, unsigned flags, const char *name,
    size_t len, MDB_txn **txn)
{
    int         rc;
    a2f_user_t  u;

    rc = a2f_store_begin(st, flags, txn);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_store_user_load(st, *txn, name, len, &u);
    a2f_store_wipe(&u, sizeof(u));

    if (rc != A2F_OK) {
        mdb_txn_abort(*txn);
    }

    return rc;
}


static int
a2f_store_user_save(a2f_store_t *st, MDB_txn *txn, const a2f_user_t *u)
{
    int      rc;
    size_t   n;
    uint8_t  buf[A2F_REC_USER_FIXED + A2F_PWHASH_MAX];
    MDB_val  key, val;

    n = a2f_store_user_encode(u, buf, sizeof(buf));
    if (n == 0) {
        return A2F_ERR_INVALID;
    }

    key.mv_data = (void *) u->name;
    key.mv_size = u->name_len;
    val.mv_data = buf;
    val.mv_size = n;

    rc = mdb_put(txn, st->users, &key, &val, 0);

    return a2f_store_mdb_rc(rc);
}


/* fill ndevices, nkeys and locked_until */

static int
a2f_store_user_extra(a2f_store_t *st, MDB_txn *txn, a2f_user_t *u)
{
    int               rc;
    size_t            klen;
    uint8_t           key[A2F_FAIL_KEY_MAX];
    a2f_store_fail_t  f;

    rc = a2f_store_cred_each(st, txn, u->name, u->name_len, A2F_CRED_TOTP,
                             NULL, NULL, &u->ndevices);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_store_cred_each(st, txn, u->name, u->name_len,
                             A2F_CRED_SECKEY, NULL, NULL, &u->nkeys);
    if (rc != A2F_OK) {
        return rc;
    }

    klen = a2f_store_fail_key('u', u->name, u->name_len, key);

    rc = a2f_store_fail_get(st, txn, key, klen, &f);
    if (rc != A2F_OK) {
        return rc;
    }

    u->locked_until = f.locked_until;

    return A2F_OK;
}


/* user "\0" kind name: a creds key (name NULL: the prefix of a kind) */

static size_t
a2f_store_cred_key(const char *user, size_t len, char kind, const char *name,
    size_t namelen, uint8_t *buf)
{
    memcpy(buf, user, len);
    buf[len] = '\0';
    buf[len + 1] = (uint8_t) kind;

    if (namelen) {
        memcpy(buf + len + 2, name, namelen);
    }

    return len + 2 + namelen;
}


/*
 * Open a named creds record (a device, a key) found under key, which
 * starts with the user's prefix (len + 2 bytes): its name, checked, and
 * a reader past its version byte, which must be version.
 */

static int
a2f_store_cred_open(size_t len, const MDB_val *key, const MDB_val *val,
    unsigned version, const char **name, size_t *nlen, a2f_store_rd_t *r)
{
    if (key->mv_size <= len + 2) {
        return A2F_ERR_STORAGE;
    }

    *name = (const char *) key->mv_data + len + 2;
    *nlen = key->mv_size - len - 2;

    if (!a2f_store_dev_name_ok(*name, *nlen)) {
        return A2F_ERR_STORAGE;
    }

    return a2f_store_rd_open(r, val, version);
}


/*
 * In txn: walk the user's named records of a kind (devices, keys) in
 * name order, calling each (NULL: only count) on every one, and set *n
 * to the number taken.  An error of each ends the walk, with *n 0.
 */

static int
a2f_store_cred_each(a2f_store_t *st, MDB_txn *txn, const char *user,
    size_t len, char kind, a2f_store_each_pt each, void *arg, unsigned *n)
{
    int          rc, mrc;
    size_t       plen;
    uint8_t      prefix[A2F_CRED_KEY_MAX];
    MDB_val      key, val;
    MDB_cursor  *cur;

    *n = 0;

    mrc = mdb_cursor_open(txn, st->creds, &cur);
    if (mrc != MDB_SUCCESS) {
        return a2f_store_mdb_rc(mrc);
    }

    plen = a2f_store_cred_key(user, len, kind, NULL, 0, prefix);

    key.mv_data = prefix;
    key.mv_size = plen;

    rc = A2F_OK;

    mrc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);

    while (mrc == MDB_SUCCESS
           && key.mv_size > plen
           && memcmp(key.mv_data, prefix, plen) == 0)
    {
        if (each != NULL) {
            rc = each(&key, &val, *n, arg);
            if (rc != A2F_OK) {
                break;
            }
        }

        (*n)++;
        mrc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
    }

    mdb_cursor_close(cur);

    if (rc == A2F_STORE_STOP) {
        return A2F_OK;
    }

    if (rc != A2F_OK) {
        *n = 0;
        return rc;
    }

    if (mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND) {
        return a2f_store_mdb_rc(mrc);
    }

    return A2F_OK;
}


/*
 * The name of a new device or key: name (a buffer of size bytes) as
 * given, def when empty; *nlen its length.  A2F_ERR_INVALID when it is
 * not NUL-terminated or not a valid name.
 */

static int
a2f_store_new_name(char *name, size_t size, const char *def, size_t *nlen)
{
    *nlen = strnlen(name, size);

    if (*nlen == size) {
        return A2F_ERR_INVALID;
    }

    if (*nlen == 0) {
        *nlen = strlen(def);
        memcpy(name, def, *nlen + 1);
    }

    return a2f_store_dev_name_ok(name, *nlen) ? A2F_OK : A2F_ERR_INVALID;
}


static size_t
a2f_store_aad(const char *user, size_t len, const char *dev, size_t devlen,
    uint8_t *buf)
{
    memcpy(buf, user, len);
    buf[len] = '\0';
    memcpy(buf + len + 1, dev, devlen);

    return len + 1 + devlen;
}


static int
a2f_store_dev_encode(a2f_store_t *st, const char *user, size_t len,
    const a2f_totp_dev_t *d, uint8_t *buf, size_t size, size_t *outlen)
{
    int      rc;
    size_t   n, alen, dlen;
    uint8_t  aad[A2F_AAD_MAX];

    if (size < A2F_REC_DEV_FIXED + d->secret_len + A2F_SEAL_OVERHEAD) {
        return A2F_ERR_TOOBIG;
    }

    dlen = strnlen(d->name, sizeof(d->name));
    alen = a2f_store_aad(user, len, d->name, dlen, aad);

    buf[0] = A2F_REC_DEV_V1;
    buf[1] = (uint8_t) d->alg;
    buf[2] = (uint8_t) d->digits;
    a2f_store_put16(buf + 3, (uint16_t) d->period);
    a2f_store_put64(buf + 5, d->last_step);
    a2f_store_put64(buf + 13, (uint64_t) d->created);

    rc = a2f_seal(st->dek, aad, alen, d->secret, d->secret_len,
                  buf + A2F_REC_DEV_FIXED, size - A2F_REC_DEV_FIXED, &n);
    if (rc != A2F_OK) {
        return rc;
    }

    if (n != d->secret_len + A2F_SEAL_OVERHEAD) {
        return A2F_ERR_CRYPTO;
    }

    a2f_store_put16(buf + 21, (uint16_t) n);
    *outlen = A2F_REC_DEV_FIXED + n;

    return A2F_OK;
}


/*
 * Decode a device record found under key (which starts with the user's
 * prefix).  With secret == 0 the secret is not opened.
 */

static int
a2f_store_dev_decode(a2f_store_t *st, const char *user, size_t len,
    const MDB_val *key, const MDB_val *val, a2f_totp_dev_t *d, int secret)
{
    int              rc;
    size_t           dlen, slen, alen, n;
    unsigned         alg;
    const char      *dname;
    const uint8_t   *sealed;
    uint8_t          aad[A2F_AAD_MAX];
    a2f_store_rd_t   r;

    rc = a2f_store_cred_open(len, key, val, A2F_REC_DEV_V1, &dname, &dlen,
                             &r);
    if (rc != A2F_OK) {
        return rc;
    }

    alg = a2f_store_rd_u8(&r);
    d->digits = a2f_store_rd_u8(&r);
    d->period = a2f_store_rd_u16(&r);
    d->last_step = a2f_store_rd_u64(&r);
    d->created = (int64_t) a2f_store_rd_u64(&r);
    slen = a2f_store_rd_u16(&r);
    sealed = a2f_store_rd_bytes(&r, slen);

    if (r.bad || r.left != 0
        || alg > A2F_SHA512
        || (d->digits != 6 && d->digits != 8)
        || d->period < A2F_TOTP_PERIOD_MIN
        || d->period > A2F_TOTP_PERIOD_MAX
        || slen < A2F_SEAL_OVERHEAD + A2F_TOTP_SECRET_MIN
        || slen > A2F_SEAL_OVERHEAD + A2F_TOTP_SECRET_MAX)
    {
        return A2F_ERR_STORAGE;
    }

    d->alg = (a2f_hash_t) alg;
    memcpy(d->name, dname, dlen);
    d->name[dlen] = '\0';
    d->secret_len = 0;

    if (!secret) {
        return A2F_OK;
    }

    alen = a2f_store_aad(user, len, dname, dlen, aad);

    rc = a2f_open(st->dek, aad, alen, sealed, slen, d->secret,
                  sizeof(d->secret), &n);

    if (rc == A2F_ERR_AUTH) {
        /* edited, moved between users, or sealed under another key */
        return A2F_ERR_STORAGE;
    }

    if (rc != A2F_OK) {
        return rc;
    }

    d->secret_len = n;

    return A2F_OK;
}


/* a2f_store_cred_each(): decode device i, its secret opened */

static int
a2f_store_dev_take(const MDB_val *key, const MDB_val *val, unsigned i,
    void *arg)
{
    int                rc;
    a2f_store_devs_t  *ds = arg;

    if (i >= ds->max) {
        return A2F_STORE_STOP;
    }

    rc = a2f_store_dev_decode(ds->st, ds->user, ds->len, key, val,
                              &ds->devs[i], 1);

    if (rc != A2F_OK) {
        /* no secrets of the devices read before it stay behind */
        a2f_store_wipe(ds->devs, i * sizeof(a2f_totp_dev_t));
    }

    return rc;
}


/* in txn: the user's first max devices into devs, secrets opened */

static int
a2f_store_dev_read(a2f_store_t *st, MDB_txn *txn, const char *user,
    size_t len, a2f_totp_dev_t *devs, unsigned max, unsigned *n)
{
    a2f_store_devs_t  ds;

    ds.st = st;
    ds.user = user;
    ds.len = len;
    ds.devs = devs;
    ds.max = max;

    return a2f_store_cred_each(st, txn, user, len, A2F_CRED_TOTP,
                               a2f_store_dev_take, &ds, n);
}


/* the parameters of a TOTP device (not its name) */

static int
a2f_store_dev_valid(const a2f_totp_dev_t *d)
{
    return d != NULL
           && d->alg <= A2F_SHA512
           && (d->digits == 6 || d->digits == 8)
           && d->period >= A2F_TOTP_PERIOD_MIN
           && d->period <= A2F_TOTP_PERIOD_MAX
           && d->secret_len >= A2F_TOTP_SECRET_MIN
           && d->secret_len <= A2F_TOTP_SECRET_MAX;
}


/*
 * In txn: add device d, whose name is dlen bytes (already checked), to
 * user (who exists), the secret sealed.  A2F_ERR_TOOBIG when the user has
 * A2F_DEVICES_MAX devices, A2F_ERR_EXISTS when the name is taken.
 */

static int
a2f_store_totp_put(a2f_store_t *st, MDB_txn *txn, const char *user,
    size_t len, const a2f_totp_dev_t *d, size_t dlen)
{
    int       rc, mrc;
    size_t    n;
    uint8_t   kbuf[A2F_CRED_KEY_MAX], vbuf[A2F_REC_DEV_MAX];
    unsigned  ndev;
    MDB_val   key, val;

    rc = a2f_store_cred_each(st, txn, user, len, A2F_CRED_TOTP, NULL, NULL,
                             &ndev);
    if (rc != A2F_OK) {
        return rc;
    }

    if (ndev >= A2F_DEVICES_MAX) {
        return A2F_ERR_TOOBIG;
    }

    rc = a2f_store_dev_encode(st, user, len, d, vbuf, sizeof(vbuf), &n);
    if (rc != A2F_OK) {
        return rc;
    }

    key.mv_data = kbuf;
    key.mv_size = a2f_store_cred_key(user, len, A2F_CRED_TOTP, d->name, dlen,
                                     kbuf);
    val.mv_data = vbuf;
    val.mv_size = n;

    mrc = mdb_put(txn, st->creds, &key, &val, MDB_NOOVERWRITE);

    return a2f_store_mdb_rc(mrc);
}


/* in txn: A2F_OK when the user has no device of that name */

static int
a2f_store_dev_free(a2f_store_t *st, MDB_txn *txn, const char *user,
    size_t len, const char *dev, size_t devlen)
{
    int      mrc;
    uint8_t  kbuf[A2F_CRED_KEY_MAX];
    MDB_val  key, val;

    key.mv_data = kbuf;
    key.mv_size = a2f_store_cred_key(user, len, A2F_CRED_TOTP, dev, devlen,
                                     kbuf);

    mrc = mdb_get(txn, st->creds, &key, &val);

    if (mrc == MDB_SUCCESS) {
        return A2F_ERR_EXISTS;
    }

    return mrc == MDB_NOTFOUND ? A2F_OK : a2f_store_mdb_rc(mrc);
}


static size_t
a2f_store_fail_key(char kind, const char *s, size_t len, uint8_t *buf)
{
    buf[0] = (uint8_t) kind;
    memcpy(buf + 1, s, len);

    return 1 + len;
}


/* a missing bucket reads as all zero */

static int
a2f_store_fail_get(a2f_store_t *st, MDB_txn *txn, const uint8_t *key,
    size_t klen, a2f_store_fail_t *f)
{
    int             rc;
    MDB_val         k, v;
    a2f_store_rd_t  r;

    f->count = 0;
    f->first = 0;
    f->locked_until = 0;

    k.mv_data = (void *) key;
    k.mv_size = klen;

    rc = mdb_get(txn, st->fails, &k, &v);

    if (rc == MDB_NOTFOUND) {
        return A2F_OK;
    }

    if (rc != MDB_SUCCESS) {
        return a2f_store_mdb_rc(rc);
    }

    if (a2f_store_rd_open(&r, &v, A2F_REC_FAIL_V1) != A2F_OK) {
        return A2F_ERR_STORAGE;
    }

    f->count = a2f_store_rd_u32(&r);
    f->first = (int64_t) a2f_store_rd_u64(&r);
    f->locked_until = (int64_t) a2f_store_rd_u64(&r);

    if (r.bad || r.left != 0) {
        return A2F_ERR_STORAGE;
    }

    return A2F_OK;
}


/* count one failure; *locked is set when this one locks the bucket */

static int
a2f_store_fail_count(a2f_store_t *st, MDB_txn *txn, const uint8_t *key,
    size_t klen, unsigned limit, int64_t period, int64_t now, int *locked)
{
    int               rc;
    uint8_t           buf[A2F_REC_FAIL_LEN];
    MDB_val           k, v;
    a2f_store_fail_t  f;

    *locked = 0;

    rc = a2f_store_fail_get(st, txn, key, klen, &f);
    if (rc != A2F_OK) {
        return rc;
    }

    if (f.count == 0 || now - f.first >= period || now < f.first) {
        f.count = 1;
        f.first = now;

    } else if (f.count < UINT32_MAX) {
        f.count++;
    }

    if (limit && f.count >= limit && f.locked_until <= now) {
        f.locked_until = now + period;
        *locked = 1;
    }

    buf[0] = A2F_REC_FAIL_V1;
    a2f_store_put32(buf + 1, f.count);
    a2f_store_put64(buf + 5, (uint64_t) f.first);
    a2f_store_put64(buf + 13, (uint64_t) f.locked_until);

    k.mv_data = (void *) key;
    k.mv_size = klen;
    v.mv_data = buf;
    v.mv_size = sizeof(buf);

    rc = mdb_put(txn, st->fails, &k, &v, 0);

    return a2f_store_mdb_rc(rc);
}


static int
a2f_store_fail_locked(a2f_store_t *st, MDB_txn *txn, char kind,
    const char *s, size_t len, int64_t now)
{
    int               rc;
    size_t            klen;
    uint8_t           key[A2F_FAIL_KEY_MAX];
    a2f_store_fail_t  f;

    if (s == NULL || len == 0 || len > A2F_FAIL_KEY_MAX - 1) {
        return A2F_OK;
    }

    klen = a2f_store_fail_key(kind, s, len, key);

    rc = a2f_store_fail_get(st, txn, key, klen, &f);
    if (rc != A2F_OK) {
        return rc;
    }

    return f.locked_until > now ? A2F_ERR_LOCKED : A2F_OK;
}


static int
a2f_store_fail_del(a2f_store_t *st, MDB_txn *txn, char kind, const char *s,
    size_t len)
{
    int      rc;
    size_t   klen;
    uint8_t  key[A2F_FAIL_KEY_MAX];
    MDB_val  k;

    klen = a2f_store_fail_key(kind, s, len, key);

    k.mv_data = key;
    k.mv_size = klen;

    rc = mdb_del(txn, st->fails, &k, NULL);

    if (rc == MDB_NOTFOUND) {
        return A2F_OK;
    }

    return a2f_store_mdb_rc(rc);
}


/* count a failed login or code against the user and the address */

static int
a2f_store_count_failure(a2f_store_t *st, MDB_txn *txn,
    const a2f_lockout_t *lo, const char *user, size_t len, int user_exists,
    const char *addr, int64_t now)
{
    int      rc, locked;
    size_t   klen;
    uint8_t  key[A2F_FAIL_KEY_MAX];

    if (lo == NULL) {
        return A2F_OK;
    }

    if (user_exists && lo->max_fails) {
        klen = a2f_store_fail_key('u', user, len, key);

        rc = a2f_store_fail_count(st, txn, key, klen, lo->max_fails,
                                  lo->period, now, &locked);
        if (rc != A2F_OK) {
            return rc;
        }

        if (locked) {
            rc = a2f_store_audit_put(st, txn, now, "locked", user, len, addr,
                                     "bucket=user");
            if (rc != A2F_OK) {
                return rc;
            }
        }
    }

    if (addr != NULL && addr[0] != '\0' && lo->max_fails_addr) {
        klen = a2f_store_fail_key('a', addr, strlen(addr), key);

        rc = a2f_store_fail_count(st, txn, key, klen, lo->max_fails_addr,
                                  lo->period, now, &locked);
        if (rc != A2F_OK) {
            return rc;
        }

        if (locked) {
            rc = a2f_store_audit_put(st, txn, now, "locked", user, len, addr,
                                     "bucket=addr");
            if (rc != A2F_OK) {
                return rc;
            }
        }
    }

    return A2F_OK;
}


/*
 * In txn, before a second factor is looked at: A2F_ERR_LOCKED when the
 * user's or addr's bucket is locked, A2F_ERR_NOTFOUND when there is no
 * such user, A2F_ERR_DISABLED when the user is disabled, else A2F_OK.
 */

static int
a2f_store_factor_check(a2f_store_t *st, MDB_txn *txn,
    const a2f_lockout_t *lo, const char *user, size_t len, const char *addr,
    int64_t now)
{
    int         rc;
    uint32_t    flags;
    a2f_user_t  u;

    if (lo != NULL && lo->max_fails && a2f_store_name_ok(user, len)) {
        rc = a2f_store_fail_locked(st, txn, 'u', user, len, now);
        if (rc != A2F_OK) {
            return rc;
        }
    }

    if (lo != NULL && lo->max_fails_addr && addr != NULL) {
        rc = a2f_store_fail_locked(st, txn, 'a', addr, strlen(addr), now);
        if (rc != A2F_OK) {
            return rc;
        }
    }

    rc = a2f_store_user_load(st, txn, user, len, &u);
    flags = (rc == A2F_OK) ? u.flags : 0;
    a2f_store_wipe(&u, sizeof(u));

    if (rc != A2F_OK) {
        return rc;
    }

    return (flags & A2F_USER_DISABLED) ? A2F_ERR_DISABLED : A2F_OK;
}


/* the key of a user's recovery codes: user "\0" 'r' */

static size_t
a2f_store_recovery_key(const char *user, size_t len, uint8_t *buf)
{
    memcpy(buf, user, len);
    buf[len] = '\0';
    buf[len + 1] = A2F_CRED_RECOVERY;

    return len + 2;
}


/* the recovery code MAC key: a2f_derive(data key, "a2f-recovery-v1") */

static int
a2f_store_recovery_mac_key(a2f_store_t *st, uint8_t out[32])
{
    int        rc;
    a2f_key_t  k;

    memcpy(k.key, st->dek, A2F_DEK_LEN);
    k.len = A2F_DEK_LEN;
    k.kid[0] = '\0';

    rc = a2f_derive(&k, A2F_RECOVERY_LABEL, out);

    a2f_store_wipe(&k, sizeof(k));

    return rc;
}


/* HMAC-SHA256(mkey, user "\0" code), code A2F_RECOVERY_CHARS bytes */

static int
a2f_store_recovery_hash(const uint8_t mkey[32], const char *user,
    size_t len, const char *code, uint8_t out[A2F_RECOVERY_HASH])
{
    int      rc;
    size_t   n;
    uint8_t  msg[A2F_RECOVERY_MSG_MAX];

    memcpy(msg, user, len);
    msg[len] = '\0';
    memcpy(msg + len + 1, code, A2F_RECOVERY_CHARS);

    rc = A2F_OK;

    if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, mkey, 32, msg,
                  len + 1 + A2F_RECOVERY_CHARS, out, A2F_RECOVERY_HASH, &n)
        == NULL || n != A2F_RECOVERY_HASH)
    {
        rc = A2F_ERR_CRYPTO;
    }

    a2f_store_wipe(msg, sizeof(msg));

    return rc;
}


/*
 * A code as typed to its A2F_RECOVERY_CHARS alphabet characters: lower
 * case, dashes and spaces dropped, 'o' as '0', 'i' and 'l' as '1'.
 */

static int
a2f_store_recovery_norm(const char *code, size_t codelen,
    char out[A2F_RECOVERY_CHARS])
{
    char    c;
    size_t  i, n;

    if (code == NULL || codelen == 0 || codelen > A2F_RECOVERY_INPUT) {
        return A2F_ERR_INVALID;
    }

    n = 0;

    for (i = 0; i < codelen; i++) {
        c = code[i];

        if (c == '-' || c == ' ') {
            continue;
        }

        if (c >= 'A' && c <= 'Z') {
            c = (char) (c - 'A' + 'a');
        }

        if (c == 'o') {
            c = '0';

        } else if (c == 'i' || c == 'l') {
            c = '1';
        }

        if (c == '\0' || strchr(A2F_RECOVERY_ALPHABET, c) == NULL
            || n == A2F_RECOVERY_CHARS)
        {
            a2f_store_wipe(out, A2F_RECOVERY_CHARS);
            return A2F_ERR_INVALID;
        }

        out[n++] = c;
    }

    if (n != A2F_RECOVERY_CHARS) {
        a2f_store_wipe(out, A2F_RECOVERY_CHARS);
        return A2F_ERR_INVALID;
    }

    return A2F_OK;
}


/* the user's recovery codes; A2F_ERR_NOTFOUND when there are none */

static int
a2f_store_recovery_get(a2f_store_t *st, MDB_txn *txn, const char *user,
    size_t len, a2f_store_recovery_t *rs)
{
    int              rc;
    uint8_t          kbuf[A2F_RECOVERY_KEY_MAX];
    unsigned         i;
    MDB_val          key, val;
    const uint8_t   *h;
    a2f_store_rd_t   r;

    key.mv_data = kbuf;
    key.mv_size = a2f_store_recovery_key(user, len, kbuf);

    rc = mdb_get(txn, st->creds, &key, &val);
    if (rc != MDB_SUCCESS) {
        return a2f_store_mdb_rc(rc);
    }

    if (a2f_store_rd_open(&r, &val, A2F_REC_RECOVERY_V1) != A2F_OK) {
        return A2F_ERR_STORAGE;
    }

    rs->count = a2f_store_rd_u8(&r);
    rs->used = a2f_store_rd_u16(&r);
    rs->created = (int64_t) a2f_store_rd_u64(&r);

    if (r.bad || rs->count == 0 || rs->count > A2F_RECOVERY_CODES
        || (rs->used >> rs->count) != 0)
    {
        return A2F_ERR_STORAGE;
    }

    for (i = 0; i < rs->count; i++) {
        h = a2f_store_rd_bytes(&r, A2F_RECOVERY_HASH);
        if (h == NULL) {
            return A2F_ERR_STORAGE;
        }

        memcpy(rs->hash[i], h, A2F_RECOVERY_HASH);
    }

    if (r.left != 0) {
        return A2F_ERR_STORAGE;
    }

    return A2F_OK;
}


static int
a2f_store_recovery_put(a2f_store_t *st, MDB_txn *txn, const char *user,
    size_t len, const a2f_store_recovery_t *rs)
{
    int       rc;
    uint8_t   kbuf[A2F_RECOVERY_KEY_MAX], vbuf[A2F_REC_RECOVERY_MAX];
    unsigned  i;
    MDB_val   key, val;

    vbuf[0] = A2F_REC_RECOVERY_V1;
    vbuf[1] = (uint8_t) rs->count;
    a2f_store_put16(vbuf + 2, (uint16_t) rs->used);
    a2f_store_put64(vbuf + 4, (uint64_t) rs->created);

    for (i = 0; i < rs->count; i++) {
        memcpy(vbuf + A2F_REC_RECOVERY_FIXED + i * A2F_RECOVERY_HASH,
               rs->hash[i], A2F_RECOVERY_HASH);
    }

    key.mv_data = kbuf;
    key.mv_size = a2f_store_recovery_key(user, len, kbuf);
    val.mv_data = vbuf;
    val.mv_size = A2F_REC_RECOVERY_FIXED + rs->count * A2F_RECOVERY_HASH;

    rc = mdb_put(txn, st->creds, &key, &val, 0);

    return a2f_store_mdb_rc(rc);
}


static unsigned
a2f_store_recovery_left(const a2f_store_recovery_t *rs)
{
    unsigned  i, n;

    n = 0;

    for (i = 0; i < rs->count; i++) {
        if (!(rs->used & (1u << i))) {
            n++;
        }
    }

    return n;
}


/* fmt, appid: printable ASCII without spaces */

static int
a2f_store_seckey_text_ok(const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (s[i] < 0x21 || s[i] > 0x7e) {
            return 0;
        }
    }

    return 1;
}


static int
a2f_store_seckey_id_ok(const uint8_t *id, size_t idlen)
{
    return id != NULL && idlen > 0 && idlen <= A2F_SECKEY_ID_MAX;
}


/* the fields of a new key but its name (a2f_store_new_name() checks it) */

static int
a2f_store_seckey_valid(const a2f_seckey_t *k)
{
    size_t  flen, alen;

    flen = strnlen(k->fmt, sizeof(k->fmt));
    alen = strnlen(k->appid, sizeof(k->appid));

    return a2f_store_seckey_id_ok(k->cred_id, k->cred_id_len)
           && k->pubkey_len > 0 && k->pubkey_len <= A2F_SECKEY_PUB_MAX
           && flen > 0 && flen < sizeof(k->fmt)
           && a2f_store_seckey_text_ok(k->fmt, flen)
           && alen < sizeof(k->appid)
           && a2f_store_seckey_text_ok(k->appid, alen)
           && (k->flags & ~(uint32_t) A2F_SECKEY_FLAGS) == 0
           && (k->transports & ~(unsigned) A2F_SECKEY_TRANSPORTS) == 0;
}


/* a security key record (k passed a2f_store_seckey_valid()) */

static size_t
a2f_store_seckey_encode(const a2f_seckey_t *k, uint8_t *buf, size_t size)
{
    size_t    n, flen, alen;
    uint8_t  *p;

    flen = strlen(k->fmt);
    alen = strlen(k->appid);

    n = A2F_REC_SECKEY_FIXED + 1 + flen + 2 + alen + 2 + k->cred_id_len
        + 2 + k->pubkey_len;

    if (n > size) {
        return 0;
    }

    buf[0] = A2F_REC_SECKEY_V2;
    a2f_store_put32(buf + 1, (uint32_t) k->alg);
    a2f_store_put32(buf + 5, k->sign_count);
    a2f_store_put32(buf + 9, k->flags);
    a2f_store_put64(buf + 13, (uint64_t) k->created);
    a2f_store_put64(buf + 21, (uint64_t) k->last_used);
    a2f_store_put32(buf + 29, (uint32_t) k->transports);
    memcpy(buf + 33, k->aaguid, A2F_SECKEY_AAGUID);

    p = buf + A2F_REC_SECKEY_FIXED;

    p[0] = (uint8_t) flen;
    memcpy(p + 1, k->fmt, flen);
    p += 1 + flen;

    a2f_store_put16(p, (uint16_t) alen);
    memcpy(p + 2, k->appid, alen);
    p += 2 + alen;

    a2f_store_put16(p, (uint16_t) k->cred_id_len);
    memcpy(p + 2, k->cred_id, k->cred_id_len);
    p += 2 + k->cred_id_len;

    a2f_store_put16(p, (uint16_t) k->pubkey_len);
    memcpy(p + 2, k->pubkey, k->pubkey_len);

    return n;
}


/* decode a key record found under key (which starts with the prefix) */

static int
a2f_store_seckey_decode(size_t len, const MDB_val *key, const MDB_val *val,
    a2f_seckey_t *k)
{
    int              rc;
    size_t           nlen, flen, alen, idlen, publen;
    uint32_t         transports;
    const char      *name, *fmt, *appid;
    const uint8_t   *aaguid, *id, *pub;
    a2f_store_rd_t   r;

    rc = a2f_store_cred_open(len, key, val, A2F_REC_SECKEY_V2, &name, &nlen,
                             &r);
    if (rc != A2F_OK) {
        return rc;
    }

    k->alg = a2f_store_int32(a2f_store_rd_u32(&r));
    k->sign_count = a2f_store_rd_u32(&r);
    k->flags = a2f_store_rd_u32(&r);
    k->created = (int64_t) a2f_store_rd_u64(&r);
    k->last_used = (int64_t) a2f_store_rd_u64(&r);
    transports = a2f_store_rd_u32(&r);
    aaguid = a2f_store_rd_bytes(&r, A2F_SECKEY_AAGUID);
    flen = a2f_store_rd_u8(&r);
    fmt = (const char *) a2f_store_rd_bytes(&r, flen);
    alen = a2f_store_rd_u16(&r);
    appid = (const char *) a2f_store_rd_bytes(&r, alen);
    idlen = a2f_store_rd_u16(&r);
    id = a2f_store_rd_bytes(&r, idlen);
    publen = a2f_store_rd_u16(&r);
    pub = a2f_store_rd_bytes(&r, publen);

    if (r.bad || r.left != 0
        || (k->flags & ~(uint32_t) A2F_SECKEY_FLAGS) != 0
        || (transports & ~(uint32_t) A2F_SECKEY_TRANSPORTS) != 0
        || flen == 0 || flen > A2F_SECKEY_FMT_MAX
        || !a2f_store_seckey_text_ok(fmt, flen)
        || alen > A2F_SECKEY_APPID_MAX
        || !a2f_store_seckey_text_ok(appid, alen)
        || idlen == 0 || idlen > A2F_SECKEY_ID_MAX
        || publen == 0 || publen > A2F_SECKEY_PUB_MAX)
    {
        return A2F_ERR_STORAGE;
    }

    memcpy(k->name, name, nlen);
    k->name[nlen] = '\0';
    k->transports = (unsigned) transports;
    memcpy(k->aaguid, aaguid, A2F_SECKEY_AAGUID);
    memcpy(k->fmt, fmt, flen);
    k->fmt[flen] = '\0';
    memcpy(k->appid, appid, alen);
    k->appid[alen] = '\0';
    memcpy(k->cred_id, id, idlen);
    k->cred_id_len = idlen;
    memcpy(k->pubkey, pub, publen);
    k->pubkey_len = publen;

    return A2F_OK;
}


/*
 * In txn: write key k (its name checked) of user; flags MDB_NOOVERWRITE
 * for a new key (A2F_ERR_EXISTS when the name is taken), 0 to update.
 */

static int
a2f_store_seckey_put(a2f_store_t *st, MDB_txn *txn, const char *user,
    size_t len, const a2f_seckey_t *k, unsigned flags)
{
    int      mrc;
    size_t   n;
    uint8_t  kbuf[A2F_CRED_KEY_MAX], vbuf[A2F_REC_SECKEY_MAX];
    MDB_val  key, val;

    n = a2f_store_seckey_encode(k, vbuf, sizeof(vbuf));
    if (n == 0) {
        return A2F_ERR_INVALID;
    }

    key.mv_data = kbuf;
    key.mv_size = a2f_store_cred_key(user, len, A2F_CRED_SECKEY, k->name,
                                     strlen(k->name), kbuf);
    val.mv_data = vbuf;
    val.mv_size = n;

    mrc = mdb_put(txn, st->creds, &key, &val, flags);

    return a2f_store_mdb_rc(mrc);
}


/* a2f_store_cred_each(): decode key i into the list */

static int
a2f_store_seckey_take(const MDB_val *key, const MDB_val *val, unsigned i,
    void *arg)
{
    a2f_store_keys_t  *ks = arg;

    if (i >= ks->max) {
        return A2F_STORE_STOP;
    }

    return a2f_store_seckey_decode(ks->len, key, val, &ks->keys[i]);
}


/* a2f_store_cred_each(): decode a key, note whether it has the id */

static int
a2f_store_seckey_match(const MDB_val *key, const MDB_val *val, unsigned i,
    void *arg)
{
    int                rc;
    a2f_seckey_t       k;
    a2f_store_scan_t  *sc = arg;

    rc = a2f_store_seckey_decode(sc->len, key, val, &k);
    if (rc != A2F_OK) {
        return rc;
    }

    if (k.cred_id_len == sc->idlen
        && memcmp(k.cred_id, sc->id, sc->idlen) == 0)
    {
        sc->dup = 1;

        if (sc->k != NULL) {
            *sc->k = k;
        }
    }

    return A2F_OK;
}


/*
 * In txn: the number of the user's keys (*n), and whether one of them
 * has the credential id id (*dup); that key goes into k (may be NULL).
 * Every key is decoded: one that does not parse is A2F_ERR_STORAGE.
 */

static int
a2f_store_seckey_scan(a2f_store_t *st, MDB_txn *txn, const char *user,
    size_t len, const uint8_t *id, size_t idlen, unsigned *n, int *dup,
    a2f_seckey_t *k)
{
    int               rc;
    a2f_store_scan_t  sc;

    sc.len = len;
    sc.id = id;
    sc.idlen = idlen;
    sc.dup = 0;
    sc.k = k;

    rc = a2f_store_cred_each(st, txn, user, len, A2F_CRED_SECKEY,
                             a2f_store_seckey_match, &sc, n);

    *dup = sc.dup;

    return rc;
}


static int
a2f_store_challenge_purpose_ok(int purpose)
{
    return purpose == A2F_CHALLENGE_REGISTER
           || purpose == A2F_CHALLENGE_ASSERT
           || purpose == A2F_CHALLENGE_U2F_SIGN
           || purpose == A2F_CHALLENGE_U2F_REGISTER;
}


/* the key of a user's challenge: user "\0" 'c' purpose */

static size_t
a2f_store_challenge_key(const char *user, size_t len, int purpose,
    uint8_t *buf)
{
    char  p;

    p = (char) purpose;

    return a2f_store_cred_key(user, len, A2F_CRED_CHALLENGE, &p, 1, buf);
}


/* A2F_LINK_TOKEN_LEN base64url characters */

static int
a2f_store_link_token_ok(const char *token, size_t toklen)
{
    char    c;
    size_t  i;

    if (token == NULL || toklen != A2F_LINK_TOKEN_LEN) {
        return 0;
    }

    for (i = 0; i < toklen; i++) {
        c = token[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9') || c == '-' || c == '_'))
        {
            return 0;
        }
    }

    return 1;
}


/* SHA-256 of the token text */

static int
a2f_store_link_hash(const char *token, size_t toklen,
    uint8_t out[A2F_LINK_HASH])
{
    if (SHA256((const unsigned char *) token, toklen, out) == NULL) {
        return A2F_ERR_CRYPTO;
    }

    return A2F_OK;
}


/* the meta key of a token's index entry: "enroll." SHA-256 */

static size_t
a2f_store_link_index(const uint8_t hash[A2F_LINK_HASH], uint8_t *buf)
{
    memcpy(buf, A2F_LINK_PREFIX, sizeof(A2F_LINK_PREFIX) - 1);
    memcpy(buf + sizeof(A2F_LINK_PREFIX) - 1, hash, A2F_LINK_HASH);

    return A2F_LINK_INDEX_LEN;
}


/* the user's link; A2F_ERR_NOTFOUND when there is none */

static int
a2f_store_link_read(a2f_store_t *st, MDB_txn *txn, const char *user,
    size_t len, a2f_store_link_t *lk)
{
    int              mrc;
    uint8_t          kbuf[A2F_CRED_KEY_MAX];
    MDB_val          key, val;
    const uint8_t   *h;
    a2f_store_rd_t   r;

    key.mv_data = kbuf;
    key.mv_size = a2f_store_cred_key(user, len, A2F_CRED_LINK, NULL, 0, kbuf);

    mrc = mdb_get(txn, st->creds, &key, &val);
    if (mrc != MDB_SUCCESS) {
        return a2f_store_mdb_rc(mrc);
    }

    if (a2f_store_rd_open(&r, &val, A2F_REC_LINK_V1) != A2F_OK) {
        return A2F_ERR_STORAGE;
    }

    h = a2f_store_rd_bytes(&r, A2F_LINK_HASH);
    lk->created = (int64_t) a2f_store_rd_u64(&r);
    lk->expires = (int64_t) a2f_store_rd_u64(&r);

    if (r.bad || r.left != 0) {
        return A2F_ERR_STORAGE;
    }

    memcpy(lk->hash, h, A2F_LINK_HASH);

    return A2F_OK;
}


/* in txn: write the user's link and its index entry */

static int
a2f_store_link_write(a2f_store_t *st, MDB_txn *txn, const char *user,
    size_t len, const a2f_store_link_t *lk)
{
    int      mrc;
    uint8_t  kbuf[A2F_CRED_KEY_MAX], vbuf[A2F_REC_LINK_LEN];
    uint8_t  ibuf[A2F_LINK_INDEX_LEN];
    MDB_val  key, val;

    vbuf[0] = A2F_REC_LINK_V1;
    memcpy(vbuf + 1, lk->hash, A2F_LINK_HASH);
    a2f_store_put64(vbuf + 1 + A2F_LINK_HASH, (uint64_t) lk->created);
    a2f_store_put64(vbuf + 9 + A2F_LINK_HASH, (uint64_t) lk->expires);

    key.mv_data = kbuf;
    key.mv_size = a2f_store_cred_key(user, len, A2F_CRED_LINK, NULL, 0, kbuf);
    val.mv_data = vbuf;
    val.mv_size = sizeof(vbuf);

    mrc = mdb_put(txn, st->creds, &key, &val, 0);
    if (mrc != MDB_SUCCESS) {
        return a2f_store_mdb_rc(mrc);
    }

    key.mv_data = ibuf;
    key.mv_size = a2f_store_link_index(lk->hash, ibuf);
    val.mv_data = (void *) user;
    val.mv_size = len;

    mrc = mdb_put(txn, st->meta, &key, &val, MDB_NOOVERWRITE);

    return a2f_store_mdb_rc(mrc);
}


/* in txn: delete the user's link lk and its index entry */

static int
a2f_store_link_drop(a2f_store_t *st, MDB_txn *txn, const char *user,
    size_t len, const a2f_store_link_t *lk)
{
    int      mrc;
    uint8_t  kbuf[A2F_CRED_KEY_MAX], ibuf[A2F_LINK_INDEX_LEN];
    MDB_val  key;

    key.mv_data = ibuf;
    key.mv_size = a2f_store_link_index(lk->hash, ibuf);

    mrc = mdb_del(txn, st->meta, &key, NULL);

    if (mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND) {
        return a2f_store_mdb_rc(mrc);
    }

    key.mv_data = kbuf;
    key.mv_size = a2f_store_cred_key(user, len, A2F_CRED_LINK, NULL, 0, kbuf);

    mrc = mdb_del(txn, st->creds, &key, NULL);

    if (mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND) {
        return a2f_store_mdb_rc(mrc);
    }

    return A2F_OK;
}


/* in txn: delete the user's link and its index entry, if there is one */

static int
a2f_store_link_clear(a2f_store_t *st, MDB_txn *txn, const char *user,
    size_t len)
{
    int               rc;
    a2f_store_link_t  lk;

    rc = a2f_store_link_read(st, txn, user, len, &lk);

    if (rc == A2F_OK) {
        return a2f_store_link_drop(st, txn, user, len, &lk);
    }

    return (rc == A2F_ERR_NOTFOUND) ? A2F_OK : rc;
}


/*
 * In txn: the user of a token (its form already checked) and the user's
 * link.  The index gives the user; the user's link must hold the same
 * hash (compared in constant time).  A2F_ERR_NOTFOUND: no index entry,
 * no link or a link of another token, no user.  A2F_ERR_EXPIRED,
 * A2F_ERR_DISABLED: as they say.  user and *ulen are set unless
 * A2F_ERR_NOTFOUND (or a failure reading the index).
 */

static int
a2f_store_link_find(a2f_store_t *st, MDB_txn *txn, const char *token,
    size_t toklen, int64_t now, char user[A2F_USER_MAX + 1], size_t *ulen,
    a2f_store_link_t *lk)
{
    int         rc, mrc;
    uint8_t     h[A2F_LINK_HASH], ibuf[A2F_LINK_INDEX_LEN];
    MDB_val     key, val;
    uint32_t    flags;
    a2f_user_t  u;

    rc = a2f_store_link_hash(token, toklen, h);
    if (rc != A2F_OK) {
        return rc;
    }

    key.mv_data = ibuf;
    key.mv_size = a2f_store_link_index(h, ibuf);

    mrc = mdb_get(txn, st->meta, &key, &val);
    if (mrc != MDB_SUCCESS) {
        return a2f_store_mdb_rc(mrc);
    }

    if (!a2f_store_name_ok(val.mv_data, val.mv_size)) {
        return A2F_ERR_STORAGE;
    }

    memcpy(user, val.mv_data, val.mv_size);
    user[val.mv_size] = '\0';
    *ulen = val.mv_size;

    rc = a2f_store_link_read(st, txn, user, *ulen, lk);
    if (rc != A2F_OK) {
        return rc;
    }

    if (CRYPTO_memcmp(lk->hash, h, A2F_LINK_HASH) != 0) {
        return A2F_ERR_NOTFOUND;
    }

    rc = a2f_store_user_load(st, txn, user, *ulen, &u);
    flags = (rc == A2F_OK) ? u.flags : 0;
    a2f_store_wipe(&u, sizeof(u));

    if (rc != A2F_OK) {
        return rc;
    }

    if (now >= lk->expires) {
        return A2F_ERR_EXPIRED;
    }

    if (flags & A2F_USER_DISABLED) {
        return A2F_ERR_DISABLED;
    }

    return A2F_OK;
}


/* append n bytes of s, control bytes (and in fields spaces) as '?' */

static size_t
a2f_store_cat(char *buf, size_t size, size_t pos, const char *s, size_t n,
    int field)
{
    size_t         i;
    unsigned char  c;

    for (i = 0; i < n && pos + 1 < size; i++) {
        c = (unsigned char) s[i];

        if (c < 0x20 || c == 0x7f || (field && c == ' ')) {
            c = '?';
        }

        buf[pos++] = (char) c;
    }

    buf[pos] = '\0';

    return pos;
}


static int
a2f_store_audit_put(a2f_store_t *st, MDB_txn *txn, int64_t now,
    const char *event, const char *user, size_t len, const char *addr,
    const char *detail)
{
    int             rc;
    char            text[A2F_AUDIT_MAX];
    size_t          pos;
    uint8_t         kbuf[8];
    uint64_t        usec, base, last;
    unsigned        i;
    MDB_val         key, val;
    MDB_cursor     *cur;
    const uint8_t  *p;

    pos = 0;
    text[0] = '\0';

    pos = a2f_store_cat(text, sizeof(text), pos, event, strlen(event), 1);
    pos = a2f_store_cat(text, sizeof(text), pos, " user=", 6, 0);

    if (user != NULL && len) {
        pos = a2f_store_cat(text, sizeof(text), pos, user, len, 1);
    } else {
        pos = a2f_store_cat(text, sizeof(text), pos, "-", 1, 0);
    }

    pos = a2f_store_cat(text, sizeof(text), pos, " addr=", 6, 0);

    if (addr != NULL && addr[0] != '\0') {
        pos = a2f_store_cat(text, sizeof(text), pos, addr, strlen(addr), 1);
    } else {
        pos = a2f_store_cat(text, sizeof(text), pos, "-", 1, 0);
    }

    if (detail != NULL && detail[0] != '\0') {
        pos = a2f_store_cat(text, sizeof(text), pos, " ", 1, 0);
        pos = a2f_store_cat(text, sizeof(text), pos, detail, strlen(detail),
                            0);
    }

    /*
     * The key is now in microseconds; events within one second follow
     * the last one already stored in that second.
     */

    base = now > 0 ? (uint64_t) now * 1000000 : 0;

    rc = mdb_cursor_open(txn, st->audit, &cur);
    if (rc != MDB_SUCCESS) {
        return a2f_store_mdb_rc(rc);
    }

    usec = base + 1000000;

    for (i = 0; i < 8; i++) {
        kbuf[i] = (uint8_t) (usec >> (56 - 8 * i));
    }

    key.mv_data = kbuf;
    key.mv_size = 8;

    rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);

    if (rc == MDB_SUCCESS) {
        rc = mdb_cursor_get(cur, &key, &val, MDB_PREV);

    } else if (rc == MDB_NOTFOUND) {
        rc = mdb_cursor_get(cur, &key, &val, MDB_LAST);
    }

    usec = base;

    if (rc == MDB_SUCCESS && key.mv_size == 8) {
        p = key.mv_data;
        last = 0;

        for (i = 0; i < 8; i++) {
            last = (last << 8) | p[i];
        }

        if (last >= base && last < base + 1000000) {
            usec = last + 1;
        }

    } else if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
        mdb_cursor_close(cur);
        return a2f_store_mdb_rc(rc);
    }

    mdb_cursor_close(cur);

    val.mv_data = text;
    val.mv_size = pos;

    for ( ;; ) {
        for (i = 0; i < 8; i++) {
            kbuf[i] = (uint8_t) (usec >> (56 - 8 * i));
        }

        key.mv_data = kbuf;
        key.mv_size = 8;

        rc = mdb_put(txn, st->audit, &key, &val, MDB_NOOVERWRITE);

        if (rc != MDB_KEYEXIST) {
            break;
        }

        usec++;
    }

    if (rc == MDB_SUCCESS) {
        a2f_store_pending_add(st, text, pos);
    }

    return a2f_store_mdb_rc(rc);
}


/* -- open and close -------------------------------------------------------- */


static int
a2f_store_open_dbs(a2f_store_t *st, MDB_txn *txn, char *err, size_t errsz,
    const char *path)
{
    int           rc;
    unsigned      i, flags;
    MDB_dbi      *dbi[5];
    const char   *names[5] = { "users", "creds", "fails", "audit", "meta" };

    dbi[0] = &st->users;
    dbi[1] = &st->creds;
    dbi[2] = &st->fails;
    dbi[3] = &st->audit;
    dbi[4] = &st->meta;

    flags = (st->flags & A2F_STORE_RDONLY) ? 0 : MDB_CREATE;

    for (i = 0; i < 5; i++) {
        rc = mdb_dbi_open(txn, names[i], flags, dbi[i]);

        if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE) {
            a2f_store_errf(err, errsz, "%s: not an a2f database (no \"%s\")",
                           path, names[i]);
            return A2F_ERR_STORAGE;
        }

        if (rc != MDB_SUCCESS) {
            a2f_store_errf(err, errsz, "%s: mdb_dbi_open(\"%s\"): %s", path,
                           names[i], mdb_strerror(rc));
            return a2f_store_mdb_rc(rc) == A2F_ERR_FULL ? A2F_ERR_FULL
                                                        : A2F_ERR_STORAGE;
        }
    }

    return A2F_OK;
}


static int
a2f_store_seal_dek(a2f_store_t *st, MDB_txn *txn, const a2f_key_t *k)
{
    int      rc;
    char     name[sizeof(A2F_DEK_PREFIX) + A2F_KID_LEN];
    size_t   n;
    uint8_t  kek[32], sealed[A2F_DEK_SEALED_LEN];
    MDB_val  key, val;

    rc = a2f_derive(k, A2F_KEK_LABEL, kek);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_seal(kek, (const uint8_t *) A2F_DEK_AAD,
                  sizeof(A2F_DEK_AAD) - 1, st->dek, A2F_DEK_LEN,
                  sealed, sizeof(sealed), &n);

    a2f_store_wipe(kek, sizeof(kek));

    if (rc != A2F_OK) {
        return rc;
    }

    (void) snprintf(name, sizeof(name), "%s%s", A2F_DEK_PREFIX, k->kid);

    key.mv_data = name;
    key.mv_size = strlen(name);
    val.mv_data = sealed;
    val.mv_size = n;

    rc = mdb_put(txn, st->meta, &key, &val, 0);

    return a2f_store_mdb_rc(rc);
}


static int
a2f_store_open_dek(a2f_store_t *st, MDB_txn *txn, char *err, size_t errsz,
    const char *path)
{
    int             rc, found, have;
    char            name[sizeof(A2F_DEK_PREFIX) + A2F_KID_LEN];
    size_t          i, n;
    uint8_t         kek[32], vbuf[4];
    uint32_t        v;
    MDB_val         key, val;
    MDB_cursor     *cur;
    const uint8_t  *p;

    /* schema version */

    key.mv_data = "version";
    key.mv_size = sizeof("version") - 1;

    rc = mdb_get(txn, st->meta, &key, &val);

    if (rc == MDB_SUCCESS) {
        p = val.mv_data;

        if (val.mv_size != 4) {
            a2f_store_errf(err, errsz, "%s: bad schema version record", path);
            return A2F_ERR_STORAGE;
        }

        v = (uint32_t) p[0] | ((uint32_t) p[1] << 8)
            | ((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);

        if (v != A2F_STORE_VERSION) {
            a2f_store_errf(err, errsz,
                           "%s: schema version %u is not supported "
                           "(this build knows %u)",
                           path, (unsigned) v, A2F_STORE_VERSION);
            return A2F_ERR_STORAGE;
        }

    } else if (rc != MDB_NOTFOUND) {
        a2f_store_errf(err, errsz, "%s: %s", path, mdb_strerror(rc));
        return A2F_ERR_STORAGE;
    }

    /* the first ring key with a data key entry that opens wins */

    found = 0;

    for (i = 0; i < st->kr.n && !found; i++) {
        (void) snprintf(name, sizeof(name), "%s%s", A2F_DEK_PREFIX,
                        st->kr.keys[i].kid);

        key.mv_data = name;
        key.mv_size = strlen(name);

        rc = mdb_get(txn, st->meta, &key, &val);

        if (rc == MDB_NOTFOUND) {
            continue;
        }

        if (rc != MDB_SUCCESS) {
            a2f_store_errf(err, errsz, "%s: %s", path, mdb_strerror(rc));
            return A2F_ERR_STORAGE;
        }

        if (a2f_derive(&st->kr.keys[i], A2F_KEK_LABEL, kek) != A2F_OK) {
            a2f_store_errf(err, errsz, "%s: key derivation failed", path);
            return A2F_ERR_CRYPTO;
        }

        rc = a2f_open(kek, (const uint8_t *) A2F_DEK_AAD,
                      sizeof(A2F_DEK_AAD) - 1, val.mv_data, val.mv_size,
                      st->dek, sizeof(st->dek), &n);

        a2f_store_wipe(kek, sizeof(kek));

        if (rc == A2F_OK && n == A2F_DEK_LEN) {
            found = 1;
        }
    }

    if (!found) {

        /* is there any data key at all? */

        rc = mdb_cursor_open(txn, st->meta, &cur);
        if (rc != MDB_SUCCESS) {
            a2f_store_errf(err, errsz, "%s: %s", path, mdb_strerror(rc));
            return A2F_ERR_STORAGE;
        }

        key.mv_data = A2F_DEK_PREFIX;
        key.mv_size = sizeof(A2F_DEK_PREFIX) - 1;

        rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);

        have = (rc == MDB_SUCCESS
                && key.mv_size >= sizeof(A2F_DEK_PREFIX) - 1
                && memcmp(key.mv_data, A2F_DEK_PREFIX,
                          sizeof(A2F_DEK_PREFIX) - 1) == 0);

        mdb_cursor_close(cur);

        if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) {
            a2f_store_errf(err, errsz, "%s: %s", path, mdb_strerror(rc));
            return A2F_ERR_STORAGE;
        }

        if (have) {
            a2f_store_errf(err, errsz,
                           "%s: the key file does not match the database "
                           "(no key in it opens the data key)", path);
            return A2F_ERR_NOKEY;
        }

        if (st->flags & A2F_STORE_RDONLY) {
            a2f_store_errf(err, errsz,
                           "%s: not an a2f database (no data key)", path);
            return A2F_ERR_STORAGE;
        }

        /* a new file: a new data key and the schema version */

        if (a2f_random(st->dek, sizeof(st->dek)) != A2F_OK) {
            a2f_store_errf(err, errsz, "%s: no random bytes", path);
            return A2F_ERR_CRYPTO;
        }

        vbuf[0] = A2F_STORE_VERSION;
        vbuf[1] = 0;
        vbuf[2] = 0;
        vbuf[3] = 0;

        key.mv_data = "version";
        key.mv_size = sizeof("version") - 1;
        val.mv_data = vbuf;
        val.mv_size = sizeof(vbuf);

        rc = mdb_put(txn, st->meta, &key, &val, 0);
        if (rc != MDB_SUCCESS) {
            a2f_store_errf(err, errsz, "%s: %s", path, mdb_strerror(rc));
            return a2f_store_mdb_rc(rc) == A2F_ERR_FULL ? A2F_ERR_FULL
                                                        : A2F_ERR_STORAGE;
        }
    }

    if (st->flags & A2F_STORE_RDONLY) {
        return A2F_OK;
    }

    /* seal the data key under every ring key that lacks it */

    for (i = 0; i < st->kr.n; i++) {
        (void) snprintf(name, sizeof(name), "%s%s", A2F_DEK_PREFIX,
                        st->kr.keys[i].kid);

        key.mv_data = name;
        key.mv_size = strlen(name);

        rc = mdb_get(txn, st->meta, &key, &val);

        if (rc == MDB_SUCCESS) {
            continue;
        }

        if (rc != MDB_NOTFOUND) {
            a2f_store_errf(err, errsz, "%s: %s", path, mdb_strerror(rc));
            return A2F_ERR_STORAGE;
        }

        rc = a2f_store_seal_dek(st, txn, &st->kr.keys[i]);
        if (rc != A2F_OK) {
            a2f_store_errf(err, errsz, "%s: cannot store the data key: %s",
                           path, a2f_strerror(rc));
            return rc == A2F_ERR_FULL || rc == A2F_ERR_CRYPTO
                   ? rc : A2F_ERR_STORAGE;
        }
    }

    return A2F_OK;
}


int
a2f_store_open(const char *path, size_t mapsize, const a2f_keyring_t *kr,
    unsigned flags, a2f_store_t **stp, char *err, size_t errsz)
{
    int           rc, mrc, exists;
    unsigned      eflags;
    MDB_txn      *txn;
    a2f_store_t  *st;
    struct stat   sb;

    if (err && errsz) {
        err[0] = '\0';
    }

    if (path == NULL || path[0] == '\0') {
        a2f_store_errf(err, errsz, "empty database path");
        return A2F_ERR_INVALID;
    }

    if (kr == NULL || kr->n == 0 || kr->n > A2F_KEYS_MAX) {
        a2f_store_errf(err, errsz, "%s: no key to open the database with",
                       path);
        return A2F_ERR_INVALID;
    }

    if ((flags & A2F_STORE_CREATE) && (flags & A2F_STORE_RDONLY)) {
        a2f_store_errf(err, errsz, "%s: create and read-only at once", path);
        return A2F_ERR_INVALID;
    }

    exists = (stat(path, &sb) == 0);

    if (!exists) {
        if (errno != ENOENT || !(flags & A2F_STORE_CREATE)) {
            a2f_store_errf(err, errsz, "%s: %s", path, strerror(errno));
            return A2F_ERR_STORAGE;
        }

    } else if (!S_ISREG(sb.st_mode)) {
        a2f_store_errf(err, errsz, "%s: not a regular file", path);
        return A2F_ERR_STORAGE;
    }

    st = calloc(1, sizeof(a2f_store_t));
    if (st == NULL) {
        a2f_store_errf(err, errsz, "%s: out of memory", path);
        return A2F_ERR_NOMEM;
    }

    st->flags = flags;
    st->kr = *kr;

    mrc = mdb_env_create(&st->env);
    if (mrc != MDB_SUCCESS) {
        a2f_store_errf(err, errsz, "%s: mdb_env_create: %s", path,
                       mdb_strerror(mrc));
        st->env = NULL;
        rc = A2F_ERR_STORAGE;
        goto failed;
    }

    mrc = mdb_env_set_maxdbs(st->env, A2F_STORE_MAXDBS);

    if (mrc == MDB_SUCCESS && (mapsize || !exists)) {
        mrc = mdb_env_set_mapsize(st->env,
                                  mapsize ? mapsize
                                          : A2F_STORE_MAPSIZE_DEFAULT);
    }

    if (mrc != MDB_SUCCESS) {
        a2f_store_errf(err, errsz, "%s: %s", path, mdb_strerror(mrc));
        rc = A2F_ERR_STORAGE;
        goto failed;
    }

    eflags = MDB_NOSUBDIR | MDB_NOTLS;

    if (flags & A2F_STORE_RDONLY) {
        eflags |= MDB_RDONLY;
    }

    mrc = mdb_env_open(st->env, path, eflags, 0600);
    if (mrc != MDB_SUCCESS) {
        a2f_store_errf(err, errsz, "%s: %s", path, mdb_strerror(mrc));
        rc = A2F_ERR_STORAGE;
        goto failed;
    }

    mrc = mdb_txn_begin(st->env, NULL,
                        (flags & A2F_STORE_RDONLY) ? MDB_RDONLY : 0, &txn);
    if (mrc != MDB_SUCCESS) {
        a2f_store_errf(err, errsz, "%s: %s", path, mdb_strerror(mrc));
        rc = A2F_ERR_STORAGE;
        goto failed;
    }

    rc = a2f_store_open_dbs(st, txn, err, errsz, path);

    if (rc == A2F_OK) {
        rc = a2f_store_open_dek(st, txn, err, errsz, path);
    }

    if (rc != A2F_OK) {
        mdb_txn_abort(txn);
        goto failed;
    }

    mrc = mdb_txn_commit(txn);
    if (mrc != MDB_SUCCESS) {
        a2f_store_errf(err, errsz, "%s: %s", path, mdb_strerror(mrc));
        rc = (mrc == MDB_MAP_FULL) ? A2F_ERR_FULL : A2F_ERR_STORAGE;
        goto failed;
    }

    *stp = st;

    return A2F_OK;

failed:

    if (st->env) {
        mdb_env_close(st->env);
    }

    a2f_store_wipe(st, sizeof(a2f_store_t));
    free(st);

    return rc;
}


void
a2f_store_close(a2f_store_t *st)
{
    if (st == NULL) {
        return;
    }

    if (st->rtxn) {
        mdb_txn_abort(st->rtxn);
    }

    if (st->env) {
        mdb_env_close(st->env);
    }

    a2f_store_wipe(st, sizeof(a2f_store_t));
    free(st);
}


int
a2f_store_reader_check(a2f_store_t *st, int *dead)
{
    int  rc, n;

    n = 0;
    rc = mdb_reader_check(st->env, &n);

    if (dead) {
        *dead = n;
    }

    return rc == MDB_SUCCESS ? A2F_OK : A2F_ERR_STORAGE;
}


int
a2f_store_backup(a2f_store_t *st, const char *path)
{
    int  fd, rc;

    if (path == NULL || path[0] == '\0') {
        return A2F_ERR_INVALID;
    }

    /* the copy holds what the database holds: mode 0600, never over a file */

    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
              0600);

    if (fd == -1) {
        return errno == EEXIST ? A2F_ERR_EXISTS : A2F_ERR_STORAGE;
    }

    rc = mdb_env_copyfd2(st->env, fd, MDB_CP_COMPACT);

    if (rc == MDB_SUCCESS && fsync(fd) == -1) {
        rc = errno;
    }

    if (close(fd) == -1 && rc == MDB_SUCCESS) {
        rc = errno;
    }

    if (rc != MDB_SUCCESS) {
        (void) unlink(path);
        return A2F_ERR_STORAGE;
    }

    return A2F_OK;
}


/* -- key rotation ---------------------------------------------------------- */


/*
 * Does the "dek.<kid>" record of k open to the store's data key?
 * A2F_OK, A2F_ERR_NOTFOUND (no record), A2F_ERR_AUTH (it does not open,
 * or not to this data key), A2F_ERR_CRYPTO, A2F_ERR_NOMEM or
 * A2F_ERR_STORAGE.
 */

static int
a2f_store_dek_opens(a2f_store_t *st, MDB_txn *txn, const a2f_key_t *k)
{
    int      rc;
    char     name[sizeof(A2F_DEK_PREFIX) + A2F_KID_LEN];
    size_t   n;
    uint8_t  kek[32], dek[A2F_DEK_LEN];
    MDB_val  key, val;

    (void) snprintf(name, sizeof(name), "%s%s", A2F_DEK_PREFIX, k->kid);

    key.mv_data = name;
    key.mv_size = strlen(name);

    rc = mdb_get(txn, st->meta, &key, &val);
    if (rc != MDB_SUCCESS) {
        return rc == MDB_NOTFOUND ? A2F_ERR_NOTFOUND : A2F_ERR_STORAGE;
    }

    rc = a2f_derive(k, A2F_KEK_LABEL, kek);
    if (rc != A2F_OK) {
        return A2F_ERR_CRYPTO;
    }

    n = 0;

    rc = a2f_open(kek, (const uint8_t *) A2F_DEK_AAD,
                  sizeof(A2F_DEK_AAD) - 1, val.mv_data, val.mv_size,
                  dek, sizeof(dek), &n);

    a2f_store_wipe(kek, sizeof(kek));

    if (rc == A2F_OK
        && (n != A2F_DEK_LEN
            || CRYPTO_memcmp(dek, st->dek, A2F_DEK_LEN) != 0))
    {
        rc = A2F_ERR_AUTH;

    } else if (rc != A2F_OK && rc != A2F_ERR_CRYPTO && rc != A2F_ERR_NOMEM) {
        rc = A2F_ERR_AUTH;
    }

    a2f_store_wipe(dek, sizeof(dek));

    return rc;
}


int
a2f_store_dek_prune(a2f_store_t *st, unsigned *removed)
{
    int          rc, mrc, ok;
    size_t       i, plen, klen;
    uint8_t      kbuf[A2F_META_KEY_MAX];
    unsigned     n;
    MDB_val      key, val;
    MDB_txn     *txn;
    MDB_cursor  *cur;

    if (removed) {
        *removed = 0;
    }

    rc = a2f_store_begin(st, 0, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    /* never leave the file without a data key the ring opens */

    ok = 0;

    for (i = 0; i < st->kr.n && !ok; i++) {
        rc = a2f_store_dek_opens(st, txn, &st->kr.keys[i]);

        if (rc == A2F_OK) {
            ok = 1;

        } else if (rc != A2F_ERR_NOTFOUND && rc != A2F_ERR_AUTH) {
            goto failed;
        }
    }

    if (!ok) {
        rc = A2F_ERR_NOKEY;
        goto failed;
    }

    /* every "dek.<kid>" whose kid is not in the ring */

    mrc = mdb_cursor_open(txn, st->meta, &cur);
    if (mrc != MDB_SUCCESS) {
        rc = a2f_store_mdb_rc(mrc);
        goto failed;
    }

    plen = sizeof(A2F_DEK_PREFIX) - 1;
    n = 0;

    key.mv_data = A2F_DEK_PREFIX;
    key.mv_size = plen;

    mrc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);

    while (mrc == MDB_SUCCESS
           && key.mv_size >= plen
           && memcmp(key.mv_data, A2F_DEK_PREFIX, plen) == 0)
    {
        if (a2f_keyring_find(&st->kr, (const char *) key.mv_data + plen,
                             key.mv_size - plen) != NULL)
        {
            mrc = mdb_cursor_get(cur, &key, &val, MDB_NEXT);
            continue;
        }

        if (key.mv_size > sizeof(kbuf)) {
            mrc = MDB_BAD_VALSIZE;
            break;
        }

        /* the key goes with the record: seek past a copy of it */

        klen = key.mv_size;
        memcpy(kbuf, key.mv_data, klen);

        mrc = mdb_cursor_del(cur, 0);
        if (mrc != MDB_SUCCESS) {
            break;
        }

        n++;

        key.mv_data = kbuf;
        key.mv_size = klen;

        mrc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);
    }

    mdb_cursor_close(cur);

    if (mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND) {
        rc = a2f_store_mdb_rc(mrc);
        goto failed;
    }

    if (n == 0) {
        mdb_txn_abort(txn);
        return A2F_OK;
    }

    rc = a2f_store_commit(st, txn);

    if (rc == A2F_OK && removed) {
        *removed = n;
    }

    return rc;

failed:

    mdb_txn_abort(txn);

    return rc;
}


/* -- users ----------------------------------------------------------------- */


int
a2f_store_user_gen(a2f_store_t *st, const char *name, size_t len,
    uint32_t *gen, uint32_t *flags)
{
    int             rc;
    size_t          hlen;
    MDB_val         key, val;
    uint32_t        f, g;
    a2f_store_rd_t  r;

    if (!a2f_store_name_ok(name, len)) {
        return A2F_ERR_NOTFOUND;
    }

    if (st->rtxn == NULL) {
        rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &st->rtxn);
        if (rc != MDB_SUCCESS) {
            st->rtxn = NULL;
            return A2F_ERR_STORAGE;
        }

    } else {
        rc = mdb_txn_renew(st->rtxn);
        if (rc != MDB_SUCCESS) {
            mdb_txn_abort(st->rtxn);
            st->rtxn = NULL;
            return A2F_ERR_STORAGE;
        }
    }

    key.mv_data = (void *) name;
    key.mv_size = len;

    rc = mdb_get(st->rtxn, st->users, &key, &val);

    if (rc != MDB_SUCCESS) {
        mdb_txn_reset(st->rtxn);
        return rc == MDB_NOTFOUND ? A2F_ERR_NOTFOUND : A2F_ERR_STORAGE;
    }

    /* the fixed part of the record; a2f_store_user_decode() checks it all */

    rc = (a2f_store_rd_open(&r, &val, A2F_REC_USER_V1) == A2F_OK);
    f = a2f_store_rd_u32(&r);
    g = a2f_store_rd_u32(&r);
    (void) a2f_store_rd_bytes(&r, 8 + 8);
    hlen = a2f_store_rd_u16(&r);
    rc = rc && !r.bad && hlen > 0 && r.left == hlen;

    mdb_txn_reset(st->rtxn);

    if (!rc) {
        return A2F_ERR_STORAGE;
    }

    *gen = g;
    *flags = f;

    return A2F_OK;
}


int
a2f_store_user_get(a2f_store_t *st, const char *name, size_t len,
    a2f_user_t *u)
{
    int       rc;
    MDB_txn  *txn;

    rc = a2f_store_begin(st, MDB_RDONLY, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_store_user_load(st, txn, name, len, u);

    if (rc == A2F_OK) {
        rc = a2f_store_user_extra(st, txn, u);
    }

    mdb_txn_abort(txn);

    return rc;
}


int
a2f_store_user_add(a2f_store_t *st, const a2f_user_t *u, int64_t now)
{
    int         rc;
    size_t      n;
    uint8_t     buf[A2F_REC_USER_FIXED + A2F_PWHASH_MAX];
    MDB_val     key, val;
    MDB_txn    *txn;
    a2f_user_t  nu;

    if (u == NULL || u->name_len == 0 || u->name_len > A2F_USER_MAX
        || a2f_user_name_valid(u->name, u->name_len) != A2F_OK)
    {
        return A2F_ERR_INVALID;
    }

    nu = *u;

    if (nu.created == 0) {
        nu.created = now;
    }

    /*
     * A new user starts at a random generation, so that a user deleted
     * and created again under the same name never revives old cookies.
     */

    while (nu.gen == 0) {
        if (a2f_random((uint8_t *) &nu.gen, sizeof(nu.gen)) != A2F_OK) {
            a2f_store_wipe(&nu, sizeof(nu));
            return A2F_ERR_CRYPTO;
        }

        nu.gen &= 0x7fffffff;
    }

    n = a2f_store_user_encode(&nu, buf, sizeof(buf));
    a2f_store_wipe(&nu, sizeof(nu));

    if (n == 0) {
        return A2F_ERR_INVALID;
    }

    rc = a2f_store_begin(st, 0, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    key.mv_data = (void *) u->name;
    key.mv_size = u->name_len;
    val.mv_data = buf;
    val.mv_size = n;

    rc = mdb_put(txn, st->users, &key, &val, MDB_NOOVERWRITE);

    if (rc == MDB_SUCCESS) {
        /* a stale bucket of an earlier user of that name goes too */
        rc = a2f_store_fail_del(st, txn, 'u', u->name, u->name_len);

    } else {
        rc = a2f_store_mdb_rc(rc);
    }

    if (rc != A2F_OK) {
        mdb_txn_abort(txn);
        return rc;
    }

    return a2f_store_commit(st, txn);
}


int
a2f_store_user_del(a2f_store_t *st, const char *name, size_t len)
{
    int          rc, mrc;
    size_t       plen;
    uint8_t      prefix[A2F_CRED_KEY_MAX];
    MDB_val      key, val;
    MDB_txn     *txn;
    MDB_cursor  *cur;

    if (!a2f_store_name_ok(name, len)) {
        return A2F_ERR_NOTFOUND;
    }

    rc = a2f_store_begin(st, 0, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    key.mv_data = (void *) name;
    key.mv_size = len;

    mrc = mdb_del(txn, st->users, &key, NULL);
    if (mrc != MDB_SUCCESS) {
        rc = a2f_store_mdb_rc(mrc);
        goto failed;
    }

    /* the enrollment link's index entry in meta */

    rc = a2f_store_link_clear(st, txn, name, len);
    if (rc != A2F_OK) {
        goto failed;
    }

    /*
     * Every record of the user in creds, all under user "\0": devices,
     * security keys, recovery codes, the link, challenges, API token
     * records, the group.
     */

    memcpy(prefix, name, len);
    prefix[len] = '\0';
    plen = len + 1;

    mrc = mdb_cursor_open(txn, st->creds, &cur);
    if (mrc != MDB_SUCCESS) {
        rc = a2f_store_mdb_rc(mrc);
        goto failed;
    }

    /*
     * Seek again after every delete: after deleting the last record of
     * the database, MDB_GET_CURRENT does not answer MDB_NOTFOUND.
     */

    for ( ;; ) {
        key.mv_data = prefix;
        key.mv_size = plen;

        mrc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);

        if (mrc != MDB_SUCCESS
            || key.mv_size <= plen
            || memcmp(key.mv_data, prefix, plen) != 0)
        {
            break;
        }

        mrc = mdb_cursor_del(cur, 0);
        if (mrc != MDB_SUCCESS) {
            break;
        }
    }

    mdb_cursor_close(cur);

    if (mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND) {
        rc = a2f_store_mdb_rc(mrc);
        goto failed;
    }

    rc = a2f_store_fail_del(st, txn, 'u', name, len);
    if (rc != A2F_OK) {
        goto failed;
    }

    return a2f_store_commit(st, txn);

failed:

    mdb_txn_abort(txn);

    return rc;
}


/*
 * In txn: set a new password hash (pwhash; NULL: keep the old one) and
 * bump the generation, which ends the user's sessions.  *gen (may be
 * NULL) receives the new generation.
 */

static int
a2f_store_user_bump(a2f_store_t *st, MDB_txn *txn, const char *name,
    size_t len, const char *pwhash, uint32_t *gen)
{
    int         rc;
    size_t      hlen;
    a2f_user_t  u;

    hlen = 0;

    if (pwhash != NULL) {
        hlen = strnlen(pwhash, A2F_PWHASH_MAX);

        if (hlen == 0 || hlen >= A2F_PWHASH_MAX) {
            return A2F_ERR_INVALID;
        }
    }

    rc = a2f_store_user_load(st, txn, name, len, &u);

    if (rc == A2F_OK) {
        u.gen++;

        if (pwhash != NULL) {
            memcpy(u.pwhash, pwhash, hlen + 1);
        }

        rc = a2f_store_user_save(st, txn, &u);
    }

    if (rc == A2F_OK && gen != NULL) {
        *gen = u.gen;
    }

    a2f_store_wipe(&u, sizeof(u));

    return rc;
}


/*
 * In txn: the user's flags become (flags & ~clear) | set; *flags (may be
 * NULL) receives them.  The generation stays.
 */

static int
a2f_store_user_flags(a2f_store_t *st, MDB_txn *txn, const char *name,
    size_t len, uint32_t set, uint32_t clear, uint32_t *flags)
{
    int         rc;
    a2f_user_t  u;

    rc = a2f_store_user_load(st, txn, name, len, &u);

    if (rc == A2F_OK) {
        u.flags = (u.flags & ~clear) | set;
        rc = a2f_store_user_save(st, txn, &u);
    }

    if (rc == A2F_OK && flags != NULL) {
        *flags = u.flags;
    }

    a2f_store_wipe(&u, sizeof(u));

    return rc;
}


/*
 * One write transaction around a2f_store_user_bump() (flags == 0) or
 * a2f_store_user_flags(); *out (may be NULL) receives the new generation
 * or flags once committed.
 */

static int
a2f_store_user_change(a2f_store_t *st, const char *name, size_t len,
    const char *pwhash, int flags, uint32_t set, uint32_t clear,
    uint32_t *out)
{
    int       rc;
    MDB_txn  *txn;
    uint32_t  v;

    rc = a2f_store_begin(st, 0, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    v = 0;

    if (flags) {
        rc = a2f_store_user_flags(st, txn, name, len, set, clear, &v);

    } else {
        rc = a2f_store_user_bump(st, txn, name, len, pwhash, &v);
    }

    if (rc != A2F_OK) {
        mdb_txn_abort(txn);
        return rc;
    }

    rc = a2f_store_commit(st, txn);

    if (rc == A2F_OK && out != NULL) {
        *out = v;
    }

    return rc;
}


int
a2f_store_user_set_password(a2f_store_t *st, const char *name, size_t len,
    const char *pwhash)
{
    if (pwhash == NULL) {
        return A2F_ERR_INVALID;
    }

    return a2f_store_user_change(st, name, len, pwhash, 0, 0, 0, NULL);
}


int
a2f_store_user_revoke(a2f_store_t *st, const char *name, size_t len)
{
    return a2f_store_user_change(st, name, len, NULL, 0, 0, 0, NULL);
}


int
a2f_store_user_set_flags(a2f_store_t *st, const char *name, size_t len,
    uint32_t flags)
{
    if (flags & ~(uint32_t) (A2F_USER_ADMIN | A2F_USER_DISABLED)) {
        return A2F_ERR_INVALID;
    }

    /* clear every bit, set flags: replace */

    return a2f_store_user_change(st, name, len, NULL, 1, flags, UINT32_MAX,
                                 NULL);
}


int
a2f_store_user_update_flags(a2f_store_t *st, const char *name, size_t len,
    uint32_t set, uint32_t clear, uint32_t *flags)
{
    if ((set | clear) & ~(uint32_t) (A2F_USER_ADMIN | A2F_USER_DISABLED)) {
        return A2F_ERR_INVALID;
    }

    return a2f_store_user_change(st, name, len, NULL, 1, set, clear, flags);
}


int
a2f_store_user_list(a2f_store_t *st,
    int (*cb)(const a2f_user_t *u, void *arg), void *arg)
{
    int          rc, mrc;
    MDB_val      key, val;
    MDB_txn     *txn;
    MDB_cursor  *cur;
    a2f_user_t   u;

    rc = a2f_store_begin(st, MDB_RDONLY, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    mrc = mdb_cursor_open(txn, st->users, &cur);
    if (mrc != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        return a2f_store_mdb_rc(mrc);
    }

    rc = A2F_OK;

    for (mrc = mdb_cursor_get(cur, &key, &val, MDB_FIRST);
         mrc == MDB_SUCCESS;
         mrc = mdb_cursor_get(cur, &key, &val, MDB_NEXT))
    {
        rc = a2f_store_user_decode(&key, &val, &u);

        if (rc == A2F_OK) {
            rc = a2f_store_user_extra(st, txn, &u);
        }

        if (rc == A2F_OK) {
            rc = cb(&u, arg);
        }

        if (rc != A2F_OK) {
            break;
        }
    }

    a2f_store_wipe(&u, sizeof(u));
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);

    if (rc == A2F_OK && mrc != MDB_NOTFOUND) {
        return a2f_store_mdb_rc(mrc);
    }

    return rc;
}


/* -- user groups ----------------------------------------------------------- */


/* 1..A2F_GROUP_MAX bytes of 0x21..0x7e but '"' and '\\' */

int
a2f_store_group_ok(const char *group, size_t glen)
{
    size_t         i;
    unsigned char  c;

    if (group == NULL || glen == 0 || glen > A2F_GROUP_MAX) {
        return 0;
    }

    for (i = 0; i < glen; i++) {
        c = (unsigned char) group[i];

        if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
            return 0;
        }
    }

    return 1;
}


int
a2f_store_user_group_get(a2f_store_t *st, const char *user, size_t len,
    char group[A2F_GROUP_MAX + 1], size_t *glen)
{
    int              rc, mrc;
    size_t           n;
    uint8_t          kbuf[A2F_CRED_KEY_MAX];
    MDB_val          key, val;
    MDB_txn         *txn;
    const uint8_t   *p;
    a2f_store_rd_t   r;

    if (glen != NULL) {
        *glen = 0;
    }

    if (group == NULL) {
        return A2F_ERR_INVALID;
    }

    group[0] = '\0';

    rc = a2f_store_begin_user(st, MDB_RDONLY, user, len, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    key.mv_data = kbuf;
    key.mv_size = a2f_store_cred_key(user, len, A2F_CRED_GROUP, NULL, 0,
                                     kbuf);

    mrc = mdb_get(txn, st->creds, &key, &val);

    if (mrc != MDB_SUCCESS) {
        mdb_txn_abort(txn);

        /* no record: no group */

        return (mrc == MDB_NOTFOUND) ? A2F_OK : a2f_store_mdb_rc(mrc);
    }

    if (a2f_store_rd_open(&r, &val, A2F_REC_GROUP_V1) != A2F_OK) {
        mdb_txn_abort(txn);
        return A2F_ERR_STORAGE;
    }

    n = a2f_store_rd_u8(&r);
    p = a2f_store_rd_bytes(&r, n);

    if (r.bad || r.left != 0 || !a2f_store_group_ok((const char *) p, n)) {
        mdb_txn_abort(txn);
        return A2F_ERR_STORAGE;
    }

    /* copied before the abort: val points into the database's pages */

    memcpy(group, p, n);
    group[n] = '\0';

    mdb_txn_abort(txn);

    if (glen != NULL) {
        *glen = n;
    }

    return A2F_OK;
}


int
a2f_store_user_group_set(a2f_store_t *st, const char *user, size_t len,
    const char *group, size_t glen)
{
    int       rc, mrc;
    uint8_t   kbuf[A2F_CRED_KEY_MAX], vbuf[A2F_REC_GROUP_MAX];
    MDB_val   key, val;
    MDB_txn  *txn;

    if (glen > 0 && !a2f_store_group_ok(group, glen)) {
        return A2F_ERR_INVALID;
    }

    rc = a2f_store_begin_user(st, 0, user, len, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    key.mv_data = kbuf;
    key.mv_size = a2f_store_cred_key(user, len, A2F_CRED_GROUP, NULL, 0,
                                     kbuf);

    if (glen == 0) {
        mrc = mdb_del(txn, st->creds, &key, NULL);

        if (mrc == MDB_NOTFOUND) {
            /* no group to remove: nothing to write */
            mdb_txn_abort(txn);
            return A2F_OK;
        }

    } else {

        /* in place of the user's earlier one */

        vbuf[0] = A2F_REC_GROUP_V1;
        vbuf[1] = (uint8_t) glen;
        memcpy(vbuf + 2, group, glen);

        val.mv_data = vbuf;
        val.mv_size = 2 + glen;

        mrc = mdb_put(txn, st->creds, &key, &val, 0);
    }

    if (mrc != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        return a2f_store_mdb_rc(mrc);
    }

    return a2f_store_commit(st, txn);
}


/* -- TOTP devices ---------------------------------------------------------- */


int
a2f_store_totp_add(a2f_store_t *st, const char *user, size_t len,
    const a2f_totp_dev_t *d, int64_t now)
{
    int             rc;
    size_t          dlen;
    MDB_txn        *txn;
    a2f_totp_dev_t  nd;

    if (!a2f_store_dev_valid(d)) {
        return A2F_ERR_INVALID;
    }

    nd = *d;

    rc = a2f_store_new_name(nd.name, sizeof(nd.name), A2F_DEVICE_DEFAULT,
                            &dlen);
    if (rc != A2F_OK) {
        goto done;
    }

    if (nd.created == 0) {
        nd.created = now;
    }

    rc = a2f_store_begin_user(st, 0, user, len, &txn);
    if (rc != A2F_OK) {
        goto done;
    }

    rc = a2f_store_totp_put(st, txn, user, len, &nd, dlen);

    if (rc != A2F_OK) {
        mdb_txn_abort(txn);
        goto done;
    }

    rc = a2f_store_commit(st, txn);

done:

    a2f_store_wipe(&nd, sizeof(nd));

    return rc;
}


int
a2f_store_totp_list(a2f_store_t *st, const char *user, size_t len,
    a2f_totp_dev_t *devs, unsigned max, unsigned *n)
{
    int       rc;
    MDB_txn  *txn;

    *n = 0;

    rc = a2f_store_begin_user(st, MDB_RDONLY, user, len, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_store_dev_read(st, txn, user, len, devs, max, n);

    mdb_txn_abort(txn);

    return rc;
}


int
a2f_store_totp_del(a2f_store_t *st, const char *user, size_t len,
    const char *dev, size_t devlen)
{
    int       rc, mrc;
    size_t    klen;
    uint8_t   kbuf[A2F_CRED_KEY_MAX];
    MDB_val   key;
    MDB_txn  *txn;

    if (!a2f_store_name_ok(user, len) || !a2f_store_dev_name_ok(dev, devlen))
    {
        return A2F_ERR_NOTFOUND;
    }

    rc = a2f_store_begin(st, 0, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    klen = a2f_store_cred_key(user, len, A2F_CRED_TOTP, dev, devlen, kbuf);

    key.mv_data = kbuf;
    key.mv_size = klen;

    mrc = mdb_del(txn, st->creds, &key, NULL);

    if (mrc != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        return a2f_store_mdb_rc(mrc);
    }

    return a2f_store_commit(st, txn);
}


/* -- failures and events --------------------------------------------------- */


int
a2f_store_locked(a2f_store_t *st, const a2f_lockout_t *lo, const char *user,
    size_t len, const char *addr, int64_t now)
{
    int       rc;
    MDB_txn  *txn;

    if (lo == NULL) {
        return A2F_OK;
    }

    if (!a2f_store_addr_ok(addr)) {
        return A2F_ERR_INVALID;
    }

    rc = a2f_store_begin(st, MDB_RDONLY, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = A2F_OK;

    if (lo->max_fails && a2f_store_name_ok(user, len)) {
        rc = a2f_store_fail_locked(st, txn, 'u', user, len, now);
    }

    if (rc == A2F_OK && lo->max_fails_addr && addr != NULL) {
        rc = a2f_store_fail_locked(st, txn, 'a', addr, strlen(addr), now);
    }

    mdb_txn_abort(txn);

    return rc;
}


int
a2f_store_unlock(a2f_store_t *st, const char *user, size_t len)
{
    int       rc;
    MDB_txn  *txn;

    rc = a2f_store_begin_user(st, 0, user, len, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_store_fail_del(st, txn, 'u', user, len);

    if (rc != A2F_OK) {
        mdb_txn_abort(txn);
        return rc;
    }

    return a2f_store_commit(st, txn);
}


int
a2f_store_password_result(a2f_store_t *st, const a2f_lockout_t *lo,
    const char *user, size_t len, const char *addr, int ok, int64_t now)
{
    int         rc, exists;
    MDB_txn    *txn;
    a2f_user_t  u;

    if (!a2f_store_addr_ok(addr)) {
        return A2F_ERR_INVALID;
    }

    rc = a2f_store_begin(st, 0, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_store_user_load(st, txn, user, len, &u);

    if (rc != A2F_OK && rc != A2F_ERR_NOTFOUND) {
        goto failed;
    }

    exists = (rc == A2F_OK);

    if (ok) {
        if (!exists) {
            goto failed;
        }

        rc = a2f_store_fail_del(st, txn, 'u', user, len);

        if (rc == A2F_OK) {
            u.last_login = now;
            rc = a2f_store_user_save(st, txn, &u);
        }

        if (rc == A2F_OK) {
            rc = a2f_store_audit_put(st, txn, now, "login", user, len, addr,
                                     "factor=password");
        }

    } else {
        rc = a2f_store_count_failure(st, txn, lo, user, len, exists, addr,
                                     now);

        if (rc == A2F_OK) {
            rc = a2f_store_audit_put(st, txn, now, "login_failed", user, len,
                                     addr, exists ? "" : "unknown=1");
        }
    }

    if (rc != A2F_OK) {
        goto failed;
    }

    a2f_store_wipe(&u, sizeof(u));

    return a2f_store_commit(st, txn);

failed:

    a2f_store_wipe(&u, sizeof(u));
    mdb_txn_abort(txn);

    return rc;
}


int
a2f_store_totp_verify(a2f_store_t *st, const a2f_lockout_t *lo,
    const char *user, size_t len, const char *addr, const char *code,
    size_t codelen, unsigned window, int64_t now)
{
    int              rc, mrc, crc, matched, replay, fits;
    char             detail[sizeof("device=") + A2F_DEVICE_MAX];
    size_t           i, n, klen;
    uint8_t          kbuf[A2F_CRED_KEY_MAX], vbuf[A2F_REC_DEV_MAX];
    uint64_t         step, mstep;
    unsigned         ndev, m;
    MDB_val          key, val;
    MDB_txn         *txn;
    a2f_totp_dev_t   devs[A2F_DEVICES_MAX];

    if (code == NULL || codelen == 0 || codelen > A2F_CODE_MAX
        || window > A2F_TOTP_WINDOW_MAX || !a2f_store_addr_ok(addr))
    {
        return A2F_ERR_INVALID;
    }

    for (i = 0; i < codelen; i++) {
        if (code[i] < '0' || code[i] > '9') {
            return A2F_ERR_INVALID;
        }
    }

    rc = a2f_store_begin(st, 0, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    ndev = 0;

    /* locked, no such user, disabled? */

    rc = a2f_store_factor_check(st, txn, lo, user, len, addr, now);
    if (rc != A2F_OK) {
        goto failed;
    }

    /* every device, secrets opened */

    rc = a2f_store_dev_read(st, txn, user, len, devs, A2F_DEVICES_MAX,
                            &ndev);
    if (rc != A2F_OK) {
        goto failed;
    }

    if (ndev == 0) {
        rc = A2F_ERR_NOTFOUND;
        goto failed;
    }

    /* check every device that takes codes of this length */

    matched = 0;
    replay = 0;
    fits = 0;
    m = 0;
    mstep = 0;

    for (i = 0; i < ndev; i++) {

        if (devs[i].digits != codelen) {
            continue;
        }

        fits = 1;

        crc = a2f_totp_check(devs[i].secret, devs[i].secret_len, devs[i].alg,
                             devs[i].digits, devs[i].period, now, window,
                             code, codelen, devs[i].last_step, &step);

        if (crc == A2F_OK) {
            if (!matched) {
                matched = 1;
                m = (unsigned) i;
                mstep = step;
            }

        } else if (crc == A2F_ERR_REPLAY) {
            replay = 1;

        } else if (crc != A2F_ERR_AUTH) {
            rc = crc;
            goto failed;
        }
    }

    if (!fits) {
        rc = A2F_ERR_INVALID;
        goto failed;
    }

    if (matched) {
        devs[m].last_step = mstep;

        rc = a2f_store_dev_encode(st, user, len, &devs[m], vbuf, sizeof(vbuf),
                                  &n);
        if (rc != A2F_OK) {
            goto failed;
        }

        klen = a2f_store_cred_key(user, len, A2F_CRED_TOTP, devs[m].name,
                                  strlen(devs[m].name), kbuf);

        key.mv_data = kbuf;
        key.mv_size = klen;
        val.mv_data = vbuf;
        val.mv_size = n;

        mrc = mdb_put(txn, st->creds, &key, &val, 0);
        rc = a2f_store_mdb_rc(mrc);

        if (rc == A2F_OK) {
            rc = a2f_store_fail_del(st, txn, 'u', user, len);
        }

        if (rc == A2F_OK) {
            (void) snprintf(detail, sizeof(detail), "device=%s",
                            devs[m].name);
            rc = a2f_store_audit_put(st, txn, now, "otc_ok", user, len, addr,
                                     detail);
        }

        if (rc != A2F_OK) {
            goto failed;
        }

        rc = a2f_store_commit(st, txn);

    } else {
        rc = a2f_store_count_failure(st, txn, lo, user, len, 1, addr, now);

        if (rc == A2F_OK) {
            rc = a2f_store_audit_put(st, txn, now,
                                     replay ? "otc_replay" : "otc_failed",
                                     user, len, addr, "");
        }

        if (rc != A2F_OK) {
            goto failed;
        }

        rc = a2f_store_commit(st, txn);

        if (rc == A2F_OK) {
            rc = replay ? A2F_ERR_REPLAY : A2F_ERR_AUTH;
        }
    }

    a2f_store_wipe(devs, sizeof(devs));

    return rc;

failed:

    a2f_store_wipe(devs, sizeof(devs));
    mdb_txn_abort(txn);

    return rc;
}


int
a2f_store_audit(a2f_store_t *st, int64_t now, const char *event,
    const char *user, size_t len, const char *addr, const char *detail)
{
    int       rc;
    MDB_txn  *txn;

    if (event == NULL) {
        return A2F_ERR_INVALID;
    }

    rc = a2f_store_begin(st, 0, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_store_audit_put(st, txn, now, event, user, len, addr, detail);

    if (rc != A2F_OK) {
        mdb_txn_abort(txn);
        return rc;
    }

    return a2f_store_commit(st, txn);
}


int
a2f_store_audit_list(a2f_store_t *st, unsigned max,
    int (*cb)(int64_t usec, const char *text, size_t len, void *arg),
    void *arg)
{
    return a2f_store_audit_page(st, 0, max, cb, arg);
}


int
a2f_store_audit_page(a2f_store_t *st, int64_t before, unsigned max,
    int (*cb)(int64_t usec, const char *text, size_t len, void *arg),
    void *arg)
{
    int              rc, mrc;
    char             text[A2F_AUDIT_MAX];
    uint8_t          kbuf[8];
    unsigned         n, i;
    uint64_t         usec;
    MDB_val          key, val;
    MDB_txn         *txn;
    MDB_cursor      *cur;
    const uint8_t   *p;

    rc = a2f_store_begin(st, MDB_RDONLY, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    mrc = mdb_cursor_open(txn, st->audit, &cur);
    if (mrc != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        return a2f_store_mdb_rc(mrc);
    }

    /* the newest event older than before: the one before the first not */

    if (before > 0) {
        for (i = 0; i < 8; i++) {
            kbuf[i] = (uint8_t) ((uint64_t) before >> (56 - 8 * i));
        }

        key.mv_data = kbuf;
        key.mv_size = 8;

        mrc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE);

        if (mrc == MDB_SUCCESS) {
            mrc = mdb_cursor_get(cur, &key, &val, MDB_PREV);

        } else if (mrc == MDB_NOTFOUND) {
            mrc = mdb_cursor_get(cur, &key, &val, MDB_LAST);
        }

    } else {
        mrc = mdb_cursor_get(cur, &key, &val, MDB_LAST);
    }

    rc = A2F_OK;
    n = 0;

    while (mrc == MDB_SUCCESS && n < max) {

        if (key.mv_size != 8 || val.mv_size >= sizeof(text)) {
            rc = A2F_ERR_STORAGE;
            break;
        }

        p = key.mv_data;
        usec = 0;

        for (i = 0; i < 8; i++) {
            usec = (usec << 8) | p[i];
        }

        memcpy(text, val.mv_data, val.mv_size);
        text[val.mv_size] = '\0';

        n++;

        rc = cb((int64_t) usec, text, val.mv_size, arg);
        if (rc != A2F_OK) {
            break;
        }

        mrc = mdb_cursor_get(cur, &key, &val, MDB_PREV);
    }

    mdb_cursor_close(cur);
    mdb_txn_abort(txn);

    if (rc == A2F_OK && mrc != MDB_SUCCESS && mrc != MDB_NOTFOUND) {
        return a2f_store_mdb_rc(mrc);
    }

    return rc;
}


void
a2f_store_audit_hook(a2f_store_t *st,
    void (*hook)(void *arg, const char *text, size_t len), void *arg)
{
    st->hook = hook;
    st->hook_arg = (hook != NULL) ? arg : NULL;
}


/* -- recovery codes -------------------------------------------------------- */


int
a2f_store_recovery_new(a2f_store_t *st, const char *user, size_t len,
    char codes[A2F_RECOVERY_CODES][A2F_RECOVERY_LEN + 1], int64_t now)
{
    int                    rc;
    char                   plain[A2F_RECOVERY_CHARS], detail[32];
    uint8_t                mkey[32], rnd[A2F_RECOVERY_CHARS];
    unsigned               i, j, k;
    MDB_txn               *txn;
    a2f_store_recovery_t   rs;

    if (codes == NULL) {
        return A2F_ERR_INVALID;
    }

    memset(codes, 0, A2F_RECOVERY_CODES * sizeof(codes[0]));

    if (!a2f_store_name_ok(user, len)) {
        return A2F_ERR_NOTFOUND;
    }

    memset(&rs, 0, sizeof(a2f_store_recovery_t));

    rs.count = A2F_RECOVERY_CODES;
    rs.used = 0;
    rs.created = now;

    rc = a2f_store_recovery_mac_key(st, mkey);
    if (rc != A2F_OK) {
        goto done;
    }

    /* 12 characters of 5 random bits each: 256 is a multiple of 32 */

    for (i = 0; i < A2F_RECOVERY_CODES; i++) {
        rc = a2f_random(rnd, sizeof(rnd));
        if (rc != A2F_OK) {
            goto done;
        }

        k = 0;

        for (j = 0; j < A2F_RECOVERY_CHARS; j++) {
            plain[j] = A2F_RECOVERY_ALPHABET[rnd[j] & 0x1f];

            if (j != 0 && j % 4 == 0) {
                codes[i][k++] = '-';
            }

            codes[i][k++] = plain[j];
        }

        codes[i][k] = '\0';

        rc = a2f_store_recovery_hash(mkey, user, len, plain, rs.hash[i]);
        if (rc != A2F_OK) {
            goto done;
        }
    }

    rc = a2f_store_begin_user(st, 0, user, len, &txn);
    if (rc != A2F_OK) {
        goto done;
    }

    rc = a2f_store_recovery_put(st, txn, user, len, &rs);

    if (rc == A2F_OK) {
        (void) snprintf(detail, sizeof(detail), "count=%u",
                        (unsigned) A2F_RECOVERY_CODES);
        rc = a2f_store_audit_put(st, txn, now, "recovery_new", user, len,
                                 NULL, detail);
    }

    if (rc != A2F_OK) {
        mdb_txn_abort(txn);
        goto done;
    }

    rc = a2f_store_commit(st, txn);

done:

    a2f_store_wipe(plain, sizeof(plain));
    a2f_store_wipe(mkey, sizeof(mkey));
    a2f_store_wipe(rnd, sizeof(rnd));
    a2f_store_wipe(&rs, sizeof(rs));

    if (rc != A2F_OK) {
        a2f_store_wipe(codes, A2F_RECOVERY_CODES * sizeof(codes[0]));
    }

    return rc;
}


int
a2f_store_recovery_use(a2f_store_t *st, const a2f_lockout_t *lo,
    const char *user, size_t len, const char *addr, const char *code,
    size_t codelen, int64_t now, unsigned *remaining)
{
    int                    rc, m, hit, reused;
    char                   plain[A2F_RECOVERY_CHARS], detail[32];
    uint8_t                mkey[32], h[A2F_RECOVERY_HASH];
    unsigned               i, left;
    MDB_txn               *txn;
    const char            *why;
    a2f_store_recovery_t   rs;

    if (!a2f_store_addr_ok(addr)) {
        return A2F_ERR_INVALID;
    }

    rc = a2f_store_recovery_norm(code, codelen, plain);
    if (rc != A2F_OK) {
        return rc;
    }

    memset(&rs, 0, sizeof(a2f_store_recovery_t));
    memset(mkey, 0, sizeof(mkey));
    memset(h, 0, sizeof(h));

    rc = a2f_store_begin(st, 0, &txn);
    if (rc != A2F_OK) {
        goto done;
    }

    /* locked, no such user, disabled? */

    rc = a2f_store_factor_check(st, txn, lo, user, len, addr, now);
    if (rc != A2F_OK) {
        goto failed;
    }

    /* no set reads as a wrong code: it is counted the same way */

    why = "";

    rc = a2f_store_recovery_get(st, txn, user, len, &rs);

    if (rc == A2F_ERR_NOTFOUND) {
        rs.count = 0;
        why = "codes=none";

    } else if (rc != A2F_OK) {
        goto failed;
    }

    /*
     * Hash also without a set (the same work either way), then compare
     * with every code, used or not, to the end.
     */

    m = -1;
    reused = 0;

    rc = a2f_store_recovery_mac_key(st, mkey);

    if (rc == A2F_OK) {
        rc = a2f_store_recovery_hash(mkey, user, len, plain, h);
    }

    if (rc != A2F_OK) {
        goto failed;
    }

    for (i = 0; i < rs.count; i++) {
        hit = CRYPTO_memcmp(h, rs.hash[i], A2F_RECOVERY_HASH) == 0;

        if (hit && (rs.used & (1u << i))) {
            reused = 1;

        } else if (hit && m == -1) {
            m = (int) i;
        }
    }

    if (m >= 0) {
        rs.used |= 1u << m;
        left = a2f_store_recovery_left(&rs);

        rc = a2f_store_recovery_put(st, txn, user, len, &rs);

        if (rc == A2F_OK) {
            rc = a2f_store_fail_del(st, txn, 'u', user, len);
        }

        if (rc == A2F_OK) {
            (void) snprintf(detail, sizeof(detail), "remaining=%u", left);
            rc = a2f_store_audit_put(st, txn, now, "recovery_ok", user, len,
                                     addr, detail);
        }

        if (rc != A2F_OK) {
            goto failed;
        }

        rc = a2f_store_commit(st, txn);

        if (rc == A2F_OK && remaining != NULL) {
            *remaining = left;
        }

        goto done;
    }

    if (reused) {
        why = "reused=1";
    }

    rc = a2f_store_count_failure(st, txn, lo, user, len, 1, addr, now);

    if (rc == A2F_OK) {
        rc = a2f_store_audit_put(st, txn, now, "recovery_failed", user, len,
                                 addr, why);
    }

    if (rc != A2F_OK) {
        goto failed;
    }

    rc = a2f_store_commit(st, txn);

    if (rc == A2F_OK) {
        rc = A2F_ERR_AUTH;
    }

    goto done;

failed:

    mdb_txn_abort(txn);

done:

    a2f_store_wipe(plain, sizeof(plain));
    a2f_store_wipe(mkey, sizeof(mkey));
    a2f_store_wipe(h, sizeof(h));
    a2f_store_wipe(&rs, sizeof(rs));

    return rc;
}


int
a2f_store_recovery_count(a2f_store_t *st, const char *user, size_t len,
    unsigned *remaining)
{
    int                    rc;
    MDB_txn               *txn;
    a2f_store_recovery_t   rs;

    *remaining = 0;

    rc = a2f_store_begin_user(st, MDB_RDONLY, user, len, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_store_recovery_get(st, txn, user, len, &rs);

    if (rc == A2F_OK) {
        *remaining = a2f_store_recovery_left(&rs);

    } else if (rc == A2F_ERR_NOTFOUND) {
        rc = A2F_OK;
    }

    mdb_txn_abort(txn);
    a2f_store_wipe(&rs, sizeof(rs));

    return rc;
}


/* -- security keys --------------------------------------------------------- */


int
a2f_store_seckey_add(a2f_store_t *st, const char *user, size_t len,
    const a2f_seckey_t *k, int64_t now)
{
    int            rc, dup;
    size_t         nlen;
    unsigned       nkeys;
    MDB_txn       *txn;
    a2f_seckey_t   nk;

    if (k == NULL || !a2f_store_seckey_valid(k)) {
        return A2F_ERR_INVALID;
    }

    nk = *k;

    rc = a2f_store_new_name(nk.name, sizeof(nk.name), A2F_SECKEY_DEFAULT,
                            &nlen);
    if (rc != A2F_OK) {
        return rc;
    }

    if (nk.created == 0) {
        nk.created = now;
    }

    rc = a2f_store_begin_user(st, 0, user, len, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_store_seckey_scan(st, txn, user, len, nk.cred_id,
                               nk.cred_id_len, &nkeys, &dup, NULL);

    if (rc == A2F_OK && dup) {
        rc = A2F_ERR_EXISTS;

    } else if (rc == A2F_OK && nkeys >= A2F_SECKEYS_MAX) {
        rc = A2F_ERR_TOOBIG;
    }

    if (rc == A2F_OK) {
        rc = a2f_store_seckey_put(st, txn, user, len, &nk, MDB_NOOVERWRITE);
    }

    if (rc != A2F_OK) {
        mdb_txn_abort(txn);
        return rc;
    }

    return a2f_store_commit(st, txn);
}


int
a2f_store_seckey_list(a2f_store_t *st, const char *user, size_t len,
    a2f_seckey_t *keys, unsigned max, unsigned *n)
{
    int               rc;
    MDB_txn          *txn;
    a2f_store_keys_t  ks;

    *n = 0;

    rc = a2f_store_begin_user(st, MDB_RDONLY, user, len, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    ks.len = len;
    ks.keys = keys;
    ks.max = max;

    rc = a2f_store_cred_each(st, txn, user, len, A2F_CRED_SECKEY,
                             a2f_store_seckey_take, &ks, n);

    mdb_txn_abort(txn);

    if (rc != A2F_OK) {
        *n = 0;
    }

    return rc;
}


int
a2f_store_seckey_find(a2f_store_t *st, const char *user, size_t len,
    const uint8_t *cred_id, size_t idlen, a2f_seckey_t *k)
{
    int            rc, found;
    unsigned       n;
    MDB_txn       *txn;
    a2f_seckey_t   fk;

    if (!a2f_store_seckey_id_ok(cred_id, idlen)) {
        return A2F_ERR_NOTFOUND;
    }

    rc = a2f_store_begin_user(st, MDB_RDONLY, user, len, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_store_seckey_scan(st, txn, user, len, cred_id, idlen, &n,
                               &found, &fk);

    mdb_txn_abort(txn);

    if (rc == A2F_OK && !found) {
        rc = A2F_ERR_NOTFOUND;
    }

    if (rc == A2F_OK && k != NULL) {
        *k = fk;
    }

    return rc;
}


int
a2f_store_seckey_del(a2f_store_t *st, const char *user, size_t len,
    const char *name, size_t namelen)
{
    int       rc, mrc;
    uint8_t   kbuf[A2F_CRED_KEY_MAX];
    MDB_val   key;
    MDB_txn  *txn;

    if (!a2f_store_name_ok(user, len)
        || !a2f_store_dev_name_ok(name, namelen))
    {
        return A2F_ERR_NOTFOUND;
    }

    rc = a2f_store_begin(st, 0, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    key.mv_data = kbuf;
    key.mv_size = a2f_store_cred_key(user, len, A2F_CRED_SECKEY, name,
                                     namelen, kbuf);

    mrc = mdb_del(txn, st->creds, &key, NULL);

    if (mrc != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        return a2f_store_mdb_rc(mrc);
    }

    return a2f_store_commit(st, txn);
}


int
a2f_store_seckey_use(a2f_store_t *st, const a2f_lockout_t *lo,
    const char *user, size_t len, const char *addr, const uint8_t *cred_id,
    size_t idlen, uint32_t new_count, int64_t now)
{
    int            rc, found;
    char           detail[sizeof("key= count=4294967295 stored=4294967295")
                          + A2F_DEVICE_MAX];
    uint32_t       old;
    unsigned       n;
    MDB_txn       *txn;
    a2f_seckey_t   k;

    if (!a2f_store_addr_ok(addr)) {
        return A2F_ERR_INVALID;
    }

    if (!a2f_store_seckey_id_ok(cred_id, idlen)) {
        return A2F_ERR_NOTFOUND;
    }

    rc = a2f_store_begin(st, 0, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    /* locked, no such user, disabled? */

    rc = a2f_store_factor_check(st, txn, lo, user, len, addr, now);
    if (rc != A2F_OK) {
        goto failed;
    }

    rc = a2f_store_seckey_scan(st, txn, user, len, cred_id, idlen, &n,
                               &found, &k);
    if (rc != A2F_OK) {
        goto failed;
    }

    if (!found) {
        rc = A2F_ERR_NOTFOUND;
        goto failed;
    }

    /* flagged before: refused for good */

    if (k.flags & A2F_SECKEY_CLONED) {
        (void) snprintf(detail, sizeof(detail), "cloned key=%s", k.name);

        rc = a2f_store_audit_put(st, txn, now, "key_refused", user, len,
                                 addr, detail);
        if (rc != A2F_OK) {
            goto failed;
        }

        rc = a2f_store_commit(st, txn);

        return (rc == A2F_OK) ? A2F_ERR_REPLAY : rc;
    }

    /*
     * The counter as stored now, in this write transaction: of two uses
     * of one count, the second sees the first's.
     */

    old = k.sign_count;

    if ((new_count != 0 || old != 0) && new_count <= old) {
        k.flags |= A2F_SECKEY_CLONED;

        rc = a2f_store_seckey_put(st, txn, user, len, &k, 0);

        if (rc == A2F_OK) {
            rc = a2f_store_count_failure(st, txn, lo, user, len, 1, addr,
                                         now);
        }

        if (rc == A2F_OK) {
            (void) snprintf(detail, sizeof(detail),
                            "key=%s count=%u stored=%u", k.name,
                            (unsigned) new_count, (unsigned) old);
            rc = a2f_store_audit_put(st, txn, now, "key_cloned", user, len,
                                     addr, detail);
        }

        if (rc != A2F_OK) {
            goto failed;
        }

        rc = a2f_store_commit(st, txn);

        return (rc == A2F_OK) ? A2F_ERR_REPLAY : rc;
    }

    k.sign_count = new_count;
    k.last_used = now;

    rc = a2f_store_seckey_put(st, txn, user, len, &k, 0);

    if (rc == A2F_OK) {
        rc = a2f_store_fail_del(st, txn, 'u', user, len);
    }

    if (rc == A2F_OK) {
        (void) snprintf(detail, sizeof(detail), "key=%s", k.name);
        rc = a2f_store_audit_put(st, txn, now, "key_ok", user, len, addr,
                                 detail);
    }

    if (rc != A2F_OK) {
        goto failed;
    }

    return a2f_store_commit(st, txn);

failed:

    mdb_txn_abort(txn);

    return rc;
}


int
a2f_store_seckey_fail(a2f_store_t *st, const a2f_lockout_t *lo,
    const char *user, size_t len, const char *addr, const char *reason,
    int64_t now)
{
    int       rc;
    MDB_txn  *txn;

    if (!a2f_store_addr_ok(addr)) {
        return A2F_ERR_INVALID;
    }

    rc = a2f_store_begin_user(st, 0, user, len, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_store_count_failure(st, txn, lo, user, len, 1, addr, now);

    if (rc == A2F_OK) {
        rc = a2f_store_audit_put(st, txn, now, "key_failed", user, len, addr,
                                 reason);
    }

    if (rc != A2F_OK) {
        mdb_txn_abort(txn);
        return rc;
    }

    return a2f_store_commit(st, txn);
}


/* -- challenges: WebAuthn, FIDO U2F ---------------------------------------- */


int
a2f_store_challenge_new(a2f_store_t *st, const char *user, size_t len,
    int purpose, int64_t expires, int64_t now,
    uint8_t out[A2F_CHALLENGE_LEN])
{
    int       rc, mrc;
    uint8_t   kbuf[A2F_CRED_KEY_MAX], vbuf[A2F_REC_CHALLENGE_LEN];
    MDB_val   key, val;
    MDB_txn  *txn;

    if (out == NULL) {
        return A2F_ERR_INVALID;
    }

    memset(out, 0, A2F_CHALLENGE_LEN);

    /* now < expires <= now + A2F_CHALLENGE_TTL_MAX, without an overflow */

    if (!a2f_store_challenge_purpose_ok(purpose) || expires <= now
        || (uint64_t) expires - (uint64_t) now > A2F_CHALLENGE_TTL_MAX)
    {
        return A2F_ERR_INVALID;
    }

    if (!a2f_store_name_ok(user, len)) {
        return A2F_ERR_NOTFOUND;
    }

    vbuf[0] = A2F_REC_CHALLENGE_V1;
    a2f_store_put64(vbuf + 1, (uint64_t) expires);

    rc = a2f_random(vbuf + 9, A2F_CHALLENGE_LEN);
    if (rc != A2F_OK) {
        goto done;
    }

    rc = a2f_store_begin_user(st, 0, user, len, &txn);
    if (rc != A2F_OK) {
        goto done;
    }

    /* in place of the user's earlier one of this purpose */

    key.mv_data = kbuf;
    key.mv_size = a2f_store_challenge_key(user, len, purpose, kbuf);
    val.mv_data = vbuf;
    val.mv_size = sizeof(vbuf);

    mrc = mdb_put(txn, st->creds, &key, &val, 0);

    if (mrc != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        rc = a2f_store_mdb_rc(mrc);
        goto done;
    }

    rc = a2f_store_commit(st, txn);

    if (rc == A2F_OK) {
        memcpy(out, vbuf + 9, A2F_CHALLENGE_LEN);
    }

done:

    a2f_store_wipe(vbuf, sizeof(vbuf));

    return rc;
}


int
a2f_store_challenge_take(a2f_store_t *st, const char *user, size_t len,
    int purpose, int64_t now, uint8_t out[A2F_CHALLENGE_LEN])
{
    int              rc, mrc;
    uint8_t          kbuf[A2F_CRED_KEY_MAX], c[A2F_CHALLENGE_LEN];
    int64_t          expires;
    MDB_val          key, val;
    MDB_txn         *txn;
    const uint8_t   *p;
    a2f_store_rd_t   r;

    if (out == NULL) {
        return A2F_ERR_INVALID;
    }

    memset(out, 0, A2F_CHALLENGE_LEN);

    if (!a2f_store_challenge_purpose_ok(purpose)) {
        return A2F_ERR_INVALID;
    }

    rc = a2f_store_begin_user(st, 0, user, len, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    key.mv_data = kbuf;
    key.mv_size = a2f_store_challenge_key(user, len, purpose, kbuf);

    mrc = mdb_get(txn, st->creds, &key, &val);
    if (mrc != MDB_SUCCESS) {
        rc = a2f_store_mdb_rc(mrc);
        goto failed;
    }

    if (a2f_store_rd_open(&r, &val, A2F_REC_CHALLENGE_V1) != A2F_OK) {
        rc = A2F_ERR_STORAGE;
        goto failed;
    }

    expires = (int64_t) a2f_store_rd_u64(&r);
    p = a2f_store_rd_bytes(&r, A2F_CHALLENGE_LEN);

    if (r.bad || r.left != 0) {
        rc = A2F_ERR_STORAGE;
        goto failed;
    }

    /* copied before the delete: val points into the database's pages */

    memcpy(c, p, A2F_CHALLENGE_LEN);

    /* taken once: deleted also when it has expired */

    mrc = mdb_del(txn, st->creds, &key, NULL);
    if (mrc != MDB_SUCCESS) {
        rc = a2f_store_mdb_rc(mrc);
        goto failed;
    }

    rc = a2f_store_commit(st, txn);

    if (rc == A2F_OK) {
        if (now >= expires) {
            rc = A2F_ERR_EXPIRED;

        } else {
            memcpy(out, c, A2F_CHALLENGE_LEN);
        }
    }

    a2f_store_wipe(c, sizeof(c));

    return rc;

failed:

    mdb_txn_abort(txn);

    return rc;
}


/* -- enrollment links ------------------------------------------------------ */


int
a2f_store_link_new(a2f_store_t *st, const char *user, size_t len,
    int64_t expires, int64_t now, const char *detail,
    char token[A2F_LINK_TOKEN_LEN + 1])
{
    int               rc;
    uint8_t           rnd[A2F_LINK_RANDOM];
    MDB_txn          *txn;
    a2f_store_link_t  lk;

    if (token == NULL) {
        return A2F_ERR_INVALID;
    }

    memset(token, 0, A2F_LINK_TOKEN_LEN + 1);

    /* now < expires <= now + A2F_LINK_TTL_MAX, without an overflow */

    if (expires <= now
        || (uint64_t) expires - (uint64_t) now > A2F_LINK_TTL_MAX)
    {
        return A2F_ERR_INVALID;
    }

    if (!a2f_store_name_ok(user, len)) {
        return A2F_ERR_NOTFOUND;
    }

    memset(&lk, 0, sizeof(a2f_store_link_t));

    rc = a2f_random(rnd, sizeof(rnd));
    if (rc != A2F_OK) {
        goto done;
    }

    if (a2f_b64url_encode(rnd, sizeof(rnd), token, A2F_LINK_TOKEN_LEN + 1)
        != A2F_LINK_TOKEN_LEN)
    {
        rc = A2F_ERR_CRYPTO;
        goto done;
    }

    rc = a2f_store_link_hash(token, A2F_LINK_TOKEN_LEN, lk.hash);
    if (rc != A2F_OK) {
        goto done;
    }

    lk.created = now;
    lk.expires = expires;

    rc = a2f_store_begin_user(st, 0, user, len, &txn);
    if (rc != A2F_OK) {
        goto done;
    }

    /* a new link replaces the old one, whose token then finds nothing */

    rc = a2f_store_link_clear(st, txn, user, len);

    if (rc == A2F_OK) {
        rc = a2f_store_link_write(st, txn, user, len, &lk);
    }

    if (rc == A2F_OK) {
        rc = a2f_store_audit_put(st, txn, now, "link_new", user, len, NULL,
                                 detail);
    }

    if (rc != A2F_OK) {
        mdb_txn_abort(txn);
        goto done;
    }

    rc = a2f_store_commit(st, txn);

done:

    a2f_store_wipe(rnd, sizeof(rnd));
    a2f_store_wipe(&lk, sizeof(lk));

    if (rc != A2F_OK) {
        a2f_store_wipe(token, A2F_LINK_TOKEN_LEN + 1);
    }

    return rc;
}


int
a2f_store_link_check(a2f_store_t *st, const char *token, size_t toklen,
    int64_t now, char user[A2F_USER_MAX + 1], size_t *ulen,
    int64_t *expires)
{
    int               rc;
    char              name[A2F_USER_MAX + 1];
    size_t            nlen;
    MDB_txn          *txn;
    a2f_store_link_t  lk;

    if (!a2f_store_link_token_ok(token, toklen) || user == NULL
        || ulen == NULL)
    {
        return A2F_ERR_INVALID;
    }

    rc = a2f_store_begin(st, MDB_RDONLY, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_store_link_find(st, txn, token, toklen, now, name, &nlen, &lk);

    mdb_txn_abort(txn);

    if (rc == A2F_OK) {
        memcpy(user, name, nlen + 1);
        *ulen = nlen;

        if (expires != NULL) {
            *expires = lk.expires;
        }
    }

    return rc;
}


int
a2f_store_link_use(a2f_store_t *st, const char *token, size_t toklen,
    int64_t now, const char *pwhash, const a2f_totp_dev_t *d,
    const char *addr, char user[A2F_USER_MAX + 1], size_t *ulen,
    uint32_t *gen)
{
    int               rc;
    char              name[A2F_USER_MAX + 1];
    char              detail[sizeof("device=") + A2F_DEVICE_MAX];
    size_t            nlen, dlen, hlen;
    uint32_t          g;
    unsigned          i;
    MDB_txn          *txn;
    a2f_totp_dev_t    nd;
    a2f_store_link_t  lk;

    if (!a2f_store_link_token_ok(token, toklen) || !a2f_store_dev_valid(d)
        || !a2f_store_addr_ok(addr) || pwhash == NULL || user == NULL
        || ulen == NULL)
    {
        return A2F_ERR_INVALID;
    }

    hlen = strnlen(pwhash, A2F_PWHASH_MAX);

    if (hlen == 0 || hlen >= A2F_PWHASH_MAX) {
        return A2F_ERR_INVALID;
    }

    nd = *d;
    g = 0;

    dlen = strnlen(nd.name, sizeof(nd.name));

    if (dlen == sizeof(nd.name)
        || (dlen != 0 && !a2f_store_dev_name_ok(nd.name, dlen)))
    {
        rc = A2F_ERR_INVALID;
        goto done;
    }

    if (nd.created == 0) {
        nd.created = now;
    }

    rc = a2f_store_begin(st, 0, &txn);
    if (rc != A2F_OK) {
        goto done;
    }

    rc = a2f_store_link_find(st, txn, token, toklen, now, name, &nlen, &lk);
    if (rc != A2F_OK) {
        goto failed;
    }

    /* the password, as a2f_store_user_set_password() */

    rc = a2f_store_user_bump(st, txn, name, nlen, pwhash, &g);
    if (rc != A2F_OK) {
        goto failed;
    }

    /*
     * The device, as a2f_store_totp_add(): under its own name unless
     * that is empty or taken, else "default", else "device-N".
     */

    rc = (dlen == 0) ? A2F_ERR_EXISTS
                     : a2f_store_dev_free(st, txn, name, nlen, nd.name, dlen);

    if (rc == A2F_ERR_EXISTS) {
        memcpy(nd.name, A2F_DEVICE_DEFAULT, sizeof(A2F_DEVICE_DEFAULT));
        dlen = sizeof(A2F_DEVICE_DEFAULT) - 1;

        rc = a2f_store_dev_free(st, txn, name, nlen, nd.name, dlen);
    }

    for (i = 1; rc == A2F_ERR_EXISTS && i <= A2F_DEVICES_MAX; i++) {
        dlen = (size_t) snprintf(nd.name, sizeof(nd.name), "%s%u",
                                 A2F_DEVICE_NUMBERED, i);

        rc = a2f_store_dev_free(st, txn, name, nlen, nd.name, dlen);
    }

    if (rc == A2F_ERR_EXISTS) {
        /* more names taken than devices allowed */
        rc = A2F_ERR_TOOBIG;
    }

    if (rc == A2F_OK) {
        rc = a2f_store_totp_put(st, txn, name, nlen, &nd, dlen);
    }

    if (rc == A2F_OK) {
        rc = a2f_store_fail_del(st, txn, 'u', name, nlen);
    }

    if (rc == A2F_OK) {
        rc = a2f_store_link_drop(st, txn, name, nlen, &lk);
    }

    if (rc == A2F_OK) {
        (void) snprintf(detail, sizeof(detail), "device=%s", nd.name);
        rc = a2f_store_audit_put(st, txn, now, "link_used", name, nlen, addr,
                                 detail);
    }

    if (rc != A2F_OK) {
        goto failed;
    }

    rc = a2f_store_commit(st, txn);

    if (rc == A2F_OK) {
        memcpy(user, name, nlen + 1);
        *ulen = nlen;

        if (gen != NULL) {
            *gen = g;
        }
    }

    goto done;

failed:

    mdb_txn_abort(txn);

done:

    a2f_store_wipe(&nd, sizeof(nd));
    a2f_store_wipe(&lk, sizeof(lk));

    return rc;
}


int
a2f_store_link_get(a2f_store_t *st, const char *user, size_t len,
    int64_t *expires)
{
    int               rc;
    MDB_txn          *txn;
    a2f_store_link_t  lk;

    rc = a2f_store_begin_user(st, MDB_RDONLY, user, len, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_store_link_read(st, txn, user, len, &lk);

    mdb_txn_abort(txn);

    if (rc == A2F_OK && expires != NULL) {
        *expires = lk.expires;
    }

    return rc;
}


int
a2f_store_link_del(a2f_store_t *st, const char *user, size_t len)
{
    int               rc;
    MDB_txn          *txn;
    a2f_store_link_t  lk;

    rc = a2f_store_begin_user(st, 0, user, len, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_store_link_read(st, txn, user, len, &lk);

    if (rc == A2F_OK) {
        rc = a2f_store_link_drop(st, txn, user, len, &lk);
    }

    if (rc != A2F_OK) {
        mdb_txn_abort(txn);
        return rc;
    }

    return a2f_store_commit(st, txn);
}


/* -- temporary API tokens -------------------------------------------------- */


/* the key of a token record: user "\0" 'a' id */

static size_t
a2f_store_apitoken_key(const char *user, size_t len, const uint8_t *id,
    uint8_t *buf)
{
    return a2f_store_cred_key(user, len, A2F_CRED_APITOKEN,
                              (const char *) id, A2F_APITOKEN_ID_LEN, buf);
}


static int
a2f_store_apitoken_decode(const MDB_val *val, a2f_store_apitoken_t *a)
{
    a2f_store_rd_t  r;

    if (a2f_store_rd_open(&r, val, A2F_REC_APITOKEN_V1) != A2F_OK) {
        return A2F_ERR_STORAGE;
    }

    a->tries = a2f_store_rd_u8(&r);
    a->created = (int64_t) a2f_store_rd_u64(&r);
    a->expires = (int64_t) a2f_store_rd_u64(&r);

    if (r.bad || r.left != 0 || a->tries > A2F_APITOKEN_TRIES_MAX) {
        return A2F_ERR_STORAGE;
    }

    return A2F_OK;
}


/*
 * A callback of a2f_store_cred_each() over a user's token records: stop
 * at the first expired one (its id in sw->id), else count the live ones
 * and remember the oldest (the first in key order of those made in the
 * same second).  A record with 0 tries counts as expired: it is dead.
 */

static int
a2f_store_apitoken_visit(const MDB_val *key, const MDB_val *val, unsigned i,
    void *arg)
{
    const uint8_t         *id;
    a2f_store_sweep_t     *sw = arg;
    a2f_store_apitoken_t   a;

    if (key->mv_size != sw->len + 2 + A2F_APITOKEN_ID_LEN
        || a2f_store_apitoken_decode(val, &a) != A2F_OK)
    {
        return A2F_ERR_STORAGE;
    }

    id = (const uint8_t *) key->mv_data + sw->len + 2;

    if (sw->now >= a.expires || a.tries == 0) {
        memcpy(sw->id, id, A2F_APITOKEN_ID_LEN);
        sw->expired = 1;
        return A2F_STORE_STOP;
    }

    sw->live++;

    if (!sw->oldest_set || a.created < sw->oldest_created) {
        memcpy(sw->oldest, id, A2F_APITOKEN_ID_LEN);
        sw->oldest_created = a.created;
        sw->oldest_set = 1;
    }

    return A2F_OK;
}


/*
 * In txn: delete the user's expired token records, then the oldest while
 * A2F_APITOKENS_MAX or more are live: one record per walk (a user has
 * at most A2F_APITOKENS_MAX of them), so no cursor deletes while it
 * walks.
 */

static int
a2f_store_apitoken_sweep(a2f_store_t *st, MDB_txn *txn, const char *user,
    size_t len, int64_t now)
{
    int                 rc, mrc;
    uint8_t             kbuf[A2F_CRED_KEY_MAX];
    MDB_val             key;
    unsigned            n;
    a2f_store_sweep_t   sw;

    for ( ;; ) {
        memset(&sw, 0, sizeof(sw));
        sw.len = len;
        sw.now = now;

        rc = a2f_store_cred_each(st, txn, user, len, A2F_CRED_APITOKEN,
                                 a2f_store_apitoken_visit, &sw, &n);
        if (rc != A2F_OK) {
            return rc;
        }

        if (sw.expired) {
            key.mv_size = a2f_store_apitoken_key(user, len, sw.id, kbuf);

        } else if (sw.live >= A2F_APITOKENS_MAX) {
            key.mv_size = a2f_store_apitoken_key(user, len, sw.oldest, kbuf);

        } else {
            return A2F_OK;
        }

        key.mv_data = kbuf;

        mrc = mdb_del(txn, st->creds, &key, NULL);
        if (mrc != MDB_SUCCESS) {
            return a2f_store_mdb_rc(mrc);
        }
    }
}


int
a2f_store_apitoken_new(a2f_store_t *st, const char *user, size_t len,
    const uint8_t id[A2F_APITOKEN_ID_LEN], unsigned tries, int64_t expires,
    int64_t now)
{
    int       rc, mrc;
    uint8_t   kbuf[A2F_CRED_KEY_MAX], vbuf[A2F_REC_APITOKEN_LEN];
    MDB_val   key, val;
    MDB_txn  *txn;

    /* now < expires <= now + A2F_APITOKEN_TEMP_TTL_MAX, no overflow */

    if (id == NULL || tries == 0 || tries > A2F_APITOKEN_TRIES_MAX
        || expires <= now
        || (uint64_t) expires - (uint64_t) now > A2F_APITOKEN_TEMP_TTL_MAX)
    {
        return A2F_ERR_INVALID;
    }

    if (!a2f_store_name_ok(user, len)) {
        return A2F_ERR_NOTFOUND;
    }

    vbuf[0] = A2F_REC_APITOKEN_V1;
    vbuf[1] = (uint8_t) tries;
    a2f_store_put64(vbuf + 2, (uint64_t) now);
    a2f_store_put64(vbuf + 10, (uint64_t) expires);

    rc = a2f_store_begin_user(st, 0, user, len, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    rc = a2f_store_apitoken_sweep(st, txn, user, len, now);
    if (rc != A2F_OK) {
        goto failed;
    }

    key.mv_data = kbuf;
    key.mv_size = a2f_store_apitoken_key(user, len, id, kbuf);
    val.mv_data = vbuf;
    val.mv_size = sizeof(vbuf);

    mrc = mdb_put(txn, st->creds, &key, &val, MDB_NOOVERWRITE);
    if (mrc != MDB_SUCCESS) {
        rc = a2f_store_mdb_rc(mrc);
        goto failed;
    }

    return a2f_store_commit(st, txn);

failed:

    mdb_txn_abort(txn);

    return rc;
}


int
a2f_store_apitoken_try(a2f_store_t *st, const char *user, size_t len,
    const uint8_t id[A2F_APITOKEN_ID_LEN], int64_t now, unsigned *left)
{
    int                   rc, mrc;
    uint8_t               kbuf[A2F_CRED_KEY_MAX], vbuf[A2F_REC_APITOKEN_LEN];
    MDB_val               key, val;
    MDB_txn              *txn;
    a2f_store_apitoken_t  a;

    if (left != NULL) {
        *left = 0;
    }

    if (id == NULL) {
        return A2F_ERR_INVALID;
    }

    if (!a2f_store_name_ok(user, len)) {
        return A2F_ERR_NOTFOUND;
    }

    rc = a2f_store_begin(st, 0, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    key.mv_data = kbuf;
    key.mv_size = a2f_store_apitoken_key(user, len, id, kbuf);

    mrc = mdb_get(txn, st->creds, &key, &val);
    if (mrc != MDB_SUCCESS) {
        rc = a2f_store_mdb_rc(mrc);
        goto failed;
    }

    rc = a2f_store_apitoken_decode(&val, &a);
    if (rc != A2F_OK) {
        goto failed;
    }

    if (now >= a.expires || a.tries <= 1) {

        /* expired, dead (0 tries), or this is its last try: gone */

        mrc = mdb_del(txn, st->creds, &key, NULL);

        if (mrc != MDB_SUCCESS) {
            rc = a2f_store_mdb_rc(mrc);
            goto failed;
        }

        rc = a2f_store_commit(st, txn);

        if (rc != A2F_OK) {
            return rc;
        }

        if (now >= a.expires) {
            return A2F_ERR_EXPIRED;
        }

        return a.tries == 1 ? A2F_OK : A2F_ERR_NOTFOUND;
    }

    /* one try fewer; val points into the database's pages: copy first */

    memcpy(vbuf, val.mv_data, sizeof(vbuf));
    vbuf[1] = (uint8_t) (a.tries - 1);

    val.mv_data = vbuf;
    val.mv_size = sizeof(vbuf);

    mrc = mdb_put(txn, st->creds, &key, &val, 0);
    if (mrc != MDB_SUCCESS) {
        rc = a2f_store_mdb_rc(mrc);
        goto failed;
    }

    rc = a2f_store_commit(st, txn);

    if (rc == A2F_OK && left != NULL) {
        *left = a.tries - 1;
    }

    return rc;

failed:

    mdb_txn_abort(txn);

    return rc;
}


int
a2f_store_apitoken_del(a2f_store_t *st, const char *user, size_t len,
    const uint8_t id[A2F_APITOKEN_ID_LEN])
{
    int       rc, mrc;
    uint8_t   kbuf[A2F_CRED_KEY_MAX];
    MDB_val   key;
    MDB_txn  *txn;

    if (id == NULL) {
        return A2F_ERR_INVALID;
    }

    if (!a2f_store_name_ok(user, len)) {
        return A2F_ERR_NOTFOUND;
    }

    rc = a2f_store_begin(st, 0, &txn);
    if (rc != A2F_OK) {
        return rc;
    }

    key.mv_data = kbuf;
    key.mv_size = a2f_store_apitoken_key(user, len, id, kbuf);

    mrc = mdb_del(txn, st->creds, &key, NULL);

    if (mrc != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        return a2f_store_mdb_rc(mrc);
    }

    return a2f_store_commit(st, txn);
}
