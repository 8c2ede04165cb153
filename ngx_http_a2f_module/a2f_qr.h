
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


#define A2F_URI_MAX  1024


/*
 * otpauth://totp/<Issuer>:<user>?secret=<BASE32>&issuer=<Issuer>
 *     &algorithm=<SHA1|SHA256|SHA512>&digits=<n>&period=<n>
 * Issuer and user are %-encoded (unreserved characters kept).  Returns
 * the length (out NUL-terminated) or 0 when outsz is too small.
 */
size_t a2f_otpauth_uri(const char *issuer, const char *user, size_t ulen,
    const uint8_t *secret, size_t slen, a2f_hash_t alg, unsigned digits,
    unsigned period, char *out, size_t outsz);

/*
 * Draw text as a QR code (error correction M, quiet zone 4) on a terminal
 * with Unicode half blocks, two modules per character row.  Returns
 * A2F_OK or A2F_ERR_NOMEM / A2F_ERR_TOOBIG.
 */
int a2f_qr_terminal(FILE *out, const char *text);


#endif /* _A2F_QR_H_INCLUDED_ */
