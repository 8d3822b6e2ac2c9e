import type { Migration, MigrationProvider } from 'kysely';
import { Migrator, sql } from 'kysely';
import type { Db } from './db.js';
import { initial } from './migrations/0001-initial.js';
import { slackPosts } from './migrations/0002-slack-posts.js';
import { oneLedger } from './migrations/0003-one-ledger.js';
import { memberView } from './migrations/0004-member-view.js';
import { crmSync } from './migrations/0005-crm-sync.js';
import { journeyRuns } from './migrations/0006-journey-runs.js';
import { sendRules } from './migrations/0007-send-rules.js';
import { handoff } from './migrations/0008-handoff.js';
import { erasure } from './migrations/0009-erasure.js';
import { deadLetters } from './migrations/0010-dead-letters.js';
import { commitPoint } from './migrations/0011-commit-point.js';
import { emailVerified } from './migrations/0012-email-verified.js';
import { consoleTables } from './migrations/0013-console.js';
import { erasuresRequestedAt } from './migrations/0014-erasures-requested-at.js';

/** Every migration, in order. Add new ones here explicitly; names sort by their number. */
export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-slack-posts': slackPosts,
  '0003-one-ledger': oneLedger,
  '0004-member-view': memberView,
  '0005-crm-sync': crmSync,
  '0006-journey-runs': journeyRuns,
  '0007-send-rules': sendRules,
  '0008-handoff': handoff,
  '0009-erasure': erasure,
  '0010-dead-letters': deadLetters,
  '0011-commit-point': commitPoint,
  '0012-email-verified': emailVerified,
  '0013-console': consoleTables,
  '0014-erasures-requested-at': erasuresRequestedAt,
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

/**
 * SQLSTATE invalid_schema_name. Kysely's migrator lists the tables of every schema in the
 * database before it starts; a schema another process drops meanwhile (another deployment's,
 * a finished test's) fails that listing with this code, though ours is fine: list again.
 */
const SCHEMA_DROPPED_MEANWHILE = '3F000';
const ATTEMPTS = 3;

const sqlState = (error: unknown) =>
  typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;

/** Brings the schema up to date; safe to run from several processes at once (Kysely locks). */
export async function migrateToLatest(db: Db): Promise<string[]> {
  // Named explicitly: Kysely otherwise looks for its tables in every schema, and another
  // schema's copy (another app, a test) would stop it from creating them in ours.
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(
    db,
  );
  const schema = rows[0]?.schema;
  // No schema on the search path exists: Kysely would fall back to looking in every schema.
  if (!schema)
    throw new Error(
      "database migration failed: no schema on the connection's search_path exists; create it or fix search_path",
    );
  const migrator = new Migrator({ db, provider, migrationTableSchema: schema });
  for (let attempt = 1; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error)
      return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    if (sqlState(error) === SCHEMA_DROPPED_MEANWHILE && attempt < ATTEMPTS) continue;
    // Which migration, in which schema, and the cause (a lock wait, too many connections,
    // a table that is not what the migration expects): the operator needs all three.
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(
      `database migration ${failed ? `${failed} ` : ''}failed in schema ${schema}: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
      { cause: error },
    );
  }
}
