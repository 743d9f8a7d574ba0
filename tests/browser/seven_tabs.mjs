// Seven playground pages in one browser (one profile, so one pool of connections): browsers open
// at most six HTTP/1.1 connections to one address, so a page that held one for its live updates
// left a seventh page with no connection. Each page must load, train two epochs and show them.
// Usage: node seven_tabs.mjs PATH/TO/plaindnn
import { chromium } from "playwright-core";
import { startPlayground } from "./server.mjs";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [bin] = process.argv.slice(2);
const pages = 7;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "plaindnn-tabs-"));
const { server, url } = await startPlayground(bin, work);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
let code = 0;
try {
  const context = await browser.newContext(); // one profile: the pages share its connections
  const tabs = [];
  for (let i = 0; i < pages; i++) {
    const tab = await context.newPage();
    await tab.goto(url, { timeout: 15000 });
    await tab.waitForFunction(() => document.getElementById("status").textContent !== "", null, { timeout: 15000 });
    tabs.push(tab);
  }
  const last = tabs[pages - 1];
  await last.fill('[data-testid="epochs"]', "2");
  await last.click('[data-testid="play"]');
  await last.waitForFunction(() => Number(document.querySelector('[data-testid="epoch"]').textContent) === 2
    && document.getElementById("status").dataset.done === "yes", null, { timeout: 30000 });
  console.log(`seven_tabs: page ${pages} of ${pages} in one browser trained and showed epoch 2`);
} catch (e) {
  console.error(`seven_tabs: ${e.message.split("\n")[0]}`);
  code = 1;
} finally {
  await browser.close();
  server.kill();
  fs.rmSync(work, { recursive: true, force: true });
}
process.exit(code);
