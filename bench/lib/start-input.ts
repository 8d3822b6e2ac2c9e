// What the hub started a run with (its input, memo and search attributes), read back from the
// run's history, so a raw arm starts the very same workflow with the very same input.
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';

type Payload = temporal.api.common.v1.IPayload;

export interface StartedWith {
  workflowType: string;
  input: unknown[];
  memo: Record<string, unknown>;
  searchAttributes: boolean;
}

async function decode(client: Client, payloads: Payload[]): Promise<unknown[]> {
  let decoded = payloads;
  for (const codec of [...(client.options.dataConverter.payloadCodecs ?? [])].reverse())
    decoded = await codec.decode(decoded);
  return decoded.map((payload) => defaultPayloadConverter.fromPayload(payload));
}

export async function startedWith(client: Client, workflowId: string): Promise<StartedWith> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!started) throw new Error(`${workflowId} has no start event`);
  const memoFields = Object.entries(started.memo?.fields ?? {});
  const memoValues = await decode(
    client,
    memoFields.map(([, payload]) => payload),
  );
  return {
    workflowType: started.workflowType?.name ?? '',
    input: await decode(client, started.input?.payloads ?? []),
    memo: Object.fromEntries(memoFields.map(([key], i) => [key, memoValues[i]])),
    searchAttributes: Object.keys(started.searchAttributes?.indexedFields ?? {}).length > 0,
  };
}
