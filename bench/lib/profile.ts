// Where a hub's CPU goes: `node --cpu-prof` output folded into self time per package (or, for
// townhall's own code, per file), so BENCHMARKS.md can say what limits a figure.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  where: string;
  /** Share of the samples, in percent. */
  percent: number;
}

/** node_modules/<package> (scoped too), a project file, or Node's own code. */
function placeOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('wasm://')) return '(WebAssembly: PGlite)';
  if (url.includes('/townhall-cli/')) return 'townhall (CLI bundle)';
  if (url.includes('/workflow-bundle-')) return 'townhall workflows (bundle)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  if (url.startsWith('node:')) return url;
  const project =
    /\/(server|store|runtime|connectors|workflows|activities|config|bin|sandbox)\/.*$/.exec(url);
  if (project) return project[0].slice(1).replace(/\?.*$/, '');
  return path.basename(url);
}

/**
 * Part of a run by the wall clock: the profiled process was spawned at `spawnedAtMs` (its first
 * profile starts then; every thread's profile counts on the same monotonic clock).
 */
export interface ProfileWindow {
  spawnedAtMs: number;
  fromMs: number;
  toMs: number;
}

const readProfiles = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((file) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile)
    // The main thread's profiler starts first: it leads, the worker threads follow.
    .sort((a, b) => a.startTime - b.startTime);

/** Each sample's place, per profile, keeping only those inside `window` when there is one. */
function placesOf(profiles: CpuProfile[], window?: ProfileWindow): string[][] {
  const firstTick = profiles[0]?.startTime ?? 0;
  return profiles.map((profile) => {
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const places: string[] = [];
    let tick = profile.startTime;
    for (const [i, id] of profile.samples.entries()) {
      tick += profile.timeDeltas[i] ?? 0;
      const atMs = window ? window.spawnedAtMs + (tick - firstTick) / 1000 : 0;
      if (window && (atMs < window.fromMs || atMs > window.toMs)) continue;
      const node = byId.get(id);
      if (node) places.push(placeOf(node.callFrame.url, node.callFrame.functionName));
    }
    return places;
  });
}

export interface ProfileSummary {
  /** The top places by self time over the samples of every thread. */
  shares: ProfileShare[];
  /**
   * How busy each thread was: percent of its samples not idle, main thread first. A process
   * waiting on others (its store, Temporal, the vendor) shows as a thread mostly idle.
   */
  threadsBusy: number[];
}

/** Every profile in `dir` read once, its samples kept only inside `window` when there is one. */
export function summarizeProfiles(dir: string, top = 12, window?: ProfileWindow): ProfileSummary {
  const threads = placesOf(readProfiles(dir), window);
  const self = new Map<string, number>();
  let total = 0;
  for (const places of threads)
    for (const place of places) {
      self.set(place, (self.get(place) ?? 0) + 1);
      total++;
    }
  const percent = (part: number, whole: number) =>
    whole === 0 ? 0 : Math.round((1000 * part) / whole) / 10;
  return {
    shares: [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([where, samples]) => ({ where, percent: percent(samples, total) })),
    threadsBusy: threads.map((places) =>
      percent(places.filter((place) => place !== '(idle)').length, places.length),
    ),
  };
}

export const describeProfile = (shares: readonly ProfileShare[]) =>
  shares.map((share) => `${share.where} ${share.percent}%`).join(', ');
