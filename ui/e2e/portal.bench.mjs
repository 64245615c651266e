// Browser measurements of the manager's portal for bench/RESULTS.md (run by
// scripts/portal-bench.sh against a server seeded by `kassa-bench portal`). Debian's
// chromium through playwright-core, no browser download. Prints one JSON object.
//
//   KASSA_PORTAL_URL=http://127.0.0.1:8000 KASSA_POS=.../pos node e2e/portal.bench.mjs
//
// - dashboard first load: a new browser context (cold HTTP cache) holding the session
//   cookie opens /dashboard?…; timed from navigation start to the KPI figures carrying
//   the server's values and the uPlot canvases (by hour; by day when the range has more
//   than one day, the only case the page draws it) in the page. For the
//   default range (today) and for the whole year (custom range), 10 loads each.
// - filter change: on the year view, the shop picker set to one shop (and back to all),
//   and the range switched (week ↔ month); timed from the change to the figures and charts
//   of the new answer in the page.
// - products: /products first page (50 rows of 100k products) rendered, as a first load
//   (new context) and as in-app navigation from the dashboard.
// - live: a real till (`pos` CLI) enrolled into shop 1 sells 20 times; each time from
//   the start of `pos sync` (the sale leaving the till) to the open dashboard's order count
//   changing, read in the page every 5 ms.
// - size: the portal's JS and CSS in ui/dist/portal, gzipped (level 9) as the server sends them.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const PORTAL = (process.env.KASSA_PORTAL_URL ?? '').replace(/\/$/, '');
const POS = process.env.KASSA_POS;
const LOADS = Number(process.env.KASSA_BENCH_LOADS ?? 10);
const SALES = Number(process.env.KASSA_BENCH_SALES ?? 20);
const ADMIN = ['admin@demo.kassa.test', 'demo-password-1'];
if (!PORTAL) {
  console.error('Set KASSA_PORTAL_URL');
  process.exit(2);
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const pct = (xs, p) => {
  const s = sorted(xs);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const summary = (xs) => ({ n: xs.length, p50: pct(xs, 50), p95: pct(xs, 95), p99: pct(xs, 99), max: Math.max(...xs), all: xs.map((x) => Math.round(x)) });
const log = (m) => process.stderr.write(`${m}\n`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking'],
});

async function newPage(state) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'en-US', storageState: state });
  const page = await context.newPage();
  return page;
}

// The API token first: a later login over the API would end the browser session.
const shops = await (async () => {
  const token = await fetch(`${PORTAL}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN[0], password: ADMIN[1] }),
  }).then((r) => r.json());
  const r = await fetch(`${PORTAL}/api/shops?limit=100`, { headers: { authorization: `Bearer ${token.access_token}` } });
  const body = await r.json();
  return { token: token.access_token, list: Array.isArray(body) ? body : body.items ?? body.shops ?? [] };
})();

/**
 * A page signed in through the login form, its HTTP cache then cleared: the next
 * navigation is a first load (the session cookie is all it keeps). A fresh login each time,
 * as the server rotates the refresh cookie and refuses a used one.
 */
async function signedIn() {
  const page = await newPage(undefined);
  await page.goto(`${PORTAL}/`);
  await page.waitForSelector('#login-email');
  await page.fill('#login-email', ADMIN[0]);
  await page.fill('#login-password', ADMIN[1]);
  await page.click('#login-submit');
  await page.waitForSelector('#nav');
  await page.goto('about:blank');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.clearBrowserCache');
  return page;
}

/** Resolves once the dashboard shows a fresh answer: figures set, both charts drawn, nothing loading. */
function dashboardDrawn(page, previous) {
  return page.waitForFunction(
    (prev) => {
      const kpi = document.querySelector('#kpi-sales');
      const value = kpi?.getAttribute('data-value');
      if (value === null || value === undefined) return false;
      if (document.querySelector('[data-state="loading"]')) return false;
      const empty = document.querySelector('#dashboard-empty');
      // The by-day chart is drawn for ranges of more than one day only.
      const daysChart = document.querySelector('#chart-days');
      if (!empty && ((daysChart && !daysChart.querySelector('canvas')) || !document.querySelector('#chart-hours canvas'))) return false;
      const key = `${value}|${document.querySelector('#kpi-orders')?.getAttribute('data-value')}`;
      return prev === null || key !== prev ? key : false;
    },
    previous,
    { timeout: Number(process.env.KASSA_BENCH_TIMEOUT ?? 60_000), polling: 10 },
  );
}
/** Runs `action` and resolves once the dashboard's answer to it is drawn. */
async function redraw(page, action) {
  const answered = page.waitForResponse((r) => r.url().includes('/api/analytics/dashboard') && r.request().method() === 'GET', { timeout: 60_000 });
  await action();
  await answered;
  await dashboardDrawn(page, null);
}
const day = (ms) => new Date(ms).toISOString().slice(0, 10);
const yearPath = `/dashboard?range=custom&from=${day(Date.now() - 365 * 86_400_000)}&to=${day(Date.now())}`;

async function firstLoads(path) {
  const times = [];
  for (let i = 0; i < LOADS; i++) {
    const page = await signedIn();
    const t0 = Date.now();
    await page.goto(`${PORTAL}${path}`);
    await dashboardDrawn(page, null).catch(async (e) => {
      log(JSON.stringify(await page.evaluate(() => ({ url: location.href, kpi: document.querySelector('#kpi-sales')?.getAttribute('data-value'), loading: document.querySelector('[data-state="loading"]')?.outerHTML?.slice(0, 300), text: document.body.innerText.slice(0, 400) }))));
      throw e;
    });
    times.push(Date.now() - t0);
    await page.context().close();
  }
  return times;
}

const out = { loads: LOADS };
log('dashboard first loads (today)');
out.dashboard_today = summary(await firstLoads('/dashboard?range=today'));
log('dashboard first loads (year)');
out.dashboard_year = summary(await firstLoads(yearPath));
log('dashboard first loads (month)');
out.dashboard_month = summary(await firstLoads('/dashboard?range=month'));

// Filter changes on the year view.
{
  const page = await signedIn();
  await page.goto(`${PORTAL}${yearPath}`);
  await dashboardDrawn(page, null);
  const shopTimes = [];
  const shopIds = shops.list.map((s) => s.id);
  for (let i = 0; i < LOADS; i++) {
    const target = i % 2 === 0 ? shopIds[(i / 2) % shopIds.length] : '';
    const t0 = Date.now();
    await redraw(page, () => page.selectOption('#dashboard-shop', target));
    shopTimes.push(Date.now() - t0);
  }
  out.filter_shop = summary(shopTimes);
  const rangeTimes = [];
  await redraw(page, () => page.click('#range-week'));
  for (let i = 0; i < LOADS; i++) {
    const t0 = Date.now();
    await redraw(page, () => page.click(i % 2 === 0 ? '#range-month' : '#range-week'));
    rangeTimes.push(Date.now() - t0);
  }
  out.filter_range = summary(rangeTimes);

  // Products: in-app navigation from the dashboard.
  const navTimes = [];
  for (let i = 0; i < LOADS; i++) {
    await page.evaluate(() => {
      history.pushState(null, '', '/dashboard?range=week');
      dispatchEvent(new PopStateEvent('popstate'));
    });
    await dashboardDrawn(page, null);
    const t0 = Date.now();
    await page.evaluate(() => {
      history.pushState(null, '', '/products');
      dispatchEvent(new PopStateEvent('popstate'));
    });
    await page.waitForFunction(() => document.querySelectorAll('#products-table tbody tr').length > 0 && !document.querySelector('[data-state="loading"]'), null, { timeout: 60_000, polling: 10 });
    navTimes.push(Date.now() - t0);
  }
  out.products_nav = summary(navTimes);
  out.products_rows = await page.evaluate(() => document.querySelectorAll('#products-table tbody tr').length);
  await page.context().close();
}

log('products first loads');
{
  const times = [];
  for (let i = 0; i < LOADS; i++) {
    const page = await signedIn();
    const t0 = Date.now();
    await page.goto(`${PORTAL}/products`);
    await page.waitForFunction(() => document.querySelectorAll('#products-table tbody tr').length > 0 && !document.querySelector('[data-state="loading"]'), null, { timeout: 60_000, polling: 10 });
    times.push(Date.now() - t0);
    await page.context().close();
  }
  out.products_first = summary(times);
}

// Live: a real till sells; the open dashboard's order count must change.
if (POS) {
  log('live sales');
  const dir = mkdtempSync(`${tmpdir()}/kassa-portal-bench-till-`);
  const db = join(dir, 'till.db');
  const pos = (...args) => execFileSync(POS, ['--db', db, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const demoShop = shops.list.find((s) => s.name === 'Downtown') ?? shops.list[0];
  const code = await fetch(`${PORTAL}/api/shops/${demoShop.id}/enrollment-codes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${shops.token}`, 'content-type': 'application/json' },
    body: '{}',
  }).then((r) => r.json());
  let t = Date.now();
  pos('enroll', '--server', PORTAL, '--code', code.code);
  out.till_enroll_ms = Date.now() - t;
  pos('shift', 'open', '--pin', '1111', '--float', '50');
  const page = await signedIn();
  await page.goto(`${PORTAL}/dashboard?range=today`);
  await dashboardDrawn(page, null);
  await page.waitForSelector('#live-state[data-state="live"]', { timeout: 30_000 });
  await page.evaluate(() => {
    window.__changes = [];
    let last = document.querySelector('#kpi-orders')?.getAttribute('data-value');
    setInterval(() => {
      const now = document.querySelector('#kpi-orders')?.getAttribute('data-value');
      if (now !== last && now !== null && now !== undefined) {
        window.__changes.push({ at: Date.now(), value: Number(now) });
        last = now;
      }
    }, 5);
  });
  const times = [];
  const syncTimes = [];
  for (let i = 0; i < SALES; i++) {
    const before = Number(await page.getAttribute('#kpi-orders', 'data-value'));
    pos('sell', '--pin', '1111', '--item', 'DEMO-0002', '--cash', '5');
    const t0 = Date.now();
    pos('sync');
    syncTimes.push(Date.now() - t0);
    const seen = await page.waitForFunction((n) => window.__changes.find((c) => c.value > n)?.at ?? false, before, { timeout: 30_000, polling: 20 });
    times.push((await seen.jsonValue()) - t0);
    await page.waitForTimeout(300);
  }
  out.live = summary(times);
  out.live_sync_cli = summary(syncTimes);
  await page.context().close();
}

await browser.close();

// Bundle size.
{
  const dist = resolve(here, '../dist/portal');
  const files = [];
  const walk = (d) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(js|css)$/.test(f)) files.push(p);
    }
  };
  walk(dist);
  let js = 0;
  let css = 0;
  let jsRaw = 0;
  let cssRaw = 0;
  const entryHtml = readFileSync(join(dist, 'index.html'), 'utf8');
  let entry = 0;
  for (const f of files) {
    const raw = readFileSync(f);
    const gz = gzipSync(raw, { level: 9 }).length;
    if (f.endsWith('.js')) {
      js += gz;
      jsRaw += raw.length;
    } else {
      css += gz;
      cssRaw += raw.length;
    }
    const name = f.slice(dist.length);
    if (entryHtml.includes(name.replace(/^\//, '')) || entryHtml.includes(name)) entry += gz;
  }
  out.size = { files: files.length, js_gz: js, css_gz: css, js_raw: jsRaw, css_raw: cssRaw, entry_gz: entry };
}

process.stdout.write(`${JSON.stringify(out)}\n`);
