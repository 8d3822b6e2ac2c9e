// The n8n comparison of ingest-starts, run by hand beside an n8n install (bench/README.md):
// 32 closed-loop senders POST to n8n's webhook, which calls a local HTTP server (started here)
// and answers from its Respond node, saving each execution in PostgreSQL. Not part of
// `npm run bench`: n8n is not a dependency of townhall.
import http from 'node:http';
import { closedLoop, post, statusCounts } from '../lib/load.js';
import { round, summarize } from '../lib/stats.js';

const n8nUrl = process.env.N8N_URL ?? 'http://127.0.0.1:5678';
const rounds = Number(process.env.ROUNDS ?? 5);
const perRound = Number(process.env.PER_ROUND ?? 1_200);
// A request n8n never answers would hold its sender for ever: give up on the whole run instead.
setTimeout(() => {
  console.error('n8n did not answer every request within 10 minutes');
  process.exit(1);
}, 10 * 60_000).unref();

// The HTTP Request node's target (bench/n8n/workflow.json): answers at once. Not 5679, where
// n8n's task runners listen when they are on.
const target = http.createServer((req, res) => {
  req.resume();
  res.setHeader('content-type', 'application/json');
  res.end('{"ok":true}');
});
await new Promise<void>((resolve) => target.listen(5690, '127.0.0.1', () => resolve()));

const body = Buffer.from(JSON.stringify({ type: 'team_join', user: { id: 'U0N8N' } }));
const send = () =>
  post(n8nUrl, { path: '/webhook/bench', headers: { 'content-type': 'application/json' }, body });
// n8n answers 404 until the workflow is active after its start: wait for the first 200.
for (let tries = 0; (await send()).status !== 200; tries++) {
  if (tries === 120) throw new Error(`no 200 from ${n8nUrl}/webhook/bench within a minute`);
  await new Promise((resolve) => setTimeout(resolve, 500));
}
await closedLoop(100, 32, send);
for (let n = 1; n <= rounds; n++) {
  const arm = await closedLoop(perRound, 32, send);
  const latency = summarize(arm.answers.map((answer) => answer.latencyMs));
  // Only what n8n answered 200 counts: a refusal or an error is fast and not an execution.
  const answered = arm.answers.filter((answer) => answer.status === 200).length;
  console.log(
    JSON.stringify({
      round: n,
      perSecond: round((answered * 1_000) / arm.elapsedMs),
      statuses: statusCounts(arm.answers),
      p50Ms: latency.p50Ms,
      p99Ms: latency.p99Ms,
    }),
  );
}
target.close();
