
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * test_password.c: scrypt and PBKDF2 hash strings: round trips, vectors
 * computed independently (Python hashlib), malformed strings and
 * parameters out of bounds; generated passwords.
 */


#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "a2f_password.h"
#include "a2f_test.h"


/*
 * Computed with Python's hashlib.scrypt / hashlib.pbkdf2_hmac, e.g.
 *   hashlib.pbkdf2_hmac("sha256", b"correct horse",
 *                       b"NaCl-salt-0123456", 1000, 32)
 * salt and hash base64url without padding.
 */
#define A2F_TEST_SCRYPT_10                                                   \
    "$scrypt$ln=10,r=8,p=1$c2NyeXB0LXNhbHQtMTIzNA"                           \
    "$p4p9Pph7BnQTdoFYphUnT52Ld-nL6ccPTR3gwZgYHk8"
#define A2F_TEST_SCRYPT_11                                                   \
    "$scrypt$ln=11,r=4,p=2$c2NyeXB0LXNhbHQtMTIzNA"                           \
    "$9zYjGvIE_vx3M8Wle9CfPovWq51LxSUvn8JUR9Xmzrc"
#define A2F_TEST_PBKDF2_1000                                                 \
    "$pbkdf2-sha256$i=1000$TmFDbC1zYWx0LTAxMjM0NTY"                          \
    "$PgvrEs1cvCuZrAiFLv5ZsZqnzq7fzTM74fwil4zRBxA"
#define A2F_TEST_PBKDF2_20000                                                \
    "$pbkdf2-sha256$i=20000$YW5vdGhlciBzYWx0ISE"                             \
    "$H23ddpifOGthr1YXZPX2ZHHKB7CIK2VLvniANwHBvM4"

#define A2F_TEST_SALT    "$c2NyeXB0LXNhbHQtMTIzNA"
#define A2F_TEST_ALPHABET  "0123456789abcdefghjkmnpqrstvwxyz"
#define A2F_TEST_DK      "$p4p9Pph7BnQTdoFYphUnT52Ld-nL6ccPTR3gwZgYHk8"


static void
a2f_test_round_trip(void)
{
    char    h1[A2F_PWHASH_MAX], h2[A2F_PWHASH_MAX], big[300];
    size_t  n;

    CHECK_RC(a2f_password_hash("s3cret pass", 11, 10, h1, sizeof(h1)),
             A2F_OK);
    CHECK(strncmp(h1, "$scrypt$ln=10,r=8,p=1$", 22) == 0);
    CHECK(strlen(h1) == 22 + 22 + 1 + 43);

    CHECK_RC(a2f_password_verify("s3cret pass", 11, h1), A2F_OK);
    CHECK_RC(a2f_password_verify("s3cret pasS", 11, h1), A2F_ERR_AUTH);
    CHECK_RC(a2f_password_verify("s3cret pas", 10, h1), A2F_ERR_AUTH);
    CHECK_RC(a2f_password_verify("s3cret pass ", 12, h1), A2F_ERR_AUTH);
    CHECK_RC(a2f_password_verify("", 0, h1), A2F_ERR_AUTH);

    /* a fresh salt each time */
    CHECK_RC(a2f_password_hash("s3cret pass", 11, 10, h2, sizeof(h2)),
             A2F_OK);
    CHECK(strcmp(h1, h2) != 0);
    CHECK_RC(a2f_password_verify("s3cret pass", 11, h2), A2F_OK);

    /* embedded NUL and non-ASCII bytes are part of the password */
    CHECK_RC(a2f_password_hash("a\0b\xc3\xa9", 5, 10, h1, sizeof(h1)),
             A2F_OK);
    CHECK_RC(a2f_password_verify("a\0b\xc3\xa9", 5, h1), A2F_OK);
    CHECK_RC(a2f_password_verify("a\0c\xc3\xa9", 5, h1), A2F_ERR_AUTH);
    CHECK_RC(a2f_password_verify("a", 1, h1), A2F_ERR_AUTH);

    /* the empty password hashes too (policy is the caller's) */
    CHECK_RC(a2f_password_hash("", 0, 10, h1, sizeof(h1)), A2F_OK);
    CHECK_RC(a2f_password_verify("", 0, h1), A2F_OK);

    /* the longest password, and one byte more */
    memset(big, 'x', sizeof(big));
    CHECK_RC(a2f_password_hash(big, A2F_PASSWORD_MAX, 10, h1, sizeof(h1)),
             A2F_OK);
    CHECK_RC(a2f_password_verify(big, A2F_PASSWORD_MAX, h1), A2F_OK);
    CHECK_RC(a2f_password_verify(big, A2F_PASSWORD_MAX + 1, h1),
             A2F_ERR_AUTH);
    CHECK_RC(a2f_password_hash(big, A2F_PASSWORD_MAX + 1, 10, h1,
                               sizeof(h1)), A2F_ERR_TOOBIG);

    /* ln: 0 is the default; out of range refused */
    CHECK_RC(a2f_password_hash("pw", 2, 0, h1, sizeof(h1)), A2F_OK);
    CHECK(strncmp(h1, "$scrypt$ln=15,r=8,p=1$", 22) == 0);
    CHECK_RC(a2f_password_verify("pw", 2, h1), A2F_OK);
    CHECK_RC(a2f_password_hash("pw", 2, 9, h1, sizeof(h1)), A2F_ERR_INVALID);
    CHECK_RC(a2f_password_hash("pw", 2, 21, h1, sizeof(h1)),
             A2F_ERR_INVALID);
    /* r = 8, ln = 19 would need 512 MiB, over the bound verify keeps */
    CHECK_RC(a2f_password_hash("pw", 2, 19, h1, sizeof(h1)),
             A2F_ERR_INVALID);

    /* a small output buffer */
    CHECK_RC(a2f_password_hash("pw", 2, 10, h1, 88), A2F_ERR_TOOBIG);
    CHECK_RC(a2f_password_hash("pw", 2, 10, h1, 89), A2F_OK);
    n = strlen(h1);
    CHECK(n == 88);
}


static void
a2f_test_vectors(void)
{
    CHECK_RC(a2f_password_verify("hunter2", 7, A2F_TEST_SCRYPT_10), A2F_OK);
    CHECK_RC(a2f_password_verify("hunter3", 7, A2F_TEST_SCRYPT_10),
             A2F_ERR_AUTH);
    CHECK_RC(a2f_password_verify("hunter2", 7, A2F_TEST_SCRYPT_11), A2F_OK);
    CHECK_RC(a2f_password_verify("Hunter2", 7, A2F_TEST_SCRYPT_11),
             A2F_ERR_AUTH);
    CHECK_RC(a2f_password_verify("correct horse", 13, A2F_TEST_PBKDF2_1000),
             A2F_OK);
    CHECK_RC(a2f_password_verify("correct horsE", 13, A2F_TEST_PBKDF2_1000),
             A2F_ERR_AUTH);
    CHECK_RC(a2f_password_verify("p\xc3\xa4ssw\xc3\xb6rd", 10,
                                 A2F_TEST_PBKDF2_20000), A2F_OK);
    CHECK_RC(a2f_password_verify("passwoerd", 9, A2F_TEST_PBKDF2_20000),
             A2F_ERR_AUTH);
}


static void
a2f_test_malformed(void)
{
    char    long_hash[400];
    size_t  i;

    static const char  *bad[] = {
        "",
        "$",
        "$scrypt$",
        "scrypt$ln=10,r=8,p=1" A2F_TEST_SALT A2F_TEST_DK,
        "$scrypt$ln=10,r=8,p=1" A2F_TEST_SALT,
        "$scrypt$ln=10,r=8,p=1" A2F_TEST_SALT "$",
        "$scrypt$ln=10,r=8,p=1$" A2F_TEST_DK,
        "$scrypt$ln=10,r=8,p=1" A2F_TEST_SALT A2F_TEST_DK "$",
        "$scrypt$ln=10,r=8,p=1" A2F_TEST_SALT A2F_TEST_DK "$x",
        "$scrypt$ln=10,r=8,p=1" A2F_TEST_SALT A2F_TEST_DK "=",
        "$scrypt$ln=10,r=8,p=1" A2F_TEST_SALT A2F_TEST_DK " ",
        "$scrypt$ln=10,r=8,p=1" A2F_TEST_SALT "=" A2F_TEST_DK,
        "$scrypt$ln=10,r=8,p=1$c2NyeXB0LXNhbHQtMTIz+A" A2F_TEST_DK,
        "$scrypt$ln=010,r=8,p=1" A2F_TEST_SALT A2F_TEST_DK,
        "$scrypt$ln=+10,r=8,p=1" A2F_TEST_SALT A2F_TEST_DK,
        "$scrypt$ln= 10,r=8,p=1" A2F_TEST_SALT A2F_TEST_DK,
        "$scrypt$ln=10,r=08,p=1" A2F_TEST_SALT A2F_TEST_DK,
        "$scrypt$ln=10,r=8,p=01" A2F_TEST_SALT A2F_TEST_DK,
        "$scrypt$ln=10,p=1,r=8" A2F_TEST_SALT A2F_TEST_DK,
        "$scrypt$ln=10,r=8" A2F_TEST_SALT A2F_TEST_DK,
        "$scrypt$ln=,r=8,p=1" A2F_TEST_SALT A2F_TEST_DK,
        "$scrypt$LN=10,r=8,p=1" A2F_TEST_SALT A2F_TEST_DK,
        "$SCRYPT$ln=10,r=8,p=1" A2F_TEST_SALT A2F_TEST_DK,
        "$scrypt$ln=10,r=8,p=1,x=1" A2F_TEST_SALT A2F_TEST_DK,
        "$argon2id$v=19$m=65536,t=3,p=4" A2F_TEST_SALT A2F_TEST_DK,
        "$pbkdf2-sha1$i=1000" A2F_TEST_SALT A2F_TEST_DK,
        "$pbkdf2-sha256$i=" A2F_TEST_SALT A2F_TEST_DK,
        "$pbkdf2-sha256$i=01000" A2F_TEST_SALT A2F_TEST_DK,
        "$pbkdf2-sha256$1000" A2F_TEST_SALT A2F_TEST_DK,
        "$pbkdf2-sha256$i=1000$" A2F_TEST_DK,
        /* salt shorter than 8 bytes, hash shorter than 16 */
        "$scrypt$ln=10,r=8,p=1$c2FsdA" A2F_TEST_DK,
        "$scrypt$ln=10,r=8,p=1" A2F_TEST_SALT "$p4p9Pph7BnQTdoFY",
        /* hash longer than 64 bytes */
        "$scrypt$ln=10,r=8,p=1" A2F_TEST_SALT
        "$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    };

    static const char  *bounds[] = {
        "$scrypt$ln=9,r=8,p=1" A2F_TEST_SALT A2F_TEST_DK,
        "$scrypt$ln=21,r=8,p=1" A2F_TEST_SALT A2F_TEST_DK,
        "$scrypt$ln=99999999999999999999,r=8,p=1" A2F_TEST_SALT A2F_TEST_DK,
        "$scrypt$ln=10,r=0,p=1" A2F_TEST_SALT A2F_TEST_DK,
        "$scrypt$ln=10,r=33,p=1" A2F_TEST_SALT A2F_TEST_DK,
        "$scrypt$ln=10,r=8,p=0" A2F_TEST_SALT A2F_TEST_DK,
        "$scrypt$ln=10,r=8,p=17" A2F_TEST_SALT A2F_TEST_DK,
        /* 128 r N over 256 MiB */
        "$scrypt$ln=19,r=8,p=1" A2F_TEST_SALT A2F_TEST_DK,
        "$scrypt$ln=20,r=8,p=1" A2F_TEST_SALT A2F_TEST_DK,
        "$scrypt$ln=18,r=16,p=1" A2F_TEST_SALT A2F_TEST_DK,
        /* N must be below 2^(16 r) */
        "$scrypt$ln=16,r=1,p=1" A2F_TEST_SALT A2F_TEST_DK,
        "$pbkdf2-sha256$i=0" A2F_TEST_SALT A2F_TEST_DK,
        "$pbkdf2-sha256$i=999" A2F_TEST_SALT A2F_TEST_DK,
        "$pbkdf2-sha256$i=10000001" A2F_TEST_SALT A2F_TEST_DK,
        "$pbkdf2-sha256$i=4294967297" A2F_TEST_SALT A2F_TEST_DK
    };

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_RC(a2f_password_verify("hunter2", 7, bad[i]), A2F_ERR_INVALID);
    }

    for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
        CHECK_RC(a2f_password_verify("hunter2", 7, bounds[i]),
                 A2F_ERR_INVALID);
    }

    CHECK_RC(a2f_password_verify("hunter2", 7, NULL), A2F_ERR_INVALID);

    /* a string with no NUL within A2F_PWHASH_MAX bytes */
    memset(long_hash, 'A', sizeof(long_hash));
    memcpy(long_hash, "$scrypt$ln=10,r=8,p=1$", 22);
    long_hash[sizeof(long_hash) - 1] = '\0';
    CHECK_RC(a2f_password_verify("hunter2", 7, long_hash), A2F_ERR_INVALID);

    /* the highest bounds that are accepted still parse */
    CHECK_RC(a2f_password_verify("hunter2", 7,
                                 "$pbkdf2-sha256$i=1000" A2F_TEST_SALT
                                 A2F_TEST_DK), A2F_ERR_AUTH);
}


/* is pw "xxxxx-xxxxx-xxxxx-xxxxx" in the recovery-code alphabet */

static int
a2f_test_generated_ok(const char *pw)
{
    size_t  i;

    if (strlen(pw) != A2F_PASSWORD_GEN_LEN) {
        return 0;
    }

    for (i = 0; i < A2F_PASSWORD_GEN_LEN; i++) {
        if (i % 6 == 5) {
            if (pw[i] != '-') {
                return 0;
            }

        } else if (strchr(A2F_TEST_ALPHABET, pw[i]) == NULL) {
            return 0;
        }
    }

    return 1;
}


static void
a2f_test_generate(void)
{
    int             ok, same;
    char            pw[A2F_PASSWORD_GEN_LEN + 1];
    char            first[A2F_PASSWORD_GEN_LEN + 1];
    char            big[64], hash[A2F_PWHASH_MAX];
    size_t          i, j, min, max;
    const char     *c;
    static size_t   count[32];

    /* too small a buffer: nothing written */

    memset(pw, 'z', sizeof(pw));
    CHECK_RC(a2f_password_generate(pw, A2F_PASSWORD_GEN_LEN), A2F_ERR_TOOBIG);
    CHECK(pw[0] == 'z');
    CHECK_RC(a2f_password_generate(pw, 0), A2F_ERR_TOOBIG);
    CHECK_RC(a2f_password_generate(NULL, 64), A2F_ERR_TOOBIG);

    /* exactly big enough; bigger */

    CHECK_RC(a2f_password_generate(pw, sizeof(pw)), A2F_OK);
    CHECK(a2f_test_generated_ok(pw));
    memcpy(first, pw, sizeof(pw));

    memset(big, 'z', sizeof(big));
    CHECK_RC(a2f_password_generate(big, sizeof(big)), A2F_OK);
    CHECK(a2f_test_generated_ok(big));
    CHECK(big[A2F_PASSWORD_GEN_LEN] == '\0');
    CHECK(strcmp(big, first) != 0);

    /*
     * 4000 passwords, 80000 characters: every one of the 32 letters is
     * used (5 bits each), each about 2500 times (the standard deviation
     * is about 49; a bias of one letter in 256 shows as 312 more or less).
     */

    ok = 1;
    same = 0;

    for (i = 0; i < 4000; i++) {
        if (a2f_password_generate(pw, sizeof(pw)) != A2F_OK
            || !a2f_test_generated_ok(pw))
        {
            ok = 0;
            break;
        }

        if (strcmp(pw, first) == 0) {
            same++;
        }

        for (j = 0; j < A2F_PASSWORD_GEN_LEN; j++) {
            c = strchr(A2F_TEST_ALPHABET, pw[j]);

            if (c != NULL && pw[j] != '-') {
                count[c - A2F_TEST_ALPHABET]++;
            }
        }
    }

    CHECK(ok);
    CHECK(same == 0);

    min = SIZE_MAX;
    max = 0;

    for (i = 0; i < 32; i++) {
        min = count[i] < min ? count[i] : min;
        max = count[i] > max ? count[i] : max;
    }

    CHECK(min > 2500 - 250);
    CHECK(max < 2500 + 250);

    /* a generated password is a password like any other */

    CHECK_RC(a2f_password_hash(first, strlen(first), 10, hash, sizeof(hash)),
             A2F_OK);
    CHECK_RC(a2f_password_verify(first, strlen(first), hash), A2F_OK);
}


int
main(int argc, char **argv)
{
    a2f_test_round_trip();
    a2f_test_vectors();
    a2f_test_malformed();
    a2f_test_generate();

    /* the dummy check neither crashes nor depends on its input */
    a2f_password_dummy("whatever", 8);
    a2f_password_dummy(NULL, 0);
    CHECK(1);

    return a2f_test_done(argv[0]);
}
