// activities/slots.ts: the worker's bulk jobs at the CRM, at most two at a time.
import { describe, expect, it } from 'vitest';
import { Slots } from '../../activities/slots.js';

/** Work that runs until `finish` is called, recording that it ran. */
function pending(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    work: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
    finish: () => finish(),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Slots', () => {
  it('runs two at a time and hands each freed slot to the longest waiting', async () => {
    const log: string[] = [];
    const slots = new Slots(2);
    const jobs = ['a', 'b', 'c', 'd'].map((name) => pending(log, name));
    const results = jobs.map((job) => slots.run(job.work));
    await tick();
    expect(log).toEqual(['start a', 'start b']);
    jobs[1]!.finish();
    await tick();
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);
    jobs[0]!.finish();
    jobs[2]!.finish();
    jobs[3]!.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('frees the slot when the work fails', async () => {
    const slots = new Slots(1);
    await expect(slots.run(() => Promise.reject(new Error('vendor down')))).rejects.toThrow(
      'vendor down',
    );
    expect(await slots.run(() => Promise.resolve('next'))).toBe('next');
  });

  it('lets a waiter whose activity is cancelled leave the line without running', async () => {
    const log: string[] = [];
    const slots = new Slots(1);
    const first = pending(log, 'first');
    const cancelled = pending(log, 'cancelled');
    const last = pending(log, 'last');
    const running = slots.run(first.work);
    const abort = new AbortController();
    const waiting = slots.run(cancelled.work, abort.signal);
    const after = slots.run(last.work);
    await tick();
    abort.abort(new Error('activity cancelled'));
    await expect(waiting).rejects.toThrow('activity cancelled');
    first.finish();
    last.finish();
    expect([await running, await after]).toEqual(['first', 'last']);
    expect(log).toEqual(['start first', 'end first', 'start last', 'end last']);
  });
});
