// The guest journey, shared by the JS-on and JS-off test files: home → category (nav link) →
// size filter (facet link) → product → colour and size (radio inputs) → add to cart → checkout
// with a declined card (the message), then a good card → confirmation → /track finds the order.
import {
  openCategoryFromNav, filterBySize, openFirstProduct, pickColourAndSize, addToCartAndOpenCart,
  goToCheckout, checkoutDeclinedThenPaid, uniqueEmail,
} from './lib.mjs';

export async function guestJourney(page, assert, problems, tag) {
  await page.goto('/');
  assert.equal(await page.getByRole('heading', { level: 1 }).count(), 1, 'the home page has one h1');

  await openCategoryFromNav(page);
  const category = new URL(page.url()).pathname;

  const size = await filterBySize(page);
  assert.ok(size, 'a size facet was offered');
  assert.match(page.url(), /[?&]size=/);
  assert.ok(new URL(page.url()).pathname.startsWith(category), 'the filter stays in the category');

  await openFirstProduct(page);
  const picked = await pickColourAndSize(page);
  assert.ok(picked.size, 'a size that can be bought was offered');

  await addToCartAndOpenCart(page);
  assert.equal(await page.getByRole('main').getByRole('link', { name: /check ?out/i }).count(), 1,
    'the cart holds the product and offers the checkout');

  await goToCheckout(page);
  const email = uniqueEmail(tag);
  const number = await checkoutDeclinedThenPaid(page, email, assert);

  // Guest tracking: the order number and the email find the order.
  await page.goto('/track');
  await page.getByLabel(/order number/i).fill(number);
  await page.getByLabel(/^e-?mail/i).fill(email);
  await page.getByRole('main').getByRole('button', { name: /track|find|look up/i }).click();
  await page.waitForLoadState('load');
  assert.equal((await page.getByRole('main').getByTestId('order-number').textContent()).trim(), number,
    'the order is found by its number and email');

  assert.deepEqual(problems, [], 'no console errors, uncaught exceptions or 5xx answers');
  return { number, email };
}
