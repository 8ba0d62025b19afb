/**
 * The parts of botbuilder-dialogs the conversation uses, each from its own module. The package's
 * index also loads its prompts and, with them, the Recognizers-Text suites (numbers, dates and
 * choices in a dozen languages): about 40 MB of memory per process for code this bot never runs,
 * since it reads people's words with its own phrase data (src/understanding).
 */
export { ComponentDialog } from 'botbuilder-dialogs/lib/componentDialog';
export { Dialog, DialogTurnStatus, type DialogEvent, type DialogInstance, type DialogTurnResult } from 'botbuilder-dialogs/lib/dialog';
export { DialogEvents } from 'botbuilder-dialogs/lib/dialogEvents';
export type { DialogContext, DialogState } from 'botbuilder-dialogs/lib/dialogContext';
export { DialogSet } from 'botbuilder-dialogs/lib/dialogSet';
export type { DialogStateManagerConfiguration } from 'botbuilder-dialogs/lib/memory/dialogStateManager';
export { WaterfallDialog } from 'botbuilder-dialogs/lib/waterfallDialog';
export type { WaterfallStepContext } from 'botbuilder-dialogs/lib/waterfallStepContext';
