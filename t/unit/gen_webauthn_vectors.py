#!/usr/bin/env python3
#
# Copyright (C) ngx_http_a2f_module authors
#
# gen_webauthn_vectors.py: make t/unit/webauthn_vectors.h, the fixed
# WebAuthn registration and assertion vectors of t/unit/test_webauthn.c.
#
# Run once by hand (not part of "make unit"); the output is committed:
#
#   python3 t/unit/gen_webauthn_vectors.py > t/unit/webauthn_vectors.h
#
# Needs only Python 3 and its "cryptography" module (Debian 12:
# python3-cryptography).  CBOR is written by the small encoder below, in
# CTAP2 canonical order.  The authenticators are simulated: every key is
# made here (EC and Ed25519 keys from fixed seeds, the RSA keys and ECDSA
# signatures random), so running it again gives other bytes that verify
# just as well.  It is independent of the C code under test: nothing here
# uses libfido2, libcbor or jansson.

import hashlib
import datetime
import os
import struct
import sys

from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa, padding


RP_ID = "example.com"
ORIGIN = "https://example.com"
APPID = "https://example.com/appid"
REG_CHALLENGE = hashlib.sha256(b"a2f webauthn registration challenge").digest()
AUTH_CHALLENGE = hashlib.sha256(b"a2f webauthn assertion challenge").digest()


# -- CBOR (RFC 8949), just what is needed -------------------------------------

def cbor_head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    if n < 0x100:
        return bytes([major << 5 | 24, n])
    if n < 0x10000:
        return bytes([major << 5 | 25]) + struct.pack(">H", n)
    if n < 0x100000000:
        return bytes([major << 5 | 26]) + struct.pack(">I", n)
    return bytes([major << 5 | 27]) + struct.pack(">Q", n)


def cbor(v):
    if isinstance(v, bool):
        return b"\xf5" if v else b"\xf4"
    if isinstance(v, int):
        return cbor_head(0, v) if v >= 0 else cbor_head(1, -1 - v)
    if isinstance(v, bytes):
        return cbor_head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode()
        return cbor_head(3, len(b)) + b
    if isinstance(v, list):
        return cbor_head(4, len(v)) + b"".join(cbor(x) for x in v)
    if isinstance(v, dict):
        # CTAP2 canonical: keys sorted by their encoding, shorter first
        items = sorted(((cbor(k), cbor(x)) for k, x in v.items()),
                       key=lambda kv: (len(kv[0]), kv[0]))
        return cbor_head(5, len(items)) + b"".join(k + x for k, x in items)
    raise TypeError(type(v))


def b64url(b):
    import base64
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def sha256(b):
    return hashlib.sha256(b).digest()


# -- keys ---------------------------------------------------------------------

def ec_key(seed):
    d = int.from_bytes(sha256(seed), "big") % (2 ** 255)
    return ec.derive_private_key(d, ec.SECP256R1())


def ed_key(seed):
    return ed25519.Ed25519PrivateKey.from_private_bytes(sha256(seed))


def cose_es256(k):
    n = k.public_key().public_numbers()
    return cbor({1: 2, 3: -7, -1: 1, -2: n.x.to_bytes(32, "big"),
                 -3: n.y.to_bytes(32, "big")})


def cose_eddsa(k):
    raw = k.public_key().public_bytes(serialization.Encoding.Raw,
                                      serialization.PublicFormat.Raw)
    return cbor({1: 1, 3: -8, -1: 6, -2: raw})


def cose_rs256(k):
    n = k.public_key().public_numbers()
    return cbor({1: 3, 3: -257, -1: n.n.to_bytes(256, "big"),
                 -2: n.e.to_bytes(3, "big")})


def cose_of(k):
    if isinstance(k, ec.EllipticCurvePrivateKey):
        return cose_es256(k), -7
    if isinstance(k, ed25519.Ed25519PrivateKey):
        return cose_eddsa(k), -8
    return cose_rs256(k), -257


def sign(k, data):
    if isinstance(k, ec.EllipticCurvePrivateKey):
        return k.sign(data, ec.ECDSA(hashes.SHA256()))
    if isinstance(k, ed25519.Ed25519PrivateKey):
        return k.sign(data)
    return k.sign(data, padding.PKCS1v15(), hashes.SHA256())


def u2f_point(k):
    return k.public_key().public_bytes(
        serialization.Encoding.X962,
        serialization.PublicFormat.UncompressedPoint)


# -- certificates -------------------------------------------------------------

NOT_BEFORE = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
NOT_AFTER = datetime.datetime(2049, 12, 31, tzinfo=datetime.timezone.utc)


def name(cn, ou=None):
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, "a2f test vendor")]
    if ou:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def cert(subject, key, issuer, issuer_key, serial, ca, aaguid=None):
    b = (x509.CertificateBuilder()
         .subject_name(subject).issuer_name(issuer)
         .public_key(key.public_key()).serial_number(serial)
         .not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None),
                        critical=True))
    if aaguid is not None:
        b = b.add_extension(x509.UnrecognizedExtension(
            x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4"),
            b"\x04\x10" + aaguid), critical=False)
    algo = None if isinstance(issuer_key, ed25519.Ed25519PrivateKey) \
        else hashes.SHA256()
    return b.sign(issuer_key, algo).public_bytes(serialization.Encoding.DER)


# -- authenticator data -------------------------------------------------------

UP, UV, AT, ED = 0x01, 0x04, 0x40, 0x80


def auth_data(rp, flags, count, aaguid=None, cred_id=None, cose=None,
              ext=None):
    ad = sha256(rp.encode()) + bytes([flags]) + struct.pack(">I", count)
    if flags & AT:
        ad += aaguid + struct.pack(">H", len(cred_id)) + cred_id + cose
    if flags & ED:
        ad += cbor(ext)
    return ad


def client_data(typ, challenge, extra=True):
    cd = '{"type":"%s","challenge":"%s","origin":"%s"' % (
        typ, b64url(challenge), ORIGIN)
    if extra:
        cd += ',"crossOrigin":false'
    return (cd + "}").encode()


# -- output -------------------------------------------------------------------

out = []


def c_array(name, data):
    out.append("static const uint8_t  %s[%d] = {" % (name, len(data)))
    for i in range(0, len(data), 12):
        out.append("    " + ", ".join("0x%02x" % b for b in data[i:i + 12])
                   + ",")
    out.append("};")
    out.append("")


REGS = []
BAD = []
ASSERTS = []


def registration(vname, fmt, key, cred_id, flags, count, aaguid,
                 att=None, ext=None, cdj_extra=True, rp=RP_ID,
                 stmt_alg=None, want=None):
    """att: None (none), "self", or (att_key, [der certs]); want: the
    A2F_ERR_* code of a vector that must fail, None for a good one"""
    cose, alg = cose_of(key)
    cdj = client_data("webauthn.create", REG_CHALLENGE, cdj_extra)
    ad = auth_data(rp, flags, count, aaguid, cred_id, cose, ext)
    cdh = sha256(cdj)
    cert_der = b""

    if fmt == "none":
        stmt = {}
    elif fmt == "packed" and att == "self":
        stmt = {"alg": stmt_alg or alg, "sig": sign(key, ad + cdh)}
    elif fmt == "packed":
        akey, chain = att
        _, aalg = cose_of(akey)
        stmt = {"alg": aalg, "sig": sign(akey, ad + cdh), "x5c": chain}
        cert_der = chain[0]
    elif fmt == "fido-u2f":
        akey, chain = att
        point = u2f_point(key) \
            if isinstance(key, ec.EllipticCurvePrivateKey) else cose
        signed = b"\x00" + sha256(rp.encode()) + cdh + cred_id + point
        stmt = {"sig": sign(akey, signed), "x5c": chain}
        cert_der = chain[0]
    else:
        raise ValueError(fmt)

    ato = cbor({"fmt": fmt, "attStmt": stmt, "authData": ad})
    ad_off = ato.index(ad)
    cert_off, cert_len = 0, 0
    if cert_der:
        # all of x5c: no certificate is checked against a trust anchor
        last = stmt["x5c"][-1]
        cert_off = ato.index(cert_der)
        cert_len = ato.index(last) + len(last) - cert_off

    c_array("wv_%s_cdj" % vname, cdj)
    c_array("wv_%s_ato" % vname, ato)
    c_array("wv_%s_id" % vname, cred_id)
    if want:
        BAD.append((vname, want))
        return
    c_array("wv_%s_cose" % vname, cose)
    REGS.append((vname, fmt, alg, count, flags, ad_off, len(ad), cert_off,
                 cert_len, aaguid))


def assertion(vname, key, cred_id, rp, flags, count, user_handle, appid,
              ext=None):
    cdj = client_data("webauthn.get", AUTH_CHALLENGE)
    ad = auth_data(rp, flags, count, ext=ext)
    sig = sign(key, ad + sha256(cdj))
    _, alg = cose_of(key)

    c_array("wv_%s_cdj" % vname, cdj)
    c_array("wv_%s_ad" % vname, ad)
    c_array("wv_%s_sig" % vname, sig)
    if user_handle:
        c_array("wv_%s_uh" % vname, user_handle)
    ASSERTS.append((vname, alg, count, flags, bool(user_handle), appid))


def main():
    rnd = os.urandom

    k_es = ec_key(b"a2f es256 credential")
    k_ed = ed_key(b"a2f eddsa credential")
    k_rs = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    k_u2f = ec_key(b"a2f u2f credential")
    k_none = ec_key(b"a2f none credential")
    k_ext = ec_key(b"a2f ext credential")
    k_ed2 = ed_key(b"a2f eddsa credential 2")

    aaguid_packed = bytes.fromhex("a2f0a2f0a2f0a2f0a2f0a2f0a2f0a2f0")
    aaguid_full = bytes.fromhex("cb69481e8ff7403993ec0a2729a154a8")
    zero = bytes(16)

    # attestation CA, a P-256 attestation key and an RSA one, and the U2F
    # device's self-signed P-256 certificate
    ca_key = ec_key(b"a2f attestation ca")
    ca_name = name("a2f test attestation root")
    ca_der = cert(ca_name, ca_key, ca_name, ca_key, 1, True)
    att_key = ec_key(b"a2f attestation key")
    att_der = cert(name("a2f test authenticator", "Authenticator Attestation"),
                   att_key, ca_name, ca_key, 2, False, aaguid_full)
    att_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    att_rsa_der = cert(name("a2f test rsa authenticator",
                            "Authenticator Attestation"),
                       att_rsa, ca_name, ca_key, 3, False, aaguid_full)
    u2f_key = ec_key(b"a2f u2f attestation key")
    u2f_name = name("a2f test U2F device")
    u2f_der = cert(u2f_name, u2f_key, u2f_name, u2f_key, 4, False)

    out.append("""
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * webauthn_vectors.h: WebAuthn registration and assertion vectors for
 * test_webauthn.c.  GENERATED by t/unit/gen_webauthn_vectors.py (Python 3
 * and its "cryptography" module simulating the authenticators; CBOR by
 * the script's own encoder, CTAP2 canonical order); do not edit.  Made
 * once, committed; regenerating gives other keys and signatures.
 *
 * rp id "%s", origin "%s",
 * appid "%s";
 * registration challenge SHA-256("a2f webauthn registration challenge"),
 * assertion challenge SHA-256("a2f webauthn assertion challenge").
 * Per registration: clientDataJSON (_cdj), attestationObject (_ato),
 * credential id (_id), the credential's COSE_Key (_cose); per assertion:
 * clientDataJSON, authenticatorData (_ad), signature (_sig), userHandle
 * (_uh).  The tables at the end describe them.
 */

#ifndef _WEBAUTHN_VECTORS_H_INCLUDED_
#define _WEBAUTHN_VECTORS_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include "a2f_common.h"


#define WV_RP_ID   "%s"
#define WV_ORIGIN  "%s"
#define WV_APPID   "%s"
""" % (RP_ID, ORIGIN, APPID, RP_ID, ORIGIN, APPID))

    c_array("wv_reg_challenge", REG_CHALLENGE)
    c_array("wv_auth_challenge", AUTH_CHALLENGE)
    c_array("wv_u2f_point", u2f_point(k_u2f))

    # registrations
    registration("reg_none", "none", k_none, rnd(16), UP | AT, 0, zero,
                 cdj_extra=False)
    registration("reg_self_es256", "packed", k_es, rnd(32), UP | AT, 1,
                 aaguid_packed, "self")
    registration("reg_self_eddsa", "packed", k_ed, rnd(48), UP | UV | AT, 0,
                 aaguid_packed, "self")
    registration("reg_self_rs256", "packed", k_rs, rnd(24), UP | UV | AT, 0,
                 aaguid_packed, "self")
    registration("reg_full_es256", "packed", k_ed2, rnd(32), UP | AT, 7,
                 aaguid_full, (att_key, [att_der, ca_der]))
    registration("reg_full_rsa", "packed", k_ext, rnd(32), UP | AT, 9,
                 aaguid_full, (att_rsa, [att_rsa_der]))
    registration("reg_u2f", "fido-u2f", k_u2f, rnd(64), UP | AT, 0, zero,
                 (u2f_key, [u2f_der]))
    registration("reg_ext", "packed", ec_key(b"a2f credprotect"), rnd(16),
                 UP | AT | ED, 3, aaguid_packed, "self",
                 ext={"credProtect": 2})

    # well-formed and signed, but each wrong in one way
    att_ca_der = cert(name("a2f test authenticator",
                           "Authenticator Attestation"),
                      att_key, ca_name, ca_key, 5, True, aaguid_full)
    p384 = ec.generate_private_key(ec.SECP384R1())
    p384_der = cert(u2f_name, p384, u2f_name, p384, 6, False)
    k_bad = ec_key(b"a2f bad credential")
    registration("bad_aaguid", "packed", k_bad, rnd(16), UP | AT, 1,
                 aaguid_packed, (att_key, [att_der]), want="A2F_ERR_AUTH")
    registration("bad_ca", "packed", k_bad, rnd(16), UP | AT, 1,
                 aaguid_full, (att_key, [att_ca_der]), want="A2F_ERR_AUTH")
    registration("bad_u2f_p384", "fido-u2f", k_bad, rnd(16), UP | AT, 0,
                 zero, (p384, [p384_der]), want="A2F_ERR_INVALID")
    registration("bad_u2f_eddsa", "fido-u2f", k_ed, rnd(16), UP | AT, 0,
                 zero, (u2f_key, [u2f_der]), want="A2F_ERR_INVALID")
    registration("bad_self_alg", "packed", k_bad, rnd(16), UP | AT, 1,
                 aaguid_packed, "self", stmt_alg=-257, want="A2F_ERR_INVALID")
    registration("bad_noup", "packed", k_bad, rnd(16), AT, 1,
                 aaguid_packed, "self", want="A2F_ERR_AUTH")
    registration("bad_rp", "packed", k_bad, rnd(16), UP | AT, 1,
                 aaguid_packed, "self", rp="evil.example",
                 want="A2F_ERR_AUTH")

    # assertions: with the keys registered above
    assertion("as_es256", k_es, None, RP_ID, UP, 8, rnd(16), False)
    assertion("as_eddsa", k_ed, None, RP_ID, UP | UV, 0, None, False)
    assertion("as_rs256", k_rs, None, RP_ID, UP | UV, 3, rnd(8), False)
    assertion("as_appid", k_u2f, None, APPID, UP, 42, None, True)
    assertion("as_noup", k_es, None, RP_ID, 0, 9, None, False)
    assertion("as_ext", k_es, None, RP_ID, UP | ED, 10, None, False,
              ext={"hmac-secret": bytes(32)})

    out.append("""
typedef struct {
    const char     *name;
    const char     *fmt;
    int             alg;
    uint32_t        count;
    uint8_t         flags;
    const uint8_t  *cdj;
    size_t          cdj_len;
    const uint8_t  *ato;
    size_t          ato_len;
    const uint8_t  *id;
    size_t          id_len;
    const uint8_t  *cose;
    size_t          cose_len;
    size_t          ad_off;         /* authData within ato */
    size_t          ad_len;
    size_t          cert_off;       /* x5c's certificates within ato */
    size_t          cert_len;       /* 0: no x5c */
    const char     *aaguid;         /* hex */
} wv_reg_t;


typedef struct {
    const char     *name;
    const char     *reg;            /* whose credential (wv_regs) */
    int             alg;
    uint32_t        count;
    uint8_t         flags;
    int             appid;          /* rpIdHash is SHA-256(appid) */
    const uint8_t  *cdj;
    size_t          cdj_len;
    const uint8_t  *ad;
    size_t          ad_len;
    const uint8_t  *sig;
    size_t          sig_len;
    const uint8_t  *uh;
    size_t          uh_len;
} wv_assert_t;


#define WV_A(n)  wv_##n, sizeof(wv_##n)
""")

    out.append("static const wv_reg_t  wv_regs[] = {")
    for (v, fmt, alg, count, flags, ad_off, ad_len, cert_off, cert_len,
         aaguid) in REGS:
        out.append('    { "%s", "%s", %d, %d, 0x%02x,\n'
                   '      WV_A(%s_cdj), WV_A(%s_ato),\n'
                   '      WV_A(%s_id), WV_A(%s_cose),\n'
                   '      %d, %d, %d, %d, "%s" },'
                   % (v, fmt, alg, count, flags, v, v, v, v, ad_off, ad_len,
                      cert_off, cert_len, aaguid.hex()))
    out.append("};")
    out.append("")

    out.append("""
/* registrations that must fail: with the code they must fail with */
typedef struct {
    const char     *name;
    int             rc;
    const uint8_t  *cdj;
    size_t          cdj_len;
    const uint8_t  *ato;
    size_t          ato_len;
    const uint8_t  *id;
    size_t          id_len;
} wv_bad_t;
""")
    out.append("static const wv_bad_t  wv_bad[] = {")
    for (v, want) in BAD:
        out.append('    { "%s", %s,\n      WV_A(%s_cdj), WV_A(%s_ato),\n'
                   '      WV_A(%s_id) },' % (v, want, v, v, v))
    out.append("};")
    out.append("")

    regof = {"as_es256": "reg_self_es256", "as_eddsa": "reg_self_eddsa",
             "as_rs256": "reg_self_rs256", "as_appid": "reg_u2f",
             "as_noup": "reg_self_es256", "as_ext": "reg_self_es256"}
    out.append("static const wv_assert_t  wv_asserts[] = {")
    for (v, alg, count, flags, uh, appid) in ASSERTS:
        out.append('    { "%s", "%s", %d, %d, 0x%02x, %d, WV_A(%s_cdj),\n'
                   '      WV_A(%s_ad), WV_A(%s_sig), %s },'
                   % (v, regof[v], alg, count, flags, int(appid), v, v, v,
                      ("WV_A(%s_uh)" % v) if uh else "NULL, 0"))
    out.append("};")
    out.append("")
    out.append("")
    out.append("#endif /* _WEBAUTHN_VECTORS_H_INCLUDED_ */")

    sys.stdout.write("\n".join(out) + "\n")


main()
