import { timingSafeEqual } from 'node:crypto';

/** How far a signed timestamp may be from now: the five minutes Slack, HubSpot and others use. */
export const SIGNATURE_WINDOW_MS = 5 * 60 * 1000;

/** Whether a request signed at `signedAtMs` is fresh enough to accept at `now`. */
export function withinSignatureWindow(signedAtMs: number, now: Date): boolean {
  return Math.abs(now.getTime() - signedAtMs) <= SIGNATURE_WINDOW_MS;
}

/** Constant-time equality; timingSafeEqual throws on a length mismatch, so lengths go first. */
export function sameBytes(given: Buffer, expected: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(given, expected);
}
