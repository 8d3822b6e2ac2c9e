// The payload key of every townhall process a test starts (spawnTownhall, townhallCommand), and
// a client that reads what those processes wrote: Temporal history holds only ciphertext.
import { createHash } from 'node:crypto';
import { inject } from 'vitest';
import { PayloadEncryptionCodec, parsePayloadKeys } from '../../runtime/codec/index.js';
import { createTemporalClient } from '../../runtime/temporal.js';

/** Fixed, so a test's client, its hubs and their CLI commands agree; never a deployment's key. */
export const TEST_PAYLOAD_KEYS = `test-1:${createHash('sha256').update('townhall test payload key').digest('base64')}`;

export const testCodec = () => new PayloadEncryptionCodec(parsePayloadKeys(TEST_PAYLOAD_KEYS));

/** A Temporal client for the suite's dev server that decrypts what test hubs wrote. */
export const hubClient = () =>
  createTemporalClient(inject('temporalAddress'), 'default', testCodec());
