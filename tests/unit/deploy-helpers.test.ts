import { describe, expect, it } from 'vitest';
import { cliCommands } from '../support/deploy-cli.js';
import { codeReads, envReads, interpolate, read } from '../support/deploy-compose.js';

/** The deploy checks (deploy-*.test.ts) are only as good as these readers of their inputs. */

describe('the helpers these checks rest on', () => {
  it('find env reads in source text', () => {
    expect(
      envReads('process.env.ALPHA; env.BETA || x; env[\'GAMMA\']; process.env["DELTA"]; myEnv.NO'),
    ).toEqual(['ALPHA', 'BETA', 'GAMMA', 'DELTA']);
    // Against the code: runtime/settings.ts reads these.
    for (const name of envReads(read('runtime/settings.ts'))) expect(codeReads).toContain(name);
  });

  it('interpolate like Compose', () => {
    const problems: string[] = [];
    const env = { A: 'a', EMPTY: '' };
    expect(
      interpolate('$${A} ${A} ${B:-b} ${EMPTY:-e} ${EMPTY-e} ${A:+set} $A', env, problems),
    ).toBe('${A} a b e  set a');
    expect(interpolate('${B:?needed}', env, problems)).toBe('');
    expect(problems).toEqual(['B is not set: needed']);
  });

  it('read the CLI’s command list from commander’s help', () => {
    const help = [
      'Usage: townhall [options] [command]',
      '',
      'Commands:',
      '  start [options]    run everything in one process: dev server, store, sandbox,',
      '                     server and worker',
      '  validate [file]    check a config file',
      '  help [command]     display help for command',
    ].join('\n');
    expect(cliCommands(help)).toEqual(['start', 'validate', 'help']);
  });
});
