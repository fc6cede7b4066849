// The guest journey again with JavaScript off: every step must work with plain links and forms.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withPage } from './lib.mjs';
import { guestJourney } from './journeys.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('guest without JavaScript: the same journey with links and form posts only', async () => {
  await withPage(browser, 'guest-nojs', { javaScriptEnabled: false }, async (page, _context, problems) => {
    await guestJourney(page, assert, problems, 'nojs');
  });
});
