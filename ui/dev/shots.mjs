// DEV ONLY: drives the terminal screens against the fake till (ui/dev/fake-till.ts) in Debian's
// Chromium and saves screenshots at 1024x768 and 1920x1080, failing on any request that leaves
// the machine and on any page error. Not part of the build or the tests.
//
//   apt-get install -y chromium
//   npm i --no-save playwright-core        (or PLAYWRIGHT_CORE=/path/to/playwright-core)
//   npm run dev &                           (the fake till answers on http://127.0.0.1:1420/)
//   node dev/shots.mjs                      (KASSA_SHOTS=/tmp/ui-shots by default)

import { mkdirSync } from 'node:fs';

const base = process.env.KASSA_UI_URL ?? 'http://127.0.0.1:1420/';
const out = process.env.KASSA_SHOTS ?? '/tmp/ui-shots';
const { chromium } = await import(process.env.PLAYWRIGHT_CORE ?? 'playwright-core');

mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking'],
});
const problems = [];

async function open(size, query) {
  const page = await browser.newPage({ viewport: size });
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (['127.0.0.1', 'localhost'].includes(url.hostname)) return route.continue();
    problems.push(`remote request: ${url.href}`);
    return route.abort();
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.goto(`${base}?${query}`);
  await page.waitForSelector('main, .shell');
  return page;
}

async function shot(page, name, tag) {
  await page.waitForTimeout(250);
  await page.screenshot({ path: `${out}/${name}-${tag}.png` });
}

/** A keyboard-wedge scan: characters 5 ms apart, then Enter. */
async function scan(page, code) {
  await page.keyboard.type(code, { delay: 5 });
  await page.keyboard.press('Enter');
}

for (const size of [
  { width: 1024, height: 768 },
  { width: 1920, height: 1080 },
]) {
  const tag = `${size.width}x${size.height}`;

  let page = await open(size, 'fake=fresh');
  await shot(page, '01-setup', tag);
  await page.close();

  page = await open(size, 'fake=pin');
  await shot(page, '02-pin', tag);
  await page.keyboard.type('9999', { delay: 60 });
  await page.keyboard.press('Enter');
  await page.waitForSelector('#pin-error');
  await shot(page, '03-pin-wrong', tag);
  await page.keyboard.type('1111', { delay: 60 });
  await page.keyboard.press('Enter');
  await page.waitForSelector('#search');
  await shot(page, '04-sell-empty', tag);
  await scan(page, '4006381333931');
  await page.waitForSelector('.cart-line');
  await page.keyboard.type('cho', { delay: 90 });
  await page.waitForSelector('#search-results [role=option]');
  await shot(page, '05-sell-search', tag);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('.cart-line').length === 2);
  await scan(page, '0000000000000');
  await page.waitForSelector('#sell-error');
  await shot(page, '06-sell-unknown-barcode', tag);
  // Cash with change: F10, type the amount, Enter; then Enter for the next sale.
  await page.keyboard.press('F10');
  await page.waitForSelector('#tender-amount');
  await shot(page, '07-pay', tag);
  await page.keyboard.type('20', { delay: 60 });
  await page.keyboard.press('Enter');
  await page.waitForSelector('#receipt-preview');
  await shot(page, '08-receipt', tag);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#search');
  // Exact cash: F12 then Enter.
  await scan(page, '4006381334044');
  await page.waitForSelector('.cart-line');
  await page.keyboard.press('F12');
  await page.waitForSelector('#receipt-preview');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#search');
  // Refund receipt #1 (a manager approves).
  await page.keyboard.press('Alt+2');
  await page.waitForSelector('#refund-code');
  await page.keyboard.type('1', { delay: 60 });
  await page.keyboard.press('Enter');
  await page.waitForSelector('.refund-line');
  await shot(page, '09-refund-lookup', tag);
  await page.click('#refund-submit');
  await page.waitForSelector('#manager-pin');
  await shot(page, '10-manager-pin', tag);
  await page.keyboard.type('4321', { delay: 60 });
  await page.keyboard.press('Enter');
  await page.waitForSelector('#refund-slip');
  await shot(page, '11-refund-done', tag);
  // Shift: X report, then the Z count.
  await page.keyboard.press('Alt+3');
  await page.click('#tab-x');
  await page.waitForSelector('#x-report');
  await shot(page, '12-x-report', tag);
  await page.click('#tab-z');
  await page.fill('.denom-count[data-value="5000"]', '2');
  await page.fill('.denom-count[data-value="2000"]', '3');
  await page.waitForSelector('#z-preview');
  await shot(page, '13-z-count', tag);
  await page.keyboard.press('Alt+4');
  await page.waitForSelector('#stock-search');
  await page.keyboard.type('milk', { delay: 80 });
  await page.waitForSelector('[role=option]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#stock-on-hand');
  await shot(page, '14-stock', tag);
  await page.keyboard.press('Alt+5');
  await page.waitForSelector('.customer-row');
  await page.click('.customer-row >> nth=0');
  await page.waitForSelector('#customer-balance');
  await shot(page, '15-customers', tag);
  await page.click('#sync-indicator');
  await page.waitForSelector('#sync-details');
  await shot(page, '16-sync', tag);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+l');
  await page.waitForSelector('#locked-by');
  await shot(page, '17-locked', tag);
  await page.close();

  page = await open(size, 'fake=sell');
  await page.waitForSelector('.cart-line');
  await shot(page, '18-sell-cart', tag);
  await page.click('.cart-line >> nth=1 >> .main');
  await page.waitForSelector('#line-editor');
  await shot(page, '19-line-editor', tag);
  await page.keyboard.press('Escape');
  await page.close();

  page = await open(size, 'fake=pay');
  await page.waitForSelector('#pay');
  await page.keyboard.press('F10');
  await page.waitForSelector('#tender-amount');
  // Split: a card tender is there already; cash via "Add tender" shows the change and waits.
  await page.fill('#tender-amount', '20');
  await page.click('#add-tender');
  await page.waitForSelector('#pay-change');
  await shot(page, '20-pay-split', tag);
  await page.click('#complete');
  await page.waitForSelector('#change-due');
  await page.close();

  page = await open(size, 'fake=sell&locale=de&noshift=1');
  await page.waitForSelector('.cart-line');
  await shot(page, '21-sell-de-noshift', tag);
  await page.close();

  page = await open(size, 'fake=sell&currency=JPY');
  await page.waitForSelector('.cart-line');
  await shot(page, '22-sell-jpy', tag);
  await page.close();
}

await browser.close();
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.warn(`screenshots in ${out}`);
