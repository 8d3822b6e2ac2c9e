// Running inactivity scans must survive workflow code changes: a scan recorded on the code before
// CLIENT_STARTS (three members found, each run started with startChild, then a read that found
// nobody) replays on today's code.
import { describe, expect, it } from 'vitest';
import { replay } from '../support/replay.js';

describe('journey scan histories replay on today’s code', () => {
  it('a scan that started its runs as children, from before CLIENT_STARTS', async () => {
    await expect(replay('journey-scan-start-child')).resolves.toBeUndefined();
  });
});
