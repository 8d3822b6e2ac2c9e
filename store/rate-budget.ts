import { sql } from 'kysely';
import type { BudgetFactory, Lane, RequestLimit } from '../connectors/budget.js';
import { currentLane } from '../connectors/budget.js';
import type { Db } from './db.js';

/**
 * The shared request budget, paced in the store so that every worker process draws from it.
 * Bulk requests take the next free slot and wait for it; slots are `spacingMs` apart. An
 * interactive request may take a slot up to `jumpSlots` before the next free one (so at once,
 * while bulk work is queued), still pushing the later slots back by one. A window of
 * `intervalMs` then holds at most (max - jump - 1) paced slots plus `jump` early ones: one under
 * the limit, a margin for requests that arrive a little late and bunch up.
 */
export function jumpSlots(limit: RequestLimit): number {
  return Math.floor(limit.max * 0.03);
}

export function spacingMs(limit: RequestLimit): number {
  return limit.intervalMs / Math.max(1, limit.max - jumpSlots(limit) - 1);
}

/** Reserves one slot for `account`; returns when it starts (epoch ms). One statement: atomic. */
export async function reserveSlot(
  db: Db,
  account: string,
  limit: RequestLimit,
  lane: Lane,
  now = Date.now(),
): Promise<number> {
  const spacing = spacingMs(limit);
  const jump = lane === 'interactive' ? jumpSlots(limit) * spacing : 0;
  const row = await sql<{ next_at: number }>`
    insert into rate_budgets (account, next_at) values (${account}, ${now + spacing})
    on conflict (account) do update
      set next_at = greatest(rate_budgets.next_at, ${now}::double precision) + ${spacing}::double precision
    returning next_at`.execute(db);
  const next = Number(row.rows[0]!.next_at);
  // The slot taken is the one just before the new next free slot; interactive ones may go early.
  return Math.max(now, next - spacing - jump);
}

/** The factory handed to connectors: each `take` reserves a slot, then sleeps until it. */
export function storeBudgets(db: Db): BudgetFactory {
  return (account, limit) => ({
    async take() {
      const at = await reserveSlot(db, account, limit, currentLane());
      const wait = at - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    },
  });
}
