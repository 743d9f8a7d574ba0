// plaindnn playground: settings → POST commands; training → one WebSocket; plain canvas charts.
"use strict";
const $ = (id) => document.getElementById(id);
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
const LAYER_COLOURS = ["#6a1b9a", "#1565c0", "#00838f", "#2e7d32", "#9e9d24", "#ef6c00", "#c62828", "#4e342e", "#000"];

const ACTIVATIONS = ["identity", "step", "sigmoid", "tanh", "relu", "leaky_relu", "rrelu", "prelu", "elu", "gelu", "selu"];

const state = {
  session: null, running: false, listening: false, dirty: false,
  rows: [], layers: [], grid: null, points: null, prev: null, epochs: 0, hover: null,
  runCommand: null, weights: null, lastStatus: ["ready"],
  // the epoch whose weights the finished run kept (early stopping's best, else its last)
  kept: null,
  // the settings the shown run started with (JSON), and a built-in set's points before a run
  runSettings: null, preview: null,
  // accepted uploads so far: a run on another upload is another run
  uploads: 0,
  // the latest upload's answer: its summary (`ok`) or its refusal (`error`, and the file kept)
  csvNote: null,
  // the hidden unit the pointer is on in the network picture, and where each unit's picture is
  unitHover: null, unitBoxes: [],
  // the stream carries the session's runs in order: `runs` counts their `data` events, `accepted`
  // the page's accepted starts; `wanted` is the place of the run the page shows (null: none)
  runs: 0, accepted: 0, wanted: null, mode: null, task: "classification", upload: null, decimal: null,
  // the uploaded file's columns, those of text, its last column (the target unless one is named),
  // the columns unticked as inputs, and the target the boxes were drawn for
  columns: [], textColumns: [], lastColumn: null, dropped: new Set(), boxesFor: null,
  // a link's input columns and one-hot columns, kept until the file they name is uploaded again
  linked: null,
};

// ---- settings: the form ⇄ one JSON object ⇄ the URL hash ----
const NUMBERS = ["seed", "dropout", "lr", "momentum", "batch_size", "l1", "l2", "epochs"];
const OPTIONAL = ["noise", "max_norm", "clip_norm", "patience", "train_share"];
const TEXTS = ["dataset", "init", "optimizer", "lr_schedule"];

function hiddenInputs() { return [...document.querySelectorAll("#layers input")]; }
function layerActivations() { return [...document.querySelectorAll("#layers select")].map((el) => el.value); }
function options(values, selected) { return values.map((v) => `<option${v === selected ? " selected" : ""}>${v}</option>`).join(""); }

/** One row per hidden layer: its units and its activation. */
function renderLayers(widths, activations) {
  const all = $("activation").value || "relu";
  $("layers").innerHTML = "";
  widths.forEach((w, i) => {
    const div = document.createElement("div");
    div.className = "layer";
    div.innerHTML = `<span>${t("layer", i + 1)}</span><input type="number" min="1" max="256" value="${w}">` +
      `<select data-testid="layer-activation">${options(ACTIVATIONS, (activations || [])[i] || all)}</select>`;
    div.querySelectorAll("input, select").forEach((el) => el.addEventListener("change", settingsChanged));
    $("layers").appendChild(div);
  });
  if (!widths.length) $("layers").innerHTML = `<p class="note" data-testid="no-layers">${esc(t("noLayers"))}</p>`;
  showCommonActivation();
}

/** The "all layers" menu shows the layers' activation, or "per layer" when they differ. */
function showCommonActivation() {
  const acts = layerActivations();
  const common = acts.every((a) => a === acts[0]) ? acts[0] : "";
  $("activation").innerHTML = `<option value="" disabled>${t("mixed")}</option>` + options(ACTIVATIONS, common);
  $("activation").value = common === undefined ? "relu" : common;
  $("activation").disabled = !acts.length; // no hidden layer for it to follow
}

/** The seed after `typed`, in 64 bits as `train --seed` (BigInt: a Number loses digits past 2^53);
 *  a blank box is seed 0, as the page sends it; what is not a whole number stays for the server
 *  to refuse by name. */
function nextSeed(typed) {
  const v = typed.trim() === "" ? "0" : typed.trim();
  return /^\d+$/.test(v) ? String((BigInt(v) + 1n) % (1n << 64n)) : typed;
}

function readSettings() {
  // the widths as typed: the server refuses 0, a blank (0) or a fraction by name, as `train` would
  const s = { hidden: hiddenInputs().map((i) => Number(i.value)) };
  const acts = layerActivations();
  // no hidden layer, no activation: the server refuses one, as `train --hidden none` does
  if (acts.length) s.activation = acts.some((a) => a !== acts[0]) ? acts.join(",") : acts[0];
  TEXTS.forEach((k) => (s[k] = $(k).value));
  NUMBERS.forEach((k) => (s[k] = Number($(k).value)));
  // the seed as typed: a JavaScript number keeps 53 bits of it, `train --seed` takes 64 (the
  // server refuses by name what is not a whole number)
  if ($("seed").value.trim() !== "") s.seed = $("seed").value.trim();
  OPTIONAL.forEach((k) => { if ($(k).value !== "") s[k] = Number($(k).value); });
  s.batch_norm = $("batch_norm").checked;
  s.add_features = [...document.querySelectorAll(".features input:checked")].map((el) => el.value);
  // a target names a column of the uploaded CSV; noise belongs to the built-in sets but quadrants
  if (s.dataset === "csv" && $("target").value) s.target = $("target").value;
  if (s.dataset === "csv" && $("standardize_target").checked) s.standardize_target = true;
  if (s.dataset === "csv" && $("impute").value) s.impute = $("impute").value;
  if (s.dataset === "csv" && state.linked) Object.assign(s, state.linked);
  else if (s.dataset === "csv") {
    const unticked = state.columns.some((c) => c !== targetColumn() && state.dropped.has(c));
    if (unticked) s.features = inputColumns();
    const oneHot = oneHotColumns();
    if (oneHot.length) s.one_hot = oneHot;
  }
  if (s.dataset === "quadrants" || s.dataset === "csv") delete s.noise;
  s.delay_ms = Number($("speed").value);
  return s;
}

function writeSettings(s) {
  const acts = typeof s.activation === "string" ? s.activation.split(",") : null;
  if (acts && acts.length === 1) { $("activation").value = acts[0]; }
  if (s.hidden || acts) renderLayers(s.hidden || hiddenInputs().map((i) => i.value), acts && acts.length > 1 ? acts : null);
  if (acts && acts.length === 1) setAllActivations(acts[0]);
  [...TEXTS, ...NUMBERS, ...OPTIONAL].forEach((k) => { if (k in s) $(k).value = s[k]; });
  if ("batch_norm" in s) $("batch_norm").checked = !!s.batch_norm;
  if ("target" in s) $("target").value = s.target;
  if ("standardize_target" in s) $("standardize_target").checked = !!s.standardize_target;
  if ("impute" in s) $("impute").value = s.impute;
  if ("features" in s || "one_hot" in s) state.linked = columnsOf(s);
  if ("add_features" in s) {
    const on = Array.isArray(s.add_features) ? s.add_features : String(s.add_features).split(",");
    document.querySelectorAll(".features input").forEach((el) => { el.checked = on.includes(el.value); });
  }
  $("csv-box").hidden = $("dataset").value !== "csv";
}

/** A link's `features` and `one_hot`, as lists. */
function columnsOf(s) {
  const linked = {};
  ["features", "one_hot"].forEach((k) => { if (k in s) linked[k] = Array.isArray(s[k]) ? s[k] : names(s[k]); });
  return linked;
}

/** Column names from the URL hash: a JSON list (a name may hold a comma), or an older link's
 *  comma-separated names. */
function names(text) {
  try { const list = JSON.parse(text); if (Array.isArray(list)) return list.map(String); } catch (e) { /* not JSON */ }
  return String(text).split(",");
}

/** The upload's columns the link left out unticked, if the link's columns are all in it (the file
 *  it was made with); else none. The link's columns apply to one upload only. */
function droppedByLink(columns, target) {
  const features = state.linked && state.linked.features;
  state.linked = null;
  if (!features || !features.every((c) => columns.includes(c))) return new Set();
  return new Set(columns.filter((c) => c !== target && !features.includes(c)));
}

function targetColumn() { return $("target").value || state.lastColumn; }

/** The upload's columns the network takes: all but the target and the unticked ones. */
function inputColumns() {
  return state.columns.filter((c) => c !== targetColumn() && !state.dropped.has(c));
}

/** The input columns of text: each becomes one 0/1 input per category. */
function oneHotColumns() {
  return inputColumns().filter((c) => state.textColumns.includes(c));
}

/** One box per column but the target, as TensorFlow Playground's inputs: unticked, it is left out. */
function renderColumns() {
  state.boxesFor = targetColumn();
  $("columns").innerHTML = "";
  state.columns.filter((c) => c !== state.boxesFor).forEach((c) => {
    const label = document.createElement("label");
    label.innerHTML = `<input type="checkbox" data-column="${esc(c)}"${state.dropped.has(c) ? "" : " checked"}> ${esc(c)}`;
    label.querySelector("input").addEventListener("change", (e) => {
      e.target.checked ? state.dropped.delete(c) : state.dropped.add(c);
      settingsChanged();
    });
    $("columns").appendChild(label);
  });
}

function setAllActivations(name) {
  document.querySelectorAll("#layers select").forEach((el) => { el.value = name; });
  showCommonActivation();
}

/** The view's boxes that differ from their defaults, as TensorFlow Playground's link keeps them. */
const VIEW = { discretize: false, show_validation: true };
const viewCheckbox = (k) => $(k.replace("_", "-"));

function settingsToHash(s) {
  const p = new URLSearchParams();
  const columns = (k, v) => ["features", "one_hot"].includes(k) ? JSON.stringify(v) : v.join(",");
  Object.entries(s).forEach(([k, v]) => { if (k !== "delay_ms") p.set(k, Array.isArray(v) ? columns(k, v) : v); });
  Object.entries(VIEW).forEach(([k, on]) => { if (viewCheckbox(k).checked !== on) p.set(k, !on); });
  p.set("lang", LANG);
  return "#" + p.toString();
}

/** The view's boxes as a link gives them; the rest of `s` is settings. */
function takeView(s) {
  Object.entries(VIEW).forEach(([k, on]) => { viewCheckbox(k).checked = k in s ? s[k] === "true" : on; delete s[k]; });
}

function settingsFromHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  const s = {};
  for (const [k, v] of p) s[k] = k === "hidden" ? (v ? v.split(",").map(Number) : []) : ["batch_norm", "standardize_target"].includes(k) ? v === "true" : v;
  return s;
}

let commandTimer = null, commandsAsked = 0;
function settingsChanged() {
  $("csv-box").hidden = $("dataset").value !== "csv";
  showCsvNote();
  if (state.boxesFor !== targetColumn()) renderColumns(); // the target is never an input
  const oneHot = oneHotColumns();
  $("one-hot").textContent = oneHot.length ? t("oneHot", oneHot) : "";
  $("noise").disabled = ["quadrants", "csv"].includes($("dataset").value); // neither takes noise
  const s = readSettings();
  history.replaceState(null, "", settingsToHash(s));
  $("link").href = location.href;
  $("momentum").disabled = ["adam", "adamw"].includes(s.optimizer) && s.momentum === 0; // beta1 instead
  // the shown run goes on with the settings it started with; new ones wait for reset
  showPending(s);
  if (state.runCommand) return; // the displayed run's command stays until reset
  $("of").textContent = s.epochs;
  clearTimeout(commandTimer);
  const problem = boxProblem();
  if (problem) { showProblem(problem); return; }
  commandTimer = setTimeout(() => showCommand(s), 150);
}

/** Whether settings `s` are not those of the run shown, said above the views: it goes on with
 *  its own, or, ended, is what the views and the command show. */
function showPending(s) {
  const changed = state.runCommand && state.runSettings !== asRun(s);
  $("pending").textContent = changed ? t(state.running ? "pending" : "pendingDone") : "";
}

/** Settings as a run takes them (the speed is not one: it changes a run under way), with the
 *  upload a CSV run trains on (a later one of the same columns reads as the same settings). */
function asRun(s) {
  const { delay_ms, ...run } = s;
  if (run.dataset === "csv") run.upload = state.uploads;
  return JSON.stringify(run);
}

/** A box's name as the page shows it. */
function boxName(el) {
  const label = el.closest("label, .layer");
  return ((label && label.querySelector("span")) || label || el).textContent.trim() || el.id;
}

/** A server's refusal in the page's words: `lr: …` (a setting's key) or `invalid --lr: …` (the
 *  command's flag) names the box, the flag beside it. */
function inPageWords(message) {
  return message.replace(/^(invalid --)?([a-z][a-z0-9_-]*): /, (all, flag, name) => {
    const el = document.getElementById(name.replace(/-/g, "_"));
    if (!el || !el.matches("input, select")) return all;
    return flag ? `${boxName(el)} (--${name}): ` : `${boxName(el)}: `;
  });
}

/** The first box whose value the server would refuse in JSON's words, as a message key and its
 *  box, in the page's: an empty box that has no 0 to mean (the learning rate, batch size, epochs,
 *  a layer's units: an empty dropout or L2 is 0, as before), or a fraction or sign where a whole
 *  number goes (the seed in digits: past 2^53 a number loses them); null when there is none. */
function boxProblem() {
  const needed = [...["lr", "batch_size", "epochs"].map($), ...hiddenInputs()];
  const blank = needed.find((el) => el.value.trim() === "");
  if (blank) return ["blank", blank];
  const whole = (el) => el.id === "seed" ? /^\d+$/.test(el.value.trim()) : Number.isInteger(Number(el.value)) && Number(el.value) >= 0;
  const odd = [...["batch_size", "epochs", "patience", "seed"].map($), ...hiddenInputs()]
    .find((el) => el.value.trim() !== "" && !whole(el));
  return odd ? ["whole", odd] : null;
}

/** A box the page cannot send, in place of the command: the command it would give is unknown. */
function showProblem(problem) {
  commandsAsked += 1; // a command asked before this box changed is stale
  $("cli-command").textContent = "# " + t(...problem);
  $("command-warnings").textContent = "";
  state.preview = null;
  schedule();
}

/** The command of settings `s`, unless a run's command came meanwhile or newer settings asked. */
async function showCommand(s) {
  const asked = ++commandsAsked;
  let text, warnings = [];
  let points = null;
  try { const r = await post("/api/command", s); text = withUpload(r.command); warnings = r.warnings || []; points = r.points; }
  catch (e) { text = "# " + inPageWords(e.message); }
  if (asked !== commandsAsked || state.runCommand) return;
  state.preview = points || null; // a built-in set's points, drawn until a run starts
  schedule();
  $("cli-command").textContent = text;
  // what `train` would warn of with these settings (a schedule that never acts, say)
  $("command-warnings").textContent = warnings.map((w) => `warning: ${w}`).join("\n");
}

/** The server's command says FILE.csv; the page knows the uploaded file's name, and whether it
 *  writes decimal commas (`--decimal ,` after `--data`, as the server writes a run's command). */
function withUpload(command) {
  const decimal = state.decimal ? ` --decimal ${state.decimal}` : "";
  return state.upload ? command.replace("--data FILE.csv", () => dataFlag(state.upload) + decimal) : command;
}

/** `--data NAME` as the server writes it (`shell::quote`): quoted unless plain and not starting
 *  with `=`, `=` joining a leading `-` to the flag. */
function dataFlag(name) {
  const plain = /^[A-Za-z0-9_.\/,:=+@%-]+$/.test(name) && !name.startsWith("=");
  const word = plain ? name : `'${name.replace(/'/g, "'\\''")}'`;
  return word.startsWith("-") || word.startsWith("'-") ? `--data=${word}` : `--data ${word}`;
}

// ---- the server ----
async function post(path, body) {
  const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const j = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) throw new Error(j.error || r.statusText);
  return j;
}

/** The status line: a message key (shown in the page's language) or a server's text. */
function status(key, ...args) {
  state.lastStatus = [key, ...args];
  $("status").textContent = key in MESSAGES.en ? t(key, ...args) : key;
  $("status").dataset.done = key === "done" ? "yes" : "no"; // for tests, in any language
}

/** Page commands reach the server one at a time, in the order given: each decides on the state
 * the one before left (a run started, a run stopped). */
let queue = Promise.resolve();
function inTurn(command) {
  queue = queue.then(command).catch((e) => status(e.message));
  return queue;
}

async function openSession() {
  const r = await fetch("/api/sessions", { method: "POST" });
  const j = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) { status(j.error || r.statusText); return; } // e.g. too many pages open
  state.session = j.id;
  // a WebSocket, not an EventSource: browsers open six HTTP/1.1 connections to one address, and
  // an EventSource would hold one of them for as long as the page is open
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/api/sessions/${state.session}/socket`);
  const handlers = { data: onData, epoch: onEpoch, message: onMessage, done: onDone };
  socket.onmessage = (e) => { const { event, data } = JSON.parse(e.data); handlers[event]?.(data); };
  socket.onclose = () => { state.running = false; status("lost"); }; // nothing left to keep
}

/** The status of each mode; a step shows as training until its epoch arrives, then paused. */
const MODE_STATUS = { play: "training", pause: "paused", step: "stepping", stop: "stopping" };

/** Starts a run: the stream's next run is its, since the page starts one run at a time. */
async function start(mode) {
  const problem = boxProblem();
  if (problem) { status(...problem); return; }
  const settings = readSettings();
  Object.assign(state, { wanted: state.accepted + 1, running: true, mode, runSettings: asRun(settings) });
  status("starting");
  try {
    await post(`/api/sessions/${state.session}/train`, { settings, mode });
    state.accepted += 1;
    if (state.running) status(MODE_STATUS[state.mode]); // a short run may have ended already
  } catch (e) { Object.assign(state, { running: false, wanted: null }); status(inPageWords(e.message)); }
}

/** Play, pause or step for the running run; `null`: only the speed. */
async function control(action) {
  if (action) state.mode = action;
  try {
    await post(`/api/sessions/${state.session}/control`, { action, delay_ms: Number($("speed").value) });
    if (action && state.running) status(MODE_STATUS[state.mode]);
  } catch (e) { status(e.message); }
}

/** Tells the page's run to stop; a refusal (409: it had ended) leaves nothing to stop. */
async function stop() {
  status("stopping");
  await post(`/api/sessions/${state.session}/control`, { action: "stop" }).catch(() => {});
  state.running = false;
}

// ---- events ----
function onData(d) {
  state.runs += 1;
  if (state.runs !== state.wanted) return; // a run the page has reset
  if (state.rows.length) state.prev = { train: state.rows.map((r) => r.train_loss), val: state.rows.map((r) => r.val_loss) };
  Object.assign(state, { rows: [], layers: [], grid: null, weights: null, points: d, epochs: d.epochs, listening: true, kept: null });
  state.runCommand = d.command;
  state.task = d.task || (d.classes.length ? "classification" : "regression");
  showTask();
  $("cli-command").textContent = d.command;
  $("of").textContent = d.epochs;
  $("messages").textContent = "";
  showPending(readSettings()); // settings changed since Play are not this run's
  $("confusion").innerHTML = "";
  links(null);
  const [shown, total] = [d.train.length + d.val.length, d.rows[0] + d.rows[1]];
  if (d.train.length && shown < total) $("messages").textContent = t("sampled", shown, total) + "\n";
  schedule();
}

function onEpoch(r) {
  if (!state.listening) return;
  state.rows.push(r.row);
  state.layers.push(r.layers);
  if (r.grid) state.grid = r.grid;
  if (r.weights && r.weights.length) state.weights = r.weights;
  if (state.mode === "step") { state.mode = "pause"; status("paused"); } // as the server does
  schedule();
}

function onMessage(text) {
  if (state.listening) $("messages").textContent += text + "\n";
}

function onDone(d) {
  if (!state.listening) return; // a run the page has reset
  Object.assign(state, { listening: false, running: false });
  showPending(readSettings());
  if (d.error) { status(d.error); return; }
  status("done", d.epochs_run, d.best_epoch);
  // the charts span the epochs run (an early stop leaves the rest empty)
  Object.assign(state, { kept: d.kept_epoch, epochs: state.rows.length });
  if (d.grid) state.grid = d.grid;
  state.confusion = d.confusion;
  renderConfusion(d.confusion);
  links(`/api/sessions/${state.session}`);
  schedule();
}

/** The finished run's report and weights under `base`, or (null) links that do nothing: no
 * href, so neither a click nor Enter downloads the page itself. */
function links(base) {
  for (const [id, file] of [["report", "report.html"], ["model", "model.safetensors"]]) {
    const a = $(id);
    if (base) a.href = `${base}/${file}`; else a.removeAttribute("href");
    a.classList.toggle("disabled", !base);
    a.setAttribute("aria-disabled", String(!base));
  }
}

/** The validation rows' confusion matrix `m`; a regression has none, and a note says so. */
function renderConfusion(m) {
  const note = (key) => `<p class='note'>${esc(t(key))}</p>`;
  if (state.task === "regression") { $("confusion").innerHTML = note("noConfusion"); return; }
  if (!m || !m.length) return;
  const names = state.points.classes;
  // each class in its colour on the plane
  const named = (i) => `<span style="color:${PALETTE[i % PALETTE.length]}">●</span> ${esc(names[i])}`;
  let html = `<table class='confusion'><tr><th>${esc(t("confusionHead"))}</th>` + names.map((n, i) => `<th>${named(i)}</th>`).join("") + "</tr>";
  m.forEach((row, i) => { html += `<tr><th>${named(i)}</th>` + row.map((v) => `<td>${v}</td>`).join("") + "</tr>"; });
  $("confusion").innerHTML = html + "</table>" + note("confusionNote");
}

function esc(t) { return String(t).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`); }

// ---- drawing: at most once per frame ----
function schedule() {
  if (state.dirty) return;
  state.dirty = true;
  requestAnimationFrame(render);
}

function render() {
  state.dirty = false;
  const last = state.rows[state.rows.length - 1];
  $("epoch").textContent = last ? last.epoch : 0;
  $("train-loss").textContent = last ? plain(last.train_loss) : "–";
  $("val-loss").textContent = last ? plain(last.val_loss) : "–";
  $("val-accuracy").textContent = last ? metricText(last.val_metric) : "–";
  $("lr-now").textContent = last ? last.lr.toPrecision(3) : "–";
  const kept = showKept(last);
  drawRegions();
  const prev = state.prev || { train: [], val: [] };
  drawChart($("loss"), [
    { v: prev.train, c: "#999", a: 0.35, ghost: true }, { v: prev.val, c: "#999", a: 0.35, dash: true, ghost: true },
    { v: state.rows.map((r) => r.train_loss), c: "#1565c0" }, { v: state.rows.map((r) => r.val_loss), c: "#c62828", dash: true },
  ], false, kept);
  drawChart($("accuracy"), [{ v: state.rows.map((r) => metric(r.val_metric)), c: "#2e7d32" }], false, kept);
  const names = (state.layers[state.layers.length - 1] || []).map((l) => l.layer);
  drawChart($("grads"), names.map((n, i) => ({
    v: state.layers.map((ls) => Math.log10(Math.max(ls[i] ? ls[i].grad_norm : 1e-30, 1e-30))), c: LAYER_COLOURS[i % 9],
  })), true);
  legend($("grads-legend"), names.map((n, i) => [layerWords(n), LAYER_COLOURS[i % 9], n]));
  const lastLayers = state.layers[state.layers.length - 1] || [];
  $("dead").textContent = lastLayers.filter((l) => l.dead_fraction !== null && l.dead_fraction !== undefined)
    .map((l) => t("dead", layerWords(l.layer), (100 * l.dead_fraction).toFixed(0))).join(" · ");
  drawNetwork();
  showUnitHover();
  showHover();
}

/** Under the numbers (the last epoch's), the epoch whose weights a finished run kept where it is
 *  not the last (early stopping restored its best), with its numbers; its index in the rows. */
function showKept(last) {
  const i = state.rows.findIndex((r) => r.epoch === state.kept);
  const row = last && state.kept !== last.epoch ? state.rows[i] : null;
  $("kept").textContent = row ? t("kept", row, plain, t(METRICS[state.task].hover, metricText(row.val_metric))) : "";
  return row ? i : null;
}

/** A layer as the settings name it: `dense_2` (diagnostics.csv's name) is hidden layer 2. */
function layerWords(name) {
  const hidden = /^dense_(\d+)$/.exec(name);
  return hidden ? t("layer", hidden[1]) : name === "dense_out" ? t("outputLayer") : name;
}

/** The chart's lines named under it, each in its colour (as many as there are layers: a row of
 *  text wraps where names in the canvas ran off its edge); an entry's third value, where given,
 *  is its title (the name in the files). */
function legend(el, entries) {
  const html = entries.map(([name, colour, title]) =>
    `<span style="color:${colour}"${title ? ` title="${esc(title)}"` : ""}>━ ${esc(name)}</span>`).join(" ");
  if (el.innerHTML !== html) el.innerHTML = html;
}

/** How each task names its validation metric (`val_metric`), and the scale it is shown in. */
const METRICS = {
  classification: { label: "accuracyLabel", caption: "accuracyCaption", hover: "accuracyHover", scale: 100 },
  regression: { label: "rmseLabel", caption: "rmseCaption", hover: "rmseHover", scale: 1 },
};

/** The validation metric as shown: accuracy in %, RMSE as it is. */
function metric(v) { return typeof v === "number" ? v * METRICS[state.task].scale : v; }

/** The metric as the page writes it: accuracy in % to two decimals (a share of the rows), an
 *  RMSE as [`plain`] writes it. */
function metricText(v) {
  return state.task === "classification" && typeof v === "number" ? metric(v).toFixed(2) : plain(metric(v));
}

/** The metric's names for the run's task, in the page's language. */
function showTask() {
  $("metric-name").textContent = t(METRICS[state.task].label);
  $("metric-caption").textContent = t(METRICS[state.task].caption);
}

/** A plain number the eye and a test can read: six decimals, no trailing zeros. */
function plain(v) { return v === null || v === undefined ? "NaN" : String(Number(v.toFixed(6))); }

/** The plane: the classes (or a regression's output, or the hovered node's picture) and the
 *  training (●) and validation (○) points on top. */
function drawRegions() {
  const cv = $("regions"), g = cv.getContext("2d"), W = cv.width, H = cv.height;
  g.clearRect(0, 0, W, H);
  const p = state.points || (state.runCommand ? null : state.preview);
  // of data without two inputs the plane has no picture, and says so under it
  $("regions-note").textContent = p && !p.train.length ? t("noRegions") : "";
  if (!p || !p.train.length) return;
  const unit = hoveredUnit(), scale = valueScale(p), whole = { x: 0, y: 0, w: W, h: H };
  // for the browser test (inputs: layer 0)
  cv.dataset.showing = unit ? `unit ${unit.layer + 1}.${unit.unit + 1}` : scale ? "values" : "classes";
  $("regions-note").textContent = scale ? t("valuesNote", ...scale.note) : "";
  if (unit) drawUnit(g, unit.values, unit.scale, whole);
  else if (state.grid && scale) drawUnit(g, state.grid.values.map((v) => v - scale.mid), scale.half, whole);
  else if (state.grid) drawClasses(g, state.grid, p.classes.length, whole);
  drawPoints(g, p, scale, whole);
}

/** A regression's one scale for the grid's and the points' values (orange low, blue high), and
 *  its ends in the target's units for the note (a standardised target mapped back); null for
 *  classes. */
function valueScale(p) {
  if ((p.task || state.task) !== "regression") return null;
  const all = p.train.concat(p.val).map((q) => q[2]).concat((state.grid && state.grid.values) || []);
  const [lo, hi] = [Math.min(...all), Math.max(...all)], ts = p.target_scaler;
  const units = (v) => (ts ? v * ts.std[0] + ts.mean[0] : v).toPrecision(3);
  return { mid: (lo + hi) / 2, half: Math.max(1e-12, (hi - lo) / 2), note: [units(lo), units(hi)] };
}

/** Each cell in its class's colour, paler where the network is less sure: its probability from
 *  1 / classes (white) to 1; flat when "discretize output" is ticked. */
function drawClasses(g, grid, classes, box) {
  const n = grid.n, img = g.createImageData(n, n), k0 = 1 / Math.max(2, classes);
  const flat = $("discretize").checked;
  grid.classes.forEach((c, k) => {
    const i = Math.floor(k / n), j = k % n, o = 4 * ((n - 1 - j) * n + i);
    const [r, gg, b] = rgb(PALETTE[c % PALETTE.length]);
    const sure = flat ? 1 : Math.max(0, (grid.confidence[k] - k0) / (1 - k0));
    const pale = 0.6 + 0.38 * (1 - sure);
    img.data.set([r + (255 - r) * pale, gg + (255 - gg) * pale, b + (255 - b) * pale, 255], o);
  });
  const off = document.createElement("canvas");
  off.width = off.height = n;
  off.getContext("2d").putImageData(img, 0, 0);
  g.imageSmoothingEnabled = false;
  g.drawImage(off, box.x, box.y, box.w, box.h);
}

/** The points over the grid's plane: by class colour, or by value on `scale` (outlined). */
function drawPoints(g, p, scale, { w: W, h: H }) {
  const box = state.grid ? { x: state.grid.x_range, y: state.grid.y_range } : bounds(p.val.concat(p.train));
  const sx = (x) => ((x - box.x[0]) / (box.x[1] - box.x[0])) * W;
  const sy = (y) => H - ((y - box.y[0]) / (box.y[1] - box.y[0])) * H;
  const dot = ([x, y, c], filled) => {
    g.beginPath();
    g.arc(sx(x), sy(y), 3, 0, 2 * Math.PI);
    g.strokeStyle = scale ? `rgb(${shade(c - scale.mid, scale.half)})` : PALETTE[c % PALETTE.length];
    g.fillStyle = g.strokeStyle;
    filled ? g.fill() : g.stroke();
    if (scale && filled) { g.strokeStyle = "#333"; g.lineWidth = 0.5; g.stroke(); g.lineWidth = 1; }
  };
  const val = $("show-validation").checked ? p.val : [];
  p.train.forEach((q) => dot(q, true));
  val.forEach((q) => dot(q, false));
  g.canvas.dataset.points = `${p.train.length},${val.length}`; // for tests: training, validation
}

/** The unit the pointer is on in the network picture, with its values over the plane and their
 *  colour scale; null when none is. */
function hoveredUnit() {
  const h = state.unitHover, layers = nodePictures();
  const values = h && layers[h.layer + 1] && layers[h.layer + 1][h.unit];
  return values ? { ...h, values, scale: unitScale(values) } : null;
}

/** The pictures of each column of nodes: the inputs, then each hidden layer's units. */
function nodePictures() {
  const u = state.grid && state.grid.units;
  return u ? [u.inputs, ...u.layers] : [];
}

/** A unit's largest |value|: its picture's colour scale, so a unit of small outputs still shows
 *  where it responds (the hover note gives the range). */
function unitScale(values) { return Math.max(1e-12, ...values.map(Math.abs)); }

/** `v` as a colour: blue positive, orange negative, white at 0, as strong as |v| / `scale`. */
function shade(v, scale) {
  const a = Math.min(1, Math.abs(v) / scale), [r, g, b] = rgb(v >= 0 ? "#1565c0" : "#ef6c00");
  return [255 + (r - 255) * a, 255 + (g - 255) * a, 255 + (b - 255) * a];
}

/** A unit's output over the plane into `box` of `g`, each cell's colour as [`shade`] gives it;
 *  cell (column i, row j) drawn with row 0 at the bottom. */
function drawUnit(g, values, scale, box) {
  const n = Math.round(Math.sqrt(values.length)), img = g.createImageData(n, n);
  values.forEach((v, k) => {
    const i = Math.floor(k / n), j = k % n;
    img.data.set([...shade(v, scale), 255], 4 * ((n - 1 - j) * n + i));
  });
  const off = document.createElement("canvas");
  off.width = off.height = n;
  off.getContext("2d").putImageData(img, 0, 0);
  g.imageSmoothingEnabled = true;
  g.drawImage(off, box.x, box.y, box.w, box.h);
}

/** Units as circles, or a hidden unit as a picture of its output over the plane (TensorFlow
 *  Playground's), weights as lines: blue positive, orange negative, width ∝ |w|. */
function drawNetwork() {
  const cv = $("network"), g = cv.getContext("2d"), W = cv.width, H = cv.height;
  g.clearRect(0, 0, W, H);
  const ws = state.weights;
  state.unitBoxes = [];
  cv.dataset.units = "";
  if (!ws || !ws.length) return;
  const sizes = [ws[0].inputs, ...ws.map((w) => w.outputs)];
  const x = (k) => 56 + (k / (sizes.length - 1)) * (W - 96); // room for the inputs' names
  const y = (k, i) => ((i + 1) / (sizes[k] + 1)) * H;
  drawWeights(g, ws, x, y);
  // the first inputs when the server sends only the first MAX_DRAWN_UNITS of a wide input layer
  const names = ((state.points && state.points.inputs) || []).slice(0, sizes[0]);
  const labelled = names.length === sizes[0] && H / (sizes[0] + 1) >= 10;
  g.font = "10px sans-serif";
  const pictures = nodePictures();
  sizes.forEach((n, k) => {
    const units = k < sizes.length - 1 ? pictures[k] || [] : [];
    const s = Math.max(8, Math.min(30, H / (n + 1) - 3)); // a picture's side
    const label = (i) => fit(g, names[i], x(0) - (units[i] ? s / 2 : 4) - 4);
    for (let i = 0; i < n; i++) {
      if (units[i]) {
        drawNodePicture(g, units[i], [x(k), y(k, i)], s, { layer: k - 1, unit: i });
        if (i === 0 && k < 2) cv.dataset[k ? "firstUnit" : "firstInput"] = `${x(k)},${y(k, i)}`; // for the browser test
      } else {
        g.beginPath(); g.arc(x(k), y(k, i), 4, 0, 2 * Math.PI);
        g.fillStyle = "#fff"; g.fill(); g.strokeStyle = "#333"; g.lineWidth = 1; g.stroke();
      }
      if (k === 0 && labelled) { g.fillStyle = "#333"; g.fillText(label(i), 2, y(k, i) + 3); }
    }
  });
  cv.dataset.inputs = labelled ? names.join(",") : ""; // the labels drawn, for the browser test
  cv.dataset.units = pictures.map((l) => l.length).join(","); // the pictures drawn: inputs, then each hidden layer
  g.fillStyle = "#666"; g.font = "10px sans-serif";
  g.fillText(t("inputs"), 2, 10); g.fillText(t("outputs"), W - 44, 10);
}

/** Each weight a line from its input at (x(k), y(k, i)) to its unit: blue positive, orange
 *  negative, wider and stronger as |w| nears the largest. */
function drawWeights(g, ws, x, y) {
  const max = Math.max(1e-12, ...ws.flatMap((w) => w.values.map(Math.abs)));
  ws.forEach((w, k) => {
    for (let i = 0; i < w.inputs; i++) {
      for (let j = 0; j < w.outputs; j++) {
        const v = w.values[i * w.outputs + j];
        g.strokeStyle = v >= 0 ? "#1565c0" : "#ef6c00";
        g.globalAlpha = 0.25 + 0.75 * Math.abs(v) / max;
        g.lineWidth = 0.3 + 3.5 * Math.abs(v) / max;
        g.beginPath(); g.moveTo(x(k), y(k, i)); g.lineTo(x(k + 1), y(k + 1, j)); g.stroke();
      }
    }
  });
  g.globalAlpha = 1;
}

/** A node (`layer` −1: the inputs) as the picture of its `values`, a square of side `s` centred
 *  at `at`, outlined black while hovered; remembered for the pointer to find. */
function drawNodePicture(g, values, [cx, cy], s, node) {
  const box = { x: cx - s / 2, y: cy - s / 2, w: s, h: s };
  drawUnit(g, values, unitScale(values), box);
  const on = state.unitHover && state.unitHover.layer === node.layer && state.unitHover.unit === node.unit;
  g.strokeStyle = on ? "#000" : "#888"; g.lineWidth = on ? 2 : 1; g.strokeRect(box.x, box.y, s, s);
  state.unitBoxes.push({ ...box, ...node });
}

/** `text`, cut with … to at most `width` pixels in `g`'s font. */
function fit(g, text, width) {
  if (g.measureText(text).width <= width) return text;
  let cut = text;
  while (cut.length > 1 && g.measureText(cut + "…").width > width) cut = cut.slice(0, -1);
  return cut + "…";
}

function bounds(pts) {
  const xs = pts.map((q) => q[0]), ys = pts.map((q) => q[1]);
  const pad = (a, b) => [a - (b - a) * 0.05, b + (b - a) * 0.05];
  return { x: pad(Math.min(...xs), Math.max(...xs)), y: pad(Math.min(...ys), Math.max(...ys)) };
}

function rgb(hex) { return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)); }

/** Where the value axis gets a line and label: round steps (1, 2, 2.5 or 5 × 10^k, four or
 *  five of them), so a label reads 20 or 0.25, never 17.5 or 0.172; on a log10 axis whole
 *  powers of ten (at most six lines), so that a label reads 1e-3, never 1e-2.6. */
function axisTicks(lo, hi, log) {
  if (!log) {
    const raw = (hi - lo) / 4, p = 10 ** Math.floor(Math.log10(raw));
    const step = p * [1, 2, 2.5, 5, 10].find((m) => m * p >= raw * (1 - 1e-9)), ticks = [];
    for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)));
    return ticks;
  }
  const step = Math.max(1, Math.ceil((hi - lo) / 5)), ticks = [];
  for (let e = lo; e <= hi; e += step) ticks.push(e);
  return ticks;
}

/** Lines over epochs; `log`: the values are log10 and the axis is labelled 10^k; `mark`: an
 *  epoch's index to mark with a dotted line. A previous run's faint lines (`ghost`) set the axes
 *  only while the run shown has no values: they are cut at the chart's edge. */
function drawChart(cv, series, log, mark = null) {
  const g = cv.getContext("2d"), W = cv.width, H = cv.height, L = 44, B = 16, T = 8;
  g.clearRect(0, 0, W, H);
  const values = (list) => list.flatMap((s) => s.v).filter(Number.isFinite);
  const current = series.filter((s) => !s.ghost);
  const all = values(current).length ? values(current) : values(series);
  const n = Math.max(2, ...current.map((s) => s.v.length), state.epochs || 0);
  if (!all.length) return;
  let lo = Math.min(...all), hi = Math.max(...all);
  if (!log) lo = Math.min(lo, 0);
  else [lo, hi] = [Math.floor(lo), Math.ceil(hi)];
  if (hi - lo < 1e-9) hi = lo + 1;
  const x = (i) => L + (i / (n - 1)) * (W - L - 4), y = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - B - T - 4);
  g.fillStyle = "#666"; g.font = "10px sans-serif"; g.strokeStyle = "#eee";
  const labels = axisTicks(lo, hi, log).map((v) => {
    g.beginPath(); g.moveTo(L, y(v)); g.lineTo(W, y(v)); g.stroke();
    const label = log ? `1e${v}` : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(1) : String(v);
    g.fillText(label, 2, y(v) + 3);
    return label;
  });
  cv.dataset.ticks = labels.join(" "); // what the axis reads, for the browser test
  g.fillText(`${t("epochAxis")} ${n}`, W - 60, H - 3);
  g.save();
  g.beginPath(); g.rect(L, 0, W - L, H - B); g.clip(); // a ghost beyond the axes is cut
  series.forEach((s) => {
    g.globalAlpha = s.a || 1; g.strokeStyle = s.c; g.setLineDash(s.dash ? [5, 3] : []); g.lineWidth = 1.5;
    g.beginPath();
    s.v.forEach((v, i) => (i ? g.lineTo(x(i), y(v)) : g.moveTo(x(i), y(v))));
    g.stroke();
  });
  g.restore();
  g.globalAlpha = 1; g.setLineDash([]);
  if (mark !== null) {
    g.strokeStyle = "#2e7d32"; g.setLineDash([2, 3]);
    g.beginPath(); g.moveTo(x(mark), 0); g.lineTo(x(mark), H - B); g.stroke(); g.setLineDash([]);
  }
  if (state.hover !== null && state.hover < state.rows.length) {
    g.strokeStyle = "#000"; g.beginPath(); g.moveTo(x(state.hover), 0); g.lineTo(x(state.hover), H - B); g.stroke();
  }
  cv.dataset.n = n;
}

function hoverAt(cv, ev) {
  const r = cv.getBoundingClientRect(), n = Number(cv.dataset.n || 2), L = 44;
  const i = Math.round(((ev.clientX - r.left) * (cv.width / r.width) - L) / (cv.width - L - 4) * (n - 1));
  state.hover = i >= 0 && i < state.rows.length ? i : null;
  schedule();
}

/** The network picture's unit under the pointer (canvas pixels), or null. */
function unitAt(cv, ev) {
  const r = cv.getBoundingClientRect();
  const px = (ev.clientX - r.left) * (cv.width / r.width), py = (ev.clientY - r.top) * (cv.height / r.height);
  const b = (state.unitBoxes || []).find((b) => px >= b.x && px <= b.x + b.w && py >= b.y && py <= b.y + b.h);
  return b ? { layer: b.layer, unit: b.unit } : null;
}

/** What the hovered unit's picture, enlarged in the decision regions, shows. */
function showUnitHover() {
  const u = hoveredUnit();
  const range = u && [Math.min(...u.values), Math.max(...u.values)].map((v) => v.toPrecision(3));
  const input = u && u.layer < 0 && ((state.points && state.points.inputs) || [])[u.unit];
  const text = !u ? (state.unitBoxes.length ? t("unitHint") : "")
    : u.layer < 0 ? t("inputHover", input || u.unit + 1, ...range) : t("unitHover", u.layer + 1, u.unit + 1, ...range);
  $("unit-hover").textContent = text;
}

function showHover() {
  const r = state.rows[state.hover];
  $("hover").textContent = r ? t("hover", r, plain, t(METRICS[state.task].hover, metricText(r.val_metric))) : "";
}

// ---- wiring ----
/** Stops the page's run, if it may be going, and clears the views for the next run. */
async function reset() {
  Object.assign(state, { wanted: null, listening: false }); // its events are ignored from now on
  if (state.running) await stop();
  if (state.rows.length) state.prev = { train: state.rows.map((r) => r.train_loss), val: state.rows.map((r) => r.val_loss) };
  Object.assign(state, { rows: [], layers: [], grid: null, weights: null, runCommand: null, points: null, kept: null, runSettings: null });
  $("confusion").innerHTML = "<p class='note' data-i18n='confusion.later'></p>";
  applyLanguage(LANG); // the note's text, in the page's language
  links(null);
  status("ready");
  settingsChanged();
  schedule();
}

/** Play or step: the page's run goes on, or a new one starts with the settings shown. */
async function go(mode) {
  if (state.running) return control(mode);
  await reset();
  await start(mode);
}

/** The latest upload's summary, in the page's language, saying when the target box names another
 *  column than the summary's (its task and classes are the file's, found when a run starts); or
 *  its refusal, with the file the page still trains on. */
function showCsvNote() {
  const note = state.csvNote, target = targetColumn();
  const summary = (j) => t("csvInfo", j) + (target && target !== j.target ? " " + t("targetNow", target) : "");
  $("csv-info").textContent = !note ? "" : note.ok ? summary(note.ok)
    : note.error + (note.kept ? " " + t("csvKept", note.kept) : "");
}

async function uploadCsv() {
  const file = $("csv").files[0];
  if (!file) return;
  const r = await fetch(`/api/sessions/${state.session}/upload?name=${encodeURIComponent(file.name)}`,
    { method: "POST", headers: { "Content-Type": "text/csv" }, body: file });
  const j = await r.json().catch(() => ({ error: r.statusText }));
  state.csvNote = r.ok ? { ok: j } : { error: j.error, kept: state.upload };
  showCsvNote();
  // a refused file leaves the accepted one in place, and its name
  $("csv-warnings").innerHTML = (r.ok ? j.warnings || [] : []).map((w) => `<li>${esc(w)}</li>`).join("");
  if (r.ok) {
    const dropped = droppedByLink(j.columns, $("target").value || j.target);
    // a text column of more categories than the server makes inputs of starts unticked
    (j.left_out || []).forEach((c) => dropped.add(c));
    Object.assign(state, { upload: j.name, decimal: j.decimal, columns: j.columns, textColumns: j.text_columns, lastColumn: j.target, dropped, uploads: state.uploads + 1 });
    renderColumns();
    settingsChanged();
  }
}

function preset(best) {
  const s = best
    ? { init: "he_normal", activation: "elu", batch_norm: true, dropout: 0.2, optimizer: "adam", momentum: 0 }
    : { init: "default", activation: "sigmoid", batch_norm: false, dropout: 0, optimizer: "sgd", lr: 0.1, momentum: 0 };
  writeSettings(s);
  setAllActivations(s.activation);
  settingsChanged();
}

/** A command for the server: in turn, and only once the page has its session (else the status
 * says why it has none). */
function inSession(command) { return () => inTurn(() => state.session && command()); }

function wire() {
  // leaving or reloading the page stops a run not yet done: the browser asks first
  window.addEventListener("beforeunload", (e) => {
    if (state.running) { e.preventDefault(); e.returnValue = ""; } // returnValue: Chrome before 119
  });
  $("play").onclick = inSession(() => go("play"));
  $("pause").onclick = inSession(() => state.running && control("pause"));
  $("step").onclick = inSession(() => go("step"));
  $("reset").onclick = inSession(reset);
  $("speed").onchange = inSession(() => state.running && control(null));
  $("regenerate").onclick = () => { $("seed").value = nextSeed($("seed").value); settingsChanged(); };
  $("add-layer").onclick = () => {
    const w = hiddenInputs().map((i) => i.value), a = layerActivations();
    if (w.length < 8) renderLayers([...w, 8], [...a, a[a.length - 1] || $("activation").value || "relu"]);
    settingsChanged();
  };
  // down to none: the output layer alone, a linear (logistic) model, `train --hidden none`
  $("remove-layer").onclick = () => {
    const w = hiddenInputs().map((i) => i.value);
    if (w.length) { renderLayers(w.slice(0, -1), layerActivations()); settingsChanged(); }
  };
  $("activation").addEventListener("change", () => { if ($("activation").value) setAllActivations($("activation").value); });
  $("language").onchange = () => switchLanguage($("language").value);
  $("preset-best").onclick = () => preset(true);
  $("preset-plain").onclick = () => preset(false);
  $("csv").onchange = inSession(uploadCsv); // a play pressed next trains on this file
  $("copy").onclick = () => navigator.clipboard && navigator.clipboard.writeText($("cli-command").textContent).catch(() => {});
  document.querySelectorAll(".settings input, .settings select").forEach((el) => el.addEventListener("change", settingsChanged));
  ["loss", "accuracy", "grads"].forEach((id) => $(id).addEventListener("mousemove", (ev) => hoverAt($(id), ev)));
  // a unit's picture, hovered, fills the decision regions: what that one unit computes
  $("network").addEventListener("mousemove", (ev) => { state.unitHover = unitAt($("network"), ev); schedule(); });
  $("network").addEventListener("mouseleave", () => { state.unitHover = null; schedule(); });
  Object.keys(VIEW).forEach((k) => { viewCheckbox(k).onchange = () => { settingsChanged(); schedule(); }; });
  // a setup's link opened in this page (pasted, or followed from another) is the page anew, as in
  // a new tab: boxes the link leaves out (an early stopping off) keep no value of this page's
  // a pasted link is a new page; a run not done is asked about first, and kept on "no"
  window.addEventListener("hashchange", () => {
    if (state.running && !confirm(t("leaveRun"))) return history.replaceState(null, "", settingsToHash(readSettings()));
    state.running = false; // asked: the reload does not ask again
    location.reload();
  });
}

/** The page in `lang`: static text, the layer rows, the status, the drawn views. */
function switchLanguage(lang) {
  applyLanguage(lang);
  $("language").value = LANG;
  renderLayers(hiddenInputs().map((i) => i.value), layerActivations());
  status(...state.lastStatus);
  showTask();
  if (state.confusion && !state.listening && !state.running) renderConfusion(state.confusion);
  settingsChanged();
  schedule();
}

const fromUrl = settingsFromHash();
applyLanguage(fromUrl.lang || (navigator.language || "").startsWith("zh") ? (fromUrl.lang || "zh") : "en");
$("language").value = LANG;
showCommonActivation();
renderLayers([32, 32]);
delete fromUrl.lang;
takeView(fromUrl);
writeSettings(fromUrl);
wire();
showTask();
settingsChanged();
status("ready");
inTurn(openSession); // commands given before the session exists wait for it
