// HTTP requests with full control over what goes on the wire, which fetch does not give: a header
// sent twice (as two header lines), a very long header, and the local address a request leaves
// from (127.0.0.2 is another client of a server on 127.0.0.1, as far as the server can tell).
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RawRequest {
  method?: string;
  /** A header with several values is sent as several header lines. */
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
  /** The address the connection comes from (any 127.x.y.z on Linux's loopback). */
  localAddress?: string;
}

export function rawRequest(url: string, request: RawRequest = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      url,
      {
        method: request.method ?? 'GET',
        headers: {
          ...(request.body !== undefined
            ? { 'content-length': String(Buffer.byteLength(request.body)) }
            : {}),
          ...request.headers,
        },
        ...(request.localAddress ? { localAddress: request.localAddress } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}
