import type { RequestHandler } from 'express';

/**
 * What every answer may do in a browser: nothing but show itself. townhall's only pages (the
 * unsubscribe confirmation, the codec sign-in) are static HTML with inline styles and at most a
 * form posting back here; no script, image, font or connection is ever needed, and no page may be
 * framed (clickjacking an unsubscribe or a sign-in).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  // For browsers without frame-ancestors.
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  // Unsubscribe links carry a capability token in their path: no page passes its URL on.
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  // Other sites cannot embed answers; CORS requests (the Temporal UI's codec calls) are not
  // affected by this header.
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Permitted-Cross-Domain-Policies': 'none',
};

/** Two years, as the HSTS preload list asks; subdomains are the operator's to decide. */
const HSTS = 'max-age=63072000';

/**
 * The standard security headers, on every answer (webhooks, pages, the API, errors and 404s).
 * Strict-Transport-Security only when the request came over https (TLS here, or a trusted proxy's
 * X-Forwarded-Proto, see server.trustProxy): browsers ignore it over plain http, and townhall
 * usually listens on plain http behind a TLS-terminating proxy, which should then set it itself
 * unless trustProxy lets townhall see the https.
 */
export function securityHeaders(): RequestHandler {
  return (req, res, next) => {
    res.set(HEADERS);
    if (req.secure) res.set('Strict-Transport-Security', HSTS);
    next();
  };
}
