import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { StaffFeed } from './feed';
import type { Escalation, EscalationRepository } from './escalationRepository';

/** What every role of escalation works with: the escalations, the staff feed, the log and the clock. */
export interface RoleDeps {
  escalations: EscalationRepository;
  feed: StaffFeed;
  log: Logger;
  now: () => Date;
}

/** The escalation without its snapshots, or NOT_FOUND. */
export async function requireEscalation(escalations: Pick<EscalationRepository, 'find'>, id: string): Promise<Escalation> {
  const escalation = await escalations.find(id);
  if (!escalation) throw new AppError('NOT_FOUND', `No escalation ${id}.`);
  return escalation;
}

/** A claimed escalation this staff member holds, or the error that says why not. */
export async function requireHeldBy(escalations: Pick<EscalationRepository, 'find'>, id: string, staffName: string): Promise<Escalation> {
  const escalation = await requireEscalation(escalations, id);
  if (escalation.status !== 'claimed') throw new AppError('CONFLICT', `The escalation is ${escalation.status}; claim it first.`);
  if (escalation.claimedBy !== staffName) throw new AppError('FORBIDDEN', `${escalation.claimedBy ?? 'Someone else'} has claimed this escalation.`);
  return escalation;
}
