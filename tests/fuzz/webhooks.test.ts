// Every webhook route of the hub, fuzzed over real HTTP: random and mutated bodies, forged and
// missing signatures, and hostile header sets. The promises: a delivery without a valid, fresh
// signature is never acknowledged (2xx) and never stored; signed junk is answered 2xx or 4xx,
// never 5xx while the store and Temporal are up; nothing crashes the server.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_CONFIG_FILE, loadConfig } from '../../config/load.js';
import type { FuzzBody } from '../support/fuzz-arbitraries.js';
import { fuzzBody, headerText, unsignedHeaders } from '../support/fuzz-arbitraries.js';
import type { InProcessHub } from '../support/in-process-hub.js';
import { startInProcessHub } from '../support/in-process-hub.js';
import {
  FUZZ_RUNS,
  Tally,
  fuzzParameters,
  outcomeOf,
  report,
  timeoutFor,
} from '../support/fuzz-report.js';
import type { FuzzRoute } from '../support/fuzz-routes.js';
import { fuzzRoutes } from '../support/fuzz-routes.js';
import type { RawResponse } from '../support/raw-http.js';
import { rawRequest } from '../support/raw-http.js';

const routes = fuzzRoutes(loadConfig(SANDBOX_CONFIG_FILE, {}).config);
const tally = new Tally(['2xx', '4xx', '5xx']);
/** A request can take a while when it starts workflows on a busy machine. */
const TIMEOUT = timeoutFor(FUZZ_RUNS, 300);

let hub: InProcessHub;
beforeAll(async () => {
  hub = await startInProcessHub();
  // "Never a 5xx while dependencies are up": they are.
  expect((await rawRequest(`${hub.url}/readyz`)).status).toBe(200);
});
afterAll(async () => {
  await report('webhooks', 'Webhook routes', tally.markdown('route'));
  await hub?.close();
});

/** What the route answered; a request that got no answer at all fails the property. */
async function post(
  route: FuzzRoute,
  body: Buffer,
  headers: Record<string, string | string[]>,
): Promise<RawResponse> {
  const response = await rawRequest(`${hub.url}${route.path}`, {
    method: 'POST',
    headers,
    body,
  });
  tally.count(route.path, outcomeOf(response.status));
  return response;
}

const now = () => new Date();
const stampNow = (route: FuzzRoute) => route.clock?.stamp(now()) ?? '';
const urlOf = (route: FuzzRoute) => `${hub.url}${route.path}`;

/** Signature headers that are wrong in each of the ways a forger or a broken proxy gets them. */
type Forgery = 'none' | 'garbage' | 'forger' | 'other bytes';

function forged(
  route: FuzzRoute,
  body: FuzzBody,
  kind: Forgery,
  garbage: string,
): Record<string, string> {
  const timestamp = stampNow(route);
  const valid = route.sign(body.raw, urlOf(route), timestamp);
  const clock = route.clock ? { [route.clock.header]: timestamp } : {};
  switch (kind) {
    case 'none':
      return clock;
    case 'garbage':
      return {
        ...Object.fromEntries(Object.keys(valid).map((name) => [name, garbage])),
        ...clock,
      };
    case 'forger':
      return route.sign(body.raw, urlOf(route), timestamp, true);
    case 'other bytes': {
      // A valid signature over other bytes: the sent body was changed after signing.
      const other = Buffer.concat([body.raw, Buffer.from(garbage || ' ')]);
      const signed = route.sign(other, urlOf(route), timestamp);
      // A shared secret covers no bytes: the freshdesk header would be the real one.
      return JSON.stringify(signed) === JSON.stringify(valid)
        ? route.sign(body.raw, urlOf(route), timestamp, true)
        : signed;
    }
  }
}

describe.each(routes)('fuzzing $path', (route) => {
  it(
    'never acknowledges or stores a delivery without a valid signature',
    { timeout: TIMEOUT },
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fuzzBody(route.seeds),
          fc.constantFrom<Forgery>('none', 'garbage', 'forger', 'other bytes'),
          headerText,
          fc.context(),
          async (body, kind, garbage, ctx) => {
            const headers = { ...body.seed.headers, ...forged(route, body, kind, garbage) };
            const before = await hub.storedEvents();
            const response = await post(route, body.raw, headers);
            ctx.log(`${body.how}, ${kind}: ${response.status} ${response.body.slice(0, 300)}`);
            // 401, or what the server refuses before reading a signature: 413 over 1 MiB, 431
            // for headers over Node's limit.
            expect([401, 413, 431]).toContain(response.status);
            expect(await hub.storedEvents()).toBe(before);
          },
        ),
        fuzzParameters(),
      );
    },
  );

  it('answers signed junk with 2xx or 4xx, never 5xx', { timeout: TIMEOUT }, async () => {
    const seedHeaders = fc.constantFrom(...route.seeds).chain((seed) => unsignedHeaders(seed));
    await fc.assert(
      fc.asyncProperty(
        fuzzBody(route.seeds),
        seedHeaders,
        fc.context(),
        async (body, unsigned, ctx) => {
          const headers = { ...unsigned, ...route.sign(body.raw, urlOf(route), stampNow(route)) };
          const response = await post(route, body.raw, headers);
          ctx.log(`${body.how}: ${response.status} ${response.body.slice(0, 300)}`);
          expect(response.status).toBeLessThan(500);
        },
      ),
      fuzzParameters(),
    );
  });

  it(
    'accepts only a fresh timestamp and a valid signature, whatever else the headers hold',
    { timeout: TIMEOUT },
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fuzzBody(route.seeds),
          stampVariant(route),
          fc.constantFrom<SignatureVariant>('valid', 'missing', 'twice', 'truncated'),
          extraHeaders,
          fc.context(),
          async (body, stamp, signature, extra, ctx) => {
            const headers: Record<string, string | string[]> = { ...extra, ...body.seed.headers };
            const signed = route.sign(body.raw, urlOf(route), stamp.signedOver);
            for (const [name, value] of Object.entries(signed)) {
              if (name === route.clock?.header) continue;
              if (signature === 'valid') headers[name] = value;
              if (signature === 'twice') headers[name] = [value, value];
              if (signature === 'truncated') headers[name] = value.slice(0, -1);
            }
            if (route.clock && stamp.sent.length > 0) headers[route.clock.header] = [...stamp.sent];
            const mayPass = stamp.fresh && signature === 'valid';
            const before = await hub.storedEvents();
            const response = await post(route, body.raw, headers);
            ctx.log(
              `${body.how}, timestamp ${stamp.name}, signature ${signature}: ${response.status} ${response.body.slice(0, 300)}`,
            );
            expect(response.status).toBeLessThan(500);
            if (!mayPass) {
              expect(response.status).toBeGreaterThanOrEqual(400);
              expect(await hub.storedEvents()).toBe(before);
            }
          },
        ),
        fuzzParameters(),
      );
    },
  );
});

it('is still up and ready after all of it', async () => {
  expect((await rawRequest(`${hub.url}/healthz`)).status).toBe(200);
  expect((await rawRequest(`${hub.url}/readyz`)).status).toBe(200);
});

type SignatureVariant = 'valid' | 'missing' | 'twice' | 'truncated';

interface StampVariant {
  name: string;
  /** The timestamp header's lines (none: the header is missing). */
  sent: readonly string[];
  /** What the signature covers as the timestamp. */
  signedOver: string;
  /** Whether a vendor could have sent this: one fresh timestamp in the vendor's format. */
  fresh: boolean;
}

const FIVE_MINUTES_S = 300;

/**
 * The timestamp header: fresh; stale or from the future (signed over, so only the clock check
 * stops them); in the wrong unit; not a time at all; sent twice; missing; over Node's header
 * limit. Routes whose vendor signs no time get the fresh variant (there is no header).
 */
function stampVariant(route: FuzzRoute): fc.Arbitrary<StampVariant> {
  const clock = route.clock;
  if (!clock) return fc.constant({ name: 'none', sent: [], signedOver: '', fresh: true });
  const at = (offsetSeconds: number) => clock.stamp(new Date(Date.now() + offsetSeconds * 1000));
  const signedAs = (name: string, text: string): StampVariant => ({
    name,
    sent: [text],
    signedOver: text,
    fresh: false,
  });
  const skew = fc.integer({ min: FIVE_MINUTES_S + 5, max: 10 ** 9 });
  const fresh = at(0);
  const inOtherUnit = /^\d{13}$/.test(fresh)
    ? String(Math.floor(Date.now() / 1000))
    : String(Date.now());
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constant({ name: 'fresh', sent: [fresh], signedOver: fresh, fresh: true }),
    },
    { weight: 1, arbitrary: skew.map((s) => signedAs(`stale by ${s} s`, at(-s))) },
    { weight: 1, arbitrary: skew.map((s) => signedAs(`ahead by ${s} s`, at(s))) },
    { weight: 1, arbitrary: fc.constant(signedAs('in the other unit', inOtherUnit)) },
    { weight: 1, arbitrary: headerText.map((text) => signedAs('not a time', text)) },
    {
      weight: 1,
      arbitrary: fc.constant({
        name: 'twice',
        sent: [fresh, fresh],
        signedOver: fresh,
        fresh: false,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.constant({ name: 'missing', sent: [], signedOver: fresh, fresh: false }),
    },
    { weight: 1, arbitrary: fc.constant(signedAs('oversized', '1'.repeat(20_000))) },
  );
}

/** Headers no vendor sends, added around the real ones. */
const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.dictionary(
  fc.stringMatching(/^x-[a-z0-9-]{1,24}$/),
  headerText,
  { maxKeys: 4 },
);
