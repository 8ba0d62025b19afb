/**
 * How every file in `rules/` is written, so that an edit shows as exactly what it changes and
 * two files never differ in layout: two-space indentation; a list or object on one line when
 * that line fits in WIDTH characters, otherwise one item a line; keys in KEY_ORDER.
 * `npm run rules:check` refuses a file written otherwise, and `-- --fix` rewrites it.
 */

const WIDTH = 120;
const INDENT = '  ';

/** Keys are written in this order wherever they appear; a key not listed keeps its place after these. */
const KEY_ORDER = [
  'topic', 'file', 'id', 'name', 'priority', 'description',
  'title', 'text', 'forMicrophone', 'sameAs', 'links', 'label', 'url', 'source', 'platforms', 'kind',
  'all', 'any', 'not', 'condition', 'fact', 'path', 'operator', 'value',
  'conditions', 'event', 'type', 'params', 'adviceId', 'rank', 'escalation',
  'rules', 'advice', 'sections',
];

/** At the top of a file these hold id → content (advice, shared conditions): the author's order stays. */
const ID_MAPS = ['advice', 'conditions'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entriesOf(value: Record<string, unknown>, keepOrder: boolean): [string, unknown][] {
  const entries = Object.entries(value);
  if (keepOrder) return entries;
  const rank = (key: string) => {
    const index = KEY_ORDER.indexOf(key);
    return index === -1 ? KEY_ORDER.length : index;
  };
  // Array#sort is stable, so unlisted keys keep the order they were written in.
  return entries.sort(([a], [b]) => rank(a) - rank(b));
}

function oneLine(value: unknown, keepOrder = false): string {
  if (Array.isArray(value)) return `[${value.map((item) => oneLine(item)).join(', ')}]`;
  if (isObject(value)) {
    const entries = entriesOf(value, keepOrder);
    return entries.length ? `{ ${entries.map(([key, item]) => `${JSON.stringify(key)}: ${oneLine(item)}`).join(', ')} }` : '{}';
  }
  return JSON.stringify(value);
}

/**
 * `column`: how much of the line is taken before the value (indent, key); a comma may follow it.
 * The top of a file is always one item a line.
 */
function write(value: unknown, indent: string, column: number, keepOrder: boolean, topLevel = false): string {
  const flat = oneLine(value, keepOrder);
  if (!Array.isArray(value) && !isObject(value)) return flat;
  if (!topLevel && column + flat.length + 1 <= WIDTH) return flat;
  const inner = indent + INDENT;
  const lines = Array.isArray(value)
    ? value.map((item) => inner + write(item, inner, inner.length, false))
    : entriesOf(value, keepOrder).map(([key, item]) => {
      const prefix = `${inner}${JSON.stringify(key)}: `;
      return prefix + write(item, inner, prefix.length, topLevel && ID_MAPS.includes(key));
    });
  if (lines.length === 0) return flat;
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return `${open}\n${lines.join(',\n')}\n${indent}${close}`;
}

/** The text a rule file with this content must have. */
export function formatRuleFile(content: unknown): string {
  return `${write(content, '', 0, false, true)}\n`;
}
