/// <reference lib="dom" />
/**
 * Antialiased thick lines and triangles drawn with WebGL2 over what a canvas already shows: the
 * velocity page's lines over its heat field (price grid, spot line and its glow, forecast path and
 * arrow).
 *
 * Why not a 2D canvas over the field: without a GPU, Chromium rasterises an accelerated 2D canvas
 * on SwiftShader, and a full-screen transparent 2D canvas that changes with every window (even one
 * that is only cleared) costs more than the whole heat field; the same lines as a few thousand
 * vertices drawn into the field's own canvas cost ~1 ms and add no layer (BENCHMARKS.md, pages).
 *
 * Each shape is a list of quads whose fragments know their distance to the centre line (or to a
 * join point), so edges get one device pixel of analytic coverage. A shape drawn as a *union*
 * (a stroke with alpha: the glow bands) writes the stencil buffer so that each pixel is blended
 * once per shape, like a 2D canvas stroke, even where segments and joins overlap.
 *
 * ```ts ignore
 * const lines = new LineOverlay(canvas.getContext("webgl2", { stencil: true })!);
 * lines.begin(canvas.clientWidth, canvas.clientHeight, devicePixelRatio);
 * lines.polyline(new Float32Array([0, 10, 50, 20, 100, 15]), 3, 4, rgba("#00ccff", 0.4), true);
 * lines.end();
 * ```
 *
 * @module
 */
import { program } from "./_gl.ts";

/** Straight (not premultiplied) RGBA, each 0..1. */
export type Rgba = readonly [number, number, number, number];

/** `#rrggbb` (or `#rgb`) and an alpha as {@link Rgba}. */
export function rgba(hex: string, alpha = 1): Rgba {
  let h = hex.replace(/^#/, "");
  if (h.length === 3) h = [...h].map((c) => c + c).join("");
  const n = parseInt(h, 16);
  return [(n >> 16 & 255) / 255, (n >> 8 & 255) / 255, (n & 255) / 255, alpha];
}

const VERT = `#version 300 es
in vec2 aPos;    // CSS pixels from the top-left
in vec3 aOff;    // xy: offset from the centre line or join point (CSS px); z: half width (CSS px)
in vec4 aColor;  // straight RGBA
uniform vec2 uSize;
out vec2 vOff;
out float vHw;
out vec4 vColor;
void main() {
  vOff = aOff.xy;
  vHw = aOff.z;
  vColor = aColor;
  vec2 p = aPos / uSize * 2.0 - 1.0;
  gl_Position = vec4(p.x, -p.y, 0.0, 1.0);
}`;

const FRAG = `#version 300 es
precision mediump float;
in vec2 vOff;
in float vHw;
in vec4 vColor;
uniform float uDpr;
out vec4 outColor;
void main() {
  float cov = clamp((vHw - length(vOff)) * uDpr + 0.5, 0.0, 1.0);
  if (cov <= 0.0) discard;
  float a = vColor.a * cov;
  outColor = vec4(vColor.rgb * a, a);
}`;

/** Floats per vertex: position 2, offset + half width 3, colour 4. */
const STRIDE = 9;
/** Half width meaning "solid fill" (coverage 1 everywhere). */
const SOLID = 1e6;

interface Batch {
  first: number;
  count: number;
  /** Stencil reference (0 = no stencil: overlapping parts blend twice). */
  stencil: number;
}

/** A WebGL2 draw list of antialiased lines and triangles, rebuilt and drawn once per frame. */
export class LineOverlay {
  readonly gl: WebGL2RenderingContext;
  #prog: WebGLProgram;
  #buf: WebGLBuffer;
  #vao: WebGLVertexArrayObject | null;
  #bufFloats = 0;
  #data = new Float32Array(STRIDE * 6 * 1024);
  #n = 0;
  #batches: Batch[] = [];
  #open: Batch | null = null;
  #stencil = 0;
  #feather = 1;
  #uSize: WebGLUniformLocation | null;
  #uDpr: WebGLUniformLocation | null;
  #w = 1;
  #h = 1;
  #dpr = 1;

  /** Draws with `gl` (whose default framebuffer needs a stencil buffer). */
  constructor(gl: WebGL2RenderingContext) {
    this.gl = gl;
    this.#prog = program(gl, VERT, FRAG);
    this.#uSize = gl.getUniformLocation(this.#prog, "uSize");
    this.#uDpr = gl.getUniformLocation(this.#prog, "uDpr");
    const vao = gl.createVertexArray();
    this.#vao = vao;
    gl.bindVertexArray(vao);
    this.#buf = gl.createBuffer()!;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.#buf);
    const attr = (name: string, size: number, offset: number) => {
      const loc = gl.getAttribLocation(this.#prog, name);
      gl.enableVertexAttribArray(loc);
      gl.vertexAttribPointer(loc, size, gl.FLOAT, false, STRIDE * 4, offset * 4);
    };
    attr("aPos", 2, 0);
    attr("aOff", 3, 2);
    attr("aColor", 4, 5);
    gl.bindVertexArray(null);
  }

  /**
   * Starts a frame on a canvas of `width` × `height` CSS pixels at `dpr` device pixels per CSS
   * pixel (the drawing buffer is expected to be that size already).
   */
  begin(width: number, height: number, dpr: number): void {
    this.#w = Math.max(1, width);
    this.#h = Math.max(1, height);
    this.#dpr = dpr;
    this.#feather = 1 / dpr;
    this.#n = 0;
    this.#batches.length = 0;
    this.#open = null;
    this.#stencil = 0;
  }

  /**
   * A polyline through `n` points (`xy` = x0, y0, x1, y1, … in CSS pixels) of `width` CSS pixels.
   * `union`: each pixel is blended once however the segments overlap (for translucent strokes);
   * joins are then rounded. Points with a non-finite coordinate break the line.
   */
  polyline(xy: ArrayLike<number>, n: number, width: number, color: Rgba, union = false): void {
    this.#batch(union);
    const hw = width / 2;
    for (let i = 1; i < n; i++) {
      this.#segment(xy[2 * i - 2], xy[2 * i - 1], xy[2 * i], xy[2 * i + 1], hw, color);
    }
    if (union) {
      for (let i = 0; i < n; i++) this.#dot(xy[2 * i], xy[2 * i + 1], hw, color);
    }
  }

  /** A straight line from (x0, y0) to (x1, y1) of `width` CSS pixels (no stencil). */
  line(x0: number, y0: number, x1: number, y1: number, width: number, color: Rgba): void {
    this.#batch(false);
    this.#segment(x0, y0, x1, y1, width / 2, color);
  }

  /** A filled triangle (no antialiasing). */
  triangle(
    x0: number,
    y0: number,
    x1: number,
    y1: number,
    x2: number,
    y2: number,
    color: Rgba,
  ): void {
    this.#batch(false);
    this.#vertex(x0, y0, 0, 0, SOLID, color);
    this.#vertex(x1, y1, 0, 0, SOLID, color);
    this.#vertex(x2, y2, 0, 0, SOLID, color);
  }

  /** Uploads the frame's vertices and draws them over the canvas's default framebuffer. */
  end(): void {
    const gl = this.gl;
    this.#close();
    if (!this.#n) return;
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.viewport(0, 0, gl.drawingBufferWidth, gl.drawingBufferHeight);
    gl.clearStencil(0);
    gl.clear(gl.STENCIL_BUFFER_BIT);
    gl.bindVertexArray(this.#vao);
    gl.useProgram(this.#prog);
    gl.uniform2f(this.#uSize, this.#w, this.#h);
    gl.uniform1f(this.#uDpr, this.#dpr);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.#buf);
    const floats = this.#n * STRIDE;
    if (floats > this.#bufFloats) {
      this.#bufFloats = this.#data.length;
      gl.bufferData(gl.ARRAY_BUFFER, this.#data.byteLength, gl.DYNAMIC_DRAW);
    }
    gl.bufferSubData(gl.ARRAY_BUFFER, 0, this.#data, 0, floats);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    for (const b of this.#batches) {
      if (b.stencil) {
        gl.enable(gl.STENCIL_TEST);
        gl.stencilFunc(gl.NOTEQUAL, b.stencil, 0xff);
        gl.stencilOp(gl.KEEP, gl.KEEP, gl.REPLACE);
      } else gl.disable(gl.STENCIL_TEST);
      gl.drawArrays(gl.TRIANGLES, b.first, b.count);
    }
    gl.disable(gl.STENCIL_TEST);
    gl.disable(gl.BLEND);
    gl.bindVertexArray(null);
  }

  #batch(union: boolean): void {
    if (this.#open && !union && !this.#open.stencil) return;
    this.#close();
    this.#open = {
      first: this.#n,
      count: 0,
      stencil: union ? (this.#stencil = this.#stencil % 255 + 1) : 0,
    };
  }

  #close(): void {
    if (!this.#open) return;
    this.#open.count = this.#n - this.#open.first;
    if (this.#open.count) this.#batches.push(this.#open);
    this.#open = null;
  }

  #segment(x0: number, y0: number, x1: number, y1: number, hw: number, c: Rgba): void {
    const dx = x1 - x0, dy = y1 - y0, len = Math.hypot(dx, dy);
    if (!(len > 0) || !Number.isFinite(len)) return;
    const e = hw + this.#feather;
    const nx = -dy / len * e, ny = dx / len * e;
    this.#vertex(x0 + nx, y0 + ny, 0, e, hw, c);
    this.#vertex(x0 - nx, y0 - ny, 0, -e, hw, c);
    this.#vertex(x1 + nx, y1 + ny, 0, e, hw, c);
    this.#vertex(x1 + nx, y1 + ny, 0, e, hw, c);
    this.#vertex(x0 - nx, y0 - ny, 0, -e, hw, c);
    this.#vertex(x1 - nx, y1 - ny, 0, -e, hw, c);
  }

  #dot(x: number, y: number, hw: number, c: Rgba): void {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    const e = hw + this.#feather;
    this.#vertex(x - e, y - e, -e, -e, hw, c);
    this.#vertex(x + e, y - e, e, -e, hw, c);
    this.#vertex(x - e, y + e, -e, e, hw, c);
    this.#vertex(x - e, y + e, -e, e, hw, c);
    this.#vertex(x + e, y - e, e, -e, hw, c);
    this.#vertex(x + e, y + e, e, e, hw, c);
  }

  #vertex(x: number, y: number, ox: number, oy: number, hw: number, c: Rgba): void {
    let o = this.#n * STRIDE;
    if (o + STRIDE > this.#data.length) {
      const grown = new Float32Array(this.#data.length * 2);
      grown.set(this.#data);
      this.#data = grown;
    }
    const d = this.#data;
    d[o++] = x;
    d[o++] = y;
    d[o++] = ox;
    d[o++] = oy;
    d[o++] = hw;
    d[o++] = c[0];
    d[o++] = c[1];
    d[o++] = c[2];
    d[o] = c[3];
    this.#n++;
  }
}
