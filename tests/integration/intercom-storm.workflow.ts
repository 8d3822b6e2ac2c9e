// A test-only workflow for intercom-storm.test.ts: three Intercom calls in a row, each an
// activity with townhall's vendor retry preset. Bundled by that test, not by the worker.
import { proxyActivities } from '@temporalio/workflow';
import { VENDOR_CALL } from '../../workflows/retry-policies.js';

export interface StormInput {
  email: string;
  title: string;
  transcript: string;
  dedupKey: string;
  reply: string;
}

export interface StormActivities {
  intercomFindOrCreateContact(lookup: { email: string }): Promise<{ id: string }>;
  intercomCreateTicket(input: {
    contactId: string;
    title: string;
    transcript: string;
    dedupKey: string;
  }): Promise<{ id: string; created: boolean }>;
  intercomReply(input: { ticketId: string; body: string }): Promise<{ partId: string }>;
}

const intercom = proxyActivities<StormActivities>(VENDOR_CALL);

export async function intercomHandoffStorm(input: StormInput) {
  const contact = await intercom.intercomFindOrCreateContact({ email: input.email });
  const ticket = await intercom.intercomCreateTicket({
    contactId: contact.id,
    title: input.title,
    transcript: input.transcript,
    dedupKey: input.dedupKey,
  });
  const reply = await intercom.intercomReply({ ticketId: ticket.id, body: input.reply });
  return { ticketId: ticket.id, created: ticket.created, partId: reply.partId };
}
