// The web studio's behaviour: sets the form's ranges from the server, sends a composition, follows
// its job until it is done, then shows the piano roll, the player and the downloads. The server
// checks every field; the page shows its messages as they are and decides nothing itself.
'use strict';

const $ = (id) => document.getElementById(id);
const stages = ['queued', 'composing', 'rendering', 'drawing', 'done'];
const pollMs = 250;

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
  for (const name of ['notes', 'temperature', 'top_p']) {
    const range = studio.limits[name];
    Object.assign($(name), { min: range.min, max: range.max, value: range.initial ?? '' });
  }
  $('primer-limit').textContent = `at most ${Math.round(studio.limits.primer_bytes / 1024)} KiB`;
  $('model').replaceChildren(...studio.models.map((name) => new Option(name, name)));
  const none = studio.models.length === 0;
  $('no-models').hidden = !none;
  $('no-models').textContent = `No models (*.pianola) in ${studio.folder}: train one with ` +
    `pianola train --data YOUR_MIDI --out ${studio.folder}/my.pianola, then reload.`;
  $('go').disabled = none;
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
  const name = `pianola-${job.model.replace(/\.pianola$/, '')}-${job.seed}`;
  const chosen = [`${job.notes} notes`, `seed ${job.seed}`];
  if (job.temperature !== null) chosen.push(`temperature ${job.temperature}`);
  if (job.top_p !== null) chosen.push(`top-p ${job.top_p}`);
  $('title').textContent = `${job.model}: ${chosen.join(', ')}`;
  $('player').src = job.files.wav;
  $('roll').src = job.files.png;
  Object.assign($('get-midi'), { href: job.files.midi, download: `${name}.mid` });
  Object.assign($('get-wav'), { href: job.files.wav, download: `${name}.wav` });
  $('result').dataset.job = job.id;
  $('result').hidden = false;
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

async function compose(event) {
  event.preventDefault();
  showError('');
  $('go').disabled = true;
  try {
    const job = await ask('/api/compose', { method: 'POST', body: new FormData($('compose')) });
    await follow(job.status);
  } catch (error) {
    $('progress').hidden = true;
    showError(error.message);
  } finally {
    $('go').disabled = false;
  }
}

$('compose').addEventListener('submit', compose);
load().catch((error) => showError(error.message));
