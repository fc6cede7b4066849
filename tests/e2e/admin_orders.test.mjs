// Admin orders and customers: a shopper's order (placed through the API) is found in the admin
// list, a staff member with the orders scope ships it with a tracking number → the customer sees
// the tracking on /track and the shipped email exists; refund and cancel errors are shown on the
// page; a stale page's cancel is refused with the reason; the packing slip prints the order.
// axe on the list, the detail and the customer pages; screenshots admin-orders,
// admin-order-detail, admin-customer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, withPage, screenshots, uniqueEmail } from './lib.mjs';
import { adminApi, createStaff, signInAdmin, axeAdmin } from './admin_lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function shopApi(method, path, body, headers = {}) {
  const res = await fetch(BASE_URL + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: res.status, json, text };
}

async function expectStatus(promise, status, what) {
  const res = await promise;
  const data = 'json' in res ? res.json : res.body;  // shopApi's or admin_lib's adminApi's answer
  assert.equal(res.status, status, `${what}: ${res.status} ${JSON.stringify(data ?? res.text).slice(0, 300)}`);
  return data;
}

// A product of our own with stock, then a guest checkout by card: the order number.
async function placeOrder(email, { quantity = 2 } = {}) {
  const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const sku = `E2E-ORD-${tag}`.toUpperCase();
  await expectStatus(adminApi('POST', '/api/v1/admin/products', {
    slug: `e2e-order-tee-${tag}`,
    title: `E2E Order Tee ${tag}`,
    status: 'active',
    variants: [{ sku, size: 'm', colour: 'navy', price: '25.00' }],
  }), 201, 'product');
  await expectStatus(adminApi('POST', '/api/v1/admin/inventory/adjustments',
    { sku, delta: 10, reason: 'receipt' }), 201, 'stock');
  const cart = await expectStatus(shopApi('POST', '/api/v1/carts', {}), 201, 'cart');
  await expectStatus(shopApi('POST', `/api/v1/carts/${cart.id}/lines`, { sku, quantity }), 200, 'cart line');
  const order = await expectStatus(shopApi('POST', '/api/v1/checkout', {
    cart_id: cart.id,
    email,
    shipping_address: { name: 'Ines Admin-Test', line1: '5 Harbour Road', city: 'Springfield', postal_code: '12345', country: 'US' },
    shipping_method: 'standard',
    payment: { method: 'card', card_number: '4242424242424242' },
  }), 201, 'checkout');
  return { number: order.number, sku };
}

// The last mail to `email` whose subject holds `subject`, through the test-only route (the shop
// must run with FFF_TEST_ROUTES=1); order mails are sent by a background job, so it waits.
async function mailTo(email, subject) {
  const deadline = Date.now() + 30000;
  for (;;) {
    const res = await fetch(`${BASE_URL}/_test/mail/latest?to=${encodeURIComponent(email)}&subject=${encodeURIComponent(subject)}`);
    if (res.ok) return res.json();
    const body = await res.text();
    assert.ok(body.includes('mail_not_found'),
      `GET /_test/mail/latest answers ${res.status} without mail_not_found: the shop needs FFF_TEST_ROUTES=1`);
    if (Date.now() > deadline) throw new Error(`no mail "${subject}" to ${email} within 30 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('staff ships an order → the customer sees the tracking and gets the shipped email', async () => {
  const email = uniqueEmail('admin-ship');
  const { number, sku } = await placeOrder(email);
  const staff = await createStaff({ role: 'staff', scopes: ['orders'] });
  const tracking = `1Z${Date.now().toString().slice(-10)}`;

  await withPage(browser, 'admin-orders-ship', { bypassCSP: true }, async (page, context, problems) => {
    await signInAdmin(page, staff, '/admin/orders');

    // The list, searched by the shopper's email.
    await page.goto('/admin/orders');
    await page.getByLabel('Order number or email').fill(email);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForLoadState('load');
    const row = page.getByRole('row').filter({ hasText: number });
    await assert.doesNotReject(row.waitFor(), 'the order is listed');
    await axeAdmin(page, 'orders');
    await page.goto('/admin/orders');
    await screenshots(page, 'admin-orders');

    await page.goto(`/admin/orders?q=${encodeURIComponent(email)}`);
    await page.getByRole('link', { name: number }).click();
    await page.waitForLoadState('load');
    assert.match(await page.getByRole('heading', { level: 1 }).textContent(), new RegExp(number));
    assert.match(await page.locator('main').textContent(), new RegExp(sku));

    // A second tab keeps the page as it was before the shipment (its cancel form is stale).
    const stale = await context.newPage();
    await stale.goto(`/admin/orders/${number}`);

    // Refund errors are shown beside the fields (422), nothing is refunded.
    await page.locator('summary', { hasText: 'Refund' }).click();
    await page.getByLabel('Part of it').check();
    await page.locator('#refund-amount').fill('abc');
    await page.locator('#refund-reason').fill('customer asked');
    await page.locator('form[action$="/refund"]').getByRole('button', { name: 'Refund' }).click();
    await page.waitForLoadState('load');
    await assert.doesNotReject(page.getByText(/Enter a positive amount in USD/).first().waitFor(),
      'the bad amount is explained');
    assert.equal(await page.locator('#refund-amount.is-invalid').count(), 1, 'the field is marked');
    // More than was paid: refused with the reason.
    await page.getByLabel('Part of it').check();
    await page.locator('#refund-amount').fill('9999.00');
    await page.locator('form[action$="/refund"]').getByRole('button', { name: 'Refund' }).click();
    await page.waitForLoadState('load');
    await assert.doesNotReject(page.getByText('Not done:').waitFor(), 'a refund beyond the payment is refused');

    // The shipment with carrier and tracking.
    await page.goto(`/admin/orders/${number}`);
    await page.locator('summary', { hasText: 'Create shipment' }).click();
    await page.getByLabel('Carrier').selectOption('dhl');
    await page.getByLabel('Tracking number').fill(tracking);
    await page.locator('form[action$="/shipments"]').getByRole('button', { name: 'Create shipment' }).click();
    await page.waitForLoadState('load');
    await assert.doesNotReject(page.getByText(/Shipment created/).first().waitFor(), 'the notice says so');
    assert.match(await page.locator('main').textContent(), new RegExp(tracking));
    await page.getByLabel(/Internal note/).fill('Packed in the gift box as asked.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.waitForLoadState('load');
    await assert.doesNotReject(page.getByText('Packed in the gift box as asked.').waitFor());
    await axeAdmin(page, 'order-detail');
    await screenshots(page, 'admin-order-detail');

    // The stale tab's cancel: the order shipped meanwhile, so it is refused with the reason.
    await stale.getByRole('button', { name: 'Cancel order' }).click();
    await stale.waitForLoadState('load');
    await assert.doesNotReject(stale.getByText('Not done:').waitFor(), 'the cancel is refused');
    assert.match(await stale.locator('#ord-failure').textContent(), /shipped/);
    await stale.close();

    // The packing slip: the order without the admin around it.
    await page.goto(`/admin/orders/${number}/packing-slip`);
    assert.match(await page.locator('h1').textContent(), /Packing slip/);
    assert.match(await page.locator('main').textContent(), new RegExp(sku));
    assert.equal(await page.locator('nav[aria-label="Packing slip"] a').count(), 1);
    await screenshots(page, 'admin-packing-slip');

    assert.deepEqual(problems, [], 'no console errors, uncaught exceptions or 5xx answers');
  });

  // The customer: /track shows the tracking number, and the shipped mail went out.
  await withPage(browser, 'admin-orders-track', {}, async (page, _context, problems) => {
    await page.goto(`/track?number=${encodeURIComponent(number)}&email=${encodeURIComponent(email)}`);
    await assert.doesNotReject(page.getByText(tracking).first().waitFor(), 'the tracking number is shown');
    assert.deepEqual(problems, []);
  });
  const mail = await mailTo(email, `Your order ${number} is on its way`);
  assert.match(mail.text, new RegExp(tracking), 'the shipped mail carries the tracking number');

  const order = await expectStatus(adminApi('GET', `/api/v1/admin/orders/${number}`), 200, 'order');
  assert.equal(order.status, 'shipped');
  assert.ok(order.timeline.some((e) => e.internal && /gift box/.test(e.detail)), 'the note is internal');
});

test('customers: list and profile for an admin, audited; axe and screenshot', async () => {
  const email = uniqueEmail('admin-cust');
  await expectStatus(shopApi('POST', '/api/v1/auth/signup',
    { email, password: 'correct horse battery staple', name: 'Greta Customer' }), 202, 'signup');
  const admin = await createStaff({ role: 'admin' });

  await withPage(browser, 'admin-customers', { bypassCSP: true }, async (page, _context, problems) => {
    await signInAdmin(page, admin, '/admin/customers');
    await page.goto('/admin/customers');
    await axeAdmin(page, 'customers');
    await page.getByLabel('Email or name').fill(email);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForLoadState('load');
    await page.getByRole('link', { name: 'Greta Customer' }).click();
    await page.waitForLoadState('load');
    assert.match(await page.getByRole('heading', { level: 1 }).textContent(), /Greta Customer/);
    assert.match(await page.locator('main').textContent(), new RegExp(email.replace(/[.+]/g, '\\$&')));
    await axeAdmin(page, 'customer');
    await screenshots(page, 'admin-customer');
    assert.deepEqual(problems, []);
  });

  const audit = await expectStatus(adminApi('GET', '/api/v1/admin/audit?action=customers'), 200, 'audit');
  assert.ok(audit.items.some((e) => e.action === 'GET /admin/customers/{id}' && e.permission === 'customers:read'),
    'the profile view is in the audit log');
});

test('a catalog-scoped member gets the 403 page for orders', async () => {
  const staff = await createStaff({ role: 'staff', scopes: ['catalog'] });
  await withPage(browser, 'admin-orders-403', {}, async (page) => {
    await signInAdmin(page, staff, '/admin/products');
    const res = await page.goto('/admin/orders');
    assert.equal(res.status(), 403);
    assert.match(await page.locator('body').textContent(), /orders:read/);
  });
});
