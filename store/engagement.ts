import type { MembersConfig } from '../config/members.js';

/** A member's engagement level as stored: what it is, since when, and since when it has slipped. */
export interface LevelState {
  level: string | null;
  since: Date | null;
  /** When the score first fell below the current level's minimum (demotion waits on this). */
  belowSince: Date | null;
}

/** The activity score: points per type (config `members.scores`) times how often it happened. */
export function activityScore(
  countsByType: Record<string, number>,
  scores: Record<string, number>,
) {
  return Object.entries(countsByType).reduce(
    (sum, [type, count]) => sum + (scores[type] ?? 0) * count,
    0,
  );
}

/** The highest level whose minimum the score reaches (levels are lowest first, from 0). */
export function levelFor(score: number, levels: MembersConfig['levels']): string {
  let reached = levels[0]?.name ?? 'member';
  for (const level of levels) if (score >= level.min) reached = level.name;
  return reached;
}

/**
 * The next level state, in the spirit of the Orbit model: a member is promoted the moment the
 * score reaches a higher level, and demoted only once it has stayed below their level for
 * `demoteAfterMs`, so a quiet week does not make them flap between levels.
 */
export function nextLevel(
  state: LevelState,
  score: number,
  config: Pick<MembersConfig, 'levels' | 'demoteAfter'>,
  now: Date,
): LevelState {
  const computed = levelFor(score, config.levels);
  const rank = (name: string | null) => config.levels.findIndex((level) => level.name === name);
  if (state.level === null || rank(state.level) < 0 || rank(computed) > rank(state.level))
    return { level: computed, since: now, belowSince: null };
  if (computed === state.level) return { ...state, belowSince: null };
  const belowSince = state.belowSince ?? now;
  if (now.getTime() - belowSince.getTime() >= config.demoteAfter)
    return { level: computed, since: now, belowSince: null };
  return { ...state, belowSince };
}

/** The milestone a post count reaches, if it is one: 1 → first_post, 10 → posts_10. */
export function postMilestone(posts: number, thresholds: readonly number[]): string | undefined {
  if (!thresholds.includes(posts)) return undefined;
  return posts === 1 ? 'first_post' : `posts_${posts}`;
}
