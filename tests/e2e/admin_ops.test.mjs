// Admin ops: the dashboard shows the figures of an order just placed (cards, charts with their
// tables, recent orders); a stock adjustment with a reason lands in the variant's ledger; a
// coupon is created and listed with its usage. Bad input is answered beside the field. axe on
// the dashboard, inventory and discounts pages; screenshots admin-dashboard, admin-inventory,
// admin-discounts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, withPage, screenshots } from './lib.mjs';
import { adminApi, createStaff, signInAdmin, axeAdmin } from './admin_lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const tag = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`.toUpperCase();

// A product of our own with one variant and `units` in stock: {slug, title, sku}.
async function productWithStock(units) {
  const t = tag();
  const slug = `ops-e2e-${t.toLowerCase()}`;
  const title = `Ops Tee ${t}`;
  const sku = `OPS-${t}-M`;
  const made = await adminApi('POST', '/api/v1/admin/products', {
    slug, title, status: 'active',
    variants: [{ sku, size: 'm', colour: 'white', price: '25.00' }],
  });
  assert.equal(made.status, 201, `product created: ${JSON.stringify(made.body)}`);
  if (units > 0) {
    const moved = await adminApi('POST', '/api/v1/admin/inventory/adjustments',
      { sku, delta: units, reason: 'receipt' });
    assert.equal(moved.status, 201, `stock received: ${JSON.stringify(moved.body)}`);
  }
  return { slug, title, sku };
}

async function api(method, path, body) {
  const res = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = text; }
  return { status: res.status, body: json };
}

// A paid order by a guest through the shop's API: its number.
async function placeOrder(sku, quantity) {
  const cart = await api('POST', '/api/v1/carts', {});
  assert.equal(cart.status, 201);
  const line = await api('POST', `/api/v1/carts/${cart.body.id}/lines`, { sku, quantity });
  assert.equal(line.status, 200, JSON.stringify(line.body));
  const order = await api('POST', '/api/v1/checkout', {
    cart_id: cart.body.id,
    email: `ops-${tag().toLowerCase()}@example.com`,
    shipping_address: { name: 'Ana Lima', line1: '1 Main St', city: 'Springfield', postal_code: '12345', country: 'US' },
    shipping_method: 'standard',
    payment: { method: 'card', card_number: '4242424242424242' },
  });
  assert.equal(order.status, 201, JSON.stringify(order.body));
  return order.body.number;
}

test('admin ops: the dashboard shows the figures, charts and recent orders after an order', async () => {
  const product = await productWithStock(20);
  const number = await placeOrder(product.sku, 3);
  const staff = await createStaff({ role: 'staff', scopes: ['orders', 'catalog'] });
  await withPage(browser, 'admin-ops-dashboard', { bypassCSP: true }, async (page, _context, problems) => {
    await signInAdmin(page, staff);
    await page.goto('/admin?period=today');
    const main = page.getByRole('main');
    await main.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();

    const revenue = await page.locator('[data-stat="revenue"] [data-value]').innerText();
    assert.notEqual(revenue.trim(), '$0.00', 'today has revenue');
    const orders = Number(await page.locator('[data-stat="orders"] [data-value]').innerText());
    assert.ok(orders >= 1, `today has orders (${orders})`);
    const units = Number(await page.locator('[data-stat="units"] [data-value]').innerText());
    assert.ok(units >= 3, `today has units (${units})`);

    const chart = page.locator('svg.ops-chart-line[role="img"]');
    assert.equal(await chart.count(), 1, 'the revenue chart is drawn');
    assert.match(await chart.locator('title').first().textContent(), /Revenue by day/);
    await main.getByRole('row', { name: new RegExp(product.title) }).first().waitFor();
    await main.getByRole('link', { name: number }).waitFor();
    assert.equal(await page.locator('svg.ops-chart-bar[role="img"]').count(), 1, 'top products chart');

    await axeAdmin(page, 'admin-dashboard');
    await screenshots(page, 'admin-dashboard');
    assert.deepEqual(problems, [], 'no console errors, uncaught exceptions or 5xx answers');
  });
});

test('admin ops: an inventory adjustment with a reason shows in the ledger', async () => {
  const product = await productWithStock(4);
  const staff = await createStaff({ role: 'staff', scopes: ['catalog'] });
  await withPage(browser, 'admin-ops-inventory', { bypassCSP: true }, async (page, _context, problems) => {
    await signInAdmin(page, staff);
    await page.goto('/admin/inventory');
    await page.getByRole('heading', { name: 'Inventory', level: 1 }).waitFor();
    await axeAdmin(page, 'admin-inventory');
    await screenshots(page, 'admin-inventory');

    await page.getByLabel('SKU').fill(product.sku);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: product.sku }).first().click();
    await page.getByRole('heading', { name: new RegExp(product.sku), level: 1 }).waitFor();
    assert.equal((await page.locator('#variant-on-hand').innerText()).trim(), '4');

    // Bad input: no quantity → the form again with the message beside the field.
    const bad = page.waitForResponse((r) => r.url().endsWith('/adjust'));
    await page.getByRole('button', { name: 'Adjust stock' }).click();
    assert.equal((await bad).status(), 422);
    const quantity = page.getByLabel('Units', { exact: true });
    assert.equal(await quantity.getAttribute('aria-invalid'), 'true');
    await page.locator('#adj-quantity-error').getByText(/whole number/).waitFor();

    await quantity.fill('-3');
    await page.getByLabel('Reason').selectOption('damage');
    await page.getByLabel(/Note/).fill('water leak in aisle 4');
    await page.getByRole('button', { name: 'Adjust stock' }).click();
    await page.getByText(/Stock adjusted/).waitFor();
    assert.equal((await page.locator('#variant-on-hand').innerText()).trim(), '1');
    const row = page.locator('#ledger tbody tr').first();
    assert.match(await row.innerText(), /-3/);
    assert.match(await row.innerText(), /damage: water leak in aisle 4/);
    await axeAdmin(page, 'admin-inventory-variant');

    // Taking more than there is: refused with a message, nothing moved.
    await page.getByLabel('Units', { exact: true }).fill('-5');
    await page.getByLabel('Reason').selectOption('correction');
    await page.getByRole('button', { name: 'Adjust stock' }).click();
    await page.locator('#adj-quantity-error').getByText(/below zero/).waitFor();
    assert.equal((await page.locator('#variant-on-hand').innerText()).trim(), '1');
    assert.deepEqual(problems, [], 'no console errors, uncaught exceptions or 5xx answers');
  });
});

test('admin ops: a coupon is created and listed with its usage', async () => {
  const staff = await createStaff({ role: 'staff', scopes: ['catalog'] });
  const code = `OPS${tag()}`;
  await withPage(browser, 'admin-ops-discounts', { bypassCSP: true }, async (page, _context, problems) => {
    await signInAdmin(page, staff);
    await page.goto('/admin/discounts');
    await page.getByRole('heading', { name: 'Discounts', level: 1 }).waitFor();
    await page.getByRole('link', { name: /Create (your first )?coupon/ }).first().click();
    await page.getByRole('heading', { name: 'New coupon', level: 1 }).waitFor();
    await axeAdmin(page, 'admin-discount-form');

    await page.getByLabel('Code').fill(code);
    await page.getByLabel('Type').selectOption('percentage');
    await page.getByLabel('Percentage off').fill('150');
    await page.getByLabel(/Usage limit/).fill('100');
    await page.getByRole('button', { name: 'Create coupon' }).click();
    await page.locator('#cp-percent-error').getByText(/at most 100/).waitFor();
    assert.equal(await page.getByLabel('Code').inputValue(), code, 'the values are kept');

    await page.getByLabel('Percentage off').fill('15');
    await page.getByRole('button', { name: 'Create coupon' }).click();
    await page.getByText(`Coupon ${code} created.`).waitFor();
    const row = page.locator(`tr[data-coupon="${code}"]`);
    assert.match(await row.innerText(), /15% off/);
    assert.match(await row.innerText(), /0 \/ 100/);
    assert.match(await row.innerText(), /Active/);
    await axeAdmin(page, 'admin-discounts');
    await screenshots(page, 'admin-discounts');

    // Disabling it from its page shows in the list.
    await row.getByRole('link', { name: code }).click();
    await page.getByRole('button', { name: 'Disable coupon' }).click();
    await page.getByText(/disabled/).first().waitFor();
    await page.goto('/admin/discounts');
    assert.match(await page.locator(`tr[data-coupon="${code}"]`).innerText(), /Disabled/);
    assert.deepEqual(problems, [], 'no console errors, uncaught exceptions or 5xx answers');
  });
});
