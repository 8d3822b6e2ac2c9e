import type { Db } from './db.js';

/** Why two members might be one person. */
export type SuggestionKind = 'same_handle' | 'same_display_name';

/** How sure each kind of evidence is. */
export const SUGGESTION_CONFIDENCE: Record<SuggestionKind, number> = {
  same_handle: 0.8,
  same_display_name: 0.6,
};

export interface SuggestedMember {
  id: string;
  email: string | null;
  name: string | null;
  platforms: string[];
}

/** Two members that may be one person: never applied, an operator decides (`members merge`). */
export interface MergeSuggestion {
  /** The member to keep if merged: the one townhall knew first. */
  keep: SuggestedMember;
  merge: SuggestedMember;
  /** The strongest evidence's confidence, 0..1. */
  confidence: number;
  reasons: { kind: SuggestionKind; confidence: number; detail: string }[];
}

/** Evidence townhall would use but cannot, and why. */
export interface NotChecked {
  kind: string;
  why: string;
}

export interface Suggestions {
  suggestions: MergeSuggestion[];
  notChecked: NotChecked[];
}

/** A handle or name shared by more people than this says nothing about any two of them. */
const MAX_GROUP = 20;

/** Lower case, accents and punctuation removed, spaces collapsed: "Zoë O'Brien" → "zoe o brien". */
export function normalizeName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

interface IdentityRow {
  member_id: string;
  platform: string;
  handle: string | null;
  display_name: string | null;
}

const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

/**
 * Members that may be one person, with a reason and a confidence each: the same handle
 * (case-insensitive) on two platforms (0.8), the same display name once normalized on two
 * platforms (0.6). Only members not merged away are compared, so a pair already merged is one
 * member and never suggested; a pair an operator merged and then unmerged is not suggested again
 * (they were judged to be two people). Nothing is applied.
 *
 * An email seen on a help-desk requester is not checked: townhall stores no requester emails (the
 * help-desk events it records carry ticket ids and author ids only). `notChecked` says so.
 */
export async function suggestMerges(
  db: Db,
  options: { minConfidence?: number } = {},
): Promise<Suggestions> {
  const minConfidence = options.minConfidence ?? 0;
  const identities: IdentityRow[] = await db
    .selectFrom('identities as i')
    .innerJoin('members as m', 'm.id', 'i.member_id')
    .select(['i.member_id', 'i.platform', 'i.handle', 'i.display_name'])
    .where('m.merged_into', 'is', null)
    .execute();
  const separated = new Set(
    (
      await db
        .selectFrom('merges')
        .select(['kept_member_id', 'merged_member_id'])
        .where('undone_at', 'is not', null)
        .execute()
    ).map((row) => pairKey(row.kept_member_id, row.merged_member_id)),
  );

  const found = new Map<string, MergeSuggestion['reasons']>();
  const compare = (kind: SuggestionKind, key: (identity: IdentityRow) => string | undefined) => {
    const groups = new Map<string, IdentityRow[]>();
    for (const identity of identities) {
      const value = key(identity);
      if (!value) continue;
      const group = groups.get(value);
      if (group) group.push(identity);
      else groups.set(value, [identity]);
    }
    for (const [value, group] of groups) {
      if (new Set(group.map((identity) => identity.member_id)).size > MAX_GROUP) continue;
      for (const [index, a] of group.entries())
        for (const b of group.slice(index + 1)) {
          if (a.member_id === b.member_id || a.platform === b.platform) continue;
          const pair = pairKey(a.member_id, b.member_id);
          if (separated.has(pair)) continue;
          const reasons = found.get(pair) ?? [];
          if (reasons.some((reason) => reason.kind === kind)) continue;
          const what = kind === 'same_handle' ? 'handle' : 'display name';
          reasons.push({
            kind,
            confidence: SUGGESTION_CONFIDENCE[kind],
            detail: `same ${what} "${value}" on ${[a.platform, b.platform].sort().join(' and ')}`,
          });
          found.set(pair, reasons);
        }
    }
  };
  compare('same_handle', (identity) => identity.handle?.trim().toLowerCase() || undefined);
  compare(
    'same_display_name',
    (identity) => (identity.display_name && normalizeName(identity.display_name)) || undefined,
  );

  const wanted = [...found].filter(
    ([, reasons]) => Math.max(...reasons.map((r) => r.confidence)) >= minConfidence,
  );
  const ids = [...new Set(wanted.flatMap(([pair]) => pair.split('|')))];
  const members = ids.length
    ? await db
        .selectFrom('members')
        .select(['id', 'email', 'name', 'created_at'])
        .where('id', 'in', ids)
        .execute()
    : [];
  const byId = new Map(members.map((member) => [member.id, member]));
  const platforms = new Map<string, Set<string>>();
  for (const identity of identities)
    platforms.set(
      identity.member_id,
      (platforms.get(identity.member_id) ?? new Set()).add(identity.platform),
    );
  const summary = (id: string): SuggestedMember => ({
    id,
    email: byId.get(id)?.email ?? null,
    name: byId.get(id)?.name ?? null,
    platforms: [...(platforms.get(id) ?? [])].sort(),
  });

  const suggestions = wanted.map(([pair, reasons]): MergeSuggestion => {
    const [a, b] = pair.split('|') as [string, string];
    const older =
      (byId.get(a)?.created_at.getTime() ?? 0) <= (byId.get(b)?.created_at.getTime() ?? 0);
    const sorted = [...reasons].sort((x, y) => y.confidence - x.confidence);
    return {
      keep: summary(older ? a : b),
      merge: summary(older ? b : a),
      confidence: sorted[0]!.confidence,
      reasons: sorted,
    };
  });
  suggestions.sort((x, y) => y.confidence - x.confidence || x.keep.id.localeCompare(y.keep.id));
  return {
    suggestions,
    notChecked: [
      {
        kind: 'help_desk_email',
        why: 'no help-desk requester emails are stored (help-desk events carry ticket and author ids only)',
      },
    ],
  };
}
