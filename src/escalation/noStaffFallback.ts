import type { PersonNotices } from './notices';
import { summarize } from './feed';
import type { RoleDeps } from './roles';
import { escalationTexts } from './texts';

/**
 * The no-staff fallback (SPEC §5.3), run by the timeout poller: a waiting escalation nobody
 * claimed in time becomes a support record, and the person carries on with the steps.
 */
export class NoStaffFallback {
  constructor(private readonly deps: RoleDeps & { notices: PersonNotices }) {}

  /** Times out every waiting escalation past its due time; returns how many this instance handled. */
  async timeOutDue(): Promise<number> {
    let handled = 0;
    for (const id of await this.deps.escalations.due(this.deps.now())) {
      const result = await this.deps.escalations.timeOut(id, this.deps.now());
      if (!result) continue; // another instance got there first
      handled++;
      const { escalation, supportRecord } = result;
      this.deps.log.info({ escalationId: id, supportRecordId: supportRecord.id }, 'escalation timed out; support record filed');
      await this.deps.feed.publish({ type: 'escalation.timed-out', escalation: summarize({ ...escalation, status: 'timed-out' }) });
      await this.deps.feed.publish({ type: 'support-record.created', supportRecordId: supportRecord.id, conversationId: supportRecord.conversationId });
      // "Let's carry on with the steps": the pending step follows at once.
      await this.deps.notices.tell(escalation, [{ type: 'message', text: escalationTexts.timedOut(supportRecord.id) }], { reprompt: true });
      this.deps.notices.queueMoved(escalation);
    }
    return handled;
  }
}
