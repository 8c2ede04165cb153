/*
 * a2f.js: security keys (WebAuthn, and FIDO U2F keys through the appid
 * extension) on the built-in pages of ngx_http_a2f_module.  Served by the
 * module at <portal>a2f.js under "script-src 'self'": no inline script, no
 * eval, no dependencies.
 *
 * A page says what it wants with:
 *   <meta name="a2f-portal" content="/_a2f/">   the portal's prefix
 *   <meta name="a2f-csrf" content="...">        sent as X-A2F-CSRF
 *   <meta name="a2f-rd" content="/where">       (sign-in) where to go next
 *   <button data-a2f="signin">                  sign in with a key
 *   <form data-a2f="register" [data-user="NAME"]> with input name="keyname"
 *   <p id="a2f-status">                         messages (role="status")
 *
 * The JSON endpoints carry binary fields as base64url without padding;
 * the helpers below convert between those and ArrayBuffers.
 */
(function () {
    'use strict';

    /* -- base64url <-> bytes --------------------------------------------- */

    function bytesOf(buf) {
        if (buf instanceof ArrayBuffer) {
            return new Uint8Array(buf);
        }
        if (ArrayBuffer.isView(buf)) {
            return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
        }
        throw new TypeError('not binary data');
    }

    // ArrayBuffer or typed array -> base64url, no padding
    function toB64url(buf) {
        var bytes = bytesOf(buf), s = '', i;
        for (i = 0; i < bytes.length; i += 0x8000) {
            s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
        }
        return btoa(s).replace(/\+/g, '-').replace(/\//g, '_')
            .replace(/=+$/, '');
    }

    // base64url (padding optional) -> ArrayBuffer; throws on bad input
    function fromB64url(s) {
        var b, bin, out, i;
        if (typeof s !== 'string' || !/^[A-Za-z0-9_-]*={0,2}$/.test(s)) {
            throw new TypeError('not base64url');
        }
        b = s.replace(/=+$/, '');
        if (b.length % 4 === 1) {
            throw new TypeError('not base64url');
        }
        b = b.replace(/-/g, '+').replace(/_/g, '/');
        b += '=='.slice(0, (4 - b.length % 4) % 4);
        bin = atob(b);
        out = new Uint8Array(bin.length);
        for (i = 0; i < bin.length; i++) {
            out[i] = bin.charCodeAt(i);
        }
        return out.buffer;
    }

    // a copy of v with every ArrayBuffer / typed array as base64url
    function jsonable(v) {
        var o, k;
        if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
            return toB64url(v);
        }
        if (Array.isArray(v)) {
            return v.map(jsonable);
        }
        if (v !== null && typeof v === 'object') {
            o = {};
            for (k in v) {
                if (Object.prototype.hasOwnProperty.call(v, k)) {
                    o[k] = jsonable(v[k]);
                }
            }
            return o;
        }
        return v;
    }

    /* -- options from the server -> what the browser takes ---------------- */

    function withId(list) {
        if (!Array.isArray(list)) {
            return list;
        }
        return list.map(function (c) {
            var d = Object.assign({}, c);
            d.id = fromB64url(c.id);
            return d;
        });
    }

    // PublicKeyCredentialRequestOptions (navigator.credentials.get)
    function requestOptions(pk) {
        var o = Object.assign({}, pk);
        o.challenge = fromB64url(pk.challenge);
        if (pk.allowCredentials !== undefined) {
            o.allowCredentials = withId(pk.allowCredentials);
        }
        return o;
    }

    // PublicKeyCredentialCreationOptions (navigator.credentials.create)
    function creationOptions(pk) {
        var o = Object.assign({}, pk);
        o.challenge = fromB64url(pk.challenge);
        o.user = Object.assign({}, pk.user);
        o.user.id = fromB64url(pk.user.id);
        if (pk.excludeCredentials !== undefined) {
            o.excludeCredentials = withId(pk.excludeCredentials);
        }
        return o;
    }

    /* -- credentials -> JSON for the server ------------------------------- */

    function extensionResults(cred) {
        if (typeof cred.getClientExtensionResults !== 'function') {
            return {};
        }
        return jsonable(cred.getClientExtensionResults() || {});
    }

    // a PublicKeyCredential from credentials.get()
    function assertionJSON(cred) {
        var r = cred.response;
        return {
            id: cred.id,
            rawId: toB64url(cred.rawId),
            type: cred.type,
            response: {
                clientDataJSON: toB64url(r.clientDataJSON),
                authenticatorData: toB64url(r.authenticatorData),
                signature: toB64url(r.signature),
                userHandle: r.userHandle && r.userHandle.byteLength
                    ? toB64url(r.userHandle) : null
            },
            clientExtensionResults: extensionResults(cred)
        };
    }

    // a PublicKeyCredential from credentials.create()
    function attestationJSON(cred) {
        var r = cred.response, t, out;
        out = {
            id: cred.id,
            rawId: toB64url(cred.rawId),
            type: cred.type,
            response: {
                clientDataJSON: toB64url(r.clientDataJSON),
                attestationObject: toB64url(r.attestationObject)
            },
            clientExtensionResults: extensionResults(cred)
        };
        if (typeof r.getTransports === 'function') {
            try {
                t = r.getTransports();
                if (Array.isArray(t)) {
                    out.response.transports = t.slice();
                }
            } catch (e) {
                /* no transports: the server does without */
            }
        }
        return out;
    }

    /* -- the page ---------------------------------------------------------- */

    function meta(name) {
        var m = document.querySelector('meta[name="' + name + '"]');
        return m ? m.getAttribute('content') || '' : '';
    }

    function status(text, kind) {
        var el = document.getElementById('a2f-status');
        if (!el) {
            return;
        }
        el.className = 'status' + (kind ? ' ' + kind : '');
        el.textContent = text || '';
    }

    // an error whose message is for the user as it is
    function Shown(message) {
        this.message = message;
    }

    var NO_WEBAUTHN = 'This browser cannot use security keys. Open this page'
        + ' in a current version of Firefox, Chrome, Edge or Safari';

    var EXPIRED = 'Your sign-in has expired. Reload the page to sign in'
        + ' again.';

    function supported() {
        return typeof window.PublicKeyCredential === 'function'
            && !!(navigator.credentials && navigator.credentials.get);
    }

    // what to tell the user about an error of credentials.get() / create()
    function explain(err, registering) {
        var name = err && err.name;
        if (err instanceof Shown) {
            return err.message;
        }
        if (name === 'NotAllowedError' || name === 'AbortError') {
            return 'The key did not respond in time, or the request was'
                + ' cancelled. Press the button to try again.';
        }
        if (name === 'InvalidStateError' && registering) {
            return 'This security key is registered already. To add'
                + ' another one, use a key that is not on the list.';
        }
        if (name === 'InvalidStateError') {
            return 'This security key is not registered for this account.'
                + ' Use the key you registered.';
        }
        if (name === 'SecurityError') {
            return 'The browser refused to use the key because the address'
                + ' of this page does not match the site\'s name. Open the'
                + ' site at its usual address and try again.';
        }
        if (name === 'NotSupportedError') {
            return 'This security key cannot do what the site asks for.'
                + ' Try another key.';
        }
        if (name === 'TypeError') {
            return 'The server sent something the browser could not use.'
                + ' Reload the page and try again.';
        }
        return 'The security key did not work' + (name ? ' (' + name + ')'
            : '') + '. Press the button to try again.';
    }

    // POST JSON to the portal; resolves with the answer's JSON, or rejects
    // with a Shown error carrying the server's reason
    function post(path, body) {
        var init = {
            method: 'POST',
            credentials: 'same-origin',
            cache: 'no-store',
            redirect: 'manual',
            headers: {
                'Content-Type': 'application/json',
                'X-A2F-CSRF': meta('a2f-csrf')
            },
            body: JSON.stringify(body)
        };
        return fetch(meta('a2f-portal') + path, init).then(function (res) {
            if (res.type === 'opaqueredirect') {
                throw new Shown(EXPIRED);
            }
            return res.text().then(function (text) {
                var data = null;
                try {
                    data = JSON.parse(text);
                } catch (e) {
                    data = null;
                }
                if (res.ok && data && typeof data === 'object' && !data.error) {
                    return data;
                }
                if (data && typeof data === 'object'
                    && (typeof data.reason === 'string' && data.reason
                        || typeof data.error === 'string' && data.error))
                {
                    throw new Shown(sentence(data.reason || data.error));
                }
                if (res.status === 401) {
                    throw new Shown(EXPIRED);
                }
                throw new Shown('The server answered with an error ('
                    + res.status + '). Reload the page and try again.');
            });
        }, function (err) {
            if (err instanceof Shown) {
                throw err;
            }
            throw new Shown('The server could not be reached. Check your'
                + ' connection and press the button to try again.');
        });
    }

    // the server's reason as a sentence (a leading name such as
    // "clientDataJSON" keeps its case)
    function sentence(s) {
        s = String(s).trim();
        if (/^[a-z]+\b/.test(s) && !/^[a-z]+[A-Z]/.test(s)) {
            s = s.charAt(0).toUpperCase() + s.slice(1);
        }
        return /[.!?]$/.test(s) ? s : s + '.';
    }

    // an absolute http(s) URL for next, or null
    function safeNext(next) {
        var u;
        if (typeof next !== 'string' || next === '') {
            return null;
        }
        try {
            u = new URL(next, window.location.href);
        } catch (e) {
            return null;
        }
        return u.protocol === 'https:' || u.protocol === 'http:'
            ? u.href : null;
    }

    function signIn(button) {
        button.disabled = true;
        status('Touch your security key. If it is not in the computer yet,'
            + ' insert it first.', 'wait');
        return post('key/options', {}).then(function (data) {
            if (!data.publicKey) {
                throw new Shown('The server sent no request for the key.'
                    + ' Reload the page and try again.');
            }
            return navigator.credentials.get({
                publicKey: requestOptions(data.publicKey)
            });
        }).then(function (cred) {
            if (!cred) {
                throw new Shown('No key answered. Press the button to try'
                    + ' again.');
            }
            status('Checking your key...', 'wait');
            return post('key/verify', assertionJSON(cred));
        }).then(function (data) {
            var next = safeNext(data.next) || safeNext(meta('a2f-rd'))
                || safeNext('/');
            status('Signed in. One moment...', 'notice');
            window.location.assign(next);
        }).catch(function (err) {
            status(explain(err, false), 'error');
            button.disabled = false;
            button.focus();
        });
    }

    function register(form) {
        var button = form.querySelector('button[type=submit], button'),
            input = form.querySelector('input[name=keyname]'),
            user = form.getAttribute('data-user'),
            name = input ? input.value.trim() : '',
            body = {};
        // the server takes 1 to 32 bytes: say so before the key is touched
        if (name === '' || new TextEncoder().encode(name).length > 32) {
            status(name === '' ? 'Type a name for the key first, such as'
                + ' "blue key".' : 'That name is too long: at most 32'
                + ' letters (fewer with accents or other scripts).', 'error');
            if (input) {
                input.focus();
            }
            return Promise.resolve();
        }
        if (user) {
            body.user = user;
        }
        if (button) {
            button.disabled = true;
        }
        status('Touch your new security key. If it is not in the computer'
            + ' yet, insert it first.', 'wait');
        return post('key/register/options', body).then(function (data) {
            if (!data.publicKey) {
                throw new Shown('The server sent no request for the key.'
                    + ' Reload the page and try again.');
            }
            return navigator.credentials.create({
                publicKey: creationOptions(data.publicKey)
            });
        }).then(function (cred) {
            var req = {};
            if (!cred) {
                throw new Shown('No key answered. Press the button to try'
                    + ' again.');
            }
            status('Saving the key...', 'wait');
            if (user) {
                req.user = user;
            }
            req.name = name;
            req.credential = attestationJSON(cred);
            return post('key/register', req);
        }).then(function (data) {
            status('Added the key' + (data.name ? ' "' + data.name + '"' : '')
                + '.', 'notice');
            window.location.reload();
        }).catch(function (err) {
            status(explain(err, true), 'error');
            if (button) {
                button.disabled = false;
                button.focus();
            }
        });
    }

    function start() {
        var signin = document.querySelectorAll('[data-a2f="signin"]'),
            forms = document.querySelectorAll('form[data-a2f="register"]'),
            i, ok = supported();

        if (!signin.length && !forms.length) {
            return;
        }

        if (!ok) {
            status(NO_WEBAUTHN + (signin.length
                ? ', or use a code from your authenticator app instead.'
                : '.'), 'error');
        }

        for (i = 0; i < signin.length; i++) {
            signin[i].disabled = !ok;
            signin[i].addEventListener('click', function (ev) {
                ev.preventDefault();
                if (supported() && !this.disabled) {
                    signIn(this);
                }
            });
        }
        if (ok && signin.length) {
            signin[0].focus();
        }

        for (i = 0; i < forms.length; i++) {
            (function (form) {
                var b = form.querySelectorAll('button');
                for (var j = 0; j < b.length; j++) {
                    b[j].disabled = !ok;
                }
                form.addEventListener('submit', function (ev) {
                    ev.preventDefault();
                    if (supported()) {
                        register(form);
                    }
                });
            })(forms[i]);
        }
    }

    // for tests and the console; nothing on the page depends on it
    window.a2fWebAuthn = Object.freeze({
        toB64url: toB64url,
        fromB64url: fromB64url,
        requestOptions: requestOptions,
        creationOptions: creationOptions,
        assertionJSON: assertionJSON,
        attestationJSON: attestationJSON,
        explain: explain,
        sentence: sentence
    });

    if (typeof document !== 'undefined') {
        if (document.readyState === 'loading') {
            document.addEventListener('DOMContentLoaded', start);
        } else {
            start();
        }
    }
}());
