// `plaindnn playground --no-open --port 0`, its runs under `work`, and the URL it prints.
import { spawn } from "node:child_process";
import path from "node:path";

/** Starts the server; resolves to `{ server, url }` once it prints its URL (30 s at most). */
export async function startPlayground(bin, work) {
  const server = spawn(bin, ["playground", "--no-open", "--port", "0", "--runs", path.join(work, "runs")],
    { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (d) => { out += d; const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//); if (m) resolve(m[0]); });
    server.on("exit", (code) => reject(new Error(`the server exited (${code}) before printing its URL`)));
    setTimeout(() => reject(new Error("no URL printed within 30 s")), 30000);
  });
  return { server, url };
}
