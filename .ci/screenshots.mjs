// .ci/screenshots.mjs: run by .ci/screenshots, which starts nginx and sets
// A2F_SHOT_URL, A2F_SHOT_OUT, A2F_SHOT_SECRET, A2F_SHOT_ALICE, A2F_SHOT_NEWBIE.
// Headless Debian Chromium (/usr/bin/chromium) through playwright-core: no
// browser download. One fresh browser context per flow, full-page PNGs.
import { chromium } from 'playwright-core';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';

const base = process.env.A2F_SHOT_URL || 'http://127.0.0.1:8095';
const out = process.env.A2F_SHOT_OUT || 'html/screenshots';
const secret = process.env.A2F_SHOT_SECRET;
const alicePassword = process.env.A2F_SHOT_ALICE;
const newbiePassword = process.env.A2F_SHOT_NEWBIE;

const viewports = {
    phone: {
        viewport: { width: 360, height: 740 }, deviceScaleFactor: 2,
        isMobile: true, hasTouch: true,
    },
    desktop: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 },
};

// RFC 4648 base32 without padding
function base32(s) {
    const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let bits = 0, value = 0;
    const bytes = [];
    for (const c of s.replace(/[\s=]/g, '').toUpperCase()) {
        const i = abc.indexOf(c);
        if (i < 0) throw new Error(`bad base32 character ${c}`);
        value = (value << 5) | i;
        bits += 5;
        if (bits >= 8) {
            bytes.push((value >>> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    return Buffer.from(bytes);
}

// RFC 6238: HMAC-SHA1, 30 s steps, 6 digits
function totp(key, step) {
    const msg = Buffer.alloc(8);
    msg.writeBigUInt64BE(BigInt(step));
    const h = createHmac('sha1', key).update(msg).digest();
    const o = h[h.length - 1] & 0x0f;
    const n = (h.readUInt32BE(o) & 0x7fffffff) % 1000000;
    return String(n).padStart(6, '0');
}

// the module never takes the same step (or an older one) twice, and accepts
// one step either side (a2f_totp_window 1): use the oldest step still good
let lastStep = -1;
async function nextCode() {
    for (;;) {
        const now = Math.floor(Date.now() / 1000 / 30);
        const step = Math.max(now - 1, lastStep + 1);
        if (step <= now + 1) {
            lastStep = step;
            return totp(base32(secret), step);
        }
        await new Promise((r) => setTimeout(r, 1000));
    }
}

async function shot(page, name) {
    const file = join(out, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
    console.log(`screenshots: ${file}`);
}

async function login(page, user, password) {
    await page.goto(`${base}/_a2f/login`);
    await page.fill('#username', user);
    await page.fill('#password', password);
    await Promise.all([
        page.waitForNavigation(),
        page.click('button[type=submit]'),
    ]);
}

function expectPath(page, path) {
    const got = new URL(page.url()).pathname;
    if (got !== path) throw new Error(`expected ${path}, got ${page.url()}`);
}

const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update',
           '--disable-sync'],
});

async function flow(options, fn) {
    const context = await browser.newContext({
        ...options, colorScheme: 'light', locale: 'en-US',
    });
    try {
        const page = await context.newPage();
        await fn(page);
    } finally {
        await context.close();
    }
}

try {
    for (const [vp, options] of Object.entries(viewports)) {
        await flow(options, async (page) => {
            const r = await page.goto(`${base}/_a2f/login`);
            if (r.status() !== 200) throw new Error(`login: ${r.status()}`);
            await shot(page, `login-${vp}`);
        });

        await flow(options, async (page) => {
            await login(page, 'alice', 'not-her-password');
            await page.waitForSelector('.error');
            await shot(page, `login-error-${vp}`);
        });

        await flow(options, async (page) => {
            await login(page, 'alice', alicePassword);
            expectPath(page, '/_a2f/otc');
            await shot(page, `otc-${vp}`);

            await page.fill('#code', await nextCode());
            await Promise.all([
                page.waitForNavigation(),
                page.click('button[type=submit]'),
            ]);
            if (new URL(page.url()).pathname.startsWith('/_a2f/')) {
                throw new Error(`code not accepted: ${page.url()}`);
            }
            const r = await page.goto(`${base}/_a2f/account`);
            if (r.status() === 200) {
                await shot(page, `account-${vp}`);
            } else if (r.status() !== 404) {
                throw new Error(`account: ${r.status()}`);
            }

            // the admin pages (alice is an administrator)
            const a = await page.goto(`${base}/_a2f/admin`);
            if (a.status() !== 200) throw new Error(`admin: ${a.status()}`);
            await shot(page, `admin-${vp}`);

            await page.goto(`${base}/_a2f/admin/user?name=carol`);
            await page.fill('#device', `tablet-${vp}`);
            await Promise.all([
                page.waitForNavigation(),
                page.click('form:has(#device) button[type=submit]'),
            ]);
            await page.waitForSelector('.shown .qr svg');
            await shot(page, `admin-user-${vp}`);

            await page.goto(`${base}/_a2f/admin/user?name=erin`);
            await Promise.all([
                page.waitForNavigation(),
                page.click('form:has(#ttl) button[type=submit]'),
            ]);
            const link = await page.textContent('.shown code');
            if (!/\/_a2f\/enroll\/[A-Za-z0-9_-]{32}$/.test(link)) {
                throw new Error(`admin: no enrollment link (${link})`);
            }

            await page.goto(`${base}/_a2f/admin/audit`);
            await shot(page, `admin-audit-${vp}`);

            await flow(options, async (p2) => {
                const l = await p2.goto(link);
                if (l.status() !== 200) throw new Error(`link: ${l.status()}`);
                await p2.waitForSelector('.qr svg');
                await shot(p2, `link-${vp}`);
            });
        });

        await flow(options, async (page) => {
            await login(page, 'kim', newbiePassword);
            expectPath(page, '/_a2f/key');
            await page.waitForSelector('button[data-a2f=signin]');
            await shot(page, `key-${vp}`);
        });

        await flow(options, async (page) => {
            await login(page, 'newbie', newbiePassword);
            expectPath(page, '/_a2f/enroll');
            await page.waitForSelector('.qr svg');
            await shot(page, `enroll-${vp}`);
        });
    }
} finally {
    await browser.close();
}
