import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * helmet's headers, computed once, plus `Cache-Control: no-store`: API answers carry secrets, keys and
 * tokens, which no browser or proxy may keep (OWASP REST Security; Vault answers the same). A route
 * whose answer is public and cacheable (a CA certificate, a CRL) sets its own Cache-Control.
 *
 * None depends on the request, so instead of running helmet's chain of thirteen middlewares on every
 * request (measurable on a hot read path), helmet is run once against a recording response and the
 * result is set as a plain header map per request.
 */
export function staticSecurityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  } as unknown as ServerResponse;
  helmet({
    // The Swagger UI needs inline scripts/styles; the API itself serves JSON only.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  })({} as IncomingMessage, recorder, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error(String(error));
  });
  headers['cache-control'] = 'no-store';
  return headers;
}
