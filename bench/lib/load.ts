// The load generator: closed loop (N senders, each sends when its previous answer arrives) and
// open loop (requests leave on a fixed schedule whatever the answers do, and latency counts from
// the scheduled time, so a stalled server shows as latency instead of a slower schedule).
import http from 'node:http';

export interface BenchRequest {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface Answer {
  status: number;
  /** From the scheduled (open loop) or actual (closed loop) send to the last byte. */
  latencyMs: number;
}

/** Keep-alive sockets, as a platform's delivery fleet holds them; enough for any backlog. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

/** POSTs one request; any failure to get an answer is status 0. */
export function post(baseUrl: string, request: BenchRequest, startedAt = performance.now()) {
  const url = new URL(request.path, baseUrl);
  return new Promise<Answer>((resolve) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...request.headers, 'content-length': String(request.body.length) },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, latencyMs: performance.now() - startedAt }),
        );
      },
    );
    req.on('error', () => resolve({ status: 0, latencyMs: performance.now() - startedAt }));
    req.end(request.body);
  });
}

export interface ArmResult {
  answers: Answer[];
  elapsedMs: number;
  /** Answers per second over the arm's wall time. */
  rate: number;
}

/** `concurrency` senders work through `count` requests made by `make(i)`. */
export async function closedLoop(
  count: number,
  concurrency: number,
  send: (i: number) => Promise<Answer>,
): Promise<ArmResult> {
  const answers: Answer[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) answers.push(await send(next++));
    }),
  );
  const elapsedMs = performance.now() - started;
  return { answers, elapsedMs, rate: (answers.length * 1000) / elapsedMs };
}

/**
 * `rate` requests per second for `durationMs`. Each leaves at its scheduled time (a timer every
 * millisecond or so sends all that are due), and its latency counts from that time.
 */
export async function openLoop(
  rate: number,
  durationMs: number,
  send: (i: number, scheduledAt: number) => Promise<Answer>,
): Promise<ArmResult> {
  const count = Math.max(1, Math.round((rate * durationMs) / 1000));
  const intervalMs = 1000 / rate;
  const pending: Promise<Answer>[] = [];
  const started = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < count && started + sent * intervalMs <= now)
        pending.push(send(sent, started + sent++ * intervalMs));
      if (sent < count) setTimeout(tick, Math.max(0, Math.min(intervalMs, 5) - 1));
      else resolve();
    };
    tick();
  });
  const answers = await Promise.all(pending);
  const elapsedMs = performance.now() - started;
  return { answers, elapsedMs, rate: (answers.length * 1000) / elapsedMs };
}

/** Statuses and how often each came back, for the JSON and for checks. */
export function statusCounts(answers: readonly Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status } of answers) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}
