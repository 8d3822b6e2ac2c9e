import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { asActivityFailure } from '../../activities/failures.js';
import { createIntercomConnector } from '../../connectors/intercom/client.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { Sandbox } from '../../sandbox/index.js';
import { loadIntercomSpec } from '../../sandbox/intercom/spec.js';
import { startSandbox } from '../../sandbox/index.js';
import type { ReceivedRequest } from '../../sandbox/intercom/index.js';
import { freePort } from '../support/ports.js';
import type { RunningWorker } from '../../runtime/temporal.js';
import { startTestWorker } from '../support/worker.js';
import type { StormActivities, StormInput } from './intercom-storm.workflow.js';

const TOKEN = 'intercom-storm-token';
const taskQueue = `intercom-storm-${randomBytes(4).toString('hex')}`;

let sandbox: Sandbox;
let client: Client;
let worker: RunningWorker;

beforeAll(async () => {
  sandbox = await startSandbox({
    port: await freePort(),
    vendors: { intercom: { accessToken: TOKEN } },
  });
  const intercom = createIntercomConnector({
    accessToken: TOKEN,
    clientSecret: 'unused',
    baseUrl: sandbox.url,
    create: 'ticket',
    ticketTypeId: '1',
    adminId: '991267900',
  });
  // The activities townhall's support handoff will register: connector call, error mapping.
  const activities: StormActivities = {
    intercomFindOrCreateContact: (lookup) =>
      asActivityFailure(() => intercom.findOrCreateContact(lookup)),
    intercomCreateTicket: (input) => asActivityFailure(() => intercom.createTicket(input)),
    intercomReply: (input) => asActivityFailure(() => intercom.replyAsAdmin(input)),
  };
  worker = await startTestWorker({
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./intercom-storm.workflow.ts', import.meta.url)),
    activities,
  });
  client = createTemporalClient(inject('temporalAddress'), 'default');
  // The emulator parses the 2.14 description on its first request; do it before the clock runs.
  loadIntercomSpec();
});
afterAll(async () => {
  await worker?.shutdown();
  await sandbox?.stop();
});

describe('an Intercom 429 storm through real Temporal activities', () => {
  it('every call is done exactly once, after the waits Intercom advertised', async () => {
    const fault = await fetch(`${sandbox.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vendor: 'intercom', status: 429, count: 2, retryAfterSeconds: 3 }),
    });
    expect(fault.status).toBe(201);

    const started = Date.now();
    const workflowId = `intercom-storm-${randomBytes(4).toString('hex')}`;
    const result = await client.workflow.execute('intercomHandoffStorm', {
      taskQueue,
      workflowId,
      args: [
        {
          email: 'ada@example.com',
          title: 'Reset mail never arrives',
          transcript: 'ada: nothing arrives',
          dedupKey: 'handoff:discourse:storm',
          reply: 'A teammate is on it.',
        } satisfies StormInput,
      ],
    });
    const elapsed = Date.now() - started;
    expect(result).toMatchObject({ created: true });

    // Two rate-limited attempts, each retried after the advertised 3 s; the retry policy alone
    // would have waited 1 s and then 2 s.
    expect(elapsed).toBeGreaterThanOrEqual(6_000);
    expect(sandbox.faults.list()).toEqual([]);
    // Temporal did the retrying (the client's own retries are off): the first activity
    // succeeded on its third attempt, the others on their first.
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const attempts = (history.events ?? [])
      .map((event) => event.activityTaskStartedEventAttributes?.attempt)
      .filter((attempt) => attempt !== undefined && attempt !== null);
    expect(attempts).toEqual([3, 1, 1]);

    const received = (await (
      await fetch(`${sandbox.url}/_sandbox/intercom/requests`)
    ).json()) as ReceivedRequest[];
    const count = (method: string, path: RegExp, status: number) =>
      received.filter((r) => r.method === method && path.test(r.path) && r.status === status)
        .length;
    expect(received.filter((r) => r.status === 429)).toHaveLength(2);
    expect(count('POST', /^\/contacts$/, 200)).toBe(1);
    expect(count('POST', /^\/tickets$/, 200)).toBe(1);
    expect(count('POST', /^\/tickets\/\d+\/reply$/, 200)).toBe(1);
    expect(received.filter((r) => r.valid === false)).toEqual([]);

    const tickets = (await (await fetch(`${sandbox.url}/_sandbox/intercom/tickets`)).json()) as {
      id: string;
      ticket_parts: { ticket_parts: { part_type: string }[] };
    }[];
    expect(tickets).toHaveLength(1);
    expect(tickets[0]?.ticket_parts.ticket_parts.map((p) => p.part_type)).toEqual(['comment']);
  });
});
