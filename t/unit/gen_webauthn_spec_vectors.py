#!/usr/bin/env python3
#
# Copyright (C) ngx_http_a2f_module authors
#
# gen_webauthn_spec_vectors.py: make t/unit/webauthn_spec_vectors.h, the
# test vectors published in the W3C Web Authentication Level 3
# specification, section "Test Vectors" (#sctn-test-vectors), as C arrays
# for t/unit/test_webauthn.c.
#
# Run once by hand (not part of "make unit"); the output is committed.
# Its input is the specification's Bikeshed source, index.bs of
# https://github.com/w3c/webauthn:
#
#   python3 t/unit/gen_webauthn_spec_vectors.py index.bs COMMIT \
#       > t/unit/webauthn_spec_vectors.h
#
# It copies the published bytes (the h'...' literals of each example's
# registration and authentication blocks) unchanged; it computes nothing
# but the format and algorithm read from the attestation object, for the
# table, and it checks that what it read is consistent (the challenges
# are those in clientDataJSON, rpIdHash is SHA-256("example.org"), the
# credential id is the one in authData).  Python 3 only.

import base64
import hashlib
import json
import re
import sys


RP_ID = "example.org"


def cbor_item(b, i):
    """Decode one CBOR item at b[i:] (definite lengths only)."""
    ib = b[i]
    mt, ai = ib >> 5, ib & 31
    i += 1
    if ai < 24:
        v = ai
    elif ai in (24, 25, 26, 27):
        n = 1 << (ai - 24)
        v = int.from_bytes(b[i:i + n], "big")
        i += n
    else:
        raise ValueError("indefinite length")
    if mt == 0:
        return v, i
    if mt == 1:
        return -1 - v, i
    if mt == 2:
        return b[i:i + v], i + v
    if mt == 3:
        return b[i:i + v].decode(), i + v
    if mt == 4:
        out = []
        for _ in range(v):
            x, i = cbor_item(b, i)
            out.append(x)
        return out, i
    if mt == 5:
        out = {}
        for _ in range(v):
            k, i = cbor_item(b, i)
            x, i = cbor_item(b, i)
            out[k] = x
        return out, i
    if mt == 7 and v in (20, 21, 22):
        return {20: False, 21: True, 22: None}[v], i
    raise ValueError("unexpected CBOR major type %d" % mt)


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def read_sections(text):
    lines = text.split("\n")
    start = lines.index("# Test Vectors # {#sctn-test-vectors}")
    out, cur, phase, sub = [], None, None, 0
    for ln in lines[start + 1:]:
        if ln.startswith("# "):
            break
        m = re.match(r"^## (.*) ## \{#([^}]*)\}", ln)
        if m:
            sub += 1
            cur = None
            if m.group(2).startswith("sctn-test-vectors-"):
                cur = {"title": m.group(1), "anchor": m.group(2),
                       "num": "16.%d" % sub, "reg": {}, "auth": {}}
                out.append(cur)
            phase = None
            continue
        if ln.startswith("### ") or cur is None:
            continue
        if ln.startswith("[=registration ceremony|Registration=]"):
            phase = "reg"
            continue
        if ln.startswith("[=authentication ceremony|Authentication=]"):
            phase = "auth"
            continue
        m = re.match(r"^([A-Za-z_]+) = (?:[^']*= )?h'([0-9a-f]*)'", ln)
        if m and phase is not None:
            cur[phase][m.group(1)] = bytes.fromhex(m.group(2))
    return [s for s in out if s["reg"].get("attestationObject")]


def c_array(name, data):
    out = ["static const uint8_t  %s[%d] = {" % (name, len(data))]
    for i in range(0, len(data), 12):
        out.append("    " + ", ".join("0x%02x" % b for b in data[i:i + 12])
                   + ",")
    out.append("};")
    return "\n".join(out) + "\n"


def main():
    text = open(sys.argv[1], encoding="utf-8-sig").read()
    commit = sys.argv[2] if len(sys.argv) > 2 else "unknown"
    secs = read_sections(text)
    rp_hash = hashlib.sha256(RP_ID.encode()).digest()
    arrays, rows = [], []

    for s in secs:
        r, a = s["reg"], s["auth"]
        name = s["anchor"][len("sctn-test-vectors-"):]
        c = re.sub(r"[^a-z0-9]", "_", name.lower())

        ato, end = cbor_item(r["attestationObject"], 0)
        assert end == len(r["attestationObject"])
        ad = ato["authData"]
        assert ad[:32] == rp_hash and a["authenticatorData"][:32] == rp_hash
        idlen = int.from_bytes(ad[53:55], "big")
        assert ad[55:55 + idlen] == r["credential_id"]
        assert ad[37:53] == r["aaguid"]
        cose, _ = cbor_item(ad, 55 + idlen)
        for blk in (r, a):
            cd = json.loads(blk["clientDataJSON"])
            assert cd["challenge"] == b64url(blk["challenge"])

        fields = [("reg_challenge", r["challenge"]),
                  ("reg_cdj", r["clientDataJSON"]),
                  ("ato", r["attestationObject"]),
                  ("cred_id", r["credential_id"]),
                  ("aaguid", r["aaguid"]),
                  ("auth_challenge", a["challenge"]),
                  ("auth_cdj", a["clientDataJSON"]),
                  ("ad", a["authenticatorData"]),
                  ("sig", a["signature"])]

        arrays.append("/*\n * %s %s\n * (#%s)\n */\n\n"
                      % (s["num"], s["title"], s["anchor"])
                      + "\n".join(c_array("wsv_%s_%s" % (c, f), d)
                                  for f, d in fields))
        rows.append('    { "%s", "%s", "%s", %d,\n'
                    % (name, s["num"], ato["fmt"], cose[3])
                    + "".join("      %s,\n" % (
                        "wsv_%s_%s" % (c, f) if f == "aaguid"
                        else "WSV_A(%s_%s)" % (c, f)) for f, _ in fields)
                    + "    },\n")

    print(HEAD % {"commit": commit, "n": len(secs)}, end="")
    print("\n\n".join(arrays))
    print(TABLE, end="")
    print("".join(rows), end="")
    print(TAIL, end="")


HEAD = """
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * webauthn_spec_vectors.h: the test vectors of the W3C specification
 * "Web Authentication: An API for accessing Public Key Credentials -
 * Level 3", section 16 "Test Vectors" (#sctn-test-vectors, subsections
 * 16.2 to 16.16), for test_webauthn.c.  GENERATED by
 * t/unit/gen_webauthn_spec_vectors.py from the specification's source
 * (github.com/w3c/webauthn index.bs, commit
 * %(commit)s); do not edit.
 *
 * Published test data, copied byte for byte: %(n)d registration and
 * authentication ceremony pairs, each with the same credential.  All use
 * RP ID "example.org" and origin "https://example.org" (topOrigin
 * "https://example.com" where present).  Per example: the registration
 * challenge, clientDataJSON and attestationObject, the credential id and
 * AAGUID; the authentication challenge (another one), clientDataJSON,
 * authenticatorData and signature.  The examples have no userHandle and
 * no extensions.  The private keys the specification also lists are not
 * copied: the tests need none.  fmt and alg in the table are read from
 * the attestation object (the attestation format, the credential
 * public key's COSE algorithm).
 */

#ifndef _WEBAUTHN_SPEC_VECTORS_H_INCLUDED_
#define _WEBAUTHN_SPEC_VECTORS_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define WSV_RP_ID       "example.org"
#define WSV_ORIGIN      "https://example.org"
#define WSV_TOP_ORIGIN  "https://example.com"


"""

TABLE = """

typedef struct {
    const char     *name;           /* the section's anchor, less the
                                       "sctn-test-vectors-" prefix      */
    const char     *section;        /* its number in the specification  */
    const char     *fmt;            /* attestation statement format     */
    int             alg;            /* the credential's COSE algorithm  */
    const uint8_t  *reg_challenge;
    size_t          reg_challenge_len;
    const uint8_t  *reg_cdj;
    size_t          reg_cdj_len;
    const uint8_t  *ato;            /* attestationObject                */
    size_t          ato_len;
    const uint8_t  *cred_id;
    size_t          cred_id_len;
    const uint8_t  *aaguid;         /* 16 bytes                         */
    const uint8_t  *auth_challenge;
    size_t          auth_challenge_len;
    const uint8_t  *auth_cdj;
    size_t          auth_cdj_len;
    const uint8_t  *ad;             /* the assertion's authenticatorData */
    size_t          ad_len;
    const uint8_t  *sig;
    size_t          sig_len;
} wsv_t;


#define WSV_A(n)  wsv_##n, sizeof(wsv_##n)

static const wsv_t  wsv_vectors[] = {
"""

TAIL = """};


#endif /* _WEBAUTHN_SPEC_VECTORS_H_INCLUDED_ */
"""


if __name__ == "__main__":
    main()
