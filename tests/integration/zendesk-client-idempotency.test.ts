import { describe, expect, it } from 'vitest';
import { createZendeskConnector } from '../../connectors/zendesk/client.js';
import {
  configFor,
  fault,
  forgetful,
  sandbox,
  ticketInput,
  tickets,
  useZendeskSandbox,
  zendesk,
} from '../support/zendesk-client.js';

/** Lost answers, slow answers and races: still one ticket per external id. */

useZendeskSandbox();

describe('one ticket per external id, however the create is retried', () => {
  it('a retry after a lost response finds the ticket the first attempt made', async () => {
    // On the account whose Idempotency-Keys lapse at once, only the lookup protects the retry
    // (hours later, as after a long outage). The create's first request (the lookup) passes; the
    // POST takes effect, then the connection closes before the answer.
    const later = createZendeskConnector(configFor(forgetful));
    await fault({ delayMs: 1 }, forgetful);
    await fault({ drop: true }, forgetful);
    const lost = await later.createTicket(ticketInput('handoff:lost')).catch((e: unknown) => e);
    expect(lost).toMatchObject({ code: 'unavailable', retryable: true });
    expect(await tickets(forgetful)).toHaveLength(1);

    const retry = await later.createTicket(ticketInput('handoff:lost'));
    expect(retry.created).toBe(false);
    const all = await tickets(forgetful);
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      id: retry.ticket.id,
      external_id: 'handoff:lost',
      deleted: false,
    });
  });

  it('a retry while the first attempt is still in flight gets the same ticket (Idempotency-Key)', async () => {
    // The first attempt's POST is held past its timeout, so the lookup of the retry cannot
    // see a ticket yet; Zendesk's Idempotency-Key makes the late POST return the retry's ticket.
    const impatient = createZendeskConnector(configFor(sandbox), { timeoutMs: 300 });
    await fault({ delayMs: 1 });
    await fault({ delayMs: 800 });
    const timedOut = await impatient
      .createTicket(ticketInput('handoff:slow'))
      .catch((e: unknown) => e);
    expect(timedOut).toMatchObject({ code: 'unavailable' });
    const retry = await impatient.createTicket(ticketInput('handoff:slow'));
    expect(retry.created).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const all = await tickets();
    expect(all.map((t) => ({ id: t.id, deleted: t.deleted }))).toEqual([
      { id: retry.ticket.id, deleted: false },
    ]);
  });

  it('concurrent attempts get one ticket from Zendesk’s Idempotency-Key', async () => {
    const results = await Promise.all([
      zendesk.createTicket(ticketInput('handoff:race')),
      zendesk.createTicket(ticketInput('handoff:race')),
    ]);
    expect(results[0].ticket.id).toBe(results[1].ticket.id);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect((await tickets()).map((t) => t.deleted)).toEqual([false]);
  });

  it('concurrent attempts without a live key agree on the lowest id and delete the other ticket', async () => {
    const other = createZendeskConnector(configFor(forgetful));
    const results = await Promise.all([
      other.createTicket(ticketInput('handoff:race')),
      other.createTicket(ticketInput('handoff:race')),
    ]);
    const all = await tickets(forgetful);
    // Both attempts got past the lookup and created a ticket: the race this layer closes.
    expect(all.map((t) => ({ id: t.id, deleted: t.deleted }))).toEqual([
      { id: all[0]!.id, deleted: false },
      { id: all[0]!.id + 1, deleted: true },
    ]);
    expect(results.map((r) => r.ticket.id)).toEqual([all[0]!.id, all[0]!.id]);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(await other.findTicketByExternalId('handoff:race')).toMatchObject({ id: all[0]!.id });
  });
});
