
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_u2f.h: the raw FIDO U2F messages of the auth2factor API (FIDO U2F
 * Raw Message Formats v1.1, and the JavaScript API's clientData), as
 * the `security_keys` registration and the `users/u2f` authentication
 * receive them, verified inline.  Plain C, no nginx types; jansson
 * parses the clientData, OpenSSL reads the attestation certificate and
 * verifies the registration signature, and authentication signatures
 * go through the WebAuthn core's libfido2 path
 * (a2f_wa_signature_verify()).
 *
 * The messages come as "websafe base64" (base64url, RFC 4648 section
 * 5), with or without '=' padding: both are accepted.
 *
 *   clientData        UTF-8 JSON {"typ": ..., "challenge": websafe
 *                     base64 of the challenge, "origin": ...}; other
 *                     members (such as "cid_pubkey", the TLS channel id
 *                     that no browser sends any more) are ignored
 *   registrationData  0x05 | user public key (65: 0x04 | x | y, P-256)
 *                     | key handle length L (1) | key handle (L) |
 *                     attestation certificate (X.509 DER) | ECDSA
 *                     signature (DER) over 0x00 | SHA-256(appId) |
 *                     SHA-256(clientData) | key handle | user public key,
 *                     by the certificate's key
 *   signatureData     user presence (1) | counter (4, big-endian) |
 *                     ECDSA signature (DER) over SHA-256(appId) |
 *                     presence | counter | SHA-256(clientData), by the
 *                     user key
 *
 * The expected origin is the appId's: for the appId
 * "https://Example.COM:443/u2f/app-id.json" it is "https://example.com"
 * (scheme and host in lower case, no default port, no path); the
 * clientData's origin must be exactly that.  Trusted facet lists
 * (an appId naming other origins) are not supported.
 *
 * The attestation certificate is NOT checked against any trust anchor
 * (there is no metadata service here), nor is its own signature: the
 * registration signature proves only that the token holds the
 * certificate's key.  So bytes of the certificate that do not change
 * its public key are not covered by anything, and a key registered
 * through U2F is as trustworthy as the account that registered it.
 *
 * Every function that fails writes a short NUL-terminated reason into
 * why (when whysz > 0), naming the field ("clientData: origin is not
 * the appId's").  Reasons are fixed texts: they never quote the input
 * and never contain a secret.  Nothing here logs, keeps state or leaves
 * errors in OpenSSL's error queue; any function may run in several
 * threads at once.
 */

#ifndef _A2F_U2F_H_INCLUDED_
#define _A2F_U2F_H_INCLUDED_


#include "a2f_common.h"


#define A2F_U2F_VERSION           "U2F_V2"

/* limits, decoded bytes (the glue limits the whole body) */
#define A2F_U2F_CLIENT_DATA_MAX   4096    /* clientData                   */
#define A2F_U2F_REG_DATA_MAX      16384   /* registrationData             */
#define A2F_U2F_KEY_HANDLE_MAX    255     /* key handle (a one-byte len)  */
#define A2F_U2F_POINT_LEN         65      /* 0x04 | x | y                 */
#define A2F_U2F_COSE_LEN          77      /* a2f_wa_cose_from_u2f() out   */
#define A2F_U2F_SIG_MIN           8       /* DER ECDSA P-256 signature    */
#define A2F_U2F_SIG_MAX           72
#define A2F_U2F_SIG_DATA_MAX      (5 + A2F_U2F_SIG_MAX)  /* signatureData */
#define A2F_U2F_CHALLENGE_MAX     64      /* challenge bytes              */
#define A2F_U2F_ORIGIN_MAX        512     /* origin text bytes            */

/* the user presence byte of signatureData */
#define A2F_U2F_PRESENCE          0x01

/* clientData "typ" */
#define A2F_U2F_TYP_REGISTER      "navigator.id.finishEnrollment"
#define A2F_U2F_TYP_SIGN          "navigator.id.getAssertion"


/*
 * A verified registration, ready for a2f_seckey_t: cred_id = key_handle,
 * alg -7, pubkey = cose, flags A2F_SECKEY_U2F, appid = the appId.
 */
typedef struct {
    uint8_t    key_handle[A2F_U2F_KEY_HANDLE_MAX];
    size_t     key_handle_len;             /* 1..255                     */
    uint8_t    point[A2F_U2F_POINT_LEN];   /* the user key, 0x04 | x | y */
    uint8_t    cose[A2F_U2F_COSE_LEN];     /* the same as a COSE_Key     */
    size_t     cose_len;                   /* A2F_U2F_COSE_LEN           */
    int        alg;                        /* A2F_COSE_ES256 (-7)        */
    uint8_t    cert_sha256[32];            /* SHA-256 of the attestation */
                                           /* certificate's DER, for     */
                                           /* audit logs                 */
} a2f_u2f_reg_t;


/*
 * Websafe base64: base64url (RFC 4648 section 5) of in (len bytes, need
 * not be NUL-terminated), either without padding or with exactly the
 * '=' padding that makes its length a multiple of 4.  Refused: empty
 * input, '+', '/', white space, '=' anywhere else or too many, and
 * non-zero trailing bits (a second spelling of the same bytes).  On
 * A2F_OK *outlen (>= 1) bytes were written to out (outsz bytes).
 * Returns A2F_OK, A2F_ERR_INVALID or A2F_ERR_TOOBIG (the decoded bytes
 * would not fit outsz; nothing useful is in out then).
 */
int a2f_u2f_b64_decode(const char *in, size_t len, uint8_t *out,
    size_t outsz, size_t *outlen);

/*
 * The origin of an appId: app_id (NUL-terminated, 1..
 * A2F_SECKEY_APPID_MAX bytes of printable ASCII without spaces) must be
 * an https URL "https://host[:port][/path][?query][#fragment]" (scheme
 * in any case) without user info, host a DNS name (letters, digits,
 * '-', '.') or a bracketed IPv6 literal, port 1..65535 when given.  out
 * (outsz bytes) receives "https://" host [":" port], NUL-terminated,
 * the scheme and host in lower case, the port in decimal and left out
 * when it is 443.  Returns A2F_OK, A2F_ERR_INVALID (app_id refused;
 * out is then "") or A2F_ERR_TOOBIG (outsz too small).
 */
int a2f_u2f_origin(const char *app_id, char *out, size_t outsz);

/*
 * Registration (the `security_keys` call).  client_data_b64 (cdlen
 * bytes) and reg_data_b64 (rdlen bytes) are the websafe base64
 * clientData and registrationData of the U2F registration response;
 * app_id the appId the challenge was issued for (a2f_u2f_origin());
 * challenge (challenge_len bytes, 1..A2F_U2F_CHALLENGE_MAX) the bytes
 * issued (sent to the client as websafe base64).
 *
 * Checked, in order: the arguments; both decode within their limits;
 * clientData is a JSON object without duplicate keys whose "typ",
 * "challenge" (websafe base64, 1..A2F_U2F_CHALLENGE_MAX bytes) and
 * "origin" (1..A2F_U2F_ORIGIN_MAX bytes) are strings;
 * registrationData: the reserved byte 0x05, the user public key a
 * valid uncompressed P-256 point, the key handle 1..255 bytes and
 * present, the certificate a DER SEQUENCE whose (minimally encoded,
 * definite) length leaves room for a signature, parsed by d2i_X509()
 * to exactly that length, with a P-256 public key, then the signature
 * filling the rest: a DER SEQUENCE of A2F_U2F_SIG_MIN..A2F_U2F_SIG_MAX
 * bytes; then clientData's typ is A2F_U2F_TYP_REGISTER, its challenge
 * the challenge (constant-time) and its origin the appId's; last, the
 * signature verifies (EVP_DigestVerify, SHA-256) with the certificate's
 * key.
 *
 * On A2F_OK *out is the new key; on failure it is zeroed.
 * Returns:
 *   A2F_OK
 *   A2F_ERR_INVALID  malformed: an argument missing or out of range
 *                    (an app_id that a2f_u2f_origin() refuses), bad
 *                    base64, over a limit, clientData not such JSON,
 *                    registrationData not of the layout above
 *   A2F_ERR_AUTH     well-formed but not what was expected: typ,
 *                    challenge, origin, or the signature
 *   A2F_ERR_NOMEM, A2F_ERR_CRYPTO
 */
int a2f_u2f_register(const char *client_data_b64, size_t cdlen,
    const char *reg_data_b64, size_t rdlen, const char *app_id,
    const uint8_t *challenge, size_t challenge_len, a2f_u2f_reg_t *out,
    char *why, size_t whysz);

/*
 * Authentication (the `users/u2f` call).  client_data_b64 (cdlen bytes)
 * and sig_data_b64 (sdlen bytes) are the websafe base64 clientData and
 * signatureData of the U2F sign response; app_id and challenge as for
 * a2f_u2f_register(); cose_pubkey (pklen bytes) the stored key (the
 * a2f_u2f_reg_t's cose, or any ES256 COSE_Key of a2f_cose_parse());
 * stored_count the key's stored signature counter.
 *
 * Checked, in order: the arguments; both decode within their limits;
 * clientData as for registration; signatureData: 5 bytes, then a DER
 * SEQUENCE signature of A2F_U2F_SIG_MIN..A2F_U2F_SIG_MAX bytes filling
 * the rest, and a presence byte without the WebAuthn AT (0x40) and ED
 * (0x80) bits (U2F has neither: such bytes are refused as Chrome
 * refuses them); then typ A2F_U2F_TYP_SIGN, challenge, origin; the
 * presence bit A2F_U2F_PRESENCE; then the signature, by libfido2, as
 * the WebAuthn assertion it is: authenticatorData = SHA-256(app_id) |
 * presence | counter (a2f_wa_signature_verify() with rp app_id);
 * last the counter n: when (n != 0 || stored_count != 0) and n <=
 * stored_count, the key may have been cloned: A2F_ERR_REPLAY (the
 * caller refuses the login and audits it).  *new_count (may be NULL)
 * receives n on A2F_OK only; the caller stores it.
 * Returns:
 *   A2F_OK
 *   A2F_ERR_INVALID  malformed: an argument missing or out of range,
 *                    bad base64, over a limit, clientData not such
 *                    JSON, signatureData not of the layout above, a
 *                    stored key that is not an ES256 COSE_Key
 *   A2F_ERR_AUTH     typ, challenge, origin, presence or the signature
 *                    wrong
 *   A2F_ERR_REPLAY   signature good, counter did not increase
 *   A2F_ERR_NOMEM, A2F_ERR_CRYPTO
 */
int a2f_u2f_authenticate(const char *client_data_b64, size_t cdlen,
    const char *sig_data_b64, size_t sdlen, const char *app_id,
    const uint8_t *challenge, size_t challenge_len,
    const uint8_t *cose_pubkey, size_t pklen, uint32_t stored_count,
    uint32_t *new_count, char *why, size_t whysz);


#endif /* _A2F_U2F_H_INCLUDED_ */
