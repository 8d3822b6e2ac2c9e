import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHelpDeskActivities } from '../../activities/helpdesk.js';
import type { HelpDesk } from '../../connectors/ports.js';
import { zendeskHelpDesk } from '../../connectors/zendesk/capabilities.js';
import { createZendeskConnector } from '../../connectors/zendesk/client.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { VENDOR_CALL } from '../../workflows/retry-policies.js';
import { freePort } from '../support/ports.js';
import type { RunningWorker } from '../../runtime/temporal.js';
import { startTestWorker } from '../support/worker.js';

const EMAIL = 'townhall@example.zendesk.test';
const TOKEN = 'zendesk-retry-test-token';
const taskQueue = `zendesk-retry-${randomBytes(4).toString('hex')}`;

let sandbox: Sandbox;
let client: Client;
let worker: RunningWorker;
/** When each activity attempt started, per connector (good or bad credentials). */
const attempts: Record<'good' | 'bad', number[]> = { good: [], bad: [] };

type TicketInput = Parameters<HelpDesk['createTicket']>[0];

const input = (externalId: string): TicketInput => ({
  externalId,
  requester: { email: 'ada@example.com', name: 'Ada' },
  subject: 'Password reset email never arrives',
  body: 'Posted in the forum: the reset email never arrives.',
});

function run(workflowId: string, ticket: TicketInput, queue = taskQueue) {
  return client.workflow.execute('zendeskTicketWorkflow', {
    taskQueue: queue,
    workflowId,
    args: [ticket],
  }) as Promise<{ ticketId: number; created: boolean }>;
}

beforeAll(async () => {
  sandbox = await startSandbox({
    port: await freePort(),
    vendors: { zendesk: { email: EMAIL, apiToken: TOKEN } },
  });
  const config = {
    baseUrl: sandbox.url,
    email: EMAIL,
    apiToken: TOKEN,
    webhookSecret: 'unused',
    ticketDefaults: { tags: [] },
  };
  const good = createHelpDeskActivities({
    helpdesk: zendeskHelpDesk(createZendeskConnector(config)),
  });
  const bad = createHelpDeskActivities({
    helpdesk: zendeskHelpDesk(createZendeskConnector({ ...config, apiToken: 'revoked-token' })),
  });
  worker = await startTestWorker({
    taskQueue,
    workflowsPath: fileURLToPath(new URL('../support/zendesk-workflows.ts', import.meta.url)),
    activities: {
      // Which connector runs is picked by the ticket's external id, so one worker serves both.
      async createTicket(ticket: TicketInput) {
        const which = ticket.externalId.startsWith('bad:') ? 'bad' : 'good';
        attempts[which].push(Date.now());
        return (which === 'bad' ? bad : good).createTicket(ticket);
      },
    },
  });
  client = createTemporalClient(inject('temporalAddress'), 'default');
});
afterAll(async () => {
  await worker?.shutdown();
  await sandbox?.stop();
});

describe('Zendesk through a real Temporal activity (VENDOR_CALL retries)', () => {
  it('rides out a 429 storm: one ticket, each retry after the Retry-After Zendesk advertised', async () => {
    const fault = await fetch(`${sandbox.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vendor: 'zendesk', status: 429, count: 2, retryAfterSeconds: 3 }),
    });
    expect(fault.status).toBe(201);
    const started = Date.now();
    const result = await run(`zendesk-429-${randomBytes(4).toString('hex')}`, input('handoff:429'));
    const elapsed = Date.now() - started;

    expect(result).toEqual({ ticketId: expect.any(Number), created: true });
    const stored = (await (await fetch(`${sandbox.url}/_sandbox/zendesk/tickets`)).json()) as {
      id: number;
    }[];
    expect(stored.map((t) => t.id)).toEqual([result.ticketId]);
    expect(sandbox.faults.list()).toEqual([]);

    // Three attempts: two rate-limited, each followed by the advertised 3 s, then success.
    const [first, second, third] = attempts.good;
    expect(attempts.good).toHaveLength(3);
    const waits = [second! - first!, third! - second!];
    expect(waits[0]).toBeGreaterThanOrEqual(3_000);
    expect(waits[1]).toBeGreaterThanOrEqual(3_000);
    expect(elapsed).toBeGreaterThanOrEqual(6_000);
    // The retry policy alone would have waited 1 s, then 2 s: 3 s in all, faster than this.
    const initial = 1_000;
    expect(VENDOR_CALL.retry).toMatchObject({ initialInterval: '1s', backoffCoefficient: 2 });
    expect(waits[0]).toBeGreaterThan(initial);
    expect(waits[1]).toBeGreaterThan(initial * 2);
    expect(elapsed).toBeGreaterThan(initial + initial * 2);
  });

  it('stops at once on a 401, naming the credentials to check', async () => {
    const failure = await run(
      `zendesk-401-${randomBytes(4).toString('hex')}`,
      input('bad:401'),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const activity = (failure as WorkflowFailedError).cause;
    expect(activity).toBeInstanceOf(ActivityFailure);
    const cause = (activity as ActivityFailure).cause as ApplicationFailure;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: 'ConnectorError.auth', nonRetryable: true });
    expect(cause.message).toContain('connectors.zendesk.email');
    expect(cause.message).toContain('connectors.zendesk.apiToken');
    expect(cause.message).not.toContain('revoked-token');
    expect(attempts.bad).toHaveLength(1);
  });
});
