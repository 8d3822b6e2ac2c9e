import type { StepEngine } from './engine.js';
import type { SendWindow } from './send-window.js';
import { isTimeZone, windowDelayMs } from './send-window.js';

/** The channels a journey messages members on, each capped on its own. */
export type SendChannel = 'email' | 'dm';

export interface SendCap {
  limit: number;
  periodMs: number;
  /** As written: `3 per 7d`. */
  text: string;
}

/** The parsed `limits:` section. */
export interface SendLimits {
  email?: SendCap | undefined;
  dm?: SendCap | undefined;
  onCap: 'defer' | 'skip';
}

export interface GateRun {
  engine: StepEngine;
  memberId: string;
  /** The step's activity id: the cap slot's key within the run. */
  activityId: string;
  channel: SendChannel;
  window?: SendWindow | undefined;
  limits?: SendLimits | undefined;
  /** The member's time zone (read once per run), or undefined when their profile has none. */
  memberTimeZone: () => Promise<string | undefined>;
  /** Waits `ms`; true when an exit ended the wait. */
  pause: (ms: number) => Promise<boolean>;
  /** Tells the run's timeline about a deferral. */
  note: (kind: 'send_window' | 'cap', outcome: string) => void;
}

/**
 * Holds a message to a member until it may go out: inside the send window (in the member's time
 * zone) and under the channel's cap across journeys. Resolves undefined when the step may run,
 * else the outcome that replaces it (skipped by the cap, or ended by an exit while held).
 */
export async function gateSend(run: GateRun): Promise<string | undefined> {
  const cap = run.limits?.[run.channel];
  if (!run.window && !cap) return undefined;
  for (let attempt = 1; ;) {
    if (run.window) {
      // A zone the profile gives but this runtime does not know falls back to the default.
      const own = await run.memberTimeZone();
      const zone = own !== undefined && isTimeZone(own) ? own : run.window.timezone;
      const delay = windowDelayMs(run.engine.now(), run.window, zone);
      if (delay > 0) {
        run.note('send_window', `deferred ${describeMs(delay)} to the window's opening (${zone})`);
        if (await run.pause(delay)) return 'ended early while held';
        // Looked at again after the wait: the window must be open now, not just due.
        continue;
      }
    }
    if (!cap) return undefined;
    const slot = await run.engine
      .activities({ activityId: `${run.activityId}/cap#${attempt++}` })
      .takeSendSlot({
        memberId: run.memberId,
        step: run.activityId,
        channel: run.channel,
        limit: cap.limit,
        periodMs: cap.periodMs,
        // The run's clock, which its timers keep: a worker's clock behind it cannot make the
        // run ask again and again before the slot it waits for frees up.
        at: run.engine.now(),
      });
    if (slot.taken) return undefined;
    if (run.limits!.onCap === 'skip') return `skipped: ${run.channel} cap (${cap.text})`;
    run.note('cap', `deferred ${describeMs(slot.retryInMs)}: ${run.channel} cap (${cap.text})`);
    if (await run.pause(slot.retryInMs)) return 'ended early while held';
  }
}

/** 90061000 → `1d 1h 1m 1s`: a deferral as people read it. */
export function describeMs(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  let rest = Math.ceil(ms / 1000) * 1000;
  const parts: string[] = [];
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join(' ') || '0s';
}
