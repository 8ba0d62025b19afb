import path from 'node:path';
import { readPhraseFile } from './phraseData';
import { createUnderstanding } from './understand';

/**
 * Understanding: SPEC §4 facts, §3 commands and step answers pulled out of ordinary chat text,
 * driven by the words in rules/language/phrases.json (no external NLU). `createUnderstanding`
 * checks and compiles phrase data once into a word index, so a message costs one pass over its
 * words; the bot uses the instance built from the project's own data when this module loads,
 * so a bad phrase file stops the start instead of misreading chats.
 * This file is the folder's face; other parts import only from here.
 */

export { createUnderstanding, type Understander } from './understand';
export { PhraseDataError, type PhraseData } from './phraseData';
export type { Answer, Choice, Command, Understanding } from './types';
export { findContactHandle } from './contactHandle';

/** The project's phrase data, beside the rules it is edited with; dist/ keeps the same relative path. */
const PHRASES = 'rules/language/phrases.json';
const projectUnderstanding = createUnderstanding(readPhraseFile(path.resolve(__dirname, '../..', PHRASES), PHRASES), PHRASES);

/** Facts, a command, an answer, ambiguities and closings in one message, read with the project's phrases. */
export const understand = projectUnderstanding.understand;
/** The choice a typed reply to a question with buttons picks (see Understander#understandChoice). */
export const understandChoice = projectUnderstanding.understandChoice;
