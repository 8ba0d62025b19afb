/**
 * The conversation: the main dialog and what it needs from the bot host, the hand-off it asks
 * escalation for, and the texts, cards and channel rendering that escalation's proactive
 * messages share with it. This file is the folder's face; other parts import only from here.
 */
export { MainDialog } from './mainDialog';
export type { ConversationDeps } from './conversationDeps';
export type { DialogState } from './framework';
export { noStaffHandoff } from './handoff';
export type {
  DetailsAdded, HandoffEvents, HandoffRequest, QueueStatus, SatisfactionRating, SolvedAnswer, StaffHandoff, StaffRequestChange, StaffRequestOutcome, StaffRequestState,
  StaffWait, SupportRecordOutcome, SupportRecordState,
} from './handoff';
export { adviceActivity } from './cards';
export { capabilitiesOf, whereOf, whereReferenced, withChoices } from './channels';
export { TEXT_LOCALE, texts } from './texts';
