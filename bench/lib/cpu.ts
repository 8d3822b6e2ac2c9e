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
export type CpuSnapshot = { [place in CpuPlace]: number } & { idle: number };

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
 * CPU ms spent so far by place: Temporal is every process named `temporal` (the dev server),
 * PostgreSQL every `postgres`; `other` is the machine's busy time that none of them accounts
 * for (processes that ended since, and the rest of the machine).
 */
export function cpuSnapshot(groups: CpuGroups): CpuSnapshot {
  const snapshot: CpuSnapshot = { hub: 0, temporal: 0, postgres: 0, bench: 0, other: 0, idle: 0 };
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cpu = processCpu(pid);
    if (!cpu) continue;
    if (Number(pid) === groups.hub) snapshot.hub += cpu.ms;
    else if (Number(pid) === groups.bench) snapshot.bench += cpu.ms;
    else if (cpu.comm === 'temporal') snapshot.temporal += cpu.ms;
    else if (cpu.comm === 'postgres') snapshot.postgres += cpu.ms;
  }
  const machine = machineCpu();
  snapshot.other =
    machine.busy - snapshot.hub - snapshot.bench - snapshot.temporal - snapshot.postgres;
  snapshot.idle = machine.idle;
  return snapshot;
}

/** What each place spent between two snapshots. */
export function cpuSpent(from: CpuSnapshot, to: CpuSnapshot): CpuSnapshot {
  const spent = { ...to };
  for (const key of Object.keys(spent) as (keyof CpuSnapshot)[]) spent[key] = to[key] - from[key];
  return spent;
}

/** Sums spans of CPU, e.g. one arm's rounds. */
export function cpuTotal(spans: readonly CpuSnapshot[]): CpuSnapshot {
  const total: CpuSnapshot = { hub: 0, temporal: 0, postgres: 0, bench: 0, other: 0, idle: 0 };
  for (const span of spans)
    for (const key of Object.keys(total) as (keyof CpuSnapshot)[]) total[key] += span[key];
  return total;
}
