/**
 * CME option product codes per futures root and the candidate option parents for a session date
 * (0DTE first, then the next days' weeklies/dailies, then the monthly).
 *
 * @module
 */
import { addDays, dayOfWeek, parseDate } from "./dates.ts";

/** Option product codes of one futures root. */
export interface RootOptionCodes {
  /** Quarterly (3rd Friday of Mar/Jun/Sep/Dec) code, or `null`. */
  quarterly: string | null;
  /** Monthly / end-of-month code. */
  eom: string;
  /** Friday weekly codes by week occurrence (index 0 = 1st Friday). */
  friday: string[];
  /** Daily codes by weekday (1 = Monday … 4 = Thursday) and week occurrence. */
  daily: Record<1 | 2 | 3 | 4, string[]>;
  /** Largest week occurrence. */
  max_weeks: number;
}

const seq = (f: (n: number) => string, n = 5): string[] =>
  Array.from({ length: n }, (_, i) => f(i + 1));

/** CME option product codes of the roots the downloader knows (downloader.md §2.3). */
export const OPTION_CODES: Readonly<Record<string, RootOptionCodes>> = {
  ES: {
    quarterly: "ES",
    eom: "EW",
    friday: seq((n) => `EW${n}`, 4),
    daily: {
      1: seq((n) => `E${n}A`),
      2: seq((n) => `E${n}B`),
      3: seq((n) => `E${n}C`),
      4: seq((n) => `E${n}D`),
    },
    max_weeks: 5,
  },
  NQ: {
    quarterly: "NQ",
    eom: "QNE",
    friday: seq((n) => `QN${n}`, 4),
    daily: {
      1: seq((n) => `Q${n}A`),
      2: seq((n) => `Q${n}B`),
      3: seq((n) => `Q${n}C`),
      4: seq((n) => `Q${n}D`),
    },
    max_weeks: 5,
  },
  MES: {
    quarterly: "MES",
    eom: "EX",
    friday: seq((n) => `EX${n}`, 4),
    daily: {
      1: seq((n) => `X${n}A`),
      2: seq((n) => `X${n}B`),
      3: seq((n) => `X${n}C`),
      4: seq((n) => `X${n}D`),
    },
    max_weeks: 5,
  },
  MNQ: {
    quarterly: "MNQ",
    eom: "MQE",
    friday: seq((n) => `MQ${n}`, 4),
    daily: {
      1: seq((n) => `D${n}A`),
      2: seq((n) => `D${n}B`),
      3: seq((n) => `D${n}C`),
      4: seq((n) => `D${n}D`),
    },
    max_weeks: 5,
  },
  GC: {
    quarterly: null,
    eom: "OG",
    friday: seq((n) => `OG${n}`),
    daily: {
      1: seq((n) => `G${n}M`),
      2: seq((n) => `G${n}T`),
      3: seq((n) => `G${n}W`),
      4: seq((n) => `G${n}R`),
    },
    max_weeks: 5,
  },
  SI: {
    quarterly: null,
    eom: "SO",
    friday: seq((n) => `SO${n}`),
    daily: {
      1: seq((n) => `M${n}S`),
      2: seq((n) => `S${n}T`),
      3: seq((n) => `W${n}S`),
      4: seq((n) => `R${n}S`),
    },
    max_weeks: 5,
  },
  CL: {
    quarterly: null,
    eom: "LO",
    friday: seq((n) => `LO${n}`),
    daily: {
      1: seq((n) => `ML${n}`),
      2: seq((n) => `NL${n}`),
      3: seq((n) => `WL${n}`),
      4: seq((n) => `XL${n}`),
    },
    max_weeks: 5,
  },
  "6E": {
    quarterly: null,
    eom: "EUU",
    friday: seq((n) => `${n}EU`),
    daily: {
      1: seq((n) => `MO${n}`),
      2: seq((n) => `TU${n}`),
      3: seq((n) => `WE${n}`),
      4: seq((n) => `SU${n}`),
    },
    max_weeks: 5,
  },
};

/** True when the next weekday after `date` falls in another month. */
function isLastBusinessDay(date: string): boolean {
  let next = addDays(date, 1);
  while ([0, 6].includes(dayOfWeek(next))) next = addDays(next, 1);
  return next.slice(0, 7) !== date.slice(0, 7);
}

/**
 * Option parent symbols (`<CODE>.OPT`) expiring on `date` for a futures root. Unknown roots give
 * `[<ROOT>.OPT]`; weekends give `[]`.
 */
export function optionsParentsFor(root: string, date: string): string[] {
  const codes = OPTION_CODES[root];
  if (!codes) return [`${root}.OPT`];
  const d = parseDate(date);
  const wd = d.getUTCDay();
  if (wd === 0 || wd === 6) return [];
  const day = d.getUTCDate();
  const occ = Math.floor((day - 1) / 7) + 1;
  const out: string[] = [];
  const add = (code: string | undefined | null) => {
    if (code && !out.includes(`${code}.OPT`)) out.push(`${code}.OPT`);
  };
  const thirdFridayQuarterly = wd === 5 && day >= 15 && day <= 21 &&
    [3, 6, 9, 12].includes(d.getUTCMonth() + 1);
  if (wd === 5) {
    add(codes.friday[occ - 1]);
    if (thirdFridayQuarterly) add(codes.quarterly);
  } else {
    add(codes.daily[wd as 1 | 2 | 3 | 4][occ - 1]);
  }
  if (isLastBusinessDay(date) || (thirdFridayQuarterly && codes.quarterly === null)) add(codes.eom);
  return out;
}

/** A group of candidate parents with its label (`0dte`, `3dte_Mon`, `monthly`, `generic`). */
export interface ParentCandidate {
  /** Label of the group. */
  label: string;
  /** Parent symbols (`<CODE>.OPT`). */
  parents: string[];
}

const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/**
 * Candidate option parents in the order they are tried: `0dte` (expiring on `date`), then for the
 * next 7 days (weekdays only) `<k>dte_<Day>` with parents not seen yet, then `monthly` (the root's
 * EOM code). For an unknown root: `0dte [<ROOT>.OPT]` and then `generic [<ROOT>.OPT]`, which lets
 * the selection fall back to the nearest expiry (the original stopped after `0dte`).
 */
export function candidateParents(root: string, date: string, lookaheadDays = 7): ParentCandidate[] {
  const codes = OPTION_CODES[root];
  if (!codes) {
    return [
      { label: "0dte", parents: [`${root}.OPT`] },
      { label: "generic", parents: [`${root}.OPT`] },
    ];
  }
  const out: ParentCandidate[] = [];
  const seen = new Set<string>();
  const today = optionsParentsFor(root, date);
  if (today.length) {
    out.push({ label: "0dte", parents: today });
    today.forEach((p) => seen.add(p));
  }
  for (let k = 1; k <= lookaheadDays; k++) {
    const day = addDays(date, k);
    const wd = dayOfWeek(day);
    if (wd === 0 || wd === 6) continue;
    const fresh = optionsParentsFor(root, day).filter((p) => !seen.has(p));
    if (fresh.length) {
      out.push({ label: `${k}dte_${DAY_NAMES[wd]}`, parents: fresh });
      fresh.forEach((p) => seen.add(p));
    }
  }
  const monthly = `${codes.eom}.OPT`;
  if (!seen.has(monthly)) out.push({ label: "monthly", parents: [monthly] });
  return out;
}
