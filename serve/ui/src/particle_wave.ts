/// <reference lib="dom" />
/**
 * Page `/particle-wave.html`: the standalone particle-wave tester (serving.md §5.5). No server
 * data; sliders drive {@link ./particle_wave_model.ts}. The parameters are kept in the URL.
 *
 * @module
 */
import {
  computeField,
  computeTensor,
  DEFAULT_GRID,
  DEFAULT_WAVE,
  frequencyOf,
  waveColor,
  type WaveParams,
} from "./particle_wave_model.ts";

interface Slider {
  key: keyof WaveParams | "frequency";
  label: string;
  min: number;
  max: number;
  step: number;
}

const SLIDERS: Slider[] = [
  { key: "wavelength", label: "Wavelength λ", min: 2, max: 30, step: 0.5 },
  { key: "frequency", label: "Frequency f (= v/λ)", min: 0.1, max: 5, step: 0.05 },
  { key: "speed", label: "Wave speed v", min: 1, max: 50, step: 1 },
  { key: "amplitude", label: "Amplitude A", min: 0.1, max: 3, step: 0.1 },
  { key: "viscosity", label: "Viscosity μ", min: 0, max: 1, step: 0.01 },
  { key: "decay", label: "Decay α", min: 0, max: 0.5, step: 0.01 },
  { key: "permeability", label: "Permeability ε", min: 0.1, max: 5, step: 0.1 },
  { key: "density", label: "Object density ρ", min: 0, max: 2, step: 0.05 },
  { key: "objectY", label: "Object Y", min: 0, max: 10, step: 0.1 },
  { key: "objectX", label: "Object X", min: 0, max: 20, step: 0.1 },
  { key: "objectWidth", label: "Object width", min: 0.5, max: 5, step: 0.1 },
];

const params: WaveParams = { ...DEFAULT_WAVE };
const q = new URLSearchParams(location.search);
for (const s of SLIDERS) {
  if (s.key === "frequency") continue;
  const v = Number(q.get(s.key));
  if (q.has(s.key) && Number.isFinite(v)) params[s.key] = Math.min(s.max, Math.max(s.min, v));
}

const canvas = document.getElementById("wave") as HTMLCanvasElement;
const ctx = canvas.getContext("2d")!;
const grid = DEFAULT_GRID;
canvas.width = grid.width;
canvas.height = grid.height;
const image = ctx.createImageData(grid.width, grid.height);
const field = new Float32Array(grid.width * grid.height);
let tensor = computeTensor(params, grid);
let showTensor = false;
let paused = false;
let simTime = 0;
let last = performance.now();
const inputs = new Map<string, HTMLInputElement>();
const outputs = new Map<string, HTMLOutputElement>();

const panel = document.getElementById("controls")!;
for (const s of SLIDERS) {
  const row = document.createElement("label");
  row.className = "slider";
  const name = document.createElement("span");
  name.textContent = s.label;
  const input = document.createElement("input");
  input.type = "range";
  input.id = `p-${s.key}`;
  input.min = String(s.min);
  input.max = String(s.max);
  input.step = String(s.step);
  const out = document.createElement("output");
  row.append(name, input, out);
  panel.append(row);
  inputs.set(s.key, input);
  outputs.set(s.key, out);
  input.addEventListener("input", () => {
    const v = Number(input.value);
    if (s.key === "frequency") params.speed = Math.min(50, Math.max(1, v * params.wavelength));
    else params[s.key] = v;
    tensor = computeTensor(params, grid);
    syncControls();
  });
}

function syncControls(): void {
  for (const s of SLIDERS) {
    const v = s.key === "frequency" ? frequencyOf(params) : params[s.key];
    inputs.get(s.key)!.value = String(v);
    outputs.get(s.key)!.textContent = v.toFixed(2);
  }
  const u = new URLSearchParams();
  for (const s of SLIDERS) if (s.key !== "frequency") u.set(s.key, String(params[s.key]));
  history.replaceState(null, "", `${location.pathname}?${u}`);
}
syncControls();

document.getElementById("toggle-tensor")!.addEventListener("click", (e) => {
  showTensor = !showTensor;
  (e.target as HTMLButtonElement).textContent = showTensor
    ? "Hide Physics Tensor"
    : "Show Physics Tensor";
});
document.getElementById("toggle-pause")!.addEventListener("click", (e) => {
  paused = !paused;
  (e.target as HTMLButtonElement).textContent = paused ? "Resume" : "Pause";
});

const stats = document.getElementById("stats")!;

function draw(now: number): void {
  const dt = Math.min(0.1, (now - last) / 1000);
  last = now;
  if (!paused) simTime += dt;
  const { maxAmp, rms } = computeField(params, tensor, simTime, field, grid);
  const px = image.data;
  for (let i = 0; i < field.length; i++) {
    let r: number, g: number, b: number;
    if (showTensor) {
      r = 255 * (tensor.viscosity[i] + 0.5 * tensor.density[i]);
      g = 255 * 0.5 * tensor.permeability[i];
      b = 255 * (1 - tensor.dist[i] / 10);
    } else [r, g, b] = waveColor(field[i]);
    px[4 * i] = r;
    px[4 * i + 1] = g;
    px[4 * i + 2] = b;
    px[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  overlay();
  stats.textContent = `t: ${simTime.toFixed(2)} s · Max Amp: ${maxAmp.toFixed(3)} · ` +
    `Energy: ${rms.toFixed(3)} · f = ${frequencyOf(params).toFixed(2)} Hz`;
  requestAnimationFrame(draw);
}

function overlay(): void {
  const u = grid.pxPerUnit;
  ctx.strokeStyle = "rgba(255,255,255,0.15)";
  ctx.fillStyle = "rgba(255,255,255,0.5)";
  ctx.font = "10px monospace";
  ctx.lineWidth = 1;
  for (let x = 0; x <= 20; x += 5) {
    ctx.beginPath();
    ctx.moveTo(x * u, 0);
    ctx.lineTo(x * u, grid.height);
    ctx.stroke();
    ctx.fillText(String(x), x * u + 2, grid.height - 3);
  }
  for (let y = 0; y <= 10; y += 2) {
    const py = grid.height - y * u;
    ctx.beginPath();
    ctx.moveTo(0, py);
    ctx.lineTo(grid.width, py);
    ctx.stroke();
    ctx.fillText(String(y), 2, py - 2);
  }
  const x0 = (params.objectX - params.objectWidth / 2) * u;
  const y0 = grid.height - (params.objectY + params.objectHeight / 2) * u;
  ctx.fillStyle = `rgba(255,85,85,${0.3 * params.density})`;
  ctx.fillRect(x0, y0, params.objectWidth * u, params.objectHeight * u);
  ctx.strokeStyle = "#ff5555";
  ctx.strokeRect(x0, y0, params.objectWidth * u, params.objectHeight * u);
  ctx.fillStyle = "#ff5555";
  ctx.fillText(`ρ=${params.density.toFixed(2)}`, x0, y0 - 4);
}

requestAnimationFrame(draw);
