import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger } from 'pino';

const LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * What the SDK says that townhall does on purpose, or says once per task queue (a worker per
 * vendor queue: some 40 lines at every start): the workers of the vendors' own task queues run
 * activities only, none serves Nexus, and each starts and stops with the process, which the
 * banner and the shutdown lines already say. Logged at debug instead; a worker that FAILED is not.
 */
const EXPECTED = new Set([
  'No workflows registered, not polling for workflow tasks',
  'No Nexus services registered, not polling for Nexus tasks',
]);
const ROUTINE_STATES = new Set(['RUNNING', 'STOPPING', 'DRAINING', 'DRAINED', 'STOPPED']);

const routine = (message: string, meta?: LogMetadata) =>
  EXPECTED.has(message) ||
  (message === 'Worker state changed' && ROUTINE_STATES.has(String(meta?.state)));

/** Sends the Temporal SDK's own log lines (worker, workflows, activities) through pino. */
export function temporalLogger(logger: Logger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) =>
    logger[routine(message, meta) ? 'debug' : LEVEL[level]](meta ?? {}, message);
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
