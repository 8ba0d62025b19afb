/**
 * The project's error types. Each carries a stable `code`; the HTTP layer maps codes to
 * statuses in one place, and people never see a stack trace. An error that leaves the part
 * that threw it is one of these; a plain `Error` stays an assertion inside its own part.
 *
 * The store's eTag conflict is one too (`ETagConflictError`, src/store): botbuilder's storage
 * contract asks only for an `Error` whose message names the eTag conflict, which an AppError is,
 * so it needs no plain subclass of its own.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'FACTS_INVALID'
  | 'RULES_INVALID'
  /** The phrase data the bot understands text with does not load. */
  | 'PHRASES_INVALID'
  /** A write lost to a concurrent one (two turns of one conversation at once). */
  | 'ETAG_CONFLICT'
  /** A migration of the store failed at start. */
  | 'MIGRATION_FAILED'
  /** What the store holds cannot be read back as what was written (a corrupt or hand-edited row). */
  | 'STORED_DATA_INVALID'
  /** A live notification over what PostgreSQL's NOTIFY carries. */
  | 'NOTIFICATION_TOO_LARGE'
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  /** The bot itself cannot take the request: not started yet, or its turn failed. */
  | 'BOT_UNAVAILABLE'
  /** The person's channel refused a message for them, or could not be reached. */
  | 'DELIVERY_FAILED'
  | 'STORE_UNAVAILABLE';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Facts that do not match SPEC §4; `field` is the dotted path of the first bad field. */
export class FactsError extends AppError {
  constructor(readonly field: string, message: string) {
    super('FACTS_INVALID', message);
  }
}

/** A rule or advice file that must not be loaded; names the file and, where known, the rule. */
export class RulesError extends AppError {
  constructor(readonly file: string, readonly ruleId: string | undefined, detail: string) {
    super('RULES_INVALID', `${file}${ruleId ? ` (rule "${ruleId}")` : ''}: ${detail}`);
  }
}

/** A setting that stops the start: the message begins with the variable to fix. */
export class ConfigError extends AppError {
  constructor(readonly variable: string, detail: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', `${variable}: ${detail}`, options);
  }
}
