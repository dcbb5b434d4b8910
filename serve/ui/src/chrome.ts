/// <reference lib="dom" />
/**
 * What every page shares: the stream picker driven by the server's `/v1/catalog` (product type,
 * symbol, date, speed, source) kept in the URL, the exchange-local clock (DST aware), the error
 * banner for the server's messages, and the status line (stream state, windows received,
 * latency, frames per second).
 *
 * @module
 */
import type { StreamState, StreamWindow } from "./stream.ts";

/** The days of one product type in a catalog section. */
export interface CatalogProduct {
  /** Product type. */
  product_type: string;
  /** Symbols with their days and the surfaces each stream can serve that day. */
  symbols: {
    symbol: string;
    dates: { dt: string; streams: Record<string, string[]> }[];
  }[];
}

/** A catalog as served by `/v1/catalog`. */
export interface Catalog {
  /** Days in the lake's partitions (`source=lake`). */
  product_types: CatalogProduct[];
  /** Days whose raw files can be replayed (`source=replay`). */
  replay?: CatalogProduct[];
}

/** The catalog section a source streams from. */
export function catalogSection(cat: Catalog, source: string): CatalogProduct[] {
  return source === "replay" ? cat.replay ?? [] : cat.product_types;
}

/** The stream choice of a page, mirrored in the URL. */
export interface StreamChoice {
  /** Product type. */
  product_type: string;
  /** Contract or ticker. */
  symbol: string;
  /** Session date `YYYY-MM-DD`. */
  dt: string;
  /** Times real time, or `max`. */
  speed: string;
  /** `lake` (gold/silver partitions) or `replay` (raw DBN files of the day). */
  source: string;
  /** Minutes skipped at the start of the session. */
  skip_minutes: string;
}

/** Speeds offered by the picker. */
export const SPEEDS = ["1", "2", "5", "10", "30", "60", "max"];
const CHOICE_KEYS = ["product_type", "symbol", "dt", "speed", "source", "skip_minutes"] as const;

/** Reads the stream choice from the page URL (missing values stay empty). */
export function choiceFromUrl(loc: Location = location): StreamChoice {
  const q = new URLSearchParams(loc.search);
  return {
    product_type: q.get("product_type") ?? "",
    symbol: q.get("symbol") ?? "",
    dt: q.get("dt") ?? "",
    speed: q.get("speed") ?? "1",
    source: q.get("source") ?? "lake",
    skip_minutes: q.get("skip_minutes") ?? "0",
  };
}

/** Writes the choice (and any extra parameters) into the URL without reloading. */
export function choiceToUrl(c: StreamChoice, extra: Record<string, string> = {}): void {
  const q = new URLSearchParams(location.search);
  for (const k of CHOICE_KEYS) q.set(k, c[k]);
  for (const [k, v] of Object.entries(extra)) {
    if (v === "") q.delete(k);
    else q.set(k, v);
  }
  history.replaceState(null, "", `${location.pathname}?${q}`);
}

/** The WebSocket URL of `path` for a choice on this server. */
export function streamUrl(
  path: string,
  c: StreamChoice,
  extra: Record<string, string> = {},
): string {
  const u = new URL(path, location.href);
  u.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  for (const k of CHOICE_KEYS) {
    // `lake` is the server's default source: only a replay is asked for explicitly
    if (c[k] !== "" && !(k === "source" && c[k] === "lake")) u.searchParams.set(k, c[k]);
  }
  for (const [k, v] of Object.entries(extra)) if (v !== "") u.searchParams.set(k, v);
  const token = new URLSearchParams(location.search).get("token");
  if (token) u.searchParams.set("token", token);
  return u.toString();
}

/** Surfaces the catalog says `stream` can serve for the choice's day (empty when unknown). */
export function catalogSurfaces(cat: Catalog, stream: string, c: StreamChoice): string[] {
  return catalogSection(cat, c.source).find((p) => p.product_type === c.product_type)
    ?.symbols.find((s) => s.symbol === c.symbol)
    ?.dates.find((d) => d.dt === c.dt)?.streams[stream] ?? [];
}

/** Fills missing parts of a choice with the first catalog entry that serves `stream`. */
export function completeChoice(cat: Catalog, stream: string, c: StreamChoice): StreamChoice {
  const out = { ...c };
  const pts = catalogSection(cat, out.source).filter((p) =>
    p.symbols.some((s) => s.dates.some((d) => stream in d.streams))
  );
  const pt = pts.find((p) => p.product_type === out.product_type) ?? pts[0];
  if (!pt) return out;
  if (!out.product_type) out.product_type = pt.product_type;
  if (pt.product_type !== out.product_type) return out; // unknown: let the server say why
  const syms = pt.symbols.filter((s) => s.dates.some((d) => stream in d.streams));
  if (!out.symbol) out.symbol = syms[0]?.symbol ?? "";
  const sym = syms.find((s) => s.symbol === out.symbol);
  if (!out.dt && sym) {
    out.dt = sym.dates.filter((d) => stream in d.streams).at(-1)?.dt ?? "";
  }
  return out;
}

function option(sel: HTMLSelectElement, value: string, label = value): void {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = label;
  sel.append(o);
}

/** The picker bar: selects bound to the catalog; `onChange` fires with the new choice. */
export class Picker {
  #cat: Catalog = { product_types: [] };
  #stream: string;
  #choice: StreamChoice;
  #els: Record<string, HTMLSelectElement> = {};
  #onChange: (c: StreamChoice) => void;

  /** Builds the picker inside `root` for stream `stream` (`velocity` or `vacuum-pressure`). */
  constructor(
    root: HTMLElement,
    stream: string,
    choice: StreamChoice,
    onChange: (c: StreamChoice) => void,
    productTypes?: string[],
  ) {
    this.#stream = stream;
    this.#choice = choice;
    this.#onChange = onChange;
    for (const k of ["product_type", "symbol", "dt", "speed", "source"] as const) {
      const label = document.createElement("label");
      label.textContent = k === "product_type" ? "product" : k === "dt" ? "date" : k;
      const sel = document.createElement("select");
      sel.id = `pick-${k}`;
      sel.addEventListener("change", () => this.#changed(k, sel.value));
      label.append(sel);
      root.append(label);
      this.#els[k] = sel;
    }
    for (const s of SPEEDS) option(this.#els.speed, s, s === "max" ? "max" : `${s}×`);
    option(this.#els.source, "lake", "lake");
    option(this.#els.source, "replay", "replay (raw DBN)");
    this.#allowed = productTypes;
    this.#render();
  }

  #allowed: string[] | undefined;

  /** Current choice. */
  get choice(): StreamChoice {
    return this.#choice;
  }

  /** Replaces the choice (e.g. completed from the catalog) without firing `onChange`. */
  setChoice(c: StreamChoice): void {
    this.#choice = c;
    this.#render();
  }

  /** The catalog last loaded. */
  get catalog(): Catalog {
    return this.#cat;
  }

  /** Loads the catalog and fills the selects. */
  setCatalog(cat: Catalog): void {
    this.#cat = cat;
    this.#render();
  }

  #changed(k: keyof StreamChoice, v: string): void {
    const c = { ...this.#choice, [k]: v };
    if (k === "product_type") {
      c.symbol = "";
      c.dt = "";
    }
    if (k === "symbol") c.dt = "";
    if (k === "source") {
      // the replayable days are another list: keep what exists there, complete the rest
      const sec = catalogSection(this.#cat, v);
      const pt = sec.find((p) => p.product_type === c.product_type);
      const sym = pt?.symbols.find((s) => s.symbol === c.symbol);
      if (!pt) c.product_type = "";
      if (!sym) c.symbol = "";
      if (!sym?.dates.some((d) => d.dt === c.dt)) c.dt = "";
    }
    this.#choice = completeChoice(this.#cat, this.#stream, c);
    this.#render();
    this.#onChange(this.#choice);
  }

  #render(): void {
    const c = this.#choice;
    const fill = (sel: HTMLSelectElement, values: string[], current: string) => {
      sel.replaceChildren();
      for (const v of values) option(sel, v);
      if (current && !values.includes(current)) option(sel, current, `${current} (not in lake)`);
      sel.value = current;
    };
    const pts = catalogSection(this.#cat, c.source).filter((p) =>
      (!this.#allowed || this.#allowed.includes(p.product_type)) &&
      p.symbols.some((s) => s.dates.some((d) => this.#stream in d.streams))
    );
    fill(this.#els.product_type, pts.map((p) => p.product_type), c.product_type);
    const pt = pts.find((p) => p.product_type === c.product_type);
    const syms = (pt?.symbols ?? []).filter((s) => s.dates.some((d) => this.#stream in d.streams));
    fill(this.#els.symbol, syms.map((s) => s.symbol), c.symbol);
    const sym = syms.find((s) => s.symbol === c.symbol);
    fill(
      this.#els.dt,
      (sym?.dates ?? []).filter((d) => this.#stream in d.streams).map((d) => d.dt),
      c.dt,
    );
    this.#els.speed.value = SPEEDS.includes(c.speed) ? c.speed : "1";
    this.#els.source.value = c.source === "replay" ? "replay" : "lake";
  }
}

/** Fetches `/v1/catalog`; the error message names the server's answer. */
export async function fetchCatalog(): Promise<Catalog> {
  const r = await fetch(new URL("/v1/catalog", location.href));
  if (!r.ok) throw new Error(`catalog: HTTP ${r.status} ${await r.text()}`);
  return await r.json() as Catalog;
}

/** The exchange's time zone for a product type (CME Globex: Chicago; US equities: New York). */
export function exchangeTimeZone(productType: string): string {
  return productType.startsWith("future") ? "America/Chicago" : "America/New_York";
}

const clocks = new Map<string, Intl.DateTimeFormat>();

/** `HH:MM:SS TZ` of a timestamp in ns, in the exchange's local time (DST from the tz database). */
export function exchangeClock(tsNs: bigint, timeZone: string): string {
  let f = clocks.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
    clocks.set(timeZone, f);
  }
  return f.format(new Date(Number(tsNs / 1_000_000n)));
}

/** The red banner that shows the server's (or the connection's) error messages. */
export class ErrorBanner {
  #el: HTMLElement;
  /** Binds to `el` (hidden while empty). */
  constructor(el: HTMLElement) {
    this.#el = el;
    this.clear();
  }
  /** Shows `message`. */
  show(message: string): void {
    this.#el.textContent = message;
    this.#el.hidden = false;
  }
  /** Hides the banner. */
  clear(): void {
    this.#el.textContent = "";
    this.#el.hidden = true;
  }
}

/** The status line: stream state, windows received, latency, frames per second. */
export class StatusLine {
  #el: HTMLElement;
  #state: StreamState = "connecting";
  #detail = "";
  #windows = 0;
  #latency = NaN;
  #decode = NaN;
  #frames: number[] = [];
  #draws: number[] = [];
  #shown = -Infinity;
  /**
   * Frames drawn per second over the last second: only frames with new pixels (new data, a view
   * change, or an animation step) count, never an idle animation-frame callback.
   */
  fps = 0;
  /** Animation-frame callbacks per second (the page loop's rate, drawing or not). */
  loops = 0;

  /** Binds to `el`. */
  constructor(el: HTMLElement) {
    this.#el = el;
  }

  /** Windows received so far. */
  get windows(): number {
    return this.#windows;
  }

  /** Stream state. */
  get state(): StreamState {
    return this.#state;
  }

  /** Records a state change. */
  setState(s: StreamState, detail = ""): void {
    this.#state = s;
    this.#detail = detail;
    this.#render();
  }

  /** Records a received window. */
  window(w: StreamWindow): void {
    this.#windows++;
    const sent = Number(w.batch.sent_unix_ms);
    if (Number.isFinite(sent)) this.#latency = performance.timeOrigin + w.receivedAt - sent;
    this.#decode = w.decodeMs;
  }

  /** Resets the window count (new stream). */
  reset(): void {
    this.#windows = 0;
    this.#latency = NaN;
  }

  /** Call once per animation frame (drives the frames-per-second figure). */
  frame(now: number): void {
    this.#frames.push(now);
    while (this.#frames.length && now - this.#frames[0] > 1000) this.#frames.shift();
    this.loops = this.#frames.length;
    while (this.#draws.length && now - this.#draws[0] > 1000) this.#draws.shift();
    this.fps = this.#draws.length;
    if (now - this.#shown > 250) this.#render();
  }

  /** Call when a frame drew new pixels (drives the frames-per-second figure). */
  rendered(now: number): void {
    this.#draws.push(now);
    while (this.#draws.length && now - this.#draws[0] > 1000) this.#draws.shift();
    this.fps = this.#draws.length;
  }

  #render(): void {
    this.#shown = performance.now();
    const lat = Number.isFinite(this.#latency) ? `${this.#latency.toFixed(0)} ms` : "–";
    const dec = Number.isFinite(this.#decode) ? `${this.#decode.toFixed(1)} ms` : "–";
    this.#el.dataset.state = this.#state;
    this.#el.textContent = `${this.#state}${this.#detail ? ` (${this.#detail})` : ""} · ` +
      `${this.#windows} windows · latency ${lat} · decode ${dec} · ${this.fps} fps`;
  }
}

/** A "nice" axis step near `range / target` (1, 2, 5 × 10^k). */
export function niceStep(range: number, target: number): number {
  const raw = range / Math.max(1, target);
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

/** Decimal places needed to show multiples of `step` exactly (at most 6). */
export function decimalsFor(step: number): number {
  for (let d = 0; d <= 6; d++) {
    if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-9) return d;
  }
  return 6;
}
