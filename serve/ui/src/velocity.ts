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
import { LineOverlay, rgba } from "./line_overlay.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const banner = new ErrorBanner($("error"));
const status = new StatusLine($("status"));
const fieldCanvas = $<HTMLCanvasElement>("field");
const axis = $<HTMLCanvasElement>("axis");
const stage = $("stage"), plot = $("plot"), scroller = $("scroll"), nowLine = $("now");
const VIEW_SECONDS = 300, VIEW_TICKS = 100, MARGIN = 0.3;

let field: VelocityField;
let lines: LineOverlay;
try {
  field = new VelocityField(fieldCanvas);
  lines = new LineOverlay(field.gl);
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
  futBuf = new Float32Array(4 * (2 * meta.grid + 1));
  metaSet = true;
}

/** Reused per-window aggregation buffers (uploaded before the next window overwrites them). */
let futBuf = new Float32Array(4 * (2 * meta.grid + 1));
const optBuf = new Float32Array(4 * 41);

/**
 * Smooth scrolling: between two windows the time axis keeps moving at the stream's pace, so the
 * picture advances every animation frame while the stream plays and stops when it pauses or ends.
 * `lead` (0..1) is the share of a window's cadence elapsed since the newest window arrived (the
 * cadence is the median of the last arrival gaps, robust to a pause or a seek); the field and the
 * lines, drawn once per window, are moved `lead` seconds to the left by a CSS transform, so the
 * frames in between cost the compositor only. The "now" line stays put: the strip between the
 * newest column and it is the part of the current second whose window has not arrived yet.
 */
const arrivals: number[] = [];
let cadence = NaN;
function noteArrival(at: number): void {
  arrivals.push(at);
  if (arrivals.length > 7) arrivals.shift();
  if (arrivals.length < 3) return;
  const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]).sort((a, b) => a - b);
  cadence = gaps[gaps.length >> 1];
}
function leadNow(): number {
  if (!arrivals.length || !(cadence > 0)) return 0;
  return Math.min(1, Math.max(0, (performance.now() - arrivals[arrivals.length - 1]) / cadence));
}

/** Rolling performance samples (ms) for the bench and the status line. */
const perf = {
  decode: [] as number[],
  upload: [] as number[],
  /** Main-thread time of a redraw of the field and the lines (WebGL calls issued). */
  draw: [] as number[],
  toPixels: [] as number[],
};
/** Receipt time of the oldest window not drawn yet, then of the one drawn by the last frame. */
let pendingPixels: number | null = null;
let drawnPixels: number | null = null;
function sample(list: number[], v: number): void {
  list.push(v);
  if (list.length > 2000) list.shift();
}

function onWindow(w: StreamWindow): void {
  const t0 = performance.now();
  status.window(w);
  if (!metaSet) applyMeta(w.batch);
  lastTs = w.windowEndTsNs;
  noteArrival(w.receivedAt);
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
    futBuf,
  );
  const o = w.surfaces.options;
  const opt = optionsColumn(
    spotTick,
    meta.strikeTicks,
    numbers(o, "rel_ticks"),
    numbers(o, "liquidity_velocity"),
    numbers(o, "pressure_grad"),
    numbers(o, "Omega"),
    optBuf,
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
  setText(
    $("spot"),
    Number.isFinite(mid) && mid > 0
      ? `Spot $${mid.toFixed(Math.max(2, dp))} (tick ${Number.isFinite(spotTick) ? spotTick : "–"})`
      : "Spot: no book",
  );
  setText($("clock"), exchangeClock(w.windowEndTsNs, tz));
  setText($("zoom"), `Zoom V${view.zoomV.toFixed(1)}x H${view.zoomH.toFixed(1)}x`);
  hud();
}

/** Sets an element's text only when it changed (no needless style, layout and paint). */
function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

function hud(): void {
  const run = (id: string, v: number, upIsAmber: boolean) => {
    const el = $(id);
    setText(el, Number.isFinite(v) ? v.toFixed(2) : "–");
    const amber = upIsAmber ? v > 0.1 : v < -0.1;
    const teal = upIsAmber ? v < -0.1 : v > 0.1;
    el.style.color = amber ? "#ffaa00" : teal ? "#00aaff" : "#666";
  };
  run("run-up", diag.up, true);
  run("run-down", diag.down, false);
  setText(
    $("walls"),
    `↑${Number.isFinite(diag.dUp) ? diag.dUp : "–"} ↓${
      Number.isFinite(diag.dDown) ? diag.dDown : "–"
    } ticks`,
  );
  const c30 = forecast.find((r) => r.h === 30)?.conf ?? forecast.at(-1)?.conf ?? NaN;
  const conf = $("conf");
  setText(conf, Number.isFinite(c30) ? `${(100 * c30).toFixed(0)}%` : "–");
  conf.style.color = c30 > 0.5 ? "#00ff88" : c30 > 0.2 ? "#ffaa00" : "#666";
}

/** The visible rectangle in (seconds relative to the newest window, absolute ticks). */
function currentView() {
  const past = VIEW_SECONDS / view.zoomH;
  const left = -past, right = past * MARGIN / (1 - MARGIN);
  const h = VIEW_TICKS / view.zoomV;
  const c = Number.isFinite(view.center) ? view.center : 0;
  return { left, right, bottom: c - h / 2, top: c + h / 2 };
}

/**
 * What the field and line canvases hold: the visible rectangle plus one second on the right, so
 * that scrolling them up to one second to the left never uncovers an edge.
 */
function drawnView() {
  const v = currentView();
  return { ...v, right: v.right + 1 };
}

/**
 * The field is shaded at the data's resolution, not the screen's: two pixels per second and per
 * tick (the cells are one second by one tick), at most the canvas's own; it is then drawn over the
 * canvas crisp. A software renderer (SwiftShader in headless Chromium) shades ~25× fewer fragments
 * than at 1600×900, with the same picture.
 */
function fieldResolution(c: HTMLCanvasElement, v: ReturnType<typeof drawnView>): void {
  field.resize(
    Math.min(c.width, Math.ceil(2 * (v.right - v.left))),
    Math.min(c.height, Math.ceil(2 * (v.top - v.bottom))),
  );
}

const GLOW = [
  [1.0, rgba("#0044aa", 0.08)],
  [0.7, rgba("#0066cc", 0.12)],
  [0.5, rgba("#0088dd", 0.18)],
  [0.3, rgba("#00aaee", 0.25)],
  [0.15, rgba("#00ccff", 0.4)],
] as const;
const SPOT = rgba("#44ddff");
/** Grid levels: majors every strike, minors every whole unit, micros every tick. */
const GRID = [
  { line: rgba("#333333", 0.6), text: "#888", size: 11 },
  { line: rgba("#222222", 0.6), text: "#555", size: 9 },
  { line: rgba("#1a1a1a", 0.6), text: "#444", size: 8 },
];
const AXIS = 80;
/** Spot line vertices (x, y per column), reused every frame. */
let spotXY = new Float32Array(0);
/** What the price labels were last drawn for (they are redrawn only when it changes). */
let axisKey = "";

/**
 * Draws the lines over the field (price grid, spot line with its glow, forecast path and arrow)
 * over the field (same WebGL canvas), and the price labels into the axis strip when they moved.
 */
function drawOverlay(v: ReturnType<typeof drawnView>): void {
  const dpr = devicePixelRatio || 1;
  const W = fieldCanvas.clientWidth, H = fieldCanvas.clientHeight, plotW = W;
  lines.begin(W, H, dpr);
  const X = (t: number) => ((t - v.left) / (v.right - v.left)) * plotW;
  const Y = (tick: number) => H - ((tick - v.bottom) / (v.top - v.bottom)) * H;
  const height = v.top - v.bottom;
  const unit = Math.max(1, Math.round(1 / meta.tickSize));
  const major = meta.strikeTicks * Math.max(1, Math.round(niceStep(height, 8) / meta.strikeTicks));
  const steps = [major];
  if (height <= 60) steps.push(unit);
  if (height <= 25) steps.push(1);
  const key = `${H}x${dpr} ${v.bottom} ${v.top} ${meta.tickSize} ${major}`;
  const labels = key === axisKey ? null : beginAxis(H, dpr);
  axisKey = key;
  const dp = Math.max(2, decimalsFor(meta.tickSize));
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i], g = GRID[i];
    for (let t = Math.ceil(v.bottom / step) * step; t <= v.top; t += step) {
      if (steps.slice(0, i).some((s) => t % s === 0)) continue;
      const y = Y(t);
      lines.line(0, y, plotW, y, 1, g.line);
      if (labels) {
        labels.fillStyle = g.text;
        labels.font = `${g.size}px monospace`;
        labels.fillText(`$${(t * meta.tickSize).toFixed(dp)}`, 6, y + 4);
      }
    }
  }
  // spot line with glow
  const n = field.count;
  if (spotXY.length < 2 * n) spotXY = new Float32Array(2 * field.history);
  let m = 0;
  for (let k = 0; k < n && -k >= v.left - 1; k++) {
    const s = field.spotAt(k);
    spotXY[2 * m] = X(-k);
    spotXY[2 * m + 1] = Number.isFinite(s) ? Y(s) : NaN;
    m++;
  }
  const pxPerTick = H / height;
  for (const [off, colour] of GLOW) {
    lines.polyline(spotXY, m, Math.max(1, 2 * off * pxPerTick), colour, true);
  }
  lines.polyline(spotXY, m, Math.max(1.5, 0.16 * pxPerTick), SPOT, true);
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
    const path = [X(0), Y(s0)];
    for (const r of forecast) path.push(X(r.h), Y(s0 + Math.max(-100, Math.min(100, r.delta))));
    lines.polyline(path, path.length / 2, 2, [rgb[0], rgb[1], rgb[2], 1]);
    const cx = X(last.h + 3), cy = Y(s0 + Math.max(-100, Math.min(100, last.delta)));
    const fill = [rgb[0], rgb[1], rgb[2], 0.4 + 0.5 * maxConf] as const;
    if (dir > 0) lines.triangle(cx, cy - 10, cx - 6, cy + 6, cx + 6, cy + 6, fill);
    else if (dir < 0) lines.triangle(cx, cy + 10, cx - 6, cy - 6, cx + 6, cy - 6, fill);
    else lines.triangle(cx + 10, cy, cx - 6, cy - 6, cx - 6, cy + 6, fill);
  }
  lines.end();
}

/** Clears the price-axis strip for new labels and returns its context. */
function beginAxis(H: number, dpr: number): CanvasRenderingContext2D {
  const w = Math.round(AXIS * dpr), h = Math.max(1, Math.round(H * dpr));
  if (axis.width !== w || axis.height !== h) {
    axis.width = w;
    axis.height = h;
  }
  const ctx = axis.getContext("2d")!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, AXIS, H);
  return ctx;
}

/** Set when the data or the view changed: the next animation frame redraws. */
let dirty = true;
let lastSize = "";
/** Smooth-scrolling shift on screen (CSS px); scroll speed of the drawn picture (px per second). */
let shownShift = -1;
let pxPerSecond = 0;

/**
 * Sizes the canvas to the plot width plus the extra second of `v` (at the screen's resolution),
 * the field's shading to the data, and puts the "now" line at the end of the newest window.
 */
function layout(v: ReturnType<typeof drawnView>): void {
  const plotW = plot.clientWidth, span = v.right - 1 - v.left, dpr = devicePixelRatio || 1;
  pxPerSecond = plotW / span;
  const cssW = plotW * (span + 1) / span;
  const width = `${cssW}px`;
  if (fieldCanvas.style.width !== width) fieldCanvas.style.width = width;
  const w = Math.max(1, Math.round(cssW * dpr));
  const h = Math.max(1, Math.round(plot.clientHeight * dpr));
  if (fieldCanvas.width !== w || fieldCanvas.height !== h) {
    fieldCanvas.width = w;
    fieldCanvas.height = h;
  }
  const divider = `${Math.round((0.5 - v.left) * pxPerSecond)}px`;
  if (nowLine.style.left !== divider) nowLine.style.left = divider;
  fieldResolution(fieldCanvas, v);
}

/**
 * One animation frame. Draws the field and the lines only when something changed (a window
 * arrived, the view moved, the page was resized) and otherwise only moves them on by the
 * smooth-scrolling lead. `status.rendered` counts the frames that put new pixels on screen
 * (either kind), never an idle callback: those are the frames per second shown and benchmarked.
 */
function frame(now: number): void {
  requestAnimationFrame(frame);
  if (drawnPixels !== null) {
    // the frame that drew these windows has been handed to the compositor: this is the next one
    sample(perf.toPixels, performance.now() - drawnPixels);
    drawnPixels = null;
  }
  status.frame(now);
  const size = `${plot.clientWidth}x${plot.clientHeight}x${devicePixelRatio}`;
  if (size !== lastSize) {
    lastSize = size;
    dirty = true;
  }
  let drew = false;
  if (dirty) {
    dirty = false;
    drew = true;
    const t0 = performance.now();
    const v = drawnView();
    layout(v);
    field.render(v);
    drawOverlay(v);
    sample(perf.draw, performance.now() - t0);
    drawnPixels = pendingPixels;
    pendingPixels = null;
    shownShift = -1;
  }
  const dpr = devicePixelRatio || 1;
  const shift = Math.round(leadNow() * pxPerSecond * dpr) / dpr;
  if (shift !== shownShift) {
    shownShift = shift;
    scroller.style.transform = `translateX(${-shift}px)`;
    drew = true;
  }
  if (drew) status.rendered(now);
}

// --- interactions -------------------------------------------------------------------------------
stage.addEventListener("wheel", (e) => {
  e.preventDefault();
  const f = e.deltaY > 0 ? 0.9 : 1.1;
  const horizontal = e.ctrlKey || e.metaKey || Math.abs(e.deltaX) > Math.abs(e.deltaY);
  dirty = true;
  if (horizontal) view.zoomH = Math.min(8, Math.max(0.25, view.zoomH * f));
  else view.zoomV = Math.min(8, Math.max(0.25, view.zoomV * f));
}, { passive: false });
let drag: { y: number; center: number } | null = null;
stage.addEventListener("pointerdown", (e) => {
  drag = { y: e.clientY, center: view.center };
  stage.setPointerCapture(e.pointerId);
  stage.style.cursor = "grabbing";
});
stage.addEventListener("pointermove", (e) => {
  if (!drag) return;
  const dy = e.clientY - drag.y;
  if (Math.abs(dy) < 3) return;
  view.follow = false;
  const v = currentView();
  dirty = true;
  view.center = drag.center + dy * (v.top - v.bottom) / plot.clientHeight;
});
stage.addEventListener("pointerup", () => {
  drag = null;
  stage.style.cursor = "";
});
stage.addEventListener("dblclick", () => {
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
    /** Frames drawn per second and per-window costs (ms samples). */
    get perf() {
      return { fps: status.fps, loops: status.loops, ...perf };
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
      const v = drawnView();
      const t = -Number(lastTs - BigInt(ts)) / 1e9;
      const tick = price / meta.tickSize;
      if (t < v.left || t > 0 || tick < v.bottom || tick > v.top) return null;
      layout(v);
      field.render(v);
      dirty = true; // the lines are drawn again by the next frame
      const x = ((t - v.left) / (v.right - v.left)) * fieldCanvas.clientWidth;
      const y = (1 - (tick - v.bottom) / (v.top - v.bottom)) * fieldCanvas.clientHeight;
      return field.readPixel(x, y);
    },
    /**
     * Pixel colour on screen (heat field and lines) where the spot line passes through the column
     * `k` seconds before the newest, redrawn now; null when that spot is unknown or out of view.
     */
    spotPixel(k = 0) {
      const s = field.spotAt(k);
      const v = drawnView();
      if (!Number.isFinite(s) || -k < v.left || s < v.bottom || s > v.top) return null;
      layout(v);
      field.render(v);
      drawOverlay(v);
      const gl = field.gl, dpr = devicePixelRatio || 1;
      const x = (-k - v.left) / (v.right - v.left) * fieldCanvas.clientWidth;
      const y = (1 - (s - v.bottom) / (v.top - v.bottom)) * fieldCanvas.clientHeight;
      const px = new Uint8Array(4);
      gl.readPixels(
        Math.floor(x * dpr),
        gl.drawingBufferHeight - 1 - Math.floor(y * dpr),
        1,
        1,
        gl.RGBA,
        gl.UNSIGNED_BYTE,
        px,
      );
      return [px[0], px[1], px[2]];
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
