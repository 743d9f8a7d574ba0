// plaindnn playground in headless Chromium, in one language (en or zh): the page speaks it and
// its explanations open that language's tour; choose spiral, play, watch it learn, pause,
// screenshot, then check that the page's CLI command reproduces its final validation loss. The
// Chinese run also adds x², y² and gives the second layer tanh, and its command must carry both.
// Then no hidden layer (`--hidden none`), a regression CSV upload with a text column (warnings,
// `--one-hot`, the input boxes and `--features`, command, RMSE, no confusion matrix) trained by the output layer alone, and Reset then
// Play while a slow run is in an epoch (the new run must pause, and reset must stop it).
// Usage: node playground.mjs PATH/TO/plaindnn SCREENSHOT.png en|zh
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { startPlayground } from "./server.mjs";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [bin, shot, lang = "en"] = process.argv.slice(2);
const WORDS = {
  en: { play: "▶ play", h1: "plaindnn playground", done: /^done/, tour: "/tour/en#3-the-quadrant-task", html: "en", csvInputs: "x,site_north,site_south", units: "2,16,16", valuesNote: /^a regression: the network's output and the points' values, orange -?[0-9.]+ to blue -?[0-9.]+$/, inputHover: /^input x: its value over the plane, from -[0-9.]+ to [0-9.]+/, unitHover: /^hidden layer 1, unit 1: its output over the plane, from -?[0-9.e+-]+ to -?[0-9.e+-]+/,
    grads: "━ hidden layer 1 ━ hidden layer 2 ━ output layer", dead: /^hidden layer 1: \d+ % dead units/, ready: "ready", paused: "paused", rmse: "val RMSE", pending: "the settings changed since this run started: it goes on with its own", targetNow: "the target is now x:", decimal: "numbers with decimal commas, 1,5 read as 1.5", noConfusion: "No confusion matrix: a regression predicts numbers, not classes." },
  zh: { play: "▶ 开始", h1: "plaindnn 游乐场", done: /^完成/, tour: "/tour/zh-CN#任务描述", html: "zh-CN", csvInputs: "x,site_north,site_south,x²,site_north²,site_south²", units: "4,16,16", valuesNote: /^回归：网络的输出和各点的值，从橙色 -?[0-9.]+ 到蓝色 -?[0-9.]+$/, inputHover: /^输入 x：它在平面上的值，从 -[0-9.]+ 到 [0-9.]+/, unitHover: /^隐藏层 1 的第 1 个单元：它在平面上的输出，从 -?[0-9.e+-]+ 到 -?[0-9.e+-]+/,
    grads: "━ 隐藏层 1 ━ 隐藏层 2 ━ 输出层", dead: /^隐藏层 1：\d+ % 的单元已“死亡”/, ready: "就绪", paused: "已暂停", rmse: "验证 RMSE", pending: "这次训练开始后设置改了：它仍按自己的设置继续", targetNow: "目标列现在是 x：", decimal: "数字以小数逗号书写，1,5 读作 1.5", noConfusion: "没有混淆矩阵：回归预测的是数值，不是类别。" },
}[lang] || (() => { throw new Error(`language ${lang}: en or zh`); })();
const work = fs.mkdtempSync(path.join(os.tmpdir(), "plaindnn-browser-"));
const fail = (message) => { throw new Error(message); };
const text = (page, id) => page.textContent(`[data-testid="${id}"]`);
// an element's text, or "(none)" where the page has no such element (an older page)
const shown = (page, selector) => page.evaluate((s) => document.querySelector(s)?.textContent ?? "(none)", selector);
// waits for `check(arg)` in the page; false when it does not come within `ms`
/** The colours in a sample of the decision-region canvas's pixels (every 37th). */
const regionColours = (page) => page.evaluate(() => {
  const c = document.querySelector('[data-testid="decision-regions"]');
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  const seen = new Set();
  for (let i = 0; i < d.length; i += 4 * 37) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
  return seen.size;
});
/** Whether leaving the page now would be asked about first (the page's beforeunload handler). */
const asksToLeave = (page) => page.evaluate(() => {
  const e = new Event("beforeunload", { cancelable: true });
  window.dispatchEvent(e);
  return e.defaultPrevented;
});
const until = (page, check, arg, ms) => page.waitForFunction(check, arg, { timeout: ms }).then(() => true, () => false);
const epochIs = (n) => Number(document.querySelector('[data-testid="epoch"]').textContent) >= n;
const epochsToTrain = 80;

const { server, url } = await startPlayground(bin, work);

/** The page's link, opened anew, keeps the view's boxes and, once the same file is uploaded again,
 *  its unticked columns: the same command as the page it came from. */
async function sameFromLink(browser, page, csv) {
  await page.check('[data-testid="discretize"]');
  await page.uncheck('[data-testid="show-validation"]');
  const link = await page.getAttribute("#link", "href");
  const command = await shown(page, "#cli-command");
  const again = await browser.newPage();
  await again.goto(link);
  const view = await again.evaluate(() => [document.getElementById("discretize").checked, document.getElementById("show-validation").checked].join(","));
  if (view !== "true,false") fail(`the link's view boxes (discretize, show validation) come back as ${view}`);
  const linked = () => document.getElementById("cli-command").textContent.includes(" --data FILE.csv --features x,site --one-hot site ");
  if (!await until(again, linked, null, 10000)) fail(`the link, before its file: \`${await shown(again, "#cli-command")}\``);
  await again.setInputFiles("#csv", { name: "heights.csv", mimeType: "text/csv", buffer: Buffer.from(csv.join("\n") + "\n") });
  const unticked = () => { const k = document.querySelector('[data-testid="columns"] input[data-column="k"]'); return k && !k.checked; };
  if (!await until(again, unticked, null, 30000)) fail("the link's unticked column k is ticked after the upload");
  const same = (c) => document.getElementById("cli-command").textContent === c;
  if (!await until(again, same, command, 10000)) fail(`from the link: \`${await shown(again, "#cli-command")}\`, not \`${command}\``);
  await again.close();
  await page.uncheck('[data-testid="discretize"]');
  await page.check('[data-testid="show-validation"]');
  console.log("the link keeps the view's boxes and, after the file, its unticked column and command");
}

/** A setup's link in a new page: the plane shows the set's points before Play; a box the page
 *  cannot send is named where the command goes, and Play says it; a run that early stopping ends
 *  says which epoch's weights it kept (its best); settings changed after it are said to wait. */
async function keptAndPending(browser, url) {
  const page = await browser.newPage();
  await page.goto(url + "#dataset=xor&noise=0.5&lr=0.05&patience=3&epochs=80&seed=42&batch_size=16");
  const drawn = () => /^[1-9]\d*,[1-9]\d*$/.test(document.getElementById("regions").dataset.points || "");
  if (!await until(page, drawn, null, 10000)) fail("before Play the plane shows no points");
  await page.fill("#batch_size", "2.5");
  await page.dispatchEvent("#batch_size", "change");
  const named = () => document.getElementById("cli-command").textContent === "# batch size: a whole number, got 2.5";
  if (!await until(page, named, null, 10000)) fail(`batch size 2.5: the command reads \`${await shown(page, "#cli-command")}\``);
  await page.click('[data-testid="play"]');
  if (!await until(page, () => document.getElementById("status").textContent === "batch size: a whole number, got 2.5", null, 10000)) {
    fail(`Play with batch size 2.5: status "${await text(page, "status")}"`);
  }
  await page.fill("#batch_size", "16");
  await page.dispatchEvent("#batch_size", "change");
  // the server's refusal names the page's box, its flag beside it
  await page.fill("#lr", "0");
  await page.dispatchEvent("#lr", "change");
  const lrNamed = () => document.getElementById("cli-command").textContent === "# learning rate: must be a positive number, got 0";
  if (!await until(page, lrNamed, null, 10000)) fail(`learning rate 0: the command reads \`${await shown(page, "#cli-command")}\``);
  await page.click('[data-testid="play"]');
  const lrSaid = () => document.getElementById("status").textContent === "learning rate: must be a positive number, got 0";
  if (!await until(page, lrSaid, null, 10000)) fail(`Play with learning rate 0: status "${await text(page, "status")}"`);
  await page.fill("#lr", "0.05");
  await page.dispatchEvent("#lr", "change");
  await page.click('[data-testid="play"]');
  await page.waitForFunction(() => document.getElementById("status").dataset.done === "yes", null, { timeout: 60000 });
  const [, run, best] = (await text(page, "status")).match(/^done: (\d+) epochs, best (\d+)$/) || [];
  const kept = (await text(page, "kept")).match(/^kept: the weights of epoch (\d+), the best \(early stopping\), val loss [0-9.]+, val accuracy [0-9.]+ %/);
  if (!best || !(Number(run) > Number(best)) || !kept || kept[1] !== best) fail(`early stopping: status "${await text(page, "status")}", kept "${await text(page, "kept")}"`);
  if (await asksToLeave(page)) fail("after the run is done, leaving the page is asked about");
  await page.fill("#lr", "0.3");
  await page.dispatchEvent("#lr", "change");
  if (!(await text(page, "pending")).startsWith("the settings changed since this run")) fail(`lr changed after the run: "${await text(page, "pending")}"`);
  await page.fill("#lr", "0.05");
  await page.dispatchEvent("#lr", "change");
  if (await text(page, "pending") !== "") fail(`lr back as the run had it: "${await text(page, "pending")}"`);
  await page.close();
  console.log(`points before Play; batch size 2.5 named; early stopping after ${run} epochs kept epoch ${best}'s weights and says so; a changed setting is said to wait`);
}

/** A 375 px wide phone: one column, nothing wider than the screen; and the tutorial's preset
 * after SGD with momentum gives a command the server takes (Adam has no momentum). */
async function onAPhone(browser, url) {
  const phone = await browser.newPage({ viewport: { width: 375, height: 700 } });
  await phone.goto(url);
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
  if (wide > 375) fail(`at 375 px the page is ${wide} px wide`);
  await phone.selectOption("#optimizer", "sgd");
  await phone.fill("#momentum", "0.9");
  await phone.dispatchEvent("#momentum", "change");
  await phone.click("#preset-best");
  const takes = () => /^plaindnn train .*--batch-norm/.test(document.getElementById("cli-command").textContent)
    && !/momentum|invalid/.test(document.getElementById("cli-command").textContent);
  if (!await until(phone, takes, null, 10000)) fail(`the preset after SGD + momentum: \`${await shown(phone, "#cli-command")}\``);
  console.log(`at 375 px the page is ${wide} px wide; the preset after SGD + momentum 0.9 gives a command the server takes`);
  await phone.close();
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
const errors = [];
try {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1050 } });
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(lang === "zh" ? `${url}#lang=zh` : url);
  const words = await page.evaluate(() => ({
    play: document.querySelector('[data-testid="play"]').textContent,
    h1: document.querySelector("h1").textContent,
    html: document.documentElement.lang,
    tour: decodeURI(new URL(document.querySelector('a.why[data-tour="data"]').href).pathname + new URL(document.querySelector('a.why[data-tour="data"]').href).hash),
  }));
  for (const k of ["play", "h1", "html", "tour"]) if (words[k] !== WORDS[k]) fail(`${lang}: ${k} is "${words[k]}", expected "${WORDS[k]}"`);
  const tourPage = await browser.newPage();
  await tourPage.goto(new URL(WORDS.tour, url).href);
  const heading = await tourPage.evaluate((id) => document.getElementById(id)?.textContent, decodeURIComponent(WORDS.tour.split("#")[1]));
  if (!heading) fail(`${WORDS.tour}: no such heading in the tour`);
  await tourPage.close();
  console.log(`${lang}: "${words.play}", "${words.h1}"; the data explanation opens ${WORDS.tour} ("${heading}")`);
  if (lang === "en") await onAPhone(browser, url);
  if (lang === "en") {
    await page.selectOption('[data-testid="language"]', "zh");
    const switched = await page.evaluate(() => [document.querySelector('[data-testid="play"]').textContent, location.hash]);
    if (switched[0] !== "▶ 开始" || !switched[1].includes("lang=zh")) fail(`switching to 中文: ${switched}`);
    await page.selectOption('[data-testid="language"]', "en");
  }
  if (lang === "zh") {
    await page.check('.features input[value="square"]');
    await page.selectOption('[data-testid="layer-activation"] >> nth=1', "tanh");
  }
  await page.selectOption('[data-testid="dataset"]', "spiral");
  await page.fill('[data-testid="epochs"]', String(epochsToTrain));
  await page.click('[data-testid="play"]');

  await page.waitForFunction(() => Number(document.querySelector('[data-testid="epoch"]').textContent) >= 1);
  const first = Number(await text(page, "train-loss"));
  await page.waitForFunction((f) => {
    const q = (id) => Number(document.querySelector(`[data-testid="${id}"]`).textContent);
    return q("epoch") > 20 && q("train-loss") < f / 2;
  }, first, { timeout: 60000 });
  console.log(`epoch ${await text(page, "epoch")}: train loss ${first} → ${await text(page, "train-loss")}`);

  const colours = await regionColours(page);
  if (colours < 3) fail(`the decision-region canvas has ${colours} colour(s)`);
  const strokes = await page.evaluate(() => {
    const c = document.querySelector('[data-testid="network"]');
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let blue = 0, orange = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0 && d[i + 2] > d[i] + 60) blue++;
      if (d[i + 3] > 0 && d[i] > d[i + 2] + 60) orange++;
    }
    return { blue, orange };
  });
  if (strokes.blue < 200 || strokes.orange < 200) fail(`the network picture: ${JSON.stringify(strokes)} blue / orange pixels`);

  await page.click('[data-testid="pause"]');
  await page.waitForTimeout(500);
  const paused = await text(page, "epoch");
  await page.waitForTimeout(1500);
  if ((await text(page, "epoch")) !== paused) fail(`the epoch counter went on after pause: ${paused} → ${await text(page, "epoch")}`);
  if (!await asksToLeave(page)) fail("leaving the page with a paused run is not asked about");
  // a link pasted into the page asks too; declined (Playwright dismisses it), the page and its
  // address stay as they were
  const hash = await page.evaluate(() => location.hash);
  await page.evaluate(() => { location.hash = "#dataset=xor"; });
  await page.waitForTimeout(500);
  const hashNow = await page.evaluate(() => location.hash);
  if (hashNow !== hash || (await text(page, "epoch")) !== paused) fail(`a link declined in a paused run: ${hashNow}, epoch ${await text(page, "epoch")}`);
  // the gradient chart names the layers as the settings do (diagnostics.csv's dense_1 in the title)
  const grads = await shown(page, "#grads-legend");
  if (grads !== WORDS.grads) fail(`the gradient chart's legend says "${grads}", not "${WORDS.grads}"`);
  const dead = await shown(page, "#dead");
  if (!WORDS.dead.test(dead)) fail(`the dead-unit line says "${dead}"`);
  // each input and hidden unit pictures its value over the plane, as TensorFlow Playground's;
  // hovered, the picture fills the decision regions and the note under the network names it
  const units = await page.getAttribute("#network", "data-units");
  if (units !== WORDS.units) fail(`the network pictures "${units}" inputs and units per hidden layer, not ${WORDS.units}`);
  const [cx, cy] = (await page.getAttribute("#network", "data-first-unit")).split(",").map(Number);
  const shades = await page.evaluate(([cx, cy]) => {
    const d = document.getElementById("network").getContext("2d").getImageData(cx - 4, cy - 4, 8, 8).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
    return seen.size;
  }, [cx, cy]);
  if (shades < 4) fail(`the first unit's picture has ${shades} shade(s)`);
  const net = await page.locator("#network").boundingBox();
  const [cw, ch] = await page.$eval("#network", (c) => [c.width, c.height]);
  await page.mouse.move(net.x + cx * net.width / cw, net.y + cy * net.height / ch);
  const showsUnit = () => document.getElementById("regions").dataset.showing === "unit 1.1";
  if (!await until(page, showsUnit, null, 5000)) fail(`hovering the first unit, the regions show "${await page.getAttribute("#regions", "data-showing")}"`);
  const unitNote = await shown(page, '[data-testid="unit-hover"]');
  if (!WORDS.unitHover.test(unitNote)) fail(`hovering the first unit, the note says "${unitNote}"`);
  const [ix, iy] = (await page.getAttribute("#network", "data-first-input")).split(",").map(Number);
  await page.mouse.move(net.x + ix * net.width / cw, net.y + iy * net.height / ch);
  if (!await until(page, () => document.getElementById("regions").dataset.showing === "unit 0.1", null, 5000)) fail(`hovering the input x, the regions show "${await page.getAttribute("#regions", "data-showing")}"`);
  const inputNote = await shown(page, '[data-testid="unit-hover"]');
  if (!WORDS.inputHover.test(inputNote)) fail(`hovering the input x, the note says "${inputNote}"`);
  await page.mouse.move(net.x - 20, net.y - 20);
  // the regions pale where the network is less sure; "discretize output" shows the classes flat
  const shaded = await regionColours(page);
  await page.check('[data-testid="discretize"]');
  await page.waitForTimeout(200);
  const flat = await regionColours(page);
  await page.uncheck('[data-testid="discretize"]');
  // the validation points (○) drawn or not, as TensorFlow Playground's "show test data"
  const [trainPoints, valPoints] = (await page.getAttribute("#regions", "data-points")).split(",");
  await page.uncheck('[data-testid="show-validation"]');
  const noVal = (points) => document.getElementById("regions").dataset.points === points;
  if (valPoints === "0" || !await until(page, noVal, `${trainPoints},0`, 5000)) fail(`the regions drew ${trainPoints} training and ${valPoints} validation points, then with validation hidden "${await page.getAttribute("#regions", "data-points")}"`);
  await page.check('[data-testid="show-validation"]');
  if (!(flat < shaded)) fail(`discretize output: ${flat} colours, not fewer than the shaded ${shaded}`);
  if (!await until(page, () => document.getElementById("regions").dataset.showing === "classes", null, 5000)) fail("away from the unit, the regions do not show the classes again");
  console.log(`unit pictures ${units}; the first has ${shades} shades; hovered: "${unitNote}", "${inputNote}"; regions ${shaded} colours shaded, ${flat} discretized`);
  await page.screenshot({ path: shot });
  console.log(`paused at epoch ${paused}; ${colours} colours in the regions; screenshot ${shot}`);

  await page.click('[data-testid="play"]');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="epoch"]').textContent) === n
    && document.getElementById("status").dataset.done === "yes", epochsToTrain, { timeout: 120000 });
  const status = await text(page, "status");
  if (!WORDS.done.test(status)) fail(`status "${status}" in ${lang}`);
  const pageLoss = Number(await text(page, "val-loss"));
  const command = (await text(page, "cli-command")).trim();
  if (!command.startsWith("plaindnn train ")) fail(`not a train command: ${command}`);
  if (lang === "zh" && !command.includes(" --activation relu,tanh --add-features square ")) fail(`the command lacks the layer's tanh or x²: ${command}`);
  const out = path.join(work, "cli-run");
  execFileSync(bin, [...command.split(" ").slice(1), "--quiet", "--out", out], { stdio: "inherit" });
  const rows = fs.readFileSync(path.join(out, "metrics.csv"), "utf8").trim().split("\n");
  const cliLoss = Number(rows[rows.length - 1].split(",")[2]);
  if (!(Math.abs(cliLoss - pageLoss) <= 1e-6)) fail(`val loss: page ${pageLoss}, \`${command}\` ${cliLoss}`);
  console.log(`\`${command}\` reproduces val loss ${cliLoss} (page ${pageLoss})`);
  // the gradient chart's log axis reads whole powers of ten (it read 1e-0.2 before)
  const ticks = ((await page.getAttribute("#grads", "data-ticks")) || "").split(" ");
  if (!ticks.every((s) => /^1e-?\d+$/.test(s))) fail(`gradient axis labels "${ticks.join(", ")}"`);
  console.log(`gradient axis: ${ticks.join(", ")}`);
  if (lang === "en") { // the run's report.html on a phone: its pictures shrink to the screen
    const report = await browser.newPage({ viewport: { width: 375, height: 700 } });
    await report.goto(new URL(await page.getAttribute("#report", "href"), url).href);
    const [reportWide, widest] = await report.evaluate(() => [document.documentElement.scrollWidth,
      Array.from(document.querySelectorAll("body *")).filter((e) => e.getBoundingClientRect().right > 375).map((e) => e.tagName)]);
    if (reportWide > 375) fail(`at 375 px report.html is ${reportWide} px wide (${widest.join(", ")})`);
    console.log(`at 375 px report.html is ${reportWide} px wide`);
    // every link of the served tour answers (TOUR.zh-CN.md, EXPERIMENTS.md and the picture were 404)
    await report.goto(new URL("/tour/en", url).href);
    const targets = await report.evaluate(() => [...new Set(Array.from(document.querySelectorAll("a[href], img[src]"))
      .map((e) => (e.href || e.src).split("#")[0]).filter((h) => h.startsWith(location.origin)))]);
    for (const target of targets) {
      const status = (await report.request.get(target)).status();
      if (status !== 200) fail(`the tour links to ${target}, which answers ${status}`);
    }
    console.log(`the tour's ${targets.length} pages it links to answer 200`);
    await report.close();
  }
  // "− layer" goes down to none (TensorFlow Playground's 0 hidden layers): the output layer
  // alone, `--hidden none` and no activation in the command, which `train` would refuse
  for (let i = 0; i < 4; i++) await page.click("#remove-layer");
  const layers = await page.evaluate(() => document.querySelectorAll("#layers input").length);
  if (layers !== 0) fail(`after four "− layer" clicks ${layers} layer(s) are left, not 0`);
  await page.click('[data-testid="reset"]'); // the command box shows the ended run's command until then
  const linear = () => { const c = document.getElementById("cli-command").textContent; return c.includes(" --hidden none ") && !c.includes("--activation"); };
  if (!await until(page, linear, null, 10000)) fail(`with no hidden layer the command is \`${await shown(page, "#cli-command")}\``);
  if (!await page.isDisabled("#activation")) fail("with no hidden layer the activation menu is still enabled");

  // a regression CSV: the upload's warnings name the file as the page gave it (not the server's
  // copy), the command names it before and after the run, the metric is RMSE, no confusion matrix;
  // its text column `site` becomes one 0/1 input per category (`--one-hot site`)
  // one x is missing: the run needs the "missing cells" menu
  const site = (i) => ["north", "south"][i % 2];
  const csv = ["x,k,site,height", ...Array.from({ length: 40 }, (_, i) => `${i === 7 ? "" : i / 10},5,${site(i)},${(1.5 * i / 10 + 0.3 + 0.2 * (i % 2) + 0.1 * Math.sin(i)).toFixed(3)}`)];
  await page.selectOption('[data-testid="dataset"]', "csv");
  await page.setInputFiles("#csv", { name: "heights.csv", mimeType: "text/csv", buffer: Buffer.from(csv.join("\n") + "\n") });
  if (!await until(page, () => document.getElementById("csv-info").textContent !== "", null, 30000)) fail("the upload of heights.csv got no answer");
  const warned = await shown(page, '[data-testid="csv-warnings"]');
  const constant = "heights.csv: column `k` is constant in the training rows; it carries no information";
  if (warned !== constant) fail(`the upload's warnings: "${warned}", not "${constant}"`);
  const oneHot = await shown(page, '[data-testid="one-hot"]');
  if (!oneHot.includes("site") || !oneHot.includes("--one-hot")) fail(`the upload's text column is not shown one-hot: "${oneHot}"`);
  const namesFile = () => document.getElementById("cli-command").textContent.includes(" --data heights.csv --one-hot site ");
  if (!await until(page, namesFile, null, 10000)) fail(`after the upload the command is \`${await shown(page, "#cli-command")}\``);
  // another target column than the summary's is said beside it (its task and classes come with the run)
  await page.fill("#target", "x");
  await page.dispatchEvent("#target", "change");
  if (!(await shown(page, "#csv-info")).includes(WORDS.targetNow)) fail(`target x: the upload's summary says "${await shown(page, "#csv-info")}"`);
  await page.fill("#target", "");
  await page.dispatchEvent("#target", "change");
  if ((await shown(page, "#csv-info")).includes(WORDS.targetNow)) fail(`target back to the last column: "${await shown(page, "#csv-info")}"`);
  // a box per column but the target: unticked, `site` is left out (`--features x,k`, no one-hot);
  // ticked again and `k` (constant) unticked, the run takes x and site's categories
  const box = (c) => `[data-testid="columns"] input[data-column="${c}"]`;
  const boxes = await page.$$eval('[data-testid="columns"] input', (els) => els.map((el) => el.dataset.column).join(","));
  if (boxes !== "x,k,site") fail(`the upload's input boxes are "${boxes}", not "x,k,site"`);
  await page.uncheck(box("site"));
  const withoutSite = () => { const c = document.getElementById("cli-command").textContent; return c.includes(" --data heights.csv --features x,k --hidden ") && document.getElementById("one-hot").textContent === ""; };
  if (!await until(page, withoutSite, null, 10000)) fail(`with site unticked the command is \`${await shown(page, "#cli-command")}\``);
  await page.check(box("site"));
  await page.uncheck(box("k"));
  const withoutK = () => document.getElementById("cli-command").textContent.includes(" --data heights.csv --features x,site --one-hot site ");
  if (!await until(page, withoutK, null, 10000)) fail(`with k unticked the command is \`${await shown(page, "#cli-command")}\``);
  // the box that scales the target puts its flag in the command
  await page.check('[data-testid="standardize-target"]');
  const standardizes = () => document.getElementById("cli-command").textContent.includes(" --standardize-target ");
  if (!await until(page, standardizes, null, 10000)) fail(`with the target standardised the command is \`${await shown(page, "#cli-command")}\``);
  const info = await shown(page, "#csv-info");
  if (!/1 missing cell: |1 个缺失单元格/.test(info)) fail(`the upload's summary does not count its missing cell: "${info}"`);
  await page.selectOption('[data-testid="impute"]', "mean");
  const imputes = () => document.getElementById("cli-command").textContent.includes(" --impute mean ");
  if (!await until(page, imputes, null, 10000)) fail(`with the missing cells filled the command is \`${await shown(page, "#cli-command")}\``);
  await page.fill('[data-testid="epochs"]', "20");
  await page.click('[data-testid="play"]');
  if (!await until(page, () => document.getElementById("status").dataset.done === "yes", null, 60000)) {
    fail(`the CSV run did not end: status "${await text(page, "status")}"`);
  }
  const [metricName, confusion, csvCommand] = await Promise.all(["#metric-name", "#confusion", "#cli-command"].map((s) => shown(page, s)));
  if (metricName !== WORDS.rmse) fail(`the regression's metric is "${metricName}", not "${WORDS.rmse}"`);
  if (confusion !== WORDS.noConfusion) fail(`the regression's confusion area says "${confusion}"`);
  if (!csvCommand.includes(" --data heights.csv --features x,site --one-hot site --standardize-target --impute mean --hidden none ")) fail(`the CSV run's command: \`${csvCommand}\``);
  const inputs = await page.getAttribute("#network", "data-inputs"); // the file's columns, not x, y
  if (inputs !== WORDS.csvInputs) fail(`the network picture labels the CSV's inputs "${inputs}", not "${WORDS.csvInputs}"`);
  console.log(`heights.csv: warned "${warned}"; after the run "${metricName}" ${await text(page, "val-accuracy")}, "${confusion}"`);
  await sameFromLink(browser, page, csv);
  if (!await until(page, () => document.getElementById("report").hasAttribute("href"), null, 5000)) fail("the ended run has no report link");
  // Reset clears the ended run: its report and weights links go (no href, so Enter on them does
  // not download the page itself), and the confusion area waits for the next run again
  await page.click('[data-testid="reset"]');
  const cleared = () => !document.getElementById("report").hasAttribute("href") && !document.getElementById("model").hasAttribute("href");
  if (!await until(page, cleared, null, 10000)) fail("after reset the ended run's report and weights links remain");
  const waiting = await shown(page, "#confusion");
  if (waiting === confusion) fail(`after reset the confusion area still says "${waiting}"`);
  // a column of IDs (more categories than the server makes inputs of) starts unticked: the
  // command leaves it out, where one-hot of it would have made 120 inputs
  const ids = ["id,x,label", ...Array.from({ length: 120 }, (_, i) => `c${i},${i % 7},${i % 2 ? "hi" : "lo"}`)];
  await page.uncheck("#standardize_target"); // a class label has no scale to standardise
  await page.setInputFiles("#csv", { name: "ids.csv", mimeType: "text/csv", buffer: Buffer.from(ids.join("\n") + "\n") });
  const idLeftOut = () => { const id = document.querySelector('[data-testid="columns"] input[data-column="id"]'); const c = document.getElementById("cli-command").textContent; return id && !id.checked && c.includes(" --data ids.csv --features x ") && !c.includes("--one-hot"); };
  if (!await until(page, idLeftOut, null, 30000)) fail(`after the upload of ids.csv ("${await shown(page, "#csv-info")}") the id box is ticked or the command is \`${await shown(page, "#cli-command")}\``);
  // a file of `;` and decimal commas, as Excel writes one in much of Europe: read so, said so,
  // and the command reads it as the page did (`--decimal ,`); the next file of points drops it
  const eu = ["x;y;label", ...Array.from({ length: 40 }, (_, i) => `${(i / 7).toFixed(2)};${i % 5},5;${i % 2 ? "hi" : "lo"}`.replace(".", ","))];
  await page.setInputFiles("#csv", { name: "eu.csv", mimeType: "text/csv", buffer: Buffer.from(eu.join("\n") + "\n") });
  const readsCommas = () => document.getElementById("cli-command").textContent.includes(" --data eu.csv --decimal , ");
  if (!await until(page, readsCommas, null, 30000)) fail(`after the upload of eu.csv the command is \`${await shown(page, "#cli-command")}\``);
  if (!(await shown(page, "#csv-info")).includes(WORDS.decimal)) fail(`eu.csv's summary says "${await shown(page, "#csv-info")}"`);
  await page.setInputFiles("#csv", { name: "ids.csv", mimeType: "text/csv", buffer: Buffer.from(ids.join("\n") + "\n") });
  const pointsAgain = () => !document.getElementById("cli-command").textContent.includes("--decimal");
  if (!await until(page, idLeftOut, null, 30000) || !await until(page, pointsAgain, null, 1000)) fail(`after ids.csv again the command is \`${await shown(page, "#cli-command")}\``);

  // a regression on two inputs (TensorFlow Playground's regression): the plane shows the
  // network's output, the points their values, on one orange-to-blue scale that the note names
  const plane = ["x,y,z", ...Array.from({ length: 60 }, (_, i) => `${i % 8},${Math.floor(i / 8)},${(0.5 * (i % 8) - 0.3 * Math.floor(i / 8)).toFixed(2)}`)];
  await page.setInputFiles("#csv", { name: "plane.csv", mimeType: "text/csv", buffer: Buffer.from(plane.join("\n") + "\n") });
  if (!await until(page, () => document.getElementById("csv-info").textContent.includes("60"), null, 30000)) fail(`the upload of plane.csv: "${await shown(page, "#csv-info")}"`);
  await page.click('[data-testid="play"]');
  if (!await until(page, () => document.getElementById("status").dataset.done === "yes", null, 60000)) fail(`the plane.csv run did not end: status "${await text(page, "status")}"`);
  const showing = await page.getAttribute("#regions", "data-showing");
  const valuesNote = await shown(page, '[data-testid="regions-note"]');
  if (showing !== "values" || !WORDS.valuesNote.test(valuesNote)) fail(`plane.csv's regions show "${showing}", noted "${valuesNote}"`);
  // in z's own units though the target is standardised (the box is still ticked): z reaches 3.5,
  // its standardised values stay under 2.5
  const top = Number(valuesNote.match(/-?[0-9.]+/g).pop());
  if (!(top > 3.4)) fail(`plane.csv's note tops out at ${top}, not in z's units (up to 3.5)`);
  const valueColours = await regionColours(page);
  if (valueColours < 20) fail(`plane.csv's output over the plane has ${valueColours} colour(s)`);
  console.log(`plane.csv: "${valuesNote}", ${valueColours} colours`);
  await page.click('[data-testid="reset"]');
  // a large upload: the plane draws at most 2 000 points of each split, and says so
  const many = ["x,y,z", ...Array.from({ length: 6000 }, (_, i) => `${i % 97},${i % 89},${i % 5}`)];
  await page.setInputFiles("#csv", { name: "many.csv", mimeType: "text/csv", buffer: Buffer.from(many.join("\n") + "\n") });
  if (!await until(page, () => document.getElementById("csv-info").textContent.includes("6000"), null, 30000)) fail(`the upload of many.csv: "${await shown(page, "#csv-info")}"`);
  await page.click('[data-testid="play"]');
  const sampled = () => {
    const said = (document.getElementById("messages").textContent.match(/\d+/g) || []).map(Number);
    return said.includes(6000) && said.some((n) => n > 0 && n <= 4000);
  };
  if (!await until(page, sampled, null, 30000)) fail(`many.csv: the messages say "${await shown(page, "#messages")}"`);
  console.log(`many.csv: "${(await shown(page, "#messages")).trim()}"`);
  await page.click('[data-testid="reset"]');

  // Reset then Play while a slow run is in an epoch: the new run must still pause and stop. (The
  // old page took the reset run's late `done` for the new run's, and pause then did nothing.)
  await page.selectOption('[data-testid="dataset"]', "spiral");
  for (let i = 0; i < 8; i++) await page.click("#add-layer"); // 8 × 256 units, batch size 1: ~1 s an epoch
  for (const input of await page.$$("#layers input")) await input.fill("256");
  await page.selectOption('[data-testid="train-share"]', "0.9");
  await page.selectOption('[data-testid="speed"]', "0");
  await page.fill("#batch_size", "1");
  await page.fill('[data-testid="epochs"]', "100");
  await page.click('[data-testid="play"]');
  if (!await until(page, epochIs, 1, 60000)) fail(`the slow run shows no epoch: status "${await text(page, "status")}"`);
  const resetAt = Date.now();
  await page.click('[data-testid="reset"]'); // in the slow run's second epoch
  await page.fill("#batch_size", "2");
  await page.waitForTimeout(300);
  await page.click('[data-testid="play"]');
  if (!await until(page, () => document.getElementById("cli-command").textContent.includes(" --batch-size 2 ")
    && Number(document.querySelector('[data-testid="epoch"]').textContent) >= 1, null, 60000)) {
    fail(`Reset then Play: no epoch of the new run; status "${await text(page, "status")}", \`${await text(page, "cli-command")}\``);
  }
  const firstEpoch = (Date.now() - resetAt) / 1000;
  const pausedAt = Number(await text(page, "epoch"));
  await page.click('[data-testid="pause"]');
  // the epoch under way may end (two if one ended as pause was pressed); then the counter stays
  let seen = pausedAt, since = Date.now();
  for (const end = Date.now() + 30000; Date.now() - since < 2000;) {
    await page.waitForTimeout(200);
    const now = Number(await text(page, "epoch"));
    if (now !== seen) [seen, since] = [now, Date.now()];
    if (seen > pausedAt + 2 || Date.now() > end) fail(`Reset then Play, then pause: the epoch counter went on, ${pausedAt} → ${seen}`);
  }
  const pausedStatus = await text(page, "status");
  if (pausedStatus !== WORDS.paused) fail(`Reset then Play, then pause: status "${pausedStatus}"`);
  // a setting changed while the paused run is shown waits for the next run, and the page says so
  await page.fill("#lr", "0.02");
  await page.dispatchEvent("#lr", "change");
  if (!(await text(page, "pending")).startsWith(WORDS.pending)) fail(`lr changed in a paused run: "${await text(page, "pending")}"`);
  await page.click('[data-testid="reset"]');
  if (!await until(page, (w) => document.getElementById("status").textContent === w, WORDS.ready, 30000)) {
    fail(`Reset then Play, then reset: status "${await text(page, "status")}"`);
  }
  if (await text(page, "pending") !== "") fail(`after reset the note of changed settings stays: "${await text(page, "pending")}"`);
  console.log(`Reset then Play: the new run's epoch 1 ${firstEpoch.toFixed(1)} s after reset; pause at ${pausedAt} stays at ${seen} for 2 s ("${pausedStatus}"); reset → "${await text(page, "status")}"`);
  // a step schedule past the last epoch: the page shows the warning `train` would print
  await page.selectOption("#lr_schedule", "step:50:0.5");
  await page.fill('[data-testid="epochs"]', "20");
  await page.dispatchEvent('[data-testid="epochs"]', "change");
  const warns = () => document.getElementById("command-warnings").textContent.startsWith("warning: the lr schedule step:50");
  if (!await until(page, warns, null, 10000)) fail(`step:50 over 20 epochs: the command's warnings say "${await shown(page, "#command-warnings")}"`);
  await page.fill('[data-testid="epochs"]', "60");
  await page.dispatchEvent('[data-testid="epochs"]', "change");
  if (!await until(page, () => document.getElementById("command-warnings").textContent === "", null, 10000)) fail("step:50 over 60 epochs: a warning stays");
  console.log("a schedule past the last epoch is warned about under the command, and the warning goes when it is not");
  // a seed past 2^53 reaches the command digit for digit (a JavaScript number would end in …992),
  // and "regenerate" adds one to it in 64 bits
  await page.fill("#seed", "9007199254740993");
  await page.dispatchEvent("#seed", "change");
  const seeded = (s) => document.getElementById("cli-command").textContent.includes(` --seed ${s}`);
  if (!await until(page, seeded, "9007199254740993", 10000)) fail(`seed 2^53 + 1: the command is \`${await shown(page, "#cli-command")}\``);
  await page.click("#regenerate");
  if (!await until(page, seeded, "9007199254740994", 10000)) fail(`regenerate after 2^53 + 1: the command is \`${await shown(page, "#cli-command")}\``);
  console.log("a seed past 2^53 keeps its digits in the command, and regenerate adds one to it");
  if (lang === "en") await keptAndPending(browser, url);
  if (errors.length) fail(`console errors: ${errors.join(" | ")}`);
} finally {
  await browser.close();
  server.kill();
  fs.rmSync(work, { recursive: true, force: true });
}
