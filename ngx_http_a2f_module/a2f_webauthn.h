
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_webauthn.h: security keys (WebAuthn Level 2, and FIDO U2F keys
 * through the appid extension), verified inline: the relying party's
 * side of registration (WebAuthn section 7.1) and authentication
 * (section 7.2), and the options the page hands to
 * navigator.credentials.create() and .get().  Plain C, no nginx types;
 * libfido2 verifies the signatures, libcbor parses the CBOR, jansson
 * the JSON, OpenSSL hashes and reads certificates.
 *
 * The browser's PublicKeyCredential reaches us as JSON (its toJSON()
 * form): binary fields base64url without padding.  Every field is
 * checked against the limits below; the glue only limits the body.
 *
 * Attestation: formats "none", "packed" (self attestation, or x5c) and
 * "fido-u2f" are verified (the signature, and for x5c the certificate's
 * key type, version, CA flag and AAGUID extension); any other format is
 * refused.  The certificate chain is NOT checked against any trust
 * anchor (there is no metadata service here): an x5c signature proves
 * only that the authenticator holds that certificate's key, not that
 * the model is genuine.  So a credential is as trustworthy as the
 * account that registered it, whatever its format.
 *
 * Every function that fails writes a short NUL-terminated reason into
 * why (when whysz > 0), naming the field (e.g. "clientDataJSON: origin
 * not allowed").  Reasons are fixed texts: they never quote the input
 * and never contain a secret.
 *
 * Thread safety: none of these functions keeps state; any may run in
 * several threads at once.
 */

#ifndef _A2F_WEBAUTHN_H_INCLUDED_
#define _A2F_WEBAUTHN_H_INCLUDED_


#include "a2f_common.h"
#include "a2f_store.h"


#define A2F_WA_CHALLENGE_LEN      32      /* random bytes in a challenge  */
#define A2F_WA_CHALLENGE_MAX      64      /* challenge bytes accepted     */

/* limits on inputs, decoded bytes (the glue limits the whole body) */
#define A2F_WA_BODY_MAX           32768   /* the JSON body                */
#define A2F_WA_CLIENT_DATA_MAX    4096    /* clientDataJSON               */
#define A2F_WA_ATT_OBJ_MAX        16384   /* attestationObject            */
#define A2F_WA_AUTH_DATA_MAX      2048    /* authenticatorData            */
#define A2F_WA_SIG_MAX            1024    /* signature                    */
#define A2F_WA_USER_HANDLE_MAX    64      /* user.id, userHandle          */
#define A2F_WA_ORIGIN_MAX         512     /* origin text bytes            */
#define A2F_WA_FMT_MAX            15      /* attestation format name      */

/* authenticatorData flags */
#define A2F_WA_FLAG_UP            0x01    /* user present                 */
#define A2F_WA_FLAG_UV            0x04    /* user verified                */
#define A2F_WA_FLAG_BE            0x08    /* backup eligible              */
#define A2F_WA_FLAG_BS            0x10    /* backed up                    */
#define A2F_WA_FLAG_AT            0x40    /* attested credential data     */
#define A2F_WA_FLAG_ED            0x80    /* extension data               */

/* response.transports (the first five are a2f_store.h's A2F_SECKEY_T_*) */
#define A2F_WA_TRANSPORT_USB      0x01
#define A2F_WA_TRANSPORT_NFC      0x02
#define A2F_WA_TRANSPORT_BLE      0x04
#define A2F_WA_TRANSPORT_INTERNAL 0x08
#define A2F_WA_TRANSPORT_HYBRID   0x10    /* also the older name "cable"  */
#define A2F_WA_TRANSPORT_SMART_CARD 0x20

/* a2f_wa_cred_t.attestation */
#define A2F_WA_ATT_NONE           0       /* fmt "none"                   */
#define A2F_WA_ATT_SELF           1       /* "packed" without x5c         */
#define A2F_WA_ATT_X5C            2       /* x5c: "packed", "fido-u2f"    */

/* a2f_wa_client_data_t.type */
#define A2F_WA_TYPE_OTHER         0
#define A2F_WA_TYPE_CREATE        1       /* "webauthn.create"            */
#define A2F_WA_TYPE_GET           2       /* "webauthn.get"               */

/* a2f_wa_*_options() flags */
#define A2F_WA_OPT_UV             0x01    /* userVerification "required"  */


/*
 * What the relying party expects.  rp_id is the RP ID ("example.com",
 * NUL-terminated, not empty); origins the norigins (>= 1) allowed
 * origins ("https://example.com"), compared exactly with clientData's
 * origin; challenge the challenge_len (1..A2F_WA_CHALLENGE_MAX) bytes
 * issued for this ceremony (compared in constant time).  appid (or
 * NULL) is the legacy FIDO U2F AppID ("https://example.com/appid"): in
 * an assertion whose client reports the appid extension as used,
 * rpIdHash must then be SHA-256(appid) instead of SHA-256(rp_id); it is
 * ignored for registration (a new credential is always for rp_id).
 * require_uv != 0 also requires the UV flag.
 */
typedef struct {
    const char          *rp_id;
    const char *const   *origins;
    size_t               norigins;
    const uint8_t       *challenge;
    size_t               challenge_len;
    const char          *appid;
    int                  require_uv;
} a2f_wa_expect_t;


/* a verified new credential, ready for a2f_seckey_t */
typedef struct {
    uint8_t    cred_id[A2F_SECKEY_ID_MAX];
    size_t     cred_id_len;
    int        alg;                   /* COSE: -7, -8 or -257             */
    uint8_t    pubkey[A2F_SECKEY_PUB_MAX];  /* the COSE_Key as received  */
    size_t     pubkey_len;
    uint32_t   sign_count;
    uint8_t    aaguid[16];
    char       fmt[A2F_WA_FMT_MAX + 1];     /* "none", "packed", "fido-u2f" */
    int        attestation;           /* A2F_WA_ATT_*                     */
    uint8_t    flags;                 /* authData flags: UV, BE, BS       */
    unsigned   transports;            /* A2F_WA_TRANSPORT_* bits          */
} a2f_wa_cred_t;


/* a parsed assertion, before verification: the decoded fields */
typedef struct {
    uint8_t    cred_id[A2F_SECKEY_ID_MAX];  /* rawId                      */
    size_t     cred_id_len;
    uint8_t    client_data[A2F_WA_CLIENT_DATA_MAX];  /* clientDataJSON    */
    size_t     client_data_len;
    uint8_t    auth_data[A2F_WA_AUTH_DATA_MAX];      /* authenticatorData */
    size_t     auth_data_len;
    uint8_t    sig[A2F_WA_SIG_MAX];
    size_t     sig_len;
    uint8_t    user_handle[A2F_WA_USER_HANDLE_MAX];  /* 0 bytes: none    */
    size_t     user_handle_len;
    int        appid;                 /* clientExtensionResults.appid true */
} a2f_wa_assertion_t;


/* the fields of a clientDataJSON that matter (a2f_wa_client_data_parse) */
typedef struct {
    int        type;                  /* A2F_WA_TYPE_*                    */
    uint8_t    challenge[A2F_WA_CHALLENGE_MAX];
    size_t     challenge_len;
    char       origin[A2F_WA_ORIGIN_MAX + 1];  /* NUL-terminated          */
    size_t     origin_len;
    int        cross_origin;          /* crossOrigin true, or topOrigin   */
    int        token_binding;         /* tokenBinding.status "present"    */
} a2f_wa_client_data_t;


/* a parsed authenticatorData (a2f_wa_auth_data_parse); pointers into it */
typedef struct {
    const uint8_t  *rp_id_hash;       /* 32 bytes                         */
    uint8_t         flags;            /* A2F_WA_FLAG_*                    */
    uint32_t        sign_count;
    const uint8_t  *aaguid;           /* 16 bytes; NULL without AT        */
    const uint8_t  *cred_id;
    size_t          cred_id_len;
    const uint8_t  *cose;             /* the credential's COSE_Key        */
    size_t          cose_len;
    int             alg;              /* its algorithm                    */
    const uint8_t  *ext;              /* the extensions map; NULL: none   */
    size_t          ext_len;
} a2f_wa_auth_data_t;


/*
 * Registration (WebAuthn 7.1).  json (len bytes, at most
 * A2F_WA_BODY_MAX, need not be NUL-terminated) is the
 * PublicKeyCredential:
 *
 *   {"id": b64url, "rawId": b64url, "type": "public-key",
 *    "response": {"clientDataJSON": b64url, "attestationObject": b64url,
 *                 "transports": ["usb", ...]}}
 *
 * "transports" may be missing; other members are ignored; duplicate
 * keys anywhere are refused.  Checked, in order: the JSON and every
 * field (types, base64url, limits; id and rawId the same bytes, at most
 * A2F_SECKEY_ID_MAX); clientDataJSON: type "webauthn.create", challenge
 * equal to e->challenge, origin one of e->origins, not cross-origin, no
 * token binding "present"; the attestation object: a CBOR map with
 * "fmt", "attStmt" and "authData", nothing after it; authData: rpIdHash
 * = SHA-256(e->rp_id), UP set (and UV when e->require_uv), BS only with
 * BE, attested credential data present and well-formed (credential id =
 * rawId, a COSE key per a2f_cose_parse(), at most A2F_SECKEY_PUB_MAX
 * bytes), extensions (if flagged) a well-formed map, no byte after;
 * then the attestation statement:
 *
 *   "none"      attStmt empty;
 *   "packed"    alg -7, -8 or -257, sig; without x5c (self attestation)
 *               alg must be the credential's and sig verifies with the
 *               credential key; with x5c (1..8 DER certificates) the
 *               first must be X.509 v3, not a CA, its key of alg's type
 *               (P-256, Ed25519, RSA >= 2048), its AAGUID extension (if
 *               any, not critical) equal to authData's, and sig verifies
 *               with its key; ECDAA is refused;
 *   "fido-u2f"  sig and x5c of exactly one certificate with a P-256 key,
 *               the credential key ES256, sig verifies (U2F's signed
 *               data).
 *
 * Signatures are verified by libfido2 (fido_cred_verify(),
 * fido_cred_verify_self()).
 *
 * On A2F_OK *out is the new credential; on failure *out is zeroed.
 * Returns:
 *   A2F_OK
 *   A2F_ERR_INVALID  malformed: not JSON, duplicate keys, wrong types,
 *                    bad base64url, fields over their limits, CBOR not
 *                    well-formed or with trailing bytes, a bad COSE key,
 *                    an unsupported algorithm or attestation format, a
 *                    statement that does not fit its format; also e
 *                    incomplete
 *   A2F_ERR_AUTH     well-formed but not what was expected or not
 *                    verified: type, challenge, origin, cross-origin,
 *                    rpIdHash, flags, credential id != rawId, signature,
 *                    certificate checks
 *   A2F_ERR_NOMEM, A2F_ERR_CRYPTO
 */
int a2f_wa_register(const a2f_wa_expect_t *e, const char *json, size_t len,
    a2f_wa_cred_t *out, char *why, size_t whysz);

/*
 * Parse an assertion's PublicKeyCredential JSON (len <= A2F_WA_BODY_MAX):
 *
 *   {"id": b64url, "rawId": b64url, "type": "public-key",
 *    "response": {"clientDataJSON": b64url, "authenticatorData": b64url,
 *                 "signature": b64url, "userHandle": b64url or null},
 *    "clientExtensionResults": {"appid": true}}
 *
 * userHandle and clientExtensionResults (and its appid, a boolean) may
 * be missing; other members are ignored; duplicate keys are refused.
 * Only decodes and checks the envelope (types, base64url, limits; id
 * and rawId the same bytes): the content is checked by
 * a2f_wa_assertion_verify().  The caller finds the stored key by
 * a->cred_id (and, when a->user_handle_len > 0, should check that the
 * handle is that user's).  Returns A2F_OK or A2F_ERR_INVALID (*a then
 * zeroed), or A2F_ERR_NOMEM.
 */
int a2f_wa_assertion_parse(const char *json, size_t len,
    a2f_wa_assertion_t *a, char *why, size_t whysz);

/*
 * Authentication (WebAuthn 7.2) of a parsed assertion with the stored
 * credential key (alg and the COSE_Key bytes of a2f_wa_cred_t, as
 * stored in a2f_seckey_t).  Checked, in order: the stored key parses
 * and is of alg; clientDataJSON: type "webauthn.get", challenge,
 * origin, not cross-origin, no token binding; authenticatorData
 * well-formed without attested credential data; rpIdHash =
 * SHA-256(e->rp_id), or SHA-256(e->appid) when e->appid is set and
 * a->appid is true; UP set (UV when e->require_uv); then the signature
 * over authenticatorData || SHA-256(clientDataJSON) with
 * fido_assert_verify(); then the signature counter: with n the
 * assertion's count, when (n != 0 || stored_count != 0) and n <=
 * stored_count the key may have been cloned: A2F_ERR_REPLAY (the caller
 * refuses the login and audits it).  *new_count (may be NULL) receives
 * n on A2F_OK; the caller stores it.
 * Returns:
 *   A2F_OK
 *   A2F_ERR_INVALID  malformed clientDataJSON or authenticatorData, a
 *                    stored key that does not parse or is not of alg,
 *                    an incomplete e
 *   A2F_ERR_AUTH     type, challenge, origin, cross-origin, rpIdHash,
 *                    flags or signature wrong
 *   A2F_ERR_REPLAY   signature good, counter did not increase
 *   A2F_ERR_NOMEM, A2F_ERR_CRYPTO
 */
int a2f_wa_assertion_verify(const a2f_wa_expect_t *e,
    const a2f_wa_assertion_t *a, int alg, const uint8_t *pubkey,
    size_t pubkey_len, uint32_t stored_count, uint32_t *new_count,
    char *why, size_t whysz);

/*
 * The signature check under a2f_wa_assertion_verify(), on its own, for
 * raw FIDO U2F authentication responses (a2f_u2f.c): their signed bytes
 * SHA-256(appId) | presence | counter | SHA-256(clientData) are exactly
 * an assertion's authenticatorData || SHA-256(clientDataJSON).
 *
 * rp (NUL-terminated, not empty) is what rpIdHash hashes (an RP ID, or
 * a U2F appId); auth_data (adlen bytes) must parse as an assertion's
 * authenticatorData (a2f_wa_auth_data_parse(), attested 0: no AT flag,
 * ED only with a well-formed extensions map, no trailing byte), its
 * rpIdHash be SHA-256(rp) and its UP flag set; cdh is the 32-byte
 * SHA-256 of the client data; pubkey (pubkey_len bytes) a COSE key
 * (a2f_cose_parse()) of algorithm alg; sig (1..A2F_WA_SIG_MAX bytes)
 * must verify over auth_data || cdh with fido_assert_verify(), the
 * same libfido2 path as a2f_wa_assertion_verify().  UV is not required
 * and the signature counter is not looked at (the caller compares it).
 * On failure OpenSSL's error queue is cleared (a bad key or signature
 * leaves errors there that nginx would later log as stale).
 * Returns:
 *   A2F_OK
 *   A2F_ERR_INVALID  an argument missing or out of range, auth_data
 *                    malformed, a key that does not parse or is not of
 *                    alg
 *   A2F_ERR_AUTH     rpIdHash, UP or the signature wrong
 *   A2F_ERR_NOMEM, A2F_ERR_CRYPTO
 */
int a2f_wa_signature_verify(const char *rp, const uint8_t *auth_data,
    size_t adlen, const uint8_t *cdh, int alg, const uint8_t *pubkey,
    size_t pubkey_len, const uint8_t *sig, size_t sig_len, char *why,
    size_t whysz);

/*
 * Options for navigator.credentials.create() (a
 * PublicKeyCredentialCreationOptions as JSON; the page's JS decodes the
 * base64url fields):
 *
 *   {"rp": {"id", "name"}, "user": {"id": b64url(user_handle), "name",
 *    "displayName"}, "challenge": b64url, "pubKeyCredParams": ES256,
 *    EdDSA, RS256, "timeout", "excludeCredentials": [{"type", "id",
 *    "transports"}], "authenticatorSelection": {"residentKey":
 *    "discouraged", "requireResidentKey": false, "userVerification"},
 *    "attestation": "none"}
 *
 * rp_name NULL means rp_id; user (user_len bytes, valid UTF-8 without
 * NUL) is both name and displayName; user_handle
 * 1..A2F_WA_USER_HANDLE_MAX bytes (random, not the name); challenge
 * 1..A2F_WA_CHALLENGE_MAX bytes; exclude (nexclude entries, may be NULL
 * when 0) the user's keys, by cred_id and transports; timeout_ms 0
 * leaves "timeout" out; flags A2F_WA_OPT_UV asks for userVerification
 * "required" (else "discouraged").  "attestation" is "none": nothing
 * here checks attestation against a trust anchor, and browsers then
 * spare the user the privacy prompt.
 *
 * Options for navigator.credentials.get():
 *
 *   {"challenge", "timeout", "rpId", "allowCredentials": [{"type",
 *    "id", "transports"}], "userVerification", "extensions": {"appid"}}
 *
 * "extensions" only when appid is not NULL; "transports" only for keys
 * with transports (a2f_seckey_t's A2F_SECKEY_T_* bits).
 *
 * Both return compact JSON, NUL-terminated, with "/" escaped (so the
 * text may sit inside an HTML <script>), to be freed with free(); or
 * NULL when an argument is out of range or memory runs out.
 */
char *a2f_wa_creation_options(const char *rp_id, const char *rp_name,
    const char *user, size_t user_len, const uint8_t *user_handle,
    size_t uhlen, const uint8_t *challenge, size_t clen,
    const a2f_seckey_t *exclude, unsigned nexclude, unsigned timeout_ms,
    unsigned flags);
char *a2f_wa_request_options(const char *rp_id, const uint8_t *challenge,
    size_t clen, const a2f_seckey_t *allow, unsigned nallow,
    const char *appid, unsigned timeout_ms, unsigned flags);

/*
 * Legacy U2F: a raw 65-byte uncompressed P-256 point (0x04 | x | y, as
 * in a U2F registration response) -> its COSE_Key (kty 2, alg -7, crv
 * 1, x, y; 77 bytes) into out, for keys registered through the old U2F
 * API (store them with alg -7 and A2F_SECKEY_U2F; they authenticate
 * through the appid extension).  Returns A2F_OK, A2F_ERR_INVALID (not
 * 65 bytes, no 0x04, not on the curve) or A2F_ERR_TOOBIG (outsz < 77).
 */
int a2f_wa_cose_from_u2f(const uint8_t *point, size_t len, uint8_t *out,
    size_t outsz, size_t *outlen);

/*
 * The parsers under the above, for tests and fuzzers.
 *
 * a2f_wa_client_data_parse: cdj (len bytes, 1..A2F_WA_CLIENT_DATA_MAX)
 * must be a JSON object without duplicate keys, with string members
 * "type", "challenge" (base64url, 1..A2F_WA_CHALLENGE_MAX bytes) and
 * "origin" (1..A2F_WA_ORIGIN_MAX bytes), and if present a boolean
 * "crossOrigin", a string "topOrigin" and an object "tokenBinding" with
 * a string "status"; other members are ignored.  Returns A2F_OK or
 * A2F_ERR_INVALID (or A2F_ERR_NOMEM).
 *
 * a2f_wa_auth_data_parse: authenticatorData (len bytes, 37 ..
 * A2F_WA_AUTH_DATA_MAX): rpIdHash, flags, counter; attested credential
 * data must be present when attested != 0 (registration) and absent
 * otherwise (an assertion): AAGUID, a credential id of
 * 1..A2F_SECKEY_ID_MAX bytes, a COSE key (a2f_cose_parse()) of at most
 * A2F_SECKEY_PUB_MAX bytes; extensions, when ED is set, a CBOR map of
 * at most 32 entries without duplicate keys; BS only with BE; no
 * trailing bytes.  The pointers in *ad point into p.  Returns A2F_OK or
 * A2F_ERR_INVALID (or A2F_ERR_NOMEM, A2F_ERR_CRYPTO from the COSE key).
 */
int a2f_wa_client_data_parse(const uint8_t *cdj, size_t len,
    a2f_wa_client_data_t *cd, char *why, size_t whysz);
int a2f_wa_auth_data_parse(const uint8_t *p, size_t len, int attested,
    a2f_wa_auth_data_t *ad, char *why, size_t whysz);


#endif /* _A2F_WEBAUTHN_H_INCLUDED_ */
