import path from 'node:path';
import type { TestSpecification } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';

/**
 * The shared project's files that take 20 s or more, longest first (a local run, December 2026).
 * Without vitest's cache of past durations (a fresh clone in CI) files run largest first, which put
 * the bench smoke (112 s, a small file) last: one worker ran it alone for 50 s after the other
 * had finished. Longest first lets two workers end together. The list only orders; a file
 * missing from it, or a stale entry, changes no result.
 */
const LONGEST_FIRST = [
  'tests/bench/bench-smoke.test.ts',
  'tests/integration/crm-sync-refusals.test.ts',
  'tests/integration/reddit-poller.test.ts',
  'tests/integration/members-cli.test.ts',
  'tests/e2e/townhall-start.test.ts',
  'tests/integration/handoff-crash.test.ts',
  'tests/integration/poison-events.test.ts',
  'tests/integration/journeys-send-rules.test.ts',
  'tests/integration/reddit-journeys-handoff.test.ts',
  'tests/integration/handoff-discourse-freshdesk.test.ts',
  'tests/integration/member-view-restart.test.ts',
  'tests/integration/salesforce-backfill.test.ts',
];

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const at = LONGEST_FIRST.indexOf(path.relative(this.ctx.config.root, spec.moduleId));
      return at < 0 ? LONGEST_FIRST.length : at;
    };
    // Stable: the groups and projects keep their order, and so do files outside the list.
    return [...sorted].sort(
      (a, b) =>
        a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder ||
        (a.project.name === b.project.name ? 0 : a.project.name < b.project.name ? -1 : 1) ||
        rank(a) - rank(b),
    );
  }
}
