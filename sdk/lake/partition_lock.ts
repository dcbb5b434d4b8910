/**
 * Partition locks: one writer per partition across processes. A lock is the file
 * `<table>/.lock_dt=<dt>` created with `createNew` (atomic on local file systems) holding its
 * owner as JSON (pid, hostname, process start, start time, command line). A second writer fails
 * with {@linkcode LockedError}, which names the owner; a lock whose owner died (same host,
 * pid gone or reused) is taken over, so a killed run never blocks the partition for good.
 *
 * Taking over is itself guarded by `<lock>.takeover` (created with `createNew`), so two successors
 * of a dead owner cannot both win.
 *
 * @module
 */
import { join } from "node:path";

/** Who holds a partition lock (the lock file's content). */
export interface LockOwner {
  /** Process id. */
  pid: number;
  /** Host name of the process. */
  hostname: string;
  /** Process start in clock ticks since boot (Linux `/proc/<pid>/stat` field 22); detects pid reuse. */
  proc_start: string | null;
  /** When the lock was taken (ISO UTC). */
  started_at: string;
  /** Command line of the owner (for the message). */
  command: string;
}

/** A lock (a partition, a downloader's tracker) is held by another live process. */
export class LockedError extends Error {
  /** The lock file. */
  readonly lockPath: string;
  /** Its owner. */
  readonly owner: LockOwner;
  /** Creates the error for a lock and its owner. */
  constructor(what: string, lockPath: string, owner: LockOwner) {
    super(
      `${what} is in use by another run: pid ${owner.pid} on ${owner.hostname} since ${owner.started_at} (${owner.command}); ` +
        `wait for it to finish, or if that process is gone, delete ${lockPath}`,
    );
    this.name = "LockedError";
    this.lockPath = lockPath;
    this.owner = owner;
  }
}

/** The lock file of partition `dt` in a table folder. */
export function lockPath(tableFolder: string, dt: string): string {
  return join(tableFolder, `.lock_dt=${dt}`);
}

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown-host";
  }
}

/** Field 22 (starttime) of `/proc/<pid>/stat`, or null where there is no procfs; `undefined` = no such process. */
function procStart(pid: number): string | null | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      // no such process, or no procfs at all
      try {
        Deno.statSync("/proc/self/stat");
        return undefined;
      } catch {
        return null;
      }
    }
    return null;
  }
  // the command name (field 2) is in parentheses and may hold spaces: count after the last ')'
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return rest[19] ?? null;
}

/** This process as a lock owner. */
export function currentOwner(): LockOwner {
  let command = "deno";
  try {
    command = ["deno", ...Deno.args].join(" ").slice(0, 200);
    const main = Deno.mainModule;
    if (main) command = `deno ${main.replace(/^file:\/\//, "")} ${Deno.args.join(" ")}`.trim();
  } catch { /* no permission */ }
  return {
    pid: Deno.pid,
    hostname: hostname(),
    proc_start: procStart(Deno.pid) ?? null,
    started_at: new Date().toISOString(),
    command: command.slice(0, 200),
  };
}

/**
 * Whether a lock's owner is certainly dead: same host and either no such pid or a pid reused by a
 * process started later. Owners on another host, or where this cannot be known, count as alive.
 */
export function ownerIsDead(owner: LockOwner): boolean {
  if (owner.hostname !== hostname()) return false;
  if (owner.pid === Deno.pid) return false;
  const start = procStart(owner.pid);
  if (start === undefined) return true;
  if (start === null || owner.proc_start === null) return false;
  return start !== owner.proc_start;
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  try {
    const o = JSON.parse(text);
    if (typeof o?.pid === "number" && typeof o?.hostname === "string") return o as LockOwner;
  } catch { /* fall through */ }
  // a lock cut short by a crash while being written: treat as owned by a dead process
  return { pid: -1, hostname: hostname(), proc_start: null, started_at: "?", command: "?" };
}

async function createLock(path: string, owner: LockOwner): Promise<boolean> {
  let f: Deno.FsFile;
  try {
    f = await Deno.open(path, { write: true, createNew: true });
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return false;
    throw e;
  }
  try {
    await f.write(new TextEncoder().encode(JSON.stringify(owner) + "\n"));
  } finally {
    f.close();
  }
  return true;
}

/**
 * A held lock file; {@linkcode LockFile.release} it when done. The file holds its
 * {@linkcode LockOwner}; a live owner's lock is never removed by another process.
 */
export class LockFile {
  /** The lock file. */
  readonly path: string;
  /** This process, as recorded in the file. */
  readonly owner: LockOwner;
  /** The dead owner this lock was taken over from, if any. */
  readonly tookOverFrom: LockOwner | undefined;
  #released = false;

  private constructor(path: string, owner: LockOwner, tookOverFrom?: LockOwner) {
    this.path = path;
    this.owner = owner;
    this.tookOverFrom = tookOverFrom;
  }

  /**
   * Takes the lock file `path` (its folder must exist). Throws {@linkcode LockedError} when a live
   * process holds it; takes it over from a dead one. `what` names the locked thing in messages.
   */
  static async acquire(path: string, what: string): Promise<LockFile> {
    const me = currentOwner();
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await createLock(path, me)) return new LockFile(path, me);
      const owner = await readOwner(path);
      if (owner === undefined) continue; // released meanwhile: try again
      if (!ownerIsDead(owner)) throw new LockedError(what, path, owner);
      // dead owner: take over under the takeover guard
      const guard = `${path}.takeover`;
      if (!(await createLock(guard, me))) {
        const g = await readOwner(guard);
        if (g && !ownerIsDead(g)) throw new LockedError(what, path, g);
        await Deno.remove(guard).catch(() => {});
        continue;
      }
      try {
        const again = await readOwner(path);
        if (again && JSON.stringify(again) !== JSON.stringify(owner)) continue; // someone else won
        await Deno.remove(path).catch(() => {});
        if (await createLock(path, me)) return new LockFile(path, me, owner);
      } finally {
        await Deno.remove(guard).catch(() => {});
      }
    }
    const owner = await readOwner(path);
    throw owner
      ? new LockedError(what, path, owner)
      : new Error(`${what}: could not take the lock ${path}`);
  }

  #mine(text: string | undefined): boolean {
    if (text === undefined) return false;
    try {
      const o = JSON.parse(text);
      return o.pid === this.owner.pid && o.started_at === this.owner.started_at;
    } catch {
      return false;
    }
  }

  /** Removes the lock file if this process still owns it (idempotent). */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    const text = await Deno.readTextFile(this.path).catch(() => undefined);
    if (this.#mine(text)) await Deno.remove(this.path).catch(() => {});
  }

  /** {@linkcode LockFile.release}, synchronously (for `close()` methods). */
  releaseSync(): void {
    if (this.#released) return;
    this.#released = true;
    let text: string | undefined;
    try {
      text = Deno.readTextFileSync(this.path);
    } catch { /* gone */ }
    if (this.#mine(text)) {
      try {
        Deno.removeSync(this.path);
      } catch { /* gone */ }
    }
  }
}

/**
 * Takes the lock of partition `dt` in `tableFolder` (`.lock_dt=<dt>`, folder created if needed).
 * Throws {@linkcode LockedError} naming the owner when a live process writes the partition.
 */
export async function acquirePartitionLock(
  tableFolder: string,
  dt: string,
  what: string,
): Promise<LockFile> {
  await Deno.mkdir(tableFolder, { recursive: true });
  return await LockFile.acquire(lockPath(tableFolder, dt), what);
}
