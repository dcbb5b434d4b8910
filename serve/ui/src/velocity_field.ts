/// <reference lib="dom" />
/**
 * The velocity page's heat field on WebGL2 (serving.md §5.2 layers 2 and 3): ring buffers of
 * one-second columns kept in float textures — the futures surface (velocity, pressure, Omega per
 * tick around the spot) and the options strike bars — plus the spot of every column, drawn by one
 * fragment shader that "rectifies" each column: a pixel at absolute tick Y in column c shows the
 * cell `Y − spot(c)`, so every value appears at the price it had at that time.
 *
 * Uploading a window costs one `texSubImage2D` of one column per texture.
 *
 * The field is shaded at the data's resolution (see {@link VelocityField.resize}: a software
 * renderer then shades a few hundred thousand fragments instead of the screen's) into an offscreen
 * texture, which is then drawn over the whole canvas with nearest-neighbour sampling (crisp cells).
 * The canvas is opaque and may carry other drawings on top (the page's lines), so the compositor
 * has one opaque layer to move and blend nothing under it.
 *
 * @module
 */
import { program } from "./_gl.ts";

/** Options strike rows kept per column (±20 strikes around the column's spot strike). */
export const OPTION_ROWS = 41;
const MISSING = -1e30;

const VERT = `#version 300 es
layout(location = 0) in vec2 a;
out vec2 uv;
void main() { uv = a * 0.5 + 0.5; gl_Position = vec4(a, 0.0, 1.0); }`;

const FRAG = `#version 300 es
precision highp float;
precision highp int;
in vec2 uv;
out vec4 outColor;
uniform highp sampler2D uData;   // N x H: velocity, pressure, omega, 1 + rho (0 = no cell)
uniform highp sampler2D uOpt;    // N x 41: velocity, pressure, omega, present
uniform highp sampler2D uSpot;   // N x 1: spot tick relative to the base (MISSING = none)
uniform int uN, uHead, uCount, uG, uStrike;
uniform vec2 uX;   // seconds relative to the newest column at the left and right edges
uniform vec2 uY;   // ticks relative to the base at the bottom and top edges
uniform float uRhoMax;   // decaying maximum of rho = ln(1 + depth): full brightness
const vec3 BG = vec3(10.0, 10.0, 15.0) / 255.0;

// Resting depth as the base layer (Bookmap-like): empty levels stay near-black ("vacuum / thin"),
// deep levels ("walls") shade to a pale blue-grey.
vec3 depthShade(float rho) {
  float n = clamp(rho / max(uRhoMax, 1e-6), 0.0, 1.0);
  return mix(vec3(0.02, 0.02, 0.031), vec3(0.55, 0.62, 0.75), pow(n, 1.5));
}

vec4 futures(vec4 d) {
  float vel = d.r, p = d.g, om = d.b;
  if (d.a < 0.5 || (abs(vel) < 0.005 && abs(p) < 0.005)) return vec4(0.0);
  vec3 c = vec3(0.0); float a = 0.0;
  if (vel > 0.01) {
    float I = tanh(2.0 * vel);
    c = p > 0.0 ? mix(vec3(0.1, 0.5, 0.25), vec3(0.2, 0.9, 0.45), I)
                : mix(vec3(0.5, 0.1, 0.1), vec3(0.9, 0.2, 0.2), I);
    a = 0.5 + 0.45 * I;
    if (om > 2.0 && vel > 0.1) {
      float b = min((om - 2.0) / 3.0, 0.6);
      c = mix(c, vec3(0.85, 0.9, 0.95), b);
      a = min(a + 0.2 * b, 0.98);
    }
  } else if (vel < -0.01) {
    float I = tanh(2.0 * abs(vel));
    c = mix(vec3(0.15, 0.05, 0.08), vec3(0.25, 0.05, 0.06), I);
    a = 0.3 + 0.5 * I;
  }
  if (a < 0.1 && abs(p) > 0.01) {
    float m = tanh(4.0 * abs(p));
    c = (p > 0.0 ? vec3(0.15, 0.55, 0.3) : vec3(0.55, 0.15, 0.15)) * m;
    a = 0.2 + 0.35 * m;
  }
  return a < 0.02 ? vec4(0.0) : vec4(c, a);
}

vec4 options(vec4 d, float distTicks) {
  float vel = d.r, p = d.g, om = d.b;
  if (d.a < 0.5 || (abs(vel) < 0.005 && abs(p) < 0.005)) return vec4(0.0);
  float dir = abs(p) > 0.001 ? p : vel;
  vec3 c = vec3(0.0); float a = 0.0;
  if (vel > 0.01) {
    float I = tanh(3.0 * vel);
    c = dir >= 0.0 ? mix(vec3(0.1, 0.45, 0.2), vec3(0.2, 0.9, 0.45), I)
                   : mix(vec3(0.45, 0.1, 0.1), vec3(0.9, 0.2, 0.2), I);
    a = 0.5 * I;
    if (om > 2.0 && vel > 0.1) {
      float b = min((om - 2.0) / 3.0, 0.5);
      c = mix(c, vec3(0.9, 0.95, 1.0), b);
      a = min(a + 0.2 * b, 0.65);
    }
  } else if (vel < -0.01) {
    float I = tanh(3.0 * abs(vel));
    c = mix(vec3(0.12, 0.03, 0.04), vec3(0.25, 0.05, 0.06), I);
    a = 0.45 * I;
  }
  a *= 1.0 - smoothstep(1.05, 1.5, distTicks);
  return vec4(c, a);
}

void main() {
  float t = mix(uX.x, uX.y, uv.x);
  float y = mix(uY.x, uY.y, uv.y);
  vec3 col = BG;
  int k = int(floor(-t + 0.5));
  if (t <= 0.5 && k >= 0 && k < uCount) {
    int c = (uHead - k + uN) % uN;
    float s = texelFetch(uSpot, ivec2(c, 0), 0).r;
    if (s > -1e29) {
      // options bars: nearest strike of the pixel, row relative to the column's spot strike
      float st = float(uStrike);
      float ks = floor(y / st + 0.5);
      int orow = int(ks - floor(s / st + 0.5)) + ${(OPTION_ROWS - 1) / 2};
      if (orow >= 0 && orow < ${OPTION_ROWS}) {
        vec4 o = options(texelFetch(uOpt, ivec2(c, orow), 0), abs(y - ks * st));
        col = mix(col, o.rgb, o.a);
      }
      int row = int(floor(y - s + 0.5)) + uG;
      if (row >= 0 && row <= 2 * uG) {
        vec4 d = texelFetch(uData, ivec2(c, row), 0);
        if (d.a > 0.5) col = mix(col, depthShade(d.a - 1.0), 0.85);
        vec4 f = futures(d);
        col = mix(col, f.rgb, f.a);
      }
    }
  }
  outColor = vec4(col, 1.0);
}`;

/** Draws the offscreen field over the whole canvas, nearest-neighbour. */
const BLIT_FRAG = `#version 300 es
precision mediump float;
in vec2 uv;
out vec4 outColor;
uniform sampler2D uField;
void main() { outColor = vec4(texture(uField, uv).rgb, 1.0); }`;

/** The view: seconds (relative to the newest window) and ticks (absolute) at the edges. */
export interface FieldView {
  /** Seconds at the left edge (negative = past). */
  left: number;
  /** Seconds at the right edge. */
  right: number;
  /** Absolute tick at the bottom edge. */
  bottom: number;
  /** Absolute tick at the top edge. */
  top: number;
}

/** One window's data for the field, already aggregated per row. */
export interface FieldColumn {
  /** Spot tick of the window (absolute), NaN when the book had no spot. */
  spotTick: number;
  /** `4·(2G+1)` floats: velocity, pressure, Omega, present, for rel_ticks −G..G. */
  futures: Float32Array;
  /** `4·41` floats for strike rows −20..20 around the spot's strike. */
  options: Float32Array;
}

/** The WebGL2 heat field. */
export class VelocityField {
  readonly gl: WebGL2RenderingContext;
  /** Columns kept (history length in seconds). */
  readonly history: number;
  #prog: WebGLProgram;
  #data: WebGLTexture;
  #opt: WebGLTexture;
  #spot: WebGLTexture;
  #G = 0;
  #head = -1;
  #count = 0;
  #base = NaN;
  #strike = 1;
  #loc: Record<string, WebGLUniformLocation | null> = {};
  #spots: Float64Array;
  #rhoMax = 1;
  #vao: WebGLVertexArrayObject;
  #blit: WebGLProgram;
  #fbo: WebGLFramebuffer;
  #fboTex: WebGLTexture;
  #fboW = 0;
  #fboH = 0;

  /** Creates the field on `canvas`; throws when WebGL2 is unavailable. */
  constructor(canvas: HTMLCanvasElement, history = 1800) {
    const gl = canvas.getContext("webgl2", {
      antialias: false,
      alpha: false,
      depth: false,
      stencil: true,
      preserveDrawingBuffer: true,
    });
    if (!gl) throw new Error("this page needs WebGL2, which the browser did not provide");
    this.gl = gl;
    this.history = history;
    this.#spots = new Float64Array(history).fill(NaN);
    this.#prog = program(gl, VERT, FRAG);
    this.#blit = program(gl, VERT, BLIT_FRAG);
    this.#vao = gl.createVertexArray()!;
    gl.bindVertexArray(this.#vao);
    const buf = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, buf);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
    gl.enableVertexAttribArray(0);
    gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
    gl.bindVertexArray(null);
    this.#fboTex = texture(gl);
    this.#fbo = gl.createFramebuffer()!;
    this.resize(1, 1);
    for (
      const u of [
        "uData",
        "uOpt",
        "uSpot",
        "uN",
        "uHead",
        "uCount",
        "uG",
        "uStrike",
        "uX",
        "uY",
        "uRhoMax",
      ]
    ) {
      this.#loc[u] = gl.getUniformLocation(this.#prog, u);
    }
    this.#data = texture(gl);
    this.#opt = texture(gl);
    this.#spot = texture(gl);
    gl.bindTexture(gl.TEXTURE_2D, this.#opt);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA32F, history, OPTION_ROWS, 0, gl.RGBA, gl.FLOAT, null);
    gl.bindTexture(gl.TEXTURE_2D, this.#spot);
    gl.texImage2D(
      gl.TEXTURE_2D,
      0,
      gl.R32F,
      history,
      1,
      0,
      gl.RED,
      gl.FLOAT,
      new Float32Array(history).fill(MISSING),
    );
  }

  /**
   * Sets the resolution the field is shaded at (the offscreen texture), independent of the
   * canvas's: the page uses two pixels per second and per tick.
   */
  resize(width: number, height: number): void {
    const w = Math.max(1, Math.round(width)), h = Math.max(1, Math.round(height));
    if (w === this.#fboW && h === this.#fboH) return;
    const gl = this.gl;
    this.#fboW = w;
    this.#fboH = h;
    gl.bindTexture(gl.TEXTURE_2D, this.#fboTex);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, w, h, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.#fbo);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, this.#fboTex, 0);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  }

  /** Half-width of the tick lattice (grid_max_ticks). */
  get gridMaxTicks(): number {
    return this.#G;
  }

  /** Columns written so far (capped at the history). */
  get count(): number {
    return this.#count;
  }

  /** Sets the lattice and strike spacing; clears the history when they change. */
  configure(gridMaxTicks: number, strikeTicks: number): void {
    if (gridMaxTicks === this.#G && strikeTicks === this.#strike) return;
    const gl = this.gl;
    this.#G = gridMaxTicks;
    this.#strike = Math.max(1, strikeTicks);
    gl.bindTexture(gl.TEXTURE_2D, this.#data);
    gl.texImage2D(
      gl.TEXTURE_2D,
      0,
      gl.RGBA32F,
      this.history,
      2 * gridMaxTicks + 1,
      0,
      gl.RGBA,
      gl.FLOAT,
      null,
    );
    this.clear();
  }

  /** Forgets every column. */
  clear(): void {
    const gl = this.gl;
    this.#head = -1;
    this.#count = 0;
    this.#base = NaN;
    this.#rhoMax = 1;
    this.#spots.fill(NaN);
    gl.bindTexture(gl.TEXTURE_2D, this.#spot);
    gl.texSubImage2D(
      gl.TEXTURE_2D,
      0,
      0,
      0,
      this.history,
      1,
      gl.RED,
      gl.FLOAT,
      new Float32Array(this.history).fill(MISSING),
    );
  }

  /** Spot tick of the column `k` seconds before the newest (NaN when unknown). */
  spotAt(k: number): number {
    if (k < 0 || k >= this.#count) return NaN;
    return this.#spots[(this.#head - k + this.history) % this.history];
  }

  /** Appends one window as the newest column. */
  push(col: FieldColumn): void {
    const gl = this.gl;
    if (!Number.isFinite(this.#base) && Number.isFinite(col.spotTick)) {
      this.#base = Math.round(col.spotTick / this.#strike) * this.#strike;
    }
    this.#head = (this.#head + 1) % this.history;
    this.#count = Math.min(this.history, this.#count + 1);
    const c = this.#head;
    this.#spots[c] = col.spotTick;
    gl.bindTexture(gl.TEXTURE_2D, this.#data);
    let colMax = 0;
    for (let i = 3; i < col.futures.length; i += 4) {
      if (col.futures[i] - 1 > colMax) colMax = col.futures[i] - 1;
    }
    this.#rhoMax = Math.max(0.999 * this.#rhoMax, colMax, 1);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, c, 0, 1, 2 * this.#G + 1, gl.RGBA, gl.FLOAT, col.futures);
    gl.bindTexture(gl.TEXTURE_2D, this.#opt);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, c, 0, 1, OPTION_ROWS, gl.RGBA, gl.FLOAT, col.options);
    gl.bindTexture(gl.TEXTURE_2D, this.#spot);
    const s = Number.isFinite(col.spotTick) && Number.isFinite(this.#base)
      ? col.spotTick - this.#base
      : MISSING;
    gl.texSubImage2D(gl.TEXTURE_2D, 0, c, 0, 1, 1, gl.RED, gl.FLOAT, new Float32Array([s]));
  }

  /**
   * Shades the field for `view` offscreen and draws it over the whole canvas (which it replaces).
   */
  render(view: FieldView): void {
    const gl = this.gl;
    gl.bindVertexArray(this.#vao);
    gl.disable(gl.BLEND);
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.#fbo);
    gl.viewport(0, 0, this.#fboW, this.#fboH);
    gl.useProgram(this.#prog);
    const units: [WebGLTexture, string][] = [
      [this.#data, "uData"],
      [this.#opt, "uOpt"],
      [this.#spot, "uSpot"],
    ];
    units.forEach(([t, name], i) => {
      gl.activeTexture(gl.TEXTURE0 + i);
      gl.bindTexture(gl.TEXTURE_2D, t);
      gl.uniform1i(this.#loc[name], i);
    });
    gl.uniform1i(this.#loc.uN, this.history);
    gl.uniform1i(this.#loc.uHead, Math.max(0, this.#head));
    gl.uniform1i(this.#loc.uCount, this.#count);
    gl.uniform1i(this.#loc.uG, this.#G);
    gl.uniform1i(this.#loc.uStrike, this.#strike);
    gl.uniform2f(this.#loc.uX, view.left, view.right);
    gl.uniform1f(this.#loc.uRhoMax, this.#rhoMax);
    const base = Number.isFinite(this.#base) ? this.#base : 0;
    gl.uniform2f(this.#loc.uY, view.bottom - base, view.top - base);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.viewport(0, 0, gl.drawingBufferWidth, gl.drawingBufferHeight);
    gl.useProgram(this.#blit);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.#fboTex);
    gl.uniform1i(gl.getUniformLocation(this.#blit, "uField"), 0);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    gl.bindVertexArray(null);
  }

  /**
   * RGBA of the field (without anything drawn over it) at (x, y) in CSS pixels of the canvas from
   * the top-left, as last rendered.
   */
  readPixel(x: number, y: number): [number, number, number, number] {
    const gl = this.gl;
    const canvas = gl.canvas as HTMLCanvasElement;
    const sx = Math.min(this.#fboW - 1, Math.floor(x * this.#fboW / canvas.clientWidth));
    const sy = this.#fboH - 1 -
      Math.min(this.#fboH - 1, Math.floor(y * this.#fboH / canvas.clientHeight));
    const px = new Uint8Array(4);
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.#fbo);
    gl.readPixels(sx, sy, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    return [px[0], px[1], px[2], px[3]];
  }
}

function texture(gl: WebGL2RenderingContext): WebGLTexture {
  const t = gl.createTexture()!;
  gl.bindTexture(gl.TEXTURE_2D, t);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
  return t;
}

/**
 * Aggregates a window's velocity rows into a field column (serving.md §5.2): bid rows only for
 * rel_ticks ≤ 0, ask rows only for rel_ticks > 0; per tick, velocity and pressure are summed and
 * Omega is the maximum. The fourth channel is `1 + rho` (resting depth, ln(1 + depth_end); 0 =
 * no cell), drawn as the base layer.
 */
export function futuresColumn(
  G: number,
  rel: ArrayLike<number>,
  side: readonly string[],
  velocity: ArrayLike<number>,
  pressure: ArrayLike<number>,
  omega: ArrayLike<number>,
  rho?: ArrayLike<number>,
  out = new Float32Array(4 * (2 * G + 1)),
): Float32Array {
  out.fill(0);
  for (let i = 0; i < rel.length; i++) {
    const r = rel[i];
    if (!(Math.abs(r) <= G)) continue;
    if (side[i] === "B" ? r > 0 : r <= 0) continue;
    const o = 4 * (r + G);
    const v = velocity[i], p = pressure[i], w = omega[i];
    if (Number.isFinite(v)) out[o] += v;
    if (Number.isFinite(p)) out[o + 1] += p;
    if (Number.isFinite(w)) out[o + 2] = out[o + 3] ? Math.max(out[o + 2], w) : w;
    const d = rho ? rho[i] : 0;
    out[o + 3] = Math.max(out[o + 3], 1 + (Number.isFinite(d) && d > 0 ? d : 0));
  }
  return out;
}

/**
 * Aggregates a window's options rows (one per strike offset, rel_ticks from the spot) into strike
 * rows around the spot's strike: row = round((spot + rel)/strike) − round(spot/strike) + 20.
 */
export function optionsColumn(
  spotTick: number,
  strikeTicks: number,
  rel: ArrayLike<number>,
  velocity: ArrayLike<number>,
  pressure: ArrayLike<number>,
  omega: ArrayLike<number>,
  out = new Float32Array(4 * OPTION_ROWS),
): Float32Array {
  out.fill(0);
  if (!Number.isFinite(spotTick)) return out;
  const centre = Math.round(spotTick / strikeTicks);
  for (let i = 0; i < rel.length; i++) {
    const row = Math.round((spotTick + rel[i]) / strikeTicks) - centre + (OPTION_ROWS - 1) / 2;
    if (row < 0 || row >= OPTION_ROWS) continue;
    const o = 4 * row;
    if (Number.isFinite(velocity[i])) out[o] += velocity[i];
    if (Number.isFinite(pressure[i])) out[o + 1] += pressure[i];
    if (Number.isFinite(omega[i])) out[o + 2] = Math.max(out[o + 2], omega[i]);
    out[o + 3] = 1;
  }
  return out;
}
