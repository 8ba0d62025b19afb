import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { memoryLogger, startTestBot } from '../helpers/server';
import { Conversation } from '../helpers/talk';

const SECRET_PASSWORD = 'app-password-never-logged-123';
const SECRET_TOKEN = 'staff-token-never-logged-456';

describe('logs', () => {
  it('redact secrets wherever they appear in a logged object', () => {
    const { log, lines } = memoryLogger();
    const config = loadConfig({ MicrosoftAppPassword: SECRET_PASSWORD, STAFF_TOKENS: `sam:${SECRET_TOKEN}` });
    log.info({ config }, 'config');
    log.info({ headers: { authorization: `Bearer ${SECRET_TOKEN}` }, token: SECRET_TOKEN }, 'request');
    const all = lines.join('\n');
    expect(all).not.toContain(SECRET_PASSWORD);
    expect(all).not.toContain(SECRET_TOKEN);
    expect(all).toContain('[redacted]');
  });

  it('of a running bot never carry the app password or staff tokens', async () => {
    const bot = await startTestBot({ MicrosoftAppPassword: SECRET_PASSWORD, STAFF_TOKENS: `sam:${SECRET_TOKEN}` });
    const person = new Conversation(bot.url);
    await person.join();
    await person.say('my camera is blocked');
    await bot.close();
    const all = bot.logs.join('\n');
    expect(all).toMatch(/"msg":"turn"/);
    expect(all).not.toContain(SECRET_PASSWORD);
    expect(all).not.toContain(SECRET_TOKEN);
  });
});
