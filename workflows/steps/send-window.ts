/**
 * Send windows: the days and hours a journey may message a member, in the member's own time
 * zone. Pure (Intl only), so the workflow and `townhall simulate` compute the same deferral.
 */

/** A parsed `send_window`. */
export interface SendWindow {
  /** Allowed weekdays, 0 = Sunday … 6 = Saturday. */
  days: number[];
  /** Opening and closing, in seconds since local midnight; `from` < `to`. */
  from: number;
  to: number;
  /** For members whose platform profile gives no time zone. */
  timezone: string;
}

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const DAY_MS = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

function format(timeZone: string): Intl.DateTimeFormat {
  let found = formats.get(timeZone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, found);
  }
  return found;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    format(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface Local {
  /** Local midnight of the day, written as if it were UTC. */
  dayStart: number;
  weekday: number;
  /** Seconds since local midnight. */
  second: number;
}

function local(ms: number, timeZone: string): Local {
  const parts: Record<string, string> = {};
  for (const part of format(timeZone).formatToParts(ms)) parts[part.type] = part.value;
  const weekday = WEEKDAYS.indexOf(parts.weekday!.toLowerCase() as (typeof WEEKDAYS)[number]);
  return {
    dayStart: Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day)),
    weekday,
    second: Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second),
  };
}

/** How far the zone's wall clock is ahead of UTC at `ms`. */
function offset(ms: number, timeZone: string): number {
  const wall = local(ms, timeZone);
  return wall.dayStart + wall.second * 1000 - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a wall-clock time (written as if UTC) happens in the zone. DST-safe: in the hour
 * clocks repeat, the first of the two; in the hour they skip (02:30 on a spring-forward night),
 * the moment the gap ends, the first instant the wall clock reads later than that time.
 */
function instantOf(wall: number, timeZone: string): number {
  const first = wall - offset(wall, timeZone);
  const second = wall - offset(first, timeZone);
  const readsAs = (instant: number) => instant + offset(instant, timeZone);
  const matching = [first, second].filter((instant) => readsAs(instant) === wall);
  if (matching.length > 0) return Math.min(...matching);
  let before = Math.min(first, second);
  let after = Math.max(first, second);
  while (after - before > 1000) {
    const middle = before + Math.floor((after - before) / 2000) * 1000;
    if (readsAs(middle) >= wall) after = middle;
    else before = middle;
  }
  return after;
}

/**
 * How long from `now` until the window is open in `timeZone`: 0 when it is open now, else the
 * wait until its next opening (never more than eight days).
 */
export function windowDelayMs(now: number, window: SendWindow, timeZone: string): number {
  const isOpen = (instant: number) => {
    const at = local(instant, timeZone);
    return window.days.includes(at.weekday) && at.second >= window.from && at.second < window.to;
  };
  if (isOpen(now)) return 0;
  const here = local(now, timeZone);
  // Eight days: a week on, plus the next week's day when this week's was skipped.
  for (let ahead = 0; ahead <= 8; ahead++) {
    if (!window.days.includes((here.weekday + ahead) % 7)) continue;
    const opening = instantOf(here.dayStart + ahead * DAY_MS + window.from * 1000, timeZone);
    // A window that lies wholly in an hour the clocks skip does not exist that day: next one.
    if (opening > now && isOpen(opening)) return opening - now;
  }
  return 0;
}
