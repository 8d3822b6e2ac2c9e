import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeTemporalAuth, temporalAuthFrom } from '../../runtime/temporal-auth.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-temporal-auth-'));
const pem = (name: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, `-----BEGIN ${name}-----\n`);
  return file;
};

describe('signing in to Temporal, from the environment', () => {
  it('is plain gRPC with nothing set, as the dev server speaks', () => {
    expect(temporalAuthFrom({})).toEqual({});
    expect(temporalAuthFrom({ TEMPORAL_TLS: 'false' })).toEqual({});
    expect(describeTemporalAuth({})).toBe('plain');
  });

  it('uses TLS with an API key (Temporal Cloud), and never shows the key', () => {
    const auth = temporalAuthFrom({ TEMPORAL_API_KEY: 'secret-api-key' });
    expect(auth).toEqual({ tls: true, apiKey: 'secret-api-key' });
    expect(describeTemporalAuth(auth)).toBe('TLS, API key');
  });

  it('reads the client certificate and key for mTLS, and a private CA and server name', () => {
    const auth = temporalAuthFrom({
      TEMPORAL_TLS_CERT: pem('CERT'),
      TEMPORAL_TLS_KEY: pem('KEY'),
      TEMPORAL_TLS_CA: pem('CA'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    expect(auth.tls).toEqual({
      clientCertPair: {
        crt: Buffer.from('-----BEGIN CERT-----\n'),
        key: Buffer.from('-----BEGIN KEY-----\n'),
      },
      serverRootCACertificate: Buffer.from('-----BEGIN CA-----\n'),
      serverNameOverride: 'temporal.internal',
    });
    expect(describeTemporalAuth(auth)).toBe('mTLS');
  });

  it('names what is wrong: half a certificate pair, an unreadable file, a contradiction', () => {
    expect(() => temporalAuthFrom({ TEMPORAL_TLS_CERT: pem('CERT') })).toThrow(
      'mTLS needs both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (only TEMPORAL_TLS_CERT is set)',
    );
    expect(() =>
      temporalAuthFrom({
        TEMPORAL_TLS_CERT: path.join(dir, 'nope.crt'),
        TEMPORAL_TLS_KEY: pem('KEY'),
      }),
    ).toThrow(/TEMPORAL_TLS_CERT=.*nope\.crt cannot be read \(ENOENT\)/);
    expect(() => temporalAuthFrom({ TEMPORAL_TLS: 'yes please' })).toThrow(
      'TEMPORAL_TLS=yes please should be true or false',
    );
    expect(() => temporalAuthFrom({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' })).toThrow(
      /TEMPORAL_TLS=false, but TEMPORAL_API_KEY/,
    );
  });
});
