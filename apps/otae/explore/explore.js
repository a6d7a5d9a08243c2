// otae explore: the page. It asks the otae process (the C++ library) for every number and only
// draws. window.otaeExplore holds what is on screen (the latent point, the decoder's input, the
// particles, the simulated observables), so that a test can compare it with `otae vae decode`.
'use strict';

const state = (window.otaeExplore = { kind: null, updates: 0, busy: 0, lastUpdateMs: null });
const $ = (id) => document.getElementById(id);

async function getJson(url) {
  state.busy += 1;
  try {
    const response = await fetch(url);
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    return body;
  } finally {
    state.busy -= 1;
  }
}

function showError(error) {
  $('status').textContent = String(error.message || error);
}

function element(tag, attributes = {}, text = '') {
  const e = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) e.setAttribute(key, value);
  if (text) e.textContent = text;
  return e;
}

// Requests one at a time: a move while a request is out only marks the latest wish, so the page
// never queues stale work and the last position is always the one drawn.
function serialised(task) {
  let running = false, again = false;
  return async function run() {
    if (running) { again = true; return; }
    running = true;
    try { await task(); } catch (error) { showError(error); }
    running = false;
    if (again) { again = false; run(); }
  };
}

// ---------------------------------------------------------------- VAE runs

const vae = { run: null, checkpoint: null, inputAt: null, nearestTimer: null };

function nats(x) { return `${x.toFixed(2)} nats`; }

async function startVae(run) {
  vae.run = run;
  $('vae').hidden = false;
  $('run').textContent = `${run.run} · ⟨HT⟩ = ${run.energy_scale_GeV.toFixed(1)} GeV · ${run.held_out_jets} held-out jets`;
  const select = $('beta');
  for (const c of run.checkpoints)
    select.append(element('option', { value: c.step },
      `step ${c.step} ${c.phase} β = ${c.beta_GeV.toPrecision(3)} GeV (β̂ = ${c.beta_hat.toExponential(2)})`));
  const production = run.checkpoints.filter((c) => c.phase === 'production');
  select.value = (production.length ? production : run.checkpoints).slice(-1)[0].step;
  select.onchange = () => loadCheckpoint(Number(select.value)).catch(showError);
  $('reset').onclick = () => { state.point = vae.checkpoint.origin.slice(); syncControls(); moved(); };
  await loadCheckpoint(Number(select.value));
}

async function loadCheckpoint(step) {
  const c = await getJson(`/api/vae/checkpoint?step=${step}`);
  vae.checkpoint = c;
  state.step = step;
  state.checkpoint = c;
  state.point = c.origin.slice();
  state.nearest = null;
  const shown = c.directions.filter((d) => d.informative).length;
  $('beta-note').textContent = `${shown} informative direction${shown === 1 ? '' : 's'} (KL > 0.1 nats) of ` +
    `${c.latent_dim}; ${c.binary_dim} binary, ${c.circular_dim} circular`;
  buildSliders(c);
  buildToggles(c);
  buildDials(c);
  buildAxes(c);
  moved();
}

function buildSliders(c) {
  const box = $('sliders');
  box.replaceChildren();
  for (const d of c.directions) {
    const row = element('div', { class: 'slider', id: `slider-${d.index}` });
    const quantity = d.quantity ? ` · ${d.quantity} (MI ${d.mutual_information.toFixed(2)} nats, ρ ${d.spearman.toFixed(2)})` : '';
    const label = element('div', { class: 'label' },
      `z${d.index} · KL ${nats(d.kl)}${d.informative ? '' : ' (not informative)'}${quantity}`);
    const input = element('input', { type: 'range', min: -4, max: 4, step: 0.01, 'data-index': d.index });
    const value = element('span', { class: 'value' });
    input.oninput = () => { state.point[d.index] = Number(input.value); moved(); };
    row.append(label, input, value);
    box.append(row);
  }
}

function buildToggles(c) {
  const box = $('toggles');
  box.replaceChildren();
  for (let k = 0; k < c.binary_dim; ++k) {
    const index = c.latent_dim + k;
    const input = element('input', { type: 'checkbox', id: `binary-${k}`, 'data-index': index });
    input.onchange = () => { state.point[index] = input.checked ? 1 : 0; moved(); };
    const label = element('label', {}, ` binary ${k} · KL ${nats(c.binary_kl[k])}`);
    label.prepend(input);
    box.append(label, element('br'));
  }
}

function drawDial(canvas, angle) {
  const g = canvas.getContext('2d'), r = canvas.width / 2 - 4, cx = canvas.width / 2, cy = canvas.height / 2;
  g.clearRect(0, 0, canvas.width, canvas.height);
  g.strokeStyle = '#888';
  g.beginPath(); g.arc(cx, cy, r, 0, 2 * Math.PI); g.stroke();
  g.strokeStyle = '#2874a6'; g.lineWidth = 3;
  g.beginPath(); g.moveTo(cx, cy); g.lineTo(cx + r * Math.cos(angle), cy - r * Math.sin(angle)); g.stroke();
  g.lineWidth = 1;
}

function buildDials(c) {
  const box = $('dials');
  box.replaceChildren();
  for (let k = 0; k < c.circular_dim; ++k) {
    const index = c.latent_dim + c.binary_dim + k;
    const wrapper = element('div', { class: 'dial' });
    const canvas = element('canvas', { width: 90, height: 90, id: `dial-${k}`, 'data-index': index });
    const set = (event) => {
      const box = canvas.getBoundingClientRect();
      state.point[index] = Math.atan2(box.height / 2 - (event.clientY - box.top), event.clientX - box.left - box.width / 2);
      moved();
    };
    canvas.onmousedown = (event) => { set(event); canvas.onmousemove = set; };
    canvas.onmouseup = canvas.onmouseleave = () => { canvas.onmousemove = null; };
    wrapper.append(canvas, element('div', {}, `angle ${k} · KL ${nats(c.circular_kl[k])}`));
    box.append(wrapper);
  }
}

function buildAxes(c) {
  for (const [id, choice] of [['axis-x', 0], ['axis-y', 1]]) {
    const select = $(id);
    select.replaceChildren();
    for (const d of c.directions)
      select.append(element('option', { value: d.index }, `z${d.index}${d.quantity ? ' (' + d.quantity + ')' : ''}`));
    select.value = c.directions[Math.min(choice, c.directions.length - 1)].index;
    select.onchange = drawDensity;
  }
}

// The controls follow state.point (after a reset or a click in the density).
function syncControls() {
  for (const input of document.querySelectorAll('#sliders input'))
    input.value = state.point[Number(input.dataset.index)];
  for (const input of document.querySelectorAll('#toggles input'))
    input.checked = state.point[Number(input.dataset.index)] > 0.5;
  for (const row of document.querySelectorAll('#sliders .slider'))
    row.querySelector('.value').textContent = Number(row.querySelector('input').value).toFixed(2);
  for (const canvas of document.querySelectorAll('#dials canvas'))
    drawDial(canvas, state.point[Number(canvas.dataset.index)]);
}

function moved() {
  vae.inputAt = performance.now();
  syncControls();
  drawDensity();
  decode();
}

const decode = serialised(async () => {
  const point = state.point.slice();
  const jet = await getJson(`/api/vae/decode?step=${state.step}&z=${point.join(',')}`);
  state.z = jet.z;
  state.decoderInput = jet.decoder_input;
  state.particles = jet.particles;
  drawJet();
  state.updates += 1;
  state.lastUpdateMs = performance.now() - vae.inputAt;
  $('status').textContent = `updated in ${state.lastUpdateMs.toFixed(0)} ms`;
  clearTimeout(vae.nearestTimer);
  vae.nearestTimer = setTimeout(findNearest, 120);
});

// The nearest held-out jet costs one exact EMD per held-out jet: asked for once the point rests.
const findNearest = serialised(async () => {
  const point = state.point.slice();
  const nearest = await getJson(`/api/vae/nearest?step=${state.step}&z=${point.join(',')}`);
  if (point.join(',') !== state.point.join(',')) return;
  state.nearest = nearest;
  drawJet();
  $('nearest').textContent = `nearest held-out jet: file row ${nearest.file_row}, exact EMD ${nearest.emd_GeV.toFixed(2)} GeV`;
});

function weightedCentre(particles) {
  let w = 0, eta = 0, cos = 0, sin = 0;
  for (const [pt, e, phi] of particles) { w += pt; eta += pt * e; cos += pt * Math.cos(phi); sin += pt * Math.sin(phi); }
  return w > 0 ? [eta / w, Math.atan2(sin, cos)] : [0, 0];
}

function wrap(phi) { return phi - 2 * Math.PI * Math.floor((phi + Math.PI) / (2 * Math.PI)); }

const kHalfWidth = 1.2;  // the panel shows η and φ within ±1.2 of the decoded jet's pT-weighted centre

function drawJet() {
  const canvas = $('jet'), g = canvas.getContext('2d'), size = canvas.width, margin = 34;
  const [etaC, phiC] = weightedCentre(state.particles);
  const scale = (size - 2 * margin) / (2 * kHalfWidth);
  const x = (eta) => margin + (eta - etaC + kHalfWidth) * scale;
  const y = (phi) => size - margin - (wrap(phi - phiC) + kHalfWidth) * scale;
  g.clearRect(0, 0, size, size);
  g.fillStyle = 'white'; g.fillRect(0, 0, size, size);
  g.strokeStyle = '#ccc'; g.fillStyle = '#444'; g.font = '11px sans-serif';
  for (let t = -1; t <= 1; t += 0.5) {
    g.beginPath(); g.moveTo(x(etaC + t), margin); g.lineTo(x(etaC + t), size - margin); g.stroke();
    g.beginPath(); g.moveTo(margin, y(phiC + t)); g.lineTo(size - margin, y(phiC + t)); g.stroke();
    g.fillText((etaC + t).toFixed(1), x(etaC + t) - 8, size - margin + 14);
    g.fillText(wrap(phiC + t).toFixed(1), 2, y(phiC + t) + 4);
  }
  g.fillText('η', size / 2, size - 4);
  g.fillText('φ', 4, margin - 10);
  const radius = (pt) => 60 * Math.sqrt(pt);  // area ∝ pT/HT
  g.fillStyle = 'rgba(40, 116, 166, 0.55)';
  for (const [pt, eta, phi] of state.particles) {
    if (pt <= 0) continue;
    g.beginPath(); g.arc(x(eta), y(phi), radius(pt), 0, 2 * Math.PI); g.fill();
  }
  if (!state.nearest) return;
  g.strokeStyle = 'rgba(211, 84, 0, 0.9)';
  for (const [pt, eta, phi] of state.nearest.particles) {
    if (pt <= 0) continue;
    g.beginPath(); g.arc(x(eta), y(phi), radius(pt), 0, 2 * Math.PI); g.stroke();
  }
}

// ±range of a density axis: the encoded jets with a margin, at least ±1.5 (prior units)
function densityRange(values) {
  let m = 0;
  for (const v of values) m = Math.max(m, Math.abs(v));
  return Math.min(Math.max(1.5, 1.15 * m), 8);
}

function drawDensity() {
  const c = vae.checkpoint, canvas = $('density'), g = canvas.getContext('2d'), size = canvas.width, margin = 30;
  const ix = Number($('axis-x').value), iy = Number($('axis-y').value);
  const xs = c.encoded[ix], ys = c.encoded[iy], bins = 40;
  const rx = densityRange(xs), ry = densityRange(ys), cell = (size - 2 * margin) / bins;
  const counts = new Array(bins * bins).fill(0);
  let most = 1;
  for (let i = 0; i < xs.length; ++i) {
    const bx = Math.floor((xs[i] + rx) / (2 * rx) * bins), by = Math.floor((ys[i] + ry) / (2 * ry) * bins);
    if (bx < 0 || by < 0 || bx >= bins || by >= bins) continue;
    most = Math.max(most, ++counts[by * bins + bx]);
  }
  g.fillStyle = 'white'; g.fillRect(0, 0, size, size);
  for (let by = 0; by < bins; ++by)
    for (let bx = 0; bx < bins; ++bx) {
      const n = counts[by * bins + bx];
      if (!n) continue;
      const shade = Math.round(230 - 200 * Math.log1p(n) / Math.log1p(most));
      g.fillStyle = `rgb(${shade}, ${shade}, ${shade + 20})`;
      g.fillRect(margin + bx * cell, size - margin - (by + 1) * cell, cell, cell);
    }
  g.strokeStyle = '#999'; g.strokeRect(margin, margin, size - 2 * margin, size - 2 * margin);
  g.fillStyle = '#444'; g.font = '11px sans-serif';
  g.fillText(`z${ix} (±${rx.toFixed(1)})`, size / 2 - 20, size - 8);
  g.save(); g.translate(12, size / 2 + 20); g.rotate(-Math.PI / 2); g.fillText(`z${iy} (±${ry.toFixed(1)})`, 0, 0); g.restore();
  // a point beyond the frame is drawn on its edge
  const inside = (v, r) => Math.min(Math.max(v, -r), r);
  const px = margin + (inside(state.point[ix], rx) + rx) / (2 * rx) * (size - 2 * margin);
  const py = size - margin - (inside(state.point[iy], ry) + ry) / (2 * ry) * (size - 2 * margin);
  g.strokeStyle = '#c0392b'; g.lineWidth = 2;
  g.beginPath(); g.moveTo(px - 8, py); g.lineTo(px + 8, py); g.moveTo(px, py - 8); g.lineTo(px, py + 8); g.stroke();
  g.lineWidth = 1;
  canvas.onclick = (event) => {
    const box = canvas.getBoundingClientRect();
    const fx = (event.clientX - box.left) / box.width * size, fy = (event.clientY - box.top) / box.height * size;
    state.point[ix] = ((fx - margin) / (size - 2 * margin)) * 2 * rx - rx;
    state.point[iy] = ((size - margin - fy) / (size - 2 * margin)) * 2 * ry - ry;
    moved();
  };
}

// ---------------------------------------------------------------- OTUS runs

const otus = { run: null };

async function startOtus(run) {
  otus.run = run;
  $('otus').hidden = false;
  $('run').textContent = `${run.run} · partons (${run.parton_objects.join(', ')}) → detector (${run.detector_objects.join(', ')})`;
  $('otus-note').textContent = `${run.held_out_events} held-out events` + (run.paired ? '' : '; unpaired run: no true response');
  const input = $('event');
  input.max = run.held_out_events - 1;
  input.onchange = () => loadEvent(Number(input.value)).catch(showError);
  $('previous').onclick = () => { input.value = Math.max(0, Number(input.value) - 1); input.onchange(); };
  $('next').onclick = () => { input.value = Math.min(run.held_out_events - 1, Number(input.value) + 1); input.onchange(); };
  $('samples').onchange = () => simulate();
  await loadEvent(0);
}

async function loadEvent(index) {
  const event = await getJson(`/api/otus/event?index=${index}`);
  state.event = index;
  state.edited = false;
  state.objects = event.objects;
  const table = $('kinematics');
  table.replaceChildren();
  table.append(element('tr', {}, ''));
  table.rows[0].append(element('th', {}, 'object'), element('th', {}, 'E [GeV]'), element('th', {}, 'η'),
                       element('th', {}, 'φ'), element('th', {}, 'm [GeV]'));
  event.objects.forEach((o, i) => {
    const row = element('tr');
    row.append(element('td', {}, o.name));
    for (const key of ['energy_GeV', 'eta', 'phi']) {
      const input = element('input', { type: 'number', step: key === 'energy_GeV' ? 1 : 0.05, id: `object-${i}-${key}` });
      input.value = o[key].toFixed(key === 'energy_GeV' ? 2 : 3);
      input.onchange = () => { state.objects[i][key] = Number(input.value); state.edited = true; simulate(); };
      const cell = element('td');
      cell.append(input);
      row.append(cell);
    }
    row.append(element('td', {}, o.mass_GeV.toFixed(3)));
    table.append(row);
  });
  simulate();
}

const simulate = serialised(async () => {
  const samples = $('samples').value;
  const query = state.edited
    ? `kinematics=${state.objects.map((o) => [o.energy_GeV, o.eta, o.phi, o.mass_GeV].join(',')).join(',')}`
    : `index=${state.event}`;
  const response = await getJson(`/api/otus/simulate?${query}&samples=${samples}`);
  state.response = response;
  drawHistograms(response);
  state.updates += 1;
});

function quantile(sorted, q) { return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]; }

function histogram(values, low, high, bins) {
  const counts = new Array(bins).fill(0);
  for (const v of values) {
    const b = Math.floor((v - low) / (high - low) * bins);
    if (b >= 0 && b < bins) counts[b] += 1;
  }
  return counts.map((n) => n / Math.max(1, values.length));
}

function drawHistograms(r) {
  const box = $('histograms');
  box.replaceChildren();
  r.observables.forEach((name, o) => {
    const simulated = r.simulated[o], neighbours = r.neighbours ? r.neighbours[o] : [];
    const all = simulated.concat(neighbours).sort((a, b) => a - b);
    let low = quantile(all, 0.005), high = quantile(all, 0.995);
    if (r.truth) { low = Math.min(low, r.truth[o]); high = Math.max(high, r.truth[o]); }
    if (high <= low) { low -= 1; high += 1; }
    const pad = 0.05 * (high - low);
    low -= pad; high += pad;
    const bins = 40, w = 260, h = 150, m = 22;
    const hs = histogram(simulated, low, high, bins), hn = neighbours.length ? histogram(neighbours, low, high, bins) : [];
    const top = Math.max(...hs, ...hn, 1e-9);
    const canvas = element('canvas', { width: w, height: h, 'data-observable': name });
    const g = canvas.getContext('2d');
    g.fillStyle = 'white'; g.fillRect(0, 0, w, h);
    const x = (v) => m + (v - low) / (high - low) * (w - 2 * m), bw = (w - 2 * m) / bins;
    const y = (f) => h - m - f / top * (h - 2 * m);
    g.fillStyle = '#5dade2';
    hs.forEach((f, b) => g.fillRect(m + b * bw, y(f), bw, h - m - y(f)));
    if (hn.length) {
      g.strokeStyle = '#e67e22'; g.lineWidth = 2; g.beginPath(); g.moveTo(m, h - m);
      hn.forEach((f, b) => { g.lineTo(m + b * bw, y(f)); g.lineTo(m + (b + 1) * bw, y(f)); });
      g.lineTo(w - m, h - m); g.stroke(); g.lineWidth = 1;
    }
    if (r.truth) {
      g.strokeStyle = '#c0392b'; g.lineWidth = 2;
      g.beginPath(); g.moveTo(x(r.truth[o]), m); g.lineTo(x(r.truth[o]), h - m); g.stroke(); g.lineWidth = 1;
    }
    g.fillStyle = '#222'; g.font = '12px sans-serif';
    g.fillText(`${name} [GeV]`, m, 14);
    g.font = '10px sans-serif'; g.fillStyle = '#555';
    g.fillText(low.toPrecision(4), m, h - 6);
    g.fillText(high.toPrecision(4), w - m - 30, h - 6);
    box.append(canvas);
  });
}

// ---------------------------------------------------------------- start

getJson('/api/run')
  .then((run) => {
    state.kind = run.kind;
    document.title = `otae explore · ${run.run}`;
    return run.kind === 'vae' ? startVae(run) : startOtus(run);
  })
  .catch(showError);
