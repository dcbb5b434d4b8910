/// <reference lib="dom" />
/**
 * Page `/vacuum-pressure.html`: the vacuum & pressure detector (serving.md §5.4) — depth profile,
 * price-anchored depth/flow heatmap, signal panel, direction bar — with the stream chosen from the
 * server's catalog, tuning knobs applied by the server, exchange-local time and the server's
 * errors shown.
 *
 * @module
 */
import {
  choiceFromUrl,
  choiceToUrl,
  completeChoice,
  decimalsFor,
  ErrorBanner,
  exchangeClock,
  exchangeTimeZone,
  fetchCatalog,
  niceStep,
  Picker,
  StatusLine,
  type StreamChoice,
  streamUrl,
} from "./chrome.ts";
import { numbers, StreamConnection, type StreamWindow, strings } from "./stream.ts";
import { type FlowCell, HMAP_HISTORY, HMAP_LEVELS, VpHeatmap } from "./vp_heatmap.ts";

/** The tuning knobs (serving.md §4.2) with their defaults and input steps. */
const KNOBS: { key: string; label: string; def: number; step: number }[] = [
  { key: "pre_smooth_span", label: "pre-smooth span", def: 15, step: 1 },
  { key: "d1_span", label: "d1 span", def: 10, step: 1 },
  { key: "d2_span", label: "d2 span", def: 20, step: 1 },
  { key: "d3_span", label: "d3 span", def: 40, step: 1 },
  { key: "w_d1", label: "w d1", def: 0.5, step: 0.05 },
  { key: "w_d2", label: "w d2", def: 0.35, step: 0.05 },
  { key: "w_d3", label: "w d3", def: 0.15, step: 0.05 },
  { key: "projection_horizon_s", label: "projection (s)", def: 10, step: 0.5 },
  { key: "fast_projection_horizon_s", label: "fast projection (s)", def: 0.5, step: 0.1 },
  { key: "smooth_zscore_window", label: "z-score window", def: 120, step: 1 },
];

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const banner = new ErrorBanner($("error"));
const status = new StatusLine($("status"));

let choice: StreamChoice = choiceFromUrl();
const knobs: Record<string, string> = {};
{
  const q = new URLSearchParams(location.search);
  for (const k of KNOBS) knobs[k.key] = q.get(k.key) ?? "";
}
let conn: StreamConnection | null = null;
let config: Record<string, unknown> | null = null;
let heat = new VpHeatmap(0.5);
let spot = NaN;
let spotRef = NaN;
/** Prices whose heatmap colour is recorded as each window is painted (test and debug hook). */
let probes: number[] = [];
const probeLog = new Map<string, ([number, number, number] | null)[]>();
let lastTs: bigint | null = null;
let signals: Record<string, number> = {};
let flowRows: { rel: number; side: string; depth: number; net: number; rest: number }[] = [];
let tz = "America/New_York";
let decimals = 2;
const view = { zoomX: 1, zoomY: 1, panCol: 0, panRow: 0, user: false };

const picker = new Picker($("picker"), "vacuum-pressure", choice, (c) => {
  choice = c;
  connect();
}, ["equity_mbo", "future_mbo"]);

// --- knobs --------------------------------------------------------------------------------------
const knobBox = $("knobs");
for (const k of KNOBS) {
  const label = document.createElement("label");
  label.textContent = k.label;
  const input = document.createElement("input");
  input.type = "number";
  input.id = `knob-${k.key}`;
  input.step = String(k.step);
  input.placeholder = String(k.def);
  input.value = knobs[k.key];
  input.addEventListener("change", () => knobs[k.key] = input.value.trim());
  label.append(input);
  knobBox.append(label);
}
$("apply-knobs").addEventListener("click", () => connect(lastTs));
$("reset-knobs").addEventListener("click", () => {
  for (const k of KNOBS) {
    knobs[k.key] = "";
    ($(`knob-${k.key}`) as HTMLInputElement).value = "";
  }
  connect(lastTs);
});

// --- stream -------------------------------------------------------------------------------------
function connect(resumeAfter: bigint | null = null): void {
  conn?.close();
  banner.clear();
  status.reset();
  choiceToUrl(choice, knobs);
  if (!choice.product_type || !choice.symbol || !choice.dt) {
    banner.show("The lake has no day with a vacuum-pressure stream: run `deno task demo` first.");
    return;
  }
  if (resumeAfter === null) {
    heat = new VpHeatmap(heat.bucket);
    spot = NaN;
    signals = {};
    flowRows = [];
  }
  tz = exchangeTimeZone(choice.product_type);
  conn = new StreamConnection(
    streamUrl("/v1/vacuum-pressure/stream", choice, knobs),
    {
      onWindow,
      onControl(msg) {
        if (msg.type === "runtime_config") applyConfig(msg);
      },
      onError(message) {
        banner.show(message);
      },
      onState(s, detail) {
        status.setState(s, detail);
      },
    },
    {},
    resumeAfter,
  );
}

function applyConfig(msg: Record<string, unknown>): void {
  config = msg;
  const bucket = Number(msg.rel_tick_size ?? msg.bucket_size_dollars);
  if (Number.isFinite(bucket) && bucket > 0 && bucket !== heat.bucket) heat = new VpHeatmap(bucket);
  decimals = Number(msg.price_decimals ?? 2);
  $("meta").textContent = `${msg.product_type} · ${msg.symbol} · tick $${msg.tick_size} · ` +
    `bucket $${bucket} · ×${msg.contract_multiplier} ${msg.qty_unit ?? ""} · config ` +
    `${msg.config_version ?? ""}`;
  const g = msg.gold_signal_config as Record<string, number> | undefined;
  if (g) {
    for (const k of KNOBS) {
      ($(`knob-${k.key}`) as HTMLInputElement).placeholder = String(g[k.key] ?? k.def);
    }
  }
}

function onWindow(w: StreamWindow): void {
  status.window(w);
  lastTs = w.windowEndTsNs;
  const snap = w.surfaces.snap;
  let ref = NaN;
  if (snap && snap.numRows) {
    const mid = numbers(snap, "mid_price")[0];
    const valid = snap.getChild("book_valid")?.get(0);
    spot = valid === false || !(mid > 0) ? NaN : mid;
    const scale = Number(config?.price_scale ?? 1e-9);
    const r = numbers(snap, "spot_ref_price_int")[0];
    ref = r > 0 ? r * scale : NaN;
  }
  const flow = w.surfaces.flow;
  const cells: FlowCell[] = [];
  flowRows = [];
  if (flow) {
    const rel = numbers(flow, "rel_ticks"), depth = numbers(flow, "depth_qty_end");
    const net = numbers(flow, "net_flow"), rest = numbers(flow, "rest_fraction");
    const side = strings(flow, "side");
    for (let i = 0; i < flow.numRows; i++) {
      cells.push({ relTicks: rel[i], depth: depth[i], netFlow: net[i] });
      flowRows.push({ rel: rel[i], side: side[i], depth: depth[i], net: net[i], rest: rest[i] });
    }
  }
  heat.frozen = view.user;
  heat.push(w.windowEndTsNs, spot, cells, ref);
  if (probes.length) {
    probeLog.set(String(w.windowEndTsNs), probes.map((p) => heat.sample(w.windowEndTsNs, p)));
    if (probeLog.size > 4000) probeLog.delete(probeLog.keys().next().value!);
  }
  spotRef = ref;
  const sig = w.surfaces.signals;
  if (sig && sig.numRows) {
    signals = {};
    for (const f of sig.schema.fields) signals[f.name] = numbers(sig, f.name)[0];
  }
  $("clock").textContent = exchangeClock(w.windowEndTsNs, tz);
  $("spot").textContent = Number.isFinite(spot) ? `$${spot.toFixed(decimals)}` : "no book";
  $("count").textContent = `${status.windows} windows`;
  renderSignals();
  dirty = true;
}

// --- signal panel -------------------------------------------------------------------------------
function fmt(v: number | undefined, dp: number): string {
  if (v === undefined || !Number.isFinite(v)) return "0";
  return `${v > 0 ? "+" : ""}${v.toFixed(dp)}`;
}

function signColor(v: number, k: number): string {
  const t = Math.min(1, Math.abs(v) * k);
  if (v > 0) return `rgb(${30 + 30 * t},${160 + 95 * t},${100 + 55 * t})`;
  if (v < 0) return `rgb(${160 + 95 * t},${30 + 30 * t},${80 + 40 * t})`;
  return "#888";
}

function setValue(id: string, v: number, dp: number, k: number, colourSign = 1): void {
  const el = $(id);
  el.textContent = fmt(v, dp);
  el.style.color = signColor(colourSign * (v || 0), k);
}

function gauge(id: string, v: number, scale: number): void {
  const el = $(id);
  const frac = 50 * Math.abs(Math.tanh((v || 0) / scale));
  el.style.left = v >= 0 ? "50%" : `${50 - frac}%`;
  el.style.width = `${frac}%`;
  el.style.background = v >= 0 ? "#22cc66" : "#cc2255";
}

function renderSignals(): void {
  const s = signals;
  const comp = Number.isFinite(s.composite_smooth) ? s.composite_smooth : s.composite ?? 0;
  setValue("sig-composite", comp, 1, 0.002);
  $("composite-marker").style.left = `${50 + 50 * Math.tanh(comp / 2000)}%`;
  const conf = Math.max(s.confidence || 0, s.wtd_deriv_conf || 0);
  $("sig-confidence").textContent = `${(100 * conf).toFixed(0)}%`;
  const strength = Number.isFinite(s.strength_smooth) ? s.strength_smooth : s.strength ?? 0;
  $("sig-strength").textContent = `${(100 * strength).toFixed(0)}%`;
  setValue("sig-d1", s.d1_smooth, 2, 0.01);
  setValue("sig-d2", s.d2_smooth, 2, 0.02);
  setValue("sig-d3", s.d3_smooth, 3, 0.05);
  gauge("gauge-d1", s.d1_smooth, 500);
  gauge("gauge-d2", s.d2_smooth, 200);
  gauge("gauge-d3", s.d3_smooth, 100);
  setValue("sig-vac-above", s.vacuum_above, 0, 0.01);
  setValue("sig-vac-below", s.vacuum_below, 0, 0.01, -1);
  setValue("sig-flow-imb", s.flow_imbalance, 0, 0.01);
  setValue("sig-fill-imb", s.fill_imbalance, 0, 0.01);
  setValue("sig-depth-imb", s.depth_imbalance, 3, 2);
  setValue("sig-rest-imb", s.rest_depth_imbalance, 3, 2);
  setValue("sig-drain-ask", s.resting_drain_ask, 0, 0.01);
  setValue("sig-drain-bid", s.resting_drain_bid, 0, 0.01, -1);
  const dir = Number.isFinite(s.wtd_slope) ? s.wtd_slope : comp;
  const d = $("direction");
  if (dir > 50) {
    d.textContent = `BULLISH ${fmt(dir, 0)}`;
    d.style.color = "#22cc66";
  } else if (dir < -50) {
    d.textContent = `BEARISH ${fmt(dir, 0)}`;
    d.style.color = "#cc2255";
  } else {
    d.textContent = `NEUTRAL ${fmt(dir, 0)}`;
    d.style.color = "#888";
  }
  $("bar-d1").textContent = fmt(s.d1_smooth, 1);
  $("bar-d2").textContent = fmt(s.d2_smooth, 1);
  $("bar-slope").textContent = fmt(s.wtd_slope, 2);
}

// --- canvases -----------------------------------------------------------------------------------
const heatCanvas = $<HTMLCanvasElement>("heatmap");
const depthCanvas = $<HTMLCanvasElement>("depth");
const axisCanvas = $<HTMLCanvasElement>("axis");
const off = new OffscreenCanvas(HMAP_HISTORY, HMAP_LEVELS);
const offCtx = off.getContext("2d")!;

function fit(c: HTMLCanvasElement): CanvasRenderingContext2D {
  const dpr = devicePixelRatio || 1;
  const w = Math.max(1, Math.round(c.clientWidth * dpr));
  const h = Math.max(1, Math.round(c.clientHeight * dpr));
  if (c.width !== w || c.height !== h) {
    c.width = w;
    c.height = h;
  }
  const ctx = c.getContext("2d")!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

/** Visible window of the grid: columns [c0, c0+nc), rows [r0, r0+nr). */
function viewport(): { c0: number; nc: number; r0: number; nr: number } {
  const nc = HMAP_HISTORY / view.zoomX, nr = HMAP_LEVELS / view.zoomY;
  if (!view.user) {
    const spotRow = heat.trail[HMAP_HISTORY - 1];
    view.panCol = HMAP_HISTORY - nc;
    view.panRow = Number.isFinite(spotRow) ? spotRow - nr / 2 : (HMAP_LEVELS - nr) / 2;
  }
  view.panCol = Math.min(HMAP_HISTORY - nc, Math.max(0, view.panCol));
  view.panRow = Math.min(HMAP_LEVELS - nr, Math.max(0, view.panRow));
  return { c0: view.panCol, nc, r0: view.panRow, nr };
}

function drawHeatmap(): void {
  const ctx = fit(heatCanvas);
  const W = heatCanvas.clientWidth, H = heatCanvas.clientHeight;
  offCtx.putImageData(new ImageData(heat.rgba, HMAP_HISTORY, HMAP_LEVELS), 0, 0);
  const v = viewport();
  ctx.imageSmoothingEnabled = false;
  ctx.fillStyle = "rgb(10,10,15)";
  ctx.fillRect(0, 0, W, H);
  ctx.drawImage(off, v.c0, v.r0, v.nc, v.nr, 0, 0, W, H);
  const x = (c: number) => ((c + 0.5 - v.c0) / v.nc) * W;
  const y = (r: number) => ((r + 0.5 - v.r0) / v.nr) * H;
  if (Number.isFinite(heat.anchor)) {
    const step = niceStep(HMAP_LEVELS * heat.bucket / view.zoomY, 40);
    ctx.strokeStyle = "rgba(255,255,255,0.05)";
    const top = heat.priceOf(v.r0), bottom = heat.priceOf(v.r0 + v.nr);
    for (let p = Math.ceil(bottom / step) * step; p <= top; p += step) {
      const py = y(heat.rowOf(p));
      ctx.beginPath();
      ctx.moveTo(0, py);
      ctx.lineTo(W, py);
      ctx.stroke();
    }
  }
  ctx.strokeStyle = "rgba(0,255,170,0.85)";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  let pen = false;
  for (let c = 0; c < HMAP_HISTORY; c++) {
    const r = heat.trail[c];
    if (!Number.isFinite(r)) {
      pen = false;
      continue;
    }
    if (pen) ctx.lineTo(x(c), y(r - 0.5 + 0.5));
    else ctx.moveTo(x(c), y(r));
    pen = true;
  }
  ctx.stroke();
  const sr = heat.trail[HMAP_HISTORY - 1];
  if (Number.isFinite(sr)) {
    const sx = x(HMAP_HISTORY - 1), sy = y(sr);
    ctx.setLineDash([4, 4]);
    ctx.strokeStyle = "rgba(0,255,170,0.35)";
    ctx.beginPath();
    ctx.moveTo(0, sy);
    ctx.lineTo(W, sy);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = "rgba(0,255,170,0.3)";
    ctx.beginPath();
    ctx.arc(sx, sy, 6, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = "#00ffaa";
    ctx.beginPath();
    ctx.arc(sx, sy, 3, 0, 2 * Math.PI);
    ctx.fill();
  }
  if (view.zoomX > 1 || view.zoomY > 1) {
    ctx.fillStyle = "#888";
    ctx.font = "10px monospace";
    ctx.fillText(
      `${view.zoomX.toFixed(1)}x × ${view.zoomY.toFixed(1)}x · dblclick to reset`,
      8,
      H - 8,
    );
  }
}

function drawAxis(): void {
  const ctx = fit(axisCanvas);
  const W = axisCanvas.clientWidth, H = axisCanvas.clientHeight;
  ctx.clearRect(0, 0, W, H);
  if (!Number.isFinite(heat.anchor)) return;
  const v = viewport();
  const y = (p: number) => ((heat.rowOf(p) + 0.5 - v.r0) / v.nr) * H;
  const step = niceStep(v.nr * heat.bucket, 20);
  const dp = step < 1 ? Math.max(decimals, decimalsFor(step)) : 0;
  ctx.font = "9px monospace";
  ctx.fillStyle = "#666";
  ctx.strokeStyle = "#444";
  const top = heat.priceOf(v.r0), bottom = heat.priceOf(v.r0 + v.nr);
  for (let p = Math.ceil(bottom / step) * step; p <= top; p += step) {
    const py = y(p);
    ctx.beginPath();
    ctx.moveTo(0, py);
    ctx.lineTo(5, py);
    ctx.stroke();
    ctx.fillText(p.toFixed(dp), 8, py + 3);
  }
  if (Number.isFinite(spot)) {
    const py = y(spot);
    ctx.fillStyle = "rgba(0,255,170,0.2)";
    ctx.fillRect(0, py - 7, W, 14);
    ctx.fillStyle = "#00ffaa";
    ctx.font = "bold 10px monospace";
    ctx.fillText(spot.toFixed(decimals), 4, py + 4);
  }
}

function drawDepth(): void {
  const ctx = fit(depthCanvas);
  const W = depthCanvas.clientWidth, H = depthCanvas.clientHeight;
  ctx.clearRect(0, 0, W, H);
  if (!Number.isFinite(spot)) return;
  const v = viewport();
  const mid = W / 2 + 18, max = W / 2 - 22;
  const rowH = H / v.nr;
  let maxD = 1;
  for (const r of flowRows) maxD = Math.max(maxD, r.depth);
  const base = Number.isFinite(spotRef) ? spotRef : spot;
  for (const r of flowRows) {
    const row = heat.rowOf(base + r.rel * heat.bucket);
    const py = ((row + 0.5 - v.r0) / v.nr) * H;
    if (py < 0 || py > H) continue;
    const len = Math.min(max, (Math.log1p(r.depth) / Math.log1p(maxD)) * max);
    const t = Math.tanh(r.net / heat.flowScale);
    const a = 0.4 + 0.5 * (Number.isFinite(r.rest) ? r.rest : 0);
    ctx.fillStyle = t >= 0
      ? `rgba(30,${140 + 80 * t},${120 + 50 * t},${a})`
      : `rgba(${140 + 80 * -t},30,${60 + 40 * -t},${a})`;
    const h = Math.max(1, rowH - 1);
    if (r.side === "B") ctx.fillRect(mid - len, py - h / 2, len, h);
    else ctx.fillRect(mid, py - h / 2, len, h);
  }
  ctx.strokeStyle = "#333";
  ctx.beginPath();
  ctx.moveTo(mid, 0);
  ctx.lineTo(mid, H);
  ctx.stroke();
  const sy = ((heat.rowOf(spot) + 0.5 - v.r0) / v.nr) * H;
  ctx.strokeStyle = "rgba(0,255,170,0.5)";
  ctx.beginPath();
  ctx.moveTo(0, sy);
  ctx.lineTo(W, sy);
  ctx.stroke();
  ctx.fillStyle = "#555";
  ctx.font = "9px monospace";
  ctx.fillText("BID", mid - 28, 12);
  ctx.fillText("ASK", mid + 6, 12);
}

// --- interactions -------------------------------------------------------------------------------
heatCanvas.addEventListener("wheel", (e) => {
  e.preventDefault();
  const norm = e.deltaMode === 1 ? e.deltaY * 40 : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
  const steps = Math.min(Math.abs(norm) / 100, 3) * Math.sign(norm);
  const f = 1.08 ** -steps;
  const rect = heatCanvas.getBoundingClientRect();
  const v = viewport();
  const fx = (e.clientX - rect.left) / rect.width, fy = (e.clientY - rect.top) / rect.height;
  const colAt = v.c0 + fx * v.nc, rowAt = v.r0 + fy * v.nr;
  if (e.ctrlKey || e.metaKey || !e.shiftKey) {
    view.zoomY = Math.min(8.1, Math.max(1, view.zoomY * f));
  }
  if (e.ctrlKey || e.metaKey || e.shiftKey) {
    view.zoomX = Math.min(12, Math.max(1, view.zoomX * f));
  }
  dirty = true;
  view.panCol = colAt - fx * HMAP_HISTORY / view.zoomX;
  view.panRow = rowAt - fy * HMAP_LEVELS / view.zoomY;
}, { passive: false });
let drag: { x: number; y: number; col: number; row: number; moved: boolean } | null = null;
heatCanvas.addEventListener("pointerdown", (e) => {
  const v = viewport();
  drag = { x: e.clientX, y: e.clientY, col: v.c0, row: v.r0, moved: false };
  heatCanvas.setPointerCapture(e.pointerId);
});
heatCanvas.addEventListener("pointermove", (e) => {
  if (!drag) return;
  const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
  if (!drag.moved && Math.hypot(dx, dy) <= 3) return;
  drag.moved = true;
  view.user = true;
  const rect = heatCanvas.getBoundingClientRect();
  dirty = true;
  view.panCol = drag.col - dx / rect.width * HMAP_HISTORY / view.zoomX;
  view.panRow = drag.row - dy / rect.height * HMAP_LEVELS / view.zoomY;
});
heatCanvas.addEventListener("pointerup", () => drag = null);
heatCanvas.addEventListener("dblclick", () => {
  dirty = true;
  view.zoomX = view.zoomY = 1;
  view.user = false;
});
$("pause").addEventListener("click", (e) => {
  const b = e.target as HTMLButtonElement;
  const pause = b.textContent === "Pause";
  conn?.control({ type: pause ? "pause" : "resume" });
  b.textContent = pause ? "Resume" : "Pause";
});

/** Set when the data or the view changed: the next animation frame redraws. */
let dirty = true;
let lastSize = "";

function frame(now: number): void {
  const size = `${heatCanvas.clientWidth}x${heatCanvas.clientHeight}x${devicePixelRatio}`;
  if (size !== lastSize) {
    lastSize = size;
    dirty = true;
  }
  status.frame(now);
  requestAnimationFrame(frame);
  if (!dirty) return;
  dirty = false;
  drawHeatmap();
  drawAxis();
  drawDepth();
  status.rendered(now);
}

// Test and debugging hooks (read-only views of the page state).
Object.assign(globalThis, {
  __spymaster: {
    page: "vacuum-pressure",
    get windows() {
      return status.windows;
    },
    get state() {
      return status.state;
    },
    get config() {
      return config;
    },
    get lastWindow() {
      return lastTs === null ? null : String(lastTs);
    },
    /** The heatmap's anchor price, bucket and the window ends it holds (oldest, newest). */
    get grid() {
      const held = [...heat.times].filter((t) => t !== 0n);
      return {
        anchor: heat.anchor,
        bucket: heat.bucket,
        first: held.length ? String(held[0]) : null,
        last: held.length ? String(held.at(-1)) : null,
      };
    },
    /** Heatmap colour at (window end, price), or null when that cell is not in the grid. */
    sample(ts: string, price: number) {
      return heat.sample(BigInt(ts), price);
    },
    get signals() {
      return signals;
    },
    /** Sends a control message on the open stream (`pause`, `resume`, `speed`, `seek`). */
    control(msg: Record<string, unknown>) {
      conn?.control(msg);
    },
    /**
     * Records, from now on, the colour painted at each of `prices` in every new window (the grid
     * re-anchors as the spot moves, so a past price may leave it).
     */
    probe(prices: number[]) {
      probes = prices;
      probeLog.clear();
    },
    /** The colours recorded by {@linkcode probe} for window `ts` (one per price, null if off-grid). */
    probed(ts: string) {
      return probeLog.get(ts) ?? null;
    },
  },
});

requestAnimationFrame(frame);
fetchCatalog().then((cat) => {
  choice = completeChoice(cat, "vacuum-pressure", choice);
  picker.setCatalog(cat);
  picker.setChoice(choice);
  connect();
}).catch((e) => banner.show(`could not load the catalog: ${(e as Error).message}`));
