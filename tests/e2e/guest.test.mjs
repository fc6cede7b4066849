// Guest journey with JavaScript on (the ES modules add to the cart in place).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, withPage } from './lib.mjs';
import { guestJourney } from './journeys.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('guest: home → category → size → product → cart → declined card → paid → tracked', async () => {
  await withPage(browser, 'guest-js', {}, async (page, _context, problems) => {
    await guestJourney(page, assert, problems, 'guest');
  });
});
