import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';

/**
 * `= any($1::uuid[])` for a list of member ids: one array parameter however long the list is.
 * `in (...)` takes one parameter per id, which kysely compiles, pg serializes and PostgreSQL
 * parses one by one: for a 5,000-member bulk page that was most of the hub's CPU per query.
 */
export function anyId(ids: readonly string[]): RawBuilder<string> {
  return sql<string>`any(${sql.val([...ids])}::uuid[])`;
}

/** The same for text values (CRM record ids). */
export function anyText(values: readonly string[]): RawBuilder<string> {
  return sql<string>`any(${sql.val([...values])}::text[])`;
}
