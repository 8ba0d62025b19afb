import path from 'node:path';
import proxyAddr from 'proxy-addr';
import { z } from 'zod';
import { ConfigError } from './errors';
import { firstIssue } from './validation';

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
const optionalText = z.preprocess(emptyAsUndefined, z.string().optional());
const optionalUrl = z.preprocess(emptyAsUndefined, z.string().url().optional());

const PORT_RULE = 'must be a whole number from 0 to 65535 (0 picks a free port)';
const port = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined),
  z.string().regex(/^\d{1,5}$/, PORT_RULE).transform(Number).pipe(z.number().max(65535, PORT_RULE)).default('3978'),
);

/** As botbuilder's credential factory reads it: without regard to case, MultiTenant when unset. */
const APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;
const appType = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() !== '' ? (APP_TYPES.find((t) => t.toLowerCase() === value.trim().toLowerCase()) ?? value) : undefined),
  z.enum(APP_TYPES, { errorMap: () => ({ message: `must be one of ${APP_TYPES.join(', ')} (any case)` }) }).default('MultiTenant'),
);

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

/** A PostgreSQL schema name the store may put in `search_path` as it is. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/i;

export const configSchema = z.object({
  /** Also read from lowercase `port`, as Microsoft's bot samples do. */
  PORT: port,
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.preprocess(emptyAsUndefined, z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://').optional()),
  /** The PostgreSQL schema of the store's tables, created when missing; unset: `public`. Tests and benchmarks give each run its own. */
  DATABASE_SCHEMA: z.preprocess(emptyAsUndefined, z.string().regex(SCHEMA_NAME, 'must be letters, digits and underscores, not starting with a digit').optional()),
  /** Pooled PostgreSQL connections per instance; instances × this must stay under the server's max_connections. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(100).default(10),
  /**
   * The store's statements as named (prepared) ones, parsed once per connection; `false` behind a
   * pooler that does not keep them from one transaction to the next (PgBouncer before 1.21 in
   * transaction mode).
   */
  DATABASE_PREPARED_STATEMENTS: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).default('true')).transform((value) => value === 'true'),
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
  /**
   * Milliseconds a turn may go without answering before the person sees the bot typing; 0: at the
   * start of every turn. Most turns answer within milliseconds, and an indicator sent first costs a
   * round trip to the channel before every answer; botbuilder's ShowTypingMiddleware waits 500 ms too.
   */
  TYPING_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(500),
  ESCALATION_TIMEOUT_S: z.coerce.number().int().min(1).max(86_400).default(180),
  /** `file`: with no staff console open anywhere, file a support record at once instead of queueing. */
  ESCALATION_WHEN_NOBODY_ONLINE: z.enum(['file', 'queue']).default('file'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest JSON body accepted on any route; Azure's activity limit is 256 KB. */
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must be a size like 300kb').default('300kb'),
  /** Which proxies' X-Forwarded-For the client address (rate limits, the Connector half's loopback check) is read from. */
  TRUST_PROXY: trustProxySchema.default(''),
  // The Bot Framework settings, under the names Azure Bot Service and botbuilder use; they reach
  // botbuilder's authentication as in Microsoft's samples (src/bot/adapter.ts).
  MicrosoftAppId: z.string().default(''),
  MicrosoftAppPassword: z.string().default(''),
  MicrosoftAppType: appType,
  MicrosoftAppTenantId: z.string().default(''),
  /** Certificate instead of a password (both or neither). */
  CertificateThumbprint: optionalText,
  CertificatePrivateKey: optionalText,
  /** `https://botframework.azure.us` for the US government cloud; unset for the public cloud. */
  ChannelService: optionalUrl,
  /** Token service for OAuth sign-in (unused by this bot's dialogs, passed on as botbuilder reads it). */
  OAuthApiEndpoint: optionalUrl,
  /** Where the channel publishes its token-signing keys. Unset: Microsoft's (production); tests point it at a local JWKS. */
  BotOpenIdMetadata: optionalUrl,
  // A cloud of one's own (sovereign clouds, test rigs): all of these, as botbuilder requires.
  ValidateAuthority: z.preprocess(emptyAsUndefined, z.enum(['true', 'false']).optional()),
  ToChannelFromBotLoginUrl: optionalUrl,
  ToChannelFromBotOAuthScope: optionalText,
  ToBotFromChannelTokenIssuer: optionalText,
  OAuthUrl: optionalUrl,
  ToBotFromChannelOpenIdMetadataUrl: optionalUrl,
  ToBotFromEmulatorOpenIdMetadataUrl: optionalUrl,
  CallerId: optionalText,
});

/** What botbuilder would refuse later with an assertion, said at start against the variable. */
const checkedSchema = configSchema.superRefine((c, ctx) => {
  const issue = (path: string, message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
  if ((c.CertificateThumbprint === undefined) !== (c.CertificatePrivateKey === undefined)) {
    issue(c.CertificateThumbprint ? 'CertificatePrivateKey' : 'CertificateThumbprint', 'CertificateThumbprint and CertificatePrivateKey go together');
  }
  if (c.MicrosoftAppType !== 'MultiTenant' && c.MicrosoftAppId && !c.MicrosoftAppTenantId) issue('MicrosoftAppTenantId', `is required when MicrosoftAppType is ${c.MicrosoftAppType}`);
  if (c.MicrosoftAppType === 'UserAssignedMSI' && c.MicrosoftAppPassword) issue('MicrosoftAppPassword', 'must be empty for UserAssignedMSI (the managed identity has no password)');
  if (c.MicrosoftAppType === 'SingleTenant' && c.MicrosoftAppId && !c.MicrosoftAppPassword && !c.CertificateThumbprint) issue('MicrosoftAppPassword', 'is required for SingleTenant unless a certificate is set');
});

export type Config = z.infer<typeof checkedSchema> & { dataDir: string };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const picked: Record<string, string | undefined> = Object.fromEntries(Object.keys(configSchema.shape).map((key) => [key, env[key]]));
  picked.PORT ??= env.port;
  const result = checkedSchema.safeParse(picked);
  if (!result.success) {
    // Every variable is a top-level key, so the path is the variable's name.
    const issue = firstIssue(result.error);
    throw new ConfigError(issue.path || 'environment', issue.message);
  }
  return { ...result.data, dataDir: path.resolve(result.data.DATA_DIR) };
}
