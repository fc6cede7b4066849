// Shared pieces of the browser tests: Debian's Chromium through playwright-core, the shop under
// test (FFF_BASE_URL), artefacts (screenshots, axe results), axe-core, and the shopper's steps
// (find a product, add it to the cart, check out, sign up and in) written once for every journey.
//
// Env: FFF_BASE_URL        the shop, e.g. http://127.0.0.1:18123 (scripts/e2e.sh starts one)
//      E2E_ARTIFACTS       folder for screenshots and axe results (default tests/e2e/artifacts)
//      CHROME_PATH         the browser (default /usr/bin/chromium)
//      E2E_SECRETS_FILE    when set, every password and cookie value the tests used is appended
//                          there (scripts/check_secret_leaks.sh looks for them in the server log)
//      E2E_HEADED=1        show the browser (for debugging on a desktop)
import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const BASE_URL = (process.env.FFF_BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const ARTIFACTS = path.resolve(process.env.E2E_ARTIFACTS || path.join(here, 'artifacts'));
export const CHROME_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';

// The simulated card provider's test cards (src/modules/payments/provider.hpp).
export const CARD_OK = '4242424242424242';
export const CARD_DECLINED = '4000000000000002';

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1366, height: 900 };

// Chromium without anything that would reach beyond loopback or keep state between runs
// (playwright-core gives every launch a fresh profile directory).
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function artifactPath(...parts) {
  const p = path.join(ARTIFACTS, ...parts);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  return p;
}

export async function launch() {
  if (!fs.existsSync(CHROME_PATH)) {
    throw new Error(`no browser at ${CHROME_PATH} (scripts/deps.sh test installs Debian's chromium)`);
  }
  return chromium.launch({
    executablePath: CHROME_PATH,
    headless: process.env.E2E_HEADED !== '1',
    args: CHROMIUM_ARGS,
  });
}

// A new browser context on the shop: English, a desktop viewport unless told otherwise.
// `javaScriptEnabled: false` for the no-JS journey, `bypassCSP: true` only where axe is injected.
export async function newContext(browser, options = {}) {
  const context = await browser.newContext({
    baseURL: BASE_URL,
    locale: 'en-US',
    viewport: DESKTOP,
    ...options,
  });
  context.setDefaultTimeout(Number(process.env.E2E_TIMEOUT_MS || 20000));
  context.setDefaultNavigationTimeout(Number(process.env.E2E_TIMEOUT_MS || 30000));
  return context;
}

// Collects what a page reports as broken: console errors (CSP violations among them), uncaught
// exceptions, and 5xx answers. Lighthouse counts console errors, so the journeys assert none.
export function watchProblems(page) {
  const problems = [];
  // Pages answered 4xx on purpose (the 404 page, a form again with 422): Chromium logs "Failed
  // to load resource" for them, which is no fault of the page. A missing asset still counts.
  const documents4xx = new Set();
  page.on('response', (res) => {
    if (res.status() >= 400 && res.status() < 500 && res.request().isNavigationRequest()) documents4xx.add(res.url());
  });
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    if (/^Failed to load resource/.test(msg.text()) && documents4xx.has(msg.location().url)) return;
    problems.push(`console error on ${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught exception on ${page.url()}: ${err.message}`));
  page.on('response', (res) => {
    if (res.status() >= 500) problems.push(`${res.status()} for ${res.request().method()} ${res.url()}`);
  });
  return problems;
}

// Runs `fn(page, context)` in a fresh context; on failure keeps a screenshot and the HTML of the
// page it failed on under ARTIFACTS/failures/<name>.*, then rethrows.
export async function withPage(browser, name, options, fn) {
  const context = await newContext(browser, options);
  const page = await context.newPage();
  const problems = watchProblems(page);
  try {
    await fn(page, context, problems);
  } catch (err) {
    const base = artifactPath('failures', name.replace(/[^a-z0-9_-]+/gi, '_'));
    await page.screenshot({ path: `${base}.png`, fullPage: true }).catch(() => {});
    await fs.promises.writeFile(`${base}.html`, await page.content().catch(() => '')).catch(() => {});
    err.message += `\n  (at ${page.url()}; screenshot ${base}.png)`;
    if (problems.length) err.message += `\n  page problems:\n    ${problems.join('\n    ')}`;
    throw err;
  } finally {
    await recordCookies(context);
    await context.close();
  }
}

// --- secrets for the leak check ---------------------------------------------------------------

export function recordSecret(value) {
  const file = process.env.E2E_SECRETS_FILE;
  if (!file || !value || String(value).length < 8) return;
  fs.appendFileSync(file, `${value}\n`);
}

export async function recordCookies(context) {
  if (!process.env.E2E_SECRETS_FILE) return;
  const cookies = await context.cookies().catch(() => []);
  for (const c of cookies) if (/session|cart|csrf/i.test(c.name)) recordSecret(c.value);
}

// --- axe-core -----------------------------------------------------------------------------------

let axeSource;
// Runs axe-core (every rule but the experimental ones) on the page as it is. The page's context
// must have been made with `bypassCSP: true`: the shop's CSP (script-src 'self') refuses an
// injected script. Saves the full result to ARTIFACTS/axe/<name>.json and returns the violations.
export async function runAxe(page, name) {
  axeSource ??= fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ content: axeSource });
  }
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return { url: r.url, violations: r.violations, passes: r.passes.length, incomplete: r.incomplete.length };
  });
  await fs.promises.writeFile(artifactPath('axe', `${name}.json`), JSON.stringify(result, null, 2));
  return result.violations;
}

export function formatViolations(where, violations) {
  const lines = [`${where}: ${violations.length} axe violation(s)`];
  for (const v of violations) {
    lines.push(`  ${v.id} (${v.impact}): ${v.help} — ${v.helpUrl}`);
    for (const n of v.nodes.slice(0, 5)) {
      lines.push(`    ${n.target.join(' ')}: ${(n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 220)}`);
    }
    if (v.nodes.length > 5) lines.push(`    … and ${v.nodes.length - 5} more`);
  }
  return lines.join('\n');
}

// Screenshots of the page at phone and desktop widths: ARTIFACTS/screenshots/<name>-phone.png
// and -desktop.png (whole page). Leaves the viewport at desktop width.
export async function screenshots(page, name) {
  const saved = [];
  for (const [label, size] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    await page.setViewportSize(size);
    await page.waitForLoadState('load');
    // A full-page capture does not scroll, so images below the fold (loading="lazy") would stay
    // blank: load them all first (at most 10 s).
    await page.evaluate(async () => {
      const images = [...document.images];
      for (const img of images) if (img.loading === 'lazy') img.loading = 'eager';
      await Promise.race([
        Promise.all(images.filter((i) => !i.complete).map((i) => new Promise((done) => {
          i.addEventListener('load', done, { once: true });
          i.addEventListener('error', done, { once: true });
        }))),
        new Promise((done) => setTimeout(done, 10000)),
      ]);
    }).catch(() => {});
    const file = artifactPath('screenshots', `${name}-${label}.png`);
    await page.screenshot({ path: file, fullPage: true });
    saved.push(file);
  }
  return saved;
}

// --- the shopper's steps ------------------------------------------------------------------------

let counter = 0;
// An address no other run or test uses: the shop keeps accounts and orders between tests.
export function uniqueEmail(tag) {
  counter += 1;
  return `e2e-${tag}-${Date.now().toString(36)}-${process.pid}-${counter}@example.com`;
}

// From the home page, follows the first top-level category link of the category navigation.
export async function openCategoryFromNav(page) {
  await page.getByRole('navigation', { name: 'Categories' }).getByRole('link').first().click();
  await page.waitForURL(/\/c\/[^/?]+/);
}

// On a category page, clicks a size facet link (M when offered, else the first size) and
// returns the size's label. Facets are sections headed by their name, values are plain links.
export async function filterBySize(page) {
  const facet = page.locator('section').filter({ has: page.getByRole('heading', { name: /^size$/i }) }).first();
  let link = facet.getByRole('link', { name: /^M\b/ }).first();
  if (!(await link.count())) link = facet.getByRole('link').first();
  const label = ((await link.textContent()) || '').trim();
  await link.click();
  await page.waitForURL(/[?&]size=/);
  return label;
}

// On a listing (category or search), opens the first product.
export async function openFirstProduct(page) {
  await page.locator('main article').first().getByRole('link').first().click();
  await page.waitForURL(/\/p\/[^/?]+/);
}

// Chooses a radio input the way a shopper does: by clicking its label (the inputs themselves are
// visually hidden behind swatches and size buttons).
async function choose(radio) {
  const id = await radio.getAttribute('id');
  const label = id ? radio.page().locator(`label[for="${id}"]`) : null;
  if (label && (await label.count()) && (await label.isVisible())) await label.click();
  else await radio.check({ force: true });
  if (!(await radio.isChecked())) throw new Error(`could not choose the radio ${id}`);
}

// On a product page: picks the first colour that is not sold out and a size that can be bought
// (M when there is one) in that colour's size group. Returns what was picked.
export async function pickColourAndSize(page) {
  let colour = null;
  const colourGroup = page.getByRole('group', { name: /^colou?r/i }).first();
  if (await colourGroup.count()) {
    const radios = colourGroup.getByRole('radio');
    const n = await radios.count();
    for (let i = 0; i < n; i++) {
      const r = radios.nth(i);
      const name = await accessibleLabel(r);
      if (/sold out/i.test(name)) continue;
      await choose(r);
      colour = name;
      break;
    }
  }
  // The size group of the chosen colour is the one on show.
  const groups = page.getByRole('group', { name: /size/i });
  let group = null;
  for (let i = 0; i < (await groups.count()); i++) {
    if (await groups.nth(i).isVisible()) { group = groups.nth(i); break; }
  }
  if (!group) throw new Error('no size group is visible on the product page');
  const sizeRadios = group.getByRole('radio');
  const n = await sizeRadios.count();
  let pick = -1;
  for (let i = 0; i < n; i++) {
    const r = sizeRadios.nth(i);
    if (!(await r.isEnabled())) continue;
    if (pick < 0) pick = i;
    if (/^m\b/i.test(await accessibleLabel(r))) { pick = i; break; }
  }
  if (pick < 0) return { colour, size: null };
  await choose(sizeRadios.nth(pick));
  return { colour, size: await accessibleLabel(sizeRadios.nth(pick)) };
}

async function accessibleLabel(radio) {
  return radio.evaluate((el) => {
    const l = el.labels && el.labels[0];
    return ((l ? l.textContent : el.getAttribute('aria-label')) || el.value || '').trim();
  });
}

async function cartCount(page) {
  const badge = page.locator('[data-cart-count]').first();
  return (await badge.count()) ? ((await badge.textContent()) || '').trim() : '';
}

// Waits until `condition()` (async) is true, polling; throws after `ms`.
export async function waitUntil(condition, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Product page → "Add to cart" → the cart page. With JS the item is added in place (the header's
// count changes) and the shopper then follows the cart link; without JS the form posts and the
// answer redirects.
export async function addToCartAndOpenCart(page) {
  const before = await cartCount(page);
  const productUrl = page.url();
  await page.getByRole('button', { name: /add to cart/i }).click();
  await waitUntil(async () => page.url() !== productUrl || (await cartCount(page)) !== before,
    20000, 'the item to reach the cart');
  await page.waitForLoadState('load');
  if (!/^\/cart/.test(new URL(page.url()).pathname)) {
    await page.getByRole('banner').getByRole('link', { name: /^cart/i }).click();
  }
  await page.waitForURL(/\/cart(\?|$)/);
}

// Cart page → "Checkout".
export async function goToCheckout(page) {
  await page.getByRole('link', { name: /check ?out/i })
    .or(page.getByRole('button', { name: /check ?out/i }))
    .first()
    .click();
  await page.waitForURL(/\/checkout/);
}

// Fills a field by its label when it is present and empty (a signed-in customer may have it
// prefilled; an address form may not have every line).
async function fillIfEmpty(scope, label, value) {
  const field = scope.getByLabel(label).first();
  if (!(await field.count())) return false;
  const tag = await field.evaluate((el) => el.tagName.toLowerCase());
  if (tag === 'select') {
    const current = await field.inputValue();
    if (!current) await field.selectOption(value).catch(async () => {
      await field.selectOption({ index: 1 });
    });
    return true;
  }
  if (!(await field.inputValue())) await field.fill(value);
  return true;
}

export const ADDRESS = {
  name: 'Linh Nguyen',
  line1: '12 Hang Bai',
  city: 'Springfield',
  postal: '62704',
  phone: '+1 217 555 0142',
};

// Fills contact and shipping address on the checkout page (leaves what is already filled, keeps
// the country the page proposes) and makes sure a shipping method is chosen.
export async function fillContactAndAddress(page, email) {
  const form = page.locator('main form').filter({ has: page.getByLabel(/card number/i) }).first();
  const scope = (await form.count()) ? form : page.locator('main');
  await fillIfEmpty(scope, /^e-?mail/i, email);
  await fillIfEmpty(scope, /^full name/i, ADDRESS.name);
  await fillIfEmpty(scope, /^address$/i, ADDRESS.line1);
  await fillIfEmpty(scope, /^city/i, ADDRESS.city);
  await fillIfEmpty(scope, /^postal/i, ADDRESS.postal);
  await fillIfEmpty(scope, /^phone/i, ADDRESS.phone);
  const shipping = scope.getByRole('group', { name: /shipping/i }).getByRole('radio');
  if ((await shipping.count()) && !(await scope.locator('input[name="shipping_method"]:checked').count())) {
    await choose(shipping.first());
  }
}

// Chooses payment by card and types the card (number, a future expiry, a CVC).
export async function fillCard(page, number) {
  const card = page.getByRole('radio', { name: /card/i }).first();
  if ((await card.count()) && !(await card.isChecked())) await choose(card);
  await page.getByLabel(/card number/i).fill(number);
  const year = (new Date().getFullYear() + 3) % 100;
  await page.getByLabel(/expir/i).fill(`12/${year}`);
  await page.getByLabel(/cvc|cvv|security code/i).fill('123');
}

export async function placeOrder(page) {
  await page.getByRole('button', { name: /^place order/i }).click();
}

// Checkout with a declined card (the message, nothing lost) and then a good card; returns the
// order number shown on the confirmation page.
export async function checkoutDeclinedThenPaid(page, email, assert) {
  await fillContactAndAddress(page, email);
  await fillCard(page, CARD_DECLINED);
  await placeOrder(page);
  await page.waitForLoadState('load');
  assert.match(new URL(page.url()).pathname, /^\/checkout/, 'a declined card keeps the shopper on the checkout page');
  const alert = page.getByRole('alert').filter({ hasText: /declin/i }).first();
  await alert.waitFor();
  // Nothing lost: the email is still there.
  assert.equal(await page.getByLabel(/^e-?mail/i).first().inputValue(), email, 'the email survives the declined card');
  return checkoutPaid(page, email, { filled: true });
}

export async function checkoutPaid(page, email, { filled = false } = {}) {
  if (!filled) await fillContactAndAddress(page, email);
  else await fillContactAndAddress(page, email); // refills only what the page did not keep
  await fillCard(page, CARD_OK);
  await placeOrder(page);
  await page.waitForURL(/\/order\/[^/?]+/);
  const number = (await page.getByTestId('order-number').textContent()).trim();
  if (!number) throw new Error('the confirmation page shows no order number');
  return number;
}

// A product bought as a guest from a known category, the shortest way (for the page-type tests).
export async function addAnyProductToCart(page) {
  await page.goto('/');
  await openCategoryFromNav(page);
  await openFirstProduct(page);
  await pickColourAndSize(page);
  await addToCartAndOpenCart(page);
}

export const PASSWORD = 'Linen-Sunset-Harbour-7319';

export async function signUp(page, { name, email, password = PASSWORD }) {
  recordSecret(password);
  await page.goto('/account/signup');
  await page.getByLabel(/^full name/i).fill(name);
  await page.getByLabel(/^e-?mail/i).fill(email);
  await page.getByLabel(/^password/i).first().fill(password);
  const confirm = page.getByLabel(/confirm|repeat/i);
  if (await confirm.count()) await confirm.fill(password);
  return submit(page, page.getByRole('main').getByRole('button', { name: /sign up|create account|register/i }));
}

export async function signIn(page, { email, password = PASSWORD }) {
  if (!/\/account\/signin/.test(page.url())) await page.goto('/account/signin');
  await page.getByLabel(/^e-?mail/i).fill(email);
  await page.getByLabel(/^password/i).fill(password);
  return submit(page, page.getByRole('main').getByRole('button', { name: /sign in|log in/i }));
}

// Clicks a form's submit button and returns the status of the POST's answer (303 on success,
// 422 for the form again with messages).
export async function submit(page, button) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
    button.click(),
  ]);
  await page.waitForLoadState('load');
  return response.status();
}
