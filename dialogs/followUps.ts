import type { TurnContext } from 'botbuilder';
import type { DiagnosticsRecord } from '../src/diagnosis';
import { findContactHandle, understand, type Understanding } from '../src/understanding';
import { feedbackActivity, feedbackAnswer } from './cards';
import { whereOf } from './channels';
import type { ConversationDeps } from './conversationDeps';
import { hasCalledStaff, requestStaff } from './escalate';
import type { StaffRequestState } from './handoff';
import { texts } from './texts';

/** "note: …" / "contact: …"; the body is trimmed afterwards, so no two quantifiers compete for the spaces. */
const NOTE = /^\s*(note|contact)\s*:(.*)$/is;

/**
 * Answers to what the conversation asked outside its dialog steps: "how did we do?", "is your
 * problem solved now?" after staff ended the chat, and details for a filed support record; and
 * "human" once staff were called for this problem before. These questions are asked beside the
 * pending question or step (or by staff, outside any turn), which stays pending: an answer takes
 * this one turn, and anything else goes on to the dialogs as usual.
 */
export class FollowUpAnswers {
  constructor(private readonly deps: ConversationDeps) {}

  /** True when the message answered one of them and the dialogs must not run. */
  async take(context: TurnContext): Promise<boolean> {
    if (context.activity.type !== 'message') return false;
    const text = typeof context.activity.text === 'string' ? context.activity.text.trim() : '';
    const record = await this.deps.records.get(context);
    if (record?.feedback && text && (await this.takeFeedback(context, record, text))) return true;
    // Only a conversation that called staff has a request to look up: this keeps escalation off every other turn.
    const request = hasCalledStaff(record) ? await this.deps.handoff.latestStaffRequest(context) : undefined;
    if (record && request && (request.status === 'closed' || request.status === 'timed-out') && understand(text).command === 'human') {
      // Staff were called for this problem before; the dialogs do not call them twice unasked.
      await requestStaff(context, this.deps, record, 'human-requested');
      return true;
    }
    if (request?.status === 'closed' && request.solvedAsked && (await this.takeSolvedAnswer(context, request, text, record))) return true;
    return this.takeSupportDetails(context, text, record);
  }

  /** "How did we do?": a rating or "skip" is taken; anything else passes the question over and is handled as usual. */
  private async takeFeedback(context: TurnContext, record: DiagnosticsRecord, text: string): Promise<boolean> {
    const feedback = record.feedback;
    delete record.feedback;
    const answer = feedbackAnswer(text);
    if (!feedback || !answer) return false;
    if (answer !== 'skip') await this.deps.handoff.recordSatisfaction(context, { after: feedback.after, escalationId: feedback.escalationId, rating: answer });
    await context.sendActivity(answer === 'skip' ? texts.feedback.skipped : texts.feedback.thanks);
    return true;
  }

  private async takeSolvedAnswer(context: TurnContext, request: StaffRequestState, text: string, record: DiagnosticsRecord | undefined): Promise<boolean> {
    const { answer } = understand(text);
    const solved = answer === 'yes' || answer === 'fixed' ? 'yes' : answer === 'no' || answer === 'not-fixed' ? 'no' : undefined;
    if (!solved) {
      // Something else: the question lapses, so a later "yes" to another question is not taken for it.
      await this.deps.handoff.recordSolved(context, request.id, 'no-answer');
      return false;
    }
    if (!(await this.deps.handoff.recordSolved(context, request.id, solved))) return false;
    // Solved ends this problem (the next message starts a new one); not solved keeps it open.
    if (record && solved === 'yes') {
      record.resolution = 'fixed';
      record.updatedAt = new Date().toISOString();
    }
    const reply = solved === 'yes' ? texts.solvedYes : texts.solvedNo;
    if (record) {
      await context.sendActivity(feedbackActivity(whereOf(context), reply));
      record.feedback = { askedAt: new Date().toISOString(), after: 'staff', escalationId: request.id };
    } else {
      await context.sendActivity(reply);
    }
    return true;
  }

  /**
   * "note: …" / "contact: …" at any time goes into the latest support record; so does any free
   * text while "anything to add?" waits for an answer. That question counts only once the person
   * was told about the record (this record says so): a record whose turn never finished asked
   * nobody anything.
   */
  private async takeSupportDetails(context: TurnContext, text: string, diagnostics: DiagnosticsRecord | undefined): Promise<boolean> {
    if (!text) return false;
    const prefixed = NOTE.exec(text);
    const asked = diagnostics?.detailsAsked;
    if (!prefixed && !asked) return false;
    const understood = prefixed ? undefined : understand(text);
    // "thanks, bye" is a goodbye, not a note for the support team.
    if (understood?.closing) return false;
    const id = prefixed ? (await this.deps.handoff.latestSupportRecord(context))?.id : asked;
    if (!id) return false;
    if (understood?.command || (understood && isDecline(understood))) {
      if (diagnostics) delete diagnostics.detailsAsked;
      await this.deps.handoff.endSupportFollowUp(context, id);
      if (understood.command) return false;
      // "No" / "I don't know" to "anything to add?" is not a description.
      await context.sendActivity(texts.nothingAdded(id));
      return true;
    }
    const body = prefixed?.[2]?.trim() ?? text;
    if (!body) return false;
    const isContact = prefixed?.[1]?.toLowerCase() === 'contact';
    const contact = isContact ? body : findContactHandle(body);
    const added = await this.deps.handoff.addSupportDetails(context, id, { description: isContact ? undefined : body, contact });
    // Answered, with or without "note:": a further message is not taken for details unasked.
    if (diagnostics?.detailsAsked === id) delete diagnostics.detailsAsked;
    await context.sendActivity(added === 'all' ? texts.detailsAdded(id) : added === 'part' ? texts.detailsPartlyAdded(id) : texts.recordFull(id));
    return true;
  }
}

function isDecline(understanding: Understanding): boolean {
  const bare = Object.keys(understanding.facts).length === 0;
  return bare && (understanding.answer === 'no' || understanding.answer === 'dont-know' || understanding.answer === 'not-fixed');
}
