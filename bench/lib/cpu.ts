// CPU time by process, read from /proc: on a machine whose cores the hub, Temporal, PostgreSQL
// and the load generator share, a ratio below its goal is explained by who spent the cores.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on every Linux we run on). */
const TICKS_PER_SECOND = 100;

export interface CpuGroups {
  /** The hub's process (its HTTP server, store client and worker). */
  hub: number;
  /** The benchmark's own process: the load generator, the sandbox, the raw arm's client. */
  bench: number;
}

export type CpuPlace = 'hub' | 'temporal' | 'postgres' | 'bench' | 'other';
/** CPU ms by place over a span, and the machine's idle ms over it (all cores). */
export type CpuSpent = { [place in CpuPlace]: number } & { idle: number };

/** Every process's CPU so far, by pid, and the machine's busy and idle time. */
export interface CpuSnapshot {
  processes: Map<number, { place: CpuPlace; ms: number }>;
  busy: number;
  idle: number;
}

/** utime + stime of one process in ms, with its comm; undefined when it ended meanwhile. */
function processCpu(pid: string): { comm: string; ms: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm is in parentheses and may hold spaces: the fields after it start past the last ')'.
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const fields = stat.slice(close + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the state (3).
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { comm, ms: (ticks * 1000) / TICKS_PER_SECOND };
}

/** The machine's busy and idle ms over all cores, from /proc/stat's first line. */
function machineCpu(): { busy: number; idle: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const ticks = line.split(/\s+/).slice(1).map(Number);
  const field = (i: number) => ticks[i] ?? 0;
  const toMs = (sum: number) => (sum * 1000) / TICKS_PER_SECOND;
  // user nice system idle iowait irq softirq steal
  return {
    busy: toMs(field(0) + field(1) + field(2) + field(5) + field(6) + field(7)),
    idle: toMs(field(3) + field(4)),
  };
}

/**
 * Each process's CPU so far: Temporal is every process named `temporal` (the dev server),
 * PostgreSQL every `postgres`; the rest counts only in the machine's busy time.
 */
export function cpuSnapshot(groups: CpuGroups): CpuSnapshot {
  const processes = new Map<number, { place: CpuPlace; ms: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cpu = processCpu(entry);
    if (!cpu) continue;
    const pid = Number(entry);
    const place: CpuPlace =
      pid === groups.hub
        ? 'hub'
        : pid === groups.bench
          ? 'bench'
          : cpu.comm === 'temporal'
            ? 'temporal'
            : cpu.comm === 'postgres'
              ? 'postgres'
              : 'other';
    processes.set(pid, { place, ms: cpu.ms });
  }
  return { processes, ...machineCpu() };
}

const none = (): CpuSpent => ({ hub: 0, temporal: 0, postgres: 0, bench: 0, other: 0, idle: 0 });

/**
 * What each place spent between two snapshots, process by process: one that started meanwhile
 * counts whole, one that ended meanwhile only in `other` (the machine's busy time that no
 * named process accounts for).
 */
export function cpuSpent(from: CpuSnapshot, to: CpuSnapshot): CpuSpent {
  const spent = none();
  for (const [pid, now] of to.processes) {
    if (now.place === 'other') continue;
    const before = from.processes.get(pid);
    spent[now.place] += now.ms - (before?.place === now.place ? before.ms : 0);
  }
  const named = spent.hub + spent.temporal + spent.postgres + spent.bench;
  // Per-process and machine ticks are counted apart: at 0 the difference is rounding.
  spent.other = Math.max(0, to.busy - from.busy - named);
  spent.idle = to.idle - from.idle;
  return spent;
}

/** Sums spans of CPU, e.g. one arm's rounds. */
export function cpuTotal(spans: readonly CpuSpent[]): CpuSpent {
  const total = none();
  for (const span of spans)
    for (const key of Object.keys(total) as (keyof CpuSpent)[]) total[key] += span[key];
  return total;
}

/**
 * One process's CPU so far by thread kind, in ms: its main thread (the hub's event loop) apart
 * from threads named alike (tokio's for Temporal's core, V8's helpers for GC and compiling,
 * libuv's pool), so a profile of the main thread is not taken for the whole process.
 */
export function threadCpu(pid: number): Map<string, number> {
  const byKind = new Map<string, number>();
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byKind;
  }
  for (const tid of tasks) {
    const cpu = processCpu(`${pid}/task/${tid}`);
    if (!cpu) continue;
    const kind = Number(tid) === pid ? 'main thread' : cpu.comm;
    byKind.set(kind, (byKind.get(kind) ?? 0) + cpu.ms);
  }
  return byKind;
}

/** What each thread kind spent between two `threadCpu` readings. */
export function threadCpuSpent(from: Map<string, number>, to: Map<string, number>) {
  const spent = new Map<string, number>();
  for (const [kind, ms] of to) spent.set(kind, ms - (from.get(kind) ?? 0));
  return spent;
}
