import type { ErrorRequestHandler } from 'express';
import { AppError, type ErrorCode } from '../errors';
import type { Logger } from '../logger';

const STATUS_BY_CODE: Record<ErrorCode, number> = {
  CONFIG_INVALID: 500,
  FACTS_INVALID: 400,
  RULES_INVALID: 500,
  PHRASES_INVALID: 500,
  ETAG_CONFLICT: 409,
  MIGRATION_FAILED: 500,
  STORED_DATA_INVALID: 500,
  NOTIFICATION_TOO_LARGE: 500,
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  BOT_UNAVAILABLE: 502,
  DELIVERY_FAILED: 502,
  STORE_UNAVAILABLE: 503,
};

/** body-parser's errors carry a `type` and a `status`; these are the client's fault. */
function bodyParserStatus(error: unknown): { status: number; message: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  switch ('type' in error ? error.type : undefined) {
    case 'entity.parse.failed':
      return { status: 400, message: 'The request body is not valid JSON.' };
    case 'entity.too.large':
      return { status: 413, message: 'The request body is too large.' };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, message: 'Unsupported body encoding.' };
    case 'request.aborted':
      return { status: 400, message: 'The request was aborted.' };
    default:
      // Others marked as the client's (a corrupt gzip body, a wrong length, an undecodable URL) are a plain 4xx.
      return 'status' in error && typeof error.status === 'number' && error.status >= 400 && error.status < 500 && 'expose' in error && error.expose === true
        ? { status: error.status, message: 'The request could not be read.' }
        : undefined;
  }
}

/**
 * The one place where errors become HTTP answers: client errors say what was wrong, and so do
 * the bot, the person's channel or the store being unreachable (502, 502, 503); anything else is logged in full and answered
 * with a plain 500 (never a stack trace).
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const parsed = bodyParserStatus(error);
    let status: number;
    let body: { error: string; message: string; field?: string };
    if (parsed) {
      status = parsed.status;
      body = { error: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', message: parsed.message };
    } else if (error instanceof AppError) {
      status = STATUS_BY_CODE[error.code];
      // Our own errors' messages are written for the caller; a 500 among them may carry internals.
      body = { error: error.code, message: status !== 500 ? error.message : 'Internal error.' };
      if ('field' in error && typeof error.field === 'string') body.field = error.field;
    } else {
      status = 500;
      body = { error: 'INTERNAL', message: 'Internal error.' };
    }
    if (status >= 500) log.error({ err: error, method: req.method, path: req.path }, 'request failed');
    else log.debug({ status, method: req.method, path: req.path, reason: body.message }, 'request rejected');
    if (res.headersSent) return;
    res.status(status).json(body);
  };
}
