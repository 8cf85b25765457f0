// The web studio's behaviour: sets the form's ranges from the server, sends a composition, follows
// its job until it is done, then shows the piano roll with a playhead that follows the player (a
// click on the roll seeks), the player, the downloads and the piece's figures beside the held-out
// human pieces', and keeps the session's pieces side by side below, each playable, downloadable and
// deletable. The server checks every field it is sent and the page shows its messages as they are;
// the page checks only its own field, how many pieces to ask for.
'use strict';

const $ = (id) => document.getElementById(id);
const stages = ['queued', 'composing', 'rendering', 'drawing', 'done'];
const pollMs = 250;
// The number fields whose ranges and starting values the server gives; the length is apart, its
// unit chosen beside it.
const bounded = ['temperature', 'top_p', 'time_temperature', 'time_top_p', 'duration_temperature', 'duration_top_p',
  'memory', 'key_pull', 'tempo', 'top_k', 'max_copy', 'redraw'];
const said = { top_p: 'top-p', time_temperature: 'rhythm temperature', time_top_p: 'rhythm top-p',
  duration_temperature: 'note-length temperature', duration_top_p: 'note-length top-p', key_pull: 'key pull',
  top_k: 'top-k', max_copy: 'copy limit', redraw: 'redraws' };
// General MIDI's 128 instruments, in program order, as the server names them (music::program_name).
let instruments = [];
let limits = {};
// The shown piano roll's geometry, from the server: its size in pixels, the plot area's edges, and
// the piece's time at the right edge; null while none is shown.
let roll = null;

// Every answer of the server is JSON; a refusal carries {error}.
async function ask(url, options) {
  let response;
  try {
    response = await fetch(url, options);
  } catch {
    throw new Error('the studio did not answer: is `pianola serve` still running?');
  }
  const body = await response.json().catch(() => ({ error: `the studio answered HTTP ${response.status}` }));
  if (!response.ok) throw new Error(body.error);
  return body;
}

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = !message;
}

async function load() {
  const studio = await ask('/api/studio');
  limits = studio.limits;
  instruments = studio.instruments;
  for (const name of bounded) {
    const range = limits[name];
    Object.assign($(name), { min: range.min, max: range.max, value: range.initial ?? '' });
  }
  setLengthRange();
  $('program').replaceChildren(new Option('as composed', ''),
    ...instruments.map((name, program) => new Option(`${program} ${name}`, program)));
  $('program').value = limits.program.initial ?? '';
  $('primer-limit').textContent = `at most ${Math.round(studio.limits.primer_bytes / 1024)} KiB`;
  $('pieces').max = studio.pieces;
  showModels(studio);
}

// The models offered, the chosen one kept where it is still there.
function showModels(studio) {
  const chosen = $('model').value;
  $('model').replaceChildren(...studio.models.map((name) => new Option(name, name)));
  if (studio.models.includes(chosen)) $('model').value = chosen;
  const none = studio.models.length === 0;
  $('no-models').hidden = !none;
  $('no-models').textContent = `No models (*.pianola) in ${studio.folder}: train one below, or with ` +
    `pianola train --data YOUR_MIDI --out ${studio.folder}/my.pianola, then reload.`;
  $('go').disabled = none;
}

// After a training ends: its model joins the list.
async function refreshModels() {
  showModels(await ask('/api/studio'));
}

function setLengthRange() {
  const range = limits[$('unit').value];
  Object.assign($('length'), { min: range.min, max: range.max });
}

function showStage(job) {
  const at = stages.indexOf(job.stage);
  for (const item of $('stages').children) {
    const index = stages.indexOf(item.dataset.stage);
    item.classList.toggle('passed', index < at || job.stage === 'done');
    item.classList.toggle('current', index === at && job.stage !== 'done');
  }
  const seconds = `${job.seconds.toFixed(1)} s`;
  $('elapsed').textContent = job.stage === 'done' ? `done in ${seconds}`
    : job.stage === 'queued' ? `waiting for ${job.ahead} piece${job.ahead === 1 ? '' : 's'} before this one, ${seconds}`
    : `${$('stages').children[at].textContent}, ${seconds}`;
}

function showResult(job) {
  const name = fileName(job);
  const length = ['notes', 'bars', 'seconds'].find((unit) => job[unit] !== null);
  const chosen = [job.infill ? `bars ${job.infill} rewritten${job.keep ? `, ${job.keep} kept` : ''}`
    : job.accompany ? 'parts around the melody'
    : length ? `${job[length]} ${length}` : "the model's length", `seed ${job.seed}`];
  // What was asked beyond the defaults (top-k and redraws are 0 unless asked).
  for (const name of bounded)
    if (job[name] !== null && job[name] !== limits[name].initial) chosen.push(`${said[name] ?? name} ${job[name]}`);
  if (job.program !== null) chosen.push(instruments[job.program]);
  if (job.chord) chosen.push(`from ${job.chord}`);
  $('title').textContent = `${job.model}: ${chosen.join(', ')}`;
  roll = job.piece.roll;
  $('playhead').hidden = true;
  $('player').src = job.files.wav;
  $('roll').src = job.files.png;
  Object.assign($('get-midi'), { href: job.files.midi, download: `${name}.mid` });
  Object.assign($('get-wav'), { href: job.files.wav, download: `${name}.wav` });
  Object.assign($('get-png'), { href: job.files.png, download: `${name}.png` });
  showFigures(job.piece);
  keep(job, $('title').textContent);
  $('result').dataset.job = job.id;
  $('result').hidden = false;
}

// MusicStats' fields (eval::stat_fields) as a reader says them.
const features = {
  pitch_range: 'pitch range (semitones)', pitch_class_entropy: 'pitch-class entropy (bits)',
  polyphony: 'polyphony (notes at once)', distinct_intervals: 'distinct inter-onset intervals',
  ioi_entropy: 'inter-onset entropy (bits)', duration_entropy: 'note-length entropy (bits)',
  longest_repeat: 'longest repeat (onsets)',
  distinct_4grams: 'distinct 4-onset runs (share)', ends_on_tonic: "ends on its key's tonic (1: yes)",
  instruments: 'instruments (the drums one)', velocity_range: 'velocity range (softest to loudest)',
  pedal_share: 'sustain pedal down (share of the time)',
  tempo_changes: 'tempo changes', tempo_spread: 'fastest tempo over the slowest',
};
// Whole numbers as they are, the rest to 3 significant digits.
const figure = (x) => (Number.isInteger(x) ? String(x) : x.toPrecision(3));

// The piece's figures beside the held-out pieces', flagged where it leaves their range, and its
// longest run shared with the training pieces.
function showFigures(piece) {
  const rows = piece.figures.map((f) => {
    const row = document.createElement('tr');
    row.dataset.feature = f.name;
    if (f.outside) {
      row.className = 'outside';
      row.title = 'outside the range of every held-out piece';
    }
    const cells = [features[f.name] ?? f.name.replaceAll('_', ' '), `${figure(f.value)}${f.outside ? ' \u2691' : ''}`,
      figure(f.median), `${figure(f.q1)} to ${figure(f.q3)}`, `${figure(f.low)} to ${figure(f.high)}`];
    for (const text of cells) row.insertCell().textContent = text;
    return row;
  });
  $('figures').tBodies[0].replaceChildren(...rows);
  $('figures').hidden = rows.length === 0;
  const fit = piece.infill_fit, around = piece.accompaniment_fit;
  $('copy').textContent = around
    ? `${around.notes} notes around the melody's ${around.melody_notes}, `
      + (around.in_key === null ? 'drums only' : `${Math.round(100 * around.in_key)}% of them in its key`)
      + `; the model hears the melody at ${around.melody_bits_per_note.toFixed(2)} bits/note with them `
      + `(${around.alone_bits_per_note.toFixed(2)} alone). Fewer bits: parts that go with the tune.`
    : fit
    ? `The bars rewritten${fit.looked_ahead ? ' toward the bars after them' : ''}, as the model hears them: `
      + `${fit.region_bits_per_note.toFixed(2)} bits/note (the original bars: ${fit.original_bits_per_note.toFixed(2)}); `
      + `the two bars after them ${fit.join_bits.toFixed(1)} bits (after the original bars: ${fit.original_join_bits.toFixed(1)}). Fewer bits: a likelier fit.`
    : piece.longest_copy === undefined ? ''
    : `Longest run shared with the training pieces, in any key: ${piece.longest_copy} tokens `
      + `(the guard's limit: ${piece.copy_limit > 0 ? piece.copy_limit : 'none'}).`;
}

const fileName = (job) => `pianola-${job.model.replace(/\.pianola$/, '')}-${job.seed}`;

// A finished piece into the session's history, newest first: its roll, its audio, its three files
// and a button that deletes it on the server.
function keep(job, title) {
  const item = document.createElement('li');
  item.dataset.job = job.id;
  const image = Object.assign(document.createElement('img'), { src: job.files.png, alt: `piano roll of ${title}` });
  const heading = Object.assign(document.createElement('p'), { textContent: title, className: 'piece-title' });
  const audio = Object.assign(document.createElement('audio'), { src: job.files.wav, controls: true, preload: 'none' });
  const links = Object.assign(document.createElement('p'), { className: 'downloads' });
  for (const [kind, href] of [['MIDI', job.files.midi], ['WAV', job.files.wav], ['PNG', job.files.png]])
    links.append(Object.assign(document.createElement('a'), {
      href, download: `${fileName(job)}.${kind.toLowerCase()}`, textContent: kind }));
  const remove = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Delete', className: 'delete' });
  remove.addEventListener('click', () => forget(job.id, item));
  item.append(image, heading, audio, links, remove);
  $('history').prepend(item);
  $('history-box').hidden = false;
}

async function forget(id, item) {
  showError('');
  try {
    await ask(`/api/jobs/${id}`, { method: 'DELETE' });
    item.remove();
    if ($('result').dataset.job === id) $('result').hidden = true;
    $('history-box').hidden = $('history').children.length === 0;
  } catch (error) {
    showError(error.message);
  }
}

// The playhead sits where the audio is, scaled from the picture's pixels to the shown image's.
function placePlayhead() {
  const image = $('roll');
  if (!roll || !image.complete || image.clientWidth === 0) return;
  const scale = image.clientWidth / roll.width;
  const at = Math.min($('player').currentTime, roll.seconds);
  const x = roll.left + (roll.right - roll.left) * at / roll.seconds;
  Object.assign($('playhead').style, {
    left: `${x * scale}px`, top: `${roll.top * scale}px`, height: `${(roll.bottom - roll.top) * scale}px`,
  });
  $('playhead').hidden = false;
}

function followPlayback() {
  placePlayhead();
  if (!$('player').paused) requestAnimationFrame(followPlayback);
}

// A click on the roll plays from the time under it.
function seek(event) {
  if (!roll) return;
  const x = event.offsetX * roll.width / $('roll').clientWidth;
  const at = (x - roll.left) / (roll.right - roll.left) * roll.seconds;
  $('player').currentTime = Math.max(0, Math.min(at, $('player').duration || roll.seconds));
  placePlayhead();
}

async function follow(statusUrl) {
  $('progress').hidden = false;
  $('result').hidden = true;
  for (;;) {
    const job = await ask(statusUrl);
    showStage(job);
    if (job.stage === 'done') return showResult(job);
    if (job.stage === 'failed') throw new Error(job.error);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

// Several pieces are several jobs, queued together: piece k takes the seed after piece k - 1's (a
// seed left empty: a fresh one each), as `generate --count` numbers them.
async function compose(event) {
  event.preventDefault();
  showError('');
  $('go').disabled = true;
  try {
    const pieces = Number($('pieces').value || 1);
    if (!Number.isInteger(pieces) || pieces < 1 || pieces > Number($('pieces').max))
      throw new Error(`pieces must be a whole number from 1 to ${$('pieces').max}, not '${$('pieces').value}'`);
    const fields = new FormData($('compose'));
    if ($('length').value !== '') fields.set($('unit').value, $('length').value);
    const seed = $('seed').value.trim();
    const jobs = [];
    for (let k = 0; k < pieces; ++k) {
      if (seed !== '' && k > 0) fields.set('seed', (BigInt(seed) + BigInt(k)).toString());
      jobs.push(await ask('/api/compose', { method: 'POST', body: fields }));
    }
    for (const job of jobs) await follow(job.status);
  } catch (error) {
    $('progress').hidden = true;
    showError(error.message);
  } finally {
    $('go').disabled = false;
  }
}

$('compose').addEventListener('submit', compose);
$('unit').addEventListener('change', setLengthRange);
$('roll').addEventListener('load', placePlayhead);
$('roll').addEventListener('click', seek);
$('player').addEventListener('play', () => requestAnimationFrame(followPlayback));
for (const event of ['seeked', 'timeupdate']) $('player').addEventListener(event, placePlayhead);
window.addEventListener('resize', placePlayhead);
load().catch((error) => showError(error.message));
