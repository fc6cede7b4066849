// Every page type once: axe-core finds no violation on it, and it is photographed at phone and
// desktop widths (ARTIFACTS/screenshots/<type>-phone.png, -desktop.png; axe results under
// ARTIFACTS/axe/). The pages are reached the way a shopper reaches them: a guest browses, buys
// and tracks the order, then signs up and opens the account.
//
// The context bypasses the CSP: axe is injected as a script, which `script-src 'self'` refuses.
// (The journeys run without the bypass and fail on any CSP report in the console.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newContext, watchProblems, recordCookies, runAxe, formatViolations, screenshots, artifactPath,
  openCategoryFromNav, openFirstProduct, pickColourAndSize, addToCartAndOpenCart, goToCheckout,
  fillContactAndAddress, fillCard, placeOrder, checkoutPaid, uniqueEmail, signUp, signIn, CARD_DECLINED,
} from './lib.mjs';

let browser;
let context;
let page;
let problems;
const failures = [];   // page types whose axe check failed
const visited = [];

before(async () => {
  browser = await launch();
  context = await newContext(browser, { bypassCSP: true });
  page = await context.newPage();
  problems = watchProblems(page);
});
after(async () => {
  if (context) await recordCookies(context);
  await context?.close();
  await browser?.close();
});

// Checks the page the browser is on: axe at phone and desktop width, then screenshots.
async function check(t, type) {
  visited.push(type);
  const violations = [];
  for (const [label, size] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1366, height: 900 }]]) {
    await page.setViewportSize(size);
    const found = await runAxe(page, `${type}-${label}`);
    for (const v of found) if (!violations.some((w) => w.id === v.id)) violations.push(v);
  }
  await screenshots(page, type);
  if (violations.length) {
    failures.push(type);
    assert.fail(formatViolations(`${type} (${page.url()})`, violations));
  }
}

async function visit(path, status = 200) {
  const res = await page.goto(path);
  assert.equal(res.status(), status, `GET ${path}`);
}

let orderNumber;
let orderEmail;

test('home', async (t) => {
  await visit('/');
  await check(t, 'home');
});

test('category', async (t) => {
  await page.goto('/');
  await openCategoryFromNav(page);
  await check(t, 'category');
});

test('search', async (t) => {
  await visit('/search?q=dress');
  await check(t, 'search');
});

test('product', async (t) => {
  await page.goto('/');
  await openCategoryFromNav(page);
  await openFirstProduct(page);
  await check(t, 'product');
});

test('cart', async (t) => {
  await pickColourAndSize(page);
  await addToCartAndOpenCart(page);
  await check(t, 'cart');
});

test('checkout', async (t) => {
  await page.goto('/cart');
  await goToCheckout(page);
  await check(t, 'checkout');
});

test('checkout with a declined card', async (t) => {
  orderEmail = uniqueEmail('pages');
  await fillContactAndAddress(page, orderEmail);
  await fillCard(page, CARD_DECLINED);
  await placeOrder(page);
  await page.getByRole('alert').filter({ hasText: /declin/i }).first().waitFor();
  await check(t, 'checkout-declined');
});

test('confirmation', async (t) => {
  orderNumber = await checkoutPaid(page, orderEmail, { filled: true });
  await check(t, 'confirmation');
});

test('track', async (t) => {
  await visit('/track');
  await check(t, 'track');
});

test('track with an order found', async (t) => {
  assert.ok(orderNumber, 'needs the order of the confirmation test');
  await page.goto('/track');
  await page.getByLabel(/order number/i).fill(orderNumber);
  await page.getByLabel(/^e-?mail/i).fill(orderEmail);
  await page.getByRole('main').getByRole('button', { name: /track|find|look up/i }).click();
  await page.waitForLoadState('load');
  assert.equal((await page.getByRole('main').getByTestId('order-number').textContent()).trim(), orderNumber);
  await check(t, 'track-found');
});

test('static page', async (t) => {
  await visit('/pages/about');
  await check(t, 'static');
});

test('404', async (t) => {
  await visit('/p/no-such-product-e2e', 404);
  await check(t, '404');
});

test('signin', async (t) => {
  await visit('/account/signin');
  await check(t, 'signin');
});

test('signup', async (t) => {
  await visit('/account/signup');
  await check(t, 'signup');
});

test('account', async (t) => {
  const email = uniqueEmail('pages-account');
  await signUp(page, { name: 'An Pham', email });
  if (!(await page.getByRole('button', { name: /sign out|log out/i }).count())) await signIn(page, { email });
  await visit('/account');
  await check(t, 'account');
});

test('orders', async (t) => {
  await visit('/account/orders');
  await check(t, 'orders');
});

test('no console errors, uncaught exceptions or 5xx answers on any page', async () => {
  const fs = await import('node:fs');
  fs.writeFileSync(artifactPath('pages-summary.json'), JSON.stringify({ visited, failures, problems }, null, 2));
  assert.deepEqual(problems, []);
});
