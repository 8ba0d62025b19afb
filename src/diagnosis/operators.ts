import { Operator } from 'json-rules-engine';

/**
 * Custom json-rules-engine operators. Rule files may use these names and the engine's own
 * (see BUILT_IN_OPERATORS); the loader refuses any other.
 */

const VERSION_PATTERN = /^\d+(\.\d+)*$/;

function isVersion(value: unknown): value is string {
  return typeof value === 'string' && VERSION_PATTERN.test(value);
}

/**
 * Compares dotted versions part by part as numbers: "9.1" < "14" < "18.6" < "26".
 * String comparison would put "9" after "14" and "26" before "3"; Safari jumped from 18 to 26.
 */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.');
  const right = b.split('.');
  const length = Math.max(left.length, right.length);
  for (let i = 0; i < length; i++) {
    const difference = Number(left[i] ?? 0) - Number(right[i] ?? 0);
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return 0;
}

function textIncludes(factValue: unknown, wanted: unknown): boolean {
  if (typeof factValue !== 'string') return false;
  const haystack = factValue.toLowerCase();
  const needles = Array.isArray(wanted) ? wanted : [wanted];
  return needles.some((needle) => typeof needle === 'string' && haystack.includes(needle.toLowerCase()));
}

export const CUSTOM_OPERATORS = [
  // The validator makes an unknown or malformed version fail the comparison instead of guessing.
  new Operator<unknown, string>('versionLessThan', (a, b) => isVersion(a) && compareVersions(a, b) < 0, isVersion),
  new Operator<unknown, string>('versionAtLeast', (a, b) => isVersion(a) && compareVersions(a, b) >= 0, isVersion),
  // Absent facts are undefined (allowUndefinedFacts), so "is it known?" is its own operator.
  new Operator<unknown, boolean>('present', (a, b) => (a !== undefined) === b),
  // Browser messages vary in case and wording around a stable fragment ("by system", "dismissed").
  new Operator<unknown, string | string[]>('textIncludes', textIncludes),
];

export const CUSTOM_OPERATOR_NAMES = CUSTOM_OPERATORS.map((operator) => operator.name);

export const BUILT_IN_OPERATORS = [
  'equal', 'notEqual', 'in', 'notIn', 'contains', 'doesNotContain',
  'lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive',
] as const;

export const BUILT_IN_DECORATORS = ['someFact', 'someValue', 'everyFact', 'everyValue', 'swap', 'not'] as const;

export const OPERATOR_NAMES: readonly string[] = [...BUILT_IN_OPERATORS, ...CUSTOM_OPERATOR_NAMES];
const DECORATOR_NAMES: readonly string[] = BUILT_IN_DECORATORS;

/** Splits "not:someFact:in" into its decorators and base operator; null when any part is unknown. */
export function parseOperator(name: string): { decorators: string[]; base: string } | null {
  const parts = name.split(':');
  const base = parts.pop();
  if (base === undefined || !OPERATOR_NAMES.includes(base)) return null;
  if (!parts.every((part) => DECORATOR_NAMES.includes(part))) return null;
  return { decorators: parts, base };
}

export { isVersion };
