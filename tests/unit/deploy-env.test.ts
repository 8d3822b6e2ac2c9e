import { describe, expect, it } from 'vitest';
import {
  compose,
  COMPOSE_OWN_VARIABLES,
  composeVariables,
  envExample,
  rawCompose,
  readByTownhall,
  townhallServices,
} from '../support/deploy-compose.js';

/** .env.example: what a deployment's .env starts from, against what townhall and Compose read. */

describe('.env.example', () => {
  it('sets only variables townhall or Compose reads', () => {
    const composeReads = composeVariables(rawCompose);
    const unread = envExample
      .map((e) => e.name)
      .filter(
        (n) => !readByTownhall.has(n) && !composeReads.has(n) && !COMPOSE_OWN_VARIABLES.has(n),
      );
    expect(unread).toEqual([]);
  });

  it('explains every variable and holds no real-looking secret', () => {
    expect(envExample.filter((e) => !e.commented).map((e) => e.name)).toEqual([]);
    const secrets = envExample.filter((e) => /(SECRET|TOKEN|PASSWORD|PASS|API_KEY)$/.test(e.name));
    expect(secrets.length).toBeGreaterThan(0);
    expect(secrets.filter((e) => !e.value.startsWith('change-me-')).map((e) => e.name)).toEqual([]);
  });

  it('is what the production services read as env_file', () => {
    for (const [name, service] of townhallServices(compose.doc))
      if ((service.profiles as string[] | undefined)?.includes('townhall'))
        expect(service.env_file, name).toEqual('.env');
  });
});
