import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConnectorClient, MicrosoftAppCredentials, type ServiceClientCredentials } from 'botframework-connector';
import { ChannelPostError, postingDirectly } from '../../src/bot/activityPoster';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A channel's Connector endpoint that records each request and answers as the test says. */
class ScriptedChannel {
  readonly received: Received[] = [];
  /** How to answer the next requests, in order; afterwards 200 with an id. */
  answers: ((req: http.IncomingMessage, res: http.ServerResponse) => void)[] = [];
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      this.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = this.answers.shift();
      if (answer) return answer(req, res);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `reply-${this.received.length}` }));
    });
  });

  url = '';
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Credentials that sign as AppCredentials do (`headers.set('authorization', …)`) and note the URLs they signed. */
function recordingCredentials(token: string): ServiceClientCredentials & { signed: string[] } {
  const signed: string[] = [];
  return {
    signed,
    signRequest: async (request) => {
      signed.push(request.url);
      request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  };
}

const activity = { type: 'message', text: 'Step 1 of 6: try another camera', channelData: { adviceId: 'camera-other-device' }, timestamp: new Date('2026-12-07T10:00:00.000Z') };

describe('replies posted directly to the channel', () => {
  const channel = new ScriptedChannel();
  beforeAll(() => channel.start());
  afterAll(() => channel.close());
  afterEach(() => {
    channel.received.length = 0;
    channel.answers = [];
  });

  it('posts a reply to the Connector API path, as JSON with the signed token, and returns the channel id', async () => {
    const credentials = recordingCredentials('token-1');
    const client = postingDirectly(new ConnectorClient(credentials, { baseUri: channel.url }), channel.url);

    const response = await client.conversations.replyToActivity('conv 1/a|b', 'act#7', activity);

    expect(response.id).toBe('reply-1');
    const [request] = channel.received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/v3/conversations/conv%201%2Fa%7Cb/activities/act%237');
    expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request?.headers.authorization).toBe('Bearer token-1');
    expect(request?.headers['x-ms-conversation-id']).toBe('conv 1/a|b');
    expect(request?.headers['user-agent']).toMatch(/^Microsoft-BotFramework\/3\.1 botframework-connector\/4\./);
    expect(JSON.parse(request?.body ?? '')).toEqual({ ...activity, timestamp: '2026-12-07T10:00:00.000Z' });
    expect(credentials.signed).toEqual([`${channel.url}/v3/conversations/conv%201%2Fa%7Cb/activities/act%237`]);
  });

  it('sends to the conversation without a reply id, and without a token when the bot has no app id', async () => {
    const client = postingDirectly(new ConnectorClient(MicrosoftAppCredentials.Empty, { baseUri: `${channel.url}/` }), `${channel.url}/`);

    await client.conversations.sendToConversation('conv-2', activity);

    expect(channel.received.map((r) => r.url)).toEqual(['/v3/conversations/conv-2/activities']);
    expect(channel.received[0]?.headers.authorization).toBeUndefined();
  });

  it("keeps the path of a serviceUrl that has one (Teams' regional https://smba.trafficmanager.net/amer/), with or without its last slash", async () => {
    for (const serviceUrl of [`${channel.url}/amer`, `${channel.url}/amer/`]) {
      const client = postingDirectly(new ConnectorClient(MicrosoftAppCredentials.Empty, { baseUri: serviceUrl }), serviceUrl);
      await client.conversations.replyToActivity('a:1Xy', '1718', activity);
    }

    expect(channel.received.map((r) => r.url)).toEqual(['/amer/v3/conversations/a%3A1Xy/activities/1718', '/amer/v3/conversations/a%3A1Xy/activities/1718']);
  });

  it('keeps one connection for the posts of a conversation', async () => {
    const client = postingDirectly(new ConnectorClient(MicrosoftAppCredentials.Empty, { baseUri: channel.url }), channel.url);
    const ports = new Set<number>();
    channel.answers = Array.from({ length: 3 }, () => (req: http.IncomingMessage, res: http.ServerResponse) => {
      ports.add(req.socket.remotePort ?? 0);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"x"}');
    });

    for (let i = 0; i < 3; i++) await client.conversations.replyToActivity('conv-3', `a${i}`, activity);

    expect(ports.size).toBe(1);
  });

  it('answers an empty body with an empty id, as some channels reply', async () => {
    const client = postingDirectly(new ConnectorClient(MicrosoftAppCredentials.Empty, { baseUri: channel.url }), channel.url);
    channel.answers = [(_req, res) => res.writeHead(202).end()];

    expect(await client.conversations.replyToActivity('conv-4', 'a', activity)).toEqual({ id: '' });
  });

  it('fails at once with the status and what the channel said when it refuses (no retry)', async () => {
    const client = postingDirectly(new ConnectorClient(MicrosoftAppCredentials.Empty, { baseUri: channel.url }), channel.url);
    channel.answers = [(_req, res) => res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":{"code":"BotNotInConversationRoster"}}')];

    const failure = await client.conversations.replyToActivity('conv-5', 'a', activity).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ChannelPostError);
    expect(failure).toMatchObject({ statusCode: 403, body: '{"error":{"code":"BotNotInConversationRoster"}}' });
    expect(channel.received).toHaveLength(1);
  });

  it('waits as long as a throttling channel asks (Retry-After) and posts again, signing again', async () => {
    const credentials = recordingCredentials('token-2');
    const client = postingDirectly(new ConnectorClient(credentials, { baseUri: channel.url }), channel.url);
    channel.answers = [(_req, res) => res.writeHead(429, { 'retry-after': '0' }).end()];

    const response = await client.conversations.replyToActivity('conv-6', 'a', activity);

    expect(response.id).toBe('reply-2');
    expect(channel.received).toHaveLength(2);
    expect(credentials.signed).toHaveLength(2);
  });

  it('retries a server error with backoff, at most three times, then reports it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const client = postingDirectly(new ConnectorClient(MicrosoftAppCredentials.Empty, { baseUri: channel.url }), channel.url);
      channel.answers = Array.from({ length: 4 }, () => (_req: http.IncomingMessage, res: http.ServerResponse) => res.writeHead(502).end('bad gateway'));

      const failure = client.conversations.replyToActivity('conv-7', 'a', activity).catch((error: unknown) => error);
      // Each wait is at most the SDK's backoff: 0.8, 1.6, 3.2 s.
      for (let i = 0; i < 3; i++) {
        await vi.waitFor(() => expect(channel.received).toHaveLength(i + 1));
        await vi.advanceTimersByTimeAsync(800 * 2 ** i);
      }

      expect(await failure).toMatchObject({ statusCode: 502, body: 'bad gateway' });
      expect(channel.received).toHaveLength(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it('posts again when the connection is reset (a keep-alive connection the channel dropped)', async () => {
    const client = postingDirectly(new ConnectorClient(MicrosoftAppCredentials.Empty, { baseUri: channel.url }), channel.url);
    channel.answers = [(req) => req.socket.destroy()];

    const response = await client.conversations.sendToConversation('conv-8', activity);

    expect(response.id).toBe('reply-2');
    expect(channel.received).toHaveLength(2);
  });

  it("leaves a caller's options and callbacks, and every other call, to the SDK's client", async () => {
    const client = new ConnectorClient(MicrosoftAppCredentials.Empty, { baseUri: channel.url });
    const sdkReply = vi.spyOn(client.conversations, 'replyToActivity');
    postingDirectly(client, channel.url);

    await client.conversations.replyToActivity('conv-9', 'a', activity, { customHeaders: { 'x-test': 'kept' } });

    expect(sdkReply).toHaveBeenCalledOnce();
    expect(channel.received[0]?.headers['x-test']).toBe('kept');
  });

  it('leaves both calls to the SDK when a proxy is configured, which only its pipeline honours', async () => {
    vi.stubEnv('HTTPS_PROXY', 'http://proxy.invalid:3128');
    try {
      const client = new ConnectorClient(MicrosoftAppCredentials.Empty, { baseUri: channel.url });
      const sdkReply = client.conversations.replyToActivity;
      expect(postingDirectly(client, channel.url).conversations.replyToActivity).toBe(sdkReply);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
