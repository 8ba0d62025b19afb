import { OpenIdMetadata, type IOpenIdMetadataKey } from 'botframework-connector/lib/auth/openIdMetadata';
import { JwtTokenExtractor } from 'botframework-connector/lib/auth/jwtTokenExtractor';
import type { Logger } from '../logger';

/** How long after a failed lookup of the channel's keys the next one is tried; requests meanwhile use what is known. */
export const KEY_LOOKUP_RETRY_MS = 60_000;

/**
 * botbuilder's key cache with two things added. When the OpenID metadata cannot be fetched,
 * botbuilder retries on every request (two HTTP calls each) and only says "not authorized";
 * here the failure is logged once, naming the URL and the reason, lookups wait
 * `KEY_LOOKUP_RETRY_MS`, and keys already seen keep validating tokens meanwhile. Concurrent
 * requests share one lookup.
 */
class WatchedOpenIdMetadata extends OpenIdMetadata {
  private readonly known = new Map<string, IOpenIdMetadataKey>();
  private failedAt: number | undefined;
  private lookup: Promise<unknown> | undefined;

  constructor(
    private readonly metadataUrl: string,
    private readonly log: Logger,
    private readonly retryMs: number,
  ) {
    super(metadataUrl);
  }

  override async getKey(keyId: string): Promise<IOpenIdMetadataKey | null> {
    if (this.lookup) await this.lookup.catch(() => undefined);
    if (this.failedAt !== undefined && Date.now() - this.failedAt < this.retryMs) return this.known.get(keyId) ?? null;
    const attempt = super.getKey(keyId);
    this.lookup = attempt;
    try {
      const key = await attempt;
      if (this.failedAt !== undefined) this.log.info({ url: this.metadataUrl }, "the channel's OpenID metadata could be fetched again; channel requests are checked normally");
      this.failedAt = undefined;
      // Only keys the metadata listed get here, so the map stays as small as the key set.
      if (key) this.known.set(keyId, key);
      return key;
    } catch (error) {
      if (this.failedAt === undefined) {
        this.log.error(
          { url: this.metadataUrl, reason: error instanceof Error ? error.message : String(error), retryInS: Math.round(this.retryMs / 1000) },
          "cannot fetch the channel's OpenID metadata (its token-signing keys): channel requests get 401 unless signed with a key already known",
        );
      }
      this.failedAt = Date.now();
      return this.known.get(keyId) ?? null;
    } finally {
      if (this.lookup === attempt) this.lookup = undefined;
    }
  }
}

/**
 * Puts the watched cache in place for the given metadata URLs. botbuilder keeps one cache per
 * URL in a private static map of JwtTokenExtractor, filled on first use; entries put there first
 * are the ones it uses. Should a botbuilder upgrade move that map, keys are fetched as before
 * and a warning says the watch is off.
 */
export function watchSigningKeys(metadataUrls: readonly string[], log: Logger, retryMs = KEY_LOOKUP_RETRY_MS): void {
  const cache: unknown = Reflect.get(JwtTokenExtractor, 'openIdMetadataCache');
  if (!(cache instanceof Map)) {
    log.warn("botbuilder's OpenID metadata cache was not found: failures to fetch the channel's signing keys are not logged");
    return;
  }
  for (const url of new Set(metadataUrls)) cache.set(url, new WatchedOpenIdMetadata(url, log, retryMs));
}
