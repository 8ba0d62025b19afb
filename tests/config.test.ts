import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema, loadConfig } from '../src/config';

describe('configuration', () => {
  it('has the defaults of SPEC §2', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3978, DATA_DIR: './data', ESCALATION_TIMEOUT_S: 180, ESCALATION_WHEN_NOBODY_ONLINE: 'file', LOG_LEVEL: 'info', MicrosoftAppId: '' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.STAFF_TOKENS).toBeUndefined();
  });

  it('parses staff tokens into names and tokens', () => {
    const config = loadConfig({ STAFF_TOKENS: 'sam:0123456789abcdef0123, kim:fedcba9876543210fedc' });
    expect(config.STAFF_TOKENS).toEqual([
      { name: 'sam', token: '0123456789abcdef0123' },
      { name: 'kim', token: 'fedcba9876543210fedc' },
    ]);
  });

  it.each([
    [{ PORT: 'eighty' }, /^PORT: /],
    [{ PORT: '70000' }, /^PORT: /],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: must start with postgres/],
    [{ STAFF_TOKENS: 'no-colon-here' }, /^STAFF_TOKENS: expected name:token/],
    [{ STAFF_TOKENS: 'sam:short' }, /^STAFF_TOKENS: .*16 characters/],
    [{ STAFF_WEBHOOK_URL: 'not a url' }, /^STAFF_WEBHOOK_URL: /],
    [{ ESCALATION_TIMEOUT_S: '0' }, /^ESCALATION_TIMEOUT_S: /],
    [{ ESCALATION_WHEN_NOBODY_ONLINE: 'wait' }, /^ESCALATION_WHEN_NOBODY_ONLINE: /],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
    [{ DATABASE_POOL_SIZE: '1000' }, /^DATABASE_POOL_SIZE: /],
    [{ DATABASE_PREPARED_STATEMENTS: 'no' }, /^DATABASE_PREPARED_STATEMENTS: /],
    [{ DATABASE_SCHEMA: 'bot; drop table x' }, /^DATABASE_SCHEMA: must be letters, digits and underscores/],
    [{ DATABASE_SCHEMA: '1st' }, /^DATABASE_SCHEMA: /],
    [{ STAFF_WEBHOOK_FORMAT: 'discord' }, /^STAFF_WEBHOOK_FORMAT: /],
    [{ PUBLIC_URL: 'ftp://example.org' }, /^PUBLIC_URL: /],
    [{ METRICS_TOKEN: 'short' }, /^METRICS_TOKEN: .*16 characters/],
    [{ METRICS_PORT: 'nine' }, /^METRICS_PORT: /],
    [{ SHUTDOWN_DRAIN_S: '-1' }, /^SHUTDOWN_DRAIN_S: /],
    [{ TRUST_PROXY: 'the load balancer' }, /^TRUST_PROXY: expected true, a hop count or addresses/],
    [{ TRUST_PROXY: '10.0.0.0/33' }, /^TRUST_PROXY: /],
    [{ PORT: 'abc' }, /^PORT: must be a whole number from 0 to 65535/],
    [{ port: 'abc' }, /^PORT: must be a whole number from 0 to 65535/],
    [{ MicrosoftAppType: 'Whatever' }, /^MicrosoftAppType: must be one of MultiTenant, SingleTenant, UserAssignedMSI/],
    [{ MicrosoftAppId: 'app', MicrosoftAppPassword: 'p', MicrosoftAppType: 'SingleTenant' }, /^MicrosoftAppTenantId: is required when MicrosoftAppType is SingleTenant/],
    [{ MicrosoftAppId: 'app', MicrosoftAppPassword: 'p', MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: 't' }, /^MicrosoftAppPassword: must be empty for UserAssignedMSI/],
    [{ CertificateThumbprint: 'AB12' }, /^CertificatePrivateKey: CertificateThumbprint and CertificatePrivateKey go together/],
    [{ ChannelService: 'government' }, /^ChannelService: /],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('lists every variable in .env.example', () => {
    const example = fs.readFileSync(path.join(__dirname, '..', '.env.example'), 'utf8');
    for (const name of Object.keys(configSchema.shape)) expect(example).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  it('uses prepared statements on PostgreSQL unless told false', () => {
    expect(loadConfig({}).DATABASE_PREPARED_STATEMENTS).toBe(true);
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'false' }).DATABASE_PREPARED_STATEMENTS).toBe(false);
  });

  it('takes PUBLIC_URL without its trailing slash, and defaults the webhook format and the drain', () => {
    expect(loadConfig({ PUBLIC_URL: 'https://support.example.org/' }).PUBLIC_URL).toBe('https://support.example.org');
    expect(loadConfig({})).toMatchObject({ STAFF_WEBHOOK_FORMAT: 'json', SHUTDOWN_DRAIN_S: 5, SHUTDOWN_TIMEOUT_S: 10 });
  });

  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['true', true],
    ['2', 2],
    ['loopback', 'loopback'],
    ['loopback, 10.0.0.0/8, 192.168.1.5', 'loopback, 10.0.0.0/8, 192.168.1.5'],
  ])("reads TRUST_PROXY=%o as express's trust proxy setting %o", (raw, setting) => {
    expect(loadConfig(raw === undefined ? {} : { TRUST_PROXY: raw }).TRUST_PROXY).toEqual(setting);
  });

  it('reads the port from lowercase `port` too, as the Bot Framework samples do; PORT wins', () => {
    expect(loadConfig({ port: '4100' }).PORT).toBe(4100);
    expect(loadConfig({ PORT: '4101', port: '4100' }).PORT).toBe(4101);
  });

  it('matches MicrosoftAppType without regard to case, as botbuilder does', () => {
    expect(loadConfig({ MicrosoftAppType: 'multitenant' }).MicrosoftAppType).toBe('MultiTenant');
    expect(loadConfig({ MicrosoftAppType: 'SINGLETENANT', MicrosoftAppId: 'a', MicrosoftAppPassword: 'p', MicrosoftAppTenantId: 't' }).MicrosoftAppType).toBe('SingleTenant');
    expect(loadConfig({ MicrosoftAppType: 'userAssignedMsi', MicrosoftAppId: 'a', MicrosoftAppTenantId: 't' }).MicrosoftAppType).toBe('UserAssignedMSI');
  });

  it('treats empty optional variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', STAFF_WEBHOOK_URL: '', STAFF_TOKENS: '' }).DATABASE_URL).toBeUndefined();
  });
});
