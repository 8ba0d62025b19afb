import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import { STAFF_SIGN_IN_FAILURES_PER_MINUTE, staffAuth } from '../../src/escalation/staffAuth';
import type { RateLimit } from '../../src/store';
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

describe('staff sign-in: the failure count is read once per address and few seconds', () => {
  const token = 'sam-token-0123456789abcdef';
  /** A failure count as the store keeps it (on PostgreSQL, for every instance): counts its reads. */
  const counted = () => {
    const state = { limited: false, reads: 0, failures: 0 };
    const failures: RateLimit = {
      limit: STAFF_SIGN_IN_FAILURES_PER_MINUTE,
      isLimited: async () => {
        state.reads++;
        return state.limited;
      },
      take: async () => {
        state.failures++;
        return state.limited ? { allowed: false, retryAfterS: 60 } : { allowed: true };
      },
    };
    return { state, failures };
  };
  /** One request through the middleware: 'ok', or the error code it answered with. */
  const signIn = async (auth: ReturnType<typeof staffAuth>, presented: string | undefined, ip = '10.0.0.7'): Promise<string> => {
    const req = { ip, headers: presented ? { authorization: `Bearer ${presented}` } : {}, query: {} };
    const res = { setHeader: () => undefined };
    let passed = false;
    try {
      await auth(req as never, res as never, () => (passed = true));
    } catch (error) {
      return error instanceof AppError ? error.code : String(error);
    }
    return passed ? 'ok' : 'stalled';
  };

  it('a right token from an address just checked is not checked again; another address is', async () => {
    const { state, failures } = counted();
    const auth = staffAuth([{ name: 'Sam', token }], { failures });
    expect(await signIn(auth, token)).toBe('ok');
    expect(await signIn(auth, token)).toBe('ok');
    expect(await signIn(auth, token)).toBe('ok');
    expect(state.reads).toBe(1);
    expect(await signIn(auth, token, '10.0.0.8')).toBe('ok');
    expect(state.reads).toBe(2);
  });

  it('is checked again once the time is up', async () => {
    const { state, failures } = counted();
    const auth = staffAuth([{ name: 'Sam', token }], { failures, verifiedKeptMs: 40 });
    expect(await signIn(auth, token)).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, 80));
    state.limited = true;
    expect(await signIn(auth, token)).toBe('RATE_LIMITED');
    expect(state.reads).toBe(2);
  });

  it('a wrong token from that address here counts, and the right one is checked again (and refused once over the limit)', async () => {
    const { state, failures } = counted();
    const auth = staffAuth([{ name: 'Sam', token }], { failures });
    expect(await signIn(auth, token)).toBe('ok');
    expect(await signIn(auth, 'guess-0000000000000000')).toBe('UNAUTHORIZED');
    expect(state.failures).toBe(1);
    expect(await signIn(auth, token)).toBe('ok');
    expect(state.reads).toBe(3);
    // Over the limit (counted on any instance): the guesser's next try refuses the address.
    state.limited = true;
    expect(await signIn(auth, 'guess-0000000000000001')).toBe('RATE_LIMITED');
    expect(await signIn(auth, token)).toBe('RATE_LIMITED');
    // A request with no token is checked every time, and refused too.
    expect(await signIn(auth, undefined)).toBe('RATE_LIMITED');
  });
});
