// The web studio's training panel: sends MIDI files (several, or a .zip) and shows what each became,
// starts a training on them, follows it (epoch, rate, time left, a chart of training and validation
// bits per note with the Kneser-Ney baseline beside them), stops, resumes and deletes trainings,
// and offers a finished model among the models. It uses studio.js' $, ask, showError and
// refreshModels; the server checks every field and the page shows its messages as they are.
'use strict';

const trainPollMs = 1000;
let upload = null;     // the id of the files last sent, until a training takes them
let shown = null;      // the training the chart shows
let following = null;  // its poll timer
const midiName = /\.(mid|midi|kar|smf|rmi)(\.gz)?$/i;

async function initTraining() {
  const studio = await ask('/api/studio');
  const training = studio.training;
  if (!training) return;
  $('preset').replaceChildren(...training.presets.map((name) => new Option(name, name)));
  Object.assign($('minutes'), { min: training.minutes.min, max: training.minutes.max, value: training.minutes.initial });
  $('fill-rate').value = String(training.fill_rate.initial);
  $('upload-limit').textContent = `${Math.round(training.upload_bytes / 2 ** 20)} MiB and ${training.upload_files} files a send`;
  $('train-box').hidden = false;
  const list = await listTrainings();
  const running = list.find((t) => t.state === 'running' || t.state === 'stopping');
  if (running) show(running.name);
}

async function sendFiles(event) {
  event.preventDefault();
  showError('');
  // From a folder only what looks like MIDI goes: its pictures and texts would only fill the upload.
  const picked = [...$('folder').files];
  const files = [...$('files').files, ...picked.filter((file) => midiName.test(file.name))];
  const left = picked.length - (files.length - $('files').files.length);
  if (files.length === 0)
    return showError(picked.length ? 'that folder holds no MIDI file' : 'choose MIDI files (or a .zip of them) or a folder first');
  const body = new FormData();
  for (const file of files) body.append('files', file, file.webkitRelativePath || file.name);
  $('send').disabled = true;
  $('upload-summary').textContent = `sending ${files.length} file${files.length === 1 ? '' : 's'}` +
    `${left ? ` (${left} in the folder not MIDI, left out)` : ''}...`;
  try {
    const response = await fetch('/api/uploads', { method: 'POST', body });
    const report = await response.json().catch(() => ({ error: `the studio answered HTTP ${response.status}` }));
    showReport(report, left);
    if (!response.ok) throw new Error(report.error);
    upload = report.id;
    $('train').hidden = false;
  } catch (error) {
    upload = null;
    $('train').hidden = true;
    showError(error.message);
  } finally {
    $('send').disabled = false;
  }
}

// What each file became: read (its notes and tokens) or skipped and why.
function showReport(report, left) {
  const rows = (report.pieces ?? []).map((piece) => {
    const row = document.createElement('tr');
    row.className = piece.read ? 'read' : 'skipped';
    row.insertCell().textContent = piece.name;
    row.insertCell().textContent = `${piece.read ? '\u2713' : 'skipped:'} ${piece.note}`;
    return row;
  });
  $('upload-report').tBodies[0].replaceChildren(...rows);
  $('upload-report').hidden = rows.length === 0;
  $('upload-summary').textContent = report.pieces
    ? `${report.read} read, ${report.skipped} skipped${left ? `, ${left} in the folder not MIDI (not sent)` : ''}` : '';
}

async function startTraining(event) {
  event.preventDefault();
  showError('');
  const fields = new FormData($('train'));
  fields.set('upload', upload ?? '');
  $('start').disabled = true;
  try {
    const started = await ask('/api/trainings', { method: 'POST', body: fields });
    upload = null;
    $('train').hidden = true;
    $('upload-report').hidden = true;
    $('upload-summary').textContent = '';
    $('files').value = '';
    $('folder').value = '';
    await listTrainings();
    show(started.name);
  } catch (error) {
    showError(error.message);
  } finally {
    $('start').disabled = false;
  }
}

async function listTrainings() {
  const { trainings } = await ask('/api/trainings');
  const items = trainings.map((t) => {
    const item = document.createElement('li');
    item.dataset.training = t.name;
    item.dataset.state = t.state;
    item.classList.toggle('shown', t.name === shown);
    const text = Object.assign(document.createElement('span'), {
      textContent: `${t.name}: ${t.state} (${t.preset}, ${t.minutes} min${t.fill_rate > 0 ? ', trained to fill in bars' : ''}, `
        + `${t.pieces} pieces)${t.error ? ` \u2014 ${t.error}` : ''}`,
    });
    item.append(text, button('Show', () => show(t.name)));
    if (t.state === 'running') item.append(button('Stop', () => act(t.name, 'stop', 'POST')));
    if (t.state === 'stopped' || t.state === 'failed') item.append(button('Resume', () => act(t.name, 'resume', 'POST')));
    if (t.state !== 'running' && t.state !== 'stopping') {
      const remove = button('Delete', () => act(t.name, '', 'DELETE'));
      remove.className = 'delete';
      item.append(remove);
    }
    return item;
  });
  $('trainings').replaceChildren(...items);
  $('trainings-box').hidden = items.length === 0;
  return trainings;
}

function button(label, onClick) {
  const b = Object.assign(document.createElement('button'), { type: 'button', textContent: label });
  b.addEventListener('click', onClick);
  return b;
}

async function act(name, what, method) {
  showError('');
  try {
    await ask(`/api/trainings/${name}${what ? `/${what}` : ''}`, { method });
    if (method === 'DELETE' && shown === name) {
      shown = null;
      $('training').hidden = true;
    }
    await listTrainings();
    if (what === 'resume' || what === 'stop') show(name);
  } catch (error) {
    showError(error.message);
  }
}

// Follows one training until it ends, redrawing its figures and chart at each poll.
function show(name) {
  shown = name;
  clearTimeout(following);
  const poll = async () => {
    try {
      const t = await ask(`/api/trainings/${name}`);
      if (shown !== name) return;
      $('training').hidden = false;
      $('training').dataset.state = t.state;
      $('training-state').textContent = describe(t);
      draw(t.log ?? []);
      if (t.state === 'running' || t.state === 'stopping') {
        following = setTimeout(poll, trainPollMs);
      } else {
        await listTrainings();
        await refreshModels();
      }
    } catch (error) {
      showError(error.message);
    }
  };
  for (const item of $('trainings').children) item.classList.toggle('shown', item.dataset.training === name);
  poll();
}

const epochsOf = (log) => {
  const byEpoch = new Map();  // a resumed epoch's line replaces the cut one's
  for (const line of log) if (line.epoch !== undefined && line.summary === undefined) byEpoch.set(line.epoch, line);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
};
const baselineOf = (log) => {
  const orders = log.filter((line) => line.baseline !== undefined);
  return orders.length ? Math.min(...orders.map((line) => line.bits_per_note)) : null;
};
// Training loss is nats per token; the validation's tokens per note turn it into bits per note.
const trainBitsPerNote = (e) => (e.validation && e.validation.notes > 0
  ? e.loss / Math.LN2 * e.validation.tokens / e.validation.notes : null);
const clock = (seconds) => `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;

function describe(t) {
  const epochs = epochsOf(t.log ?? []);
  const last = epochs.at(-1);
  const parts = [`${t.name}: ${t.state}`];
  if (last) {
    parts.push(`epoch ${last.epoch} of at most ${last.epochs}`, `${Math.round(last.tokens_per_s)} tokens/s`);
    if (last.validation) parts.push(`validation ${last.validation.bits_per_note.toFixed(3)} bits/note`);
  } else if (t.state === 'running') {
    parts.push(baselineOf(t.log ?? []) === null ? 'reading the pieces' : 'first epoch');
  }
  if (t.state === 'running') {
    const left = Math.max(0, t.started + t.minutes * 60 - Date.now() / 1000);
    parts.push((t.log ?? []).at(-1)?.summary ? 'calibrating composing' : `about ${clock(left)} left`);
  }
  if (t.state === 'done') parts.push(`the model ${t.name}.pianola is among the models`);
  if (t.state === 'stopped') parts.push('its best model is kept; resume goes on from where it stopped');
  if (t.error) parts.push(t.error);
  return parts.join(' \u00b7 ');
}

// Bits per note by epoch: training (blue), validation (orange), the Kneser-Ney baseline (grey, dashed).
function draw(log) {
  const canvas = $('chart');
  const g = canvas.getContext('2d');
  const { width, height } = canvas;
  g.clearRect(0, 0, width, height);
  const epochs = epochsOf(log);
  const train = epochs.map((e) => [e.epoch, trainBitsPerNote(e)]).filter(([, y]) => y !== null);
  const val = epochs.filter((e) => e.validation).map((e) => [e.epoch, e.validation.bits_per_note]);
  const kn = baselineOf(log);
  canvas.dataset.points = String(train.length + val.length);
  const ys = [...train, ...val].map(([, y]) => y).concat(kn === null ? [] : [kn]);
  if (ys.length === 0) return;
  const left = 48, right = width - 12, top = 12, bottom = height - 28;
  const lastEpoch = Math.max(1, ...epochs.map((e) => e.epoch));
  const low = Math.floor(Math.min(...ys)), high = Math.ceil(Math.max(...ys)) + (Math.min(...ys) === Math.max(...ys) ? 1 : 0);
  const x = (epoch) => left + (right - left) * (lastEpoch === 1 ? 0.5 : (epoch - 1) / (lastEpoch - 1));
  const y = (v) => bottom - (bottom - top) * (v - low) / (high - low);
  g.strokeStyle = '#ddd8cc';
  g.fillStyle = '#5d6678';
  g.font = '12px system-ui, sans-serif';
  g.strokeRect(left, top, right - left, bottom - top);
  g.fillText(String(high), 8, top + 10);
  g.fillText(String(low), 8, bottom);
  g.fillText(`epoch 1 to ${lastEpoch}`, left, height - 8);
  const line = (points, colour, dashed) => {
    g.strokeStyle = colour;
    g.fillStyle = colour;
    g.lineWidth = 2;
    g.setLineDash(dashed ? [6, 4] : []);
    g.beginPath();
    points.forEach(([px, py], i) => (i ? g.lineTo(x(px), y(py)) : g.moveTo(x(px), y(py))));
    g.stroke();
    for (const [px, py] of points) g.fillRect(x(px) - 2, y(py) - 2, 4, 4);
  };
  if (kn !== null) line([[1, kn], [lastEpoch, kn]], '#5d6678', true);
  line(train, '#2f5d8a', false);
  line(val, '#c0562b', false);
  g.setLineDash([]);
}

$('upload').addEventListener('submit', sendFiles);
$('train').addEventListener('submit', startTraining);
initTraining().catch((error) => showError(error.message));
