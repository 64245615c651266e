// End-to-end tests of the manager's portal in Debian's Chromium (playwright-core, no browser
// download), against a running Kassa server that serves the built portal, or against
// `npm run preview:portal` proxying to one. Each role logs in and sees only what it may; the
// dashboard shows the server's figures; a product is created and found; a CSV with a bad row
// names the row; an enrollment code shows with its QR; an oversold exception (made by a real
// till selling more than the shop has, when none is open) is resolved with a note and shows
// who resolved it; orders filter on the server; a customer pays towards their account; a
// promotion is created. axe-core checks every page (serious or critical violations fail). Screenshots of every
// page at 1366x768 and 1920x1080 go to $KASSA_SCREENSHOTS (default docs/screenshots).
//
//   KASSA_PORTAL_URL=http://127.0.0.1:8000 npm run e2e
//
// With KASSA_POS (the `pos` CLI of pos-core) a real till is enrolled with a code made in the
// portal, its sale must appear on the open dashboard without a reload, and after the portal
// revokes it its next sync must be refused.
//
// Environment: KASSA_PORTAL_URL (required), KASSA_API_URL (default: the portal URL),
// KASSA_ADMIN_EMAIL / _PASSWORD, KASSA_MANAGER_EMAIL / _PASSWORD, KASSA_PLATFORM_EMAIL /
// _PASSWORD (default: the demo logins), KASSA_SCREENSHOTS, CHROMIUM (/usr/bin/chromium).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const PORTAL = (process.env.KASSA_PORTAL_URL ?? '').replace(/\/$/, '');
const API = (process.env.KASSA_API_URL ?? PORTAL).replace(/\/$/, '');
const SHOTS = resolve(process.env.KASSA_SCREENSHOTS ?? resolve(here, '../../docs/screenshots'));
const LOGINS = {
  admin: [process.env.KASSA_ADMIN_EMAIL ?? 'admin@demo.kassa.test', process.env.KASSA_ADMIN_PASSWORD ?? 'demo-password-1'],
  manager: [process.env.KASSA_MANAGER_EMAIL ?? 'manager@demo.kassa.test', process.env.KASSA_MANAGER_PASSWORD ?? 'demo-password-1'],
  platform: [process.env.KASSA_PLATFORM_EMAIL ?? 'platform@kassa.local', process.env.KASSA_PLATFORM_PASSWORD ?? 'platform-password'],
};
const SIZES = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
];
const RUN = `${Date.now()}`.slice(-7);

if (!PORTAL) {
  console.error('Set KASSA_PORTAL_URL to the server (or preview) that serves the portal.');
  process.exit(2);
}

let browser;
/** Problems seen on any page: uncaught errors, requests leaving the machine. */
const problems = [];
/** axe findings per page, printed at the end. */
const axeReport = [];

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  for (const line of axeReport) process.stdout.write(`${line}\n`);
});

/** A token straight from the API, to compare what the page shows with what the server says. */
async function apiToken(role) {
  const [email, password] = LOGINS[role];
  const response = await fetch(`${API}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(response.status, 200, `API login of ${email} must work`);
  return (await response.json()).access_token;
}

async function apiGet(token, path) {
  const response = await fetch(`${API}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: response.status === 200 ? await response.json() : await response.text() };
}

async function apiPost(token, path, body) {
  const response = await fetch(`${API}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Asks `probe` every 200 ms until it answers something truthy (or fails after `ms`). */
async function eventually(probe, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    assert.ok(Date.now() < deadline, `${what} within ${ms} ms`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

const POS = process.env.KASSA_POS;
const pos = (db, ...args) => execFileSync(POS, ['--db', db, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Through the portal's origin, as the page calls it (the dev shim answers there too). */
async function portalGet(token, path) {
  const response = await fetch(`${PORTAL}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: response.status === 200 ? await response.json() : await response.text() };
}

/** Uncaught errors and CSP refusals on a page fail the run. */
function watch(page) {
  page.on('pageerror', (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(`CSP on ${page.url()}: ${message.text()}`);
  });
}

/** A signed-in page of `role` at `size` (default 1366x768). */
async function signIn(role, size = SIZES[0], options = {}) {
  const context = await browser.newContext({ viewport: size, colorScheme: options.dark ? 'dark' : 'light', locale: options.locale ?? 'en-US' });
  const page = await context.newPage();
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) return route.continue();
    problems.push(`remote request: ${url.href}`);
    return route.abort();
  });
  watch(page);
  await page.goto(`${PORTAL}/`);
  await page.waitForSelector('#login-email');
  const [email, password] = LOGINS[role];
  await page.fill('#login-email', email);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.waitForSelector('#nav');
  return page;
}

/** Opens a page of the portal by its path and waits until its data has loaded. */
async function open(page, path) {
  await page.evaluate((href) => {
    history.pushState(null, '', href);
    dispatchEvent(new PopStateEvent('popstate'));
  }, path);
  await settle(page);
}

async function settle(page) {
  await page.waitForFunction(() => !document.querySelector('[data-state="loading"]'), null, { timeout: 15_000 });
  await page.waitForTimeout(200);
}

async function shot(page, name) {
  const width = page.viewportSize().width;
  await page.screenshot({ path: `${SHOTS}/portal-${name}-${width}.png` });
}

/** axe-core on the page as it is; serious and critical violations fail the test. */
async function checkA11y(page, name) {
  // Evaluated over the DevTools protocol, so the server's CSP (no inline scripts) still holds
  // for the page itself.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const run = await axe.run(document, { resultTypes: ['violations'] });
    return run.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, target: v.nodes[0]?.target?.join(' ') }));
  });
  for (const v of result) axeReport.push(`axe ${name}: ${v.impact} ${v.id} (${v.nodes}x, e.g. ${v.target}): ${v.help}`);
  const serious = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious, [], `${name}: no serious accessibility violations`);
}

async function navIds(page) {
  return page.$$eval('#nav a', (links) => links.map((a) => a.id.replace(/^nav-/, '')));
}

describe('roles', () => {
  it('a shop manager sees their shop’s pages, not company settings or the platform', async () => {
    const page = await signIn('manager');
    assert.equal(await page.getAttribute('#user-role', 'data-role'), 'shop_manager');
    const ids = await navIds(page);
    assert.ok(ids.includes('dashboard') && ids.includes('terminals') && ids.includes('products'), `manager pages: ${ids}`);
    assert.ok(!ids.includes('settings') && !ids.includes('companies'), `manager must not be offered ${ids}`);
    await open(page, '/settings');
    assert.ok(await page.isVisible('#not-found'), 'a URL the role may not open shows "not available"');
    await open(page, '/terminals');
    assert.equal(await page.$('#shop-picker option'), null, 'one shop: no shop choice');
    await page.context().close();
  });

  it('a company admin sees the company, not the platform', async () => {
    const page = await signIn('admin');
    const ids = await navIds(page);
    assert.ok(ids.includes('settings'), `admin pages: ${ids}`);
    assert.ok(!ids.includes('companies'), 'no platform pages for a company admin');
    await page.context().close();
  });

  it('a platform admin sees the platform only', async () => {
    const page = await signIn('platform');
    assert.deepEqual(await navIds(page), ['companies']);
    await settle(page);
    assert.ok((await page.$$('#companies-table tbody tr')).length >= 1, 'the companies are listed');
    await open(page, '/dashboard');
    assert.ok(await page.isVisible('#not-found'), 'no company dashboard for the platform');
    await page.context().close();
  });

  it('a reload keeps the manager signed in (refresh cookie), and signing out ends it', async () => {
    const page = await signIn('manager');
    await page.reload();
    await page.waitForSelector('#nav, #login-email');
    assert.ok(await page.isVisible('#nav'), 'still signed in after a reload: the refresh cookie restores the session');
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    assert.ok(!/eyJ[A-Za-z0-9_-]{10,}/.test(stored), 'no token in web storage or script-readable cookies');
    await page.click('#logout');
    await page.waitForSelector('#login-email');
    await page.reload();
    await page.waitForSelector('#login-email');
    await page.context().close();
  });
});

describe('dashboard', () => {
  it('shows the demo day as the server counts it', async (t) => {
    const token = await apiToken('manager');
    const me = await apiGet(token, '/api/auth/me');
    const shop = (await apiGet(token, `/api/shops/${me.body.shop_ids[0]}`)).body;
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: shop.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());
    const page = await signIn('manager');
    await open(page, '/dashboard?range=today');
    await page.waitForSelector('#kpi-sales, #dashboard-state [role=alert]');
    if (!(await page.$('#kpi-sales'))) {
      const message = await page.textContent('#dashboard-state [role=alert]');
      await page.context().close();
      t.skip(`the server has no analytics yet: ${message.trim()}`);
      return;
    }
    // What the page asked for is what the API answers now (sales may land in between: retry).
    await page.waitForFunction(() => document.querySelector('#kpi-sales')?.getAttribute('data-value') !== null);
    const expected = await portalGet(token, `/api/analytics/dashboard?from=${today}&to=${today}&shop_id=${shop.id}`);
    assert.equal(expected.status, 200);
    assert.equal(Number(await page.getAttribute('#kpi-sales', 'data-value')), expected.body.totals.sales_minor, 'sales tile = server total');
    assert.equal(Number(await page.getAttribute('#kpi-orders', 'data-value')), expected.body.totals.orders, 'orders tile = server count');
    assert.ok(await page.isVisible('#chart-hours canvas'), 'the by-hour chart is drawn');
    await page.click('#range-week');
    await settle(page);
    assert.match(page.url(), /range=week/, 'the range is in the URL');
    await page.context().close();
  });
});

describe('products', () => {
  it('creates a product and finds it by search', async () => {
    const page = await signIn('manager');
    await open(page, '/products');
    await page.click('#product-new');
    await page.fill('#product-name', `E2E Oat drink ${RUN}`);
    await page.fill('#product-sku', `E2E-${RUN}`);
    await page.fill('#product-price', '2,49');
    await page.fill('#product-category', 'Drinks');
    await page.click('#product-save');
    await page.waitForSelector('#product-dialog', { state: 'detached' });
    await page.fill('#product-search', '');
    await page.type('#product-search', `E2E-${RUN}`);
    await page.waitForSelector(`#products-table tr[data-sku="E2E-${RUN}"]`);
    const row = await page.textContent(`#products-table tr[data-sku="E2E-${RUN}"]`);
    assert.match(row, new RegExp(`E2E Oat drink ${RUN}`));
    assert.match(row, /2\.49/, 'the price typed with a comma is 2.49');
    await page.fill('#product-search', '');
    await page.type('#product-search', `e2e oat drink ${RUN}`);
    await page.waitForSelector(`#products-table tr[data-sku="E2E-${RUN}"]`);
    await page.context().close();
  });

  it('imports a CSV with one bad row and names the row', async () => {
    const page = await signIn('manager');
    await open(page, '/products');
    await page.click('#product-import');
    const csv = [
      'sku,name,price_minor,tax_rate_bp,category',
      `E2E-IMP-${RUN}-1,Imported one ${RUN},199,700,Pantry`,
      `E2E-IMP-${RUN}-2,,abc,700,Pantry`,
      `E2E-IMP-${RUN}-3,Imported three ${RUN},299,1900,Pantry`,
    ].join('\n');
    await page.setInputFiles('#import-file', { name: 'catalog.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.waitForSelector('#import-problems tr[data-line="3"]');
    const problem = await page.textContent('#import-problems tr[data-line="3"]');
    assert.match(problem, /name/, 'row 3 is named with its bad column');
    await shot(page, 'import');
    await page.click('#import-run');
    await page.waitForSelector('#import-summary');
    assert.match(await page.textContent('#import-summary'), /2 created/);
    await page.click('#import-dialog .close');
    await page.type('#product-search', `E2E-IMP-${RUN}`);
    await page.waitForFunction((sku) => document.querySelectorAll(`#products-table tr[data-sku^="${sku}"]`).length === 2, `E2E-IMP-${RUN}`);
    await page.context().close();
  });
});

describe('stock and variants', () => {
  it('searches stock on the server and opens a product’s history ending at its balance', async () => {
    const page = await signIn('manager');
    await open(page, '/stock');
    await page.type('#stock-search', 'whole milk');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'whole milk');
    await settle(page);
    const names = await page.$$eval('#balances-table tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent.trim()));
    assert.ok(names.length > 0 && names.every((name) => /^whole milk/i.test(name)), `found by the start of the name, any case: ${names}`);
    await page.fill('#stock-search', 'demo-0002');
    await page.press('#stock-search', 'Enter');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'demo-0002');
    await settle(page);
    const skus = await page.$$eval('#balances-table tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-sku')));
    assert.deepEqual(skus, ['DEMO-0002'], 'found by its SKU, any case');
    const onHand = (await page.textContent('#balances-table tbody tr td.num')).trim();
    await page.click('#balances-table tbody tr .history');
    await page.waitForSelector('#history-table tbody tr');
    const after = (await page.textContent('#history-table tbody tr:first-child td:nth-child(3)')).trim();
    assert.equal(after, onHand, 'the newest movement leaves the stock the list shows');
    await page.keyboard.press('Escape');
    await page.context().close();
  });

  it('adds a variant to a product and opens it with its own name', async () => {
    const page = await signIn('manager');
    await open(page, '/products?q=DEMO-0005');
    await page.click('#products-table tr[data-sku="DEMO-0005"] button.link');
    await page.waitForSelector('#variants-none, #variants-table');
    await page.click('#variant-new');
    await page.fill('#variant-name', `E2E ${RUN}`);
    await page.fill('#variant-sku', `DEMO-0005-V${RUN}`);
    await page.fill('#variant-price', '2,10');
    await page.click('#variant-save');
    const row = await page.waitForSelector(`#variants-table tr[data-sku="DEMO-0005-V${RUN}"]`);
    assert.match(await row.textContent(), /2\.10/);
    await page.locator('#variants').scrollIntoViewIfNeeded();
    await checkA11y(page, 'variants');
    await shot(page, 'variants');
    await page.click(`#variants-table tr[data-sku="DEMO-0005-V${RUN}"] button.link`);
    await page.waitForSelector('#variant-note');
    assert.equal(await page.inputValue('#product-variant-name'), `E2E ${RUN}`, 'the variant opens in the editor');
    await page.keyboard.press('Escape');
    await page.context().close();
  });
});

describe('terminals', () => {
  it('makes an enrollment code and shows it with its QR codes', async () => {
    const page = await signIn('manager');
    await open(page, '/terminals');
    await page.click('#make-code');
    await page.waitForSelector('#enrollment-code');
    const code = await page.getAttribute('#enrollment-code', 'data-code');
    assert.match(code, /^[A-Z0-9-]{6,}$/, 'a code a person can type');
    assert.ok(await page.isVisible('#enrollment-qr svg[role=img]'), 'the code as a QR');
    assert.match(await page.getAttribute('#enrollment-qr svg', 'aria-label'), new RegExp(code));
    await page.context().close();
  });
});

describe('a real till (KASSA_POS)', () => {
  it('enrolls with the portal’s code, sells live onto the dashboard, and is refused once revoked', async (t) => {
    if (!POS) {
      t.skip('set KASSA_POS to the pos CLI to drive a real till');
      return;
    }
    const dir = mkdtempSync(`${tmpdir()}/kassa-e2e-till-`);
    const db = `${dir}/till.db`;
    const page = await signIn('manager');
    try {
      await open(page, '/terminals');
      await page.click('#make-code');
      await page.waitForSelector('#enrollment-code');
      const code = await page.getAttribute('#enrollment-code', 'data-code');
      const server = await page.inputValue('#enroll-server');
      const enrolled = pos(db, 'enroll', '--server', server, '--code', code);
      const terminalId = /terminal (\S+) enrolled/.exec(enrolled)?.[1];
      assert.ok(terminalId, `the till enrolled with the portal's code and server address: ${enrolled}`);

      await open(page, '/dashboard?range=today');
      const live = await page.waitForSelector('#live-state[data-state="live"], #dashboard-state [role=alert]', { timeout: 10_000 });
      if ((await live.getAttribute('data-state')) === 'live') {
        const before = Number(await page.getAttribute('#kpi-orders', 'data-value'));
        pos(db, 'shift', 'open', '--pin', '1111', '--float', '50');
        pos(db, 'sell', '--pin', '1111', '--item', 'DEMO-0002', '--cash', '5');
        const sold = Date.now();
        pos(db, 'sync');
        await page.waitForFunction((n) => Number(document.querySelector('#kpi-orders')?.getAttribute('data-value')) > n, before, { timeout: 10_000 });
        process.stdout.write(`# till sale to dashboard without reload: ${Date.now() - sold} ms (sync included)\n`);
      } else {
        t.diagnostic('dashboard not live on this server: the live step was not run');
      }

      await open(page, '/terminals');
      await page.click(`#terminals-table tr[data-terminal-id="${terminalId}"] .revoke`);
      await page.click('#confirm-dialog-yes, #revoke-dialog-yes');
      await page.waitForSelector(`#terminals-table tr[data-terminal-id="${terminalId}"][data-state="revoked"]`);
      assert.throws(() => pos(db, 'sync'), 'a revoked till’s next sync is refused');
    } finally {
      await page.context().close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sync exceptions', () => {
  /** The oldest open oversold exception of the shop, if any. */
  async function openOversold(token, shopId) {
    const listed = await apiGet(token, `/api/inventory/exceptions?shop_id=${shopId}&status=open&kind=oversold&limit=200`);
    assert.equal(listed.status, 200, `exceptions list: ${JSON.stringify(listed.body)}`);
    return listed.body.at(-1) ?? null;
  }

  /** A till enrolled with an API code sells more than the shop has and syncs: oversold. */
  function oversell(token, shopId, dir) {
    return apiPost(token, `/api/shops/${shopId}/enrollment-codes`, {}).then(({ status, body }) => {
      assert.equal(status, 201, `enrollment code: ${JSON.stringify(body)}`);
      const db = `${dir}/oversell.db`;
      pos(db, 'enroll', '--server', API, '--code', body.code);
      pos(db, 'shift', 'open', '--pin', '1111', '--float', '50');
      // The demo shop has 20 to 99 of each product: 500 is more than it has.
      pos(db, 'sell', '--pin', '1111', '--item', 'DEMO-0003x500', '--cash', '100000');
      // One apple comes back (a cashier's refund needs the manager's PIN): the orders page
      // shows it against the sale.
      pos(db, 'refund', '--pin', '1111', '--manager-pin', '9999', '--sale', '1', '--line', '1x1');
      pos(db, 'sync');
    });
  }

  it('resolves an oversold exception with a note and shows who resolved it and when', async (t) => {
    const token = await apiToken('manager');
    const me = (await apiGet(token, '/api/auth/me')).body;
    const shopId = me.shop_ids[0];
    let found = await openOversold(token, shopId);
    const dir = mkdtempSync(`${tmpdir()}/kassa-e2e-oversell-`);
    try {
      if (!found) {
        if (!POS) {
          t.skip('no open oversold exception, and no KASSA_POS till to make one');
          return;
        }
        await oversell(token, shopId, dir);
        found = await eventually(() => openOversold(token, shopId), 20_000, 'the till’s oversold sale becomes an exception');
      }
      const page = await signIn('manager');
      await open(page, '/exceptions?kind=oversold');
      assert.equal(await page.$('#resolve-unavailable'), null, 'the server resolves exceptions');
      const row = `#exceptions-table tr[data-exception-id="${found.id}"]`;
      await page.click(`${row} .resolve`);
      await page.waitForSelector('#resolve-dialog');
      await page.click('#resolve-submit');
      await page.waitForSelector('#resolve-dialog [role=alert]');
      assert.ok(await page.isVisible('#resolve-dialog'), 'an empty note is refused in the dialog, saying what to write');
      const note = `Counted the shelf: stock corrected (e2e ${RUN}).`;
      await page.fill('#resolve-note', note);
      await checkA11y(page, 'exception-resolve');
      await shot(page, 'exception-resolve');
      await page.click('#resolve-submit');
      await page.waitForSelector('#resolve-dialog', { state: 'detached' });
      await page.waitForSelector(row, { state: 'detached' });
      await open(page, '/exceptions?state=resolved&kind=oversold');
      await page.waitForSelector(`${row}[data-state="resolved"]`);
      const text = await page.textContent(row);
      assert.match(text, new RegExp(me.name), 'the row names who resolved it');
      assert.ok(text.includes(note), 'and shows the note');
      const stored = await apiGet(token, `/api/inventory/exceptions?shop_id=${shopId}&status=resolved&kind=oversold&limit=200`);
      const resolved = stored.body.find((e) => e.id === found.id);
      assert.equal(resolved?.resolved_by_name, me.name, 'the server keeps who resolved it');
      assert.equal(resolved?.note, note);
      await shot(page, 'exceptions-resolved');
      await page.context().close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('orders, customers and promotions', () => {
  it('filters orders on the server by receipt number and shows what was refunded', async (t) => {
    const token = await apiToken('manager');
    const me = (await apiGet(token, '/api/auth/me')).body;
    const listed = await apiGet(token, `/api/sales/orders?shop_id=${me.shop_ids[0]}&limit=50`);
    const newest = listed.body[0];
    const page = await signIn('manager');
    await open(page, '/orders');
    const refunded = listed.body.find((order) => order.refunded_minor > 0);
    if (refunded) {
      const cell = await page.textContent(`#orders-table tr[data-order-id="${refunded.id}"] td:last-child`);
      const shown = (refunded.refunded_minor / 100).toFixed(2);
      assert.ok(cell.includes(shown), `the refunded ${shown} shows against the sale: ${cell}`);
    } else {
      t.diagnostic('no refunded order in this shop: the refunded column was not checked');
    }
    if (!newest) {
      assert.ok(await page.isVisible('#orders-state[data-state="empty"]'), 'no orders: the page says so');
      await page.context().close();
      return;
    }
    await page.fill('#orders-receipt', String(newest.receipt_no));
    await page.press('#orders-receipt', 'Enter');
    await page.waitForFunction(() => new URL(location.href).searchParams.has('receipt'));
    await settle(page);
    const rows = await page.$$eval('#orders-table tbody tr', (trs) => trs.map((tr) => tr.querySelector('td a')?.textContent?.trim()));
    assert.ok(rows.length >= 1, 'the order with that number is listed');
    assert.ok(rows.every((text) => text === `#${newest.receipt_no}`), `only receipt #${newest.receipt_no}: ${rows}`);
    await page.click('#orders-clear');
    await settle(page);
    assert.ok(!new URL(page.url()).searchParams.has('receipt'), 'clearing the filters empties the URL');
    await page.context().close();
  });

  it('takes a payment towards a customer’s account once', async () => {
    const token = await apiToken('manager');
    const me = (await apiGet(token, '/api/auth/me')).body;
    const made = await apiPost(token, '/api/customers', { name: `E2E Payer ${RUN}`, credit_limit_minor: 10_000 });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const page = await signIn('manager');
    await open(page, `/customers?q=${encodeURIComponent(`E2E Payer ${RUN}`)}`);
    const row = `#customers-table tr[data-customer-id="${made.body.customer_id}"]`;
    await page.click(`${row} .pay`);
    await page.waitForSelector('#payment-dialog');
    await page.fill('#payment-amount', '12,50');
    await page.waitForSelector('#payment-after');
    await checkA11y(page, 'payment');
    await shot(page, 'payment');
    await page.click('#payment-submit');
    await page.waitForSelector('#payment-dialog', { state: 'detached' });
    await page.waitForFunction((sel) => /12\.50/.test(document.querySelector(sel)?.textContent ?? ''), row);
    const account = await apiGet(token, `/api/customers/${made.body.customer_id}`);
    assert.equal(account.body.customer.balance_minor, -1250, 'one payment of 12.50 (store credit now)');
    assert.equal(account.body.entries.length, 1);
    assert.equal(account.body.entries[0].shop_id, me.shop_ids[0], 'taken at the manager’s shop');
    await page.context().close();
  });

  it('creates a 3-for-2 promotion and lists it as running', async () => {
    const page = await signIn('admin');
    await open(page, '/promotions');
    await page.click('#promotion-new');
    await page.fill('#promotion-name', `E2E 3 for 2 ${RUN}`);
    await page.selectOption('#promotion-kind', 'multi_buy');
    await page.type('#promotion-product-search', 'DEMO-0004');
    await page.click('#promotion-dialog .hit[data-sku="DEMO-0004"]');
    await page.waitForSelector('#promotion-product');
    await checkA11y(page, 'promotion-edit');
    await shot(page, 'promotion-edit');
    await page.click('#promotion-save');
    await page.waitForSelector('#promotion-dialog', { state: 'detached' });
    const row = await page.waitForSelector(`#promotions-table tr:has-text("E2E 3 for 2 ${RUN}")`);
    assert.equal(await row.getAttribute('data-state'), 'running');
    assert.match(await row.textContent(), /Buy 3, pay 2/);
    await page.context().close();
  });
});

describe('every page: screenshots and accessibility', () => {
  const managerPages = [
    ['dashboard', '/dashboard?range=week'],
    ['products', '/products'],
    ['stock', '/stock'],
    ['low-stock', '/stock?tab=low'],
    ['promotions', '/promotions?show=all'],
    ['orders', '/orders'],
    ['shifts', '/shifts'],
    ['exceptions', '/exceptions'],
    ['terminals', '/terminals'],
    ['staff', '/staff'],
    ['customers', '/customers'],
  ];

  for (const size of SIZES) {
    it(`looks right at ${size.width}x${size.height}`, async () => {
      const context = await browser.newContext({ viewport: size });
      const login = await context.newPage();
      watch(login);
      await login.goto(`${PORTAL}/`);
      await login.waitForSelector('#login-email');
      await checkA11y(login, 'login');
      await login.screenshot({ path: `${SHOTS}/portal-login-${size.width}.png` });
      await context.close();

      const page = await signIn('admin', size);
      for (const [name, path] of managerPages) {
        await open(page, path);
        await page.waitForTimeout(name === 'dashboard' ? 600 : 100);
        await checkA11y(page, name);
        await shot(page, name);
      }
      // Dialogs: a product, an order, a shift.
      await open(page, '/products');
      await page.click('#products-table tbody tr button.link');
      await page.waitForSelector('#product-dialog');
      await checkA11y(page, 'product-edit');
      await shot(page, 'product-edit');
      await page.keyboard.press('Escape');
      await open(page, '/stock');
      const history = await page.$('#balances-table tbody tr .history');
      if (history) {
        await history.click();
        await page.waitForSelector('#history-state:not([data-state="loading"])');
        await settle(page);
        await checkA11y(page, 'stock-history');
        await shot(page, 'stock-history');
        await page.keyboard.press('Escape');
      }
      await open(page, '/orders');
      const order = await page.$('#orders-table tbody a');
      if (order) {
        await order.click();
        await page.waitForSelector('#order-lines');
        await checkA11y(page, 'order');
        await shot(page, 'order');
        await page.keyboard.press('Escape');
      }
      await open(page, '/shifts');
      const shift = await page.$('#shifts-table tbody tr[data-status="closed"] a');
      if (shift) {
        await shift.click();
        await page.waitForSelector('#z-tenders');
        await checkA11y(page, 'shift');
        await shot(page, 'shift');
        await page.keyboard.press('Escape');
      }
      await open(page, '/terminals');
      await page.click('#make-code');
      await page.waitForSelector('#enrollment-qr');
      await shot(page, 'enrollment');
      await open(page, '/settings');
      await checkA11y(page, 'settings');
      await shot(page, 'settings');
      await page.context().close();

      const platform = await signIn('platform', size);
      await settle(platform);
      await checkA11y(platform, 'companies');
      await shot(platform, 'companies');
      await platform.context().close();
    });
  }

  it('reads in German and in the dark', async () => {
    const page = await signIn('manager', SIZES[0], { dark: true, locale: 'de-DE' });
    await open(page, '/dashboard?range=week');
    await page.waitForTimeout(600);
    assert.equal(await page.textContent('#nav-products'), 'Artikel', 'German from the browser language');
    await checkA11y(page, 'dashboard (de, dark)');
    await page.screenshot({ path: `${SHOTS}/portal-dashboard-de-dark-1366.png` });
    await page.context().close();
  });

  it('is usable on a tablet (1024x768)', async () => {
    const page = await signIn('manager', { width: 1024, height: 768 });
    await open(page, '/dashboard?range=week');
    await page.waitForTimeout(600);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `no sideways scrolling of the page (${overflow}px)`);
    await page.screenshot({ path: `${SHOTS}/portal-dashboard-1024.png` });
    await open(page, '/products');
    await page.screenshot({ path: `${SHOTS}/portal-products-1024.png` });
    await page.context().close();
  });

  it('saw no page errors and no request leaving the machine', () => {
    assert.deepEqual(problems, []);
  });
});
