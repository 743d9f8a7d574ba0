import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
const [bin, layers, share, bs] = process.argv.slice(2);
const server = spawn(bin, ["playground", "--no-open", "--port", "0", "--runs", "/tmp/rev38-d/runs"], { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((res) => { let o = ""; server.stdout.on("data", (d) => { o += d; const m = o.match(/http:\/\/127\.0\.0\.1:\d+\//); if (m) res(m[0]); }); });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage();
  await page.goto(url);
  await page.selectOption('[data-testid="dataset"]', "spiral");
  for (let i = 2; i < Number(layers); i++) await page.click("#add-layer");
  for (const input of await page.$$("#layers input")) await input.fill("256");
  await page.selectOption('[data-testid="speed"]', "0");
  if (share) await page.selectOption('[data-testid="train-share"]', share);
  await page.fill("#batch_size", bs || "1");
  await page.fill('[data-testid="epochs"]', "100");
  await page.click('[data-testid="play"]');
  const t = [];
  for (let e = 1; e <= 5; e++) { await page.waitForFunction((n) => Number(document.querySelector('[data-testid="epoch"]').textContent) >= n, e, { timeout: 60000 }); t.push(Date.now()); }
  console.log(layers, share, bs, t.slice(1).map((x, i) => x - t[i]).join(" "), await page.textContent("#cli-command"));
} finally { await browser.close(); server.kill(); }
