import path from 'node:path';
import proxyAddr from 'proxy-addr';
import { z } from 'zod';
import { ConfigError } from './errors';

/**
 * Configuration from the environment (SPEC §2). The variable names are fixed: deployments and
 * Azure Bot Service rely on them. Validated once at start-up; `loadConfig` throws a
 * `ConfigError` naming the first bad variable.
 */
const staffTokensSchema = z
  .string()
  .transform((raw, ctx) => {
    const staff: { name: string; token: string }[] = [];
    for (const pair of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
      const colon = pair.indexOf(':');
      const name = pair.slice(0, colon).trim();
      const token = pair.slice(colon + 1).trim();
      if (colon <= 0 || !name || token.length < 16) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'expected name:token pairs separated by commas, each token at least 16 characters' });
        return z.NEVER;
      }
      staff.push({ name, token });
    }
    return staff;
  });

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

/**
 * Express's `trust proxy` setting, spelled as in its documentation: `true`, a number of hops,
 * or addresses and subnets (`loopback`, `10.0.0.0/8, 192.168.1.5`). Unset: no proxy is
 * trusted and the socket's address is the client's.
 */
const trustProxySchema = z
  .string()
  .trim()
  .transform((raw, ctx): boolean | number | string => {
    if (raw === '' || raw === 'false') return false;
    if (raw === 'true') return true;
    if (/^\d+$/.test(raw)) return Number(raw);
    try {
      proxyAddr.compile(raw.split(',').map((entry) => entry.trim()));
    } catch (error) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected true, a hop count or addresses/subnets separated by commas (${error instanceof Error ? error.message : 'invalid'})` });
      return z.NEVER;
    }
    return raw;
  });

export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.preprocess(emptyAsUndefined, z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://').optional()),
  /** Pooled PostgreSQL connections per instance; instances × this must stay under the server's max_connections. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(100).default(10),
  STAFF_TOKENS: z.preprocess(emptyAsUndefined, staffTokensSchema.optional()),
  STAFF_WEBHOOK_URL: z.preprocess(emptyAsUndefined, z.string().url().optional()),
  /** What the webhook expects: plain JSON, a Teams Workflows Adaptive Card, or a Slack message. */
  STAFF_WEBHOOK_FORMAT: z.preprocess(emptyAsUndefined, z.enum(['json', 'teams', 'slack']).default('json')),
  /** Where people reach this service from outside (the webhook links to the staff console there). */
  PUBLIC_URL: z.preprocess(emptyAsUndefined, z.string().url().regex(/^https?:\/\//, 'must be an http(s) URL').transform((url) => url.replace(/\/+$/, '')).optional()),
  /** Bearer token for `GET /metrics` on the main port; unset with METRICS_PORT unset: no metrics served. */
  METRICS_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  /** Serves `GET /metrics` on this port instead (one a cluster's scraper reaches and the public does not). */
  METRICS_PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).optional()),
  /** Seconds `/readyz` answers 503 after SIGTERM while turns are still served, so load balancers move away first. */
  SHUTDOWN_DRAIN_S: z.coerce.number().min(0).max(300).default(5),
  /** Seconds in-flight requests get to finish once the listener has stopped accepting. */
  SHUTDOWN_TIMEOUT_S: z.coerce.number().min(1).max(300).default(10),
  ESCALATION_TIMEOUT_S: z.coerce.number().int().min(1).max(86_400).default(300),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest JSON body accepted on any route; Azure's activity limit is 256 KB. */
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must be a size like 300kb').default('300kb'),
  /** Which proxies' X-Forwarded-For the client address (rate limits, the Connector half's loopback check) is read from. */
  TRUST_PROXY: trustProxySchema.default(''),
  MicrosoftAppId: z.string().default(''),
  MicrosoftAppPassword: z.string().default(''),
  MicrosoftAppType: z.preprocess(emptyAsUndefined, z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant')),
  MicrosoftAppTenantId: z.string().default(''),
  /** Where the channel publishes its token-signing keys. Unset: Microsoft's (production); tests point it at a local JWKS. */
  BotOpenIdMetadata: z.preprocess(emptyAsUndefined, z.string().url().optional()),
});

export type Config = z.infer<typeof configSchema> & { dataDir: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const picked = Object.fromEntries(Object.keys(configSchema.shape).map((key) => [key, env[key]]));
  const result = configSchema.safeParse(picked);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(String(issue?.path[0] ?? 'environment'), issue?.message ?? 'invalid value');
  }
  return { ...result.data, dataDir: path.resolve(result.data.DATA_DIR) };
}
