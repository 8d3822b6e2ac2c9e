// The floor's workflow: the least a durable handoff step can be, one workflow task and one
// activity making the vendor calls the step needs. Its own bundle, so the hub's code is not in it.
import { proxyActivities } from '@temporalio/workflow';

export type FloorInput =
  | { kind: 'ticket'; channel: string; ts: string; externalId: string }
  | { kind: 'post'; channel: string; ts: string; text: string };

export interface FloorActivities {
  floorCall(input: FloorInput): Promise<void>;
}

export async function handoffFloor(input: FloorInput): Promise<void> {
  // No retries: a failure is a broken benchmark, not latency to hide.
  const { floorCall } = proxyActivities<FloorActivities>({
    startToCloseTimeout: '30s',
    retry: { maximumAttempts: 1 },
  });
  await floorCall(input);
}
