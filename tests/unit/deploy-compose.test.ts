import { describe, expect, it } from 'vitest';
import {
  cliCommands,
  townhallCommand,
  townhallHelp,
  unknownCommands,
} from '../support/deploy-cli.js';
import type { Doc, Service } from '../support/deploy-compose.js';
import {
  compose,
  composeDraft,
  composeProblems,
  composeText,
  composeVariables,
  environmentNames,
  exampleEnv,
  interpolateDoc,
  parseCompose,
  rawCompose,
  services,
  townhallServices,
  unreadEnvironment,
} from '../support/deploy-compose.js';

/**
 * docker-compose.yml, checked without a Docker engine: against the Compose specification's JSON
 * Schema (vendored in sandbox/specs/compose/), its variables against the code, its commands
 * against the CLI.
 */

describe('docker-compose.yml', () => {
  it('is checked with the schema class its spec declares (draft-07: Ajv’s default)', () => {
    expect(composeDraft).toMatch(/^https?:\/\/json-schema\.org\/draft-07\/schema#?$/);
  });

  it('is a valid Compose file: the spec’s JSON Schema, and what Compose checks on load', () => {
    expect(compose.problems).toEqual([]);
    expect(composeProblems(compose.doc)).toEqual([]);
    // The file before interpolation is valid too: every ${...} sits where a string may.
    expect(composeProblems(rawCompose)).toEqual([]);
  });

  it('rejects broken documents with the same validator', () => {
    const broken = (edit: (doc: Doc) => void) => {
      const doc = structuredClone(compose.doc);
      edit(doc);
      return composeProblems(doc);
    };
    expect(broken((doc) => (doc.servics = {}))).toEqual([
      expect.stringContaining('must NOT have additional properties'),
    ]);
    expect(broken((doc) => (services(doc).server!.restart = 'sometimes'))).toEqual([
      'services.server.restart: sometimes is not a restart policy',
    ]);
    const badCondition = broken(
      (doc) => (services(doc).worker!.depends_on = { temporal: { condition: 'ready' } }),
    );
    expect(badCondition).not.toEqual([]);
    expect(badCondition.filter((p) => !p.startsWith('/services/worker/depends_on'))).toEqual([]);
    expect(
      broken((doc) => (services(doc).server!.healthcheck = { test: 'x', intervl: '5s' })),
    ).not.toEqual([]);
    expect(broken((doc) => (services(doc).gateway!.volumes = ['spool:/app/data']))).toEqual([
      'services.gateway.volumes: named volume spool is not declared',
    ]);
    expect(
      broken((doc) => (services(doc)['sandbox-worker']!.network_mode = 'service:nope')),
    ).toEqual(['services.sandbox-worker.network_mode: no service service:nope']);
  });

  it('needs every variable it interpolates, and .env.example sets them all', () => {
    const missing = [...composeVariables(rawCompose)].filter((name) => !(name in exampleEnv));
    expect(missing).toEqual([]);
    // Without them, Compose stops at the first ${NAME:?...}.
    const withoutEnv: string[] = [];
    interpolateDoc(parseCompose(composeText), {}, withoutEnv);
    expect(withoutEnv).toContainEqual(expect.stringMatching(/^POSTGRES_PASSWORD is not set/));
  });

  it('gives townhall services only variables townhall reads', () => {
    expect(townhallServices(compose.doc).length).toBeGreaterThan(0);
    expect(unreadEnvironment(compose.doc)).toEqual([]);

    const typo = structuredClone(compose.doc);
    (services(typo).worker!.environment as Doc).TEMPORAL_ADRESS = 'temporal:7233';
    expect(unreadEnvironment(typo)).toEqual(['services.worker.environment.TEMPORAL_ADRESS']);
  });

  it('points the Temporal UI at the server’s codec endpoint, on the port the server is published on', () => {
    const ui = services(compose.doc)['temporal-ui']!.environment as Record<string, string>;
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toBe(
      `http://localhost:${exampleEnv.PUBLISH_HTTP_PORT}/codec`,
    );
    // The browser sends the codec session cookie the server hands out at /codec/session.
    expect(ui.TEMPORAL_CODEC_INCLUDE_CREDENTIALS).toBe('true');
  });

  it('runs only commands the CLI has', () => {
    const commands = cliCommands(townhallHelp());
    expect(unknownCommands(compose.doc, commands)).toEqual([]);

    const typo = structuredClone(compose.doc);
    services(typo).worker!.command = ['node', 'bin/townhall.js', 'wroker'];
    expect(unknownCommands(typo, commands)).toEqual([
      'services.worker.command: no CLI command wroker',
    ]);
  });

  it('scales server and worker from a variable, and runs exactly one gateway', () => {
    const byCommand = (doc: Doc, command: string) =>
      townhallServices(doc).filter(([, s]) => townhallCommand(s.command).command === command);
    const replicas = (service: Service) => (service.deploy as Doc | undefined)?.replicas;

    for (const role of ['server', 'worker']) {
      const scalable = byCommand(rawCompose, role).filter(([, s]) => s.network_mode === undefined);
      expect(scalable.length, role).toBeGreaterThan(0);
      for (const [name, service] of scalable)
        expect(replicas(service), name).toMatch(/^\$\{[A-Z_]+:-[1-9]\d*\}$/);
    }
    const gateways = byCommand(compose.doc, 'gateway');
    expect(gateways.length).toBeGreaterThan(0);
    for (const [name, service] of gateways) expect(Number(replicas(service) ?? 1), name).toBe(1);
  });

  it('health-checks each server on /readyz, and no other role with the image’s /readyz check', () => {
    for (const [name, service] of townhallServices(compose.doc)) {
      const healthcheck = service.healthcheck as Doc | undefined;
      const test = JSON.stringify(healthcheck?.test ?? '');
      if (townhallCommand(service.command).command === 'server') {
        expect(healthcheck?.disable, name).not.toBe(true);
        expect(test, name).toContain('/readyz');
      } else {
        // The image's HEALTHCHECK probes /readyz, which only the server answers.
        expect(healthcheck, name).toBeDefined();
        expect(healthcheck?.disable === true || !test.includes('/readyz'), name).toBe(true);
      }
    }
  });

  it('keeps the image’s workflow bundle where the worker looks for it', () => {
    const overrides = townhallServices(compose.doc).filter(
      ([, s]) =>
        townhallCommand(s.command).command === 'worker' &&
        environmentNames(s).includes('TOWNHALL_DATA_DIR'),
    );
    expect(overrides.map(([name]) => name)).toEqual([]);
    // .env reaches the production worker whole (env_file).
    expect(Object.keys(exampleEnv)).not.toContain('TOWNHALL_DATA_DIR');
  });
});
