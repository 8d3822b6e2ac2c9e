import { describe, expect, it } from 'vitest';
import { activityScore, levelFor, nextLevel, postMilestone } from '../../store/engagement.js';

const levels = [
  { name: 'observer', min: 0 },
  { name: 'participant', min: 5 },
  { name: 'regular', min: 25 },
];
const config = { levels, demoteAfter: 14 * 86_400_000 };
const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n));

describe('engagement', () => {
  it('scores activity by type and finds the level it reaches', () => {
    const score = activityScore(
      { 'message.posted': 4, 'reaction.added': 3, other: 9 },
      {
        'message.posted': 3,
        'reaction.added': 1,
      },
    );
    expect(score).toBe(15);
    expect([0, 4, 5, 24, 25, 1000].map((s) => levelFor(s, levels))).toEqual([
      'observer',
      'observer',
      'participant',
      'participant',
      'regular',
      'regular',
    ]);
  });

  it('promotes at once and demotes only after the score stayed low for the window', () => {
    let state = nextLevel({ level: null, since: null, belowSince: null }, 2, config, day(0));
    expect(state).toEqual({ level: 'observer', since: day(0), belowSince: null });
    state = nextLevel(state, 30, config, day(1));
    expect(state).toEqual({ level: 'regular', since: day(1), belowSince: null });
    // A quiet spell: still regular, the slip is remembered from its first day.
    state = nextLevel(state, 6, config, day(3));
    expect(state).toEqual({ level: 'regular', since: day(1), belowSince: day(3) });
    state = nextLevel(state, 6, config, day(10));
    expect(state.level).toBe('regular');
    // Back up before the window ends: the slip is forgotten.
    state = nextLevel(state, 26, config, day(12));
    expect(state).toEqual({ level: 'regular', since: day(1), belowSince: null });
    state = nextLevel(state, 6, config, day(20));
    state = nextLevel(state, 6, config, day(34));
    expect(state).toEqual({ level: 'participant', since: day(34), belowSince: null });
  });

  it('names post milestones', () => {
    expect([1, 2, 10, 11, 100].map((n) => postMilestone(n, [1, 10, 100]))).toEqual([
      'first_post',
      undefined,
      'posts_10',
      undefined,
      'posts_100',
    ]);
  });
});
