import { fileURLToPath } from 'node:url';
import type { DataConverter, PayloadCodec } from '@temporalio/common';

/**
 * The failure converter module, which the SDK require()s (client and worker) and webpack builds
 * into the workflow bundle: failures' messages and stack traces travel as payloads, so the codec
 * encrypts them like the rest.
 */
export const FAILURE_CONVERTER_PATH = fileURLToPath(
  new URL('./failure-converter.cjs', import.meta.url),
);

/**
 * The data converter every townhall client and worker uses: the payload codec (none only in
 * tests that run their own workers) and the failure encoding.
 */
export function townhallDataConverter(codec: PayloadCodec | undefined): DataConverter {
  return {
    failureConverterPath: FAILURE_CONVERTER_PATH,
    ...(codec ? { payloadCodecs: [codec] } : {}),
  };
}
