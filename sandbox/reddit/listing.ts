import { z } from 'zod';
import type { Listing } from './serialize.js';
import { listing } from './serialize.js';
import type { RedditStore, Thing } from './store.js';
import { fullname, parseFullname } from './store.js';

/**
 * Paging through a listing the way Reddit does: newest first, `limit` per page, `after` walks
 * to older things and `before` back to newer ones, each named by fullname.
 */

const cursor = z
  .string()
  .optional()
  .transform((value) => value || undefined);

/** limit: 25 unless given, at most 100 (Reddit clamps rather than refuses). */
export const pageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .catch(25)
    .transform((n) => Math.min(100, Math.max(1, n))),
  after: cursor.catch(undefined),
  before: cursor.catch(undefined),
});
export type PageQuery = z.output<typeof pageQuery>;

export const parsePage = (query: unknown) => pageQuery.parse(query ?? {});

/**
 * One page of `things`, given oldest first (store order). `before` must name a thing that still
 * shows (neither deleted nor never made): otherwise Reddit answers an empty listing, which is why
 * clients keep a window of recent ids rather than one cursor. `after` only needs the thing to
 * exist, since its age is in its id.
 */
export function page(
  store: RedditStore,
  things: readonly Thing[],
  query: PageQuery,
): { children: Thing[]; after: string | null; before: string | null } {
  const newest = [...things].reverse();
  const empty = { children: [], after: null, before: null };
  if (query.before !== undefined) {
    const anchor = parseFullname(query.before);
    if (!anchor || !newest.some((thing) => fullname(thing) === query.before)) return empty;
    const newer = newest.filter((thing) => thing.seq > anchor.seq);
    const children = newer.slice(Math.max(0, newer.length - query.limit));
    const more = newer.length > children.length;
    return {
      children,
      before: more && children[0] ? fullname(children[0]) : null,
      after: children.length > 0 ? fullname(children.at(-1)!) : null,
    };
  }
  let older = newest;
  let paged = false;
  if (query.after !== undefined) {
    const anchor = parseFullname(query.after);
    if (!anchor || !store.thing(query.after)) return empty;
    older = newest.filter((thing) => thing.seq < anchor.seq);
    paged = true;
  }
  const children = older.slice(0, query.limit);
  return {
    children,
    after: older.length > children.length ? fullname(children.at(-1)!) : null,
    before: paged && children[0] ? fullname(children[0]) : null,
  };
}

/**
 * An eventually consistent read (POST /_sandbox/reddit/reorder): the newest thing is missing
 * from this one answer and the next two come back swapped.
 */
export function reordered<T>(children: T[]): T[] {
  const rest = children.slice(1);
  if (rest.length >= 2) [rest[0], rest[1]] = [rest[1]!, rest[0]!];
  return rest;
}

/** The page as a Listing of wrapped things, reordered once when a reorder is pending. */
export function pagedListing(
  store: RedditStore,
  things: readonly Thing[],
  query: PageQuery,
  options: { reorderKey?: string; wrap: (thing: Thing) => { kind: string; data: unknown } },
): Listing {
  const { children, after, before } = page(store, things, query);
  let shown = children;
  if (options.reorderKey && store.reorders.delete(options.reorderKey)) shown = reordered(children);
  return listing(shown.map(options.wrap), { after, before });
}
