// t/e2e/webauthn.test.mjs: security keys end to end, in headless Chromium
// with its virtual authenticators (CDP "WebAuthn" domain), against the
// nginx that t/e2e/run starts (https://a2f.test:8443, a fresh database).
// Run it through t/e2e/run (make e2e): that sets A2F_E2E_*.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import {
    createHash, createHmac, generateKeyPairSync, randomBytes,
} from 'node:crypto';

const require = createRequire(new URL('../../.ci/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const env = process.env;
const base = env.A2F_E2E_URL;
const skip = base ? false : 'run through t/e2e/run (make e2e)';
const host = base ? new URL(base).hostname : '';

const users = {
    alice: { password: env.A2F_E2E_ALICE, totp: env.A2F_E2E_ALICE_TOTP },
    ulla: { password: env.A2F_E2E_ULLA, totp: env.A2F_E2E_ULLA_TOTP },
    carl: { password: env.A2F_E2E_CARL, totp: env.A2F_E2E_CARL_TOTP },
    cloe: { password: env.A2F_E2E_CLOE, totp: env.A2F_E2E_CLOE_TOTP },
    dora: { password: env.A2F_E2E_DORA, totp: env.A2F_E2E_DORA_TOTP },
    olga: { password: env.A2F_E2E_OLGA },
    nora: { password: env.A2F_E2E_NORA },
};

/* -- TOTP (RFC 6238: HMAC-SHA1, 30 s, 6 digits) --------------------------- */

function base32(s) {
    const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let bits = 0, value = 0;
    const out = [];
    for (const c of s.replace(/[\s=]/g, '').toUpperCase()) {
        const i = abc.indexOf(c);
        if (i < 0) throw new Error(`bad base32 character ${c}`);
        value = (value << 5) | i;
        bits += 5;
        if (bits >= 8) {
            out.push((value >>> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    return Buffer.from(out);
}

function totp(secret, step) {
    const msg = Buffer.alloc(8);
    msg.writeBigUInt64BE(BigInt(step));
    const h = createHmac('sha1', base32(secret)).update(msg).digest();
    const o = h[h.length - 1] & 0x0f;
    return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

// the module takes each step once per user, and one step either side of
// now: the current step, else the next one (good for 30 s at least, where
// the previous step could end before the form is sent), per secret
const lastStep = new Map();
async function nextCode(secret) {
    for (;;) {
        const now = Math.floor(Date.now() / 1000 / 30);
        const step = Math.max(now, (lastStep.get(secret) ?? -2) + 1);
        if (step <= now + 1) {
            lastStep.set(secret, step);
            return totp(secret, step);
        }
        await new Promise((r) => setTimeout(r, 1000));
    }
}

/* -- the browser ----------------------------------------------------------- */

let browser;

before(async () => {
    if (skip) return;
    browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic',
               '--no-first-run', '--disable-background-networking',
               '--disable-component-update', '--disable-sync',
               `--host-resolver-rules=MAP ${host} 127.0.0.1`,
               '--ignore-certificate-errors'],
    });
});

after(async () => {
    if (browser) await browser.close();
});

// a fresh browser (context, page) with one virtual authenticator:
// protocol "u2f" or "ctap2", USB, no resident keys, touched at once
async function session(protocol, options = {}) {
    const context = await browser.newContext({
        ignoreHTTPSErrors: true, locale: 'en-US',
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
            protocol,
            transport: 'usb',
            hasResidentKey: false,
            hasUserVerification: protocol === 'ctap2',
            isUserVerified: protocol === 'ctap2',
            automaticPresenceSimulation: true,
            ...options,
        },
    });
    const s = { context, page, cdp, authenticatorId, posts: [] };
    // the JSON requests a2f.js makes
    page.on('request', (req) => {
        if (req.method() !== 'POST' || !/\/_a2f\/key\//.test(req.url())) return;
        s.posts.push({
            path: new URL(req.url()).pathname,
            headers: req.headers(), body: req.postDataJSON(),
        });
    });
    s.credentials = async () => (await cdp.send('WebAuthn.getCredentials',
                                               { authenticatorId })).credentials;
    s.close = () => context.close();
    return s;
}

const path = (page) => new URL(page.url()).pathname;

// run action, then wait for the page to navigate (or reload); fail fast
// with the status line's text if a2f.js shows an error instead
async function navigates(page, action, timeout = 15000) {
    const nav = page.waitForNavigation({ timeout }).then(() => null);
    const err = page.waitForSelector('#a2f-status.error', { timeout })
        .then(async (el) => `status line: ${await el.textContent()}`);
    nav.catch(() => {});
    err.catch(() => {});
    await action();
    const r = await Promise.race([nav, err]);
    if (r !== null) throw new Error(`${page.url()}: ${r}`);
    await page.waitForLoadState('load');
}

// a2f.js's (new) error in the status line, after action
async function statusError(page, action) {
    const before = await page.textContent('#a2f-status');
    await action();
    await page.waitForFunction((b) => {
        const el = document.querySelector('#a2f-status.error');
        return el && el.textContent !== '' && el.textContent !== b;
    }, before);
    return page.textContent('#a2f-status');
}

// password sign-in from the upstream's root; returns the portal page
// the module sends the user to (otc, key, enroll) or '/'
async function login(page, user) {
    const r = await page.goto(`${base}/`);
    assert.equal(r.status(), 200);
    assert.equal(path(page), '/_a2f/login');
    await page.fill('#username', user);
    await page.fill('#password', users[user].password);
    await navigates(page, () => page.click('button[type=submit]'));
    return path(page);
}

async function otc(page, user) {
    assert.equal(path(page), '/_a2f/otc');
    await page.fill('#code', await nextCode(users[user].totp));
    await navigates(page, () => page.click('button[type=submit]'));
}

async function atUpstream(page, user) {
    assert.equal(path(page), '/', `expected the upstream, got ${page.url()}`);
    assert.equal(await page.textContent('#upstream'), `Hello, ${user}`);
}

// on the key page: press the button, reach the upstream
async function keySignIn(page, user) {
    assert.equal(path(page), '/_a2f/key');
    await navigates(page, () => page.click('[data-a2f=signin]'));
    await atUpstream(page, user);
}

// after the password, a user who has keys and an app may land on the code
// page (with a link to the key page) rather than on the key page: follow
// it, and say so
async function toKeyPage(t, page, landed) {
    if (landed === '/_a2f/otc') {
        t.diagnostic('the login led to the code page, not to the key page');
        await navigates(page, () => page.click('a:has-text("security key")'));
    }
    assert.equal(path(page), '/_a2f/key');
}

async function logout(page) {
    await page.goto(`${base}/_a2f/logout`);
    const r = await page.goto(`${base}/`);
    assert.equal(path(page), '/_a2f/login', 'signed out');
    assert.equal(r.status(), 200);
}

// the register widget of the account or admin user page
async function registerKey(page, user, name) {
    await page.fill('form[data-a2f=register] input[name=keyname]', name);
    await navigates(page, () => page.click('form[data-a2f=register] button[type=submit]'));
    assert.match(ctl('key', 'list', user), new RegExp(`\\b${name}\\b`));
    assert.match(await page.textContent('main'), new RegExp(name),
                 'the page lists the new key');
}

function ctl(...args) {
    return execFileSync(env.A2F_E2E_CTL,
                        ['-d', env.A2F_E2E_DB, '-k', env.A2F_E2E_KEY, ...args],
                        { encoding: 'utf8' });
}

// COSE_Key (EC2, P-256, ES256: kty 2, alg -7, crv 1, x, y) of a node
// public key
function coseKey(publicKey) {
    const jwk = publicKey.export({ format: 'jwk' });
    return Buffer.concat([
        Buffer.from([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20]),
        Buffer.from(jwk.x, 'base64url'),
        Buffer.from([0x22, 0x58, 0x20]),
        Buffer.from(jwk.y, 'base64url'),
    ]);
}

// what a2f.js sends: the contract's headers and fields
function checkHeaders(p) {
    assert.match(p.headers['content-type'], /^application\/json/);
    assert.match(p.headers['x-a2f-csrf'], /^[A-Za-z0-9_-]{16,}$/);
}

const b64url = /^[A-Za-z0-9_-]+$/;

function checkRegisterRequests(posts, protocol) {
    const [opts, reg] = posts.slice(-2);
    assert.equal(opts.path, '/_a2f/key/register/options');
    assert.deepEqual(opts.body, {});
    checkHeaders(opts);
    assert.equal(reg.path, '/_a2f/key/register');
    checkHeaders(reg);
    assert.equal(reg.body.name, `usb-${protocol}`);
    assert.equal('user' in reg.body, false);
    const c = reg.body.credential;
    assert.equal(c.type, 'public-key');
    assert.equal(c.id, c.rawId);
    assert.match(c.rawId, b64url);
    assert.match(c.response.clientDataJSON, b64url);
    assert.match(c.response.attestationObject, b64url);
    assert.deepEqual(c.response.transports, ['usb']);
    const cd = JSON.parse(Buffer.from(c.response.clientDataJSON, 'base64url'));
    assert.equal(cd.type, 'webauthn.create');
    assert.equal(cd.origin, base);
}

function checkSignInRequests(posts, protocol) {
    const [opts, verify] = posts;
    assert.equal(opts.path, '/_a2f/key/options');
    assert.deepEqual(opts.body, {});
    checkHeaders(opts);
    assert.equal(verify.path, '/_a2f/key/verify');
    checkHeaders(verify);
    const a = verify.body;
    assert.deepEqual(Object.keys(a).sort(),
                     ['clientExtensionResults', 'id', 'rawId', 'response', 'type']);
    assert.deepEqual(Object.keys(a.response).sort(),
                     ['authenticatorData', 'clientDataJSON', 'signature', 'userHandle']);
    assert.equal(a.id, a.rawId);
    for (const f of ['clientDataJSON', 'authenticatorData', 'signature']) {
        assert.match(a.response[f], b64url);
    }
    // no resident keys: U2F has no user handle; CTAP2 may return one
    if (protocol === 'u2f') assert.equal(a.response.userHandle, null);
    assert.deepEqual(a.clientExtensionResults, {});
    const cd = JSON.parse(Buffer.from(a.response.clientDataJSON, 'base64url'));
    assert.equal(cd.type, 'webauthn.get');
    assert.equal(cd.origin, base);
}

/* -- the tests ------------------------------------------------------------- */

// each test has its own users: they do not depend on each other
for (const [protocol, user] of [['u2f', 'ulla'], ['ctap2', 'carl']]) {
    test(`${protocol}: register on the account page, then sign in with the key`,
         { skip }, async (t) => {
        let assertion;
        const s = await session(protocol);
        const { page } = s;
        try {
            // password + app code, then the account page
            assert.equal(await login(page, user), '/_a2f/otc');
            await otc(page, user);
            await atUpstream(page, user);

            const r = await page.goto(`${base}/_a2f/account`);
            assert.equal(r.status(), 200);
            await registerKey(page, user, `usb-${protocol}`);
            assert.equal((await s.credentials()).length, 1);
            checkRegisterRequests(s.posts, protocol);

            // the same key again: the browser refuses (excludeCredentials)
            await page.fill('input[name=keyname]', 'again');
            const again = await statusError(page, () => page.click('form[data-a2f=register] button[type=submit]'));
            t.diagnostic(`the same key again: ${again}`);
            assert.match(again, /registered already/);

            // a name over 32 bytes: said before the key is asked
            const before = s.posts.length;
            await page.fill('input[name=keyname]', 'é'.repeat(20));
            const long = await statusError(page, () => page.click('form[data-a2f=register] button[type=submit]'));
            assert.match(long, /too long/);
            assert.equal(s.posts.length, before, 'nothing sent');
            assert.equal((await s.credentials()).length, 1);

            // a new sign-in: password, then the key page
            await logout(page);
            await toKeyPage(t, page, await login(page, user));
            assert.equal(await page.title(), 'Use your security key');
            // the user also has an app: the page offers the code instead
            assert.equal(await page.locator('a', { hasText: /authenticator app/ }).count(), 1);
            s.posts.length = 0;
            await keySignIn(page, user);
            checkSignInRequests(s.posts, protocol);
            assertion = s.posts[1].body;
        } finally {
            await s.close();
        }

        // another key, not registered: refused, no upstream
        const o = await session(protocol);
        try {
            await toKeyPage(t, o.page, await login(o.page, user));
            // the browser finds no allowed credential on it: NotAllowedError
            const msg = await statusError(o.page, () => o.page.click('[data-a2f=signin]'));
            t.diagnostic(`unregistered key: ${msg}`);
            assert.match(msg, /did not respond in time, or the request was cancelled/);
            assert.equal(path(o.page), '/_a2f/key');

            // the first session's assertion, sent again with this session's
            // new challenge: refused by the server
            const answer = await o.page.evaluate(async (assertion) => {
                const csrf = document.querySelector('meta[name=a2f-csrf]').content;
                const post = (p, body) => fetch(`/_a2f/key/${p}`, {
                    method: 'POST', body: JSON.stringify(body),
                    headers: { 'Content-Type': 'application/json', 'X-A2F-CSRF': csrf },
                }).then(async (r) => ({ status: r.status, json: await r.json() }));
                await post('options', {});
                return post('verify', assertion);
            }, assertion);
            t.diagnostic(`replayed assertion: ${JSON.stringify(answer)}`);
            assert.ok([400, 403].includes(answer.status), `status ${answer.status}`);
            assert.equal(typeof answer.json.error, 'string');
            assert.equal(typeof answer.json.reason, 'string');

            const r = await o.page.goto(`${base}/`);
            assert.match(path(o.page), /^\/_a2f\/(key|otc)$/, 'still no second factor');
            assert.equal(r.status(), 200);
        } finally {
            await o.close();
        }
    });
}

test('a cloned key (signature counter not increasing) is refused and audited',
     { skip }, async (t) => {
    const s = await session('ctap2');
    const { page, cdp, authenticatorId } = s;
    try {
        assert.equal(await login(page, 'cloe'), '/_a2f/otc');
        await otc(page, 'cloe');
        await page.goto(`${base}/_a2f/account`);
        await registerKey(page, 'cloe', 'cloned');

        // one good sign-in stores the key's count
        await logout(page);
        await toKeyPage(t, page, await login(page, 'cloe'));
        await keySignIn(page, 'cloe');

        // the same credential, its counter set back: what a clone does
        const [cred] = await s.credentials();
        assert.ok(cred.signCount >= 1, `signCount ${cred.signCount}`);
        await cdp.send('WebAuthn.removeCredential',
                       { authenticatorId, credentialId: cred.credentialId });
        await cdp.send('WebAuthn.addCredential', {
            authenticatorId, credential: { ...cred, signCount: 0 },
        });

        await logout(page);
        await toKeyPage(t, page, await login(page, 'cloe'));
        const msg = await statusError(page, () => page.click('[data-a2f=signin]'));
        t.diagnostic(`cloned key: ${msg}`);
        assert.match(msg, /counter/);
        assert.equal(path(page), '/_a2f/key');
        await page.goto(`${base}/`);
        assert.match(path(page), /^\/_a2f\/(key|otc)$/, 'no upstream');

        assert.match(ctl('audit', '200'), /key_cloned.*cloe|cloe.*key_cloned/);

        // the key stays blocked, even with a counter far ahead
        await cdp.send('WebAuthn.removeCredential',
                       { authenticatorId, credentialId: cred.credentialId });
        await cdp.send('WebAuthn.addCredential', {
            authenticatorId, credential: { ...cred, signCount: 1000 },
        });
        await page.goto(`${base}/_a2f/key`);
        const again = await statusError(page, () => page.click('[data-a2f=signin]'));
        t.diagnostic(`cloned key, later: ${again}`);
        assert.equal(path(page), '/_a2f/key');
    } finally {
        await s.close();
    }
});

test('an administrator registers a key for a user; the user signs in with it or with the app',
     { skip }, async (t) => {
    const s = await session('ctap2');
    const { page } = s;
    try {
        assert.equal(await login(page, 'alice'), '/_a2f/otc');
        await otc(page, 'alice');
        const r = await page.goto(`${base}/_a2f/admin/user?name=dora`);
        assert.equal(r.status(), 200);
        assert.equal(await page.getAttribute('form[data-a2f=register]', 'data-user'), 'dora');
        await registerKey(page, 'dora', 'handed-over');
        const [opts, reg] = s.posts.slice(-2);
        assert.deepEqual(opts.body, { user: 'dora' });
        assert.equal(reg.body.user, 'dora');
        assert.equal(reg.body.name, 'handed-over');
        assert.doesNotMatch(ctl('key', 'list', 'alice'), /handed-over/);

        // dora, on the same computer with the key
        await logout(page);
        await toKeyPage(t, page, await login(page, 'dora'));
        await keySignIn(page, 'dora');

        // or she chooses her app instead of the key
        await logout(page);
        await toKeyPage(t, page, await login(page, 'dora'));
        await navigates(page, () => page.click('a:has-text("authenticator app")'));
        await otc(page, 'dora');
        await atUpstream(page, 'dora');
    } finally {
        await s.close();
    }
});

test('the key page: messages for a browser without WebAuthn and for a server refusal',
     { skip }, async (t) => {
    const s = await session('ctap2');
    const { page } = s;
    try {
        // nora has a key (no app): imported, the browser never sees it
        const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
        ctl('key', 'add', 'nora', 'imported',
            '--cred-id', randomBytes(32).toString('base64url'),
            '--public-key', coseKey(publicKey).toString('base64url'), '--alg', '-7');
        assert.equal(await login(page, 'nora'), '/_a2f/key');

        // a stale CSRF token: the server's reason is shown
        await page.evaluate(() => {
            document.querySelector('meta[name=a2f-csrf]').content = 'stale';
        });
        const msg = await statusError(page, () => page.click('[data-a2f=signin]'));
        t.diagnostic(`stale CSRF token: ${msg}`);
        assert.doesNotMatch(msg, /could not be reached|answered with an error/);
        assert.ok(await page.isEnabled('[data-a2f=signin]'), 'the button is back');

        // no WebAuthn at all
        await page.addInitScript(() => { delete window.PublicKeyCredential; });
        await page.reload();
        const el = await page.waitForSelector('#a2f-status.error');
        assert.match(await el.textContent(), /cannot use security keys/);
        assert.ok(await page.isDisabled('[data-a2f=signin]'));
    } finally {
        await s.close();
    }
});

// a key registered through the old FIDO U2F API: a P-256 key pair and a
// key handle made here, the credential scoped to the AppID (its rpIdHash
// is SHA-256 of the AppID URL), imported with a2fctl; the module asks
// for it with the appid extension.  Only with a "u2f" virtual
// authenticator: Chromium tries the AppID on a CTAP2 device only when the
// device also speaks U2F (its getInfo versions list "U2F_V2", as real
// keys do), which its virtual CTAP2 authenticator does not.
test('u2f: a legacy U2F key (appid extension) imported with a2fctl signs in',
     { skip }, async () => {
    const appid = env.A2F_E2E_APPID;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const point = publicKey.export({ format: 'der', type: 'spki' }).subarray(-65);
    assert.equal(point[0], 0x04);
    const handle = randomBytes(64);

    ctl('key', 'import', 'olga', 'old-u2f', '--appid', appid,
        '--key-handle', handle.toString('base64url'),
        '--public-key', point.toString('base64url'));

    const s = await session('u2f');
    const { page, cdp, authenticatorId } = s;
    try {
        await cdp.send('WebAuthn.addCredential', {
            authenticatorId,
            credential: {
                credentialId: handle.toString('base64'),
                isResidentCredential: false,
                rpId: appid,
                privateKey: privateKey.export({ format: 'der', type: 'pkcs8' })
                    .toString('base64'),
                signCount: 1,
            },
        });

        assert.equal(await login(page, 'olga'), '/_a2f/key');
        // olga has no app: no code link
        assert.equal(await page.locator('a', { hasText: /authenticator app/ }).count(), 0);
        await keySignIn(page, 'olga');

        // the browser used the AppID (the options carried it): the
        // extension says so, and the key signed for SHA-256(AppID)
        const verify = s.posts.find((p) => p.path === '/_a2f/key/verify');
        assert.deepEqual(verify.body.clientExtensionResults, { appid: true });
        const authData = Buffer.from(verify.body.response.authenticatorData, 'base64url');
        assert.deepEqual(authData.subarray(0, 32), createHash('sha256').update(appid).digest());
        assert.equal(verify.body.rawId, handle.toString('base64url'));
        assert.equal(verify.body.response.userHandle, null);
        const [cred] = await s.credentials();
        assert.equal(cred.signCount, 2);
    } finally {
        await s.close();
    }
});
