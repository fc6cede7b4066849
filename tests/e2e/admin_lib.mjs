// The admin console's shared test steps: staff accounts made through the staff API with the
// shop's bootstrap admin token, signing in through /admin/signin, and axe on an admin page.
//
// Env: FFF_ADMIN_TOKEN  the shop's admin token (scripts/e2e.sh starts the shop with one)
import assert from 'node:assert/strict';
import { BASE_URL, runAxe, formatViolations, recordSecret, uniqueEmail } from './lib.mjs';

export const ADMIN_TOKEN = process.env.FFF_ADMIN_TOKEN || '';

// A JSON call to the staff API as the bootstrap admin; returns {status, body}.
export async function adminApi(method, path, body, headers = {}) {
  assert.ok(ADMIN_TOKEN, 'FFF_ADMIN_TOKEN is set (scripts/e2e.sh sets it)');
  const res = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed = text;
  try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: res.status, body: parsed, headers: res.headers };
}

let made = 0;
// A new staff account: role 'admin' (everything) or 'staff' with scopes (catalog, orders,
// support). Returns {id, email, password, name}.
export async function createStaff({ role = 'staff', scopes = [], name } = {}) {
  made += 1;
  const email = uniqueEmail(`staff-${role}-${scopes.join('-') || 'all'}`);
  const password = `Staff-pass-${Date.now().toString(36)}-${made}-Zq`;
  recordSecret(password);
  const who = name || (role === 'admin' ? 'Alex Admin' : `Sam ${scopes[0] || 'Staff'}`);
  const res = await adminApi('POST', '/api/v1/admin/staff', { email, name: who, password, role, scopes });
  assert.equal(res.status, 201, `staff account made: ${JSON.stringify(res.body)}`);
  return { id: res.body.id, email, password, name: who };
}

// Signs in through the admin's own form and waits to leave the sign-in page.
export async function signInAdmin(page, { email, password }, next = '/admin') {
  await page.goto(`/admin/signin?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/admin/signin'), { timeout: 15000 }),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
}

// Runs axe on an admin page and fails on any violation (the context needs bypassCSP: true).
export async function axeAdmin(page, name) {
  const violations = await runAxe(page, `admin-${name}`);
  assert.equal(violations.length, 0, formatViolations(`admin ${name} (${page.url()})`, violations));
}
