// dli's published pages in a real browser: Debian's Chromium (/usr/bin/chromium, never a downloaded one) driven by
// playwright-core. The site comes from make_site.sh (a ctest fixture); screenshots are kept beside it.
// Usage: DLI_SITE=<site folder> node --test site.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const site = process.env.DLI_SITE;
const shots = process.env.DLI_SCREENSHOTS ?? path.dirname(site ?? '.');
let browser;

// Flags that keep Chromium from reaching out on a machine with a closed network, and let it run as root.
const kArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
               '--disable-background-networking', '--disable-component-update', '--disable-sync'];

before(async () => {
  assert.ok(site, 'DLI_SITE names the published site');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: kArgs });
});
after(async () => { await browser?.close(); });

// A page with every console error and failed request collected: a self-contained page has neither.
async function open(url) {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()); });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('requestfailed', (request) => problems.push('request failed: ' + request.url()));
  page.on('request', (request) => {
    if (!request.url().startsWith('file:')) problems.push('request leaves the page: ' + request.url());
  });
  await page.goto(url);
  return { page, problems };
}

const indexUrl = () => pathToFileURL(path.join(site, 'index.html')).href;

test('the index lists both runs, latest first, and links to their pages', async () => {
  const { page, problems } = await open(indexUrl());
  const runs = await page.locator('table.runs tbody tr td:first-child').allTextContents();
  assert.equal(runs.length, 2);
  assert.ok(runs[0] > runs[1], `latest first: ${runs}`);
  await page.screenshot({ path: path.join(shots, 'index.png'), fullPage: true });
  await page.locator('table.runs tbody tr td:first-child a').first().click();
  await page.waitForLoadState();
  assert.match(await page.title(), /DLI results: browser-site/);
  assert.deepEqual(problems, []);
  await page.close();
});

async function latestRun() {
  const { page, problems } = await open(indexUrl());
  await page.locator('table.runs tbody tr td:first-child a').first().click();
  await page.waitForLoadState();
  return { page, problems };
}

test('the run page sorts, filters, draws its plots and keeps markup as text', async () => {
  const { page, problems } = await latestRun();
  // Plots: inline SVG with points, laid out with a size.
  const plots = page.locator('svg.plot');
  assert.ok(await plots.count() >= 2, 'FPS by batch and latency by threads');
  const box = await plots.first().boundingBox();
  assert.ok(box.width > 100 && box.height > 100, JSON.stringify(box));
  assert.ok(await page.locator('svg.plot circle').count() >= 4);

  // Sorting the details table by FPS, both ways.
  const details = page.locator('table.details');
  const fpsColumn = 6;
  const header = details.locator(`th[data-col="${fpsColumn}"]`);
  const fps = async () => (await details.locator(`tbody tr td:nth-child(${fpsColumn + 1})`).allTextContents())
    .map((text) => text.trim()).filter((text) => text !== '').map(Number);
  await header.click();
  const ascending = await fps();
  assert.ok(ascending.length >= 4);
  assert.deepEqual(ascending, [...ascending].sort((a, b) => a - b));
  await header.click();
  const descending = await fps();
  assert.deepEqual(descending, [...ascending].sort((a, b) => b - a));

  // Filtering rows by text.
  await page.fill('#filter', 'command');
  const visible = await details.locator('tbody tr:visible').count();
  const all = await details.locator('tbody tr').count();
  assert.ok(visible > 0 && visible < all, `${visible} of ${all} rows shown`);
  await page.fill('#filter', '');

  // The hostile parameter and failure text are shown, never run.
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.match(await page.content(), /&lt;img src=x onerror=window.__pwned=1&gt;/);
  await page.screenshot({ path: path.join(shots, 'run.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('a test links to its series, whose trend is drawn', async () => {
  const { page, problems } = await latestRun();
  await page.locator('table.details tbody a[href*="series/"]').first().click();
  await page.waitForLoadState();
  assert.match(await page.title(), / on local$/);
  assert.equal(await page.locator('svg.plot').count(), 2, 'the trend and the latest distribution');
  assert.ok(await page.locator('svg.plot rect').count() >= 2, 'bars of the distribution');
  assert.equal(await page.locator('table.series tbody tr').count(), 2, 'two nights');
  await page.screenshot({ path: path.join(shots, 'series.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});
