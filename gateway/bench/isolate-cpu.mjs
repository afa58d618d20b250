// The CPU a Worker's isolate spends, from V8's own sampling profiler over
// the inspector of `wrangler dev` (the Chrome DevTools protocol's Profiler
// domain, as DevTools' "Profiler" tab uses it). Used by the Worker
// benchmark (gateway/bench/worker) through its measurement in the
// black-box harness; not part of the product.
//
//   node isolate-cpu.mjs <inspector port> [sampling interval µs, default 100]
//
// Reads commands from stdin, one per line, and answers each with one line
// of JSON on stdout:
//   start  starts a profile   -> {"started":true}
//   stop   stops it and counts its samples
//          -> {"samples":{"js":N,"gc":N,"program":N,"idle":N},"close":[µs,...],"top":[...]}
//          by what the isolate was doing: "js" (the Worker's JavaScript
//          and WebAssembly, with the runtime's APIs they call), "gc" (its
//          garbage collection), "program" (V8's name for the isolate
//          entered but in no script: the runtime's own native work for
//          it), "idle" (entered, marked idle); "close" are the short gaps
//          between samples, among which the one-tick gaps give the
//          sampler's period; "top" lists the functions with the most
//          samples of their own.
import { createInterface } from "node:readline";

const port = process.argv[2];
const intervalUs = Number(process.argv[3] ?? 100);
if (!port) {
  console.error("usage: node isolate-cpu.mjs <inspector port> [interval µs]");
  process.exit(2);
}

// The Worker's target: wrangler's inspector proxy lists it at /json.
async function target() {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const list = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
      const t = list.find((x) => x.webSocketDebuggerUrl);
      if (t) return t.webSocketDebuggerUrl;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no inspector target on port ${port}`);
}

// The proxy accepts local origins only (Node's WebSocket sends none unless
// told).
const socket = new WebSocket(await target(), { headers: { Origin: "http://127.0.0.1" } });
await new Promise((resolve, reject) => {
  socket.onopen = resolve;
  socket.onerror = () => reject(new Error("inspector connection failed"));
});
let nextId = 1;
const pending = new Map();
socket.onmessage = (event) => {
  const message = JSON.parse(event.data);
  const waiter = message.id && pending.get(message.id);
  if (!waiter) return; // events (console messages, script parsing)
  pending.delete(message.id);
  if (message.error) waiter.reject(new Error(JSON.stringify(message.error)));
  else waiter.resolve(message.result);
};
socket.onclose = () => {
  for (const waiter of pending.values()) waiter.reject(new Error("inspector closed"));
  process.exit(pending.size ? 1 : 0);
};
function send(method, params = {}) {
  const id = nextId++;
  socket.send(JSON.stringify({ id, method, params }));
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

await send("Profiler.enable");
await send("Profiler.setSamplingInterval", { interval: intervalUs });

// Counts a profile's samples by what the isolate was doing, and by
// function for the self-time list. V8's sampler ticks every interval, but
// a tick is recorded only while the isolate is entered (workerd enters it
// to run it, and leaves it while it waits): the count of samples times the
// sampler's period is the time the isolate ran. The period is longer than
// the interval asked for (the sampler thread sleeps, wakes and signals), so
// it is read off the profiles: two samples one tick apart, inside one
// stretch of the isolate's work, are one period apart. "close" are the gaps
// of up to three intervals and 300 µs, which hold those (the caller finds
// the one-tick cluster among them).
function summarize(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const kind = (name) => {
    if (name === "(idle)") return "idle";
    if (name === "(garbage collector)") return "gc";
    if (name === "(program)" || name === "(root)") return "program";
    return "js";
  };
  const samples = { js: 0, gc: 0, program: 0, idle: 0 };
  const self = new Map();
  for (const id of profile.samples) {
    const f = nodes.get(id).callFrame;
    const k = kind(f.functionName);
    samples[k] += 1;
    if (k === "js" || k === "gc") {
      const where = f.url ? `${f.url.split("/").pop()}:${f.lineNumber + 1}` : "native";
      const key = `${f.functionName || "(anonymous)"} ${where}`;
      self.set(key, (self.get(key) ?? 0) + 1);
    }
  }
  const close = profile.timeDeltas
    .slice(1)
    .filter((dt) => dt > 0 && dt <= 3 * intervalUs + 300);
  const top = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 40)
    .map(([name, n]) => ({ name, samples: n }));
  return { samples, close, top };
}

let saved = 0;
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const command = line.trim();
  try {
    if (command === "start") {
      await send("Profiler.start");
      console.log(JSON.stringify({ started: true }));
    } else if (command === "stop") {
      const { profile } = await send("Profiler.stop");
      if (process.env.ISOLATE_CPU_PROFILES) {
        // Kept whole for a closer look (DevTools' Performance panel, or
        // a script), one file per profile, numbered in order.
        const { writeFileSync } = await import("node:fs");
        const file = `${process.env.ISOLATE_CPU_PROFILES}/${port}-${String(++saved).padStart(3, "0")}.cpuprofile`;
        writeFileSync(file, JSON.stringify(profile));
      }
      console.log(JSON.stringify(summarize(profile)));
    } else if (command) {
      console.log(JSON.stringify({ error: `unknown command ${command}` }));
    }
  } catch (error) {
    console.log(JSON.stringify({ error: String(error.message ?? error) }));
  }
}
socket.close();
