import type { WorkspaceMessage } from './workspace.js';

/** How the Web API emulator reads a method's arguments and says no, the way Slack does. */

export type Params = Record<string, unknown>;
export type Answer = Record<string, unknown>;

/** Slack's failure: HTTP 200 with `{ ok: false, error }` (plus what the error carries). */
export class SlackFailure extends Error {
  constructor(
    readonly error: string,
    readonly extra: Answer = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(error);
  }
}

/** The faults middleware's bodies: Slack's 429 says `ratelimited`; 5xx bodies are Slack's too. */
export function errorBody(status: number): unknown {
  if (status === 429) return { ok: false, error: 'ratelimited' };
  if (status >= 500) return { ok: false, error: 'internal_error' };
  return { ok: false, error: `http_${status}` };
}

export const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
export const flag = (value: unknown): boolean =>
  value === true || value === 'true' || value === '1';

/** A Slack cursor: opaque base64, `next_ts:<ts>` for message lists (as Slack's own look). */
const encodeCursor = (ts: string) => Buffer.from(`next_ts:${ts}`).toString('base64');
function decodeCursor(cursor: unknown): string | undefined {
  const value = text(cursor);
  if (!value) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  if (!decoded.startsWith('next_ts:')) throw new SlackFailure('invalid_cursor');
  return decoded.slice('next_ts:'.length);
}

function limitOf(value: unknown, fallback: number, max: number): number {
  const limit = Number(text(value) ?? fallback);
  return Number.isInteger(limit) && limit > 0 ? Math.min(limit, max) : fallback;
}

/** oldest/latest/inclusive, as conversations.history and conversations.replies read them. */
export function inRange(params: Params) {
  const oldest = Number(text(params.oldest) ?? 0);
  const latest = text(params.latest) === undefined ? Infinity : Number(text(params.latest));
  const inclusive = flag(params.inclusive);
  if (Number.isNaN(oldest)) throw new SlackFailure('invalid_ts_oldest');
  if (Number.isNaN(latest)) throw new SlackFailure('invalid_ts_latest');
  return (m: WorkspaceMessage) => {
    const ts = Number(m.ts);
    return inclusive ? ts >= oldest && ts <= latest : ts > oldest && ts < latest;
  };
}

/** One page of `list` (already in answer order) starting at the cursor's message. */
export function paginate(list: WorkspaceMessage[], params: Params, fallback: number, max: number) {
  const limit = limitOf(params.limit, fallback, max);
  const from = decodeCursor(params.cursor);
  const start = from === undefined ? 0 : list.findIndex((m) => m.ts === from);
  if (start < 0) throw new SlackFailure('invalid_cursor');
  const items = list.slice(start, start + limit);
  const next = list[start + limit];
  return {
    items,
    hasMore: next !== undefined,
    ...(next ? { response_metadata: { next_cursor: encodeCursor(next.ts) } } : {}),
  };
}

/** message metadata: `{ event_type, event_payload }`, JSON text in a form, an object in JSON. */
export function parseMetadata(value: unknown): WorkspaceMessage['metadata'] {
  if (value === undefined || value === '') return null;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new SlackFailure('invalid_metadata_format');
    }
  }
  const metadata = parsed as { event_type?: unknown; event_payload?: unknown } | null;
  if (
    typeof metadata !== 'object' ||
    metadata === null ||
    typeof metadata.event_type !== 'string' ||
    !/^[A-Za-z0-9_]+$/.test(metadata.event_type) ||
    typeof metadata.event_payload !== 'object' ||
    metadata.event_payload === null ||
    Array.isArray(metadata.event_payload)
  )
    throw new SlackFailure('invalid_metadata_format');
  return {
    event_type: metadata.event_type,
    event_payload: metadata.event_payload as Record<string, unknown>,
  };
}
