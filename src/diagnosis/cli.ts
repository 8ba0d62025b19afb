import { parseArgs } from 'node:util';
import { AppError } from '../errors';
import type { Advice } from './advice';
import { createDiagnoser } from './diagnoser';
import { parseFacts } from './facts';
import { factsFromUserAgent } from './userAgent';

/**
 * `npm run diagnose -- --os ios --browser chrome --symptom permission-denied`
 * Prints what diagnose() returns for the facts given as flags. Bad flags: one line, exit 2.
 */

const USAGE = `Usage: npm run diagnose -- [flags]
  --ua "<user agent>"        platform facts from a user-agent string (flags below override)
  --os <os>  --os-version <v>  --browser <browser>  --browser-version <v>  --device-type <type>
  --media camera,microphone  --symptom <symptom>  --error-name <name>  --error-message "<text>"
  --camera-permission <state>  --microphone-permission <state>
  --cameras <n>  --microphones <n>  --labels-hidden
  --insecure  --iframe  --in-app  --live  --live-stream  --urgent  --human  --role presenter|attendee
  --tried id1,id2            advice already tried
  --json                     print the diagnosis as JSON`;

const options = {
  'ua': { type: 'string' },
  'os': { type: 'string' },
  'os-version': { type: 'string' },
  'browser': { type: 'string' },
  'browser-version': { type: 'string' },
  'device-type': { type: 'string' },
  'media': { type: 'string' },
  'symptom': { type: 'string' },
  'error-name': { type: 'string' },
  'error-message': { type: 'string' },
  'camera-permission': { type: 'string' },
  'microphone-permission': { type: 'string' },
  'cameras': { type: 'string' },
  'microphones': { type: 'string' },
  'labels-hidden': { type: 'boolean' },
  'insecure': { type: 'boolean' },
  'iframe': { type: 'boolean' },
  'in-app': { type: 'boolean' },
  'live': { type: 'boolean' },
  'live-stream': { type: 'boolean' },
  'urgent': { type: 'boolean' },
  'human': { type: 'boolean' },
  'role': { type: 'string' },
  'tried': { type: 'string' },
  'json': { type: 'boolean' },
  'help': { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((item) => item.trim()).filter(Boolean);
}

function count(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag} must be a whole number, not "${value}"`);
  return Number(value);
}

/** Builds the raw facts object from flags; parseFacts then checks every value. */
export function factsFromFlags(argv: readonly string[]): { facts: unknown; json: boolean; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split('\n')[0] ?? 'bad flags' : 'bad flags');
  }
  const v = parsed.values;
  const raw: Record<string, unknown> = v.ua ? { ...factsFromUserAgent(v.ua) } : {};
  const set = (name: string, value: unknown) => {
    if (value !== undefined) raw[name] = value;
  };
  set('os', v.os);
  set('osVersion', v['os-version']);
  set('browser', v.browser);
  set('browserVersion', v['browser-version']);
  set('deviceType', v['device-type']);
  set('media', list(v.media));
  set('symptom', v.symptom);
  set('errorName', v['error-name']);
  set('errorMessage', v['error-message']);
  set('role', v.role);
  set('stepsTried', list(v.tried));
  if (v.insecure) raw['secureContext'] = false;
  if (v.iframe) raw['inIframe'] = true;
  if (v['in-app']) raw['inAppBrowser'] = true;
  if (v.live) raw['liveConference'] = true;
  if (v['live-stream']) raw['liveStream'] = true;
  if (v.urgent) raw['urgent'] = true;
  if (v.human) raw['humanRequested'] = true;
  const permission: Record<string, unknown> = {};
  if (v['camera-permission'] !== undefined) permission['camera'] = v['camera-permission'];
  if (v['microphone-permission'] !== undefined) permission['microphone'] = v['microphone-permission'];
  if (Object.keys(permission).length) raw['permission'] = permission;
  const devices: Record<string, unknown> = {};
  const cameras = count('cameras', v.cameras);
  const microphones = count('microphones', v.microphones);
  if (cameras !== undefined) devices['camera'] = cameras;
  if (microphones !== undefined) devices['microphone'] = microphones;
  if (v['labels-hidden']) devices['labelsVisible'] = false;
  if (Object.keys(devices).length) raw['devices'] = devices;
  return { facts: raw, json: v.json === true, help: v.help === true };
}

function formatAdvice(advice: Advice, marker: string): string {
  const lines = [`${marker}[${advice.id}] ${advice.title}`, `     ${advice.text}`];
  for (const link of advice.links) lines.push(`     ${link.label}: ${link.url}`);
  lines.push(`     source: ${advice.source}`);
  return lines.join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  let input;
  try {
    input = factsFromFlags(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`diagnose: ${error.message} (see --help)`);
      return 2;
    }
    throw error;
  }
  if (input.help) {
    console.log(USAGE);
    return 0;
  }
  let facts;
  try {
    facts = parseFacts(input.facts);
  } catch (error) {
    console.error(`diagnose: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const diagnosis = await createDiagnoser().diagnose(facts);
  if (input.json) {
    console.log(JSON.stringify({ facts, ...diagnosis }, null, 2));
    return 0;
  }
  const known = Object.entries(facts).map(([name, value]) => `${name}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  console.log(`Facts: ${known.join(' ') || '(none)'}`);
  console.log('');
  console.log(diagnosis.findings.length ? 'Findings:' : 'Findings: none');
  for (const finding of diagnosis.findings) console.log(formatAdvice(finding, '  - '));
  console.log('');
  console.log(diagnosis.steps.length ? 'Steps (most likely fix first):' : 'Steps: none left');
  diagnosis.steps.forEach((step, index) => console.log(formatAdvice(step, `  ${String(index + 1).padStart(2)}. `)));
  console.log('');
  console.log(`Escalation: ${diagnosis.escalation ?? 'none'}`);
  console.log(`Rules version: ${diagnosis.rulesVersion}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A broken rule set is reported as its one-line message; anything else is a bug worth a stack.
    console.error(`diagnose: ${error instanceof AppError ? error.message : error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 1;
  },
);
