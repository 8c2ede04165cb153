// t/e2e/a2f-js.test.mjs: html/a2f.js's helpers (base64url, options,
// credential serialization, messages) in node, without a browser or a
// server: the script runs in a vm context with a stub window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';

const src = readFileSync(new URL('../../html/a2f.js', import.meta.url), 'utf8');

function load() {
    const window = {};
    // no document: the script only defines its helpers
    runInNewContext(src, {
        window, atob, btoa, ArrayBuffer, Uint8Array, TextEncoder, URL,
    });
    return window.a2fWebAuthn;
}

const a2f = load();
// what is sent: JSON (and plain objects of this realm for deepEqual)
const sent = (v) => JSON.parse(JSON.stringify(v));
const bytes = (b) => Array.from(new Uint8Array(b));

test('a2f.js: no eval, no inline handlers, no external URLs', () => {
    assert.doesNotMatch(src, /\beval\s*\(|new Function|setTimeout\(\s*['"]/);
    assert.doesNotMatch(src, /https?:\/\//);
    assert.doesNotMatch(src, /innerHTML|document\.write/);
});

test('base64url: RFC 4648 vectors, no padding out, padding optional in', () => {
    const enc = new TextEncoder();
    const vectors = [['', ''], ['f', 'Zg'], ['fo', 'Zm8'], ['foo', 'Zm9v'],
                     ['foob', 'Zm9vYg'], ['fooba', 'Zm9vYmE'],
                     ['foobar', 'Zm9vYmFy']];
    for (const [plain, b64] of vectors) {
        assert.equal(a2f.toB64url(enc.encode(plain)), b64);
        assert.equal(a2f.toB64url(enc.encode(plain).buffer), b64);
        assert.deepEqual(bytes(a2f.fromB64url(b64)), Array.from(enc.encode(plain)));
        const padded = b64 + '='.repeat((4 - b64.length % 4) % 4);
        assert.deepEqual(bytes(a2f.fromB64url(padded)), Array.from(enc.encode(plain)));
    }
    // the url-safe alphabet both ways
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const s = a2f.toB64url(all);
    assert.match(s, /^[A-Za-z0-9_-]+$/);
    assert.equal(s, Buffer.from(all).toString('base64url'));
    assert.deepEqual(bytes(a2f.fromB64url(s)), Array.from(all));
    assert.equal(a2f.toB64url(Uint8Array.of(0xfb, 0xff)), '-_8');
    // a view into a larger buffer: only its bytes
    const big = Uint8Array.of(1, 2, 3, 4, 5);
    assert.equal(a2f.toB64url(big.subarray(1, 3)), Buffer.from([2, 3]).toString('base64url'));
    // large input (chunked String.fromCharCode)
    const large = new Uint8Array(200000).map((_, i) => i * 7);
    assert.deepEqual(bytes(a2f.fromB64url(a2f.toB64url(large))), Array.from(large));
});

test('base64url: bad input throws', () => {
    for (const bad of ['a', 'ab+c', 'ab/c', 'ab c', 'a===', 'Zg=a', 12, null]) {
        assert.throws(() => a2f.fromB64url(bad), `${bad}`);
    }
    assert.throws(() => a2f.toB64url('text'));
});

test('request options: challenge and allowCredentials ids decoded, rest kept', () => {
    const pk = {
        challenge: 'AAECAw', timeout: 60000, rpId: 'a2f.test',
        allowCredentials: [{ type: 'public-key', id: '_-8', transports: ['usb'] }],
        userVerification: 'discouraged',
        extensions: { appid: 'https://a2f.test/u2f-appid.json' },
    };
    const o = a2f.requestOptions(pk);
    assert.deepEqual(bytes(o.challenge), [0, 1, 2, 3]);
    assert.deepEqual(bytes(o.allowCredentials[0].id), [0xff, 0xef]);
    assert.deepEqual(sent(o.allowCredentials[0].transports), ['usb']);
    assert.equal(o.rpId, 'a2f.test');
    assert.equal(o.extensions.appid, 'https://a2f.test/u2f-appid.json');
    assert.equal(pk.challenge, 'AAECAw', 'the input is not changed');
    assert.equal(a2f.requestOptions({ challenge: 'AA' }).allowCredentials, undefined);
});

test('creation options: challenge, user.id, excludeCredentials decoded', () => {
    const pk = {
        rp: { id: 'a2f.test', name: 'a2f.test' },
        user: { id: 'AQI', name: 'ulla', displayName: 'ulla' },
        challenge: 'BAUG',
        pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
        excludeCredentials: [{ type: 'public-key', id: 'CQ' }],
        authenticatorSelection: { residentKey: 'discouraged' },
        attestation: 'none',
    };
    const o = a2f.creationOptions(pk);
    assert.deepEqual(bytes(o.challenge), [4, 5, 6]);
    assert.deepEqual(bytes(o.user.id), [1, 2]);
    assert.equal(o.user.name, 'ulla');
    assert.deepEqual(bytes(o.excludeCredentials[0].id), [9]);
    assert.equal(pk.user.id, 'AQI', 'the input is not changed');
});

const buf = (...b) => Uint8Array.from(b).buffer;

test('assertion JSON: the contract\'s fields, userHandle null when empty', () => {
    const cred = {
        id: 'AQID', rawId: buf(1, 2, 3), type: 'public-key',
        response: {
            clientDataJSON: buf(0x7b, 0x7d), authenticatorData: buf(5),
            signature: buf(6, 7), userHandle: null,
        },
        getClientExtensionResults: () => ({ appid: true }),
        authenticatorAttachment: 'cross-platform',
    };
    assert.deepEqual(sent(a2f.assertionJSON(cred)), {
        id: 'AQID', rawId: 'AQID', type: 'public-key',
        response: {
            clientDataJSON: 'e30', authenticatorData: 'BQ', signature: 'Bgc',
            userHandle: null,
        },
        clientExtensionResults: { appid: true },
    });
    cred.response.userHandle = buf();
    assert.equal(a2f.assertionJSON(cred).response.userHandle, null);
    cred.response.userHandle = buf(8);
    assert.equal(a2f.assertionJSON(cred).response.userHandle, 'CA');
    delete cred.getClientExtensionResults;
    assert.deepEqual(sent(a2f.assertionJSON(cred).clientExtensionResults), {});
});

test('attestation JSON: transports when the browser has them', () => {
    const cred = {
        id: 'AQ', rawId: buf(1), type: 'public-key',
        response: {
            clientDataJSON: buf(0x7b, 0x7d), attestationObject: buf(0xa0),
            getTransports: () => ['usb', 'nfc'],
        },
        getClientExtensionResults: () => ({ credProps: { rk: false }, x: buf(1) }),
    };
    assert.deepEqual(sent(a2f.attestationJSON(cred)), {
        id: 'AQ', rawId: 'AQ', type: 'public-key',
        response: {
            clientDataJSON: 'e30', attestationObject: 'oA',
            transports: ['usb', 'nfc'],
        },
        clientExtensionResults: { credProps: { rk: false }, x: 'AQ' },
    });
    delete cred.response.getTransports;
    assert.equal('transports' in a2f.attestationJSON(cred).response, false);
    cred.response.getTransports = () => { throw new Error('no'); };
    assert.equal('transports' in a2f.attestationJSON(cred).response, false);
});

test('messages: plain words for the DOMExceptions that matter', () => {
    const err = (name) => ({ name });
    assert.match(a2f.explain(err('NotAllowedError'), false),
                 /^The key did not respond in time, or the request was cancelled\. Press the button to try again\.$/);
    assert.match(a2f.explain(err('InvalidStateError'), true), /registered already/);
    assert.match(a2f.explain(err('SecurityError'), false), /address/);
    assert.match(a2f.explain(err('WeirdError'), false), /WeirdError/);
});

test('the server\'s reason as a sentence', () => {
    assert.equal(a2f.sentence('the challenge expired or was used; press the button again'),
                 'The challenge expired or was used; press the button again.');
    assert.equal(a2f.sentence('clientDataJSON: challenge does not match'),
                 'clientDataJSON: challenge does not match.');
    assert.equal(a2f.sentence('The page had expired. Reload it and try again.'),
                 'The page had expired. Reload it and try again.');
});
