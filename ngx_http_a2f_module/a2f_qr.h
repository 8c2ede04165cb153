
/*
 * Copyright (C) ngx_http_a2f_module authors
 *
 * a2f_qr.h: otpauth:// URIs (Google Authenticator Key URI format) and
 * QR codes from libqrencode (terminal text now; SVG for the pages).
 */

#ifndef _A2F_QR_H_INCLUDED_
#define _A2F_QR_H_INCLUDED_


#include <stdio.h>

#include "a2f_common.h"
#include "a2f_totp.h"


#define A2F_URI_MAX      1024
#define A2F_QR_SVG_MAX   (192 * 1024)  /* SVG of any text < A2F_URI_MAX */


/*
 * Build an otpauth:// URI (Google Authenticator Key URI format):
 *
 *   otpauth://totp/<Issuer>:<user>?secret=<BASE32>&issuer=<Issuer>
 *       &algorithm=<SHA1|SHA256|SHA512>&digits=<n>&period=<n>
 *
 * issuer (NUL-terminated, non-empty) and user (ulen bytes) are %-encoded
 * with upper-case hex except RFC 3986 unreserved characters; the ':'
 * between them is literal.  The secret (slen bytes) is base32 without
 * '=' padding.  out receives the NUL-terminated URI.
 * Returns the URI length, or 0 when an argument is NULL or empty or
 * outsz is too small (out then holds no URI).
 */
size_t a2f_otpauth_uri(const char *issuer, const char *user, size_t ulen,
    const uint8_t *secret, size_t slen, a2f_hash_t alg, unsigned digits,
    unsigned period, char *out, size_t outsz);

/*
 * Draw text (NUL-terminated) as a QR code (libqrencode, error correction
 * M, 8-bit mode, quiet zone 4) on a terminal with Unicode half blocks,
 * two module rows per line.  Light modules are drawn (full, upper and
 * lower blocks) and dark modules left blank, as "qrencode -t UTF8" does:
 * right on the common light-on-dark terminal, inverted (which phone
 * scanners read as well) on dark-on-light.
 * Returns A2F_OK, A2F_ERR_INVALID (text NULL or empty), A2F_ERR_TOOBIG
 * (too long for a QR code), A2F_ERR_NOMEM or A2F_ERR_STORAGE (writing to
 * out failed).
 */
int a2f_qr_terminal(FILE *out, const char *text);

/*
 * Write text (NUL-terminated) as a QR code (as above) in inline SVG into
 * out, NUL-terminated: the viewBox is in modules with a quiet zone of 4,
 * width and height are 100%, shape-rendering is crispEdges, a white
 * rectangle is the background and one black <path> holds the dark modules
 * as horizontal runs ("M<x> <y>h<n>v1h-<n>z").  The SVG carries only
 * fixed markup and numbers: text never appears in it.
 * Returns the length, or 0 when text is NULL or empty, too long for a QR
 * code, memory runs out or outsz is too small.
 */
size_t a2f_qr_svg(const char *text, char *out, size_t outsz);


#endif /* _A2F_QR_H_INCLUDED_ */
