import { asyncLocalStorage as activityContext } from '@temporalio/activity';
import pino from 'pino';
import { PinoPretty } from 'pino-pretty';
import type { AnyConnector } from '../connectors/descriptor.js';
import { registry as connectorRegistry } from '../connectors/index.js';

/** Fields that may carry secrets or PII, wherever they appear: pino replaces them. */
const SECRET_KEYS = [
  'token',
  'accessToken',
  'botToken',
  'apiKey',
  'apiToken',
  'clientSecret',
  'signingSecret',
  'webhookSecret',
  'unsubscribeSecret',
  'pass',
  'password',
  'email',
  // Temporal's worker logs each failed activity with its task token, which completes the task.
  'taskToken',
  'base64TaskToken',
  // Capabilities: whoever holds one can act (post as the app, answer an interaction, unsubscribe).
  'authorization',
  'cookie',
  'signature',
  'response_url',
  'responseUrl',
  'unsubscribeUrl',
  'unsubscribeToken',
];

/**
 * The redact paths: secret fields, member emails, and the request headers that carry credentials
 * or signatures, as every connector in the registry names its own.
 */
export function redactPaths(registry: readonly AnyConnector[]): string[] {
  const headers = [
    'authorization',
    'cookie',
    ...registry.flatMap((connector) => connector.redactHeaders ?? []),
  ];
  return [
    ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
    '*.member.email',
    // Headers logged as `headers`, or inside a request or response object (`req.headers`).
    ...[...new Set(headers)].flatMap((name) => {
      const header = `headers[${JSON.stringify(name.toLowerCase())}]`;
      return [header, `*.${header}`];
    }),
  ];
}

/**
 * Database drivers attach the failed statement and its parameters to their errors (PGlite:
 * `query`, `params`; pg: `where`, `detail`), and those hold event payloads: member emails,
 * names, message text. Errors are logged without them.
 */
const DROPPED_ERROR_FIELDS = [
  'query',
  'params',
  'where',
  'detail',
  'parameters',
  'internalQuery',
  // HTTP clients attach the request they made (axios: `config`, with its Authorization header).
  'config',
  'request',
];

function strip(value: unknown, depth: number): void {
  if (typeof value !== 'object' || value === null || depth > 5) return;
  const record = value as Record<string, unknown>;
  for (const field of DROPPED_ERROR_FIELDS) delete record[field];
  strip(record.cause, depth + 1);
}

export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const serialized: unknown = pino.stdSerializers.err(error);
  strip(serialized, 0);
  return serialized;
}

/**
 * Inside an activity, every line names the run and step it concerns, whichever logger the code
 * was handed: the Temporal SDK keeps the activity's info in AsyncLocalStorage for its whole call.
 */
export function activityFields(): { workflowId?: string; activityId?: string } {
  const info = activityContext.getStore()?.info;
  if (!info) return {};
  const workflowId = info.workflowExecution?.workflowId;
  return workflowId ? { workflowId, activityId: info.activityId } : { activityId: info.activityId };
}

export type LogFormat = 'pretty' | 'json';

/**
 * LOG_FORMAT when set; else short, readable lines for a person at a terminal and JSON lines for
 * anything else (a file, a container's log driver, a test reading the output).
 */
export function logFormat(
  env: NodeJS.ProcessEnv = process.env,
  tty = process.stdout.isTTY,
): LogFormat {
  const chosen = env.LOG_FORMAT?.toLowerCase();
  if (chosen === 'pretty' || chosen === 'json') return chosen;
  if (chosen) throw new Error(`LOG_FORMAT=${env.LOG_FORMAT} should be pretty or json`);
  return tty ? 'pretty' : 'json';
}

/**
 * `registry` names the headers to redact; `destination` is stdout unless a test reads the lines.
 * Redaction happens before formatting, so pretty lines hide what JSON lines hide.
 */
export function createLogger(
  name = 'townhall',
  registry: readonly AnyConnector[] = connectorRegistry,
  destination?: pino.DestinationStream,
  // A destination of the caller's own reads JSON unless told otherwise.
  format: LogFormat = destination ? 'json' : logFormat(),
) {
  const options = {
    name,
    level: process.env.LOG_LEVEL ?? 'info',
    redact: { paths: redactPaths(registry), censor: '[redacted]' },
    serializers: { err: serializeError },
    mixin: activityFields,
  };
  if (format === 'json') return pino(options, destination);
  // A stream in this thread, not a transport's worker: the last lines before a crash are kept.
  const pretty = PinoPretty({
    colorize: destination === undefined && process.stdout.isTTY,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,name',
    singleLine: true,
    sync: true,
    ...(destination ? { destination } : {}),
  });
  return pino(options, pretty);
}

export type { Logger } from 'pino';
