import { createHash } from 'node:crypto';
import { getAdvice, type DiagnosticsRecord, browserNames, errorLabels, valueLabels, osNames, outcomeLabels, reasonLabels, roleLabels } from '../diagnosis';
import type { Escalation } from './escalationRepository';
import { staffLabels } from './texts';

/** A tried step as staff read it: by title, with how it went. */
export interface BriefStep {
  adviceId: string;
  title: string;
  outcome: string;
  outcomeLabel: string;
}

/** What a queue item says at a glance, in words, from the escalation and the conversation's diagnostics. */
export interface EscalationBrief {
  /** The display name the client gave, or a readable handle made from the conversation id. */
  name: string;
  named: boolean;
  /** 0 is the most urgent; the queue sorts by it, then by waiting time. */
  urgencyRank: number;
  /** "presenter · live session · urgent", "asked for a person", … */
  urgency: string;
  platform: string | null;
  problem: string | null;
  tried: BriefStep[];
  /** Whether the in-browser check ran, and what it found. */
  check: { ran: boolean; summary: string };
  lastMessage: { text: string; at: string } | null;
}

/**
 * "Guest 7K2Q": the same conversation always gets the same handle, and it is short enough to say
 * aloud; the raw conversation id never reaches the queue.
 */
export function guestHandle(conversationId: string): string {
  const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  const digest = createHash('sha256').update(conversationId).digest();
  let handle = '';
  for (const byte of digest.subarray(0, 4)) handle += alphabet[byte % alphabet.length];
  return staffLabels.guest(handle);
}

export function adviceTitle(id: string): string {
  return getAdvice(id)?.title ?? id;
}

export function briefOf(escalation: Escalation, record: DiagnosticsRecord | null | undefined): EscalationBrief {
  const facts = record?.facts ?? {};
  const name = escalation.userName?.trim();
  const urgent = escalation.reason === 'urgent' || facts.urgent === true;
  const presenter = facts.role === 'presenter';
  const urgencyRank = urgent ? (presenter || facts.liveStream ? 0 : 1) : escalation.reason === 'human-requested' ? 2 : 3;
  const urgencyParts = [
    facts.role ? roleLabels[facts.role] ?? facts.role : undefined,
    facts.liveStream ? staffLabels.liveStream : facts.liveConference ? staffLabels.liveSession : undefined,
    urgent ? staffLabels.urgent : (reasonLabels[escalation.reason] ?? escalation.reason).toLowerCase(),
  ];
  return {
    name: name || guestHandle(escalation.conversationId),
    named: Boolean(name),
    urgencyRank,
    urgency: urgencyParts.filter(Boolean).join(' · '),
    platform: platformOf(record),
    problem: problemOf(record),
    tried: (record?.steps ?? []).map((s) => ({ adviceId: s.adviceId, title: adviceTitle(s.adviceId), outcome: s.outcome, outcomeLabel: outcomeLabels[s.outcome] ?? s.outcome })),
    check: checkOf(record),
    lastMessage: escalation.lastMessage && escalation.lastMessageAt ? { text: escalation.lastMessage, at: escalation.lastMessageAt } : null,
  };
}

/** "Windows 10 · Chrome 131", "iOS 17.4 · Safari 17 · mobile"; null when nothing is known. */
export function platformOf(record: DiagnosticsRecord | null | undefined): string | null {
  const facts = record?.facts ?? {};
  const os = facts.os ? [osNames[facts.os] ?? facts.os, facts.osVersion].filter(Boolean).join(' ') : undefined;
  const major = facts.browserVersion?.split('.')[0];
  const browser = facts.browser ? [browserNames[facts.browser] ?? facts.browser, major].filter(Boolean).join(' ') : undefined;
  const device = facts.deviceType && facts.deviceType !== 'desktop' ? facts.deviceType : undefined;
  const parts = [os, browser, facts.inAppBrowser ? staffLabels.inAppBrowser : undefined, device].filter(Boolean);
  return parts.length ? parts.join(' · ') : null;
}

/** "microphone · permission denied"; null when nothing is known. */
export function problemOf(record: DiagnosticsRecord | null | undefined): string | null {
  const facts = record?.facts ?? {};
  const media = facts.media?.map((m) => valueLabels[m] ?? m).join(' and ');
  const symptom = facts.symptom ? valueLabels[facts.symptom] ?? facts.symptom : undefined;
  const error = !symptom && facts.errorName ? errorLabels[facts.errorName] ?? facts.errorName : undefined;
  const parts = [media, symptom, error].filter(Boolean);
  return parts.length ? parts.join(' · ') : null;
}

function checkOf(record: DiagnosticsRecord | null | undefined): EscalationBrief['check'] {
  const probe = record?.probe;
  if (!probe) return { ran: false, summary: staffLabels.checkNotRun };
  if (probe.ok) return { ran: true, summary: staffLabels.checkWorked((probe.requested ?? []).map((m) => valueLabels[m] ?? m).join(' and ')) };
  return { ran: true, summary: staffLabels.checkFailed(probe.errorName ? errorLabels[probe.errorName] ?? probe.errorName : staffLabels.unknownError) };
}
