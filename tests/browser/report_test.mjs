// Opens the HTML report of a bundled model in headless Chromium and checks it as a reviewer's
// browser sees it: no console errors or warnings, no request beyond the file itself, one table
// row per layer, totals equal to the JSON's, sorting that works, and a page that still reads
// with JavaScript off. Saves screenshots (screen, narrow window, print) beside the report.
// Then does the same for the design-space exploration report of the model over a 16-point sweep
// (tests/data/good/dse_sweep_browser.textproto): one Pareto row per Pareto point, one marker per
// plotted point, the chosen design and its per-layer view as the JSON says.
//
//   node report_test.mjs CADENZA_BINARY MODEL OUT_DIR
//
// Prints one line per check and "N passed, M failed"; exits 1 when a check fails.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [binary, model, outDir] = process.argv.slice(2);
if (!binary || !model || !outDir) {
  console.error('usage: node report_test.mjs CADENZA_BINARY MODEL OUT_DIR');
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) {
    passed++;
    console.log(`ok    ${name}`);
  } else {
    failed++;
    console.log(`FAIL  ${name}${detail ? ': ' + detail : ''}`);
  }
}

mkdirSync(outDir, { recursive: true });
const html = resolve(outDir, 'report.html');
const json = resolve(outDir, 'report.json');
const started = Date.now();
execFileSync(binary, ['search', model, '-o', html, '--json', json], { stdio: ['ignore', 'ignore', 'inherit'] });
console.log(`search and report: ${((Date.now() - started) / 1000).toFixed(1)} s`);
const data = JSON.parse(readFileSync(json, 'utf8'));
const url = pathToFileURL(html).href;

async function withPage(options, body) {
  const profile = mkdtempSync(join(tmpdir(), 'cadenza-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath, args: chromiumArgs, headless: true, ...options,
  });
  try {
    const page = context.pages()[0] || await context.newPage();
    return await body(page, context);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

await withPage({ viewport: { width: 1400, height: 900 } }, async (page, context) => {
  const console_messages = [];
  const requests = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') console_messages.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => console_messages.push(`page error: ${e.message}`));
  context.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });

  await page.goto(url, { waitUntil: 'load' });

  const rows = await page.$$eval('#layer-table tbody tr', (trs) =>
    trs.map((tr) => tr.querySelector('.lname').textContent));
  check('one table row per layer', rows.length === data.layers.length,
        `${rows.length} rows, ${data.layers.length} layers`);
  check('rows in layer order with the JSON\'s names',
        rows.every((name, i) => name === data.layers[i].name));

  const total = await page.evaluate(() => {
    const v = (id) => document.getElementById(id);
    return {
      cycles: v('total-cycles').dataset.value,
      cyclesText: v('total-cycles').textContent,
      tableCycles: v('table-total-cycles').textContent,
      energy: v('total-energy').dataset.value,
      layers: v('total-layers').dataset.value,
      sha: v('model-sha256').textContent,
    };
  });
  const cycles = String(data.total.runtime_cycles);
  check('total cycles equal the JSON\'s', total.cycles === cycles, `${total.cycles} vs ${cycles}`);
  check('total cycles as shown equal the JSON\'s', total.cyclesText.replaceAll(',', '') === cycles &&
        total.tableCycles.replaceAll(',', '') === cycles, `${total.cyclesText}, ${total.tableCycles}`);
  check('total energy equals the JSON\'s', Number(total.energy) === data.total.energy_nj,
        `${total.energy} vs ${data.total.energy_nj}`);
  check('layer count equals the JSON\'s', Number(total.layers) === data.total.layers);
  check('SHA-256 equals the JSON\'s', total.sha === data.model.sha256 && /^[0-9a-f]{64}$/.test(total.sha));

  const external = await page.$$eval('[src], [href]', (els) =>
    els.map((e) => e.getAttribute('src') ?? e.getAttribute('href'))
       .filter((v) => !v.startsWith('#') && !v.startsWith('data:')));
  check('no external src or href', external.length === 0, external.join(', '));
  check('SVG charts present', (await page.$$('figure.chart svg')).length >= 5);

  // Sorting by cycles, descending on the second click.
  const header = page.locator('#layer-table thead th', { hasText: 'Cycles' });
  await header.click();
  await header.click();
  const sorted = await page.$$eval('#layer-table tbody tr', (trs) =>
    trs.map((tr) => tr.cells[4].dataset.v).filter((v) => v !== '').map(Number));
  check('sorting by cycles orders the rows', sorted.length > 0 &&
        sorted.every((v, i) => i === 0 || sorted[i - 1] >= v));
  await header.click();  // back to ascending; then the index column restores network order
  await page.locator('#layer-table thead th').first().click();

  await page.screenshot({ path: join(outDir, 'report.png'), fullPage: true });
  await page.setViewportSize({ width: 420, height: 900 });
  await page.screenshot({ path: join(outDir, 'report-narrow.png'), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check('narrow window: the page itself does not scroll sideways', overflow <= 1, `${overflow} px`);
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: join(outDir, 'report-print.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });

  check('no console errors or warnings', console_messages.length === 0, console_messages.join(' | '));
  check('no request other than the report itself', requests.length === 0, requests.join(', '));
});

await withPage({ javaScriptEnabled: false }, async (page) => {
  await page.goto(url, { waitUntil: 'load' });
  const rows = await page.$$eval('#layer-table tbody tr', (trs) => trs.length);
  check('without JavaScript: every layer row is there', rows === data.layers.length);
});

console.log(`screenshots: ${join(outDir, 'report.png')}, report-narrow.png, report-print.png`);

// The design-space exploration report. The area budget (50 mm²) rules out 4 of the 16 points.
const sweep = resolve(dirname(fileURLToPath(import.meta.url)), '../data/good/dse_sweep_browser.textproto');
const dseHtml = resolve(outDir, 'dse.html');
const dseJsonPath = resolve(outDir, 'dse.json');
const dseStarted = Date.now();
execFileSync(binary, ['dse', model, '--sweep', sweep, '--area-budget', '50000000', '-o', dseHtml,
                      '--json', dseJsonPath], { stdio: ['ignore', 'ignore', 'inherit'] });
console.log(`dse and report: ${((Date.now() - dseStarted) / 1000).toFixed(1)} s`);
const dse = JSON.parse(readFileSync(dseJsonPath, 'utf8'));
const dseUrl = pathToFileURL(dseHtml).href;

await withPage({ viewport: { width: 1400, height: 900 } }, async (page, context) => {
  const console_messages = [];
  const requests = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') console_messages.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => console_messages.push(`page error: ${e.message}`));
  context.on('request', (r) => { if (r.url() !== dseUrl) requests.push(r.url()); });

  await page.goto(dseUrl, { waitUntil: 'load' });

  const pareto = await page.$$eval('#pareto-table tbody tr', (trs) => trs.map((tr) => Number(tr.dataset.index)));
  check('dse: one Pareto row per Pareto point', pareto.length === dse.summary.pareto && pareto.length > 0,
        `${pareto.length} rows, ${dse.summary.pareto} Pareto points`);
  check('dse: Pareto rows are the JSON\'s, by cycles', pareto.every((index, i) => index === dse.pareto[i]));
  const plotted = dse.points.filter((p) => p.layers_without_mapping === 0);
  const markers = await page.$$eval('#chart-pareto circle.pt', (cs) => cs.map((c) => c.getAttribute('class')));
  check('dse: one scatter marker per plotted point', markers.length === plotted.length,
        `${markers.length} markers, ${plotted.length} points`);
  check('dse: points over the budget greyed', markers.filter((c) => c.includes('off')).length ===
        plotted.filter((p) => !p.feasible).length && dse.summary.feasible < dse.points.length);
  check('dse: Pareto markers outlined', markers.filter((c) => c.includes('pf')).length === dse.summary.pareto);
  const shown = await page.evaluate(() => ({
    points: document.getElementById('dse-points').dataset.value,
    label: document.getElementById('best-label').textContent,
    cycles: document.getElementById('best-cycles').dataset.value,
    chosenCycles: document.getElementById('chosen-cycles').dataset.value,
    ringed: document.getElementById('chosen-marker') !== null,
    sha: document.getElementById('model-sha256').textContent,
  }));
  const best = dse.points[dse.summary.best];
  check('dse: point count equals the JSON\'s', Number(shown.points) === dse.points.length);
  check('dse: the chosen design is the JSON\'s', shown.label === best.label && shown.ringed,
        `${shown.label} vs ${best.label}`);
  check('dse: the chosen design\'s cycles equal its search\'s', shown.cycles === String(best.runtime_cycles) &&
        shown.chosenCycles === String(dse.chosen.total.runtime_cycles));
  const layers = await page.$$eval('#layer-table tbody tr', (trs) => trs.length);
  check('dse: the chosen design\'s per-layer table', layers === dse.chosen.layers.length && layers > 0);
  check('dse: SHA-256 equals the JSON\'s', shown.sha === dse.model.sha256);
  const external = await page.$$eval('[src], [href]', (els) =>
    els.map((e) => e.getAttribute('src') ?? e.getAttribute('href'))
       .filter((v) => !v.startsWith('#') && !v.startsWith('data:')));
  check('dse: no external src or href', external.length === 0, external.join(', '));

  const header = page.locator('#pareto-table thead th', { hasText: /^Energy$/ });
  await header.click();
  const energies = await page.$$eval('#pareto-table tbody tr', (trs) => trs.map((tr) => Number(tr.cells[10].dataset.v)));
  check('dse: sorting the Pareto table by energy orders the rows',
        energies.every((v, i) => i === 0 || energies[i - 1] <= v));

  await page.screenshot({ path: join(outDir, 'dse.png'), fullPage: true });
  await page.setViewportSize({ width: 420, height: 900 });
  await page.screenshot({ path: join(outDir, 'dse-narrow.png'), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check('dse: narrow window: the page itself does not scroll sideways', overflow <= 1, `${overflow} px`);
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: join(outDir, 'dse-print.png'), fullPage: true });

  check('dse: no console errors or warnings', console_messages.length === 0, console_messages.join(' | '));
  check('dse: no request other than the report itself', requests.length === 0, requests.join(', '));
});

await withPage({ javaScriptEnabled: false }, async (page) => {
  await page.goto(dseUrl, { waitUntil: 'load' });
  const rows = await page.$$eval('#pareto-table tbody tr', (trs) => trs.length);
  check('dse: without JavaScript: every Pareto row is there', rows === dse.summary.pareto);
});

console.log(`screenshots: ${join(outDir, 'dse.png')}, dse-narrow.png, dse-print.png`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
