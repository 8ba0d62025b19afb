import { describe, expect, it } from 'vitest';
import { STAFF_SIGN_IN_FAILURES_PER_MINUTE } from '../../src/escalation/staffAuth';
import { botForSuite } from '../helpers/server';
import { STAFF, STAFF_TOKENS, StaffClient } from '../helpers/staff';

describe('staff sign-in', () => {
  const suite = botForSuite({ STAFF_TOKENS });

  it('is rate-limited: after too many wrong tokens from one address, even the right one waits', async () => {
    expect((await new StaffClient(suite.bot.url, STAFF.sam).get('/api/escalations')).status).toBe(200);
    const guesser = new StaffClient(suite.bot.url, 'guess-0000000000000000');
    for (let i = 0; i < STAFF_SIGN_IN_FAILURES_PER_MINUTE; i++) expect((await guesser.get('/api/escalations')).status).toBe(401);
    expect((await guesser.get('/api/escalations')).status).toBe(429);
    const rightToken = await new StaffClient(suite.bot.url, STAFF.sam).get('/api/escalations');
    expect(rightToken.status).toBe(429);
    expect(rightToken.body).toMatchObject({ error: 'RATE_LIMITED' });
    // The feed's query-token sign-in counts against the same limit.
    expect((await fetch(`${suite.bot.url}/api/staff/events?token=${STAFF.sam}`)).status).toBe(429);
  });
});
