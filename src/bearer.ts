import { createHash } from 'node:crypto';

/**
 * The token of an `Authorization: Bearer <token>` header; undefined when there is none. The
 * scheme is read in any case (RFC 7235); the token is the rest of the header, trimmed.
 */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(.*\S)\s*$/i.exec(header ?? '')?.[1];
}

/** A secret's SHA-256 digest: equal lengths, so `timingSafeEqual` compares any two without revealing a prefix. */
export function secretDigest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}
