import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { NestedCondition, TopLevelCondition } from 'json-rules-engine';
import { RulesError } from '../errors';
import { firstIssue } from '../validation';
import {
  FACT_NAMES, OS_VALUES, SPEC_ADVICE_IDS, adviceIdSchema, factsSchema,
  type FactName, type OperatingSystem,
} from './facts';
import { isVersion, parseOperator } from './operators';
import { citedGuideSections, type AdviceContent, type EscalationLevel } from './advice';

/**
 * Loads and validates the rule set in `rules/`: rule files (one per topic), shared conditions,
 * advice content and the list of guide sections. Any problem refuses the whole set with a
 * RulesError naming the file and rule, so a bad edit stops start-up instead of misleading people.
 */

export const DEFAULT_RULES_DIR = path.resolve(__dirname, '../../rules');

/**
 * Facts the engine computes itself while a run is in progress. They read the events of
 * earlier priority tiers, so only escalation rules (the last tier) may use them.
 */
export const DERIVED_FACTS = {
  stepsRemaining: 'step advice produced by this run that is not in stepsTried (count)',
  findingsCount: 'finding advice produced by this run (count)',
} as const;
export type DerivedFactName = keyof typeof DERIVED_FACTS;
const DERIVED_FACT_NAMES: readonly string[] = Object.keys(DERIVED_FACTS);

const SHARED_CONDITIONS_FILE = 'shared-conditions.json';
const GUIDE_SECTIONS_FILE = 'guide-sections.json';
const ADVICE_DIR = 'advice';

export type RuleEventType = 'finding' | 'step' | 'escalation';

/**
 * The priority a rule gets from its kind when it names none. json-rules-engine runs higher
 * priorities first: findings, then steps, then escalation, which counts what the others produced.
 */
export const DEFAULT_PRIORITY: Readonly<Record<RuleEventType, number>> = { finding: 20, step: 10, escalation: 1 };

export interface RuleDefinition {
  readonly id: string;
  readonly file: string;
  readonly priority: number;
  readonly description?: string;
  readonly type: RuleEventType;
  readonly adviceId: string;
  /** Lower ranks are shown first; an advice produced by several rules takes its lowest rank. */
  readonly rank: number;
  readonly escalation?: EscalationLevel;
  readonly conditions: TopLevelCondition;
  readonly event: { type: RuleEventType; params: Record<string, string | number> };
}

export interface GuideSection {
  readonly name: string;
  readonly kind: 'intro' | 'heading' | 'step' | 'example';
}

export interface RuleSet {
  readonly dir: string;
  /** Every file the set was read from (rule files, shared conditions, guide sections, advice). */
  readonly files: readonly string[];
  /** Short hash of every rule and advice file's content: tells staff which rules produced a diagnosis. */
  readonly version: string;
  readonly rules: readonly RuleDefinition[];
  readonly sharedConditions: ReadonlyMap<string, TopLevelCondition>;
  readonly advice: ReadonlyMap<string, AdviceContent>;
  readonly guideSections: readonly GuideSection[];
  /** SPEC §4 facts that some rule looks at, so the conversation asks only for those. */
  readonly factNames: readonly FactName[];
}

const kebabId = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case').max(80);
// Rank 0 is for causes that overrule the usual first step (an employer's policy, a frame's policy).
const rank = z.number().int().min(0).max(99);

const eventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('finding'),
    params: z.object({ adviceId: adviceIdSchema, rank: rank.optional() }).strict(),
  }).strict(),
  z.object({
    type: z.literal('step'),
    params: z.object({ adviceId: adviceIdSchema, rank }).strict(),
  }).strict(),
  z.object({
    type: z.literal('escalation'),
    params: z.object({ adviceId: adviceIdSchema, escalation: z.enum(['staff-now', 'support-record']) }).strict(),
  }).strict(),
]);

const ruleSchema = z.object({
  id: kebabId,
  priority: z.number().int().min(1).max(100).optional(),
  description: z.string().max(300).optional(),
  conditions: z.record(z.unknown()),
  event: eventSchema,
}).strict();

const ruleFileSchema = z.object({
  topic: z.string().max(80).optional(),
  description: z.string().max(500).optional(),
  rules: z.array(z.unknown()).min(1),
}).strict();

const sharedConditionsSchema = z.object({
  description: z.string().max(500).optional(),
  conditions: z.record(kebabId, z.record(z.unknown())),
}).strict();

const adviceContentSchema = z.object({
  title: z.string().min(1).max(80),
  text: z.string().min(1).max(700),
  links: z.array(z.object({ label: z.string().min(1).max(80), url: z.string().url() }).strict()).max(6),
  source: z.string().min(1).max(300),
  platforms: z.array(z.enum(OS_VALUES)).min(1).optional(),
  /** The wording for a problem with the microphone alone, so it never leads with the camera. */
  forMicrophone: z.object({ title: z.string().min(1).max(80), text: z.string().min(1).max(700) }).strict().optional(),
  /** Advice that says the same thing under another name: once one is offered or tried, the other is not. */
  sameAs: z.array(adviceIdSchema).min(1).max(10).optional(),
}).strict();

const adviceFileSchema = z.object({
  description: z.string().max(500).optional(),
  advice: z.record(z.unknown()),
}).strict();

const guideSectionsSchema = z.object({
  file: z.string(),
  description: z.string().max(500).optional(),
  sections: z.array(z.object({ name: z.string().min(1), kind: z.enum(['intro', 'heading', 'step', 'example']) }).strict()).min(1),
}).strict();

function describeZodError(error: z.ZodError): string {
  const issue = firstIssue(error);
  const where = issue.path ? `${issue.path}: ` : '';
  if (issue.unknownKeys.length) return `${where}unknown key "${issue.unknownKeys.join('", "')}"`;
  return `${where}${issue.message}`;
}

function readJson(file: string, label: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new RulesError(label, undefined, `cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RulesError(label, undefined, `is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Conditions: checked by hand rather than with a recursive zod union so that each message says
// exactly which condition is wrong ("conditions.all[2]: unknown fact "browserVersoin"").

function unwrapOptional(schema: z.ZodTypeAny): z.ZodTypeAny {
  let current = schema;
  while (current instanceof z.ZodOptional) current = current.unwrap();
  return current;
}

const factShape: Record<string, z.ZodTypeAny> = factsSchema.shape;

/** The schema of the value a condition compares, so typos in values ("macOS") are refused too. */
function valueSchemaFor(fact: string, pathKey: string | undefined): z.ZodTypeAny | undefined {
  if (DERIVED_FACT_NAMES.includes(fact)) return z.number();
  const factSchema = factShape[fact];
  if (!factSchema) return undefined;
  const schema = unwrapOptional(factSchema);
  if (pathKey === undefined) return schema;
  if (!(schema instanceof z.ZodObject)) return undefined;
  const nestedShape: Record<string, z.ZodTypeAny> = schema.shape;
  const nested = nestedShape[pathKey];
  return nested ? unwrapOptional(nested) : undefined;
}

const VERSION_FACTS: readonly string[] = ['osVersion', 'browserVersion'] satisfies FactName[];

interface ConditionContext {
  readonly label: string;
  readonly ruleId: string | undefined;
  readonly allowDerived: boolean;
  readonly sharedNames: ReadonlySet<string>;
  readonly facts: Set<string>;
  readonly references: Set<string>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(ctx: ConditionContext, at: string, detail: string): never {
  throw new RulesError(ctx.label, ctx.ruleId, `${at}: ${detail}`);
}

function checkKeys(ctx: ConditionContext, at: string, node: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(node).filter((key) => !allowed.includes(key));
  if (unknown.length) fail(ctx, at, `unknown key "${unknown.join('", "')}"`);
}

function checkConditionPriority(ctx: ConditionContext, at: string, node: Record<string, unknown>): number | undefined {
  const priority = node['priority'];
  if (priority === undefined) return undefined;
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 1) fail(ctx, at, 'priority must be an integer ≥ 1');
  return priority;
}

function checkFactName(ctx: ConditionContext, at: string, fact: unknown): string {
  if (typeof fact !== 'string') fail(ctx, at, 'fact must be a string');
  if (DERIVED_FACT_NAMES.includes(fact)) {
    if (!ctx.allowDerived) fail(ctx, at, `derived fact "${fact}" may only be used by escalation rules`);
  } else if (!FACT_NAMES.some((name) => name === fact)) {
    fail(ctx, at, `unknown fact "${fact}" (facts are those of SPEC §4: ${FACT_NAMES.join(', ')})`);
  }
  ctx.facts.add(fact);
  return fact;
}

function checkLeafValue(ctx: ConditionContext, at: string, fact: string, pathKey: string | undefined, operator: string, value: unknown): void {
  const parsed = parseOperator(operator);
  if (!parsed) fail(ctx, at, `unknown operator "${operator}"`);
  if (isRecord(value) && 'fact' in value) {
    checkFactName(ctx, `${at}.value`, value['fact']);
    return;
  }
  // Value-swapping decorators change what is compared with what; their values are checked at run time.
  if (parsed.decorators.some((d) => d === 'swap' || d === 'someValue' || d === 'everyValue')) return;
  let subject = valueSchemaFor(fact, pathKey);
  if (!subject) fail(ctx, at, `fact "${fact}" has no path "${pathKey ?? ''}"`);
  if (parsed.decorators.some((d) => d === 'someFact' || d === 'everyFact')) {
    if (!(subject instanceof z.ZodArray)) fail(ctx, at, `"${operator}" needs a list fact, and "${fact}" is not one`);
    subject = unwrapOptional(subject.element);
  }
  const accepts = (schema: z.ZodTypeAny, candidate: unknown) => schema.safeParse(candidate).success;
  const show = JSON.stringify(value);
  switch (parsed.base) {
    case 'equal':
    case 'notEqual':
      if (!accepts(subject, value)) fail(ctx, at, `${show} is not a possible value of "${fact}${pathKey ? `.${pathKey}` : ''}"`);
      return;
    case 'in':
    case 'notIn':
      if (!Array.isArray(value) || value.length === 0) fail(ctx, at, `"${parsed.base}" needs a non-empty list`);
      for (const item of value) {
        if (!accepts(subject, item)) fail(ctx, at, `${JSON.stringify(item)} is not a possible value of "${fact}${pathKey ? `.${pathKey}` : ''}"`);
      }
      return;
    case 'contains':
    case 'doesNotContain':
      if (!(subject instanceof z.ZodArray)) fail(ctx, at, `"${parsed.base}" needs a list fact, and "${fact}" is not one`);
      if (!accepts(unwrapOptional(subject.element), value)) fail(ctx, at, `${show} is not a possible item of "${fact}"`);
      return;
    case 'lessThan':
    case 'lessThanInclusive':
    case 'greaterThan':
    case 'greaterThanInclusive':
      if (typeof value !== 'number' || !(subject instanceof z.ZodNumber)) fail(ctx, at, `"${parsed.base}" compares numbers (use versionLessThan/versionAtLeast for versions)`);
      return;
    case 'versionLessThan':
    case 'versionAtLeast':
      if (!VERSION_FACTS.includes(fact) || !isVersion(value)) fail(ctx, at, `"${parsed.base}" compares a version fact with a version like "14.3"`);
      return;
    case 'present':
      if (typeof value !== 'boolean') fail(ctx, at, '"present" takes true or false');
      return;
    case 'textIncludes': {
      const texts = Array.isArray(value) ? value : [value];
      if (!(subject instanceof z.ZodString) || texts.length === 0 || !texts.every((t) => typeof t === 'string' && t.length > 0)) {
        fail(ctx, at, '"textIncludes" compares a text fact with a text or a list of texts');
      }
      return;
    }
    default:
      fail(ctx, at, `operator "${operator}" has no value check`);
  }
}

function toCondition(ctx: ConditionContext, node: unknown, at: string): NestedCondition {
  if (!isRecord(node)) fail(ctx, at, 'a condition must be an object');
  const name = typeof node['name'] === 'string' ? node['name'] : undefined;
  const priority = checkConditionPriority(ctx, at, node);
  const extras = { ...(name !== undefined && { name }), ...(priority !== undefined && { priority }) };
  for (const group of ['all', 'any'] as const) {
    if (group in node) {
      checkKeys(ctx, at, node, [group, 'name', 'priority']);
      const items = node[group];
      if (!Array.isArray(items) || items.length === 0) fail(ctx, at, `"${group}" must be a non-empty list`);
      const children = items.map((item, i) => toCondition(ctx, item, `${at}.${group}[${i}]`));
      return group === 'all' ? { all: children, ...extras } : { any: children, ...extras };
    }
  }
  if ('not' in node) {
    checkKeys(ctx, at, node, ['not', 'name', 'priority']);
    return { not: toCondition(ctx, node['not'], `${at}.not`), ...extras };
  }
  if ('condition' in node) {
    checkKeys(ctx, at, node, ['condition', 'name', 'priority']);
    const reference = node['condition'];
    if (typeof reference !== 'string' || !ctx.sharedNames.has(reference)) {
      fail(ctx, at, `unknown shared condition "${String(reference)}" (see ${SHARED_CONDITIONS_FILE})`);
    }
    ctx.references.add(reference);
    return { condition: reference, ...extras };
  }
  if (!('fact' in node)) fail(ctx, at, 'expected "all", "any", "not", "condition" or a fact condition');
  checkKeys(ctx, at, node, ['fact', 'operator', 'value', 'path', 'name', 'priority']);
  const fact = checkFactName(ctx, at, node['fact']);
  const operator = node['operator'];
  if (typeof operator !== 'string') fail(ctx, at, 'operator must be a string');
  if (!('value' in node)) fail(ctx, at, 'a fact condition needs a "value"');
  const rawPath = node['path'];
  let pathKey: string | undefined;
  if (rawPath !== undefined) {
    const match = typeof rawPath === 'string' ? /^\$\.([A-Za-z]+)$/.exec(rawPath) : null;
    if (!match) fail(ctx, at, 'path must look like "$.camera"');
    pathKey = match[1];
  }
  checkLeafValue(ctx, at, fact, pathKey, operator, node['value']);
  return { fact, operator, value: node['value'], ...(typeof rawPath === 'string' && { path: rawPath }), ...extras };
}

function toTopLevel(ctx: ConditionContext, node: unknown, at: string): TopLevelCondition {
  const condition = toCondition(ctx, node, at);
  if ('all' in condition || 'any' in condition || 'not' in condition || 'condition' in condition) return condition;
  return fail(ctx, at, 'the top level must be "all", "any", "not" or "condition"');
}

/** The values an `os` condition at the top of an `all` allows; undefined when there is none. */
function requiredOperatingSystems(conditions: TopLevelCondition): readonly string[] | undefined {
  if (!('all' in conditions)) return undefined;
  for (const item of conditions.all) {
    if (!('fact' in item) || item.fact !== 'os') continue;
    if (item.operator === 'equal' && typeof item.value === 'string') return [item.value];
    if (item.operator === 'in' && Array.isArray(item.value)) return item.value.filter((v): v is string => typeof v === 'string');
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------

function listJsonFiles(dir: string, label: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new RulesError(label, undefined, `cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  return entries.filter((e) => e.isFile() && e.name.endsWith('.json')).map((e) => e.name).sort();
}

function hashFiles(files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(path.basename(path.dirname(file)) + '/' + path.basename(file));
    hash.update('\0');
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 12);
}

/** Reads and validates a rule directory synchronously; throws RulesError on the first problem. */
export function loadRuleSet(dir: string = DEFAULT_RULES_DIR): RuleSet {
  const root = path.resolve(dir);
  const labelOf = (file: string) => path.relative(path.dirname(root), file).split(path.sep).join('/');
  const topFiles = listJsonFiles(root, labelOf(root));
  const adviceDir = path.join(root, ADVICE_DIR);
  const adviceFiles = listJsonFiles(adviceDir, labelOf(adviceDir)).map((name) => path.join(adviceDir, name));

  // Guide sections: the list advice sources are checked against (the guide itself may be absent).
  const guideFile = path.join(root, GUIDE_SECTIONS_FILE);
  if (!topFiles.includes(GUIDE_SECTIONS_FILE)) throw new RulesError(labelOf(guideFile), undefined, 'is missing');
  const guideParsed = guideSectionsSchema.safeParse(readJson(guideFile, labelOf(guideFile)));
  if (!guideParsed.success) throw new RulesError(labelOf(guideFile), undefined, describeZodError(guideParsed.error));
  const guideSections = guideParsed.data.sections;
  const guideNames = new Set(guideSections.map((s) => s.name));

  // Advice content.
  const advice = new Map<string, AdviceContent>();
  for (const file of adviceFiles) {
    const label = labelOf(file);
    const parsed = adviceFileSchema.safeParse(readJson(file, label));
    if (!parsed.success) throw new RulesError(label, undefined, describeZodError(parsed.error));
    for (const [id, raw] of Object.entries(parsed.data.advice)) {
      const where = `advice "${id}"`;
      if (!adviceIdSchema.safeParse(id).success) throw new RulesError(label, undefined, `${where}: id must be kebab-case`);
      const content = adviceContentSchema.safeParse(raw);
      if (!content.success) throw new RulesError(label, undefined, `${where}: ${describeZodError(content.error)}`);
      const existing = advice.get(id);
      if (existing) throw new RulesError(label, undefined, `${where} is already defined in ${existing.file}`);
      const unlisted = citedGuideSections(content.data.source).find((section) => !guideNames.has(section));
      if (unlisted !== undefined) {
        throw new RulesError(label, undefined, `${where}: source cites "${unlisted}", which is not a section listed in ${GUIDE_SECTIONS_FILE}`);
      }
      advice.set(id, {
        id,
        title: content.data.title,
        text: content.data.text,
        links: content.data.links,
        source: content.data.source,
        ...(content.data.platforms && { platforms: content.data.platforms }),
        ...(content.data.forMicrophone && { forMicrophone: content.data.forMicrophone }),
        ...(content.data.sameAs && { sameAs: content.data.sameAs }),
        file: label,
      });
    }
  }
  for (const content of advice.values()) {
    const unknown = content.sameAs?.find((id) => !advice.has(id) || id === content.id);
    if (unknown) throw new RulesError(content.file, undefined, `advice "${content.id}": sameAs names "${unknown}", which is not another advice`);
  }
  const missingSpec = SPEC_ADVICE_IDS.filter((id) => !advice.has(id));
  if (missingSpec.length) {
    throw new RulesError(labelOf(adviceDir), undefined, `no content for SPEC §4.1 advice "${missingSpec.join('", "')}"`);
  }

  // Shared conditions (referenced from rules as { "condition": "name" }).
  const sharedConditions = new Map<string, TopLevelCondition>();
  const sharedFacts = new Map<string, Set<string>>();
  const sharedFile = path.join(root, SHARED_CONDITIONS_FILE);
  if (topFiles.includes(SHARED_CONDITIONS_FILE)) {
    const label = labelOf(sharedFile);
    const parsed = sharedConditionsSchema.safeParse(readJson(sharedFile, label));
    if (!parsed.success) throw new RulesError(label, undefined, describeZodError(parsed.error));
    for (const [name, raw] of Object.entries(parsed.data.conditions)) {
      // Shared conditions may not refer to each other: no cycles, and each reads on its own.
      const ctx: ConditionContext = {
        label, ruleId: undefined, allowDerived: false, sharedNames: new Set(), facts: new Set(), references: new Set(),
      };
      sharedConditions.set(name, toTopLevel(ctx, raw, `conditions.${name}`));
      sharedFacts.set(name, ctx.facts);
    }
  }

  // Rules.
  const rules: RuleDefinition[] = [];
  const ruleFiles = new Map<string, string>();
  const factNames = new Set<string>();
  const adviceKinds = new Map<string, { type: RuleEventType; ruleId: string; label: string }>();
  for (const name of topFiles) {
    if (name === GUIDE_SECTIONS_FILE || name === SHARED_CONDITIONS_FILE) continue;
    const file = path.join(root, name);
    const label = labelOf(file);
    const parsedFile = ruleFileSchema.safeParse(readJson(file, label));
    if (!parsedFile.success) throw new RulesError(label, undefined, describeZodError(parsedFile.error));
    parsedFile.data.rules.forEach((raw, index) => {
      const rawId = isRecord(raw) && typeof raw['id'] === 'string' ? raw['id'] : undefined;
      const ruleLabel = rawId ?? `#${index + 1}`;
      const parsed = ruleSchema.safeParse(raw);
      if (!parsed.success) throw new RulesError(label, ruleLabel, describeZodError(parsed.error));
      const rule = parsed.data;
      const previous = ruleFiles.get(rule.id);
      if (previous) throw new RulesError(label, rule.id, `duplicate rule id (also in ${previous})`);
      ruleFiles.set(rule.id, label);

      const ctx: ConditionContext = {
        label, ruleId: rule.id, allowDerived: rule.event.type === 'escalation',
        sharedNames: new Set(sharedConditions.keys()), facts: new Set(), references: new Set(),
      };
      const conditions = toTopLevel(ctx, rule.conditions, 'conditions');
      for (const reference of ctx.references) for (const fact of sharedFacts.get(reference) ?? []) ctx.facts.add(fact);
      for (const fact of ctx.facts) factNames.add(fact);

      const { adviceId } = rule.event.params;
      const content = advice.get(adviceId);
      if (!content) throw new RulesError(label, rule.id, `advice "${adviceId}" has no content in ${ADVICE_DIR}/`);
      const kind = adviceKinds.get(adviceId);
      if (kind && kind.type !== rule.event.type) {
        throw new RulesError(label, rule.id, `advice "${adviceId}" is a ${rule.event.type} here but a ${kind.type} in rule "${kind.ruleId}" (${kind.label})`);
      }
      adviceKinds.set(adviceId, { type: rule.event.type, ruleId: rule.id, label });
      if (content.platforms) {
        const required = requiredOperatingSystems(conditions);
        const allowed: readonly string[] = content.platforms;
        if (!required || !required.every((os) => allowed.includes(os))) {
          throw new RulesError(label, rule.id, `advice "${adviceId}" only applies to ${allowed.join('/')}, so the rule's top-level "all" must require "os" to be one of those`);
        }
      }

      const event = rule.event;
      rules.push({
        id: rule.id,
        file: label,
        priority: rule.priority ?? DEFAULT_PRIORITY[event.type],
        ...(rule.description !== undefined && { description: rule.description }),
        type: event.type,
        adviceId,
        rank: event.type === 'escalation' ? 0 : (event.params.rank ?? 50),
        ...(event.type === 'escalation' && { escalation: event.params.escalation }),
        conditions,
        event: { type: event.type, params: { ...event.params } },
      });
    });
  }
  if (rules.length === 0) throw new RulesError(labelOf(root), undefined, 'contains no rules');

  // Derived facts read the events of earlier tiers, so escalation rules must run strictly last.
  const lowestAdvicePriority = Math.min(...rules.filter((r) => r.type !== 'escalation').map((r) => r.priority));
  for (const rule of rules) {
    if (rule.type === 'escalation' && rule.priority >= lowestAdvicePriority) {
      throw new RulesError(rule.file, rule.id, `escalation rules must have a lower priority than every finding and step rule (< ${lowestAdvicePriority})`);
    }
  }

  const files = [
    ...topFiles.map((name) => path.join(root, name)),
    ...adviceFiles,
  ];
  return {
    dir: root,
    files,
    version: hashFiles(files),
    rules,
    sharedConditions,
    advice,
    guideSections,
    factNames: FACT_NAMES.filter((name) => factNames.has(name)),
  };
}

export function isOperatingSystem(value: string): value is OperatingSystem {
  return OS_VALUES.some((os) => os === value);
}
