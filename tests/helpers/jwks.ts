import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A signing key the test controls, published (or not) by a local OpenID metadata server. */
export interface TestKey {
  kid: string;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

export function makeKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey: createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' })), jwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' } };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An RS256 JWT, signed with node's crypto (no extra library). */
export function signJwt(key: TestKey, claims: Record<string, unknown>): string {
  const head = `${b64url({ alg: 'RS256', typ: 'JWT', kid: key.kid })}.${b64url(claims)}`;
  return `${head}.${sign('RSA-SHA256', Buffer.from(head), key.privateKey).toString('base64url')}`;
}

export interface JwksServer {
  metadataUrl: string;
  /** Requests received so far, metadata and keys alike. */
  readonly hits: number;
  /** While true, every request is answered 503 (an outage of the identity service). */
  failing: boolean;
  close(): Promise<void>;
}

/** Serves `/.well-known/openidconfiguration` and its JWKS on loopback, like login.botframework.com. */
export async function startJwksServer(keys: TestKey[], options: { failing?: boolean } = {}): Promise<JwksServer> {
  let base = '';
  let hits = 0;
  const state = { failing: options.failing ?? false };
  const server = http.createServer((req, res) => {
    hits += 1;
    res.setHeader('content-type', 'application/json');
    if (state.failing) res.writeHead(503).end('{}');
    else if (req.url === '/.well-known/openidconfiguration') res.end(JSON.stringify({ issuer: 'https://api.botframework.com', jwks_uri: `${base}/keys` }));
    else if (req.url === '/keys') res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
    else res.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    metadataUrl: `${base}/.well-known/openidconfiguration`,
    get hits() {
      return hits;
    },
    get failing() {
      return state.failing;
    },
    set failing(value: boolean) {
      state.failing = value;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
