import type { Client } from '@temporalio/client';
import { sql } from 'kysely';
import type { Db } from '../store/db.js';

export type Check = () => Promise<void>;

export function storeCheck(db: Db): Check {
  return async () => {
    await sql`select 1`.execute(db);
  };
}

export function temporalCheck(client: Client): Check {
  return async () => {
    await client.connection.withDeadline(Date.now() + 2_000, () =>
      client.connection.workflowService.getSystemInfo({}),
    );
  };
}

/** Runs every check with a time limit; returns the names of the ones that failed. */
export async function failingChecks(
  checks: Record<string, Check>,
  timeoutMs = 2_500,
): Promise<string[]> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      });
      try {
        await Promise.race([check(), timeout]);
        return undefined;
      } catch {
        return name;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return results.filter((name): name is string => name !== undefined);
}
