// How townhall signs in to a Temporal it does not run itself: Temporal Cloud (an API key, or
// mTLS with the namespace's client certificate) or a self-hosted cluster behind TLS. The same
// options go to the clients (server, CLI) and the workers' native connection.
import { readFileSync } from 'node:fs';

export interface TemporalTls {
  /** A private CA's certificate, for a frontend whose certificate the system does not trust. */
  serverRootCACertificate?: Buffer;
  /** The name the frontend's certificate is for, when it is not the address's host. */
  serverNameOverride?: string;
  /** The client certificate and key: mTLS (Temporal Cloud's certificate auth). */
  clientCertPair?: { crt: Buffer; key: Buffer };
}

export interface TemporalAuth {
  /** TLS to the frontend: true (the system's CAs and the address's host), or as configured. */
  tls?: true | TemporalTls;
  apiKey?: string;
}

function readPem(variable: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(
      `${variable}=${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): point it at the PEM file`,
    );
  }
}

/**
 * From the environment:
 * - `TEMPORAL_API_KEY`: Temporal Cloud API key auth (implies TLS);
 * - `TEMPORAL_TLS_CERT` and `TEMPORAL_TLS_KEY`: paths of the client certificate and its key (mTLS);
 * - `TEMPORAL_TLS_CA`: path of a private CA's certificate; `TEMPORAL_TLS_SERVER_NAME`: the name
 *   the frontend's certificate is for (both for a self-hosted cluster);
 * - `TEMPORAL_TLS=true`: TLS with none of those.
 * None of them: plain gRPC, as the dev server and a cluster on a private network speak.
 */
export function temporalAuthFrom(env: NodeJS.ProcessEnv = process.env): TemporalAuth {
  const cert = env.TEMPORAL_TLS_CERT || undefined;
  const key = env.TEMPORAL_TLS_KEY || undefined;
  if ((cert === undefined) !== (key === undefined))
    throw new Error(
      `mTLS needs both TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (only ${cert ? 'TEMPORAL_TLS_CERT' : 'TEMPORAL_TLS_KEY'} is set)`,
    );
  const flag = env.TEMPORAL_TLS?.toLowerCase() || undefined;
  if (flag !== undefined && !['true', 'false', '1', '0'].includes(flag))
    throw new Error(`TEMPORAL_TLS=${env.TEMPORAL_TLS} should be true or false`);
  const tls: TemporalTls = {};
  if (cert && key)
    tls.clientCertPair = {
      crt: readPem('TEMPORAL_TLS_CERT', cert),
      key: readPem('TEMPORAL_TLS_KEY', key),
    };
  if (env.TEMPORAL_TLS_CA)
    tls.serverRootCACertificate = readPem('TEMPORAL_TLS_CA', env.TEMPORAL_TLS_CA);
  if (env.TEMPORAL_TLS_SERVER_NAME) tls.serverNameOverride = env.TEMPORAL_TLS_SERVER_NAME;
  if ((flag === 'false' || flag === '0') && (Object.keys(tls).length > 0 || env.TEMPORAL_API_KEY))
    throw new Error(
      'TEMPORAL_TLS=false, but TEMPORAL_API_KEY or TEMPORAL_TLS_* needs TLS: unset one of them',
    );
  const auth: TemporalAuth = {};
  if (Object.keys(tls).length > 0) auth.tls = tls;
  else if (flag === 'true' || flag === '1' || env.TEMPORAL_API_KEY) auth.tls = true;
  if (env.TEMPORAL_API_KEY) auth.apiKey = env.TEMPORAL_API_KEY;
  return auth;
}

/** For the banner and logs: how it connects, never the key or the certificate. */
export function describeTemporalAuth(auth: TemporalAuth): string {
  if (auth.apiKey) return 'TLS, API key';
  if (auth.tls === true) return 'TLS';
  if (auth.tls?.clientCertPair) return 'mTLS';
  if (auth.tls) return 'TLS';
  return 'plain';
}
