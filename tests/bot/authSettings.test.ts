import { AuthenticationConstants, ClaimsIdentity, GovernmentConstants } from 'botframework-connector';
import { describe, expect, it } from 'vitest';
import { botFrameworkAuthentication, botFrameworkSettings } from '../../src/bot';
import { loadConfig } from '../../src/config';

/** Every Bot Framework setting reaches botbuilder's authentication, as in Microsoft's samples. */
describe('Bot Framework settings', () => {
  it.each([
    ['a password, multi-tenant', { MicrosoftAppId: 'app', MicrosoftAppPassword: 'secret' }, { MicrosoftAppId: 'app', MicrosoftAppPassword: 'secret', MicrosoftAppType: 'MultiTenant' }],
    ['single-tenant, any case', { MicrosoftAppId: 'app', MicrosoftAppPassword: 'secret', MicrosoftAppType: 'singletenant', MicrosoftAppTenantId: 'tenant' }, { MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: 'tenant' }],
    ['a certificate', { MicrosoftAppId: 'app', CertificateThumbprint: 'AB12', CertificatePrivateKey: '-----BEGIN PRIVATE KEY-----' }, { CertificateThumbprint: 'AB12', CertificatePrivateKey: '-----BEGIN PRIVATE KEY-----' }],
    ['a managed identity', { MicrosoftAppId: 'app', MicrosoftAppType: 'USERASSIGNEDMSI', MicrosoftAppTenantId: 'tenant' }, { MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: 'tenant' }],
  ])('credentials: %s', (_name, env, expected) => {
    const { credentials, authentication } = botFrameworkSettings(loadConfig(env));
    expect(credentials).toMatchObject(expected);
    expect(authentication).toMatchObject(expected);
  });

  it('passes ChannelService, OAuthApiEndpoint and a cloud of its own through', () => {
    const own = {
      ChannelService: GovernmentConstants.ChannelService,
      OAuthApiEndpoint: 'https://token.example.gov',
      ValidateAuthority: 'false',
      ToChannelFromBotLoginUrl: 'https://login.example.gov/tenant',
      ToChannelFromBotOAuthScope: 'https://api.example.gov',
      ToBotFromChannelTokenIssuer: 'https://api.example.gov',
      OAuthUrl: 'https://token.example.gov',
      ToBotFromChannelOpenIdMetadataUrl: 'https://login.example.gov/openid',
      ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.example.gov/emulator',
      CallerId: 'urn:botframework:example',
    };
    expect(botFrameworkSettings(loadConfig({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'p', ...own })).authentication).toMatchObject(own);
  });

  it.each([
    ['the US government cloud', GovernmentConstants.ChannelService, GovernmentConstants.ToChannelFromBotOAuthScope, GovernmentConstants.ToChannelFromBotLoginUrl],
    ['the public cloud', undefined, AuthenticationConstants.ToChannelFromBotOAuthScope, AuthenticationConstants.ToChannelFromBotLoginUrl],
  ])('sends to the channel with the credentials of %s', async (_name, channelService, scope, login) => {
    const auth = botFrameworkAuthentication(loadConfig({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'p', ...(channelService ? { ChannelService: channelService } : {}) }));
    const identity = new ClaimsIdentity([{ type: AuthenticationConstants.AudienceClaim, value: 'app' }, { type: AuthenticationConstants.AppIdClaim, value: 'app' }], true);
    const client = await auth.createConnectorFactory(identity).create('https://smba.trafficmanager.net/amer/');
    expect(client.credentials).toMatchObject({ appId: 'app', oAuthScope: scope });
    expect(JSON.stringify(client.credentials)).toContain(login.split('/')[2]);
  });

  it('a local signing-key location keeps the rest of the named cloud', () => {
    const { authentication } = botFrameworkSettings(loadConfig({ MicrosoftAppId: 'app', MicrosoftAppPassword: 'p', ChannelService: GovernmentConstants.ChannelService, BotOpenIdMetadata: 'http://127.0.0.1:9/keys' }));
    expect(authentication).toMatchObject({ ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:9/keys', ToBotFromChannelTokenIssuer: GovernmentConstants.ToBotFromChannelTokenIssuer });
  });
});
