// `npm run bench:simulate`: how long `townhall simulate` takes for a six-week journey (the goal:
// under 2 s, start to printed timeline), beside its ceiling measured in the same run: the same
// CLI loading the same config and doing nothing else (`townhall validate`). The in-process simulation is timed too.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../config/load.js';
import { simulate } from '../bin/simulate.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-bench-simulate-'));
const file = path.join(dir, 'townhall.config.yaml');
const week = (n: number) => [
  `      - email.send: { template: welcome, subject: 'Week ${n}, {{ member.name }}' }`,
  `      - wait_until:`,
  `          event: message.posted`,
  `          timeout: 3d`,
  `          then: [{ dm.send: { text: 'Glad to see you, {{ member.name }}' } }]`,
  `          else: [{ if: { when: { has_email: true }, then: [{ wait: 1d }] } }]`,
  `      - wait: 3d`,
];
writeFileSync(
  file,
  `
connectors:
  slack: { signingSecret: s, botToken: xoxb-t }
  email:
    from: a@b.co
    smtp: { host: localhost, port: 25 }
    unsubscribeSecret: sixteen-characters
    templatesDir: ${path.resolve('config/examples/templates')}
limits: { email: 2 per 7d, on_cap: defer }
journeys:
  six-weeks:
    trigger: member.joined
    exit_when: [unsubscribed]
    send_window: { days: [mon, tue, wed, thu, fri], hours: '09:00-17:00', timezone: Europe/Paris }
    steps:
${[1, 2, 3, 4, 5, 6].flatMap(week).join('\n')}
`,
);
const args = ['simulate', 'six-weeks', '--config', file, '--start', '2026-12-05T03:00:00Z'];

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const timed = (run: () => void) => {
  const start = performance.now();
  run();
  return performance.now() - start;
};
const cli = (cliArgs: string[]) =>
  execFileSync(process.execPath, ['bin/townhall.js', ...cliArgs], { encoding: 'utf8' });

const loaded = loadConfig(file);
const inProcess: number[] = [];
let steps = 0;
let span = 0;
for (let i = 0; i < 20; i++) {
  const start = performance.now();
  const run = await simulate(loaded, 'six-weeks', { start: '2026-12-05T03:00:00Z' });
  inProcess.push(performance.now() - start);
  steps = run.timeline.length;
  span = run.endedAt;
}
const ceiling = median([0, 1, 2].map(() => timed(() => cli(['validate', file]))));
const whole = median([0, 1, 2].map(() => timed(() => cli(args))));

const report = {
  journey: `${steps} timeline entries over ${(span / 86_400_000).toFixed(1)} virtual days`,
  simulateInProcessMs: Number(median(inProcess).toFixed(1)),
  cliSimulateMs: Math.round(whole),
  cliStartCeilingMs: Math.round(ceiling),
  ratioToCeiling: Number((whole / ceiling).toFixed(2)),
  goalMs: 2000,
  met: whole < 2000,
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
if (!report.met) process.exitCode = 1;
