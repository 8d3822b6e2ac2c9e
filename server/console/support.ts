import type { HandoffState } from '../../workflows/handoff/types.js';
import { handoffStateQuery, handoff } from '../../workflows/handoff/workflow.js';
import type { ConsoleDeps } from './ops.js';
import { runUrl } from './ops.js';

export interface OpenHandoff {
  workflowId: string;
  platform: string;
  /** The thread as the platform names it: channel and thread (or message) id. */
  thread: string;
  openedAt: string;
  /** watching: an `unanswered` rule waits for staff; opening: the ticket is being made. */
  status: string;
  ticket: { id: string; number: string; url: string | null } | null;
  /** The last member message carried into the ticket, and the last agent reply carried back. */
  lastToDesk: { name: string | null; text: string; at: string } | null;
  lastToThread: { name: string | null; text: string; at: string } | null;
  /** The run in the Temporal UI. */
  runUrl: string | null;
}

/** How long one run gets to answer the console's query (a worker must be up to answer it). */
const QUERY_MS = 3_000;
const MAX = 50;

const message = (carried: HandoffState['lastToDesk']) =>
  carried
    ? { name: carried.name ?? null, text: carried.text, at: new Date(carried.at).toISOString() }
    : null;

/** `handoff:<platform>:<community>:<channel>/<thread>` → the platform and `<channel>/<thread>`. */
function threadOf(workflowId: string) {
  const [, platform = '', , ...rest] = workflowId.split(':');
  return { platform, thread: rest.join(':') };
}

/**
 * The handoffs still open, newest first: Temporal lists the running runs, each run answers
 * where it is (ticket, status, last message each way). A run that does not answer in time is
 * still listed, its status `unknown`.
 */
export async function openHandoffs(deps: ConsoleDeps): Promise<OpenHandoff[]> {
  const runs = [];
  for await (const run of deps.temporal.workflow.list({
    query: `WorkflowType = '${handoff.name}' AND TaskQueue = '${deps.taskQueue}' AND ExecutionStatus = 'Running'`,
    pageSize: MAX,
  })) {
    runs.push(run);
    if (runs.length === MAX) break;
  }
  return Promise.all(
    runs.map(async (run): Promise<OpenHandoff> => {
      const state = await deps.temporal.connection
        .withDeadline(Date.now() + QUERY_MS, () =>
          deps.temporal.workflow.getHandle(run.workflowId).query(handoffStateQuery),
        )
        .catch(() => undefined);
      const open = typeof state === 'object' ? state : undefined;
      return {
        workflowId: run.workflowId,
        ...threadOf(run.workflowId),
        openedAt: run.startTime.toISOString(),
        status: open ? open.status : typeof state === 'string' ? state : 'unknown',
        ticket: open
          ? { id: open.ticket.ticketId, number: open.ticket.number, url: open.ticket.url ?? null }
          : null,
        lastToDesk: message(open?.lastToDesk),
        lastToThread: message(open?.lastToThread),
        runUrl: runUrl(deps, run.workflowId),
      };
    }),
  );
}
