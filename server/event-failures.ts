import { isGrpcServiceError } from '@temporalio/client';
import { ValueError } from '@temporalio/common';
import { z } from 'zod';
import { withoutEmails } from '../connectors/redact.js';

/**
 * What a failure to process an inbound event means for the event:
 * - `outage`: a dependency is down or busy (the store's connection, shutdown, resources, a lock
 *   or serialization conflict; Temporal unreachable or out of time). Answer 503 and let the sender
 *   retry; nothing is recorded, the event is not at fault.
 * - `poison`: this event can never be processed as it is (a value the store refuses, a constraint
 *   it breaks, a workflow input that cannot be serialized, an event that fails its own schema).
 *   Quarantine it and answer so the sender stops retrying.
 * - `unknown`: anything else. Answered 503 like an outage (losing nothing beats looping), but
 *   counted per event: the row keeps the event should the sender give up, and the event is
 *   quarantined once it has failed this way several times (server/quarantine.ts).
 *
 * Decided by structured facts only (SQLSTATE codes, gRPC status codes, error classes), never by
 * message text, which changes between versions and languages.
 */
export type FailureKind = 'outage' | 'poison' | 'unknown';

export interface Failure {
  kind: FailureKind;
  /** `sqlstate:22P02`, `temporal:UNAVAILABLE`, `temporal:payload`, `schema`, `system:ECONNRESET`, `error:TypeError`. */
  code: string;
  /** For operators: what failed, with addresses and refused values masked. */
  reason: string;
}

/**
 * SQLSTATE classes (the first two characters).
 * - 08 connection, 53 insufficient resources, 57 operator intervention (shutdown, a statement
 *   cancelled by its timeout), 40 rollback (serialization failure, deadlock), 55 object not in
 *   prerequisite state (a lock not available), 58 system (I/O): outages.
 * - 22 data exception (a value the column's type refuses), 54 program limit (a value too large
 *   for an index entry): poison. 23 integrity: poison, except the two a concurrent writer causes
 *   (below).
 * - 42 syntax or undefined object: not the event's fault. Parameters are always bound, so no
 *   event can cause one: a missing column or table means code ahead of its migration (a bad or
 *   half-done deploy), and every event fails alike. Quarantining would set aside every event
 *   until the deploy is fixed; a 503 lets the senders' retries through once it is. It is
 *   `unknown` rather than `outage`, so it is counted: an event that keeps failing is kept, not
 *   lost when its sender gives up.
 */
const OUTAGE_CLASSES = new Set(['08', '53', '57', '40', '55', '58']);
const POISON_CLASSES = new Set(['22', '23', '54']);
/**
 * unique_violation and foreign_key_violation: the router's writes expect their conflicts (ON
 * CONFLICT); one that escapes is a concurrent writer (a duplicate delivery, a merge or erasure of
 * the same member), which a retry sees settled. Counted, so one that repeats is quarantined.
 */
const RACES = new Set(['23505', '23503']);

const CONDITIONS: Record<string, string> = {
  '22001': 'string_data_right_truncation',
  '22003': 'numeric_value_out_of_range',
  '22007': 'invalid_datetime_format',
  '22008': 'datetime_field_overflow',
  '22021': 'character_not_in_repertoire',
  '22P02': 'invalid_text_representation',
  '22P05': 'untranslatable_character',
  '23502': 'not_null_violation',
  '23503': 'foreign_key_violation',
  '23505': 'unique_violation',
  '23514': 'check_violation',
  '40001': 'serialization_failure',
  '40P01': 'deadlock_detected',
  '42703': 'undefined_column',
  '42P01': 'undefined_table',
  '54000': 'program_limit_exceeded',
  '55P03': 'lock_not_available',
  '57014': 'query_canceled',
  '57P01': 'admin_shutdown',
  '57P02': 'crash_shutdown',
  '57P03': 'cannot_connect_now',
};

/** gRPC status codes as Temporal's client reports them. */
const GRPC: Record<number, string> = {
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
};
/** Temporal out of reach or out of time: the start is retried by the sender. */
const GRPC_OUTAGE = new Set([1, 4, 8, 10, 14]);
/**
 * INVALID_ARGUMENT: the server refuses the request as it is (an id or payload over its limits),
 * and would refuse it again. The rest (permissions, a missing namespace ...) is the deployment's.
 */
const GRPC_POISON = new Set([3]);

const REASON_LENGTH = 300;
const told = (text: string) => withoutEmails(text).slice(0, REASON_LENGTH);

type Fields = Record<string, unknown>;
const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null;

/** pg and PGlite both report the server's error with its SQLSTATE and severity. */
function sqlState(error: Fields): string | undefined {
  const { code, severity } = error;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string'
    ? code
    : undefined;
}

function fromSqlState(code: string, message: string): Failure {
  const cls = code.slice(0, 2);
  const kind: FailureKind = RACES.has(code)
    ? 'unknown'
    : POISON_CLASSES.has(cls)
      ? 'poison'
      : OUTAGE_CLASSES.has(cls)
        ? 'outage'
        : 'unknown';
  // A data exception quotes the value it refused ("invalid input syntax for type uuid: "x""):
  // member text, which must not reach the dead letter's reason or the logs.
  const text = cls === '22' ? message.replace(/"[^"]*"/g, '"…"') : message;
  const name = CONDITIONS[code];
  return {
    kind,
    code: `sqlstate:${code}`,
    reason: told(`store refused it (SQLSTATE ${code}${name ? ` ${name}` : ''}): ${text}`),
  };
}

function fromGrpc(code: number, details: string): Failure {
  const name = GRPC[code] ?? String(code);
  const kind = GRPC_OUTAGE.has(code) ? 'outage' : GRPC_POISON.has(code) ? 'poison' : 'unknown';
  return { kind, code: `temporal:${name}`, reason: told(`Temporal answered ${name}: ${details}`) };
}

/** The zod issues' paths and messages, never the values (which may be member text). */
function schemaReason(error: z.ZodError): string {
  const issues = error.issues
    .map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`)
    .join('; ');
  return told(`the event does not match its schema: ${issues}`);
}

/** One error, without looking at its causes; undefined when it says nothing known. */
function classifyOne(error: unknown): Failure | undefined {
  if (!isObject(error)) return undefined;
  if (error instanceof z.ZodError)
    return { kind: 'poison', code: 'schema', reason: schemaReason(error) };
  // The value is not what its message shows: it says `Unable to convert <the value>`.
  if (error instanceof ValueError)
    return {
      kind: 'poison',
      code: 'temporal:payload',
      reason: `Temporal could not serialize a workflow input (${error.name})`,
    };
  const state = sqlState(error);
  if (state) return fromSqlState(state, typeof error.message === 'string' ? error.message : '');
  if (isGrpcServiceError(error)) return fromGrpc(error.code, error.details);
  // Node's socket errors (ECONNREFUSED, ECONNRESET, ETIMEDOUT ...) carry the failing call.
  if (typeof error.code === 'string' && typeof error.syscall === 'string')
    return {
      kind: 'outage',
      code: `system:${error.code}`,
      reason: told(`${error.syscall} failed: ${error.code}`),
    };
  return undefined;
}

/** Classifies a router failure by the error and its causes (a wrapped gRPC or driver error). */
export function classifyFailure(error: unknown): Failure {
  const seen = new Set<unknown>();
  for (let at: unknown = error; isObject(at) && !seen.has(at); at = at.cause) {
    seen.add(at);
    const known = classifyOne(at);
    if (known) return known;
    // A connection refused on every address (IPv4 and IPv6) is an AggregateError of them.
    if (at instanceof AggregateError)
      for (const inner of at.errors as unknown[]) {
        const failure = classifyOne(inner);
        if (failure) return failure;
      }
  }
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'unknown', code: `error:${name}`, reason: told(`${name}: ${message}`) };
}
