import fs from 'node:fs';
import { z } from 'zod';
import { AppError } from '../errors';

/**
 * The phrase data (rules/language/phrases.json) as the understanding compiles it, checked
 * before anything is compiled: a bad edit stops the start instead of misreading chats.
 */

/** Phrase data that must not be used; the message begins with where the data came from. */
export class PhraseDataError extends AppError {
  constructor(readonly source: string, detail: string) {
    super('PHRASES_INVALID', `${source}: ${detail}`);
  }
}

const say = z.array(z.string().min(1)).min(1);
const commandEntry = z.object({ alone: say, anywhere: say.optional() }).strict();
const phraseDataSchema = z
  .object({
    $comment: z.array(z.string()).optional(),
    normalise: z.object({
      contractions: z.record(z.string().regex(/^[\p{L}\p{N}]+$/u)),
      numbers: z.array(z.string()),
      filler: z.array(z.string()),
      keep: z.array(z.string()),
      typos: z.array(z.string().regex(/^\p{L}{4,}$/u)),
    }),
    negation: z.object({ negators: z.array(z.string()), bridges: z.array(z.string()), mediaWorks: z.array(z.string()) }),
    values: z.record(z.record(say)),
    phrases: z.array(z.object({ $comment: z.string().optional(), say, facts: z.record(z.unknown()) }).strict()),
    commands: z.object({ help: commandEntry, restart: commandEntry, human: commandEntry, status: commandEntry, diagnostics: commandEntry, correct: commandEntry }).strict(),
    closing: z.object({ $comment: z.string().optional(), strong: z.array(z.string().regex(/^\p{L}+$/u)).min(1), also: z.array(z.string().regex(/^\p{L}+$/u)) }).strict(),
    answers: z.object({ fixed: say, 'not-fixed': say, 'already-tried': say, 'dont-know': say, yes: say, no: say }).strict(),
  })
  .superRefine((data, ctx) => {
    const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
    const once = (path: (string | number)[], words: readonly string[]) => {
      const seen = new Set<string>();
      for (const word of words) {
        if (seen.has(word)) problem(path, `"${word}" is written twice`);
        seen.add(word);
      }
    };
    /** A phrase may mean one thing in its section: the same phrase under two meanings would always conflict. */
    const onceAcross = (section: string, lists: readonly (readonly [string, readonly string[]])[]) => {
      const owner = new Map<string, string>();
      for (const [name, sources] of lists) {
        for (const source of sources) {
          const first = owner.get(source);
          if (first === undefined) owner.set(source, name);
          else problem([section], first === name ? `"${source}" is written twice in ${name}` : `"${source}" is in both ${first} and ${name}`);
        }
      }
    };

    for (const list of ['numbers', 'filler', 'keep', 'typos'] as const) once(['normalise', list], data.normalise[list]);
    for (const list of ['negators', 'bridges', 'mediaWorks'] as const) once(['negation', list], data.negation[list]);
    onceAcross('closing', [['closing.strong', data.closing.strong], ['closing.also', data.closing.also]]);
    for (const [fact, table] of Object.entries(data.values)) onceAcross(`values.${fact}`, Object.entries(table).map(([value, sources]) => [`values.${fact}.${value}`, sources]));
    onceAcross('phrases', data.phrases.map((entry, i) => [`phrases[${i}]`, entry.say]));
    onceAcross('commands', Object.entries(data.commands).map(([command, entry]) => [`commands.${command}`, [...entry.alone, ...(entry.anywhere ?? [])]]));
    onceAcross('answers', Object.entries(data.answers).map(([answer, sources]) => [`answers.${answer}`, sources]));

    // "keep" protects ordinary words from typo correction; a word filler drops, or normalising folds away, is not kept.
    const filler = new Set(data.normalise.filler);
    for (const word of data.normalise.keep) {
      if (filler.has(word)) problem(['normalise', 'keep'], `"${word}" is both kept (normalise.keep) and dropped as filler (normalise.filler)`);
      const folded = data.normalise.contractions[word];
      if (folded !== undefined) problem(['normalise', 'keep'], `"${word}" is kept (normalise.keep) but normalising replaces it with "${folded}" (normalise.contractions)`);
    }
  });

export type PhraseData = z.infer<typeof phraseDataSchema>;

/** `a.b[2].c`, the way the data's editors find the place in the file. */
function placeOf(path: readonly (string | number)[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

/** One problem zod found, with its place when it has one. */
export function describeIssue(issue: z.ZodIssue): string {
  return issue.path.length > 0 ? `${placeOf(issue.path)}: ${issue.message}` : issue.message;
}

/** Checks phrase data; every problem found is named in the one PhraseDataError. */
export function parsePhraseData(raw: unknown, source: string): PhraseData {
  const parsed = phraseDataSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new PhraseDataError(source, parsed.error.issues.map(describeIssue).join('; '));
}

/** The JSON of a phrase file, unchecked; a file that cannot be read or parsed is a PhraseDataError too. */
export function readPhraseFile(file: string, source: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new PhraseDataError(source, `cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PhraseDataError(source, `is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}
