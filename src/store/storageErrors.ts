import { AppError } from '../errors';

/** The message botbuilder's own stores (MemoryStorage, BlobsStorage) use, so callers can match on it. */
export function eTagConflictMessage(key: string): string {
  return `Storage: error writing "${key}" due to eTag conflict.`;
}

/** A write whose eTag no longer matches the stored item's: another turn saved it first. */
export class ETagConflictError extends AppError {
  readonly statusCode = 412;
  constructor(readonly key: string) {
    super('ETAG_CONFLICT', eTagConflictMessage(key));
  }
}
