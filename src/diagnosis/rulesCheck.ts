import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { RulesError } from '../errors';
import { citedGuideSections } from './advice';
import { SPEC_ADVICE_IDS } from './facts';
import { formatRuleFile } from './ruleFormat';
import { loadRuleSet, type RuleSet } from './ruleSet';

/**
 * `npm run rules:check`: validates every rule file (the same loader the bot uses) and its
 * layout, then lists each advice with the rules that produce it and its source, and flags
 * advice no rule produces and guide sections no advice cites. Exit code 1 on any error.
 * `npm run rules:check -- --fix` first rewrites files that are not in the rules' format.
 */

export interface RulesReport {
  errors: string[];
  warnings: string[];
  lines: string[];
}

/** Headings (## / ###) and numbered overview steps of the guide, as named in guide-sections.json. */
export function guideSectionNames(markdown: string): string[] {
  const names: string[] = [];
  let inOverview = false;
  for (const line of markdown.split('\n')) {
    const heading = /^(#{2,3})\s+(.+?)\s*$/.exec(line);
    if (heading?.[2] !== undefined) {
      names.push(heading[2]);
      inOverview = heading[2] === 'Overview of steps';
      continue;
    }
    const step = /^(\d+)\.\s+/.exec(line);
    if (inOverview && step?.[1] !== undefined) names.push(`Overview of steps, step ${step[1]}`);
  }
  return names;
}

function labelOf(ruleSet: RuleSet, file: string): string {
  return path.relative(path.dirname(ruleSet.dir), file).split(path.sep).join('/');
}

/** The rule set's files whose text is not what formatRuleFile writes for their content. */
export function unformattedFiles(ruleSet: RuleSet): string[] {
  // The loader has read every one of them as JSON already.
  return ruleSet.files.filter((file) => {
    const text = fs.readFileSync(file, 'utf8');
    return text !== formatRuleFile(JSON.parse(text));
  });
}

/** Rewrites the unformatted files of the rule set in the rules' format; returns their labels. */
export function formatRuleSetFiles(ruleSet: RuleSet): string[] {
  return unformattedFiles(ruleSet).map((file) => {
    fs.writeFileSync(file, formatRuleFile(JSON.parse(fs.readFileSync(file, 'utf8'))));
    return labelOf(ruleSet, file);
  });
}

export function checkRuleSet(ruleSet: RuleSet, guideMarkdown?: string): RulesReport {
  const errors: string[] = [];
  const warnings: string[] = [];
  const lines: string[] = [];
  const specIds: readonly string[] = SPEC_ADVICE_IDS;
  for (const file of unformattedFiles(ruleSet)) {
    errors.push(`${labelOf(ruleSet, file)} is not written in the rules' layout (npm run rules:check -- --fix rewrites it)`);
  }

  lines.push(`rules ${ruleSet.rules.length}, advice ${ruleSet.advice.size}, version ${ruleSet.version}`);
  lines.push(`facts the rules use: ${ruleSet.factNames.join(', ')}`);
  lines.push('');
  const cited = new Set<string>();
  for (const [id, advice] of [...ruleSet.advice].sort(([a], [b]) => a.localeCompare(b))) {
    const producers = ruleSet.rules.filter((rule) => rule.adviceId === id);
    const kind = producers[0]?.type ?? 'unused';
    lines.push(`${id}  (${kind}${specIds.includes(id) ? ', SPEC §4.1' : ''})`);
    lines.push(`    rules:  ${producers.map((rule) => `${rule.id}${rule.type === 'escalation' ? '' : ` #${rule.rank}`}`).join(', ') || '—'}`);
    lines.push(`    source: ${advice.source}`);
    for (const section of citedGuideSections(advice.source)) cited.add(section);
    if (producers.length === 0) {
      (specIds.includes(id) ? errors : warnings).push(`advice "${id}" (${advice.file}) is produced by no rule`);
    }
  }
  for (const section of ruleSet.guideSections) {
    if (!cited.has(section.name)) warnings.push(`guide section "${section.name}" is cited by no advice`);
  }
  if (guideMarkdown !== undefined) {
    const listed = new Set(ruleSet.guideSections.filter((s) => s.kind === 'heading' || s.kind === 'step').map((s) => s.name));
    const actual = guideSectionNames(guideMarkdown);
    for (const name of actual) if (!listed.has(name)) warnings.push(`guide section "${name}" is missing from guide-sections.json`);
    for (const name of listed) if (!actual.includes(name)) warnings.push(`guide-sections.json lists "${name}", which the guide no longer has`);
  }
  return { errors, warnings, lines };
}

function main(argv: readonly string[]): number {
  let args;
  try {
    args = parseArgs({ args: [...argv], options: { fix: { type: 'boolean' } }, allowPositionals: true });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\nUsage: npm run rules:check -- [--fix] [rules directory]`);
    return 2;
  }
  const { values, positionals } = args;
  const dir = positionals[0];
  let ruleSet: RuleSet;
  try {
    ruleSet = loadRuleSet(dir);
    if (values.fix) {
      const formatted = formatRuleSetFiles(ruleSet);
      for (const label of formatted) console.log(`formatted ${label}`);
      if (formatted.length) ruleSet = loadRuleSet(dir);
    }
  } catch (error) {
    if (error instanceof RulesError) {
      console.error(`error: ${error.message}`);
      return 1;
    }
    throw error;
  }
  // The guide lives outside the repository; from a fresh clone only the stored section list is checked.
  const guideFile = path.resolve(ruleSet.dir, '../../shared/guide/troubleshooting-guide.md');
  const guide = fs.existsSync(guideFile) ? fs.readFileSync(guideFile, 'utf8') : undefined;
  const report = checkRuleSet(ruleSet, guide);
  for (const line of report.lines) console.log(line);
  console.log('');
  if (guide === undefined) console.log('(guide file not found: checked citations against rules/guide-sections.json only)');
  for (const warning of report.warnings) console.log(`warning: ${warning}`);
  for (const error of report.errors) console.error(`error: ${error}`);
  console.log(report.errors.length ? `${report.errors.length} error(s)` : 'rules OK');
  return report.errors.length ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
