/**
 * Seeded synthetic market days: the project's embedded default data.
 *
 * Nobody can reach Databento from a fresh machine, so the demo, notebooks, tests and benchmarks
 * run on generated days that downstream code cannot tell from downloads: real DBN v3 files
 * (`.dbn.zst`, written with the codec's `DbnWriter`) under `<lake>/raw/source=synthetic/`, in the
 * downloader's folders and Databento's file names, with batch-download metadata (`stype_in`
 * raw_symbol, `stype_out` instrument_id, a mapping for every symbol).
 *
 * | product type | files (under `raw/source=synthetic/`) |
 * | --- | --- |
 * | `future_mbo` | `product_type=future_mbo/symbol=MNQ/table=market_by_order_dbn/glbx-mdp3-YYYYMMDD.mbo.dbn.zst`; definition in `dataset=definition/venue=glbx/type=futures/symbol=MNQ/` |
 * | `future_option_mbo` | `product_type=future_option_mbo/symbol=MNQ/table={market_by_order_dbn,statistics}/glbx-mdp3-YYYYMMDD.{mbo,statistics}.dbn.zst`; definitions and `resolved_YYYY-MM-DD.json` in `dataset=definition/venue=glbx/type=futures_options/symbol=MNQ/` |
 * | `equity_mbo` | `product_type=equity_mbo/symbol=QQQ/table=market_by_order_dbn/xnas-itch-YYYYMMDD.mbo.dbn.zst`; definition in `dataset=definition/venue=xnas/symbol=QQQ/` |
 * | `equity_option_cmbp_1` | `product_type=equity_option_cmbp_1/symbol=QQQ/table=cmbp_1/opra-pillar-YYYYMMDD.cmbp-1.dbn.zst`; statistics in `product_type=equity_option_statistics/symbol=QQQ/table=statistics/`; definitions in `dataset=definition/venue=opra/symbol=QQQ/` |
 *
 * Next to each main file a sidecar `…synth.json` (no `.dbn` in its name, so bronze globs skip it)
 * records the seed, counts and the planted episodes.
 *
 * **What a day contains.**
 * - `future_mbo`: the front-month contract of a root (default `MNQ` → `MNQH6` in January 2026,
 *   tick 0.25, GLBX.MDP3, publisher 1). At 00:00 UTC an `R` and a snapshot of the resting book,
 *   flagged F_SNAPSHOT|F_BAD_TS_RECV, ts_recv = 00:00 and each order's own past ts_event, oldest
 *   first; then order flow over the whole Globex day: quiet overnight, busier in the European
 *   morning, the 08:30 and 09:30 ET peaks, the 17:00 ET halt (day orders expire with C records),
 *   a pre-open from 17:45 ET where crossing orders rest (a planted crossed book) and the 18:00 ET
 *   opening auction (T side N, order id 0, F side N for both sides, then C/M); no reopen on Fridays.
 *   Live order ids start just below 2^53 so most exceed it.
 * - `future_option_mbo`: the 0DTE chain on that future (CME product code by the downloader's
 *   rules, e.g. `D1BF6 C25600`; strikes on the product's grid over the day's range plus 10 strikes
 *   each side), MBO with its own snapshot, quotes following a Bachelier value of the underlying's
 *   latent price, no flow after the 16:00 ET expiry; statistics (settlement, open interest,
 *   opening, high, low, cleared volume) and definitions (C/P, `OOF`, underlying, strike, expiry).
 * - `equity_mbo`: an XNAS ITCH-style stock (default `QQQ`, tick 0.01, publisher 2): a session
 *   clear `R` at 03:59 ET, no snapshot, flow from 04:00 ET to the end of the UTC day (19:00 EST /
 *   20:00 EDT), round lots and odd lots, replaces as C + A with a new id, partial cancels and
 *   partial fills as C of the size removed, non-displayed executions (T without a book change).
 * - `equity_option_cmbp_1`: the ticker's 0DTE OPRA chain (`QQQ   260105P00626000`), 16 venues
 *   (publishers 20–36 except 30) each quoting every option around its Bachelier value; every
 *   record carries the consolidated BBO (never crossed or locked) and the venues at the touch;
 *   trades print at the touch with side N. Statistics and definitions (expiration 00:00 UTC of
 *   the expiry date, as OPRA has it).
 *
 * **Model.** A latent price per underlying and UTC second (deterministic in seed, symbol and
 * date, so an underlying and its options share it at any scale): daily opens from a seeded walk,
 * intraday stochastic volatility from the session profile ({@linkcode intensityProfile}) times a
 * three-state Markov regime, fat-tailed shocks, bridged to the next open. Order flow is a
 * non-homogeneous Poisson stream (profile × per-minute activity noise, steered to the record
 * budget); each event adds near the touch (depth decays geometrically away from it), cancels
 * (near the touch, at random, or stale quotes the latent price has passed), modifies (price or
 * size, losing priority), or trades aggressively. MBO semantics follow Databento exactly: every
 * C/M/F refers to a live order; an aggressive order writes `T` (aggressor side) and one `F` per
 * resting order in one packet, then `C` for fully filled resting orders and `M` (CME) or `C` of
 * the filled size (ITCH) for a partial fill; `F_LAST` ends every event. Replaying a file with the
 * documented rules gives the generator's book after every event.
 *
 * **Episodes.** Each futures and equity day plants vacuums (resting liquidity on one side pulled
 * in the seconds before price moves through that range) and walls (large size built at one price
 * that holds while price tests it, then is pulled), mostly between 09:35 and 12:25 ET; the sidecar
 * gives each one's side, price range, times and measured depths ({@linkcode SynthEpisode}).
 *
 * **Scale.** `small` (default) writes about 150k / 100k / 120k / 80k records for the four
 * product types (a four-product day in a few seconds); `full` about 40M / 12M / 30M / 60M, like
 * real days; `events` sets the main file's target directly. The event rate is steered toward the
 * target, so counts land within a few percent (opening bursts and snapshots come on top). Sparse
 * days cannot follow tick-level noise, so below 1M records the latent price is smoothed over 30 s
 * (8 s below 8M, none above): hourly moves and ranges are the same at every scale, but small days
 * have wider spreads and thinner books (MNQ: median spread 2 ticks, ~5 lots per level near the
 * touch; at 5M records 1 tick 86% of the time and ~40 lots per level).
 *
 * **Determinism.** Same seed and options → byte-identical decompressed DBN (and sidecar); a
 * different seed → different data. Compressed bytes depend on the zstd build and level used by
 * the codec (the `zstd` CLI when available, else node:zlib), so compare decompressed streams.
 *
 * **Not modelled.** Exchange holidays (only weekends are skipped), implied orders, auctions on
 * XNAS, option volatility smiles beyond a mild wing lift. At `small` scale option quotes are
 * refreshed only every few seconds, so they lag the underlying more than real quotes do.
 *
 * The CLI is `deno task synth` (see `sdk/cli/synth.ts`).
 *
 * @example Generate a small synthetic MNQ day and read it back
 * ```ts
 * import { generateDay } from "@spymaster/sdk/synth";
 * import { openDbn } from "@spymaster/sdk/dbn";
 *
 * const lake = await Deno.makeTempDir();
 * const day = await generateDay({ productType: "future_mbo", date: "2026-01-06", seed: 7, lake, events: 20_000 });
 * console.log(day.symbol, day.counts.records, day.episodes.map((e) => e.kind));
 * const reader = await openDbn(day.files[0].path);
 * console.log(reader.metadata?.symbols); // [ "MNQH6" ]
 * await reader.close();
 * await Deno.remove(lake, { recursive: true });
 * ```
 *
 * @module
 */
export {
  benchSynthMbo,
  ForeignFileError,
  generateDay,
  generateDays,
  OPRA_VENUES,
  resolveEquity,
  resolveFuture,
  SCALE_RECORDS,
  SYNTH_SOURCE,
  type SynthBenchResult,
  type SynthDayOptions,
  type SynthDayResult,
  type SynthEpisode,
  type SynthFile,
  synthPaths,
  type SynthRangeOptions,
  type SynthScale,
} from "./generate.ts";
export {
  cmeOptionSymbol,
  defaultEquity,
  EQUITY_TICKERS,
  type EquityTicker,
  frontMonth,
  FUTURE_ROOTS,
  futureExpirationNs,
  type FutureRoot,
  futureRootOf,
  monthCode,
  opraSymbol,
  optionParentsFor,
  PRODUCT_TYPES,
  type ProductType,
  zeroDteCode,
} from "./products.ts";
export {
  compactDay,
  dayStartNs,
  easternOffsetHours,
  easternToUtcSecond,
  formatDay,
  nextTradingDay,
  parseDay,
  tradingDays,
  weekdayOf,
} from "./calendar.ts";
export {
  equityIntensityAt,
  equityOptionIntensityAt,
  futureIntensityAt,
  futureOptionIntensityAt,
  intensityProfile,
} from "./intensity.ts";
