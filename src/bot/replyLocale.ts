import type { Middleware, TurnContext } from 'botbuilder';

/**
 * Every activity the bot sends says the locale its text is written in. botbuilder copies the
 * incoming activity's locale onto replies (and a stored reference's onto proactive messages),
 * which would label English text "de-DE" for a person whose client is German.
 */
export function replyLocale(locale: string): Middleware {
  return {
    async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
      context.onSendActivities(async (_context, activities, send) => {
        for (const activity of activities) activity.locale = locale;
        return send();
      });
      await next();
    },
  };
}
