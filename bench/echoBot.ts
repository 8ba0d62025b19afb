import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import {
  ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConversationState,
  MemoryStorage,
  type TurnContext,
} from 'botbuilder';

/**
 * The yardstick of `npm run bench`: a plain botbuilder EchoBot as the samples build it —
 * CloudAdapter with authentication off, `ConversationState` on `MemoryStorage`, express with
 * express.json() — that replies "You said: <text>" and saves its state every turn.
 */
class EchoBot extends ActivityHandler {
  constructor(private readonly conversationState: ConversationState) {
    super();
    const turns = conversationState.createProperty<number>('turns');
    this.onMessage(async (context, next) => {
      await turns.set(context, (await turns.get(context, 0)) + 1);
      await context.sendActivity(`You said: ${context.activity.text ?? ''}`);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    await super.run(context);
    await this.conversationState.saveChanges(context, false);
  }
}

export async function startEchoBot(port = 0): Promise<{ url: string; server: http.Server }> {
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const bot = new EchoBot(new ConversationState(new MemoryStorage()));
  const app = express();
  app.use(express.json());
  app.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => bot.run(context));
  });
  const server = http.createServer(app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${address.port}`, server };
}

if (require.main === module) {
  startEchoBot(Number(process.env.PORT ?? 0)).then(
    ({ server }) => {
      const { port } = server.address() as AddressInfo;
      process.stdout.write(`${JSON.stringify({ level: 30, port, msg: 'EchoBot listening' })}\n`);
      process.once('SIGTERM', () => server.close(() => process.exit(0)));
      process.once('SIGINT', () => server.close(() => process.exit(0)));
    },
    (error: unknown) => {
      process.stderr.write(`EchoBot failed to start: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
