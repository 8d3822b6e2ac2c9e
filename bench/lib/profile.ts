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

/** The top places by self time over all samples of every profile in `dir`. */
export function summarizeProfiles(dir: string, top = 12): ProfileShare[] {
  const self = new Map<string, number>();
  let total = 0;
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    for (const id of profile.samples) {
      const node = byId.get(id);
      if (!node) continue;
      const place = placeOf(node.callFrame.url, node.callFrame.functionName);
      self.set(place, (self.get(place) ?? 0) + 1);
      total++;
    }
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, samples]) => ({ where, percent: Math.round((1000 * samples) / total) / 10 }));
}

export const describeProfile = (shares: readonly ProfileShare[]) =>
  shares.map((share) => `${share.where} ${share.percent}%`).join(', ');
