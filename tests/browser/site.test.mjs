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

// The figures of the table's first figure column as shown, top to bottom ('-' and 'N/A' as written).
async function firstColumn(page) {
  const keys = await page.locator('#matrix thead th[rowspan="3"]').count();
  return (await page.locator(`#matrix tbody tr td:nth-child(${keys + 1})`).allTextContents())
    .map((text) => text.replace(/CV .*$/, '').replace(/[\u2605\u26a0]/g, '').trim());
}

test('the run page sorts, filters, draws its plots and keeps markup as text', async () => {
  const { page, problems } = await latestRun();
  // The hardware is named before the table.
  const hosts = await page.locator('h2', { hasText: 'Hosts' }).boundingBox();
  const table = await page.locator('#matrix').boundingBox();
  assert.ok(hosts.y < table.y, 'the Hosts table above the results');
  // Plots: inline SVG with points, laid out with a size.
  const plots = page.locator('svg.plot');
  assert.ok(await plots.count() >= 2, 'FPS by batch and latency by threads');
  const box = await plots.first().boundingBox();
  assert.ok(box.width > 100 && box.height > 100, JSON.stringify(box));
  assert.ok(await page.locator('svg.plot circle').count() >= 4);

  // Units and direction in the mode headers.
  const mode = page.locator('#matrix th[data-key="c0"]');
  assert.match(await mode.textContent(), /Latency mode\s*FPS, higher is better/);
  // Sorting by the first figure column, both ways; cells without a figure last either way.
  const rows = await page.locator('#matrix tbody tr').count();
  assert.ok(rows >= 8, `${rows} rows`);
  const numbers = (cells) => cells.filter((t) => /^[0-9.]+$/.test(t)).map(Number);
  await mode.click();
  assert.equal(await mode.getAttribute('data-dir'), 'asc');
  const up = await firstColumn(page);
  const ascending = numbers(up);
  assert.ok(ascending.length >= 4, JSON.stringify(up));
  assert.deepEqual(ascending, [...ascending].sort((a, b) => a - b));
  assert.deepEqual(up.slice(0, ascending.length).map(Number), ascending, 'figures first');
  await page.locator('#matrix th[data-key="c0"]').click();
  assert.equal(await page.locator('#matrix th[data-key="c0"]').getAttribute('data-dir'), 'desc');
  const down = await firstColumn(page);
  assert.deepEqual(numbers(down), [...ascending].sort((a, b) => b - a));
  assert.deepEqual(down.slice(0, ascending.length).map(Number), numbers(down), 'figures first');
  // Sorting by a key column (Batch) both ways.
  const batches = async () => (await page.locator('#matrix tbody tr td:nth-child(4)').allTextContents()).map(Number);
  await page.locator('#matrix th[data-key="k4"]').click();
  const b = await batches();
  assert.deepEqual(b, [...b].sort((x, y) => x - y));
  await page.locator('#matrix th[data-key="k4"]').click();
  assert.deepEqual(await batches(), [...b].sort((x, y) => y - x));

  // Filters: framework and model choose rows, host and mode choose columns, text chooses rows (or hosts).
  const shown = () => page.locator('#matrix tbody tr').count();
  const frameworks = async () => page.locator('#matrix tbody tr td:nth-child(2)').allTextContents();
  await page.selectOption('#f-framework', 'command');
  assert.ok(await shown() > 0 && await shown() < rows);
  assert.deepEqual([...new Set(await frameworks())], ['command']);
  await page.selectOption('#f-framework', '');
  await page.selectOption('#f-model', 'digits');
  assert.equal(await shown(), rows);
  await page.selectOption('#f-model', '');
  await page.selectOption('#f-host', 'local');
  assert.equal(await shown(), rows);
  assert.equal(await page.locator('#matrix th.host').count(), 1);
  await page.selectOption('#f-host', '');
  await page.selectOption('#f-mode', 'Latency mode');
  assert.equal(await page.locator('#matrix th[data-key^="c"]').count(), 1);
  await page.selectOption('#f-mode', '');
  await page.fill('#filter', 'command');
  const byText = await shown();
  assert.ok(byText > 0 && byText < rows, `${byText} of ${rows} rows shown`);
  await page.fill('#filter', 'local');
  assert.equal(await shown(), rows, 'a host name keeps the rows and chooses its columns');
  await page.fill('#filter', 'no such thing');
  assert.equal(await shown(), 0);
  assert.match(await page.locator('#page-info').textContent(), /no rows match/);
  await page.fill('#filter', '');
  // Filtering leaves the other tables alone.
  assert.ok(await page.locator('table.hosts tbody tr').count() >= 1);

  // The hostile parameter and failure text are shown, never run.
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.match(await page.locator('#matrix').innerHTML(), /&lt;img src=x onerror=window.__pwned=1&gt;/);
  await page.screenshot({ path: path.join(shots, 'run.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('a cell opens its test on its host\'s page, which links to the series and its trend', async () => {
  const { page, problems } = await latestRun();
  const link = page.locator('#matrix tbody td.ok a').first();
  const href = await link.getAttribute('href');
  assert.match(href, /^hosts\/local\.html#[0-9a-f]{16}$/);
  await link.click();
  await page.waitForLoadState();
  assert.match(await page.title(), /^DLI tests on local/);
  const section = page.locator(`section[id="${href.split('#')[1]}"]`);
  assert.equal(await section.count(), 1);
  const text = await section.textContent();
  for (const field of ['Parameters', 'Framework', 'opencv-dnn', 'Batch', 'Threads', 'Statistics', 'CV', 'Verdict',
                       'Environment', 'Log']) {
    assert.ok(text.includes(field), field);
  }
  assert.ok(await section.locator('svg.plot rect').count() >= 1, 'the distribution of its request times');
  // Drawn by the page's script from the section's numbers: a title on every bar, the median and the p99 marked.
  assert.equal(await section.locator('figure.dist').count(), 0, 'every figure drawn');
  assert.match(await section.locator('svg.plot rect title').first().textContent(),
               /^[0-9.]+ to [0-9.]+ ms: [0-9.]+% of requests$/);
  assert.equal(await section.locator('svg.plot text', { hasText: /^p99$/ }).count(), 1);
  // A failed command test: its hostile output stays text here too.
  assert.match(await page.content(), /&lt;img src=x onerror=window.__pwned=1&gt;/);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await page.screenshot({ path: path.join(shots, 'host.png') });
  await section.locator('a.series').click();
  await page.waitForLoadState();
  assert.match(await page.title(), / on local$/);
  assert.equal(await page.locator('svg.plot').count(), 2, 'the trend and the latest distribution');
  assert.ok(await page.locator('svg.plot rect').count() >= 2, 'bars of the distribution');
  assert.equal(await page.locator('table.series tbody tr').count(), 2, 'two nights');
  await page.screenshot({ path: path.join(shots, 'series.png'), fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});
