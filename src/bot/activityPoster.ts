import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { Activity, ResourceResponse } from 'botbuilder';
import type { ConnectorClient, ServiceClientCredentials } from 'botframework-connector';

/** The user agent botframework-connector's own client sends (its ConnectorFactoryImpl's). */
const USER_AGENT = `Microsoft-BotFramework/3.1 botframework-connector/${(createRequire(__filename)('botframework-connector/package.json') as { version: string }).version}`;

/**
 * The two connector calls every turn makes — `replyToActivity` and `sendToConversation` — posted
 * as plain JSON over a keep-alive connection, with the client's own credentials.
 *
 * botbuilder's connector client sends each one through @azure/core-client: the activity walked
 * field by field against the schema's mapper, then a pipeline of a dozen asynchronous policies
 * (request id, user agent, tracing, redirects, retries, a WebResource copy to sign, headers merged
 * twice). On a turn that is about a sixth of the bot's CPU, more than the SQL store. The request
 * on the wire is the same: the Connector API's path, JSON body, `Authorization` from the same
 * credentials, a Bot Framework user agent, and the SDK pipeline's retry rules (below).
 *
 * Every other call (updates, deletes, members, attachments) keeps the SDK's client, and so do
 * both calls when a proxy is configured in the environment, which only the SDK's pipeline honours.
 * Unlike that pipeline, a redirect is not followed: it is a failure like any other 3xx (channels
 * answer these posts with 200 or 201).
 */
export function postingDirectly(client: ConnectorClient, serviceUrl: string): ConnectorClient {
  if (proxyConfigured()) return client;
  const poster = new ActivityPoster(serviceUrl, client.credentials);
  const conversations = client.conversations;
  const sdkReply = conversations.replyToActivity.bind(conversations);
  const sdkSend = conversations.sendToConversation.bind(conversations);
  // Only the promise form, as botbuilder calls them; a caller with options or a callback gets the SDK's.
  conversations.replyToActivity = ((conversationId: string, activityId: string, activity: Partial<Activity>, ...rest: unknown[]) =>
    rest.length > 0
      ? (sdkReply as (...args: unknown[]) => unknown)(conversationId, activityId, activity, ...rest)
      : poster.post(`v3/conversations/${encodeURIComponent(conversationId)}/activities/${encodeURIComponent(activityId)}`, conversationId, activity)) as typeof conversations.replyToActivity;
  conversations.sendToConversation = ((conversationId: string, activity: Partial<Activity>, ...rest: unknown[]) =>
    rest.length > 0
      ? (sdkSend as (...args: unknown[]) => unknown)(conversationId, activity, ...rest)
      : poster.post(`v3/conversations/${encodeURIComponent(conversationId)}/activities`, conversationId, activity)) as typeof conversations.sendToConversation;
  return client;
}

/** The proxy variables @azure/core-rest-pipeline's proxy policy reads. */
function proxyConfigured(): boolean {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'].some((name) => Boolean(process.env[name]));
}

/** A channel's refusal or failure, as the SDK's RestError carries it: the HTTP status and what the channel said. */
export class ChannelPostError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: string,
    url: string,
  ) {
    super(`The channel answered ${statusCode} to POST ${url}${body ? `: ${body.slice(0, 500)}` : ''}`);
    this.name = 'ChannelPostError';
  }
}

/** Retries after the first attempt, and the backoff, as @azure/core-rest-pipeline's default retry policy. */
const MAX_RETRIES = 3;
const RETRY_DELAY_MS = 800;
const MAX_RETRY_DELAY_MS = 64_000;
/** Connection failures the SDK's pipeline retries. */
const RETRIED_ERRORS = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'ENOTFOUND']);

interface PostResult {
  status: number;
  body: string;
  retryAfter: string | undefined;
}

class ActivityPoster {
  private readonly base: URL;
  private readonly transport: typeof http | typeof https;
  private readonly agent: http.Agent;

  constructor(
    serviceUrl: string,
    private readonly credentials: ServiceClientCredentials,
  ) {
    this.base = new URL(serviceUrl.endsWith('/') ? serviceUrl : `${serviceUrl}/`);
    this.transport = this.base.protocol === 'http:' ? http : https;
    this.agent = new this.transport.Agent({ keepAlive: true });
  }

  async post(path: string, conversationId: string, activity: Partial<Activity>): Promise<ResourceResponse> {
    const url = new URL(path, this.base);
    const body = JSON.stringify(activity);
    for (let attempt = 0; ; attempt++) {
      let result: PostResult;
      try {
        result = await this.send(url, conversationId, body);
      } catch (error) {
        if (attempt >= MAX_RETRIES || !RETRIED_ERRORS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
        await sleep(backoff(attempt));
        continue;
      }
      if (result.status >= 200 && result.status < 300) return parseResource(result.body);
      const wait = retryWait(result, attempt);
      if (wait === undefined) throw new ChannelPostError(result.status, result.body, url.href);
      await sleep(wait);
    }
  }

  /** One attempt: the headers signed anew each time (a token may have been refreshed). */
  private async send(url: URL, conversationId: string, body: string): Promise<PostResult> {
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      accept: '*/*',
      'user-agent': USER_AGENT,
      'x-ms-conversation-id': conversationId,
      'content-length': String(Buffer.byteLength(body)),
    };
    await this.credentials.signRequest(signable(url.href, headers));
    return new Promise<PostResult>((resolve, reject) => {
      const request = this.transport.request(url, { method: 'POST', headers, agent: this.agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const retryAfter = response.headers['retry-after'];
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter });
        });
      });
      request.on('error', reject);
      request.end(body);
    });
  }
}

/**
 * What a ServiceClientCredentials signs: the SDK hands it a WebResource, of which credentials
 * use the URL, the method and `headers.set` (AppCredentials sets `authorization`).
 */
function signable(url: string, headers: Record<string, string>): Parameters<ServiceClientCredentials['signRequest']>[0] {
  const resource = {
    url,
    method: 'POST',
    headers: {
      set: (name: string, value: string | number) => void (headers[name.toLowerCase()] = String(value)),
      get: (name: string) => headers[name.toLowerCase()],
      contains: (name: string) => name.toLowerCase() in headers,
    },
  };
  return resource as unknown as Parameters<ServiceClientCredentials['signRequest']>[0];
}

/** How long to wait before the next attempt after an answer, or undefined when it is final (the SDK's rules). */
function retryWait(result: PostResult, attempt: number): number | undefined {
  if (attempt >= MAX_RETRIES) return undefined;
  // Throttled: as long as the channel asks.
  if ((result.status === 429 || result.status === 503) && result.retryAfter !== undefined) {
    const asked = retryAfterMs(result.retryAfter);
    if (asked !== undefined) return asked;
  }
  const transient = (result.status >= 500 || result.status === 408) && result.status !== 501 && result.status !== 505;
  return transient ? backoff(attempt) : undefined;
}

function retryAfterMs(header: string): number | undefined {
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Exponential, capped, with half of it random: the SDK pipeline's backoff. */
function backoff(attempt: number): number {
  const delay = Math.min(MAX_RETRY_DELAY_MS, RETRY_DELAY_MS * 2 ** attempt);
  return delay / 2 + Math.random() * (delay / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A channel answers a post with `{id}`; some answer with an empty body. */
function parseResource(body: string): ResourceResponse {
  if (!body) return { id: '' };
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && typeof (parsed as { id?: unknown }).id === 'string' ? { id: (parsed as { id: string }).id } : { id: '' };
  } catch {
    return { id: '' };
  }
}
