/**
 * The Arrow schemas of the two streams (serving.md §3.5 velocity, §4.6 vacuum-pressure) and the
 * encoder of one surface of one window as an Arrow IPC **stream** (schema, one record batch, EOS).
 * Field names, types and order are the original's; every field is nullable.
 *
 * @module
 */
import {
  Bool,
  type Data,
  type DataType,
  Field,
  Float64,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from "apache-arrow";

/** Arrow type of a surface field. */
export type FieldType = "int64" | "int32" | "float64" | "bool" | "utf8";

/** A surface schema: field names and types, in wire order. */
export type SurfaceSchema = readonly (readonly [name: string, type: FieldType])[];

const f64 = (names: string[]): [string, FieldType][] => names.map((n) => [n, "float64"]);

/** Velocity `snap` (1 row per window). */
export const VELOCITY_SNAP: SurfaceSchema = [
  ["window_end_ts_ns", "int64"],
  ["mid_price", "float64"],
  ["spot_ref_price_int", "int64"],
  ["book_valid", "bool"],
];

/** Velocity `velocity`: both sides × every rel tick of ±grid_max_ticks. */
export const VELOCITY_SURFACE: SurfaceSchema = [
  ["window_end_ts_ns", "int64"],
  ["spot_ref_price_int", "int64"],
  ["rel_ticks", "int32"],
  ["side", "utf8"],
  ...f64(["liquidity_velocity", "rho", "nu", "kappa", "pressure_grad", "u_wave_energy", "Omega"]),
];

/** Velocity `options`: one row per strike offset (calls/puts and sides aggregated). */
export const VELOCITY_OPTIONS: SurfaceSchema = [
  ["window_end_ts_ns", "int64"],
  ["spot_ref_price_int", "int64"],
  ["rel_ticks", "int32"],
  ...f64(["liquidity_velocity", "pressure_grad", "u_wave_energy", "nu", "Omega"]),
];

/** Velocity `forecast`: horizon 0 (diagnostics) then horizons 1..30. */
export const VELOCITY_FORECAST: SurfaceSchema = [
  ["window_end_ts_ns", "int64"],
  ["horizon_s", "int32"],
  ["predicted_spot_tick", "int64"],
  ["predicted_tick_delta", "int64"],
  ["confidence", "float64"],
  ["RunScore_up", "float64"],
  ["RunScore_down", "float64"],
  ["D_up", "int32"],
  ["D_down", "int32"],
];

/** Vacuum-pressure `snap`. */
export const VP_SNAP: SurfaceSchema = [
  ["window_end_ts_ns", "int64"],
  ["mid_price", "float64"],
  ["spot_ref_price_int", "int64"],
  ["best_bid_price_int", "int64"],
  ["best_ask_price_int", "int64"],
  ["book_valid", "bool"],
];

/** Vacuum-pressure `flow`: one row per (rel_ticks, side) of the window. */
export const VP_FLOW: SurfaceSchema = [
  ["rel_ticks", "int32"],
  ["side", "utf8"],
  ...f64([
    "depth_qty_end",
    "add_qty",
    "pull_qty",
    "fill_qty",
    "depth_qty_rest",
    "pull_qty_rest",
    "net_flow",
    "vacuum_intensity",
    "pressure_intensity",
    "rest_fraction",
  ]),
];

/** Vacuum-pressure `signals` (1 row per window, 28 fields). */
export const VP_SIGNALS: SurfaceSchema = [
  ["window_end_ts_ns", "int64"],
  ...f64([
    "vacuum_above",
    "vacuum_below",
    "resting_drain_ask",
    "resting_drain_bid",
    "flow_imbalance",
    "fill_imbalance",
    "depth_imbalance",
    "rest_depth_imbalance",
    "bid_migration_com",
    "ask_migration_com",
    "composite",
    "composite_smooth",
    "d1_composite",
    "d2_composite",
    "d3_composite",
    "d1_smooth",
    "d2_smooth",
    "d3_smooth",
    "wtd_slope",
    "wtd_projection",
    "wtd_projection_500ms",
    "wtd_deriv_conf",
    "z_composite_raw",
    "z_composite_smooth",
    "confidence",
    "strength",
    "strength_smooth",
  ]),
];

/** A column handed to {@linkcode encodeSurface}. */
export type SurfaceColumn =
  | BigInt64Array
  | Int32Array
  | Float64Array
  | Uint8Array
  | readonly string[]
  | { data: BigInt64Array | Int32Array | Float64Array | Uint8Array; valid: Uint8Array | null };

const ARROW_TYPE: Record<FieldType, () => DataType> = {
  int64: () => new Int64(),
  int32: () => new Int32(),
  float64: () => new Float64(),
  bool: () => new Bool(),
  utf8: () => new Utf8(),
};

const schemaCache = new WeakMap<SurfaceSchema, Schema>();

/** The Arrow schema of a surface (all fields nullable). */
export function arrowSchema(schema: SurfaceSchema): Schema {
  let s = schemaCache.get(schema);
  if (!s) {
    s = new Schema(schema.map(([n, t]) => new Field(n, ARROW_TYPE[t](), true)));
    schemaCache.set(schema, s);
  }
  return s;
}

function packBits(bytes: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(((n + 63) >>> 6) << 3);
  for (let i = 0; i < n; i++) if (bytes[i]) out[i >>> 3] |= 1 << (i & 7);
  return out;
}

const EXPECTED: Record<Exclude<FieldType, "utf8">, string> = {
  int64: "BigInt64Array",
  int32: "Int32Array",
  float64: "Float64Array",
  bool: "Uint8Array",
};

function fieldData(name: string, type: FieldType, col: SurfaceColumn, n: number): Data {
  if (type === "utf8") {
    if (!Array.isArray(col)) throw new TypeError(`surface field ${name}: expected strings`);
    if (col.length !== n) {
      throw new RangeError(`surface field ${name}: ${col.length} rows, not ${n}`);
    }
    return vectorFromArray(col as string[], new Utf8()).data[0];
  }
  type Nums = BigInt64Array | Int32Array | Float64Array | Uint8Array;
  const nullable = !Array.isArray(col) && "valid" in col;
  const values: Nums = nullable ? (col as { data: Nums }).data : col as Nums;
  if (values.constructor.name !== EXPECTED[type]) {
    throw new TypeError(
      `surface field ${name}: expected ${EXPECTED[type]}, got ${values.constructor.name}`,
    );
  }
  if (values.length < n) {
    throw new RangeError(`surface field ${name}: ${values.length} < ${n} rows`);
  }
  const valid = nullable ? (col as { valid: Uint8Array | null }).valid : null;
  let nullCount = 0;
  if (valid) { for (let i = 0; i < n; i++) if (!valid[i]) nullCount++; }
  const nullBitmap = valid && nullCount ? packBits(valid, n) : undefined;
  const view = values.subarray(0, n);
  const data = type === "bool" ? packBits(view as Uint8Array, n) : view;
  // deno-lint-ignore no-explicit-any
  return makeData({ type: ARROW_TYPE[type]() as any, length: n, nullCount, nullBitmap, data });
}

/**
 * Encodes `n` rows of a surface as one Arrow IPC stream (schema + one record batch + EOS). Columns
 * are typed arrays matching the field type (`bool` as 0/1 bytes), string arrays for `utf8`, or
 * `{ data, valid }` with `valid[i] = 0` for a null. `n = 0` gives the schema and an empty batch.
 */
export function encodeSurface(
  schema: SurfaceSchema,
  n: number,
  columns: Readonly<Record<string, SurfaceColumn>>,
): Uint8Array {
  const s = arrowSchema(schema);
  const children = schema.map(([name, type]) => {
    const col = columns[name];
    if (col === undefined) throw new TypeError(`surface field ${name} is missing`);
    return fieldData(name, type, col, n);
  });
  const struct = makeData({ type: new Struct(s.fields), length: n, nullCount: 0, children });
  const batch = new RecordBatch(s, struct);
  return tableToIPC(new Table(s, [batch]), "stream");
}
