import { sql } from 'kysely';
import type { Db } from './db.js';

/** One connector's vendor calls since the last flush, as a worker counted them. */
export interface HealthTally {
  connector: string;
  calls: number;
  errors: number;
  lastSuccessAt?: Date | undefined;
  lastErrorAt?: Date | undefined;
  lastErrorCode?: string | undefined;
  rateLimitedUntil?: Date | undefined;
}

/** Adds tallies from one worker; several workers add to the same rows, latest times win. */
export async function addHealthTallies(db: Db, tallies: readonly HealthTally[]): Promise<void> {
  // All or none: a batch that failed halfway is retried whole, and must not count twice.
  await db.transaction().execute(async (trx) => {
    for (const tally of tallies)
      await sql`
      insert into connector_health
        (connector, calls, errors, last_success_at, last_error_at, last_error_code, rate_limited_until)
      values (${tally.connector}, ${tally.calls}, ${tally.errors}, ${tally.lastSuccessAt ?? null},
              ${tally.lastErrorAt ?? null}, ${tally.lastErrorCode ?? null}, ${tally.rateLimitedUntil ?? null})
      on conflict (connector) do update set
        calls = connector_health.calls + excluded.calls,
        errors = connector_health.errors + excluded.errors,
        last_success_at = greatest(connector_health.last_success_at, excluded.last_success_at),
        last_error_code = case
          when excluded.last_error_at is not null and excluded.last_error_at >=
            coalesce(connector_health.last_error_at, excluded.last_error_at)
          then excluded.last_error_code else connector_health.last_error_code end,
        last_error_at = greatest(connector_health.last_error_at, excluded.last_error_at),
        rate_limited_until = greatest(connector_health.rate_limited_until, excluded.rate_limited_until)`.execute(
        trx,
      );
  });
}

export interface ConnectorHealth {
  connector: string;
  calls: number;
  errors: number;
  lastSuccessAt: string | null;
  lastErrorAt: string | null;
  lastErrorCode: string | null;
  /** Set while a vendor's advertised wait (429 Retry-After) has not run out. */
  rateLimitedUntil: string | null;
}

export async function connectorHealth(db: Db, now = new Date()): Promise<ConnectorHealth[]> {
  const rows = await db.selectFrom('connector_health').selectAll().orderBy('connector').execute();
  const iso = (date: Date | null) => (date ? date.toISOString() : null);
  return rows.map((row) => ({
    connector: row.connector,
    calls: Number(row.calls),
    errors: Number(row.errors),
    lastSuccessAt: iso(row.last_success_at),
    lastErrorAt: iso(row.last_error_at),
    lastErrorCode: row.last_error_code,
    rateLimitedUntil:
      row.rate_limited_until && row.rate_limited_until > now ? iso(row.rate_limited_until) : null,
  }));
}
