// `npm run chaos`: the chaos suite (1,000 members unless CHAOS_MEMBERS or --members says), its
// table printed and written to bench/results/chaos.md; exit 1 when a check fails.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_OPTIONS, runChaos } from './chaos.js';
import { chaosTable } from './report.js';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: process.env.CHAOS_MEMBERS },
    rate: { type: 'string', default: process.env.CHAOS_RATE },
    'kill-every': { type: 'string', default: process.env.CHAOS_KILL_EVERY_MS },
    out: { type: 'string', default: process.env.CHAOS_OUT ?? 'bench/results/chaos.md' },
  },
});
const number = (value: string | undefined, fallback: number) => {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`not a positive number: ${value}`);
  return parsed;
};

const options = {
  ...DEFAULT_OPTIONS,
  members: number(values.members, DEFAULT_OPTIONS.members),
  perSecond: number(values.rate, DEFAULT_OPTIONS.perSecond),
  killEveryMs: number(values['kill-every'], DEFAULT_OPTIONS.killEveryMs),
  drainTimeoutMs: number(process.env.CHAOS_DRAIN_MS, DEFAULT_OPTIONS.drainTimeoutMs),
  vendorFailRate: Number(process.env.CHAOS_FAIL_RATE ?? DEFAULT_OPTIONS.vendorFailRate),
  restartServices: process.env.CHAOS_RESTARTS !== '0',
  maxWorkerKills: number(process.env.CHAOS_MAX_KILLS, DEFAULT_OPTIONS.maxWorkerKills),
  say: (line: string) => process.stderr.write(`chaos: ${line}\n`),
};

const result = await runChaos(options);
const table = chaosTable(result);
const report = [
  '# Chaos suite',
  '',
  `\`npm run chaos\` on ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (load average ${os.loadavg()[0]!.toFixed(1)} at the end): ${options.members} members, ${options.duplicateShare * 100}% duplicates, ${options.vendorFailRate * 100}% of vendor calls failing, a worker SIGKILL every ${options.killEveryMs / 1000} s.`,
  '',
  table,
  '',
  'Disruptions (seconds from the first delivery):',
  '',
  ...result.kills.log.map((line) => `- ${line}`),
  '',
].join('\n');
process.stdout.write(`${table}\n`);
if (!result.passed)
  process.stderr.write(`chaos: wrong: ${result.wrong.join('; ')}\n${result.hubOutput ?? ''}\n`);
if (values.out) {
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(values.out, report);
  process.stderr.write(`chaos: wrote ${values.out}\n`);
}
process.exit(result.passed ? 0 : 1);
