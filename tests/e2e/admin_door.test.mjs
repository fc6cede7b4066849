// The admin console's door: signing in (wrong password, a shopper's account, a staff member),
// two-step verification set up and asked for at the next sign-in, signing out, the sign-in page
// for anyone not signed in, and axe on the door's pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { launch, withPage, screenshots, uniqueEmail, signUp, PASSWORD } from './lib.mjs';
import { createStaff, signInAdmin, axeAdmin } from './admin_lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) for the code an authenticator app would show.
function totp(base32, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of base32.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1000000;
  return String(value).padStart(6, '0');
}

test('admin door: anonymous → sign-in page; wrong password and shopper refused; staff signs in and out', async () => {
  const staff = await createStaff({ role: 'admin', name: 'Alex Admin' });
  await withPage(browser, 'admin-door', { bypassCSP: true }, async (page, _context, problems) => {
    await page.goto('/admin/account');
    assert.equal(new URL(page.url()).pathname, '/admin/signin', 'not signed in → the sign-in page');
    assert.equal(new URL(page.url()).searchParams.get('next'), '/admin/account');
    await axeAdmin(page, 'signin');
    await screenshots(page, 'admin-signin');

    await page.getByLabel('Email').fill(staff.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signin-error').waitFor();
    assert.match(await page.getByTestId('signin-error').innerText(), /do not match/);
    await axeAdmin(page, 'signin-error');

    await page.getByLabel('Password').fill(staff.password);
    await Promise.all([page.waitForURL(/\/admin\/account$/), page.getByRole('button', { name: 'Sign in' }).click()]);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    assert.ok(await page.getByText(staff.email).count(), 'the account page shows the email');
    await axeAdmin(page, 'account');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/admin\/signin/);
    await page.getByTestId('admin-notice').waitFor();
    await page.goto('/admin/account');
    assert.equal(new URL(page.url()).pathname, '/admin/signin', 'signed out: the session is over');
    assert.deepEqual(problems, [], 'no console errors, uncaught exceptions or 5xx answers');
  });

  await withPage(browser, 'admin-door-shopper', { bypassCSP: true }, async (page) => {
    const email = uniqueEmail('shopper-at-admin');
    await signUp(page, { name: 'Lan Pham', email });
    await page.context().clearCookies();
    await page.goto('/admin/signin');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signin-error').waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/signin', 'a shopper does not get in');
  });
});

test('admin door: two-step verification is set up, then asked for at sign-in', async () => {
  const staff = await createStaff({ role: 'staff', scopes: ['orders'] });
  await withPage(browser, 'admin-door-totp', { bypassCSP: true }, async (page, _context, problems) => {
    await signInAdmin(page, staff, '/admin/account');
    await page.getByRole('button', { name: 'Set up two-step verification' }).click();
    const secret = (await page.getByTestId('totp-secret').innerText()).trim();
    await page.getByLabel('Code from your app').fill('000000');
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('That code is not right').first().waitFor();
    await page.getByLabel('Code from your app').fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    const codes = (await page.getByTestId('recovery-codes').innerText()).split(/\s+/).filter(Boolean);
    assert.ok(codes.length >= 8, `recovery codes shown: ${codes.length}`);
    await axeAdmin(page, 'account-totp-on');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/admin\/signin/);
    await page.getByLabel('Email').fill(staff.email);
    await page.getByLabel('Password').fill(staff.password);
    await Promise.all([page.waitForURL(/\/admin\/signin\/second-factor/), page.getByRole('button', { name: 'Sign in' }).click()]);
    await axeAdmin(page, 'second-factor');
    await screenshots(page, 'admin-second-factor');
    // Until the code is given, no admin page opens.
    await page.goto('/admin/account');
    assert.match(page.url(), /\/admin\/signin\/second-factor/, 'the code is owed before any page');
    await page.getByLabel('Code').fill('123456');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('That code is not right').waitFor();
    // A recovery code works once (the app code of this step was used when turning it on).
    await page.getByLabel('Code').fill(codes[0]);
    await Promise.all([page.waitForURL(/\/admin\/account$/), page.getByRole('button', { name: 'Verify' }).click()]);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    assert.deepEqual(problems.filter((p) => !/ 4\d\d /.test(p)), [], 'no console errors or 5xx answers');
  });
});
