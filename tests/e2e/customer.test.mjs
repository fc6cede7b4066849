// Customer journey: sign up → sign in → buy → the order is listed in /account/orders.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, withPage, uniqueEmail, signUp, signIn, addAnyProductToCart, goToCheckout, checkoutPaid,
} from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('customer: sign up → sign in → buy → the order in the account', async () => {
  await withPage(browser, 'customer', {}, async (page, _context, problems) => {
    const email = uniqueEmail('customer');
    assert.equal(await signUp(page, { name: 'Mai Tran', email }), 303, 'sign-up is accepted');
    if (!(await page.getByRole('button', { name: /sign out|log out/i }).count())) {
      assert.equal(await signIn(page, { email }), 303, 'sign-in is accepted');
    }
    await page.goto('/account');
    assert.equal(new URL(page.url()).pathname, '/account', 'signed in: the account page opens');

    await addAnyProductToCart(page);
    await goToCheckout(page);
    const number = await checkoutPaid(page, email);

    await page.goto('/account/orders');
    assert.equal(new URL(page.url()).pathname, '/account/orders');
    await page.getByRole('main').getByText(number).first().waitFor();

    assert.deepEqual(problems, [], 'no console errors, uncaught exceptions or 5xx answers');
  });
});
