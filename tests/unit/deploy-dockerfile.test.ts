import { describe, expect, it } from 'vitest';
import { cliCommands, townhallCommand, townhallHelp } from '../support/deploy-cli.js';
import {
  cmdArgv,
  dockerfile,
  dockerfileProblems,
  dockerfileStages,
} from '../support/deploy-image.js';

/** The Dockerfile's shape, read without a Docker engine, and the CLI commands it runs. */

describe('Dockerfile', () => {
  it('is multi-stage on node:20-slim, installs with npm ci --omit=dev, runs unprivileged, health-checks /readyz and builds the bundle', () => {
    expect(dockerfileProblems(dockerfile)).toEqual([]);
  });

  it('runs CLI commands only: the default CMD, and the bundle step', () => {
    const final = dockerfileStages(dockerfile).at(-1)!;
    const cmd = final.filter((i) => i.keyword === 'CMD').at(-1)!;
    const { command, problem } = townhallCommand(cmdArgv(cmd.args));
    expect(problem).toBeUndefined();
    const used = [
      command,
      ...final
        .filter((i) => i.keyword === 'RUN')
        .flatMap((i) =>
          [...i.args.matchAll(/\bbin\/townhall\.js\s+([a-z][\w-]*)/g)].map((m) => m[1]),
        ),
    ];
    expect(used).toContain('bundle');
    const commands = cliCommands(townhallHelp());
    expect(used.filter((name) => !commands.includes(name!))).toEqual([]);
  });

  it('rejects a single-stage image that runs as root without a health check', () => {
    expect(
      dockerfileProblems(
        'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD ["node", "bin/townhall.js", "server"]\n',
      ),
    ).toEqual([
      'not multi-stage: one FROM',
      'the final stage is FROM node:20, not node:20-slim',
      'no earlier stage runs npm ci --omit=dev',
      'the final stage runs as root (no USER)',
      'no HEALTHCHECK on /readyz in the final stage',
      'the final stage does not build the bundle into TOWNHALL_DATA_DIR',
    ]);
    // The bundle somewhere the worker does not look.
    const elsewhere = dockerfile.replace(
      /RUN node bin\/townhall\.js bundle/,
      'RUN TOWNHALL_DATA_DIR=/tmp/bundle node bin/townhall.js bundle',
    );
    expect(dockerfileProblems(elsewhere)).toEqual([
      expect.stringMatching(/^bundle built in \/tmp\/bundle, but the image's TOWNHALL_DATA_DIR/),
    ]);
  });
});
