
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2fctl.c: the ops command line tool: users and their groups, TOTP
 * devices, security keys, enrollment links, recovery codes, lockouts,
 * sessions, keys, backups and the audit trail of an a2f database; QR
 * codes.
 *
 * Exit status: 0 done, 1 runtime error, 2 usage error.
 */


#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "a2f_common.h"
#include "a2f_crypto.h"
#include "a2f_password.h"
#include "a2f_totp.h"
#include "a2f_store.h"
#include "a2f_qr.h"
#include "a2f_webauthn.h"


#define A2F_CTL_OK          0
#define A2F_CTL_FAIL        1
#define A2F_CTL_USAGE       2

#define A2F_CTL_NAME_SHOW   (4 * A2F_USER_MAX + 3)
#define A2F_CTL_KEYFILE_MAX (64 * 1024)
#define A2F_CTL_AUDIT_MAX   100000
#define A2F_CTL_ISSUER_MAX  64
#define A2F_CTL_LINK_TTL    86400           /* link --ttl default: 24h */
#define A2F_CTL_B64_MAX(n)  (((n) * 4 + 2) / 3 + 1)
#define A2F_CTL_U2F_POINT   65              /* 0x04 | x | y on P-256 */
#define A2F_CTL_HTTPS       "https://"


typedef struct {
    const char     *db;
    const char     *keyfile;
    a2f_store_t    *st;
    a2f_keyring_t   kr;
} a2f_ctl_t;


typedef struct {
    int64_t         usec;
    char           *text;
} a2f_ctl_event_t;


typedef struct {
    a2f_ctl_event_t  *ev;
    size_t            n;
} a2f_ctl_events_t;


/* a kind of credential with add, list and del commands: totp, key */
typedef struct {
    const char     *cmd;            /* "totp"                             */
    const char     *what;           /* "device": in messages              */
    const char     *arg;            /* "DEVICE": in the usage of del      */
    const char     *event;          /* the audit event of del             */
    const char     *cmds;           /* "add, list or del": its commands   */
    int           (*add)(a2f_ctl_t *ctl, int argc, char **argv);
    int           (*import)(a2f_ctl_t *ctl, int argc, char **argv);
    int           (*list)(a2f_ctl_t *ctl, const char *name);
    int           (*del)(a2f_store_t *st, const char *user, size_t len,
                         const char *name, size_t namelen);
} a2f_ctl_cred_t;


/* a word of a bit mask: the transports of a security key */
typedef struct {
    const char     *word;
    unsigned        bit;
} a2f_ctl_bit_t;


static void a2f_ctl_err(const char *fmt, ...);
static int a2f_ctl_usage(const char *fmt, ...);
static void a2f_ctl_help(FILE *f);
static const char *a2f_ctl_show(const char *s, size_t len, char *buf,
    size_t size);
static void a2f_ctl_time(int64_t t, char *buf, size_t size);
static int a2f_ctl_open(a2f_ctl_t *ctl, unsigned flags);
static int a2f_ctl_store_err(a2f_ctl_t *ctl, int rc, const char *user);
static int a2f_ctl_user_arg(const char *name, char *show, size_t size);
static int a2f_ctl_open_user(a2f_ctl_t *ctl, const char *name,
    char show[A2F_CTL_NAME_SHOW]);
static int a2f_ctl_changed(a2f_ctl_t *ctl, int rc, const char *name,
    const char *event);
static int a2f_ctl_flush(void);
static int a2f_ctl_name_once(const char *cmd, const char *arg,
    const char **name);
static int a2f_ctl_optval(int argc, char **argv, int *i, const char *opt,
    const char **val);
static int a2f_ctl_read_line(const char *prompt, char *buf, size_t size,
    size_t *len, const char *what);
static int a2f_ctl_read_password(const char *user, char *buf, size_t size,
    size_t *len);
static int a2f_ctl_hash_password(const char *user, char *hash, size_t size);
static int a2f_ctl_uint(const char *s, unsigned long min, unsigned long max,
    unsigned long *v);
static int a2f_ctl_int(const char *s, long min, long max, long *v);
static int a2f_ctl_duration(const char *s, int64_t max, int64_t *secs);
static int a2f_ctl_name_arg(const char *cmd, const char *what,
    const char *name);
static int a2f_ctl_b64_arg(const char *cmd, const char *opt, const char *s,
    uint8_t *buf, size_t size, size_t *len);

static int a2f_ctl_user(a2f_ctl_t *ctl, int argc, char **argv);
static int a2f_ctl_user_add(a2f_ctl_t *ctl, int argc, char **argv);
static int a2f_ctl_user_print(const a2f_user_t *u, void *arg);
static int a2f_ctl_user_flag(a2f_ctl_t *ctl, const char *name,
    uint32_t flag, int on);
static int a2f_ctl_user_group(a2f_ctl_t *ctl, int argc, char **argv);
static int a2f_ctl_passwd(a2f_ctl_t *ctl, int argc, char **argv);
static int a2f_ctl_cred(a2f_ctl_t *ctl, const a2f_ctl_cred_t *cr,
    int argc, char **argv);
static int a2f_ctl_cred_del(a2f_ctl_t *ctl, const a2f_ctl_cred_t *cr,
    const char *name, const char *rec);
static int a2f_ctl_totp_add(a2f_ctl_t *ctl, int argc, char **argv);
static int a2f_ctl_totp_list(a2f_ctl_t *ctl, const char *name);
static int a2f_ctl_key_add(a2f_ctl_t *ctl, int argc, char **argv);
static int a2f_ctl_key_import(a2f_ctl_t *ctl, int argc, char **argv);
static int a2f_ctl_key_names(const char *cmd, const char *arg,
    const char **name, const char **kname);
static int a2f_ctl_key_store(a2f_ctl_t *ctl, const char *name,
    const char *show, const a2f_seckey_t *k, const char *event);
static int a2f_ctl_visible(const char *s);
static int a2f_ctl_transports_arg(const char *s, unsigned *bits);
static const char *a2f_ctl_transports_text(unsigned bits, char *buf,
    size_t size);
static int a2f_ctl_key_list(a2f_ctl_t *ctl, const char *name);
static int a2f_ctl_link(a2f_ctl_t *ctl, int argc, char **argv);
static int a2f_ctl_recovery(a2f_ctl_t *ctl, int argc, char **argv);
static int a2f_ctl_simple(a2f_ctl_t *ctl, const char *cmd, int argc,
    char **argv);
static int a2f_ctl_keygen(int argc, char **argv);
static int a2f_ctl_write_new(const char *path, const char *data, size_t len);
static int a2f_ctl_rekey(a2f_ctl_t *ctl, int argc, char **argv);
static int a2f_ctl_qr(int argc, char **argv);
static int a2f_ctl_backup(a2f_ctl_t *ctl, int argc, char **argv);
static int a2f_ctl_audit(a2f_ctl_t *ctl, int argc, char **argv);
static int a2f_ctl_audit_add(int64_t usec, const char *text, size_t len,
    void *arg);


static const a2f_ctl_cred_t  a2f_ctl_totp_cred = {
    "totp", "device", "DEVICE", "totp_del", "add, list or del",
    a2f_ctl_totp_add, NULL, a2f_ctl_totp_list, a2f_store_totp_del
};

static const a2f_ctl_cred_t  a2f_ctl_key_cred = {
    "key", "key", "KEYNAME", "key_del", "add, import, list or del",
    a2f_ctl_key_add, a2f_ctl_key_import, a2f_ctl_key_list,
    a2f_store_seckey_del
};

static const a2f_ctl_bit_t  a2f_ctl_transports[] = {
    { "usb", A2F_SECKEY_T_USB },
    { "nfc", A2F_SECKEY_T_NFC },
    { "ble", A2F_SECKEY_T_BLE },
    { "internal", A2F_SECKEY_T_INTERNAL },
    { "hybrid", A2F_SECKEY_T_HYBRID }
};


/* -- helpers --------------------------------------------------------------- */


static void
a2f_ctl_err(const char *fmt, ...)
{
    va_list  ap;

    fputs("a2fctl: ", stderr);

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);

    fputc('\n', stderr);
}


static int
a2f_ctl_usage(const char *fmt, ...)
{
    va_list  ap;

    fputs("a2fctl: ", stderr);

    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);

    fputs("\n(a2fctl -h shows the usage)\n", stderr);

    return A2F_CTL_USAGE;
}


static void
a2f_ctl_help(FILE *f)
{
    fputs(
"usage: a2fctl [-d DB] [-k KEYFILE] COMMAND ...\n"
"\n"
"  -d DB        the database file (default: $A2F_DB)\n"
"  -k KEYFILE   the key file, a2f_secret_file (default: $A2F_KEY)\n"
"\n"
"commands:\n"
"  user add NAME [--admin]     add a user; the password is the first\n"
"                              line of stdin\n"
"  user del NAME               remove a user and the user's devices\n"
"  user list                   list users\n"
"  user admin NAME on|off      make a user an administrator, or not\n"
"  user disable NAME           refuse a user's sessions, logins and links\n"
"  user enable NAME            undo user disable\n"
"  user group NAME [GROUP]     print a user's group (\"(none)\" without\n"
"                              one); with GROUP set it (1..64 bytes of\n"
"                              printable ASCII, no spaces, '\"' or '\\');\n"
"                              an empty GROUP (\"\") removes it\n"
"  passwd NAME                 set a new password (first line of stdin)\n"
"  totp add NAME [--secret BASE32|-] [--algorithm SHA1|SHA256|SHA512]\n"
"           [--digits 6|8] [--period N] [--name DEVICE] [--issuer ISSUER]\n"
"                              add a TOTP device; prints the otpauth://\n"
"                              URI (and a QR code on a terminal)\n"
"  totp list NAME              list a user's devices\n"
"  totp del NAME DEVICE        remove a device\n"
"  key add NAME KEYNAME --cred-id B64URL --public-key B64URL [--alg N]\n"
"          [--u2f] [--fmt FMT] [--aaguid HEX] [--transports LIST]\n"
"                              import a security key (WebAuthn credential\n"
"                              id and COSE public key; --alg: COSE\n"
"                              algorithm, -7; --fmt: attestation format,\n"
"                              none; --aaguid: 32 hex digits;\n"
"                              --transports: usb,nfc,ble,internal,hybrid)\n"
"  key import NAME KEYNAME --appid URL --key-handle B64URL\n"
"          --public-key B64URL\n"
"                              import a key registered through the old\n"
"                              FIDO U2F API: its https:// appId, key handle\n"
"                              and raw 65-byte P-256 public key\n"
"  key list NAME               list a user's security keys\n"
"  key del NAME KEYNAME        remove a security key\n"
"  link NAME [--ttl DURATION]  print a new single-use enrollment token\n"
"                              (portal URL + \"enroll/\" + token) and its\n"
"                              expiry; --ttl such as 30m, 24h (the\n"
"                              default), 7d; at most 30d.  A new link\n"
"                              replaces the user's old one\n"
"  recovery NAME               print a new set of 10 recovery codes, each\n"
"                              good once in place of a one-time code (the\n"
"                              user's earlier codes stop working)\n"
"  unlock NAME                 clear a user's failure lockout\n"
"  revoke NAME                 end all sessions of a user\n"
"  keygen FILE [--append]      write a new key (--append: in front of the\n"
"                              keys already in FILE: key rotation)\n"
"  rekey                       after old lines left the key file: remove\n"
"                              the data key wraps of the keys not in it\n"
"                              (the old keys then open nothing)\n"
"  backup FILE                 copy the database to a new file\n"
"  audit [N]                   print the last N audit events (20)\n"
"  qr TEXT                     print TEXT as a QR code (no -d or -k)\n"
"\n"
"exit status: 0 done, 1 error, 2 usage error\n", f);
}


/* a name fit for a message: control bytes as '?', cut to size */

static const char *
a2f_ctl_show(const char *s, size_t len, char *buf, size_t size)
{
    size_t         i;
    unsigned char  c;

    for (i = 0; i < len && i + 1 < size; i++) {
        c = (unsigned char) s[i];
        buf[i] = (c < 0x20 || c == 0x7f || c == '"') ? '?' : (char) c;
    }

    buf[i] = '\0';

    return buf;
}


static void
a2f_ctl_time(int64_t t, char *buf, size_t size)
{
    time_t     tt;
    struct tm  tm;

    tt = (time_t) t;

    if (t <= 0 || gmtime_r(&tt, &tm) == NULL
        || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    {
        (void) snprintf(buf, size, "never");
    }
}


static int
a2f_ctl_uint(const char *s, unsigned long min, unsigned long max,
    unsigned long *v)
{
    char           *end;
    unsigned long   n;

    if (s == NULL || s[0] < '0' || s[0] > '9') {
        return 0;
    }

    errno = 0;
    n = strtoul(s, &end, 10);

    if (errno || *end != '\0' || n < min || n > max) {
        return 0;
    }

    *v = n;

    return 1;
}


/* a decimal with an optional '-', min..max */

static int
a2f_ctl_int(const char *s, long min, long max, long *v)
{
    char  *end;
    long   n;

    if (s == NULL || s[0] == '\0'
        || ((s[0] < '0' || s[0] > '9') && s[0] != '-'))
    {
        return 0;
    }

    errno = 0;
    n = strtol(s, &end, 10);

    if (errno || end == s || *end != '\0' || n < min || n > max) {
        return 0;
    }

    *v = n;

    return 1;
}


/* "90s", "30m", "24h", "7d" or plain seconds: 1..max seconds */

static int
a2f_ctl_duration(const char *s, int64_t max, int64_t *secs)
{
    char           *end;
    int64_t         unit;
    unsigned long   n;

    if (s == NULL || s[0] < '0' || s[0] > '9') {
        return 0;
    }

    errno = 0;
    n = strtoul(s, &end, 10);

    if (errno) {
        return 0;
    }

    switch (*end) {

    case '\0':
    case 's':
        unit = 1;
        break;

    case 'm':
        unit = 60;
        break;

    case 'h':
        unit = 3600;
        break;

    case 'd':
        unit = 86400;
        break;

    default:
        return 0;
    }

    if ((*end != '\0' && end[1] != '\0') || n == 0
        || n > (unsigned long) (max / unit))
    {
        return 0;
    }

    *secs = (int64_t) n * unit;

    return 1;
}


/* a device or key name: 1..A2F_DEVICE_MAX bytes, no control bytes */

static int
a2f_ctl_name_arg(const char *cmd, const char *what, const char *name)
{
    size_t  i, len;

    len = strlen(name);

    for (i = 0; i < len; i++) {
        if ((unsigned char) name[i] < 0x20 || name[i] == 0x7f) {
            break;
        }
    }

    if (len == 0 || len > A2F_DEVICE_MAX || i < len) {
        a2f_ctl_usage("%s: %s must be 1..%d bytes without control bytes",
                      cmd, what, A2F_DEVICE_MAX);
        return 0;
    }

    return 1;
}


/* the value s of option opt: base64url without padding, 1..size bytes */

static int
a2f_ctl_b64_arg(const char *cmd, const char *opt, const char *s,
    uint8_t *buf, size_t size, size_t *len)
{
    int  rc;

    rc = a2f_b64url_decode(s, strlen(s), buf, size, len);

    if (rc == A2F_ERR_TOOBIG) {
        return a2f_ctl_usage("%s: %s is longer than %zu bytes", cmd, opt,
                             size);
    }

    if (rc != A2F_OK || *len == 0) {
        return a2f_ctl_usage("%s: %s is not base64url (without padding)",
                             cmd, opt);
    }

    return A2F_CTL_OK;
}


static int
a2f_ctl_open(a2f_ctl_t *ctl, unsigned flags)
{
    int   rc;
    char  err[1024];

    if (ctl->db == NULL || ctl->db[0] == '\0') {
        return a2f_ctl_usage("no database (-d DB or A2F_DB)");
    }

    if (ctl->keyfile == NULL || ctl->keyfile[0] == '\0') {
        return a2f_ctl_usage("no key file (-k KEYFILE or A2F_KEY)");
    }

    err[0] = '\0';

    rc = a2f_keyring_load(ctl->keyfile, &ctl->kr, err, sizeof(err));
    if (rc != A2F_OK) {
        if (err[0] == '\0') {
            (void) snprintf(err, sizeof(err), "%s: %s", ctl->keyfile,
                            a2f_strerror(rc));
        }

        if (strncmp(err, "key file", 8) == 0) {
            a2f_ctl_err("%s", err);

        } else {
            a2f_ctl_err("key file %s", err);
        }

        return A2F_CTL_FAIL;
    }

    err[0] = '\0';

    rc = a2f_store_open(ctl->db, 0, &ctl->kr, flags, &ctl->st, err,
                        sizeof(err));
    if (rc != A2F_OK) {
        if (err[0] == '\0') {
            (void) snprintf(err, sizeof(err), "%s: %s", ctl->db,
                            a2f_strerror(rc));
        }

        if (rc == A2F_ERR_NOKEY) {
            a2f_ctl_err("%s (key file %s)", err, ctl->keyfile);

        } else {
            a2f_ctl_err("%s", err);
        }

        return A2F_CTL_FAIL;
    }

    return A2F_CTL_OK;
}


/* report a store error; user names the user for A2F_ERR_NOTFOUND */

static int
a2f_ctl_store_err(a2f_ctl_t *ctl, int rc, const char *user)
{
    char  show[A2F_CTL_NAME_SHOW];

    switch (rc) {

    case A2F_ERR_NOTFOUND:
        if (user != NULL) {
            a2f_ctl_err("user \"%s\" not found",
                        a2f_ctl_show(user, strlen(user), show, sizeof(show)));
            break;
        }

        a2f_ctl_err("%s: not found", ctl->db);
        break;

    case A2F_ERR_FULL:
        a2f_ctl_err("%s: the database is full (raise the map size, "
                    "a2f_db ... size=)", ctl->db);
        break;

    default:
        a2f_ctl_err("%s: %s", ctl->db, a2f_strerror(rc));
        break;
    }

    return A2F_CTL_FAIL;
}


static int
a2f_ctl_user_arg(const char *name, char *show, size_t size)
{
    a2f_ctl_show(name, strlen(name), show, size);

    if (a2f_user_name_valid(name, strlen(name)) != A2F_OK) {
        a2f_ctl_usage("invalid user name \"%s\" (1..%d bytes of UTF-8 "
                      "without spaces, control bytes, '/' or ':')",
                      show, A2F_USER_MAX);
        return 0;
    }

    return 1;
}


/* check the user name argument (shown in show), then open the store */

static int
a2f_ctl_open_user(a2f_ctl_t *ctl, const char *name,
    char show[A2F_CTL_NAME_SHOW])
{
    if (!a2f_ctl_user_arg(name, show, A2F_CTL_NAME_SHOW)) {
        return A2F_CTL_USAGE;
    }

    return a2f_ctl_open(ctl, 0);
}


/* after a change to user name: report rc if it failed, else audit event */

static int
a2f_ctl_changed(a2f_ctl_t *ctl, int rc, const char *name, const char *event)
{
    if (rc != A2F_OK) {
        return a2f_ctl_store_err(ctl, rc, name);
    }

    (void) a2f_store_audit(ctl->st, (int64_t) time(NULL), event, name,
                           strlen(name), NULL, "by=a2fctl");

    return A2F_CTL_OK;
}


static int
a2f_ctl_flush(void)
{
    if (fflush(stdout) == EOF) {
        a2f_ctl_err("stdout: %s", strerror(errno));
        return A2F_CTL_FAIL;
    }

    return A2F_CTL_OK;
}


/*
 * An argument of cmd that no option took: an unknown "--" option is a
 * usage error, anything else the user name, given once.
 */

static int
a2f_ctl_name_once(const char *cmd, const char *arg, const char **name)
{
    char  show[A2F_CTL_NAME_SHOW];

    if (arg[0] == '-' && arg[1] == '-') {
        return a2f_ctl_usage("%s: unknown option \"%s\"", cmd,
                             a2f_ctl_show(arg, strlen(arg), show,
                                          sizeof(show)));
    }

    if (*name != NULL) {
        return a2f_ctl_usage("%s: one user name only", cmd);
    }

    *name = arg;

    return A2F_CTL_OK;
}


/* "--opt VALUE" or "--opt=VALUE": 1 matched, 0 not, -1 value missing */

static int
a2f_ctl_optval(int argc, char **argv, int *i, const char *opt,
    const char **val)
{
    size_t  n;

    n = strlen(opt);

    if (strncmp(argv[*i], opt, n) != 0) {
        return 0;
    }

    if (argv[*i][n] == '=') {
        *val = argv[*i] + n + 1;
        return 1;
    }

    if (argv[*i][n] != '\0') {
        return 0;
    }

    if (*i + 1 >= argc) {
        return -1;
    }

    (*i)++;
    *val = argv[*i];

    return 1;
}


/*
 * Read the first line of stdin (without "\n" or "\r\n") into buf; on a
 * terminal print prompt to stderr and turn echo off.
 */

static int
a2f_ctl_read_line(const char *prompt, char *buf, size_t size, size_t *len,
    const char *what)
{
    int             c, tty, nul;
    size_t          n;
    struct termios  old, noecho;

    tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;

    if (tty) {
        fputs(prompt, stderr);
        fflush(stderr);

        noecho = old;
        noecho.c_lflag &= ~(tcflag_t) ECHO;
        noecho.c_lflag |= ECHONL;
        (void) tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
    }

    n = 0;
    nul = 0;

    for ( ;; ) {
        c = getchar();

        if (c == EOF || c == '\n') {
            break;
        }

        if (c == '\0') {
            nul = 1;
        }

        if (n + 1 < size) {
            buf[n] = (char) c;
        }

        n++;
    }

    if (tty) {
        (void) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    }

    if (n + 1 > size) {
        OPENSSL_cleanse(buf, size);
        a2f_ctl_err("%s is longer than %zu bytes", what, size - 1);
        return 0;
    }

    if (n > 0 && buf[n - 1] == '\r') {
        n--;
    }

    buf[n] = '\0';

    if (nul) {
        OPENSSL_cleanse(buf, size);
        a2f_ctl_err("%s contains a NUL byte", what);
        return 0;
    }

    *len = n;

    return 1;
}


static int
a2f_ctl_read_password(const char *user, char *buf, size_t size, size_t *len)
{
    int     ok;
    char    prompt[A2F_CTL_NAME_SHOW + 32], show[A2F_CTL_NAME_SHOW];
    char    again[A2F_PASSWORD_MAX + 1];
    size_t  alen;

    (void) snprintf(prompt, sizeof(prompt), "new password for \"%s\": ",
                    a2f_ctl_show(user, strlen(user), show, sizeof(show)));

    if (!a2f_ctl_read_line(prompt, buf, size, len, "the password")) {
        return 0;
    }

    if (*len == 0) {
        a2f_ctl_err("empty password (give it on the first line of stdin)");
        return 0;
    }

    if (!isatty(STDIN_FILENO)) {
        return 1;
    }

    ok = a2f_ctl_read_line("again: ", again, sizeof(again), &alen,
                           "the password");

    if (ok && (alen != *len || CRYPTO_memcmp(again, buf, alen) != 0)) {
        a2f_ctl_err("the passwords differ");
        ok = 0;
    }

    OPENSSL_cleanse(again, sizeof(again));

    if (!ok) {
        OPENSSL_cleanse(buf, size);
    }

    return ok;
}


/* read a password from stdin and hash it: A2F_CTL_* */

static int
a2f_ctl_hash_password(const char *user, char *hash, size_t size)
{
    int             rc;
    char            pw[A2F_PASSWORD_MAX + 1];
    size_t          len;
    const char     *env;
    unsigned long   ln;

    ln = 0;
    env = getenv("A2F_SCRYPT_LN");

    if (env != NULL && env[0] != '\0' && !a2f_ctl_uint(env, 10, 18, &ln)) {
        return a2f_ctl_usage("A2F_SCRYPT_LN must be 10..18");
    }

    if (!a2f_ctl_read_password(user, pw, sizeof(pw), &len)) {
        return A2F_CTL_FAIL;
    }

    rc = a2f_password_hash(pw, len, (unsigned) ln, hash, size);

    OPENSSL_cleanse(pw, sizeof(pw));

    if (rc != A2F_OK) {
        a2f_ctl_err("cannot hash the password: %s", a2f_strerror(rc));
        return A2F_CTL_FAIL;
    }

    return A2F_CTL_OK;
}


/* -- users ----------------------------------------------------------------- */


static int
a2f_ctl_user(a2f_ctl_t *ctl, int argc, char **argv)
{
    int   rc;
    char  show[A2F_CTL_NAME_SHOW];

    if (argc < 1) {
        return a2f_ctl_usage("user: add, del, list, admin, disable, "
                             "enable or group?");
    }

    if (strcmp(argv[0], "add") == 0) {
        return a2f_ctl_user_add(ctl, argc - 1, argv + 1);
    }

    if (strcmp(argv[0], "list") == 0) {
        if (argc != 1) {
            return a2f_ctl_usage("user list takes no arguments");
        }

        rc = a2f_ctl_open(ctl, 0);
        if (rc != A2F_CTL_OK) {
            return rc;
        }

        rc = a2f_store_user_list(ctl->st, a2f_ctl_user_print, NULL);
        if (rc != A2F_OK) {
            return a2f_ctl_store_err(ctl, rc, NULL);
        }

        return a2f_ctl_flush();
    }

    if (strcmp(argv[0], "del") == 0) {
        if (argc != 2) {
            return a2f_ctl_usage("usage: user del NAME");
        }

        rc = a2f_ctl_open_user(ctl, argv[1], show);
        if (rc != A2F_CTL_OK) {
            return rc;
        }

        rc = a2f_store_user_del(ctl->st, argv[1], strlen(argv[1]));

        return a2f_ctl_changed(ctl, rc, argv[1], "user_del");
    }

    if (strcmp(argv[0], "admin") == 0) {
        if (argc != 3
            || (strcmp(argv[2], "on") != 0 && strcmp(argv[2], "off") != 0))
        {
            return a2f_ctl_usage("usage: user admin NAME on|off");
        }

        return a2f_ctl_user_flag(ctl, argv[1], A2F_USER_ADMIN,
                                 strcmp(argv[2], "on") == 0);
    }

    if (strcmp(argv[0], "disable") == 0 || strcmp(argv[0], "enable") == 0) {
        if (argc != 2) {
            return a2f_ctl_usage("usage: user %s NAME", argv[0]);
        }

        return a2f_ctl_user_flag(ctl, argv[1], A2F_USER_DISABLED,
                                 argv[0][0] == 'd');
    }

    if (strcmp(argv[0], "group") == 0) {
        return a2f_ctl_user_group(ctl, argc - 1, argv + 1);
    }

    return a2f_ctl_usage("user: unknown command \"%s\"",
                         a2f_ctl_show(argv[0], strlen(argv[0]), show,
                                      sizeof(show)));
}


static int
a2f_ctl_user_add(a2f_ctl_t *ctl, int argc, char **argv)
{
    int          rc, i;
    char         show[A2F_CTL_NAME_SHOW];
    const char  *name;
    a2f_user_t   u, old;

    name = NULL;
    memset(&u, 0, sizeof(a2f_user_t));

    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--admin") == 0) {
            u.flags |= A2F_USER_ADMIN;

        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            return a2f_ctl_usage("user add: unknown option \"%s\"",
                                 a2f_ctl_show(argv[i], strlen(argv[i]),
                                              show, sizeof(show)));

        } else if (name == NULL) {
            name = argv[i];

        } else {
            return a2f_ctl_usage("usage: user add NAME [--admin]");
        }
    }

    if (name == NULL) {
        return a2f_ctl_usage("usage: user add NAME [--admin]");
    }

    if (!a2f_ctl_user_arg(name, show, sizeof(show))) {
        return A2F_CTL_USAGE;
    }

    rc = a2f_ctl_open(ctl, A2F_STORE_CREATE);
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    /* before the slow hash */

    rc = a2f_store_user_get(ctl->st, name, strlen(name), &old);
    OPENSSL_cleanse(&old, sizeof(old));

    if (rc == A2F_OK) {
        a2f_ctl_err("user \"%s\" exists already", show);
        return A2F_CTL_FAIL;
    }

    if (rc != A2F_ERR_NOTFOUND) {
        return a2f_ctl_store_err(ctl, rc, name);
    }

    rc = a2f_ctl_hash_password(name, u.pwhash, sizeof(u.pwhash));
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    memcpy(u.name, name, strlen(name) + 1);
    u.name_len = strlen(name);
    u.gen = 0;              /* the store picks a random one */

    rc = a2f_store_user_add(ctl->st, &u, (int64_t) time(NULL));

    OPENSSL_cleanse(&u, sizeof(u));

    if (rc == A2F_ERR_EXISTS) {
        a2f_ctl_err("user \"%s\" exists already", show);
        return A2F_CTL_FAIL;
    }

    return a2f_ctl_changed(ctl, rc, name, "user_add");
}


static int
a2f_ctl_user_print(const a2f_user_t *u, void *arg)
{
    char  show[A2F_CTL_NAME_SHOW], last[32];

    a2f_ctl_time(u->last_login, last, sizeof(last));

    printf("%s admin=%s disabled=%s devices=%u locked=%s keys=%u "
           "last_login=%s gen=%u\n",
           a2f_ctl_show(u->name, u->name_len, show, sizeof(show)),
           (u->flags & A2F_USER_ADMIN) ? "yes" : "no",
           (u->flags & A2F_USER_DISABLED) ? "yes" : "no",
           u->ndevices,
           u->locked_until > (int64_t) time(NULL) ? "yes" : "no",
           u->nkeys, last, (unsigned) u->gen);

    return 0;
}


/* user admin NAME on|off, user disable|enable NAME */

static int
a2f_ctl_user_flag(a2f_ctl_t *ctl, const char *name, uint32_t flag, int on)
{
    int          rc;
    char         show[A2F_CTL_NAME_SHOW];
    uint32_t     flags;
    const char  *event, *detail;

    rc = a2f_ctl_open_user(ctl, name, show);
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    rc = a2f_store_user_update_flags(ctl->st, name, strlen(name),
                                     on ? flag : 0, on ? 0 : flag, &flags);
    if (rc != A2F_OK) {
        return a2f_ctl_store_err(ctl, rc, name);
    }

    if (flag == A2F_USER_ADMIN) {
        event = "user_admin";
        detail = on ? "admin=on by=a2fctl" : "admin=off by=a2fctl";

    } else {
        event = on ? "user_disable" : "user_enable";
        detail = "by=a2fctl";
    }

    (void) a2f_store_audit(ctl->st, (int64_t) time(NULL), event, name,
                           strlen(name), NULL, detail);

    return A2F_CTL_OK;
}


/* user group NAME [GROUP]: print, set or (GROUP "") remove the group */

static int
a2f_ctl_user_group(a2f_ctl_t *ctl, int argc, char **argv)
{
    int          rc;
    char         show[A2F_CTL_NAME_SHOW], gshow[A2F_CTL_NAME_SHOW];
    char         group[A2F_GROUP_MAX + 1];
    char         detail[sizeof("group= by=a2fctl") + A2F_GROUP_MAX];
    size_t       glen;
    const char  *name;

    if (argc != 1 && argc != 2) {
        return a2f_ctl_usage("usage: user group NAME [GROUP]");
    }

    name = argv[0];

    /* no options: "--clear" would otherwise become a group */

    if (argc == 2 && argv[1][0] == '-' && argv[1][1] == '-') {
        return a2f_ctl_usage("user group: unknown option \"%s\" (\"\" "
                             "removes the group)",
                             a2f_ctl_show(argv[1], strlen(argv[1]), gshow,
                                          sizeof(gshow)));
    }

    rc = a2f_ctl_open_user(ctl, name, show);
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    if (argc == 1) {
        rc = a2f_store_user_group_get(ctl->st, name, strlen(name), group,
                                      &glen);
        if (rc != A2F_OK) {
            return a2f_ctl_store_err(ctl, rc, name);
        }

        printf("%s\n", glen ? group : "(none)");

        return a2f_ctl_flush();
    }

    /* the store checks the group name (before the user) */

    glen = strlen(argv[1]);

    rc = a2f_store_user_group_set(ctl->st, name, strlen(name), argv[1], glen);

    if (rc == A2F_ERR_INVALID) {
        return a2f_ctl_usage("invalid group \"%s\" for user \"%s\" (1..%d "
                             "bytes of printable ASCII without spaces, "
                             "'\"' or '\\')",
                             a2f_ctl_show(argv[1], glen, gshow,
                                          sizeof(gshow)),
                             show, A2F_GROUP_MAX);
    }

    if (glen == 0) {
        return a2f_ctl_changed(ctl, rc, name, "group_clear");
    }

    if (rc != A2F_OK) {
        return a2f_ctl_store_err(ctl, rc, name);
    }

    (void) snprintf(detail, sizeof(detail), "group=%s by=a2fctl", argv[1]);

    (void) a2f_store_audit(ctl->st, (int64_t) time(NULL), "group_set", name,
                           strlen(name), NULL, detail);

    return A2F_CTL_OK;
}


static int
a2f_ctl_passwd(a2f_ctl_t *ctl, int argc, char **argv)
{
    int         rc;
    char        show[A2F_CTL_NAME_SHOW], hash[A2F_PWHASH_MAX];
    a2f_user_t  old;

    if (argc != 1) {
        return a2f_ctl_usage("usage: passwd NAME");
    }

    rc = a2f_ctl_open_user(ctl, argv[0], show);
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    rc = a2f_store_user_get(ctl->st, argv[0], strlen(argv[0]), &old);
    OPENSSL_cleanse(&old, sizeof(old));

    if (rc != A2F_OK) {
        return a2f_ctl_store_err(ctl, rc, argv[0]);
    }

    rc = a2f_ctl_hash_password(argv[0], hash, sizeof(hash));
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    rc = a2f_store_user_set_password(ctl->st, argv[0], strlen(argv[0]),
                                     hash);

    OPENSSL_cleanse(hash, sizeof(hash));

    return a2f_ctl_changed(ctl, rc, argv[0], "passwd");
}


/* -- TOTP devices and security keys: add, list, del ------------------------ */


/* totp, key: add, list or del */

static int
a2f_ctl_cred(a2f_ctl_t *ctl, const a2f_ctl_cred_t *cr, int argc,
    char **argv)
{
    char  show[A2F_CTL_NAME_SHOW];

    if (argc < 1) {
        return a2f_ctl_usage("%s: %s?", cr->cmd, cr->cmds);
    }

    if (strcmp(argv[0], "add") == 0) {
        return cr->add(ctl, argc - 1, argv + 1);
    }

    if (cr->import != NULL && strcmp(argv[0], "import") == 0) {
        return cr->import(ctl, argc - 1, argv + 1);
    }

    if (strcmp(argv[0], "list") == 0) {
        if (argc != 2) {
            return a2f_ctl_usage("usage: %s list NAME", cr->cmd);
        }

        return cr->list(ctl, argv[1]);
    }

    if (strcmp(argv[0], "del") == 0) {
        if (argc != 3) {
            return a2f_ctl_usage("usage: %s del NAME %s", cr->cmd, cr->arg);
        }

        return a2f_ctl_cred_del(ctl, cr, argv[1], argv[2]);
    }

    return a2f_ctl_usage("%s: unknown command \"%s\"", cr->cmd,
                         a2f_ctl_show(argv[0], strlen(argv[0]), show,
                                      sizeof(show)));
}


/* totp del NAME DEVICE, key del NAME KEYNAME */

static int
a2f_ctl_cred_del(a2f_ctl_t *ctl, const a2f_ctl_cred_t *cr, const char *name,
    const char *rec)
{
    int         rc;
    char        show[A2F_CTL_NAME_SHOW], rshow[A2F_CTL_NAME_SHOW];
    a2f_user_t  u;

    rc = a2f_ctl_open_user(ctl, name, show);
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    rc = a2f_store_user_get(ctl->st, name, strlen(name), &u);
    OPENSSL_cleanse(&u, sizeof(u));

    if (rc != A2F_OK) {
        return a2f_ctl_store_err(ctl, rc, name);
    }

    rc = cr->del(ctl->st, name, strlen(name), rec, strlen(rec));

    if (rc == A2F_ERR_NOTFOUND) {
        a2f_ctl_err("user \"%s\" has no %s \"%s\"", show, cr->what,
                    a2f_ctl_show(rec, strlen(rec), rshow, sizeof(rshow)));
        return A2F_CTL_FAIL;
    }

    return a2f_ctl_changed(ctl, rc, name, cr->event);
}


/* -- TOTP devices ---------------------------------------------------------- */


static int
a2f_ctl_totp_add(a2f_ctl_t *ctl, int argc, char **argv)
{
    int              rc, i, m;
    char             show[A2F_CTL_NAME_SHOW], uri[A2F_URI_MAX];
    char             line[2 * A2F_TOTP_SECRET_MAX + 64];
    char             b32[(A2F_TOTP_SECRET_MAX * 8 + 4) / 5 + 1];
    size_t           n, len;
    const char      *name, *secret, *alg, *digits, *period, *dev, *issuer;
    unsigned long    v;
    a2f_totp_dev_t   d;

    name = NULL;
    secret = NULL;
    alg = NULL;
    digits = NULL;
    period = NULL;
    dev = NULL;
    issuer = NULL;

    for (i = 0; i < argc; i++) {

        if ((m = a2f_ctl_optval(argc, argv, &i, "--secret", &secret))
            || (m = a2f_ctl_optval(argc, argv, &i, "--algorithm", &alg))
            || (m = a2f_ctl_optval(argc, argv, &i, "--digits", &digits))
            || (m = a2f_ctl_optval(argc, argv, &i, "--period", &period))
            || (m = a2f_ctl_optval(argc, argv, &i, "--name", &dev))
            || (m = a2f_ctl_optval(argc, argv, &i, "--issuer", &issuer)))
        {
            if (m < 0) {
                return a2f_ctl_usage("totp add: %s needs a value", argv[i]);
            }

            continue;
        }

        rc = a2f_ctl_name_once("totp add", argv[i], &name);
        if (rc != A2F_CTL_OK) {
            return rc;
        }
    }

    if (name == NULL) {
        return a2f_ctl_usage("usage: totp add NAME [--secret BASE32] "
                             "[--algorithm SHA1|SHA256|SHA512] "
                             "[--digits 6|8] [--period N] [--name DEVICE] "
                             "[--issuer ISSUER]");
    }

    if (!a2f_ctl_user_arg(name, show, sizeof(show))) {
        return A2F_CTL_USAGE;
    }

    memset(&d, 0, sizeof(a2f_totp_dev_t));

    d.alg = A2F_SHA1;
    d.digits = 6;
    d.period = 30;

    if (alg != NULL && a2f_hash_parse(alg, strlen(alg), &d.alg) != A2F_OK) {
        return a2f_ctl_usage("totp add: --algorithm must be SHA1, SHA256 "
                             "or SHA512");
    }

    if (digits != NULL) {
        if (!a2f_ctl_uint(digits, 6, 8, &v) || v == 7) {
            return a2f_ctl_usage("totp add: --digits must be 6 or 8");
        }

        d.digits = (unsigned) v;
    }

    if (period != NULL) {
        if (!a2f_ctl_uint(period, A2F_TOTP_PERIOD_MIN, A2F_TOTP_PERIOD_MAX,
                          &v))
        {
            return a2f_ctl_usage("totp add: --period must be %d..%d seconds",
                                 A2F_TOTP_PERIOD_MIN, A2F_TOTP_PERIOD_MAX);
        }

        d.period = (unsigned) v;
    }

    if (dev != NULL) {
        if (!a2f_ctl_name_arg("totp add", "--name", dev)) {
            return A2F_CTL_USAGE;
        }

        memcpy(d.name, dev, strlen(dev) + 1);
    }

    if (issuer == NULL) {
        issuer = "a2f";
    }

    len = strlen(issuer);

    for (n = 0; n < len; n++) {
        if ((unsigned char) issuer[n] < 0x20 || issuer[n] == 0x7f) {
            break;
        }
    }

    if (len == 0 || len > A2F_CTL_ISSUER_MAX || n < len) {
        return a2f_ctl_usage("totp add: --issuer must be 1..%d bytes "
                             "without control bytes", A2F_CTL_ISSUER_MAX);
    }

    if (secret != NULL) {

        if (strcmp(secret, "-") == 0) {
            if (!a2f_ctl_read_line("secret (base32): ", line, sizeof(line),
                                   &len, "the secret"))
            {
                return A2F_CTL_FAIL;
            }

            secret = line;
        }

        rc = a2f_base32_decode(secret, strlen(secret), d.secret,
                               sizeof(d.secret), &d.secret_len);

        OPENSSL_cleanse(line, sizeof(line));

        if (rc == A2F_ERR_TOOBIG || (rc == A2F_OK
                                     && d.secret_len > A2F_TOTP_SECRET_MAX))
        {
            return a2f_ctl_usage("totp add: the secret is longer than %d "
                                 "bytes", A2F_TOTP_SECRET_MAX);
        }

        if (rc != A2F_OK) {
            return a2f_ctl_usage("totp add: the secret is not base32");
        }

        if (d.secret_len < A2F_TOTP_SECRET_MIN) {
            OPENSSL_cleanse(&d, sizeof(d));
            return a2f_ctl_usage("totp add: the secret is shorter than %d "
                                 "bytes (%d base32 characters)",
                                 A2F_TOTP_SECRET_MIN,
                                 (A2F_TOTP_SECRET_MIN * 8 + 4) / 5);
        }

    } else {
        d.secret_len = (d.alg == A2F_SHA512) ? 64
                       : (d.alg == A2F_SHA256) ? 32 : 20;

        if (a2f_random(d.secret, d.secret_len) != A2F_OK) {
            a2f_ctl_err("no random bytes");
            return A2F_CTL_FAIL;
        }
    }

    rc = a2f_ctl_open(ctl, 0);
    if (rc != A2F_CTL_OK) {
        OPENSSL_cleanse(&d, sizeof(d));
        return rc;
    }

    n = a2f_otpauth_uri(issuer, name, strlen(name), d.secret, d.secret_len,
                        d.alg, d.digits, d.period, uri, sizeof(uri));
    if (n == 0) {
        OPENSSL_cleanse(&d, sizeof(d));
        a2f_ctl_err("the otpauth:// URI would be longer than %d bytes",
                    A2F_URI_MAX - 1);
        return A2F_CTL_FAIL;
    }

    rc = a2f_store_totp_add(ctl->st, name, strlen(name), &d,
                            (int64_t) time(NULL));

    if (rc != A2F_OK) {
        OPENSSL_cleanse(&d, sizeof(d));
        OPENSSL_cleanse(uri, sizeof(uri));

        if (rc == A2F_ERR_EXISTS) {
            a2f_ctl_err("user \"%s\" has a device \"%s\" already", show,
                        dev ? a2f_ctl_show(dev, strlen(dev), line,
                                           sizeof(line))
                            : "default");
            return A2F_CTL_FAIL;
        }

        if (rc == A2F_ERR_TOOBIG) {
            a2f_ctl_err("user \"%s\" has %d devices already", show,
                        A2F_DEVICES_MAX);
            return A2F_CTL_FAIL;
        }

        return a2f_ctl_store_err(ctl, rc, name);
    }

    (void) a2f_store_audit(ctl->st, (int64_t) time(NULL), "totp_add", name,
                           strlen(name), NULL, "by=a2fctl");

    printf("%s\n", uri);

    if (isatty(STDOUT_FILENO)) {
        fputc('\n', stdout);

        rc = a2f_qr_terminal(stdout, uri);
        if (rc != A2F_OK) {
            a2f_ctl_err("cannot draw the QR code: %s", a2f_strerror(rc));
        }

        n = a2f_base32_encode(d.secret, d.secret_len, 0, b32, sizeof(b32));

        printf("\nsecret %s (%s, %u digits, %u s)\n", n ? b32 : "?",
               a2f_hash_name(d.alg), d.digits, d.period);

        OPENSSL_cleanse(b32, sizeof(b32));
    }

    OPENSSL_cleanse(&d, sizeof(d));
    OPENSSL_cleanse(uri, sizeof(uri));

    return a2f_ctl_flush();
}


static int
a2f_ctl_totp_list(a2f_ctl_t *ctl, const char *name)
{
    int             rc;
    char            show[A2F_CTL_NAME_SHOW], dshow[A2F_CTL_NAME_SHOW];
    char            created[32], used[32];
    unsigned        i, n;
    a2f_totp_dev_t  devs[A2F_DEVICES_MAX];

    rc = a2f_ctl_open_user(ctl, name, show);
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    rc = a2f_store_totp_list(ctl->st, name, strlen(name), devs,
                             A2F_DEVICES_MAX, &n);
    if (rc != A2F_OK) {
        return a2f_ctl_store_err(ctl, rc, name);
    }

    for (i = 0; i < n; i++) {
        a2f_ctl_time(devs[i].created, created, sizeof(created));
        a2f_ctl_time((int64_t) (devs[i].last_step * devs[i].period), used,
                     sizeof(used));

        printf("%s algorithm=%s digits=%u period=%u created=%s "
               "last_used=%s\n",
               a2f_ctl_show(devs[i].name, strlen(devs[i].name), dshow,
                            sizeof(dshow)),
               a2f_hash_name(devs[i].alg), devs[i].digits, devs[i].period,
               created, used);
    }

    OPENSSL_cleanse(devs, sizeof(devs));

    return a2f_ctl_flush();
}


/* -- security keys --------------------------------------------------------- */


/*
 * An argument of cmd that no option took: an unknown "--" option is a
 * usage error, else the user name, then the key name.
 */

static int
a2f_ctl_key_names(const char *cmd, const char *arg, const char **name,
    const char **kname)
{
    char  show[A2F_CTL_NAME_SHOW];

    if (arg[0] == '-' && arg[1] == '-') {
        return a2f_ctl_usage("%s: unknown option \"%s\"", cmd,
                             a2f_ctl_show(arg, strlen(arg), show,
                                          sizeof(show)));
    }

    if (*name == NULL) {
        *name = arg;

    } else if (*kname == NULL) {
        *kname = arg;

    } else {
        return a2f_ctl_usage("%s: one user and one key name only", cmd);
    }

    return A2F_CTL_OK;
}


/* store key k of user name (shown in show), audit event: A2F_CTL_* */

static int
a2f_ctl_key_store(a2f_ctl_t *ctl, const char *name, const char *show,
    const a2f_seckey_t *k, const char *event)
{
    int   rc;
    char  kshow[A2F_CTL_NAME_SHOW];

    rc = a2f_ctl_open(ctl, 0);
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    rc = a2f_store_seckey_add(ctl->st, name, strlen(name), k,
                              (int64_t) time(NULL));

    if (rc == A2F_ERR_EXISTS) {
        a2f_ctl_err("user \"%s\" has a key named \"%s\" or with that "
                    "credential id already", show,
                    a2f_ctl_show(k->name, strlen(k->name), kshow,
                                 sizeof(kshow)));
        return A2F_CTL_FAIL;
    }

    if (rc == A2F_ERR_TOOBIG) {
        a2f_ctl_err("user \"%s\" has %d keys already", show,
                    A2F_SECKEYS_MAX);
        return A2F_CTL_FAIL;
    }

    return a2f_ctl_changed(ctl, rc, name, event);
}


/* printable ASCII without spaces, as the store wants fmt and appid */

static int
a2f_ctl_visible(const char *s)
{
    for ( /* void */ ; *s != '\0'; s++) {
        if (*s < 0x21 || *s > 0x7e) {
            return 0;
        }
    }

    return 1;
}


/* "usb,nfc": words of a2f_ctl_transports, comma-separated, into *bits */

static int
a2f_ctl_transports_arg(const char *s, unsigned *bits)
{
    size_t       i, n;
    const char  *comma;

    *bits = 0;

    for ( ;; ) {
        comma = strchr(s, ',');
        n = (comma != NULL) ? (size_t) (comma - s) : strlen(s);

        for (i = 0; i < sizeof(a2f_ctl_transports) / sizeof(a2f_ctl_bit_t);
             i++)
        {
            if (strlen(a2f_ctl_transports[i].word) == n
                && strncmp(s, a2f_ctl_transports[i].word, n) == 0)
            {
                break;
            }
        }

        if (i == sizeof(a2f_ctl_transports) / sizeof(a2f_ctl_bit_t)) {
            return 0;
        }

        *bits |= a2f_ctl_transports[i].bit;

        if (comma == NULL) {
            return 1;
        }

        s = comma + 1;
    }
}


/* the words of bits, comma-separated, or "-" */

static const char *
a2f_ctl_transports_text(unsigned bits, char *buf, size_t size)
{
    size_t  i, pos;

    pos = 0;
    buf[0] = '\0';

    for (i = 0; i < sizeof(a2f_ctl_transports) / sizeof(a2f_ctl_bit_t); i++) {
        if (bits & a2f_ctl_transports[i].bit) {
            pos += (size_t) snprintf(buf + pos, size - pos, "%s%s",
                                     pos ? "," : "",
                                     a2f_ctl_transports[i].word);
            if (pos >= size) {
                break;
            }
        }
    }

    return (buf[0] != '\0') ? buf : "-";
}


/*
 * key add NAME KEYNAME --cred-id B64URL --public-key B64URL [--alg N]
 * [--u2f] [--fmt FMT] [--aaguid HEX] [--transports LIST]: an import
 * (tests, migrations); the browser registers keys.
 */

static int
a2f_ctl_key_add(a2f_ctl_t *ctl, int argc, char **argv)
{
    int            rc, i, m;
    char           show[A2F_CTL_NAME_SHOW];
    long           v;
    size_t         n;
    const char    *name, *kname, *id, *pub, *alg, *fmt, *aaguid, *tr;
    a2f_seckey_t   k;

    name = NULL;
    kname = NULL;
    id = NULL;
    pub = NULL;
    alg = NULL;
    fmt = NULL;
    aaguid = NULL;
    tr = NULL;

    memset(&k, 0, sizeof(a2f_seckey_t));

    for (i = 0; i < argc; i++) {

        if ((m = a2f_ctl_optval(argc, argv, &i, "--cred-id", &id))
            || (m = a2f_ctl_optval(argc, argv, &i, "--public-key", &pub))
            || (m = a2f_ctl_optval(argc, argv, &i, "--alg", &alg))
            || (m = a2f_ctl_optval(argc, argv, &i, "--fmt", &fmt))
            || (m = a2f_ctl_optval(argc, argv, &i, "--aaguid", &aaguid))
            || (m = a2f_ctl_optval(argc, argv, &i, "--transports", &tr)))
        {
            if (m < 0) {
                return a2f_ctl_usage("key add: %s needs a value", argv[i]);
            }

            continue;
        }

        if (strcmp(argv[i], "--u2f") == 0) {
            k.flags |= A2F_SECKEY_U2F;
            continue;
        }

        rc = a2f_ctl_key_names("key add", argv[i], &name, &kname);
        if (rc != A2F_CTL_OK) {
            return rc;
        }
    }

    if (name == NULL || kname == NULL || id == NULL || pub == NULL) {
        return a2f_ctl_usage("usage: key add NAME KEYNAME --cred-id B64URL "
                             "--public-key B64URL [--alg N] [--u2f] "
                             "[--fmt FMT] [--aaguid HEX] "
                             "[--transports LIST]");
    }

    if (!a2f_ctl_user_arg(name, show, sizeof(show))
        || !a2f_ctl_name_arg("key add", "KEYNAME", kname))
    {
        return A2F_CTL_USAGE;
    }

    memcpy(k.name, kname, strlen(kname) + 1);

    k.alg = -7;

    if (alg != NULL) {
        if (!a2f_ctl_int(alg, -2147483647L - 1, 2147483647L, &v)) {
            return a2f_ctl_usage("key add: --alg must be a COSE algorithm "
                                 "number, such as -7 (ES256), -8 (EdDSA) "
                                 "or -257 (RS256)");
        }

        k.alg = (int) v;
    }

    if (fmt == NULL) {
        fmt = "none";
    }

    if (fmt[0] == '\0' || strlen(fmt) > A2F_SECKEY_FMT_MAX
        || !a2f_ctl_visible(fmt))
    {
        return a2f_ctl_usage("key add: --fmt must be 1..%d printable ASCII "
                             "characters without spaces, such as none, "
                             "packed or fido-u2f", A2F_SECKEY_FMT_MAX);
    }

    memcpy(k.fmt, fmt, strlen(fmt) + 1);

    if (aaguid != NULL
        && (a2f_hex_decode(aaguid, strlen(aaguid), k.aaguid,
                           sizeof(k.aaguid), &n) != A2F_OK
            || n != sizeof(k.aaguid)))
    {
        return a2f_ctl_usage("key add: --aaguid must be %d hex digits",
                             2 * A2F_SECKEY_AAGUID);
    }

    if (tr != NULL && !a2f_ctl_transports_arg(tr, &k.transports)) {
        return a2f_ctl_usage("key add: --transports must be a "
                             "comma-separated list of usb, nfc, ble, "
                             "internal and hybrid");
    }

    rc = a2f_ctl_b64_arg("key add", "--cred-id", id, k.cred_id,
                         sizeof(k.cred_id), &k.cred_id_len);
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    rc = a2f_ctl_b64_arg("key add", "--public-key", pub, k.pubkey,
                         sizeof(k.pubkey), &k.pubkey_len);
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    return a2f_ctl_key_store(ctl, name, show, &k, "key_add");
}


/*
 * key import NAME KEYNAME --appid URL --key-handle B64URL --public-key
 * B64URL: a key registered through the old FIDO U2F API.  Its key handle
 * is the credential id; its public key, a raw uncompressed P-256 point,
 * is stored as a COSE_Key; the browser asks for it with the appid
 * extension.
 */

static int
a2f_ctl_key_import(a2f_ctl_t *ctl, int argc, char **argv)
{
    int            rc, i, m;
    char           show[A2F_CTL_NAME_SHOW];
    size_t         len;
    uint8_t        point[A2F_SECKEY_PUB_MAX];
    const char    *name, *kname, *appid, *handle, *pub, *host;
    a2f_seckey_t   k;

    name = NULL;
    kname = NULL;
    appid = NULL;
    handle = NULL;
    pub = NULL;

    for (i = 0; i < argc; i++) {

        if ((m = a2f_ctl_optval(argc, argv, &i, "--appid", &appid))
            || (m = a2f_ctl_optval(argc, argv, &i, "--key-handle", &handle))
            || (m = a2f_ctl_optval(argc, argv, &i, "--public-key", &pub)))
        {
            if (m < 0) {
                return a2f_ctl_usage("key import: %s needs a value",
                                     argv[i]);
            }

            continue;
        }

        rc = a2f_ctl_key_names("key import", argv[i], &name, &kname);
        if (rc != A2F_CTL_OK) {
            return rc;
        }
    }

    if (name == NULL || kname == NULL || appid == NULL || handle == NULL
        || pub == NULL)
    {
        return a2f_ctl_usage("usage: key import NAME KEYNAME --appid URL "
                             "--key-handle B64URL --public-key B64URL");
    }

    if (!a2f_ctl_user_arg(name, show, sizeof(show))
        || !a2f_ctl_name_arg("key import", "KEYNAME", kname))
    {
        return A2F_CTL_USAGE;
    }

    /* https://host[...]: the origin of the U2F registration */

    len = strlen(appid);
    host = appid + sizeof(A2F_CTL_HTTPS) - 1;

    if (len > A2F_SECKEY_APPID_MAX || len < sizeof(A2F_CTL_HTTPS)
        || strncmp(appid, A2F_CTL_HTTPS, sizeof(A2F_CTL_HTTPS) - 1) != 0
        || host[0] == '/' || host[0] == ':' || !a2f_ctl_visible(appid))
    {
        return a2f_ctl_usage("key import: --appid must be an https:// URL "
                             "of at most %d bytes without spaces, such as "
                             "https://example.com/app-id.json",
                             A2F_SECKEY_APPID_MAX);
    }

    memset(&k, 0, sizeof(a2f_seckey_t));

    memcpy(k.name, kname, strlen(kname) + 1);
    memcpy(k.appid, appid, len + 1);
    memcpy(k.fmt, "u2f", sizeof("u2f"));
    k.alg = -7;
    k.flags = A2F_SECKEY_U2F;

    rc = a2f_ctl_b64_arg("key import", "--key-handle", handle, k.cred_id,
                         sizeof(k.cred_id), &k.cred_id_len);
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    rc = a2f_ctl_b64_arg("key import", "--public-key", pub, point,
                         sizeof(point), &len);
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    if (len != A2F_CTL_U2F_POINT) {
        return a2f_ctl_usage("key import: --public-key must be %d bytes "
                             "(an uncompressed P-256 point), not %zu",
                             A2F_CTL_U2F_POINT, len);
    }

    if (point[0] != 0x04) {
        return a2f_ctl_usage("key import: --public-key must start with "
                             "0x04 (an uncompressed point), not 0x%02x",
                             point[0]);
    }

    rc = a2f_wa_cose_from_u2f(point, len, k.pubkey, sizeof(k.pubkey),
                              &k.pubkey_len);

    if (rc == A2F_ERR_INVALID) {
        return a2f_ctl_usage("key import: --public-key is not a point on "
                             "the P-256 curve");
    }

    if (rc != A2F_OK) {
        a2f_ctl_err("key import: cannot convert the public key: %s",
                    a2f_strerror(rc));
        return A2F_CTL_FAIL;
    }

    return a2f_ctl_key_store(ctl, name, show, &k, "key_import");
}


static int
a2f_ctl_key_list(a2f_ctl_t *ctl, const char *name)
{
    int            rc;
    char           show[A2F_CTL_NAME_SHOW], kshow[A2F_CTL_NAME_SHOW];
    char           created[32], used[32], tr[64];
    char           aaguid[2 * A2F_SECKEY_AAGUID + 1];
    char           id[A2F_CTL_B64_MAX(A2F_SECKEY_ID_MAX)];
    char           appid[A2F_SECKEY_APPID_MAX + 1];
    unsigned       i, n;
    a2f_seckey_t   keys[A2F_SECKEYS_MAX];
    static const uint8_t  zero[A2F_SECKEY_AAGUID];

    rc = a2f_ctl_open_user(ctl, name, show);
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    rc = a2f_store_seckey_list(ctl->st, name, strlen(name), keys,
                               A2F_SECKEYS_MAX, &n);
    if (rc != A2F_OK) {
        return a2f_ctl_store_err(ctl, rc, name);
    }

    for (i = 0; i < n; i++) {
        a2f_ctl_time(keys[i].created, created, sizeof(created));
        a2f_ctl_time(keys[i].last_used, used, sizeof(used));

        if (a2f_b64url_encode(keys[i].cred_id, keys[i].cred_id_len, id,
                              sizeof(id)) == 0)
        {
            (void) snprintf(id, sizeof(id), "?");
        }

        if (memcmp(keys[i].aaguid, zero, sizeof(zero)) == 0
            || a2f_hex_encode(keys[i].aaguid, sizeof(keys[i].aaguid),
                              aaguid, sizeof(aaguid)) == 0)
        {
            (void) snprintf(aaguid, sizeof(aaguid), "-");
        }

        printf("%s alg=%d cred_id=%s sign_count=%u created=%s "
               "last_used=%s u2f=%s fmt=%s aaguid=%s transports=%s",
               a2f_ctl_show(keys[i].name, strlen(keys[i].name), kshow,
                            sizeof(kshow)),
               keys[i].alg, id, (unsigned) keys[i].sign_count, created, used,
               (keys[i].flags & A2F_SECKEY_U2F) ? "yes" : "no",
               keys[i].fmt, aaguid,
               a2f_ctl_transports_text(keys[i].transports, tr, sizeof(tr)));

        if (keys[i].appid[0] != '\0') {
            printf(" appid=%s",
                   a2f_ctl_show(keys[i].appid, strlen(keys[i].appid), appid,
                                sizeof(appid)));
        }

        printf("%s\n", (keys[i].flags & A2F_SECKEY_CLONED) ? " cloned" : "");
    }

    return a2f_ctl_flush();
}


/* -- enrollment links ------------------------------------------------------ */


/*
 * link NAME [--ttl DURATION]: the token on the first line of stdout,
 * "expires=<unix seconds>" on the second; how to make the URL on stderr.
 */

static int
a2f_ctl_link(a2f_ctl_t *ctl, int argc, char **argv)
{
    int           rc, i, m;
    char          show[A2F_CTL_NAME_SHOW], until[32];
    char          token[A2F_LINK_TOKEN_LEN + 1];
    int64_t       now, ttl;
    const char   *name, *dur;

    name = NULL;
    dur = NULL;

    for (i = 0; i < argc; i++) {

        if ((m = a2f_ctl_optval(argc, argv, &i, "--ttl", &dur))) {
            if (m < 0) {
                return a2f_ctl_usage("link: --ttl needs a value");
            }

            continue;
        }

        rc = a2f_ctl_name_once("link", argv[i], &name);
        if (rc != A2F_CTL_OK) {
            return rc;
        }
    }

    if (name == NULL) {
        return a2f_ctl_usage("usage: link NAME [--ttl DURATION]");
    }

    if (!a2f_ctl_user_arg(name, show, sizeof(show))) {
        return A2F_CTL_USAGE;
    }

    ttl = A2F_CTL_LINK_TTL;

    if (dur != NULL && !a2f_ctl_duration(dur, A2F_LINK_TTL_MAX, &ttl)) {
        return a2f_ctl_usage("link: --ttl must be 1s..%dd, such as 30m, 24h "
                             "or 7d", A2F_LINK_TTL_MAX / 86400);
    }

    rc = a2f_ctl_open(ctl, 0);
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    now = (int64_t) time(NULL);

    rc = a2f_store_link_new(ctl->st, name, strlen(name), now + ttl, now,
                            "by=a2fctl", token);
    if (rc != A2F_OK) {
        return a2f_ctl_store_err(ctl, rc, name);
    }

    printf("%s\nexpires=%lld\n", token, (long long) (now + ttl));

    if (fflush(stdout) == EOF) {
        OPENSSL_cleanse(token, sizeof(token));
        a2f_ctl_err("stdout: %s (the link is stored: run link again for a "
                    "new one)", strerror(errno));
        return A2F_CTL_FAIL;
    }

    a2f_ctl_time(now + ttl, until, sizeof(until));

    fprintf(stderr, "a2fctl: the enrollment URL is the portal's location "
            "followed by \"enroll/\" and the token, such as "
            "https://example.com/_a2f/enroll/%s\n"
            "a2fctl: it works once, until %s; a new link for \"%s\" "
            "replaces it\n", token, until, show);

    OPENSSL_cleanse(token, sizeof(token));

    return A2F_CTL_OK;
}


/* -- recovery codes -------------------------------------------------------- */


static int
a2f_ctl_recovery(a2f_ctl_t *ctl, int argc, char **argv)
{
    int       rc, i;
    char      show[A2F_CTL_NAME_SHOW];
    char      codes[A2F_RECOVERY_CODES][A2F_RECOVERY_LEN + 1];
    int64_t   now;

    if (argc != 1) {
        return a2f_ctl_usage("usage: recovery NAME");
    }

    rc = a2f_ctl_open_user(ctl, argv[0], show);
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    now = (int64_t) time(NULL);

    rc = a2f_store_recovery_new(ctl->st, argv[0], strlen(argv[0]), codes,
                                now);
    if (rc != A2F_OK) {
        return a2f_ctl_store_err(ctl, rc, argv[0]);
    }

    (void) a2f_store_audit(ctl->st, now, "recovery", argv[0],
                           strlen(argv[0]), NULL, "by=a2fctl");

    for (i = 0; i < A2F_RECOVERY_CODES; i++) {
        printf("%s\n", codes[i]);
    }

    OPENSSL_cleanse(codes, sizeof(codes));

    if (fflush(stdout) == EOF) {
        a2f_ctl_err("stdout: %s (the new codes are stored: run recovery "
                    "again)", strerror(errno));
        return A2F_CTL_FAIL;
    }

    fputs("These codes are shown once. Each works one time in place of a "
          "one-time code.\n", stderr);

    return A2F_CTL_OK;
}


/* -- unlock, revoke -------------------------------------------------------- */


static int
a2f_ctl_simple(a2f_ctl_t *ctl, const char *cmd, int argc, char **argv)
{
    int   rc;
    char  show[A2F_CTL_NAME_SHOW];

    if (argc != 1) {
        return a2f_ctl_usage("usage: %s NAME", cmd);
    }

    rc = a2f_ctl_open_user(ctl, argv[0], show);
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    if (strcmp(cmd, "unlock") == 0) {
        rc = a2f_store_unlock(ctl->st, argv[0], strlen(argv[0]));

    } else {
        rc = a2f_store_user_revoke(ctl->st, argv[0], strlen(argv[0]));
    }

    return a2f_ctl_changed(ctl, rc, argv[0], cmd);
}


/* -- keys ------------------------------------------------------------------ */


/* write data to a new file path (mode 0600), or over path by rename */

static int
a2f_ctl_write_new(const char *path, const char *data, size_t len)
{
    int      fd;
    char     tmp[PATH_MAX];
    size_t   off;
    ssize_t  n;

    if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int) sizeof(tmp)) {
        a2f_ctl_err("%s: path too long", path);
        return A2F_CTL_FAIL;
    }

    fd = mkstemp(tmp);
    if (fd == -1) {
        a2f_ctl_err("%s: %s", tmp, strerror(errno));
        return A2F_CTL_FAIL;
    }

    if (fchmod(fd, 0600) == -1) {
        goto failed;
    }

    for (off = 0; off < len; off += (size_t) n) {
        n = write(fd, data + off, len - off);

        if (n < 0) {
            if (errno == EINTR) {
                n = 0;
                continue;
            }

            goto failed;
        }
    }

    if (fsync(fd) == -1) {
        goto failed;
    }

    if (close(fd) == -1) {
        fd = -1;
        goto failed;
    }

    fd = -1;

    if (rename(tmp, path) == -1) {
        goto failed;
    }

    return A2F_CTL_OK;

failed:

    a2f_ctl_err("%s: %s", path, strerror(errno));

    if (fd != -1) {
        (void) close(fd);
    }

    (void) unlink(tmp);

    return A2F_CTL_FAIL;
}


static int
a2f_ctl_keygen(int argc, char **argv)
{
    int             rc, i, fd, append;
    char            line[128], err[512];
    char           *buf;
    size_t          len, n;
    ssize_t         r;
    const char     *path;
    struct stat     sb;
    a2f_keyring_t   kr;

    path = NULL;
    append = 0;
    r = 0;

    for (i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--append") == 0) {
            append = 1;

        } else if (path == NULL && argv[i][0] != '\0') {
            path = argv[i];

        } else {
            return a2f_ctl_usage("usage: keygen FILE [--append]");
        }
    }

    if (path == NULL) {
        return a2f_ctl_usage("usage: keygen FILE [--append]");
    }

    if (a2f_keygen_line(line, sizeof(line)) != A2F_OK) {
        a2f_ctl_err("no random bytes");
        return A2F_CTL_FAIL;
    }

    len = strlen(line);

    err[0] = '\0';

    if (a2f_keyring_parse(line, len, &kr, err, sizeof(err)) != A2F_OK) {
        OPENSSL_cleanse(line, sizeof(line));
        a2f_ctl_err("the new key does not parse: %s", err);
        return A2F_CTL_FAIL;
    }

    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);

    if (fd != -1) {

        /* a new file */

        for (n = 0; n < len; n += (size_t) r) {
            r = write(fd, line + n, len - n);

            if (r < 0 && errno == EINTR) {
                r = 0;
                continue;
            }

            if (r < 0) {
                break;
            }
        }

        rc = (n == len && fsync(fd) == 0) ? A2F_CTL_OK : A2F_CTL_FAIL;

        if (close(fd) == -1) {
            rc = A2F_CTL_FAIL;
        }

        OPENSSL_cleanse(line, sizeof(line));

        if (rc != A2F_CTL_OK) {
            a2f_ctl_err("%s: %s", path, strerror(errno));
            (void) unlink(path);
            a2f_keyring_wipe(&kr);
            return rc;
        }

        fprintf(stderr, "a2fctl: new key %s written to %s\n",
                kr.keys[0].kid, path);
        a2f_keyring_wipe(&kr);

        return A2F_CTL_OK;
    }

    if (errno != EEXIST) {
        a2f_ctl_err("%s: %s", path, strerror(errno));
        OPENSSL_cleanse(line, sizeof(line));
        a2f_keyring_wipe(&kr);
        return A2F_CTL_FAIL;
    }

    if (!append) {
        a2f_ctl_err("%s exists (keygen --append puts a new key in front "
                    "of its keys)", path);
        OPENSSL_cleanse(line, sizeof(line));
        a2f_keyring_wipe(&kr);
        return A2F_CTL_FAIL;
    }

    /* rotation: the new key first, the old lines after it */

    a2f_keyring_wipe(&kr);

    fd = open(path, O_RDONLY | O_NOFOLLOW);

    if (fd == -1 || fstat(fd, &sb) == -1) {
        a2f_ctl_err("%s: %s", path, strerror(errno));
        OPENSSL_cleanse(line, sizeof(line));

        if (fd != -1) {
            (void) close(fd);
        }

        return A2F_CTL_FAIL;
    }

    if (!S_ISREG(sb.st_mode) || sb.st_size > A2F_CTL_KEYFILE_MAX) {
        a2f_ctl_err("%s: not a key file (not a regular file or over %d "
                    "bytes)", path, A2F_CTL_KEYFILE_MAX);
        OPENSSL_cleanse(line, sizeof(line));
        (void) close(fd);
        return A2F_CTL_FAIL;
    }

    buf = malloc(len + (size_t) sb.st_size + 2);
    if (buf == NULL) {
        a2f_ctl_err("out of memory");
        OPENSSL_cleanse(line, sizeof(line));
        (void) close(fd);
        return A2F_CTL_FAIL;
    }

    memcpy(buf, line, len);
    OPENSSL_cleanse(line, sizeof(line));

    n = len;

    for ( ;; ) {
        r = read(fd, buf + n, len + (size_t) sb.st_size + 1 - n);

        if (r < 0 && errno == EINTR) {
            continue;
        }

        if (r <= 0) {
            break;
        }

        n += (size_t) r;

        if (n > len + (size_t) sb.st_size) {
            break;
        }
    }

    (void) close(fd);

    if (r < 0 || n != len + (size_t) sb.st_size) {
        a2f_ctl_err("%s: %s", path, r < 0 ? strerror(errno)
                                          : "changed while read");
        rc = A2F_CTL_FAIL;
        goto done;
    }

    if (n > len && buf[n - 1] != '\n') {
        buf[n++] = '\n';
    }

    err[0] = '\0';

    if (a2f_keyring_parse(buf, n, &kr, err, sizeof(err)) != A2F_OK) {

        /* the line numbers of the file as it is */

        if (a2f_keyring_parse(buf + len, n - len, &kr, err, sizeof(err))
            == A2F_OK)
        {
            a2f_keyring_wipe(&kr);
            (void) snprintf(err, sizeof(err), "no room for one more key "
                            "(at most %d)", A2F_KEYS_MAX);
        }

        a2f_ctl_err("key file %s: %s (nothing written)", path, err);
        rc = A2F_CTL_FAIL;
        goto done;
    }

    rc = a2f_ctl_write_new(path, buf, n);

    if (rc == A2F_CTL_OK) {
        fprintf(stderr, "a2fctl: new key %s put in front of %u key(s) in "
                "%s; a database learns it when next opened (nginx reload, "
                "any a2fctl command but backup): drop old lines only "
                "after that, then run a2fctl rekey\n",
                kr.keys[0].kid, (unsigned) kr.n - 1, path);
    }

    a2f_keyring_wipe(&kr);

done:

    OPENSSL_cleanse(buf, len + (size_t) sb.st_size + 2);
    free(buf);

    return rc;
}


/*
 * After old lines left the key file: remove the data key wraps of the
 * keys that are not in it (a2f_store_dek_prune()).  The open before
 * seals the data key under every key of the file that lacks it.
 */

static int
a2f_ctl_rekey(a2f_ctl_t *ctl, int argc, char **argv)
{
    int       rc;
    char      detail[64];
    unsigned  n;

    if (argc != 0) {
        return a2f_ctl_usage("rekey takes no arguments");
    }

    rc = a2f_ctl_open(ctl, 0);
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    rc = a2f_store_dek_prune(ctl->st, &n);

    if (rc == A2F_ERR_NOKEY) {
        a2f_ctl_err("%s: no key in %s opens the data key (nothing removed)",
                    ctl->db, ctl->keyfile);
        return A2F_CTL_FAIL;
    }

    if (rc != A2F_OK) {
        return a2f_ctl_store_err(ctl, rc, NULL);
    }

    (void) snprintf(detail, sizeof(detail), "removed=%u by=a2fctl", n);
    (void) a2f_store_audit(ctl->st, (int64_t) time(NULL), "rekey", NULL, 0,
                           NULL, detail);

    printf("rekey: removed %u old key wrap(s)\n", n);

    return a2f_ctl_flush();
}


/* -- QR codes -------------------------------------------------------------- */


/* TEXT as a QR code on stdout, also when stdout is not a terminal */

static int
a2f_ctl_qr(int argc, char **argv)
{
    int     rc;
    size_t  len;

    if (argc != 1) {
        return a2f_ctl_usage("usage: qr TEXT");
    }

    len = strlen(argv[0]);

    if (len == 0) {
        return a2f_ctl_usage("qr: TEXT is empty");
    }

    if (len >= A2F_URI_MAX) {
        return a2f_ctl_usage("qr: TEXT is %zu bytes, longer than %d", len,
                             A2F_URI_MAX - 1);
    }

    rc = a2f_qr_terminal(stdout, argv[0]);
    if (rc != A2F_OK) {
        a2f_ctl_err("cannot draw the QR code: %s", a2f_strerror(rc));
        return A2F_CTL_FAIL;
    }

    return a2f_ctl_flush();
}


/* -- backup, audit --------------------------------------------------------- */


static int
a2f_ctl_backup(a2f_ctl_t *ctl, int argc, char **argv)
{
    int          rc;
    struct stat  sb;

    if (argc != 1 || argv[0][0] == '\0') {
        return a2f_ctl_usage("usage: backup FILE");
    }

    if (lstat(argv[0], &sb) == 0) {
        a2f_ctl_err("%s exists (a backup goes to a new file)", argv[0]);
        return A2F_CTL_FAIL;
    }

    rc = a2f_ctl_open(ctl, A2F_STORE_RDONLY);
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    rc = a2f_store_backup(ctl->st, argv[0]);

    if (rc == A2F_ERR_EXISTS) {
        a2f_ctl_err("%s exists (a backup goes to a new file)", argv[0]);
        return A2F_CTL_FAIL;
    }

    if (rc != A2F_OK) {
        a2f_ctl_err("cannot copy %s to %s: %s", ctl->db, argv[0],
                    a2f_strerror(rc));
        return A2F_CTL_FAIL;
    }

    return A2F_CTL_OK;
}


static int
a2f_ctl_audit_add(int64_t usec, const char *text, size_t len, void *arg)
{
    a2f_ctl_events_t *evs = arg;

    char  *copy;

    copy = malloc(len + 1);
    if (copy == NULL) {
        return A2F_ERR_NOMEM;
    }

    memcpy(copy, text, len + 1);

    evs->ev[evs->n].usec = usec;
    evs->ev[evs->n].text = copy;
    evs->n++;

    return 0;
}


static int
a2f_ctl_audit(a2f_ctl_t *ctl, int argc, char **argv)
{
    int               rc;
    char              when[32];
    size_t            i, len;
    unsigned long     max;
    a2f_ctl_events_t  evs;

    max = 20;

    if (argc > 1 || (argc == 1
                     && !a2f_ctl_uint(argv[0], 1, A2F_CTL_AUDIT_MAX, &max)))
    {
        return a2f_ctl_usage("usage: audit [N] (N 1..%d)",
                             A2F_CTL_AUDIT_MAX);
    }

    rc = a2f_ctl_open(ctl, 0);
    if (rc != A2F_CTL_OK) {
        return rc;
    }

    evs.n = 0;
    evs.ev = calloc(max, sizeof(a2f_ctl_event_t));

    if (evs.ev == NULL) {
        a2f_ctl_err("out of memory");
        return A2F_CTL_FAIL;
    }

    rc = a2f_store_audit_list(ctl->st, (unsigned) max, a2f_ctl_audit_add,
                              &evs);

    /* oldest first, as tail(1) */

    if (rc == A2F_OK) {
        for (i = evs.n; i > 0; i--) {
            a2f_ctl_time(evs.ev[i - 1].usec / 1000000, when, sizeof(when));

            /* the 'Z' goes after the microseconds */

            len = strlen(when);

            if (len && when[len - 1] == 'Z') {
                when[len - 1] = '\0';
            }

            printf("%s.%06ldZ %s\n", when,
                   (long) (evs.ev[i - 1].usec % 1000000),
                   evs.ev[i - 1].text);
        }
    }

    for (i = 0; i < evs.n; i++) {
        free(evs.ev[i].text);
    }

    free(evs.ev);

    if (rc != A2F_OK) {
        return a2f_ctl_store_err(ctl, rc, NULL);
    }

    return a2f_ctl_flush();
}


/* -- main ------------------------------------------------------------------ */


int
main(int argc, char **argv)
{
    int          i, rc;
    char         show[A2F_CTL_NAME_SHOW];
    const char  *cmd;
    a2f_ctl_t    ctl;

    memset(&ctl, 0, sizeof(a2f_ctl_t));

    ctl.db = getenv("A2F_DB");
    ctl.keyfile = getenv("A2F_KEY");

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {

        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            a2f_ctl_help(stdout);
            return A2F_CTL_OK;
        }

        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }

        if (strcmp(argv[i], "-d") == 0 || strcmp(argv[i], "-k") == 0) {
            if (i + 1 >= argc) {
                return a2f_ctl_usage("%s needs a value", argv[i]);
            }

            if (argv[i][1] == 'd') {
                ctl.db = argv[i + 1];

            } else {
                ctl.keyfile = argv[i + 1];
            }

            i++;
            continue;
        }

        return a2f_ctl_usage("unknown option \"%s\"",
                             a2f_ctl_show(argv[i], strlen(argv[i]), show,
                                          sizeof(show)));
    }

    if (i >= argc) {
        a2f_ctl_help(stderr);
        return A2F_CTL_USAGE;
    }

    cmd = argv[i++];
    argc -= i;
    argv += i;

    if (strcmp(cmd, "keygen") == 0) {
        return a2f_ctl_keygen(argc, argv);
    }

    if (strcmp(cmd, "qr") == 0) {
        return a2f_ctl_qr(argc, argv);
    }

    if (strcmp(cmd, "user") == 0) {
        rc = a2f_ctl_user(&ctl, argc, argv);

    } else if (strcmp(cmd, "passwd") == 0) {
        rc = a2f_ctl_passwd(&ctl, argc, argv);

    } else if (strcmp(cmd, "totp") == 0) {
        rc = a2f_ctl_cred(&ctl, &a2f_ctl_totp_cred, argc, argv);

    } else if (strcmp(cmd, "key") == 0) {
        rc = a2f_ctl_cred(&ctl, &a2f_ctl_key_cred, argc, argv);

    } else if (strcmp(cmd, "link") == 0) {
        rc = a2f_ctl_link(&ctl, argc, argv);

    } else if (strcmp(cmd, "recovery") == 0) {
        rc = a2f_ctl_recovery(&ctl, argc, argv);

    } else if (strcmp(cmd, "unlock") == 0 || strcmp(cmd, "revoke") == 0) {
        rc = a2f_ctl_simple(&ctl, cmd, argc, argv);

    } else if (strcmp(cmd, "rekey") == 0) {
        rc = a2f_ctl_rekey(&ctl, argc, argv);

    } else if (strcmp(cmd, "backup") == 0) {
        rc = a2f_ctl_backup(&ctl, argc, argv);

    } else if (strcmp(cmd, "audit") == 0) {
        rc = a2f_ctl_audit(&ctl, argc, argv);

    } else {
        rc = a2f_ctl_usage("unknown command \"%s\"",
                           a2f_ctl_show(cmd, strlen(cmd), show,
                                        sizeof(show)));
    }

    a2f_store_close(ctl.st);
    a2f_keyring_wipe(&ctl.kr);

    return rc;
}
