import { ActivityTypes, HandoffEventNames, type TurnContext } from 'botbuilder';
import type { HandoffEvents, StaffRequestChange } from '../../dialogs';
import type { TurnGate } from '../bot';
import { summarize } from './feed';
import { solvedQuestion, type PersonNotices } from './notices';
import type { Escalation } from './escalationRepository';
import type { RoleDeps } from './roles';
import { rememberLatest } from './staffHandoff';
import { escalationTexts } from './texts';
import { turnLog } from '../logger';

export interface RelayGateDeps extends RoleDeps {
  notices: PersonNotices;
}

/**
 * The turn gate (runs before the dialogs): while staff are with the person their messages are
 * relayed and the bot stays quiet; a contact-centre hub's `handoff.status` changes the escalation.
 * What changed for the conversation it tells the conversation, which keeps its own record.
 */
export class RelayGate implements TurnGate {
  constructor(private readonly deps: RelayGateDeps) {}

  async beforeTurn(context: TurnContext, conversation: HandoffEvents): Promise<boolean> {
    const activity = context.activity;
    if (activity.type === ActivityTypes.Event && activity.name === HandoffEventNames.HandoffStatus) {
      await this.takeHubStatus(context, conversation);
      return true;
    }
    if (activity.type !== ActivityTypes.Message) return false;
    // Only a conversation that called staff has an escalation to look up: this keeps the
    // escalation tables off every other turn.
    if (!(await conversation.calledStaff(context))) return false;
    const conversationId = activity.conversation.id;
    const escalation = await this.deps.escalations.latestFor(conversationId);
    // The dialogs ask for it again this turn (a follow-up answer); one read serves both.
    rememberLatest(context, escalation);
    if (!escalation) return false;
    await conversation.staffRequestChanged(context, changeOf(escalation));

    const text = typeof activity.text === 'string' ? activity.text.trim() : '';
    if (text && (escalation.status === 'waiting' || escalation.status === 'claimed')) {
      // The queue shows the latest words of everyone waiting or with staff; the feed carries them at once.
      const now = this.deps.now();
      await Promise.all([
        this.deps.escalations.setLastMessage(escalation.id, text, now),
        this.deps.feed.publish({ type: 'message', escalationId: escalation.id, conversationId, from: 'person', name: activity.from.name ?? null, text, at: now.toISOString() }),
      ]);
    }
    if (escalation.status !== 'claimed') return false;
    const reading = conversation.readWhileWithStaff(context);
    if (reading.forBot) return false;
    // An answer to a step staff sent is recorded like any step's; it is still relayed.
    const adviceId = escalation.pendingAdvice;
    if (reading.stepOutcome && adviceId && (await this.deps.escalations.takePendingAdvice(escalation.id, adviceId))) {
      await conversation.staffStepAnswered(context, { adviceId, outcome: reading.stepOutcome });
      turnLog(context, this.deps.log).info({ escalationId: escalation.id, adviceId, outcome: reading.stepOutcome }, 'step sent by staff answered');
      await this.deps.feed.publish({ type: 'escalation.updated', escalation: summarize({ ...escalation, pendingAdvice: null }) });
    }
    // With staff: relayed, and the bot stays quiet. The transcript middleware stores it.
    return true;
  }

  /**
   * `handoff.status` from a contact-centre hub (never rejected): `accepted` — the hub has the
   * person, as a claim; `failed` — the no-staff fallback, as a timeout; `completed` — closed, and
   * the person is asked whether it is solved. Other states are recorded and change nothing.
   */
  private async takeHubStatus(context: TurnContext, conversation: HandoffEvents): Promise<void> {
    const activity = context.activity;
    const value: unknown = activity.value;
    const state = typeof value === 'object' && value !== null && 'state' in value && typeof value.state === 'string' ? value.state.slice(0, 32) : undefined;
    const message = typeof value === 'object' && value !== null && 'message' in value && typeof value.message === 'string' ? value.message.slice(0, 500) : undefined;
    if (!state) return;
    const now = this.deps.now();
    // The hub speaks for the channel; the person cannot accept, fail or close their own hand-off.
    const latest = await this.deps.escalations.latestFor(activity.conversation.id);
    if (latest && activity.from?.id && activity.from.id === latest.reference.user?.id) {
      turnLog(context, this.deps.log).warn({ conversationId: activity.conversation.id, escalationId: latest.id, state }, 'handoff status from the person themselves ignored');
      return;
    }
    const escalation = await this.deps.escalations.setHubState(activity.conversation.id, state, now);
    turnLog(context, this.deps.log).info({ conversationId: activity.conversation.id, escalationId: escalation?.id, state, hubMessage: message }, 'handoff status from hub');
    if (!escalation) return;
    const open = escalation.status === 'waiting' || escalation.status === 'claimed' ? escalation.status : undefined;
    let changed: Escalation | undefined;

    if (state === 'accepted' && escalation.status === 'waiting' && (changed = await this.deps.escalations.claim(escalation.id, escalationTexts.hubName, now))) {
      await this.deps.feed.publish({ type: 'escalation.claimed', escalation: summarize(changed) });
      await context.sendActivity(escalationTexts.hubAccepted);
      this.deps.notices.queueMoved(escalation);
    } else if (state === 'failed' && open) {
      const result = await this.deps.escalations.timeOut(escalation.id, now, open);
      if (result) {
        changed = { ...result.escalation, status: 'timed-out' };
        await this.deps.feed.publish({ type: 'escalation.timed-out', escalation: summarize(changed) });
        await this.deps.feed.publish({ type: 'support-record.created', supportRecordId: result.supportRecord.id, conversationId: result.supportRecord.conversationId });
        await context.sendActivity(escalationTexts.hubFailed(result.supportRecord.id));
        if (escalation.status === 'waiting') this.deps.notices.queueMoved(escalation);
      }
    } else if (state === 'completed' && open && (changed = await this.deps.escalations.close(escalation.id, open, escalationTexts.hubName, now))) {
      await this.deps.feed.publish({ type: 'escalation.closed', escalation: summarize(changed) });
      await context.sendActivity(solvedQuestion(changed, escalationTexts.hubCompleted));
      if (escalation.status === 'waiting') this.deps.notices.queueMoved(escalation);
    }

    if (!changed) {
      await this.deps.feed.publish({ type: 'escalation.updated', escalation: summarize(escalation) });
      return;
    }
    await conversation.staffRequestChanged(context, changeOf(changed));
  }
}

/** What the conversation is told of an escalation. */
function changeOf(escalation: Escalation): StaffRequestChange {
  return { escalationId: escalation.id, status: escalation.status, supportRecordId: escalation.supportRecordId ?? undefined };
}
