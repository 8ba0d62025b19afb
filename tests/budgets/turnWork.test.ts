import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ComponentRegistration, MemoryStorage, TestAdapter, type Activity } from 'botbuilder';
import SqliteDatabase from 'better-sqlite3';
import { ConnectorClient } from 'botframework-connector';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBot } from '../../src/bot';
import { createAdapter } from '../../src/bot/adapter';
import { loadConfig } from '../../src/config';
import { createDiagnoser } from '../../src/diagnosis';
import { engineConstructionCount } from '../../src/diagnosis/diagnoser';
import { LoadClient } from '../../bench/load';
import { diagnosisScripts } from '../../bench/scripts';
import { REPO_ROOT, memoryLogger, startTestBot } from '../helpers/server';
import { sqliteStatementsDuring } from '../helpers/sqlStatements';
import { tempDir } from '../helpers/stores';

/**
 * Budgets of a turn's work (`npm run bench`), guarded by counting work rather than by timing it:
 * rules built once and run only when the facts changed, prepared SQLite statements and connector
 * clients reused from turn to turn. These spy on library internals on purpose: they guard
 * performance, not behaviour.
 */

/** The bot on botbuilder's TestAdapter with its own diagnoser, so the diagnoser's counters are this test's. */
function botWithOwnDiagnoser() {
  const diagnoser = createDiagnoser();
  const config = loadConfig({ PORT: '0', DATA_DIR: tempDir() });
  const { bot } = createBot({
    config,
    log: memoryLogger('warn').log,
    storage: new MemoryStorage(),
    diagnosis: { diagnose: diagnoser.diagnose.bind(diagnoser), ruleFacts: new Set(diagnoser.ruleSet.factNames) },
  });
  const adapter = new TestAdapter((context) => bot.run(context));
  return {
    diagnoser,
    /** A new conversation; `say` returns the texts of the turn's replies. */
    conversation(id: string) {
      const reference = { ...adapter.conversation, conversation: { id, isGroup: false, conversationType: 'personal', name: id } };
      return async (text: string): Promise<string> => {
        const activity: Partial<Activity> = { type: 'message', text, conversation: reference.conversation, from: reference.user, recipient: reference.bot, channelId: reference.channelId };
        await adapter.receiveActivity(activity);
        return adapter.activeQueue.splice(0).map((a) => a.text ?? '').join('\n');
      };
    },
  };
}

const reachFirstStep = ['my webcam says its being used by another program', 'no not live', 'win 10', 'chrome'];

describe('budget: rule runs per turn', () => {
  it('a turn that changes no fact does not run the rules again', async () => {
    const { diagnoser, conversation } = botWithOwnDiagnoser();
    const say = conversation('lean-1');
    let last = '';
    for (const line of reachFirstStep) last = await say(line);
    expect(last).toMatch(/Close other apps/i);
    const runs = diagnoser.stats().engineRuns;
    expect(runs).toBeGreaterThan(0);

    // Words the bot does not understand, and a fact it already knows: replies, but no rule run.
    expect(await say('hmm')).not.toBe('');
    expect(await say('chrome')).not.toBe('');
    expect(diagnoser.stats().engineRuns).toBe(runs);

    // A step outcome changes the facts (steps tried): that is when the rules run again.
    expect(await say("didn't help")).toMatch(/^Step 2 of \d+:/);
    expect(diagnoser.stats().engineRuns).toBeGreaterThan(runs);
  });

  it('a second person in the same situation runs no rules at all', async () => {
    const { diagnoser, conversation } = botWithOwnDiagnoser();
    const first = conversation('lean-a');
    for (const line of [...reachFirstStep, "didn't help", 'that fixed it']) await first(line);
    const runs = diagnoser.stats().engineRuns;
    const second = conversation('lean-b');
    let last = '';
    for (const line of [...reachFirstStep, "didn't help", 'that fixed it']) last = await second(line);
    expect(last).toMatch(/glad it works/i);
    expect(diagnoser.stats().engineRuns).toBe(runs);
  });
});

describe('budget: dialog set-up per turn', () => {
  it('build their memory-scope configuration once, not on every turn', async () => {
    const { conversation } = botWithOwnDiagnoser();
    const say = conversation('lean-scopes');
    await say(reachFirstStep[0] ?? '');
    // The configuration is built from the registered components; a cached one never looks at them.
    const built = vi.spyOn(ComponentRegistration, 'components', 'get');
    for (const line of reachFirstStep.slice(1)) expect(await say(line)).not.toBe('');
    expect(built).not.toHaveBeenCalled();
    built.mockRestore();
  });
});

describe('budget: dialog contexts per turn', () => {
  it('are made once per dialog level a turn: no second inner context for the turn event, no step contexts for the loops', async () => {
    const { conversation } = botWithOwnDiagnoser();
    const say = conversation('lean-contexts');
    await say(reachFirstStep[0] ?? '');
    // Each dialog context builds a memory-scope manager, which registers the dialogs' components first.
    const contexts = vi.spyOn(ComponentRegistration, 'add');
    const lines = [...reachFirstStep.slice(1), "didn't help", 'already tried that', "didn't help"];
    for (const line of lines) expect(await say(line)).not.toBe('');
    // 2.7 a turn on this walk: the outer context, the main dialog's inner one, and the steps' on a
    // step's turn. 6.3 when inner contexts were made twice and the loops were waterfalls.
    expect(contexts.mock.calls.length / lines.length).toBeLessThanOrEqual(3);
    contexts.mockRestore();
  });
});

describe('budget: modules loaded', () => {
  it("the bot's modules leave botbuilder-dialogs' prompts and language recognizers unloaded", () => {
    const script = "require('./src/main'); console.log(JSON.stringify(Object.keys(require.cache).filter((k) => k.includes('recognizers-text') || k.endsWith('botbuilder-dialogs/lib/index.js'))))";
    const loaded: unknown = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' }));
    expect(loaded).toEqual([]);
  });
});

describe('budget: statements and engines of the served bot', () => {
  let bot: Awaited<ReturnType<typeof startTestBot>>;
  let client: LoadClient;
  let enginesBefore: number;
  beforeAll(async () => {
    enginesBefore = engineConstructionCount();
    bot = await startTestBot({ LOG_LEVEL: 'warn' });
    client = new LoadClient(bot.url, 4);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await client.close();
    await bot.close();
  });

  it("answers every turn of the benchmark's conversations as the scripts expect", async () => {
    const result = await client.run(diagnosisScripts, { conversations: diagnosisScripts.length * 2, concurrency: 4, maxMs: 60_000 });
    expect(result.errorSamples).toEqual([]);
    expect(result.conversations).toBe(diagnosisScripts.length * 2);
  });

  it('builds the rules engine once for the process, however many conversations', async () => {
    await client.run(diagnosisScripts, { conversations: diagnosisScripts.length, concurrency: 2, maxMs: 60_000 });
    expect(engineConstructionCount() - enginesBefore).toBe(1);
  });

  it('prepares no SQL statement again once the turns are warm', async () => {
    await client.run(diagnosisScripts, { conversations: diagnosisScripts.length, concurrency: 2, maxMs: 60_000 });
    const prepare = vi.spyOn(SqliteDatabase.prototype, 'prepare');
    const result = await client.run(diagnosisScripts, { conversations: diagnosisScripts.length, concurrency: 2, maxMs: 60_000 });
    expect(result.errors).toBe(0);
    // The escalation timeout poller runs on its own clock (once a second): its first read may
    // fall in this window on a busy machine, and it is no turn's statement.
    const sources = prepare.mock.calls.map(([source]) => String(source)).filter((source) => !/^select "id" from "escalations" where "status" = \? and "due_at" <= \?/.test(source));
    expect(sources).toEqual([]);
  });

  it('costs two SQL statements a turn — state write, one transcript insert — reads the state it saved from memory, and leaves the escalation tables alone', async () => {
    const { result, sources: seen } = await sqliteStatementsDuring(() => client.run(diagnosisScripts, { conversations: diagnosisScripts.length, concurrency: 1, maxMs: 60_000 }));
    expect(result.errors).toBe(0);
    // The escalation timeout poller reads on its own clock (once a second), not per turn: a run
    // slowed down by a busy machine would otherwise count its reads.
    const dueQuery = /^select "id" from "escalations" where "status" = \? and "due_at" <= \?/;
    const sources = seen.filter((source) => !dueQuery.test(source));
    // The cache's check that no other connection wrote the file: a pragma, no table read.
    const versionChecks = sources.filter((source) => source === 'PRAGMA data_version');
    const statements = sources.filter((source) => source !== 'PRAGMA data_version');
    expect(versionChecks.length / result.turns).toBeLessThanOrEqual(1);
    // A conversation's state is read from the store on its first two turns (the join saves a new
    // state unconditionally, which the cache does not keep); after that from memory.
    expect(statements.filter((source) => /from "bot_state"/.test(source)).length / result.conversations).toBeLessThanOrEqual(2);
    expect(statements.length / result.turns).toBeLessThanOrEqual(2.3);
    expect(statements.filter((source) => /escalations|support_records/.test(source))).toEqual([]);
  });
  it('commits less than once a turn under load: the turns in flight share their commits', async () => {
    const busy = new LoadClient(bot.url, 16);
    try {
      type Statement = { source: string; database: { inTransaction: boolean }; run: (...args: unknown[]) => unknown };
      const statement = Object.getPrototypeOf(new SqliteDatabase(':memory:').prepare('select 1')) as Statement;
      const run = statement.run;
      let commits = 0;
      // A commit: an explicit one, or a write run outside any transaction (autocommit).
      vi.spyOn(statement, 'run').mockImplementation(function (this: Statement, ...args: unknown[]) {
        if (/^commit/i.test(this.source) || (!/^(begin|select)/i.test(this.source) && !this.database.inTransaction)) commits++;
        return run.apply(this, args);
      });
      const result = await busy.run(diagnosisScripts, { conversations: diagnosisScripts.length * 4, concurrency: 16, maxMs: 60_000 });
      expect(result.errors).toBe(0);
      expect(commits / result.turns).toBeLessThan(1);
    } finally {
      await busy.close();
    }
  });
});

describe('the adapter', () => {
  it('reuses the connector and user-token clients from turn to turn instead of building them per turn', async () => {
    const adapter = createAdapter(loadConfig({ PORT: '0', DATA_DIR: tempDir() }), memoryLogger('warn').log);
    const clients: unknown[] = [];
    const tokenClients: unknown[] = [];
    const activity = (id: string): Activity => ({
      type: 'message', text: 'hi', id, channelId: 'test', serviceUrl: 'http://127.0.0.1:9/unused', deliveryMode: 'expectReplies',
      conversation: { id: 'reuse', isGroup: false, conversationType: 'personal', name: 'reuse' },
      from: { id: 'alex', name: 'Alex' }, recipient: { id: 'bot', name: 'bot' },
      timestamp: new Date(), localTimezone: '', callerId: '', label: '', valueType: '', listenFor: [],
    });
    for (const id of ['1', '2', '3']) {
      await adapter.runTurn(activity(id), '', async (context) => {
        clients.push(context.turnState.get(adapter.ConnectorClientKey));
        tokenClients.push(context.turnState.get(adapter.UserTokenClientKey));
      });
    }
    expect(clients[0]).toBeDefined();
    expect(new Set(clients).size).toBe(1);
    expect(tokenClients[0]).toBeDefined();
    expect(new Set(tokenClients).size).toBe(1);
  });

  it("posts each reply as one request of its own, not through the SDK client's operation pipeline", async () => {
    const posted: string[] = [];
    const channel = http.createServer((req, res) => {
      posted.push(`${req.method ?? ''} ${req.url ?? ''}`);
      req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"r"}'));
    });
    await new Promise<void>((resolve) => channel.listen(0, '127.0.0.1', resolve));
    const serviceUrl = `http://127.0.0.1:${(channel.address() as AddressInfo).port}`;
    const pipeline = vi.spyOn(Object.getPrototypeOf(ConnectorClient.prototype) as { sendOperationRequest: () => unknown }, 'sendOperationRequest');
    try {
      const adapter = createAdapter(loadConfig({ PORT: '0', DATA_DIR: tempDir() }), memoryLogger('warn').log);
      const activity: Activity = {
        type: 'message', text: 'hi', id: 'in-1', channelId: 'emulator', serviceUrl,
        conversation: { id: 'posts', isGroup: false, conversationType: 'personal', name: 'posts' },
        from: { id: 'alex', name: 'Alex' }, recipient: { id: 'bot', name: 'bot' },
        timestamp: new Date(), localTimezone: '', callerId: '', label: '', valueType: '', listenFor: [],
      };
      await adapter.runTurn(activity, '', async (context) => {
        await context.sendActivity('one');
        await context.sendActivities([{ type: 'message', text: 'two' }, { type: 'message', text: 'three' }]);
      });
      expect(posted).toEqual(Array.from({ length: 3 }, () => 'POST /v3/conversations/posts/activities/in-1'));
      expect(pipeline).not.toHaveBeenCalled();
    } finally {
      pipeline.mockRestore();
      channel.closeAllConnections();
      await new Promise((resolve) => channel.close(resolve));
    }
  });

  it('reuses the connector client from one proactive send to the next (staff replies, queue updates)', async () => {
    const adapter = createAdapter(loadConfig({ PORT: '0', DATA_DIR: tempDir() }), memoryLogger('warn').log);
    const reference = {
      channelId: 'test', serviceUrl: 'http://127.0.0.1:9/unused', bot: { id: 'bot', name: 'bot' }, user: { id: 'alex', name: 'Alex' },
      conversation: { id: 'proactive-reuse', isGroup: false, conversationType: 'personal', name: 'proactive-reuse' },
    };
    const clients: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      await adapter.continueConversationAsync('', reference, async (context) => {
        clients.push(context.turnState.get(adapter.ConnectorClientKey));
      });
    }
    expect(clients[0]).toBeDefined();
    expect(new Set(clients).size).toBe(1);
  });
});
