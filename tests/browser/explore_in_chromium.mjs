// `otae explore` in a real browser (Debian's chromium, driven by playwright-core): trains a tiny
// VAE run and a tiny OTUS run, serves each, and checks that
//  (a) the jet the page draws is what `otae vae decode` decodes from the page's latent point,
//      after a slider move and after a click on a binary latent's check box and a circular one's dial,
//  (b) moving a slider changes the jet panel and leaves what it should not touch unchanged,
//  (c) the server refuses files outside the run folder (403) and answers bad parameters with 400,
//  (d) the OTUS page simulates the chosen parton event, its truth marker is the event's own
//      detector row (M_ee recomputed here from the file), and an edited energy changes the response.
// Screenshots of both pages go to $OTAE_EXPLORE_SCREENSHOTS (docs/images when regenerating them).
// Exit 77 (CTest's skip) when chromium or playwright-core is missing.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const otae = process.env.OTAE_BINARY;
const source = process.env.OTAE_SOURCE_DIR;
const chromium = '/usr/bin/chromium';
let playwright;
try {
  playwright = await import('playwright-core');
} catch {
  console.log('SKIP: playwright-core is not installed (npm ci in tests/browser)');
  process.exit(77);
}
if (!fs.existsSync(chromium)) {
  console.log(`SKIP: ${chromium} is missing (apt-get install chromium)`);
  process.exit(77);
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'otae_explore_'));
const shots = process.env.OTAE_EXPLORE_SCREENSHOTS || scratch;
const servers = [];
let failures = 0;

function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures += 1;
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: scratch, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

function python(code, ...args) {
  return JSON.parse(run('/usr/bin/python3', ['-c', code, ...args]));
}

// Starts `otae explore RUN --port 0` and resolves with its URL once it prints it.
function serve(runFolder) {
  return new Promise((resolve, reject) => {
    const server = spawn(otae, ['explore', runFolder, '--port', '0', '--threads', '1'], { cwd: scratch });
    servers.push(server);
    let output = '';
    server.stdout.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (match) resolve(match[0]);
    });
    server.stderr.on('data', (chunk) => { output += chunk; });
    server.on('exit', (code) => reject(new Error(`otae explore exited (${code}): ${output}`)));
  });
}

// A raw GET: node's http keeps the path as written (no ../ folding, unlike a browser).
function get(url, rawPath, headers = {}) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    http.get({ hostname, port, path: rawPath, headers }, (response) => {
      let body = '';
      response.on('data', (chunk) => { body += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, body }));
    }).on('error', reject);
  });
}

async function settled(page, updatesBefore, withNearest) {
  await page.waitForFunction(
    ([before, nearest]) => {
      const s = window.otaeExplore;
      return s.updates > before && s.busy === 0 && (!nearest || (s.nearest && s.nearest.z.join(',') === s.point.join(',')));
    },
    [updatesBefore, withNearest], { timeout: 30000 });
}

async function sameImage(page, selector, before) {
  return Buffer.compare(await page.locator(selector).screenshot(), before) === 0;
}

/// The jet the page draws equals `otae vae decode` of the decoder input the page sent (state of window.otaeExplore).
function drawnJetIsDecode(runFolder, state, when) {
  const latents = path.join(scratch, 'page_z.h5'), decoded = path.join(scratch, 'page_decoded.h5');
  python('import h5py, json, sys; f = h5py.File(sys.argv[1], "w"); f["z"] = [json.loads(sys.argv[2])]; f.close(); print(1)',
         latents, JSON.stringify(state.decoderInput));
  run(otae, ['vae', 'decode', runFolder, '--step', `step:${state.step}`, '--latents', latents, '--out', decoded]);
  const reference = python('import h5py, sys, json; print(json.dumps(h5py.File(sys.argv[1])["particles"][0].tolist()))', decoded);
  let largest = 0;
  reference.forEach((row, i) => row.forEach((v, j) => { largest = Math.max(largest, Math.abs(v - state.particles[i][j])); }));
  check(reference.length === state.particles.length && largest < 1e-6,
        `${when}: page's jet = otae vae decode (${reference.length} particles, largest difference ${largest.toExponential(2)})`);
}

async function vaePage(browser, runFolder) {
  const url = await serve(runFolder);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const elsewhere = [];
  page.on('request', (request) => { if (!request.url().startsWith(url)) elsewhere.push(request.url()); });
  await page.goto(url);
  await settled(page, 0, true);
  const start = await page.evaluate(() => ({ ...window.otaeExplore }));
  check(start.kind === 'vae' && start.checkpoint.directions.length >= 2, `VAE page loaded step ${start.step} with ${start.checkpoint.directions.length} sliders`);
  const untouched = ['header h1', '#beta', '#sliders .slider:nth-child(2)', '#axis-x'];
  const before = {};
  for (const selector of [...untouched, '#jet']) before[selector] = await page.locator(selector).screenshot();

  // (b) a real drag of the first slider (the direction of largest KL) to 85 % of its track
  const slider = page.locator('#sliders input').first();
  const box = await slider.boundingBox();
  const updates = start.updates;
  await page.mouse.click(box.x + 0.85 * box.width, box.y + box.height / 2);
  await settled(page, updates, true);
  const now = await page.evaluate(() => ({ ...window.otaeExplore }));
  const moved = now.checkpoint.directions[0].index;
  check(now.point[moved] > 2 && now.point[moved] !== start.point[moved], `slider z${moved} moved from ${start.point[moved]} to ${now.point[moved]}`);
  check(!(await sameImage(page, '#jet', before['#jet'])), 'the jet panel changed');
  for (const selector of untouched) check(await sameImage(page, selector, before[selector]), `${selector} unchanged`);

  // (a) the drawn jet is `otae vae decode` of the page's decoder input
  drawnJetIsDecode(runFolder, now, 'after the slider');
  const expected = now.point.slice(0, now.checkpoint.latent_dim + now.checkpoint.binary_dim);
  check(expected.every((v, i) => Math.abs(v - now.decoderInput[i]) < 1e-6), 'decoder input holds the slider values');
  check(now.nearest.emd_GeV > 0, `nearest held-out jet: row ${now.nearest.file_row}, ${now.nearest.emd_GeV.toFixed(3)} GeV`);

  // a binary latent as a check box and a circular one as a dial: clicked, they reach the decoder as
  // b and (cos θ, sin θ), and the drawn jet is again `otae vae decode` of what the page sent
  const L = now.checkpoint.latent_dim, B = now.checkpoint.binary_dim;
  check(B === 1 && now.checkpoint.circular_dim === 1, `the run has ${B} binary and ${now.checkpoint.circular_dim} circular latent(s)`);
  const flipped = now.point[L] > 0.5 ? 0 : 1;
  await page.locator('#binary-0').setChecked(flipped === 1);
  await settled(page, now.updates, true);
  const toggled = await page.evaluate(() => ({ ...window.otaeExplore }));
  check(toggled.point[L] === flipped && toggled.decoderInput[L] === flipped,
        `check box: binary latent ${now.point[L]} -> ${toggled.point[L]}, decoder input ${toggled.decoderInput[L]}`);
  const dial = await page.locator('#dial-0').boundingBox();
  await page.mouse.click(dial.x + 0.1 * dial.width, dial.y + 0.5 * dial.height);  // the dial's left edge: θ ≈ π
  await settled(page, toggled.updates, true);
  const turned = await page.evaluate(() => ({ ...window.otaeExplore }));
  const angle = turned.point[L + B], [cosine, sine] = turned.decoderInput.slice(L + B, L + B + 2);
  check(Math.abs(Math.abs(angle) - Math.PI) < 0.2 && Math.abs(cosine - Math.cos(angle)) < 1e-6 &&
        Math.abs(sine - Math.sin(angle)) < 1e-6, `dial: angle ${angle.toFixed(3)} rad, decoder input (${cosine.toFixed(3)}, ${sine.toFixed(3)})`);
  drawnJetIsDecode(runFolder, turned, 'after the check box and the dial');
  await page.screenshot({ path: path.join(shots, 'explore_vae.png') });

  // the time from a slider move to the drawn jet (reported, not asserted: a timing is no test)
  const times = [];
  for (const value of [-2, -1, 0, 1, 2, -3, 3, 0.5, -0.5, 1.5]) {
    const count = await page.evaluate(() => window.otaeExplore.updates);
    await slider.evaluate((input, v) => { input.value = v; input.dispatchEvent(new Event('input')); }, String(value));
    await settled(page, count, false);
    times.push(await page.evaluate(() => window.otaeExplore.lastUpdateMs));
  }
  times.sort((a, b) => a - b);
  console.log(`slider move to drawn jet: median ${times[5].toFixed(1)} ms, largest ${times[9].toFixed(1)} ms (10 moves)`);

  check(elsewhere.length === 0, `the page asked nothing but ${url} (offline): ${elsewhere.join(' ') || 'no other request'}`);

  // (c) files outside the run folder and bad parameters
  fs.symlinkSync('/etc/passwd', path.join(runFolder, 'link_out'));
  for (const raw of ['/files/../../../../etc/passwd', '/files/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/files/link_out',
                     '/files/..%2fconfig.yaml'])
    check((await get(url, raw)).status === 403, `GET ${raw} refused with 403`);
  check((await get(url, '/files/config.yaml')).status === 200, 'GET /files/config.yaml (inside the run) served');
  check((await get(url, '/etc/passwd')).status === 404, 'GET /etc/passwd: 404');
  check((await get(url, '/api/run', { Host: 'rebound.example:80' })).status === 403, 'a request for another host name: 403');
  const bad = [[`/api/vae/decode?step=abc&z=0`, 'integer'], [`/api/vae/decode?step=${now.step}&z=1,2`, 'values'],
               [`/api/vae/checkpoint?step=999`, 'kept'], [`/api/vae/decode?step=${now.step}&z=x`, 'numbers'],
               [`/api/vae/decode?step=${now.step}`, "missing parameter 'z'"]];
  for (const [raw, words] of bad) {
    const answer = await get(url, raw);
    const message = JSON.parse(answer.body).error || '';
    check(answer.status === 400 && message.includes(words), `GET ${raw}: ${answer.status} "${message}"`);
  }
  await page.close();
}

async function otusPage(browser, runFolder, data) {
  const url = await serve(runFolder);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url);
  await page.waitForFunction(() => window.otaeExplore.updates >= 1 && window.otaeExplore.busy === 0, null, { timeout: 30000 });
  const first = await page.evaluate(() => ({ ...window.otaeExplore }));
  const r = first.response;
  check(first.kind === 'otus' && r.simulated[0].length === 2000, `OTUS page: ${r.observables.length} observables of 2000 decoder samples`);
  const event = JSON.parse((await get(url, '/api/otus/event?index=0')).body);
  const mass = python(
    'import h5py, sys, json, numpy as np; x = h5py.File(sys.argv[1])["x"][int(sys.argv[2])].astype(float);' +
    'p = x[0:4] + x[4:8]; print(json.dumps(float(np.sqrt(max(p[3]**2 - p[0]**2 - p[1]**2 - p[2]**2, 0)))))',
    data, String(event.file_row));
  const m = r.truth[r.observables.indexOf('M_ee')];
  check(Math.abs(m - mass) < 1e-3 * mass, `truth marker M_ee ${m.toFixed(3)} GeV = the file's row ${event.file_row}: ${mass.toFixed(3)} GeV`);
  const energy = page.locator('#object-0-energy_GeV');
  const count = first.updates;
  await energy.fill(String(2 * event.objects[0].energy_GeV));
  await energy.dispatchEvent('change');
  await page.waitForFunction((c) => window.otaeExplore.updates > c && window.otaeExplore.busy === 0, count);
  const edited = await page.evaluate(() => window.otaeExplore.response);
  const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;
  const e = r.observables.indexOf('e-_E');
  check(edited.truth === null && mean(edited.simulated[e]) > 1.5 * mean(r.simulated[e]),
        `doubling the parton e- energy moves the simulated e-_E mean from ${mean(r.simulated[e]).toFixed(1)} to ${mean(edited.simulated[e]).toFixed(1)} GeV`);
  await page.waitForFunction(() => window.otaeExplore.busy === 0);
  const beforeNext = await page.evaluate(() => window.otaeExplore.updates);
  await page.locator('#next').click();
  await page.waitForFunction(
    (c) => { const s = window.otaeExplore; return s.event === 1 && s.updates > c && s.busy === 0 && s.response.truth; },
    beforeNext);
  await page.screenshot({ path: path.join(shots, 'explore_otus.png') });
  for (const [raw, words] of [['/api/otus/event?index=-1', 'held-out events'], ['/api/otus/simulate?index=0&samples=0', 'samples'],
                              ['/api/otus/simulate?kinematics=1,0,0,5,40,0,0,0', 'E >= m']]) {
    const answer = await get(url, raw);
    const message = JSON.parse(answer.body).error || '';
    check(answer.status === 400 && message.includes(words), `GET ${raw}: ${answer.status} "${message}"`);
  }
  await page.close();
}

let browser;
try {
  const wjets = path.join(source, 'samples', 'wjets_small.h5'), zee = path.join(source, 'samples', 'zee_small.h5');
  run(otae, ['vae', 'train', '--config', path.join(source, 'configs', 'vae', 'quick.yaml'), '--data', wjets, '--out', 'vae',
             'train.threads=1', 'train.steps_per_epoch=20', 'train.max_epochs=3', 'train.batch_size=50',
             'schedule.grid.points=2', 'data.max_rows=2000', 'model.binary.priors=[0.5]', 'model.circular.dims=1']);
  // the quick Z→ee configuration in full (~20 s on one core): a decoder that has learnt a resolution
  run(otae, ['otus', 'train', '--config', path.join(source, 'configs', 'otus', 'zee_quick.yaml'), '--data', zee, '--out', 'otus',
             'training.threads=1']);
  browser = await playwright.chromium.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  await vaePage(browser, path.join(scratch, 'vae'));
  await otusPage(browser, path.join(scratch, 'otus'), zee);
} catch (error) {
  console.log(`FAIL ${error.stack || error}`);
  failures += 1;
} finally {
  if (browser) await browser.close();
  for (const server of servers) server.kill();
  fs.rmSync(scratch, { recursive: true, force: true });
}
console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
