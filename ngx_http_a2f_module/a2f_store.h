
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_store.h: the LMDB file and every transaction on it.  The only file
 * that includes lmdb.h is a2f_store.c.
 *
 * One environment, MDB_NOSUBDIR (the file "path" and its lock file
 * "path-lock", both created with mode 0600), opened with MDB_NOTLS so
 * that read transactions may be used from nginx thread-pool threads.
 * Named databases:
 *
 *   users   user name -> user record (flags, generation, password hash,
 *           created, last login)
 *   creds   user name "\0" 't' device name -> TOTP device (algorithm,
 *           digits, period, last accepted step, created, secret sealed
 *           with AES-256-GCM under the data key; the additional
 *           authenticated data is user name "\0" device name, so a
 *           record cannot be moved to another user or device);
 *           user name "\0" 'r' -> the user's recovery codes (count,
 *           used bitmap, created, and per code only
 *           HMAC-SHA256(a2f_derive(data key, "a2f-recovery-v1"),
 *           user name "\0" code): a code itself is never stored);
 *           user name "\0" 'k' key name -> a security key (COSE
 *           algorithm, sign counter, flags, created, last used,
 *           transports, AAGUID, attestation format, U2F appId,
 *           credential id, COSE public key: public data, not sealed);
 *           user name "\0" 'e' -> the user's enrollment link (SHA-256
 *           of the token, created, expires);
 *           user name "\0" 'c' purpose -> the user's pending WebAuthn
 *           or FIDO U2F challenge of that purpose (expires, the random
 *           bytes);
 *           user name "\0" 'a' id (A2F_APITOKEN_ID_LEN bytes) -> a live
 *           temporary API token (a2f_apitoken.h) of the user: tries
 *           left, created, expires (the token itself is not stored);
 *           user name "\0" 'g' -> the user's group (its name; no record:
 *           no group)
 *   fails   'u' user name | 'a' client address -> failure bucket
 *           (count, first failure, locked until)
 *   audit   8-byte big-endian microsecond time -> event text
 *   meta    "version" -> schema version (4 bytes, little-endian, 1);
 *           "enroll." SHA-256 of a link token (32 bytes) -> user name
 *           (the index from a token to its user's 'e' record);
 *           "dek.<kid>" -> the 32-byte data key sealed (a2f_seal(), aad
 *           "a2f-dek") under the key-encryption key
 *           a2f_derive(ring key with that kid, "a2f-kek-v1")
 *
 * Records are versioned little-endian binary structs, decoded with a
 * bounds check on every field; a record that does not parse is
 * A2F_ERR_STORAGE (fail closed).
 *
 * Every write function is one write transaction: all or nothing.  On any
 * failure the transaction is aborted and nothing is written; a full map
 * (MDB_MAP_FULL) is A2F_ERR_FULL and leaves the committed data as it was.
 *
 * Thread safety: an a2f_store_t may be used by several threads at once
 * except a2f_store_user_gen(), which reuses one read transaction and must
 * be called from one thread only (the nginx event loop).  An a2f_store_t
 * must not cross fork(): close it before, open a new one after.
 *
 * Return codes are the A2F_* codes of a2f_common.h; a2f_strerror() turns
 * them into text.  Unless said otherwise every function may also return
 * A2F_ERR_STORAGE (an LMDB failure, or a record that does not parse).
 */

#ifndef _A2F_STORE_H_INCLUDED_
#define _A2F_STORE_H_INCLUDED_


#include "a2f_common.h"
#include "a2f_crypto.h"
#include "a2f_totp.h"
#include "a2f_password.h"
#include "a2f_apitoken.h"


#define A2F_STORE_CREATE     0x01   /* create the file if missing           */
#define A2F_STORE_RDONLY     0x02   /* open read-only                       */

#define A2F_STORE_MAPSIZE_DEFAULT  (64 * 1024 * 1024)

#define A2F_USER_ADMIN       0x01
#define A2F_USER_DISABLED    0x02

#define A2F_DEVICE_MAX       32     /* device name bytes                    */
#define A2F_DEVICES_MAX      8      /* TOTP devices per user                */
#define A2F_AUDIT_MAX        512    /* audit event text bytes, with NUL     */

#define A2F_TOTP_SECRET_MIN  10     /* secret bytes (80 bits)               */
#define A2F_TOTP_PERIOD_MIN  15     /* seconds                              */
#define A2F_TOTP_PERIOD_MAX  300

#define A2F_RECOVERY_CODES   10     /* codes in a set                       */
#define A2F_RECOVERY_LEN     14     /* text "xxxx-xxxx-xxxx", without NUL   */

#define A2F_SECKEY_ID_MAX    255    /* credential id bytes                  */
#define A2F_SECKEY_PUB_MAX   1024   /* public key bytes (COSE_Key)          */
#define A2F_SECKEY_FMT_MAX   15     /* attestation format bytes, no NUL     */
#define A2F_SECKEY_APPID_MAX 256    /* legacy U2F appId bytes, no NUL       */
#define A2F_SECKEY_AAGUID    16     /* authenticator model id bytes         */
#define A2F_SECKEYS_MAX      8      /* security keys per user               */

#define A2F_SECKEY_U2F       0x01   /* registered through the FIDO U2F API  */
#define A2F_SECKEY_CLONED    0x02   /* its sign count went backwards once:  */
                                    /* refused until an admin removes it    */

#define A2F_SECKEY_T_USB      0x01  /* transports (AuthenticatorTransport)  */
#define A2F_SECKEY_T_NFC      0x02
#define A2F_SECKEY_T_BLE      0x04
#define A2F_SECKEY_T_INTERNAL 0x08
#define A2F_SECKEY_T_HYBRID   0x10

#define A2F_CHALLENGE_LEN    32     /* random bytes of a challenge          */
#define A2F_CHALLENGE_TTL_MAX 900   /* seconds (an API temporary token      */
                                    /* lives 13 minutes)                    */
#define A2F_CHALLENGE_REGISTER  'r' /* purposes: navigator.credentials      */
#define A2F_CHALLENGE_ASSERT    'a' /* .create(), .get() (WebAuthn)         */

/* purposes of raw FIDO U2F through the API: authenticate, register */
#define A2F_CHALLENGE_U2F_SIGN      's'
#define A2F_CHALLENGE_U2F_REGISTER  'u'

#define A2F_GROUP_MAX        64     /* group name bytes                     */

#define A2F_LINK_TOKEN_LEN   32     /* base64url of 24 random bytes         */
#define A2F_LINK_TTL_MAX     (30 * 86400)


typedef struct a2f_store_s  a2f_store_t;


typedef struct {
    char       name[A2F_USER_MAX + 1];  /* NUL-terminated                   */
    size_t     name_len;
    uint32_t   flags;                 /* A2F_USER_*                         */
    uint32_t   gen;                   /* session generation                 */
    int64_t    created;
    int64_t    last_login;            /* 0: never                           */
    char       pwhash[A2F_PWHASH_MAX];  /* NUL-terminated hash string       */
    unsigned   ndevices;              /* filled by get/list                 */
    unsigned   nkeys;                 /* security keys, filled by get/list  */
    int64_t    locked_until;          /* filled by get/list (fails db)      */
} a2f_user_t;


typedef struct {
    char        name[A2F_DEVICE_MAX + 1];  /* NUL-terminated                */
    a2f_hash_t  alg;
    unsigned    digits;               /* 6 or 8                             */
    unsigned    period;               /* seconds, 15..300                   */
    uint64_t    last_step;            /* last accepted step, 0: none        */
    int64_t     created;
    uint8_t     secret[A2F_TOTP_SECRET_MAX];
    size_t      secret_len;
} a2f_totp_dev_t;


typedef struct {
    char        name[A2F_DEVICE_MAX + 1];  /* NUL-terminated                */
    uint8_t     cred_id[A2F_SECKEY_ID_MAX];
    size_t      cred_id_len;
    int         alg;                  /* COSE algorithm: -7, -8, -257       */
    uint8_t     pubkey[A2F_SECKEY_PUB_MAX];
    size_t      pubkey_len;
    uint32_t    sign_count;
    uint32_t    flags;                /* A2F_SECKEY_U2F, A2F_SECKEY_CLONED  */
    int64_t     created;
    int64_t     last_used;            /* 0: never                           */
    uint8_t     aaguid[A2F_SECKEY_AAGUID];  /* all zero: none or unknown    */
    char        fmt[A2F_SECKEY_FMT_MAX + 1];  /* "none", "packed",          */
                                      /* "fido-u2f"; "u2f": imported legacy */
                                      /* key; NUL-terminated                */
    unsigned    transports;           /* A2F_SECKEY_T_* bits                */
    char        appid[A2F_SECKEY_APPID_MAX + 1];  /* legacy U2F appId URL,  */
                                      /* "" for WebAuthn keys; NUL-ended    */
} a2f_seckey_t;


typedef struct {
    unsigned    max_fails;            /* per user; 0 = no lockout           */
    unsigned    max_fails_addr;       /* per client address; 0 = none       */
    int64_t     period;               /* seconds                            */
} a2f_lockout_t;


/*
 * Open a store.
 *
 * Opens (with A2F_STORE_CREATE creates) the database file at path and
 * its data key.  The data key is opened with the first ring key whose
 * kid has a "dek.<kid>" entry that opens.  A file without any data key
 * (a new one) gets a fresh random data key sealed under every ring key.
 * Unless A2F_STORE_RDONLY, the data key is also sealed under every ring
 * key that does not have it yet (this is how a new key joins: put it
 * first in the key file, keep the old one after it, open once; then the
 * old line may go, and a2f_store_dek_prune() drops its wrap).
 * With A2F_STORE_RDONLY nothing is written to the database file (LMDB
 * still creates a missing lock file and uses its reader table): a ring
 * key without a wrap stays without one.
 *
 * path     the database file (the lock file is path "-lock").
 * mapsize  the LMDB map size in bytes.  0: the size recorded in an
 *          existing file, A2F_STORE_MAPSIZE_DEFAULT for a new one.  LMDB
 *          raises a size smaller than the data already in the file.
 * kr       the key ring (at least one key).  The store keeps its own
 *          copy, wiped by a2f_store_close(); kr is not referenced later.
 * flags    A2F_STORE_CREATE: create the file when it is missing.
 *          A2F_STORE_RDONLY: open read-only (every write function then
 *          fails with A2F_ERR_STORAGE).  Not both.
 * st       on A2F_OK, the new store; the caller owns it and frees it
 *          with a2f_store_close().  Untouched on failure.
 * err      on failure, a NUL-terminated reason naming path (when errsz
 *          > 0).  Never contains a secret.
 *
 * Returns:
 *   A2F_OK
 *   A2F_ERR_INVALID  path or kr empty, or both flags given
 *   A2F_ERR_NOKEY    the file has data keys but no ring key opens one
 *                    (the key file does not match the database)
 *   A2F_ERR_FULL     the map is too small even for the schema
 *   A2F_ERR_CRYPTO   OpenSSL failure (random bytes, key derivation)
 *   A2F_ERR_NOMEM    allocation failure
 *   A2F_ERR_STORAGE  missing file (without CREATE), LMDB failure, a
 *                    schema version this code does not know, a file
 *                    that is not an a2f database
 */
int a2f_store_open(const char *path, size_t mapsize, const a2f_keyring_t *kr,
    unsigned flags, a2f_store_t **st, char *err, size_t errsz);

/*
 * Close the store: end its reused read transaction, close the LMDB
 * environment, wipe the keys and free st.  st may be NULL.  No other
 * thread may be using st.
 */
void a2f_store_close(a2f_store_t *st);

/*
 * Clear stale reader slots left by dead processes (mdb_reader_check).
 * dead (may be NULL) receives the number of slots cleared.
 * Returns A2F_OK or A2F_ERR_STORAGE.
 */
int a2f_store_reader_check(a2f_store_t *st, int *dead);

/*
 * Hot copy of the whole database to a new file at path, created with
 * mode 0600 (mdb_env_copyfd2() with MDB_CP_COMPACT, then fsync); readers
 * and writers may go on meanwhile.  The copy keeps the sealed data keys:
 * it opens with the same key file.  path must not exist; a failed copy
 * is removed.
 * Returns A2F_OK, A2F_ERR_INVALID (path NULL or empty), A2F_ERR_EXISTS
 * (path exists) or A2F_ERR_STORAGE.
 */
int a2f_store_backup(a2f_store_t *st, const char *path);

/*
 * Key rotation: drop the data key wraps of keys that left the ring.
 *
 * In one write transaction, delete every meta record "dek.<kid>" whose
 * kid is not the kid of a key in the store's ring (the ring given to
 * a2f_store_open()), so that a removed key alone no longer opens the
 * data key.  Nothing is deleted unless at least one ring key has a
 * "dek.<kid>" record that opens to the store's data key: the database
 * is never left without a wrap the current ring opens.  When nothing
 * is to be deleted nothing is written.
 *
 * The data key itself stays the same: a copy of the database made
 * before (a backup) still opens with the removed key.  The deleted
 * records may linger in free pages of the file until LMDB reuses them;
 * a2f_store_backup() (a compacting copy) writes a file without them.
 *
 * st       a store opened without A2F_STORE_RDONLY.
 * removed  on A2F_OK, the number of records deleted; 0 on failure.
 *          May be NULL.
 *
 * Returns:
 *   A2F_OK
 *   A2F_ERR_NOKEY    no ring key has a data key record that opens
 *                    (nothing deleted)
 *   A2F_ERR_FULL     the map is full (nothing deleted)
 *   A2F_ERR_CRYPTO   OpenSSL failure (key derivation, decryption)
 *   A2F_ERR_NOMEM    allocation failure
 *   A2F_ERR_STORAGE  the store is read-only, or an LMDB failure
 */
int a2f_store_dek_prune(a2f_store_t *st, unsigned *removed);

/*
 * Hot path: the generation and flags of a user, through one reused read
 * transaction (mdb_txn_renew / mdb_txn_reset): no allocation after the
 * first call.  gen and flags are set on A2F_OK only.  One thread only.
 * Returns A2F_OK, A2F_ERR_NOTFOUND (also for an empty or over-long name)
 * or A2F_ERR_STORAGE.
 */
int a2f_store_user_gen(a2f_store_t *st, const char *name, size_t len,
    uint32_t *gen, uint32_t *flags);

/*
 * Users.  name/len is the user name (not NUL-terminated).  Missing users
 * are A2F_ERR_NOTFOUND.  Writes are one transaction each; every write may
 * also return A2F_ERR_FULL.
 *
 * a2f_store_user_get: fill u (with ndevices, nkeys and locked_until).  u is
 * the caller's; wipe u->pwhash when done if it matters.
 *
 * a2f_store_user_add: add u->name (u->name_len bytes; must pass
 * a2f_user_name_valid()) with u->flags, u->gen and u->pwhash (a
 * NUL-terminated hash string of a2f_password_hash(), non-empty, shorter
 * than A2F_PWHASH_MAX).  u->created 0 means now; u->gen 0 means a random
 * generation (so a re-created user never revives old cookies);
 * u->last_login is kept;
 * ndevices and locked_until are ignored.  Returns A2F_ERR_EXISTS when
 * the name is taken, A2F_ERR_INVALID for a bad name or hash.
 *
 * a2f_store_user_del: remove the user, every device of the user, the
 * user's recovery codes, security keys, enrollment link, challenges,
 * temporary API token records and group (every creds record under user
 * "\0"), and the user's failure bucket.
 *
 * a2f_store_user_set_password: store a new hash string (A2F_ERR_INVALID
 * when empty or too long) and bump the generation, which ends the
 * user's existing sessions.
 *
 * a2f_store_user_revoke: bump the generation (log the user out
 * everywhere).
 *
 * a2f_store_user_set_flags: replace the A2F_USER_* flags (other bits are
 * A2F_ERR_INVALID).
 *
 * a2f_store_user_list: call cb for every user in name order (byte order
 * of the names), each with ndevices, nkeys and locked_until filled, until cb
 * returns non-zero; that value is then returned.  u is valid only during
 * the call.  cb runs inside a read transaction and must not call store
 * functions.  Returns A2F_OK (or cb's non-zero value) or A2F_ERR_STORAGE.
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
 * Flags, atomically: in one write transaction read the user's flags,
 * set the bits of set, clear the bits of clear (set wins over clear)
 * and write them back; *flags (may be NULL) receives the new flags.
 * Bits other than A2F_USER_* are A2F_ERR_INVALID.  Returns A2F_OK,
 * A2F_ERR_NOTFOUND, A2F_ERR_INVALID, A2F_ERR_FULL or A2F_ERR_STORAGE.
 */
int a2f_store_user_update_flags(a2f_store_t *st, const char *name,
    size_t len, uint32_t set, uint32_t clear, uint32_t *flags);

/*
 * User groups (the auth2factor API's x-app-account-group header): a user
 * has no group or one.  A group name is 1..A2F_GROUP_MAX bytes of
 * printable ASCII without spaces, '"' or '\\' (0x21..0x7e but 0x22 and
 * 0x5c): it goes into an HTTP header and into JSON as it is.  Nothing
 * here is audited (as for the other user setters, the caller audits:
 * a2fctl "group_set", "group_clear").
 *
 * a2f_store_user_group_get: read-only: the user's group into group
 * (NUL-terminated) and *glen (may be NULL) its length; "" and 0 when the
 * user has none.  group is "" (and *glen 0) on failure too.  Returns
 * A2F_OK, A2F_ERR_NOTFOUND (no such user; also for an empty or over-long
 * name), A2F_ERR_INVALID (group NULL) or A2F_ERR_STORAGE (also a group
 * record that does not parse or holds a bad name).
 *
 * a2f_store_user_group_set: in one write transaction, make group (glen
 * bytes, not NUL-terminated) the user's group, in place of any earlier
 * one; glen 0 removes the user's group (group may then be NULL; A2F_OK
 * also when the user had none, and nothing is written).  Returns A2F_OK,
 * A2F_ERR_NOTFOUND (no such user), A2F_ERR_INVALID (glen > 0 and group
 * NULL or not a valid group name: checked first, nothing written),
 * A2F_ERR_FULL or A2F_ERR_STORAGE.
 *
 * a2f_store_user_del() also removes the user's group.
 */
/* Is group (glen bytes) a valid group name?  1: yes, 0: no. */
int a2f_store_group_ok(const char *group, size_t glen);

int a2f_store_user_group_get(a2f_store_t *st, const char *user, size_t len,
    char group[A2F_GROUP_MAX + 1], size_t *glen);
int a2f_store_user_group_set(a2f_store_t *st, const char *user, size_t len,
    const char *group, size_t glen);

/*
 * Security keys (WebAuthn / FIDO U2F credentials).  Public data: not
 * sealed.
 *
 * a2f_store_seckey_add: add k to user.  Names as for TOTP devices (an
 * empty name means "key"); cred_id_len 1..A2F_SECKEY_ID_MAX, pubkey_len
 * 1..A2F_SECKEY_PUB_MAX; k->fmt 1..A2F_SECKEY_FMT_MAX bytes and k->appid
 * 0..A2F_SECKEY_APPID_MAX bytes, both NUL-terminated in their arrays and
 * of printable ASCII without spaces (0x21..0x7e); k->flags only
 * A2F_SECKEY_U2F and A2F_SECKEY_CLONED, k->transports only A2F_SECKEY_T_*
 * bits; else A2F_ERR_INVALID.  k->aaguid, k->alg, k->sign_count and
 * k->last_used are stored as given; k->created 0 means now.
 * A credential id the user has already (under any name) is
 * A2F_ERR_EXISTS, as is a name taken.  A2F_ERR_TOOBIG when the user has
 * A2F_SECKEYS_MAX keys.  A2F_ERR_NOTFOUND: no such user.
 *
 * a2f_store_seckey_list: fill keys[0..max-1] in name order, set *n
 * (as a2f_store_totp_list).  Returns A2F_OK or A2F_ERR_NOTFOUND.
 *
 * a2f_store_seckey_find: read-only: the user's key with credential id
 * cred_id (idlen bytes, compared exactly) into k (may be NULL: only
 * whether there is one).  Returns A2F_OK or A2F_ERR_NOTFOUND (no such
 * user, or no key with that id; also for a NULL cred_id, idlen 0 or
 * idlen over A2F_SECKEY_ID_MAX).  k is set on A2F_OK only.
 *
 * a2f_store_seckey_del: remove the key named name.  Returns A2F_OK or
 * A2F_ERR_NOTFOUND (no such user or key).
 *
 * a2f_store_user_del() also removes the user's security keys.
 */
int a2f_store_seckey_add(a2f_store_t *st, const char *user, size_t len,
    const a2f_seckey_t *k, int64_t now);
int a2f_store_seckey_list(a2f_store_t *st, const char *user, size_t len,
    a2f_seckey_t *keys, unsigned max, unsigned *n);
int a2f_store_seckey_find(a2f_store_t *st, const char *user, size_t len,
    const uint8_t *cred_id, size_t idlen, a2f_seckey_t *k);
int a2f_store_seckey_del(a2f_store_t *st, const char *user, size_t len,
    const char *name, size_t namelen);

/*
 * Security key authentication events, each one write transaction (as
 * the events of a2f_store_totp_verify(): lo NULL means no lockout; addr,
 * NUL-terminated, at most A2F_ADDR_MAX bytes, may be NULL).
 *
 * a2f_store_seckey_use: the success step, once the caller has verified
 * an assertion's signature with the key of credential id cred_id (idlen
 * bytes) and read its signature counter new_count from the
 * authenticator data.  Inside one write transaction: refuse when the
 * user or addr is locked or the user is disabled; find the user's key
 * with that id; refuse a key flagged A2F_SECKEY_CLONED (audits
 * "key_refused" with "cloned key=<name>", not counted).  Then the
 * counter check of WebAuthn (section 7.2, step 21) against the stored
 * counter, read in this transaction: when either is non-zero and
 * new_count is not greater than the stored one, the key may be cloned:
 * it is flagged A2F_SECKEY_CLONED (refused from then on), a failure is
 * counted against user and addr, "key_cloned" is audited with
 * "key=<name> count=<new_count> stored=<old>" (and "locked" when a
 * bucket becomes locked).  Else new_count and last_used = now are
 * stored, the user's failure bucket is cleared and "key_ok" is audited
 * with "key=<name>".  Of two concurrent calls with the same non-zero
 * new_count exactly one returns A2F_OK; the other finds the count
 * used, returns A2F_ERR_REPLAY and flags the key (an equal count is the
 * signal of a clone).  A key without a counter (both 0) is accepted
 * every time: against replays of its assertions only the single-use
 * challenge (a2f_store_challenge_take()) protects.
 * Returns:
 *   A2F_OK            accepted; the counter and last use are stored
 *   A2F_ERR_REPLAY    the key is flagged as cloned (not counted), or the
 *                     counter did not grow: flagged now (counted)
 *   A2F_ERR_LOCKED    user or address locked (nothing checked)
 *   A2F_ERR_DISABLED  the user is disabled (nothing checked)
 *   A2F_ERR_NOTFOUND  no such user, or the user has no key with that id
 *                     (also for a NULL cred_id or a bad idlen); not
 *                     counted
 *   A2F_ERR_INVALID   addr too long
 *   A2F_ERR_FULL, A2F_ERR_STORAGE
 * On every failure but A2F_ERR_REPLAY nothing is written.
 *
 * a2f_store_seckey_fail: a failed security key step of user (a bad
 * signature, an assertion of an unknown credential, a wrong challenge or
 * origin...): count a failure against user and addr exactly as for a
 * wrong TOTP code (auditing "locked" when a bucket becomes locked) and
 * audit "key_failed" with reason (may be NULL; a short text without
 * secrets, such as "signature key=yubi"; cut with the event text to
 * A2F_AUDIT_MAX - 1 bytes).  Nothing is refused here: the caller checks
 * a2f_store_locked() before it verifies anything.
 * Returns A2F_OK (recorded), A2F_ERR_NOTFOUND (no such user: nothing
 * written, as a2f_store_totp_verify() does not count codes for unknown
 * users), A2F_ERR_INVALID (addr too long), A2F_ERR_FULL or
 * A2F_ERR_STORAGE.
 */
int a2f_store_seckey_use(a2f_store_t *st, const a2f_lockout_t *lo,
    const char *user, size_t len, const char *addr, const uint8_t *cred_id,
    size_t idlen, uint32_t new_count, int64_t now);
int a2f_store_seckey_fail(a2f_store_t *st, const a2f_lockout_t *lo,
    const char *user, size_t len, const char *addr, const char *reason,
    int64_t now);

/*
 * Challenges (WebAuthn section 13.4.3: at least 16 random bytes, made
 * by the server, used once): A2F_CHALLENGE_LEN random bytes per user and
 * purpose, each with an expiry.  Four purposes, each kept apart (a user
 * may have one of each at once): A2F_CHALLENGE_REGISTER for WebAuthn
 * navigator.credentials.create(), A2F_CHALLENGE_ASSERT for .get(),
 * A2F_CHALLENGE_U2F_REGISTER and A2F_CHALLENGE_U2F_SIGN for a raw FIDO
 * U2F registration and authentication through the API.  Nothing about
 * challenges is audited.
 *
 * a2f_store_challenge_new: fresh random bytes (a2f_random()) into out,
 * stored as the user's challenge of purpose until expires (Unix
 * seconds; now < expires <= now + A2F_CHALLENGE_TTL_MAX, else
 * A2F_ERR_INVALID), in place of the user's previous challenge of that
 * purpose (which can no longer be taken); those of the other purposes
 * are kept.  out is all zero on failure.  Returns A2F_OK,
 * A2F_ERR_NOTFOUND (no such user), A2F_ERR_INVALID (also a purpose that
 * is not one of the four, or out NULL), A2F_ERR_CRYPTO, A2F_ERR_FULL or
 * A2F_ERR_STORAGE.
 *
 * a2f_store_challenge_take: in one write transaction read the user's
 * challenge of purpose into out and delete it: it is taken once,
 * whatever the caller's verification says later; those of the other
 * purposes stay.  out is set on A2F_OK only (all zero otherwise).
 * Returns A2F_OK, A2F_ERR_NOTFOUND (no such user, no challenge, or
 * taken already), A2F_ERR_EXPIRED (now >= expires; it is deleted all
 * the same), A2F_ERR_INVALID (a bad purpose, out NULL), A2F_ERR_FULL or
 * A2F_ERR_STORAGE (nothing deleted).
 *
 * a2f_store_user_del() also removes the user's challenges.
 */
int a2f_store_challenge_new(a2f_store_t *st, const char *user, size_t len,
    int purpose, int64_t expires, int64_t now,
    uint8_t out[A2F_CHALLENGE_LEN]);
int a2f_store_challenge_take(a2f_store_t *st, const char *user, size_t len,
    int purpose, int64_t now, uint8_t out[A2F_CHALLENGE_LEN]);

/*
 * Temporary API tokens (a2f_apitoken.h): the tries left of each live
 * temporary token of a user, kept under the token's random id.  The
 * token text carries the MAC, the user, the generation and the expiry;
 * the record makes it stateful: a token whose record is gone (used up,
 * spent, expired, dropped as the oldest, or its user deleted) is dead,
 * whatever its MAC says.  Nothing here is audited.  Whether the user is
 * disabled or revoked is the caller's to check (a2f_store_user_gen()).
 *
 * a2f_store_apitoken_new: in one write transaction: first remove the
 * user's expired token records (now >= expires) and, while the user has
 * A2F_APITOKENS_MAX live ones or more, the oldest (by the time it was
 * made, now of its a2f_store_apitoken_new()), then record token id with
 * tries (1..A2F_APITOKEN_TRIES_MAX) until expires (now < expires <= now
 * + A2F_APITOKEN_TEMP_TTL_MAX).  The user has at most A2F_APITOKENS_MAX
 * records afterwards.  Returns A2F_OK, A2F_ERR_INVALID (id NULL, tries
 * or times out of range), A2F_ERR_NOTFOUND (no such user; also for an
 * empty or over-long name), A2F_ERR_EXISTS (the user has a record of
 * that id: nothing written), A2F_ERR_FULL or A2F_ERR_STORAGE.
 *
 * a2f_store_apitoken_try: one use of the token (one code or security key
 * attempt), before the attempt is checked: in one write transaction
 * read the record of id, and take one try from it; a record left with 0
 * tries is deleted (the token is dead from then on).  *left (may be
 * NULL) receives the tries left after this one, on A2F_OK only (0
 * otherwise).  Of all calls on a token made with n tries (concurrent or
 * not: threads, workers, processes) at most n return A2F_OK.  Returns:
 *   A2F_OK            a try was taken: now check the code
 *   A2F_ERR_NOTFOUND  no record: never made, used up, spent, dropped,
 *                     or the user deleted (also for a bad name)
 *   A2F_ERR_EXPIRED   now >= expires: the record is deleted all the same
 *   A2F_ERR_INVALID   id NULL
 *   A2F_ERR_FULL, A2F_ERR_STORAGE (nothing written)
 *
 * a2f_store_apitoken_del: delete the record of id: the token is spent
 * (after a successful code, so that its remaining tries cannot be
 * used).  Returns A2F_OK, A2F_ERR_NOTFOUND (no such record: already
 * gone, e.g. its last try was taken, which is as good), A2F_ERR_INVALID
 * (id NULL), A2F_ERR_FULL or A2F_ERR_STORAGE.
 *
 * a2f_store_user_del() also removes the user's token records.
 */
int a2f_store_apitoken_new(a2f_store_t *st, const char *user, size_t len,
    const uint8_t id[A2F_APITOKEN_ID_LEN], unsigned tries, int64_t expires,
    int64_t now);
int a2f_store_apitoken_try(a2f_store_t *st, const char *user, size_t len,
    const uint8_t id[A2F_APITOKEN_ID_LEN], int64_t now, unsigned *left);
int a2f_store_apitoken_del(a2f_store_t *st, const char *user, size_t len,
    const uint8_t id[A2F_APITOKEN_ID_LEN]);

/*
 * Enrollment links: a single-use, expiring token an administrator hands
 * to a user, who sets a password and activates an authenticator app
 * with it.  Only the SHA-256 of a token is stored.  A user has at most
 * one link: a new one replaces the old one (which stops working).
 *
 * a2f_store_link_new: a fresh random token for user, valid until
 * expires (Unix seconds; now < expires <= now + A2F_LINK_TTL_MAX, else
 * A2F_ERR_INVALID), written into token (A2F_LINK_TOKEN_LEN base64url
 * characters and a NUL).  Audits "link_new" with detail (may be NULL,
 * e.g. "by=admin").  Returns A2F_OK, A2F_ERR_NOTFOUND, A2F_ERR_INVALID,
 * A2F_ERR_CRYPTO, A2F_ERR_FULL or A2F_ERR_STORAGE.
 *
 * a2f_store_link_check: read-only: the user of a valid token.  user
 * receives the NUL-terminated name (A2F_USER_MAX + 1 bytes), *ulen its
 * length, *expires (may be NULL) the link's end.  The stored hash is
 * compared with CRYPTO_memcmp.  Returns A2F_OK, A2F_ERR_NOTFOUND (no
 * such token: never made, used, replaced, or its user deleted),
 * A2F_ERR_EXPIRED (now >= expires), A2F_ERR_DISABLED (the user is
 * disabled), A2F_ERR_INVALID (token not A2F_LINK_TOKEN_LEN base64url
 * characters) or A2F_ERR_STORAGE.
 *
 * a2f_store_link_use: in one write transaction: the checks of
 * a2f_store_link_check(), then set the user's password hash to pwhash
 * (bumping the generation, as a2f_store_user_set_password()), add TOTP
 * device d (as a2f_store_totp_add(); an empty or taken d->name becomes
 * "default", else "device-N" for the first N free), clear the user's
 * failure bucket, delete the link, and audit "link_used" with the
 * device name.  Nothing is written unless all of it succeeds.  user,
 * ulen and gen (may be NULL) receive the user's name and new
 * generation.  Returns the codes of a2f_store_link_check(), and
 * A2F_ERR_TOOBIG (the user has A2F_DEVICES_MAX devices), A2F_ERR_CRYPTO,
 * A2F_ERR_FULL.
 *
 * a2f_store_link_get: read-only: *expires of the user's link.  Returns
 * A2F_OK, A2F_ERR_NOTFOUND (no such user, or no link; an expired link
 * is A2F_OK with expires in the past) or A2F_ERR_STORAGE.
 *
 * a2f_store_link_del: remove the user's link (and its index).  Returns
 * A2F_OK or A2F_ERR_NOTFOUND (no user or no link).
 *
 * a2f_store_user_del() also removes the user's security keys and link.
 */
int a2f_store_link_new(a2f_store_t *st, const char *user, size_t len,
    int64_t expires, int64_t now, const char *detail,
    char token[A2F_LINK_TOKEN_LEN + 1]);
int a2f_store_link_check(a2f_store_t *st, const char *token, size_t toklen,
    int64_t now, char user[A2F_USER_MAX + 1], size_t *ulen,
    int64_t *expires);
int a2f_store_link_use(a2f_store_t *st, const char *token, size_t toklen,
    int64_t now, const char *pwhash, const a2f_totp_dev_t *d,
    const char *addr, char user[A2F_USER_MAX + 1], size_t *ulen,
    uint32_t *gen);
int a2f_store_link_get(a2f_store_t *st, const char *user, size_t len,
    int64_t *expires);
int a2f_store_link_del(a2f_store_t *st, const char *user, size_t len);

/*
 * TOTP devices.
 *
 * a2f_store_totp_add: add device d to user: d->secret is sealed under the
 * data key; an empty d->name means "default" (names are 1..A2F_DEVICE_MAX
 * bytes without control bytes); d->last_step is kept (normally 0);
 * d->created 0 means now.  Checks alg (A2F_SHA*), digits (6 or 8),
 * period (A2F_TOTP_PERIOD_MIN..MAX) and secret_len
 * (A2F_TOTP_SECRET_MIN..A2F_TOTP_SECRET_MAX): A2F_ERR_INVALID.
 * Returns A2F_OK, A2F_ERR_NOTFOUND (no such user), A2F_ERR_EXISTS (the
 * user has a device of that name), A2F_ERR_TOOBIG (the user has
 * A2F_DEVICES_MAX devices), A2F_ERR_INVALID, A2F_ERR_CRYPTO,
 * A2F_ERR_FULL or A2F_ERR_STORAGE.
 *
 * a2f_store_totp_list: fill devs[0..max-1] in device name order, secrets
 * decrypted, and set *n to the number filled (at most max; max 0 only
 * counts nothing).  The secrets are the caller's to wipe.  Returns A2F_OK
 * (also for a user without devices), A2F_ERR_NOTFOUND (no such user),
 * A2F_ERR_CRYPTO or A2F_ERR_STORAGE (a secret that does not open).
 *
 * a2f_store_totp_del: remove one device.  Returns A2F_OK,
 * A2F_ERR_NOTFOUND (no such user or device), A2F_ERR_FULL or
 * A2F_ERR_STORAGE.
 */
int a2f_store_totp_add(a2f_store_t *st, const char *user, size_t len,
    const a2f_totp_dev_t *d, int64_t now);
int a2f_store_totp_list(a2f_store_t *st, const char *user, size_t len,
    a2f_totp_dev_t *devs, unsigned max, unsigned *n);
int a2f_store_totp_del(a2f_store_t *st, const char *user, size_t len,
    const char *dev, size_t devlen);

/*
 * Failure buckets.  A failure at now restarts the bucket (count 1, first
 * now) when now - first >= lo->period, else counts one more; when the
 * count reaches the limit, the bucket is locked until now + lo->period.
 *
 * a2f_store_locked: A2F_OK when neither the user's bucket nor the
 * address's is locked at now (locked_until > now), else A2F_ERR_LOCKED.
 * A limit of 0 in lo (or lo NULL) skips that bucket; addr may be NULL.
 * Returns A2F_OK, A2F_ERR_LOCKED, A2F_ERR_INVALID (addr longer than
 * A2F_ADDR_MAX) or A2F_ERR_STORAGE.
 *
 * a2f_store_unlock: clear the user's bucket.  Returns A2F_OK,
 * A2F_ERR_NOTFOUND (no such user), A2F_ERR_FULL or A2F_ERR_STORAGE.
 */
int a2f_store_locked(a2f_store_t *st, const a2f_lockout_t *lo,
    const char *user, size_t len, const char *addr, int64_t now);
int a2f_store_unlock(a2f_store_t *st, const char *user, size_t len);

/*
 * Authentication events, each one write transaction (the caller runs
 * them off the event loop).  lo NULL means no lockout; addr (the client
 * address text, at most A2F_ADDR_MAX bytes, NUL-terminated) may be NULL.
 *
 * a2f_store_password_result: ok != 0 clears the user's bucket, sets
 * last_login to now and audits "login" (A2F_ERR_NOTFOUND when the user
 * does not exist).  ok == 0 counts a failure against the user (only when
 * the user exists: no bucket is created for unknown names) and against
 * addr, locking either past its limit, and audits "login_failed" (and
 * "locked" when a bucket becomes locked).  Returns A2F_OK (the event was
 * recorded), A2F_ERR_NOTFOUND, A2F_ERR_INVALID (addr too long),
 * A2F_ERR_FULL or A2F_ERR_STORAGE.
 *
 * a2f_store_totp_verify: inside one write transaction: refuse when the
 * user or addr is locked, check code against every device of the user
 * (window steps either side of now, 0..A2F_TOTP_WINDOW_MAX), on a match
 * store the step as that device's last step (so a code is accepted once,
 * also across workers and processes: of two concurrent calls with the
 * same code exactly one returns A2F_OK) and clear the user's bucket, else
 * count a failure against user and addr.  Audits "otc_ok",
 * "otc_failed", "otc_replay" and "locked".
 * Returns:
 *   A2F_OK            a device accepted the code; its step is stored
 *   A2F_ERR_AUTH      no device accepted it (counted)
 *   A2F_ERR_REPLAY    it matched only an already used step (counted)
 *   A2F_ERR_LOCKED    user or address locked (nothing checked)
 *   A2F_ERR_NOTFOUND  no such user, or the user has no device
 *   A2F_ERR_DISABLED  the user is disabled (nothing checked)
 *   A2F_ERR_INVALID   code is not 1..A2F_CODE_MAX ASCII digits, or its
 *                     length fits no device (not counted), or addr too
 *                     long, or window too large
 *   A2F_ERR_CRYPTO, A2F_ERR_FULL, A2F_ERR_STORAGE
 */
int a2f_store_password_result(a2f_store_t *st, const a2f_lockout_t *lo,
    const char *user, size_t len, const char *addr, int ok, int64_t now);
int a2f_store_totp_verify(a2f_store_t *st, const a2f_lockout_t *lo,
    const char *user, size_t len, const char *addr, const char *code,
    size_t codelen, unsigned window, int64_t now);

/*
 * Recovery codes: A2F_RECOVERY_CODES single-use codes per user, each
 * accepted once on the code page in place of a TOTP code.
 *
 * A code is 12 characters of the 32-letter alphabet
 * "0123456789abcdefghjkmnpqrstvwxyz" (Crockford's base32 in lower case:
 * no i, l, o or u), 5 random bits each, 60 bits in all, shown in groups
 * of four: "xxxx-xxxx-xxxx" (A2F_RECOVERY_LEN characters).  Only a keyed
 * hash of each code is stored (see the creds database above).
 *
 * a2f_store_recovery_new: make a new set for user (len bytes) and write
 * it in place of any previous set (whose codes stop working at once),
 * in one write transaction; audits "recovery_new".  codes receives the
 * A2F_RECOVERY_CODES codes as NUL-terminated text: the caller shows
 * them once and then wipes them (OPENSSL_cleanse); on any failure
 * codes is wiped (all NUL) and nothing is written.  now is the time of
 * the set and of the audit event.
 * Returns:
 *   A2F_OK
 *   A2F_ERR_NOTFOUND  no such user (also for an empty or over-long name)
 *   A2F_ERR_INVALID   codes NULL
 *   A2F_ERR_CRYPTO    OpenSSL failure (random bytes, HMAC)
 *   A2F_ERR_FULL, A2F_ERR_STORAGE
 *
 * a2f_store_recovery_use: inside one write transaction: refuse when the
 * user or addr is locked (as a2f_store_totp_verify()), then check code
 * (codelen bytes) against every unused code of the user's set, all of
 * them compared in constant time.  The code is read case-insensitively,
 * with or without its dashes, spaces ignored; 'o' reads as '0' and 'i'
 * and 'l' as '1'.  On a match the code is marked used, the user's
 * failure bucket is cleared, "recovery_ok" is audited with
 * "remaining=N" and *remaining (may be NULL) is set to the number of
 * codes left unused.  Otherwise a failure is counted against user and
 * addr exactly as for a wrong TOTP code (auditing "locked" when a bucket
 * becomes locked) and "recovery_failed" is audited: a wrong code, a code
 * used before, and a user without recovery codes all look the same to
 * the caller.  lo NULL means no lockout; addr (NUL-terminated, at most
 * A2F_ADDR_MAX bytes) may be NULL.  *remaining is set on A2F_OK only.
 * Returns:
 *   A2F_OK            the code was accepted (and is now used up)
 *   A2F_ERR_AUTH      no unused code of the user matches, or the user
 *                     has no recovery codes (counted)
 *   A2F_ERR_LOCKED    user or address locked (nothing checked)
 *   A2F_ERR_NOTFOUND  no such user (not counted)
 *   A2F_ERR_DISABLED  the user is disabled (nothing checked)
 *   A2F_ERR_INVALID   code is not 12 alphabet characters once dashes and
 *                     spaces are dropped, or longer than 64 bytes (not
 *                     counted); or addr too long
 *   A2F_ERR_CRYPTO, A2F_ERR_FULL, A2F_ERR_STORAGE
 *
 * a2f_store_recovery_count: set *remaining to the number of unused
 * recovery codes of user, 0 when the user has no set (read-only).
 * Returns A2F_OK, A2F_ERR_NOTFOUND (no such user) or A2F_ERR_STORAGE.
 */
int a2f_store_recovery_new(a2f_store_t *st, const char *user, size_t len,
    char codes[A2F_RECOVERY_CODES][A2F_RECOVERY_LEN + 1], int64_t now);
int a2f_store_recovery_use(a2f_store_t *st, const a2f_lockout_t *lo,
    const char *user, size_t len, const char *addr, const char *code,
    size_t codelen, int64_t now, unsigned *remaining);
int a2f_store_recovery_count(a2f_store_t *st, const char *user, size_t len,
    unsigned *remaining);

/*
 * Audit trail.
 *
 * a2f_store_audit: append the text "<event> user=<user> addr=<addr>"
 * followed by " <detail>" when detail is not empty, cut to
 * A2F_AUDIT_MAX - 1 bytes, at now (Unix seconds).  The key is
 * now * 1000000 plus a counter, so events of one second keep their
 * order.  Control bytes (and spaces in user and addr) become '?'.
 * user (len bytes) and addr may be NULL ("-"), detail may be NULL.
 * Returns A2F_OK, A2F_ERR_INVALID (event NULL), A2F_ERR_FULL or
 * A2F_ERR_STORAGE.
 *
 * a2f_store_audit_list: call cb newest first, at most max times, until
 * cb returns non-zero (which is then returned).  usec is the event time
 * in microseconds; text is NUL-terminated, len bytes, valid only during
 * the call.  cb runs inside a read transaction and must not call store
 * functions.  Returns A2F_OK (or cb's value) or A2F_ERR_STORAGE.
 */
int a2f_store_audit(a2f_store_t *st, int64_t now, const char *event,
    const char *user, size_t len, const char *addr, const char *detail);
int a2f_store_audit_list(a2f_store_t *st, unsigned max,
    int (*cb)(int64_t usec, const char *text, size_t len, void *arg),
    void *arg);

/*
 * a2f_store_audit_page: as a2f_store_audit_list(), but only events
 * older than before (microseconds; 0: from the newest), for paging:
 * the next page starts before the last usec of this one.
 *
 * a2f_store_audit_hook: after every write transaction that committed
 * audit events, call hook(arg, text, len) once per event (in the order
 * written, text NUL-terminated as stored), in the thread that
 * committed, outside the transaction.  A transaction that does not
 * commit calls nothing.  hook NULL: none (the default).  Set it before
 * the store is shared between threads.
 */
int a2f_store_audit_page(a2f_store_t *st, int64_t before, unsigned max,
    int (*cb)(int64_t usec, const char *text, size_t len, void *arg),
    void *arg);
void a2f_store_audit_hook(a2f_store_t *st,
    void (*hook)(void *arg, const char *text, size_t len), void *arg);


#endif /* _A2F_STORE_H_INCLUDED_ */
