/// <reference lib="dom" />
/**
 * Page `/` ("Liquidity Physics", serving.md §5.2): the time × price heat field of the gold surface
 * drawn at the price each value had at that time, the spot line, option strike bars, the forecast
 * path and cone with the run-score HUD, a price axis in the product's real tick, zoom and pan,
 * following the spot by default.
 *
 * @module
 */
import {
  catalogSurfaces,
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
import { futuresColumn, optionsColumn, VelocityField } from "./velocity_field.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const banner = new ErrorBanner($("error"));
const status = new StatusLine($("status"));
const fieldCanvas = $<HTMLCanvasElement>("field");
const overlay = $<HTMLCanvasElement>("overlay");
const VIEW_SECONDS = 300, VIEW_TICKS = 100, MARGIN = 0.3;

let field: VelocityField;
try {
  field = new VelocityField(fieldCanvas);
} catch (e) {
  banner.show((e as Error).message);
  throw e;
}

let choice: StreamChoice = choiceFromUrl();
let conn: StreamConnection | null = null;
let meta = { tickSize: 0.25, tickInt: 250_000_000n, strikeTicks: 20, grid: 200 };
let metaSet = false;
let lastTs: bigint | null = null;
let spotTick = NaN;
let mid = NaN;
let forecast: { h: number; delta: number; conf: number }[] = [];
let diag = { up: NaN, down: NaN, dUp: NaN, dDown: NaN };
let tz = "America/Chicago";
const view = { zoomV: 1, zoomH: 1, center: NaN, follow: true };

const picker = new Picker($("picker"), "velocity", choice, (c) => {
  choice = c;
  connect();
}, ["future_mbo"]);

function connect(): void {
  conn?.close();
  banner.clear();
  status.reset();
  choiceToUrl(choice);
  if (!choice.product_type || !choice.symbol || !choice.dt) {
    banner.show("The lake has no day with a velocity stream: run `deno task demo` first.");
    return;
  }
  tz = exchangeTimeZone(choice.product_type);
  metaSet = false;
  field.clear();
  forecast = [];
  spotTick = NaN;
  view.follow = true;
  // ask for what the day has (no forecast without fitted physics parameters, no options
  // surface without options silver); an unknown day asks for everything and the server says why
  const surfaces = catalogSurfaces(picker.catalog, "velocity", choice);
  $("no-forecast").hidden = surfaces.length === 0 || surfaces.includes("forecast");
  conn = new StreamConnection(
    streamUrl("/v1/velocity/stream", choice, {
      surfaces: surfaces.join(","),
    }),
    {
      onWindow,
      onError: (m) => banner.show(m),
      onState: (s, d) => status.setState(s, d),
    },
  );
}

function applyMeta(b: Record<string, unknown>): void {
  const tickSize = Number(b.tick_size), grid = Number(b.grid_max_ticks);
  if (!(tickSize > 0) || !(grid > 0)) return;
  meta = {
    tickSize,
    tickInt: BigInt(String(b.tick_int ?? Math.round(tickSize * 1e9))),
    strikeTicks: Math.max(1, Number(b.strike_ticks) || 1),
    grid,
  };
  field.configure(meta.grid, meta.strikeTicks);
  metaSet = true;
}

/** Rolling performance samples (ms) for the bench and the status line. */
const perf = { decode: [] as number[], upload: [] as number[], toPixels: [] as number[] };
let pendingPixels: number | null = null;
function sample(list: number[], v: number): void {
  list.push(v);
  if (list.length > 2000) list.shift();
}

function onWindow(w: StreamWindow): void {
  const t0 = performance.now();
  status.window(w);
  if (!metaSet) applyMeta(w.batch);
  lastTs = w.windowEndTsNs;
  const snap = w.surfaces.snap;
  spotTick = NaN;
  if (snap && snap.numRows) {
    const ref = snap.getChild("spot_ref_price_int")?.get(0);
    const valid = snap.getChild("book_valid")?.get(0);
    mid = numbers(snap, "mid_price")[0];
    if (ref !== null && ref !== undefined && valid !== false && BigInt(ref) > 0n) {
      spotTick = Number(BigInt(ref) / meta.tickInt);
    }
  }
  const v = w.surfaces.velocity;
  const fut = futuresColumn(
    meta.grid,
    numbers(v, "rel_ticks"),
    strings(v, "side"),
    numbers(v, "liquidity_velocity"),
    numbers(v, "pressure_grad"),
    numbers(v, "Omega"),
    numbers(v, "rho"),
  );
  const o = w.surfaces.options;
  const opt = optionsColumn(
    spotTick,
    meta.strikeTicks,
    numbers(o, "rel_ticks"),
    numbers(o, "liquidity_velocity"),
    numbers(o, "pressure_grad"),
    numbers(o, "Omega"),
  );
  field.push({ spotTick, futures: fut, options: opt });
  sample(perf.decode, w.decodeMs);
  sample(perf.upload, performance.now() - t0);
  pendingPixels ??= w.receivedAt;
  dirty = true;
  const f = w.surfaces.forecast;
  if (f && f.numRows) {
    const h = numbers(f, "horizon_s"), d = numbers(f, "predicted_tick_delta");
    const c = numbers(f, "confidence");
    const up = f.getChild("RunScore_up") ? "RunScore_up" : "run_score_up";
    const down = f.getChild("RunScore_down") ? "RunScore_down" : "run_score_down";
    const ru = numbers(f, up), rd = numbers(f, down);
    const du = numbers(f, "D_up"), dd = numbers(f, "D_down");
    forecast = [];
    for (let i = 0; i < f.numRows; i++) {
      if (h[i] === 0) diag = { up: ru[i], down: rd[i], dUp: du[i], dDown: dd[i] };
      else if (Number.isFinite(d[i])) forecast.push({ h: h[i], delta: d[i], conf: c[i] || 0 });
    }
    forecast.sort((a, b) => a.h - b.h);
  }
  if (view.follow && Number.isFinite(spotTick)) view.center = spotTick;
  if (!Number.isFinite(view.center) && Number.isFinite(spotTick)) view.center = spotTick;
  const dp = decimalsFor(meta.tickSize);
  $("spot").textContent = Number.isFinite(mid) && mid > 0
    ? `Spot $${mid.toFixed(Math.max(2, dp))} (tick ${Number.isFinite(spotTick) ? spotTick : "–"})`
    : "Spot: no book";
  $("clock").textContent = exchangeClock(w.windowEndTsNs, tz);
  $("zoom").textContent = `Zoom V${view.zoomV.toFixed(1)}x H${view.zoomH.toFixed(1)}x`;
  hud();
}

function hud(): void {
  const run = (id: string, v: number, upIsAmber: boolean) => {
    const el = $(id);
    el.textContent = Number.isFinite(v) ? v.toFixed(2) : "–";
    const amber = upIsAmber ? v > 0.1 : v < -0.1;
    const teal = upIsAmber ? v < -0.1 : v > 0.1;
    el.style.color = amber ? "#ffaa00" : teal ? "#00aaff" : "#666";
  };
  run("run-up", diag.up, true);
  run("run-down", diag.down, false);
  $("walls").textContent = `↑${Number.isFinite(diag.dUp) ? diag.dUp : "–"} ↓${
    Number.isFinite(diag.dDown) ? diag.dDown : "–"
  } ticks`;
  const c30 = forecast.find((r) => r.h === 30)?.conf ?? forecast.at(-1)?.conf ?? NaN;
  const conf = $("conf");
  conf.textContent = Number.isFinite(c30) ? `${(100 * c30).toFixed(0)}%` : "–";
  conf.style.color = c30 > 0.5 ? "#00ff88" : c30 > 0.2 ? "#ffaa00" : "#666";
}

/** The visible rectangle in (seconds relative to now, absolute ticks). */
function currentView() {
  const past = VIEW_SECONDS / view.zoomH;
  const left = -past, right = past * MARGIN / (1 - MARGIN);
  const h = VIEW_TICKS / view.zoomV;
  const c = Number.isFinite(view.center) ? view.center : 0;
  return { left, right, bottom: c - h / 2, top: c + h / 2 };
}

function fit(c: HTMLCanvasElement): void {
  const dpr = devicePixelRatio || 1;
  const w = Math.max(1, Math.round(c.clientWidth * dpr));
  const h = Math.max(1, Math.round(c.clientHeight * dpr));
  if (c.width !== w || c.height !== h) {
    c.width = w;
    c.height = h;
  }
}

/**
 * Sizes the field canvas to the data, not to the screen: two pixels per second and per tick (the
 * cells are one second by one tick), at most the screen's own resolution; CSS scales it up with
 * crisp edges. A software renderer (SwiftShader in headless Chromium) then shades ~25× fewer
 * fragments than at 1600×900, with the same picture.
 */
function fitField(c: HTMLCanvasElement, v: ReturnType<typeof currentView>): void {
  const dpr = devicePixelRatio || 1;
  const w = Math.max(
    1,
    Math.min(Math.round(c.clientWidth * dpr), Math.ceil(2 * (v.right - v.left))),
  );
  const h = Math.max(
    1,
    Math.min(Math.round(c.clientHeight * dpr), Math.ceil(2 * (v.top - v.bottom))),
  );
  if (c.width !== w || c.height !== h) {
    c.width = w;
    c.height = h;
  }
}

function drawOverlay(v: ReturnType<typeof currentView>): void {
  fit(overlay);
  const ctx = overlay.getContext("2d")!;
  const dpr = devicePixelRatio || 1;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const W = overlay.clientWidth, H = overlay.clientHeight, AXIS = 80, plotW = W - AXIS;
  ctx.clearRect(0, 0, W, H);
  const X = (t: number) => ((t - v.left) / (v.right - v.left)) * plotW;
  const Y = (tick: number) => H - ((tick - v.bottom) / (v.top - v.bottom)) * H;
  // price grid and axis: majors every strike, minors every whole unit, micros every tick
  const height = v.top - v.bottom;
  const unit = Math.max(1, Math.round(1 / meta.tickSize));
  const major = meta.strikeTicks * Math.max(1, Math.round(niceStep(height, 8) / meta.strikeTicks));
  const dp = Math.max(2, decimalsFor(meta.tickSize));
  ctx.font = "11px monospace";
  const levels: [number, string, string, number][] = [[major, "#333333", "#888", 11]];
  if (height <= 60) levels.push([unit, "#222222", "#555", 9]);
  if (height <= 25) levels.push([1, "#1a1a1a", "#444", 8]);
  const drawn = new Set<number>();
  for (const [step, line, text, size] of levels) {
    for (let t = Math.ceil(v.bottom / step) * step; t <= v.top; t += step) {
      if (drawn.has(t)) continue;
      drawn.add(t);
      const y = Y(t);
      ctx.strokeStyle = line;
      ctx.globalAlpha = 0.6;
      ctx.beginPath();
      ctx.moveTo(0, y);
      ctx.lineTo(plotW, y);
      ctx.stroke();
      ctx.globalAlpha = 1;
      ctx.fillStyle = text;
      ctx.font = `${size}px monospace`;
      ctx.fillText(`$${(t * meta.tickSize).toFixed(dp)}`, plotW + 6, y + 4);
    }
  }
  // spot line with glow
  const n = field.count;
  const pts: [number, number][] = [];
  for (let k = 0; k < n; k++) {
    const s = field.spotAt(k);
    if (Number.isFinite(s) && -k >= v.left) pts.push([X(-k), Y(s)]);
  }
  const glow: [number, string, number][] = [
    [1.0, "#0044aa", 0.08],
    [0.7, "#0066cc", 0.12],
    [0.5, "#0088dd", 0.18],
    [0.3, "#00aaee", 0.25],
    [0.15, "#00ccff", 0.4],
  ];
  const pxPerTick = H / height;
  for (const [off, colour, alpha] of glow) {
    ctx.strokeStyle = colour;
    ctx.globalAlpha = alpha;
    ctx.lineWidth = Math.max(1, 2 * off * pxPerTick);
    stroke(ctx, pts);
  }
  ctx.globalAlpha = 1;
  ctx.strokeStyle = "#44ddff";
  ctx.lineWidth = Math.max(1.5, 0.16 * pxPerTick);
  stroke(ctx, pts);
  // forecast path and cone
  const s0 = field.spotAt(0);
  if (forecast.length && Number.isFinite(s0)) {
    const maxConf = Math.max(...forecast.map((r) => r.conf));
    const last = forecast.at(-1)!;
    const dir = Math.sign(last.delta);
    let rgb: [number, number, number];
    if (maxConf > 0.3) {
      rgb = dir > 0
        ? [1.0, 0.65 + 0.25 * maxConf, 0.15]
        : dir < 0
        ? [0.15, 0.65 + 0.25 * maxConf, 0.9]
        : [0.6, 0.6, 0.55];
    } else rgb = [0.45, 0.45, 0.38];
    const css = `rgb(${rgb.map((c) => Math.round(255 * c)).join(",")})`;
    ctx.strokeStyle = css;
    ctx.lineWidth = 2;
    const path: [number, number][] = [[X(0), Y(s0)]];
    for (const r of forecast) {
      path.push([X(r.h), Y(s0 + Math.max(-100, Math.min(100, r.delta)))]);
    }
    stroke(ctx, path);
    const cx = X(last.h + 3), cy = Y(s0 + Math.max(-100, Math.min(100, last.delta)));
    ctx.fillStyle = css;
    ctx.globalAlpha = 0.4 + 0.5 * maxConf;
    ctx.beginPath();
    if (dir > 0) {
      ctx.moveTo(cx, cy - 10);
      ctx.lineTo(cx - 6, cy + 6);
      ctx.lineTo(cx + 6, cy + 6);
    } else if (dir < 0) {
      ctx.moveTo(cx, cy + 10);
      ctx.lineTo(cx - 6, cy - 6);
      ctx.lineTo(cx + 6, cy - 6);
    } else {
      ctx.moveTo(cx + 10, cy);
      ctx.lineTo(cx - 6, cy - 6);
      ctx.lineTo(cx - 6, cy + 6);
    }
    ctx.fill();
    ctx.globalAlpha = 1;
  }
  // "now" divider
  ctx.strokeStyle = "rgba(255,255,255,0.12)";
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(X(0.5), 0);
  ctx.lineTo(X(0.5), H);
  ctx.stroke();
}

function stroke(ctx: CanvasRenderingContext2D, pts: [number, number][]): void {
  if (pts.length < 2) return;
  ctx.beginPath();
  ctx.moveTo(pts[0][0], pts[0][1]);
  for (let i = 1; i < pts.length; i++) ctx.lineTo(pts[i][0], pts[i][1]);
  ctx.stroke();
}

/** Set when the data or the view changed: the next animation frame redraws. */
let dirty = true;
let lastSize = "";

function frame(now: number): void {
  const size = `${fieldCanvas.clientWidth}x${fieldCanvas.clientHeight}x${devicePixelRatio}`;
  if (size !== lastSize) {
    lastSize = size;
    dirty = true;
  }
  status.frame(now);
  requestAnimationFrame(frame);
  if (!dirty) return;
  dirty = false;
  const v = currentView();
  fitField(fieldCanvas, v);
  // the field canvas spans the plot area only (the axis strip is the overlay's)
  field.render(v);
  drawOverlay(v);
  status.rendered(now);
  if (pendingPixels !== null) {
    field.gl.finish();
    sample(perf.toPixels, performance.now() - pendingPixels);
    pendingPixels = null;
  }
}

// --- interactions -------------------------------------------------------------------------------
overlay.addEventListener("wheel", (e) => {
  e.preventDefault();
  const f = e.deltaY > 0 ? 0.9 : 1.1;
  const horizontal = e.ctrlKey || e.metaKey || Math.abs(e.deltaX) > Math.abs(e.deltaY);
  dirty = true;
  if (horizontal) view.zoomH = Math.min(8, Math.max(0.25, view.zoomH * f));
  else view.zoomV = Math.min(8, Math.max(0.25, view.zoomV * f));
}, { passive: false });
let drag: { y: number; center: number } | null = null;
overlay.addEventListener("pointerdown", (e) => {
  drag = { y: e.clientY, center: view.center };
  overlay.setPointerCapture(e.pointerId);
  overlay.style.cursor = "grabbing";
});
overlay.addEventListener("pointermove", (e) => {
  if (!drag) return;
  const dy = e.clientY - drag.y;
  if (Math.abs(dy) < 3) return;
  view.follow = false;
  const v = currentView();
  dirty = true;
  view.center = drag.center + dy * (v.top - v.bottom) / overlay.clientHeight;
});
overlay.addEventListener("pointerup", () => {
  drag = null;
  overlay.style.cursor = "";
});
overlay.addEventListener("dblclick", () => {
  dirty = true;
  view.follow = true;
  view.zoomV = view.zoomH = 1;
  const s = field.spotAt(0);
  if (Number.isFinite(s)) view.center = s;
});
$("restart").addEventListener("click", () => connect());
$("pause").addEventListener("click", (e) => {
  const b = e.target as HTMLButtonElement;
  const pause = b.textContent === "Pause";
  conn?.control({ type: pause ? "pause" : "resume" });
  b.textContent = pause ? "Resume" : "Pause";
});

// Test and debugging hooks (read-only views of the page state).
Object.assign(globalThis, {
  __spymaster: {
    page: "velocity",
    get windows() {
      return status.windows;
    },
    get state() {
      return status.state;
    },
    get lastWindow() {
      return lastTs === null ? null : String(lastTs);
    },
    get meta() {
      return { ...meta, tickInt: String(meta.tickInt) };
    },
    /** Frames per second of the render loop and per-window costs (ms samples). */
    get perf() {
      return { fps: status.fps, redraws: status.redraws, ...perf };
    },
    /** Sends a control message on the open stream (`pause`, `resume`, `speed`, `seek`). */
    control(msg: Record<string, unknown>) {
      conn?.control(msg);
    },
    /**
     * Pixel colour of the heat field at (window end `ts`, `price`), or null when that window is
     * outside the view. Uses the canvas's real pixels.
     */
    sample(ts: string, price: number) {
      if (lastTs === null) return null;
      const v = currentView();
      const t = -Number(lastTs - BigInt(ts)) / 1e9;
      const tick = price / meta.tickSize;
      if (t < v.left || t > 0 || tick < v.bottom || tick > v.top) return null;
      field.render(v);
      const x = ((t - v.left) / (v.right - v.left)) * fieldCanvas.clientWidth;
      const y = (1 - (tick - v.bottom) / (v.top - v.bottom)) * fieldCanvas.clientHeight;
      return field.readPixel(x, y);
    },
    /** Points the view at `tick` (zoomed) and stops following the spot (for tests). */
    look(tick: number, zoomV = 1, zoomH = 1) {
      view.follow = false;
      view.center = tick;
      view.zoomV = zoomV;
      view.zoomH = zoomH;
      dirty = true;
    },
  },
});

requestAnimationFrame(frame);
fetchCatalog().then((cat) => {
  choice = completeChoice(cat, "velocity", choice);
  picker.setCatalog(cat);
  picker.setChoice(choice);
  connect();
}).catch((e) => banner.show(`could not load the catalog: ${(e as Error).message}`));
