import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * One JSON logger for the process. Secrets are redacted by path, wherever they appear in a
 * logged object, so a careless `log.info({ config })` or `{ req }` cannot leak them.
 */
export const REDACTED_PATHS = [
  'MicrosoftAppPassword', '*.MicrosoftAppPassword',
  'STAFF_TOKENS', '*.STAFF_TOKENS',
  'DATABASE_URL', '*.DATABASE_URL',
  'token', '*.token', 'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'password', '*.password',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'tech-support-bot' } }, destination);
}
