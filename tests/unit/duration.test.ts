import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../config/duration.js';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['15m', 900_000],
    ['4h', 14_400_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['2 dayz', '2', 'd', '', '0s', '-1h', '2days', '1h30m'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
