// A Temporal frontend behind TLS that demands a client certificate, as Temporal Cloud's mTLS
// namespaces do: a TLS terminator (Node's tls, with certificates openssl makes for the test) in
// front of the test run's dev server. townhall's client and worker connect with what
// TEMPORAL_TLS_CERT/KEY/CA/SERVER_NAME name, and run a workflow through it; without the
// certificate the frontend refuses them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../runtime/logger.js';
import { temporalAuthFrom } from '../../runtime/temporal-auth.js';
import { createTemporalClient, startWorker } from '../../runtime/temporal.js';
import { TEST_BUNDLE_CACHE } from '../support/worker.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-tls-'));
const file = (name: string) => path.join(dir, name);
let terminator: tls.Server;
let address: string;

function openssl(...args: string[]) {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** A CA, and a certificate it signs for `name` (`usage`: serverAuth or clientAuth). */
function certificate(name: string, usage: 'serverAuth' | 'clientAuth') {
  openssl(
    ...['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
    ...['-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${name}`],
  );
  writeFileSync(
    file(`${name}.ext`),
    `subjectAltName=DNS:${name}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=${usage}\n`,
  );
  openssl(
    ...[
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file('ca.crt'),
      '-CAkey',
      file('ca.key'),
    ],
    ...[
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      file(`${name}.crt`),
      '-extfile',
      file(`${name}.ext`),
    ],
  );
}

beforeAll(async () => {
  openssl(
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
    ...['-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '2', '-subj', '/CN=test CA'],
  );
  certificate('temporal.test', 'serverAuth');
  certificate('townhall-worker', 'clientAuth');

  // TLS in front, HTTP/2 in clear behind: gRPC needs nothing else of the terminator.
  const [host, port] = inject('temporalAddress').split(':');
  terminator = tls.createServer(
    {
      key: readFileSync(file('temporal.test.key')),
      cert: readFileSync(file('temporal.test.crt')),
      ca: readFileSync(file('ca.crt')),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (socket) => {
      const upstream = net.connect(Number(port), host);
      socket.pipe(upstream).pipe(socket);
      const close = () => {
        socket.destroy();
        upstream.destroy();
      };
      socket.on('error', close);
      upstream.on('error', close);
    },
  );
  terminator.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => terminator.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${(terminator.address() as net.AddressInfo).port}`;
});
afterAll(() => {
  terminator?.close();
});

const mtlsEnv = () => ({
  TEMPORAL_TLS_CERT: file('townhall-worker.crt'),
  TEMPORAL_TLS_KEY: file('townhall-worker.key'),
  TEMPORAL_TLS_CA: file('ca.crt'),
  TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
});

describe('Temporal behind mTLS', () => {
  it('runs a workflow with the client and worker townhall builds from the environment', async () => {
    const auth = temporalAuthFrom(mtlsEnv());
    const logger = createLogger('test');
    logger.level = 'silent';
    const taskQueue = `tls-${Date.now()}`;
    const worker = await startWorker({
      address,
      auth,
      namespace: 'default',
      taskQueue,
      activities: {},
      workflowsPath: fileURLToPath(new URL('./temporal-tls.workflow.ts', import.meta.url)),
      cacheDir: TEST_BUNDLE_CACHE,
      logger,
    });
    const client = createTemporalClient(address, 'default', undefined, auth);
    try {
      const result = await client.workflow.execute('greetOverTls', {
        taskQueue,
        workflowId: `${taskQueue}-run`,
        args: ['townhall'],
      });
      expect(result).toBe('hello, townhall');
    } finally {
      await client.connection.close();
      await worker.shutdown();
    }
  });

  it('is refused without the client certificate, and with the wrong server name', async () => {
    const { TEMPORAL_TLS_CERT: _cert, TEMPORAL_TLS_KEY: _key, ...noCert } = mtlsEnv();
    for (const env of [noCert, { ...mtlsEnv(), TEMPORAL_TLS_SERVER_NAME: 'elsewhere.test' }]) {
      const client = createTemporalClient(address, 'default', undefined, temporalAuthFrom(env));
      try {
        await expect(
          client.connection.withDeadline(Date.now() + 3_000, () =>
            client.workflowService.getSystemInfo({}),
          ),
        ).rejects.toThrow();
      } finally {
        await client.connection.close();
      }
    }
  });
});
