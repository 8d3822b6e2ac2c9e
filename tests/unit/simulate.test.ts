// `townhall simulate` in-process: the journey's own steps on a virtual clock, no effects.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import { sampleMember, simulateJourney } from '../../runtime/journey-simulation.js';
import {
  SimulateError,
  formatSimulation,
  parseScriptedEvent,
  simulate,
} from '../../bin/simulate.js';

const DAY = 86_400_000;

function config(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-simulate-'));
  const file = path.join(dir, 'townhall.config.yaml');
  writeFileSync(
    file,
    `
connectors:
  slack: { signingSecret: s, botToken: xoxb-t }
  email:
    from: a@b.co
    smtp: { host: localhost, port: 25 }
    unsubscribeSecret: sixteen-characters
    templatesDir: ${path.resolve('config/examples/templates')}
limits: { email: 1 per 7d }
journeys:
  weeks:
    trigger: member.joined
    exit_when: [unsubscribed]
    send_window: { days: [mon, tue, wed, thu, fri], hours: '09:00-17:00', timezone: Europe/Paris }
    steps:
      - email.send: { template: welcome, subject: 'Hello {{ member.name }}' }
      - wait: 1d
      - email.send: { template: welcome, subject: 'Again, {{ member.name }}' }
      - wait_until:
          event: message.posted
          timeout: 2w
          then: [{ dm.send: { text: 'Thanks for writing, {{ member.name }}' } }]
      - wait: 2w
      - dm.send: { text: 'Six weeks in, {{ member.name }}' }
  thanks:
    trigger: { event: message.posted, text: thanks }
    steps:
      - thread.reply: { text: 'You are welcome, {{ member.name }}' }
`,
  );
  return file;
}

describe('townhall simulate', () => {
  it('shows six weeks of a journey: windows, caps, branches and renders, in virtual time', async () => {
    // Saturday 03:00 UTC: the window (weekdays 09:00-17:00 in Paris) opens Monday 08:00 UTC.
    const run = await simulate(loadConfig(config()), 'weeks', {
      start: '2026-12-05T03:00:00Z',
      event: ['message.posted@10d'],
    });
    const at = (index: number) => new Date(run.startedAt + run.timeline[index]!.at).toISOString();
    expect(run.timeline.map((entry) => [entry.path, entry.type, entry.outcome])).toEqual([
      ['steps[0]', 'send_window', "deferred 2d 5h to the window's opening (Europe/Paris)"],
      ['steps[0]', 'email.send', 'sent'],
      ['steps[1]', 'wait', 'waited'],
      ['steps[2]', 'cap', 'deferred 6d: email cap (1 per 7d)'],
      ['steps[2]', 'email.send', 'sent'],
      // The post came at 03:00 UTC on a Tuesday: the thank-you waits for 09:00 in Paris.
      ['steps[3].then[0]', 'send_window', "deferred 5h to the window's opening (Europe/Paris)"],
      ['steps[3].then[0]', 'dm.send', 'sent'],
      ['steps[3]', 'wait_until', 'message.posted: then'],
      ['steps[4]', 'wait', 'waited'],
      ['steps[5]', 'dm.send', 'sent'],
    ]);
    expect(at(1)).toBe('2026-12-07T08:00:00.000Z');
    // The cap frees a slot a week after the first email: Monday again, inside the window.
    expect(at(4)).toBe('2026-12-14T08:00:00.000Z');
    expect(run.timeline[1]!.detail).toBe('email "Hello Ada" (template welcome)');
    expect(run.timeline[6]!.detail).toBe('DM on slack: "Thanks for writing, Ada"');
    expect(run.events).toEqual([{ type: 'message.posted', at: 10 * DAY, heard: 'event' }]);
    expect(run.exited).toBeUndefined();
    expect(formatSimulation('weeks', run, 'a sample member')).toContain(
      'steps[0]               send_window        deferred 2d 5h',
    );
  });

  it('ends where an exit comes, mid-wait, and sends nothing after', async () => {
    const run = await simulate(loadConfig(config()), 'weeks', {
      start: '2026-12-07T10:00:00Z',
      event: ['unsubscribed@12h'],
    });
    expect(run.timeline.map((entry) => entry.outcome)).toEqual([
      'sent',
      'ended early: unsubscribed',
    ]);
    expect(run.exited).toBe('unsubscribed');
    expect(run.endedAt).toBe(12 * 3_600_000);
  });

  it('prints member text inert: a terminal escape in a name is written out', async () => {
    const run = await simulate(loadConfig(config()), 'weeks', { start: '2026-12-07T10:00:00Z' });
    run.timeline[0]!.detail = 'email "Hello \u001b]0;owned\u0007Eve"';
    const printed = formatSimulation('weeks', run, 'Eve');
    expect(printed).not.toContain('\u001b');
    expect(printed).not.toContain('\u0007');
    expect(printed).toContain('Hello \\u001b]0;owned\\u0007Eve');
  });

  it('answers in the thread only when told the trigger came from one, as a real run does', async () => {
    const loaded = loadConfig(config());
    const top = await simulate(loaded, 'thanks', {});
    expect(top.timeline.map((entry) => entry.outcome)).toEqual([
      'skipped: the trigger did not come from a thread',
    ]);
    const threaded = await simulate(loaded, 'thanks', { thread: true });
    expect(threaded.timeline.map((entry) => [entry.outcome, entry.detail])).toEqual([
      ['sent', 'reply in slack thread the thread: "You are welcome, Ada"'],
    ]);
  });

  it("counts what the member's other journeys already sent under the cap", async () => {
    const loaded = loadConfig(config());
    const start = Date.parse('2026-12-07T10:00:00Z');
    const run = await simulateJourney({
      name: 'weeks',
      journey: loaded.config.journeys.weeks!,
      limits: loaded.config.limits,
      member: {
        ...sampleMember(['slack'], 'slack'),
        // An email from another journey a second ago: the 1 per 7d cap is full.
        slots: [{ channel: 'email', at: start - 1_000 }],
      },
      startAt: start,
    });
    expect(run.timeline.slice(0, 2).map((entry) => [entry.type, entry.outcome])).toEqual([
      ['cap', 'deferred 6d 23h 59m 59s: email cap (1 per 7d)'],
      ['email.send', 'sent'],
    ]);
  });

  it('names a bad --event, --start or journey', async () => {
    expect(() => parseScriptedEvent('message.posted')).toThrow(SimulateError);
    expect(() => parseScriptedEvent('message.sent@3d')).toThrow(/message.sent is not an event/);
    await expect(simulate(loadConfig(config()), 'nope', {})).rejects.toThrow(
      'no journey is called nope (the config has weeks, thanks)',
    );
    await expect(simulate(loadConfig(config()), 'weeks', { start: 'tuesday' })).rejects.toThrow(
      /--start "tuesday" is not a date-time/,
    );
  });
});
