// Admin console, settings and system pages: who may open them (a support-scoped staff member gets
// the 403 page and no Settings link), the test email through the shop's mailer, a webhook
// endpoint and an API token whose secrets are shown once, and axe on each page type.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withPage, screenshots, uniqueEmail, BASE_URL } from './lib.mjs';
import { adminApi, createStaff, signInAdmin, axeAdmin } from './admin_lib.mjs';

let browser;
let admin;
before(async () => {
  browser = await launch();
  admin = await createStaff({ role: 'admin', scopes: [] });
});
after(async () => { await browser?.close(); });

// The notice shown after a form's redirect.
async function notice(page) {
  const n = page.getByTestId('admin-notice');
  await n.waitFor();
  return (await n.textContent()).trim();
}

test('system: a support-scoped staff member gets the 403 page and sees no Settings link', async () => {
  const support = await createStaff({ role: 'staff', scopes: ['support'] });
  await withPage(browser, 'admin-system-403', {}, async (page) => {
    await signInAdmin(page, support);
    const nav = page.getByRole('navigation', { name: 'Sections' });
    assert.equal(await nav.getByRole('link', { name: /settings/i }).count(), 0, 'no Settings link');
    assert.equal(await page.locator('a[href="/admin/settings"]').count(), 0, 'no link to settings');
    for (const path of ['/admin/settings', '/admin/system/staff', '/admin/system/tokens',
      '/admin/settings/webhooks', '/admin/system/audit']) {
      const res = await page.goto(path);
      assert.equal(res.status(), 403, `${path} answers 403`);
      await page.getByTestId('admin-forbidden').waitFor();
    }
  });
});

test('system: the admin sends a test email and it arrives', async () => {
  await withPage(browser, 'admin-system-email', { bypassCSP: true }, async (page, _context, problems) => {
    await signInAdmin(page, admin);
    await page.goto('/admin/settings/email');
    await axeAdmin(page, 'settings-email');
    const to = uniqueEmail('testmail');
    await page.getByLabel('Send to').fill(to);
    await page.getByRole('button', { name: 'Send test email' }).click();
    assert.match(await notice(page), /Test email sent to/);

    const res = await page.request.get(`${BASE_URL}/_test/mail/latest?to=${encodeURIComponent(to)}&subject=${encodeURIComponent('Test email')}`);
    assert.equal(res.status(), 200, 'the mail exists');
    assert.match((await res.json()).subject, /Test email from FFF/);

    // Bad input: the same page with a message next to the field.
    await page.getByLabel('Send to').fill('not an address');
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/admin/settings/email/test')),
      page.getByRole('button', { name: 'Send test email' }).click(),
    ]);
    assert.equal(answer.status(), 422);
    await page.locator('#mail-to-error').waitFor();
    assert.deepEqual(problems.filter((p) => !/422/.test(p)), []);
  });
});

test('system: webhook endpoint created with its secret shown once; delivery log opens', async () => {
  await withPage(browser, 'admin-system-webhooks', { bypassCSP: true }, async (page) => {
    await signInAdmin(page, admin);
    await page.goto('/admin/settings/webhooks');
    await axeAdmin(page, 'settings-webhooks');
    const url = `https://example.com/fff-hooks/${Date.now()}`;
    await page.getByLabel('URL').fill(url);
    await page.getByLabel('Topics').fill('order.*, payment.captured');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = await page.locator('#created-secret').inputValue();
    assert.match(secret, /^whsec_/, 'the signing secret is shown');
    await page.getByRole('link', { name: `Open ${url}` }).click();
    await page.getByText(url).first().waitFor();
    assert.equal(await page.getByText(secret).count(), 0, 'not shown again');
    assert.ok(!(await page.content()).includes(secret), 'the secret is not in the page any more');
    await axeAdmin(page, 'settings-webhook');

    await page.getByRole('button', { name: 'Disable' }).click();
    assert.match(await notice(page), /disabled/);
    await page.getByRole('button', { name: 'Enable' }).click();
    assert.match(await notice(page), /enabled/);

    const list = await adminApi('GET', '/api/v1/admin/webhooks');
    assert.equal(list.status, 200);
    assert.ok(list.body.items.some((e) => e.url === url), 'the API lists the endpoint');
  });
});

test('system: an API token is created, shown once, works, and is revoked', async () => {
  await withPage(browser, 'admin-system-tokens', { bypassCSP: true }, async (page) => {
    await signInAdmin(page, admin);
    await page.goto('/admin/system/tokens');
    await axeAdmin(page, 'system-tokens');
    const name = `e2e token ${Date.now()}`;
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('orders read').check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = await page.locator('#issued-token').inputValue();
    assert.match(token, /^fff_at_/);

    const ok = await page.request.get(`${BASE_URL}/api/v1/admin/orders`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.notEqual(ok.status(), 401, 'the token works');

    await page.goto('/admin/system/tokens');
    assert.ok(!(await page.content()).includes(token), 'shown once only');
    const row = page.getByRole('row').filter({ hasText: name });
    await row.getByRole('button', { name: /Revoke/ }).click();
    assert.match(await notice(page), /revoked/);
    const refused = await page.request.get(`${BASE_URL}/api/v1/admin/orders`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    assert.equal(refused.status(), 401, 'a revoked token is refused');
  });
});

test('system: axe on settings, taxes, shipping, payments, jobs, audit and staff; screenshot', async () => {
  await withPage(browser, 'admin-system-pages', { bypassCSP: true }, async (page, _context, problems) => {
    await signInAdmin(page, admin);
    await page.goto('/admin/settings');
    await page.getByRole('rowheader', { name: 'Shop currency' }).waitFor();
    await axeAdmin(page, 'settings');
    await screenshots(page, 'admin-settings');

    await page.goto('/admin/settings/taxes');
    await page.getByLabel('Country').fill('FR');
    await page.getByLabel('Rate (%)').fill('20');
    await page.getByRole('button', { name: 'Save rate' }).click();
    assert.match(await notice(page), /FR set to 20/);
    await axeAdmin(page, 'settings-taxes');

    await page.goto('/admin/settings/shipping');
    await axeAdmin(page, 'settings-shipping');
    await page.getByRole('link', { name: 'Add shipping method' }).click();
    const code = `e2e-${Date.now().toString(36)}`;
    await page.getByLabel('Name').fill('E2E courier');
    await page.getByLabel('Code').fill(code);
    await page.getByLabel('Price (USD)').fill('abc');
    await page.getByRole('button', { name: 'Create shipping method' }).click();
    await page.locator('#sm-price-error').waitFor();
    await axeAdmin(page, 'settings-shipping-422');
    await page.getByLabel('Price (USD)').fill('7.50');
    await page.getByRole('button', { name: 'Create shipping method' }).click();
    assert.match(await notice(page), /E2E courier created/);
    await page.getByRole('cell', { name: code }).waitFor();

    for (const [path, name] of [['/admin/settings/payments', 'settings-payments'],
      ['/admin/system/jobs', 'system-jobs'],
      ['/admin/system/jobs?status=dead', 'system-jobs-dead'],
      ['/admin/system/audit', 'system-audit'],
      ['/admin/system/staff', 'system-staff'],
      ['/admin/system/staff/new', 'system-staff-new']]) {
      const res = await page.goto(path);
      assert.equal(res.status(), 200, `${path} opens`);
      await axeAdmin(page, name);
    }

    // The audit log has what this admin just did, and filters by outcome.
    await page.goto('/admin/system/audit?action=%2Fadmin%2Fsettings%2Ftaxes');
    await page.getByRole('cell', { name: /POST \/admin\/settings\/taxes/ }).first().waitFor();
    await page.goto('/admin/system/audit?outcome=denied');
    assert.equal(await page.locator('.system-audit .text-bg-success').count(), 0, 'only refusals');
    assert.deepEqual(problems.filter((p) => !/422/.test(p)), []);
  });
});

test('system: the admin creates a staff member and changes their scopes', async () => {
  await withPage(browser, 'admin-system-staff', {}, async (page) => {
    await signInAdmin(page, admin);
    await page.goto('/admin/system/staff/new');
    const email = uniqueEmail('staff');
    await page.getByLabel('Name').fill('Lan Nguyen');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('First password').fill('correct horse battery staple 42');
    await page.getByLabel(/^catalog/).check();
    await page.getByRole('button', { name: 'Create staff member' }).click();
    assert.match(await notice(page), /Lan Nguyen can now sign in/);
    const row = page.getByRole('row').filter({ hasText: email });
    await row.getByRole('link', { name: /Change role/ }).click();
    await page.getByLabel(/^orders/).check();
    await page.getByRole('button', { name: 'Save role' }).click();
    assert.match(await notice(page), /catalog, orders/);
  });
});
