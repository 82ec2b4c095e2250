// Opens the HTML report of a bundled model in headless Chromium and checks it as a reviewer's
// browser sees it: no console errors or warnings, no request beyond the file itself, one table
// row per layer, totals equal to the JSON's, sorting that works, and a page that still reads
// with JavaScript off. Saves screenshots (screen, narrow window, print) beside the report.
// Then does the same for the design-space exploration report of the model over a 16-point sweep
// (tests/data/good/dse_sweep_browser.textproto): one Pareto row per Pareto point, one marker per
// plotted point, the chosen design and its per-layer view as the JSON says. Last, the page
// `cadenza diff A.json B.json -o DIFF.html` writes for that review and another of the model:
// totals, the per-layer delta table, dataflow changes and layers only in one review.
//
//   node report_test.mjs CADENZA_BINARY MODEL OUT_DIR
//
// Prints one line per check and "N passed, M failed"; exits 1 when a check fails. The runs use
// the MAESTRO-compatible model: what is checked is the page, and the exact model's search of the
// whole model (and its 16-point sweep) would take minutes, more under the sanitizers.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
execFileSync(binary, ['search', model, '--model', 'maestro', '-o', html, '--json', json], { stdio: ['ignore', 'ignore', 'inherit'] });
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
execFileSync(binary, ['dse', model, '--model', 'maestro', '--sweep', sweep, '--area-budget', '50000000', '-o', dseHtml,
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

// The comparison page of `cadenza diff`: A is the review above; B the same model searched for
// latency, with its first layer left out and its last renamed, so that the page has dataflow
// changes, a layer only in A (two: the first and the last) and one only in B.
const latencyJson = resolve(outDir, 'report-latency.json');
execFileSync(binary, ['search', model, '--model', 'maestro', '--objective', 'latency', '--json', latencyJson],
             { stdio: ['ignore', 'ignore', 'inherit'] });
const b = JSON.parse(readFileSync(latencyJson, 'utf8'));
b.layers.shift();
b.layers[b.layers.length - 1].name += '_renamed';
const bJson = resolve(outDir, 'report-b.json');
writeFileSync(bJson, JSON.stringify(b, null, 2));
const diffHtml = resolve(outDir, 'diff.html');
execFileSync(binary, ['diff', json, bJson, '-o', diffHtml], { stdio: ['ignore', 'ignore', 'inherit'] });
const diffUrl = pathToFileURL(diffHtml).href;

// What the page should show, from the two JSON files.
const byName = (layers) => new Map(layers.map((l) => [l.name, l]));
const aLayers = byName(data.layers);
const bLayers = byName(b.layers);
const onlyA = data.layers.filter((l) => !bLayers.has(l.name)).map((l) => l.name);
const onlyB = b.layers.filter((l) => !aLayers.has(l.name)).map((l) => l.name);
const common = data.layers.filter((l) => bLayers.has(l.name));
const mapped = common.filter((l) => l.found && bLayers.get(l.name).found);
const changed = mapped.filter((l) => {
  const o = bLayers.get(l.name);
  return l.dataflow !== o.dataflow || l.params_text !== o.params_text;
}).map((l) => l.name);
const sum = (layers, key) => layers.reduce((t, l) => t + l[key], 0);
const aCycles = sum(mapped, 'runtime_cycles');
const bCycles = sum(mapped.map((l) => bLayers.get(l.name)), 'runtime_cycles');
const aEnergy = sum(mapped, 'energy_nj');
const bEnergy = sum(mapped.map((l) => bLayers.get(l.name)), 'energy_nj');

await withPage({ viewport: { width: 1400, height: 900 } }, async (page, context) => {
  const console_messages = [];
  const requests = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') console_messages.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => console_messages.push(`page error: ${e.message}`));
  context.on('request', (r) => { if (r.url() !== diffUrl) requests.push(r.url()); });
  await page.goto(diffUrl, { waitUntil: 'load' });

  const settings = await page.$$eval('#settings li', (lis) => lis.map((li) => li.textContent));
  check('diff: the objective change is listed', settings.some((t) => t.includes('objective') &&
        t.includes('edp') && t.includes('latency')), settings.join(' | '));

  const totals = await page.$$eval('#totals-table tbody tr', (trs) =>
    trs.map((tr) => [...tr.cells].map((c) => ({ text: c.textContent, cls: c.className }))));
  check('diff: totals table has cycles and energy', totals.length === 2 &&
        totals[0][0].text === 'Cycles' && totals[1][0].text === 'Energy');
  check('diff: totals over the layers both map (the networks differ)',
        (await page.$('#totals-scope')) !== null &&
        (await page.textContent('#totals-scope')).includes(`${mapped.length} layers both reviews map`));
  check('diff: cycles totals equal the JSONs\' sums over those layers',
        totals[0][1].text.replaceAll(',', '') === String(aCycles) &&
        totals[0][2].text.replaceAll(',', '') === String(bCycles),
        `${totals[0][1].text} / ${totals[0][2].text} vs ${aCycles} / ${bCycles}`);
  check('diff: the deltas are marked better or worse as B compares with A',
        totals[0][3].cls.includes(bCycles < aCycles ? 'better' : 'worse') &&
        totals[1][3].cls.includes(bEnergy < aEnergy ? 'better' : bEnergy > aEnergy ? 'worse' : 'num'),
        `${totals[0][3].cls}, ${totals[1][3].cls}`);

  const rows = await page.$$eval('#diff-table tbody tr', (trs) => trs.map((tr) => ({
    name: tr.cells[0].textContent, a: tr.cells[3].textContent, b: tr.cells[4].textContent,
    changed: tr.classList.contains('changed'), cyclesA: tr.cells[5].dataset.v,
  })));
  check('diff: one row per layer of either review',
        rows.length === common.length + onlyA.length + onlyB.length,
        `${rows.length} rows, ${common.length} + ${onlyA.length} + ${onlyB.length}`);
  const row = (name) => rows.find((r) => r.name === name);
  check('diff: layers only in A shown as absent from B', onlyA.length === 2 &&
        onlyA.every((n) => row(n) && row(n).b === '(absent)' && row(n).changed));
  check('diff: the layer only in B shown as absent from A', onlyB.length === 1 &&
        row(onlyB[0]) && row(onlyB[0]).a === '(absent)' && row(onlyB[0]).changed &&
        row(onlyB[0]).cyclesA === '-1');
  check('diff: dataflow changes highlighted, and only they', changed.length > 0 &&
        rows.filter((r) => r.changed).length === changed.length + onlyA.length + onlyB.length &&
        changed.every((n) => row(n).changed && row(n).a !== row(n).b));
  const summary = await page.textContent('#layers p');
  check('diff: the counts are stated', summary.includes(`${common.length} in both, ${onlyA.length} ` +
        `only in A, ${onlyB.length} only in B; ${changed.length} changed dataflow`), summary);

  await page.screenshot({ path: join(outDir, 'diff.png'), fullPage: true });
  check('diff: no console errors or warnings', console_messages.length === 0, console_messages.join(' | '));
  check('diff: no request other than the page itself', requests.length === 0, requests.join(', '));
});

console.log(`screenshot: ${join(outDir, 'diff.png')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
