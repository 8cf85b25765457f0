// The web studio end to end, in Debian's headless Chromium driven by playwright-core: trains a tiny
// model with the CLI, starts `pianola serve` on a free port, composes a piece through the page and
// checks that the audio element can play it and the piano roll is shown, continues an uploaded
// primer, takes screenshots, checks that nonsense fields, an unknown model, oversized and non-MIDI
// uploads and path-traversal URLs each get a 4xx with a message, and that SIGTERM stops the server
// cleanly with its files removed. Then, as a new user would, it sends a folder of MIDI files from the
// page, trains the tiny preset there (to fill in bars too) while the chart fills, composes with the
// model, rewrites two bars of an uploaded melody with it toward the bars after them, and composes
// parts around that melody.
// Run by ctest through run.sh: node studio_test.mjs PIANOLA_BINARY OUTPUT_DIR
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const [pianola, outDir] = process.argv.slice(2);
assert.ok(pianola && outDir, 'usage: node studio_test.mjs PIANOLA_BINARY OUTPUT_DIR');
fs.mkdirSync(outDir, { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pianola-browser-'));
let passed = 0;

function check(what, ok, detail = '') {
  assert.ok(ok, `${what} ${detail}`);
  passed += 1;
  console.log(`ok ${passed} - ${what}`);
}

// A one-track MIDI file: each pitch a quarter note at 96 ticks per quarter.
// basses: by note index, a pitch struck with that note and released with it.
function melody(pitches, basses = {}) {
  const events = [];
  pitches.forEach((pitch, i) => {
    const bass = basses[i];
    events.push(i === 0 ? 0 : 6, 0x90, pitch, 80, ...(bass === undefined ? [] : [0, 0x90, bass, 80]),
                90, 0x80, pitch, 0, ...(bass === undefined ? [] : [0, 0x80, bass, 0]));
  });
  events.push(0, 0xff, 0x2f, 0);
  const length = [24, 16, 8, 0].map((shift) => (events.length >> shift) & 0xff);
  return Buffer.from([...Buffer.from('MThd'), 0, 0, 0, 6, 0, 0, 0, 1, 0, 96, ...Buffer.from('MTrk'), ...length, ...events]);
}

function trainTinyModel(models) {
  const corpus = path.join(work, 'midi');
  fs.mkdirSync(corpus);
  const scale = [60, 62, 64, 65, 67, 69, 71, 72];
  for (let k = 0; k < 4; k += 1)
    fs.writeFileSync(path.join(corpus, `m${k}.mid`), melody([...scale, ...[...scale].reverse()].map((p) => p + k)));
  execFileSync(pianola, ['train', '--preset', 'tiny', '--epochs', '1', '--threads', '1', '--data', corpus,
                         '--out', path.join(models, 'tiny.pianola')], { stdio: 'pipe' });
}

// Starts the server on a free port; resolves with its URL and the process once it prints the URL.
function startStudio(models) {
  const server = spawn(pianola, ['serve', '--port', '0', '--threads', '1', '--models', models]);
  let output = '';
  server.stderr.on('data', (chunk) => { output += chunk; });
  return new Promise((resolve, reject) => {
    server.stdout.on('data', (chunk) => {
      output += chunk;
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(output);
      if (url) resolve({ server, url: url[0], output: () => output });
    });
    server.on('exit', (code) => reject(new Error(`pianola serve exited with ${code}: ${output}`)));
  });
}

// A raw GET with the path exactly as given: browsers and fetch() resolve '..' before sending.
function rawGet(url, target) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    http.get({ hostname, port, path: target }, (response) => {
      let body = '';
      response.on('data', (chunk) => { body += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, body,
                                         type: response.headers['content-type'] }));
    }).on('error', reject);
  });
}

// The page's fields as the page sends them, posted from inside the page.
function postFromPage(page, fields) {
  return page.evaluate(async (entries) => {
    const form = new FormData();
    for (const [name, value] of entries) form.append(name, value);
    const response = await fetch('/api/compose', { method: 'POST', body: form });
    return { status: response.status, body: await response.json() };
  }, Object.entries(fields));
}

// Presses Compose; 'done' waits for this job's own result, not the one still shown from before.
async function composeInPage(page, outcome) {
  if (outcome === 'refused') {
    await page.click('#go');
    return page.waitForSelector('#error', { state: 'visible', timeout: 30000 });
  }
  const [posted] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/compose')), page.click('#go')]);
  const { id } = await posted.json();
  return page.waitForSelector(`#result[data-job="${id}"]`, { state: 'visible', timeout: 120000 });
}

async function run() {
  const models = path.join(work, 'models');
  fs.mkdirSync(models);
  trainTinyModel(models);
  check('a tiny model trains through the CLI', fs.existsSync(path.join(models, 'tiny.pianola')));

  const studio = await startStudio(models);
  try {
    await composeAndRefuse(studio);
    await trainInPage(studio);
    await stop(studio);
  } finally {
    if (studio.server.exitCode === null && studio.server.signalCode === null) studio.server.kill('SIGKILL');
  }
}

async function composeAndRefuse(studio) {
  // Played without a click: the playhead is checked while the audio plays.
  const browser = await chromium.launch({ executablePath: process.env.PIANOLA_CHROMIUM,
                                         args: ['--autoplay-policy=no-user-gesture-required'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const consoleErrors = [];
    page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
    const stagesSeen = new Set();
    page.on('response', async (response) => {
      if (response.url().includes('/api/jobs/')) stagesSeen.add((await response.json().catch(() => ({}))).stage);
    });

    await page.goto(studio.url);
    await page.waitForSelector('#model option', { state: 'attached' });
    check('the page lists the model', (await page.locator('#model option').allTextContents()).join() === 'tiny.pianola');
    check('the page takes its ranges from the server', (await page.inputValue('#length')) === '' &&
          (await page.getAttribute('#length', 'max')) === '2000' && (await page.inputValue('#top_p')) === '' &&
          (await page.getAttribute('#top_p', 'max')) === '1' && (await page.getAttribute('#key_pull', 'max')) === '10');
    await page.selectOption('#unit', 'bars');
    check('the length takes the range of its unit', (await page.getAttribute('#length', 'max')) === '500');
    await page.selectOption('#unit', 'notes');

    check('the page takes the guard and top-k from the server', (await page.inputValue('#top_k')) === '0' &&
          (await page.inputValue('#max_copy')) === '' && (await page.getAttribute('#redraw', 'max')) === '100');
    await page.fill('#length', '48');
    await page.fill('#temperature', '0.9');
    await page.fill('#top_p', '0.95');
    await page.fill('#time_temperature', '0.9');
    await page.fill('#memory', '0.5');
    await page.fill('#tempo', '96');
    await page.selectOption('#program', '40');
    await page.fill('#top_k', '60');
    await page.fill('#max_copy', '12');
    await page.fill('#seed', '7');
    await page.selectOption('#pedal', 'bass');
    await composeInPage(page, 'done');
    check('the progress went through the stages', stagesSeen.has('done') && stagesSeen.size >= 2, [...stagesSeen].join());
    check('the elapsed time is shown', /^done in \d+\.\d s$/.test(await page.textContent('#elapsed')));

    const audio = await page.waitForFunction(() => {
      const player = document.getElementById('player');
      return player.readyState >= 2 && player.duration > 0 && { duration: player.duration, src: player.currentSrc };
    }, null, { timeout: 30000 }).then((handle) => handle.jsonValue());
    check('the audio element has a playable source', audio.duration > 1, JSON.stringify(audio));
    const roll = await page.$eval('#roll', (img) => img.complete && { width: img.naturalWidth, height: img.naturalHeight });
    check('the piano roll is shown', roll && roll.width > 0 && roll.height > 0, JSON.stringify(roll));

    // The playhead: where the audio is, over the roll; a click on the roll seeks there.
    const job = await (await page.request.get(new URL(`/api/jobs/${await page.getAttribute('#result', 'data-job')}`,
                                                      studio.url).href)).json();
    // Beside the roll: what `evaluate` measures of the piece against the held-out pieces, as the job says.
    const figures = await page.$$eval('#figures tbody tr', (rows) => rows.map((row) => ({
      name: row.dataset.feature, value: row.cells[1].textContent, outside: row.classList.contains('outside') })));
    check("the piece's figures are shown beside the held-out pieces'", job.piece.figures.length === 18 &&
          figures.length === 18 && figures.every((f, i) => f.name === job.piece.figures[i].name &&
            f.outside === job.piece.figures[i].outside &&
            Math.abs(parseFloat(f.value) - job.piece.figures[i].value) <= 0.01 * Math.max(1, Math.abs(job.piece.figures[i].value))),
          JSON.stringify(figures));
    const pedalUse = job.piece.figures.find((f) => f.name === 'pedal_share');
    check('the piece is pedalled at its bass changes, as asked', job.pedal === 'bass' && pedalUse && pedalUse.value > 0.5,
          JSON.stringify({ pedal: job.pedal, pedalUse }));
    check('the longest run shared with the training pieces is shown', Number.isInteger(job.piece.longest_copy) &&
          (await page.textContent('#copy')).includes(`${job.piece.longest_copy} tokens`), await page.textContent('#copy'));
    const geometry = job.piece.roll;
    const shown = await page.$eval('#roll', (img) => img.clientWidth);
    const scale = shown / geometry.width;
    const playheadX = () => page.$eval('#playhead', (line) => !line.hidden && parseFloat(line.style.left));
    check('the playhead starts at the left edge of the plot', Math.abs((await playheadX()) - geometry.left * scale) < 1,
          `${await playheadX()} against ${geometry.left * scale}`);
    const target = 0.75;
    const box = await page.locator('#roll').boundingBox();
    await page.locator('#roll').click({ position: { x: (geometry.left + (geometry.right - geometry.left) * target) * scale,
                                                    y: box.height / 2 } });
    const sought = await page.$eval('#player', (player) => player.currentTime);
    check('a click on the roll seeks the audio to the time under it',
          Math.abs(sought - target * geometry.seconds) < 0.02 * geometry.seconds, `${sought} of ${geometry.seconds} s`);
    const before = await playheadX();
    check('the playhead moves to where the click sought', Math.abs(before - (geometry.left + (geometry.right - geometry.left) * target) * scale) < 2,
          `${before}`);
    await page.$eval('#player', (player) => { player.muted = true; player.currentTime = 0; return player.play(); });
    await page.waitForFunction(() => document.getElementById('player').currentTime > 0.5, null, { timeout: 10000 });
    const playing = await playheadX();
    await page.$eval('#player', (player) => player.pause());
    check('the playhead moves while the audio plays', playing > geometry.left * scale + 0.5 &&
          playing < geometry.right * scale, `${playing}`);
    const midiHref = await page.getAttribute('#get-midi', 'href');
    const midi = await page.request.get(new URL(midiHref, studio.url).href);
    check('the MIDI download is a MIDI file', (await midi.body()).subarray(0, 4).toString() === 'MThd');
    check('the downloads are named after the piece', (await page.getAttribute('#get-wav', 'download')) === 'pianola-tiny-7.wav');
    const title = await page.textContent('#title');
    check('the title says what was composed', ['48 notes', 'seed 7', 'rhythm temperature 0.9', 'top-p 0.95', 'memory 0.5', 'tempo 96',
                                               'Violin', 'top-k 60', 'copy limit 12'].every((part) => title.includes(part)) &&
          !title.includes('redraws'), title);
    check("the copy limit asked is the guard's", job.piece.copy_limit === 12, JSON.stringify(job.piece.copy_limit));
    const first = path.join(work, 'first.mid');
    fs.writeFileSync(first, await midi.body());
    const firstCsv = execFileSync(pianola, ['midi', 'csv', first]).toString();
    check('the piece plays on the instrument chosen', /Program_c, \d+, 40\n/.test(firstCsv));
    check('the piece has the tempo chosen', /Tempo, 625000\n/.test(firstCsv));
    await page.screenshot({ path: path.join(outDir, 'studio.png'), fullPage: true });

    const opening = [60, 64, 67, 72];
    await page.setInputFiles('#primer', { name: 'opening.mid', mimeType: 'audio/midi', buffer: melody(opening) });
    await page.fill('#seed', '8');
    await composeInPage(page, 'done');
    const continued = path.join(work, 'continued.mid');
    fs.writeFileSync(continued, await (await page.request.get(new URL(await page.getAttribute('#get-midi', 'href'),
                                                                          studio.url).href)).body());
    // Notes at the same tick are listed by pitch, so each primer note is looked for at its onset.
    const rows = execFileSync(pianola, ['midi', 'csv', continued]).toString().split('\n').map((line) => line.split(', '));
    const quarter = Number(rows.find((f) => f[2] === 'Header')[5]);
    const onsets = rows.filter((f) => f[2] === 'Note_on_c' && Number(f[5]) > 0).map((f) => `${f[1]}:${f[4]}`);
    check('a piece composed after a primer opens with it', onsets.length > opening.length &&
          opening.every((pitch, i) => onsets.includes(`${i * quarter}:${pitch}`)), onsets.join());
    await page.setInputFiles('#primer', []);

    await page.fill('#chord', 'Am');
    await page.selectOption('#unit', 'bars');
    await page.fill('#length', '4');
    await page.fill('#seed', '9');
    await composeInPage(page, 'done');
    const chordFile = path.join(work, 'from-chord.mid');
    fs.writeFileSync(chordFile, await (await page.request.get(new URL(await page.getAttribute('#get-midi', 'href'),
                                                                     studio.url).href)).body());
    const fromChord = execFileSync(pianola, ['midi', 'csv', chordFile]).toString();
    const firstOnset = fromChord.split('\n').map((line) => line.split(', '))
      .filter((f) => f[2] === 'Note_on_c' && f[1] === '0' && Number(f[5]) > 0).map((f) => Number(f[4]));
    check('a piece asked to start from A minor opens on its chord', [57, 60, 64].every((p) => firstOnset.includes(p)),
          firstOnset.join());
    check('the title says it started from the chord, in bars', (await page.textContent('#title')).includes('4 bars') &&
          (await page.textContent('#title')).includes('from Am'));

    // The session's three pieces side by side, newest first; deleting one takes its files off the server.
    const kept = await page.$$eval('#history li', (items) => items.map((item) => ({
      id: item.dataset.job, links: [...item.querySelectorAll('a')].map((a) => a.textContent).join(),
      audio: !!item.querySelector('audio'), image: item.querySelector('img').complete })));
    check('the history holds the three pieces, newest first, each with its files', kept.length === 3 &&
          kept[0].id === await page.getAttribute('#result', 'data-job') &&
          kept.every((k) => k.links === 'MIDI,WAV,PNG' && k.audio && k.image), JSON.stringify(kept));
    const oldest = kept[2].id;
    const oldestMidi = new URL(`/files/${oldest}/piece.mid`, studio.url).href;
    check("a kept piece's MIDI is served", (await page.request.get(oldestMidi)).status() === 200);
    await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/api/jobs/${oldest}`) && r.request().method() === 'DELETE'),
                       page.click(`#history li[data-job="${oldest}"] .delete`)]);
    await page.waitForFunction((id) => !document.querySelector(`#history li[data-job="${id}"]`), oldest);
    check('a deleted piece leaves the history and the server', (await page.$$('#history li')).length === 2 &&
          (await page.request.get(oldestMidi)).status() === 404 && !(await page.isHidden('#result')));

    // Several pieces at once: queued together, the seeds one after another, all kept in the history.
    await page.fill('#pieces', '2');
    await page.fill('#seed', '20');
    await page.click('#go');
    await page.waitForFunction(() => document.querySelectorAll('#history li').length === 4, null, { timeout: 120000 });
    const titles = await page.$$eval('#history .piece-title', (items) => items.map((item) => item.textContent));
    check('two pieces at once, seeds one after the other', titles[0].includes('seed 21') && titles[1].includes('seed 20'),
          titles.join(' | '));
    await page.waitForSelector('#go:not([disabled])');
    await page.fill('#pieces', '99');
    await page.click('#go');
    await page.waitForSelector('#error', { state: 'visible' });
    check('more pieces than the queue holds are refused in the page',
          (await page.textContent('#error')) === "pieces must be a whole number from 1 to 8, not '99'");
    await page.fill('#pieces', '1');

    await page.fill('#chord', 'H minor');
    await composeInPage(page, 'refused');
    check('a chord that is none is refused in the page', (await page.textContent('#error')) ===
          "chord must be a chord or a key (C, Am, F#m7, Bbmaj7, D minor), not 'H minor'");
    await page.fill('#chord', '');
    await page.selectOption('#unit', 'notes');

    await page.fill('#length', '-5');
    await composeInPage(page, 'refused');
    check('negative length is refused in the page', (await page.textContent('#error')) ===
          "notes must be a whole number from 1 to 2000, not '-5'");
    await page.fill('#length', '48');

    await page.setInputFiles('#primer', { name: 'letter.mid', mimeType: 'audio/midi', buffer: Buffer.from('Dear Sir,') });
    await composeInPage(page, 'refused');
    check('a non-MIDI upload is refused in the page', (await page.textContent('#error')) ===
          'the uploaded primer (byte 0): not a MIDI file: missing MThd header');
    await page.screenshot({ path: path.join(outDir, 'studio-refusal.png'), fullPage: true });

    await page.setInputFiles('#primer', { name: 'big.mid', mimeType: 'audio/midi', buffer: Buffer.alloc(1536 * 1024, 1) });
    await composeInPage(page, 'refused');
    check('an oversized upload is refused in the page', (await page.textContent('#error')) ===
          'the primer is 1536.0 KiB; at most 1024 KiB is taken');

    for (const [fields, status, message] of [
      [{ model: 'tiny.pianola', temperature: 'abc' }, 400, "temperature must be a number from 0 to 5, not 'abc'"],
      [{ model: 'tiny.pianola', notes: '-5' }, 400, "notes must be a whole number from 1 to 2000, not '-5'"],
      [{ model: 'nope.pianola' }, 400, "unknown model 'nope.pianola': pick one of the models listed"],
      [{ model: '../models/tiny.pianola' }, 400, "unknown model '../models/tiny.pianola': pick one of the models listed"],
      [{ model: 'tiny.pianola', top_p: '2' }, 400, "top_p must be a number from 0.01 to 1, not '2'"],
      [{ model: 'tiny.pianola', notes: '40', bars: '4' }, 400, 'give the length once: in notes, bars or seconds'],
      [{ model: 'tiny.pianola', program: '128' }, 400, "program must be a whole number from 0 to 127, not '128'"],
    ]) {
      const answer = await postFromPage(page, fields);
      check(`refused with ${status}: ${JSON.stringify(fields)}`, answer.status === status && answer.body.error === message,
            JSON.stringify(answer));
    }

    for (const target of ['/files/../../etc/passwd', '/files/%2e%2e/%2e%2e/etc/passwd', '/%2e%2e/%2e%2e/etc/passwd',
                          `${midiHref}/../../../../etc/passwd`, `${midiHref.replace('piece.mid', '..%2f..%2fetc%2fpasswd')}`,
                          '/files/..%2f..%2f..%2fetc/passwd', '/tiny.pianola']) {
      const answer = await rawGet(studio.url, target);
      check(`traversal refused: ${target}`, answer.status === 404 && answer.type === 'application/json' &&
            JSON.parse(answer.body).error.startsWith('no such') && !answer.body.includes('root:'), JSON.stringify(answer));
    }
    check('the page logged no errors but the refusals', consoleErrors.every((text) => /status of 4\d\d/.test(text)),
          consoleErrors.join('\n'));
  } finally {
    await browser.close();
  }
}

// Training from the page: a folder of pieces sent (a text file among them, skipped with its reason),
// the tiny preset trained in a worker while the chart fills, the model then composed with.
async function trainInPage(studio) {
  const browser = await chromium.launch({ executablePath: process.env.PIANOLA_CHROMIUM });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    await page.goto(studio.url);
    await page.waitForSelector('#train-box', { state: 'visible' });
    const scale = [60, 62, 64, 65, 67, 69, 71, 72];
    // Enough music that the tiny preset's epochs take a poll or more each, so the chart is seen to grow;
    // a bass under every fourth note, so that the model has parts to put under a melody (trained on
    // tunes alone, it hears a melody best with none and accompanies with nothing).
    const tune = (k) => Array.from({ length: 400 }, (_, i) => scale[(i * (k + 3)) % 8] + (i % 3) * 12 - 12 + (k % 5));
    const bass = (k) => Object.fromEntries(Array.from({ length: 100 }, (_, j) => [4 * j, scale[(j * (k + 1)) % 8] - 24 + (k % 5)]));
    const files = Array.from({ length: 24 }, (_, k) => ({ name: `tune${k}.mid`, mimeType: 'audio/midi', buffer: melody(tune(k), bass(k)) }));
    files.push({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not music') });
    await page.setInputFiles('#files', files);
    await page.click('#send');
    await page.waitForSelector('#train', { state: 'visible', timeout: 30000 });
    const report = await page.$$eval('#upload-report tbody tr', (rows) => rows.map((row) => [row.className, row.cells[1].textContent]));
    check('the upload says what was read and what was skipped and why', report.length === 25 &&
          report.slice(0, 24).every(([kind, note]) => kind === 'read' && /^\u2713 500 notes/.test(note)) &&
          report[24][0] === 'skipped' && report[24][1].includes('not a MIDI file'), JSON.stringify(report.slice(0, 2)));
    await page.fill('#train-name', 'mine');
    await page.selectOption('#preset', 'tiny');
    await page.fill('#minutes', '0.5');
    // Trained to fill in bars too, so that rewriting bars below reads the bars after them.
    await page.selectOption('#fill-rate', '0.5');
    // Every count of points the chart has drawn, as it draws them.
    await page.$eval('#chart', (canvas) => {
      window.chartCounts = [];
      new MutationObserver(() => window.chartCounts.push(Number(canvas.dataset.points)))
        .observe(canvas, { attributes: true, attributeFilter: ['data-points'] });
    });
    await page.click('#start');
    await page.waitForFunction(() => document.getElementById('training').dataset.state === 'done', null, { timeout: 120000 });
    const counts = [...new Set(await page.evaluate(() => window.chartCounts))].filter((n) => n > 0);
    check('the chart fills as the training goes, and the training ends', counts.length >= 2,
          `${counts.join()}: ${await page.textContent('#training-state')}`);
    check('the state names the finished model', (await page.textContent('#training-state')).includes('mine.pianola is among the models'));
    await page.waitForFunction(() => [...document.querySelectorAll('#model option')].some((o) => o.value === 'mine.pianola'));
    check('the model trained in the page is among the models', true);
    await page.screenshot({ path: path.join(outDir, 'studio-training.png'), fullPage: true });
    await page.selectOption('#model', 'mine.pianola');
    await page.fill('#length', '24');
    await page.fill('#chord', 'C');
    await composeInPage(page, 'done');
    check('the model trained in the page composes', (await page.textContent('#title')).startsWith('mine.pianola'));

    // Bars 3-4 of an 8-bar melody rewritten, its rhythm kept: the other bars stay as they were.
    const original = Array.from({ length: 32 }, (_, i) => scale[(i * 3) % 8]);
    await page.fill('#chord', '');
    await page.fill('#length', '');
    await page.setInputFiles('#primer', { name: 'eight-bars.mid', mimeType: 'audio/midi', buffer: melody(original) });
    await page.fill('#infill', '3-4');
    await page.selectOption('#keep', 'rhythm');
    await composeInPage(page, 'done');
    check('the fit of the bars rewritten toward the bars after them is shown beside the original bars\'',
          /^The bars rewritten toward the bars after them, as the model hears them: \d+\.\d\d bits\/note \(the original bars: \d+\.\d\d\)/.test(await page.textContent('#copy')),
          await page.textContent('#copy'));
    check('the title says which bars were rewritten', (await page.textContent('#title')).includes('bars 3-4 rewritten, rhythm kept'),
          await page.textContent('#title'));
    const infilled = path.join(work, 'infilled.mid');
    fs.writeFileSync(infilled, await (await page.request.get(new URL(await page.getAttribute('#get-midi', 'href'), studio.url).href)).body());
    const rows = execFileSync(pianola, ['midi', 'csv', infilled]).toString().split('\n').map((line) => line.split(', '));
    const quarter = Number(rows.find((f) => f[2] === 'Header')[5]);
    const notes = rows.filter((f) => f[2] === 'Note_on_c' && Number(f[5]) > 0)
      .map((f) => ({ beat: Number(f[1]) / quarter, pitch: Number(f[4]) })).sort((a, b) => a.beat - b.beat);
    const outside = notes.filter((n) => n.beat < 8 || n.beat >= 16).map((n) => n.pitch);
    const expected = original.filter((_, i) => i < 8 || i >= 16);
    check('an infilled piece keeps the bars around the ones rewritten, and their rhythm', notes.length === 32 &&
          outside.join() === expected.join(), notes.map((n) => `${n.beat.toFixed(2)}:${n.pitch}`).join());

    // The melody an octave up accompanied (the parts keep an octave under it): its notes stay, the
    // parts come below them on a channel of their own.
    const high = original.map((pitch) => pitch + 12);
    await page.fill('#infill', '');
    await page.selectOption('#keep', '');
    await page.setInputFiles('#primer', { name: 'tune.mid', mimeType: 'audio/midi', buffer: melody(high) });
    await page.check('#accompany');
    await composeInPage(page, 'done');
    check('the fit of the parts composed around the melody is shown',
          /^\d+ notes around the melody's 32, \d+% of them in its key; the model hears the melody at \d+\.\d\d bits\/note/
            .test(await page.textContent('#copy')), await page.textContent('#copy'));
    check('the title says the parts were composed around the melody',
          (await page.textContent('#title')).includes('parts around the melody'), await page.textContent('#title'));
    const accompanied = path.join(work, 'accompanied.mid');
    fs.writeFileSync(accompanied, await (await page.request.get(new URL(await page.getAttribute('#get-midi', 'href'), studio.url).href)).body());
    const events = execFileSync(pianola, ['midi', 'csv', accompanied]).toString().split('\n').map((line) => line.split(', '));
    const struck = events.filter((f) => f[2] === 'Note_on_c' && Number(f[5]) > 0);
    const melodyNotes = struck.filter((f) => f[3] === '0').map((f) => Number(f[4]));
    const parts = struck.filter((f) => f[3] !== '0').map((f) => Number(f[4]));
    check('an accompanied melody keeps every note, and the parts play below it', melodyNotes.join() === high.join() &&
          parts.length > 0 && Math.max(...parts) < Math.max(...high), `${melodyNotes.join()} / ${parts.join()}`);
  } finally {
    await browser.close();
  }
}

async function stop(studio) {
  const folder = /wrote (\S+)\/[0-9a-f]{16}\/piece\.mid/.exec(studio.output());
  check('the server logged where it composed', folder !== null, studio.output());
  const exit = new Promise((resolve) => studio.server.on('exit', (code, signal) => resolve({ code, signal })));
  studio.server.kill('SIGTERM');
  const { code } = await exit;
  check('SIGTERM stops the server cleanly', code === 0 && studio.output().includes('stopped (Terminated)'), studio.output());
  check('and its files are removed', !fs.existsSync(folder[1]), folder[1]);
}

try {
  await run();
  console.log(`${passed} passed, 0 failed`);
} catch (error) {
  console.error(`not ok - ${error.message}`);
  console.log(`${passed} passed, 1 failed`);
  process.exitCode = 1;
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
