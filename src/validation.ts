import type { z } from 'zod';

/**
 * The first thing wrong in a value a zod schema refused, as every refusal names it: where (the
 * dotted path, '' at the top), what (zod's message), and the keys a strict object did not know.
 * Each edge words its own sentence from these for its own reader.
 */
export interface SchemaIssue {
  path: string;
  message: string;
  unknownKeys: string[];
}

export function firstIssue(error: z.ZodError): SchemaIssue {
  const issue = error.issues[0];
  return {
    path: issue?.path.join('.') ?? '',
    message: issue?.message ?? 'invalid',
    unknownKeys: issue?.code === 'unrecognized_keys' ? issue.keys : [],
  };
}
