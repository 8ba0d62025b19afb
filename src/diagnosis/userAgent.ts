import Bowser from 'bowser';
import type { Browser, DeviceType, Facts, OperatingSystem } from './facts';

/** What `navigator.userAgentData` (client hints) and the page add to the user-agent string. */
export interface UserAgentHints {
  brands?: { brand: string; version: string }[];
  mobile?: boolean;
  platform?: string;
  platformVersion?: string;
  maxTouchPoints?: number;
}

export type UserAgentFacts = Pick<Facts, 'os' | 'osVersion' | 'browser' | 'browserVersion' | 'deviceType' | 'inAppBrowser'>;

/** Keeps at most four numeric parts ("120.0.6099.109"); anything else is unknown rather than guessed. */
function cleanVersion(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const match = /^\d+(\.\d+){0,3}/.exec(raw.trim().replace(/_/g, '.'));
  return match ? match[0] : undefined;
}

function major(version: string | undefined): number | undefined {
  if (!version) return undefined;
  const value = Number.parseInt(version, 10);
  return Number.isNaN(value) ? undefined : value;
}

const BROWSER_NAMES: Record<string, Browser> = {
  'Chrome': 'chrome',
  'Chromium': 'chrome',
  'Microsoft Edge': 'edge',
  'Firefox': 'firefox',
  'Safari': 'safari',
  'Opera': 'opera',
  'Samsung Internet for Android': 'samsung',
  'Internet Explorer': 'ie',
};

const OS_NAMES: Record<string, OperatingSystem> = {
  'Windows': 'windows',
  'macOS': 'macos',
  'iOS': 'ios',
  'Android': 'android',
  'Linux': 'linux',
  'Chrome OS': 'chromeos',
};

// Windows NT kernel versions as the UA reports them, mapped to the product version people know.
const WINDOWS_NT: Record<string, string> = { '10.0': '10', '6.3': '8.1', '6.2': '8', '6.1': '7', '6.0': '6', '5.2': '5.1', '5.1': '5.1' };

// Apps whose built-in web view identifies itself in the UA. Their camera support is limited.
const IN_APP_TOKENS = /FBAN\/|FBAV\/|FB_IAB|Instagram|\bLine\/|MicroMessenger|\bGSA\/|Snapchat|Twitter|LinkedInApp|\bSlack\/|\bTeams\/|\bBytedanceWebview|musical_ly|Pinterest/;

/** Apps whose built-in browser the user agent names, most specific first (Instagram's UA also says FBAN on some builds). */
const IN_APP_NAMES: readonly (readonly [RegExp, string])[] = [
  [/Instagram/, 'Instagram'],
  [/FBAN\/|FBAV\/|FB_IAB|FBIOS/, 'Facebook'],
  [/LinkedInApp/, 'LinkedIn'],
  [/\bSlack\//, 'Slack'],
  [/\bTeams\//, 'Microsoft Teams'],
  [/\bLine\//, 'LINE'],
  [/MicroMessenger/, 'WeChat'],
  [/Twitter/, 'X (Twitter)'],
  [/Snapchat/, 'Snapchat'],
  [/BytedanceWebview|musical_ly/, 'TikTok'],
  [/Pinterest/, 'Pinterest'],
  [/\bGSA\//, 'the Google app'],
];

/** The app whose built-in browser sent this user agent, for wording ("open it outside Instagram"). */
export function inAppBrowserName(ua: string): string | undefined {
  return IN_APP_NAMES.find(([pattern]) => pattern.test(ua))?.[1];
}
const IOS_BROWSER_TOKENS = /\b(CriOS|FxiOS|EdgiOS|OPiOS)\//;

/**
 * Turns a user-agent string (and, when the page sends them, client hints) into the platform facts
 * of SPEC §4. Anything the string does not say stays absent: the conversation asks instead.
 */
export function factsFromUserAgent(ua: string, hints: UserAgentHints = {}): Partial<Facts> {
  const facts: UserAgentFacts = {};
  const parsed = Bowser.parse(ua);

  // --- operating system -------------------------------------------------------------------
  const osName = parsed.os.name ? OS_NAMES[parsed.os.name] ?? 'other' : undefined;
  let os: OperatingSystem | undefined = osName;
  let osVersion: string | undefined;
  if (os === 'windows') {
    osVersion = WINDOWS_NT[(parsed.os.version ?? '').replace(/^NT\s*/, '')];
  } else if (os === 'macos') {
    // Chrome, Safari and Firefox freeze the macOS version at 10.15(.7), so that value says
    // "10.15 or later", not the real version: treat it as unknown.
    const version = cleanVersion(parsed.os.version);
    osVersion = version && /^10\.15(\.7)?$/.test(version) ? undefined : version;
  } else if (os !== undefined) {
    osVersion = cleanVersion(parsed.os.version);
  }

  const hintPlatform = hints.platform?.toLowerCase();
  const hintVersion = cleanVersion(hints.platformVersion);
  if (!os && hintPlatform) os = OS_NAMES[hints.platform ?? ''] ?? (hintPlatform === 'chromeos' ? 'chromeos' : undefined);
  // Windows 11 still sends "Windows NT 10.0"; only the platformVersion hint tells 10 from 11.
  if (os === 'windows' && hintPlatform === 'windows' && hintVersion) {
    const hintMajor = major(hintVersion) ?? 0;
    if (hintMajor >= 13) osVersion = '11';
    else if (hintMajor >= 1) osVersion = '10';
  } else if ((os === 'macos' || os === 'android') && hintVersion && hintPlatform === os) {
    osVersion = hintVersion;
  }

  // --- iOS and iPadOS ---------------------------------------------------------------------
  // The OS token ("OS 14_4 like Mac OS X") carries the iOS version. Since iOS 26 Safari freezes
  // it at 18_6 and puts the real version in Version/, so the larger of the two wins.
  const iosToken = /OS (\d+[_.]\d+(?:[_.]\d+)?) like Mac OS X/.exec(ua)?.[1];
  const safariVersion = /Version\/(\d+(?:\.\d+){0,2})/.exec(ua)?.[1];
  const iosAppToken = IOS_BROWSER_TOKENS.exec(ua)?.[1];
  // iPadOS 13+ asks for desktop pages with a Mac user agent; only touch support gives it away.
  const macWithTouch = os === 'macos' && (hints.maxTouchPoints ?? 0) > 1;
  const isIPad = /\biPad\b/.test(ua);
  if (os === 'ios' || macWithTouch) {
    const tokenVersion = cleanVersion(iosToken);
    const versionToken = cleanVersion(safariVersion);
    let iosVersion = tokenVersion;
    if (versionToken && (!iosVersion || (major(versionToken) ?? 0) > (major(iosVersion) ?? 0))) {
      // Only Safari's (and EdgiOS's) Version/ token is the WebKit version; it equals the iOS version.
      iosVersion = macWithTouch || (major(versionToken) ?? 0) >= 26 ? versionToken : iosVersion;
    }
    osVersion = iosVersion;
    os = macWithTouch || (isIPad && (major(iosVersion) ?? 13) >= 13) ? 'ipados' : 'ios';
  }
  if (os) facts.os = os;
  if (osVersion) facts.osVersion = osVersion;

  // --- browser ----------------------------------------------------------------------------
  let browser: Browser | undefined = parsed.browser.name ? BROWSER_NAMES[parsed.browser.name] ?? 'other' : undefined;
  let browserVersion = cleanVersion(parsed.browser.version);
  if (/\bEdge\/\d/.test(ua)) {
    // Legacy EdgeHTML Edge ("Edge/18.19041"): kept as edge with its old version number, which the
    // rules treat as unsupported (Chromium Edge starts at 79 and says "Edg/").
    browser = 'edge';
    browserVersion = cleanVersion(/\bEdge\/([\d.]+)/.exec(ua)?.[1]);
  }
  if (parsed.browser.name === 'Opera Mini') browser = 'other';

  const brands = hints.brands ?? [];
  const brand = (name: string) => brands.find((b) => b.brand === name);
  // Brave's UA is identical to Chrome's; only the client-hint brands tell it apart.
  const hinted = brand('Brave') ? { browser: 'brave' as const, entry: brand('Brave') }
    : brand('Microsoft Edge') ? { browser: 'edge' as const, entry: brand('Microsoft Edge') }
    : brand('Opera') ? { browser: 'opera' as const, entry: brand('Opera') }
    : undefined;
  if (hinted) {
    browser = hinted.browser;
    browserVersion = cleanVersion(hinted.entry?.version) ?? browserVersion;
  }

  let inAppBrowser = IN_APP_TOKENS.test(ua) || /; wv\)/.test(ua);
  if (os === 'ios' || os === 'ipados') {
    // A WKWebView inside an app sends neither Version/ nor a browser token such as CriOS.
    if (!safariVersion && !iosAppToken) inAppBrowser = true;
    if (iosAppToken) browser = iosAppToken === 'CriOS' ? 'chrome' : iosAppToken === 'FxiOS' ? 'firefox' : iosAppToken === 'EdgiOS' ? 'edge' : 'opera';
    else if (!inAppBrowser) browser = 'safari';
    // Every iOS browser runs Safari's engine (WebKit), so the version that decides what works is
    // Safari's, which is the iOS version; CriOS/120 is only the app's own version. The rules
    // therefore compare browserVersion with Safari thresholds whatever the app is.
    browserVersion = osVersion;
  } else if (inAppBrowser) {
    // The version of an Android web view is its Chrome engine version, which is what matters.
    browserVersion = cleanVersion(/Chrome\/([\d.]+)/.exec(ua)?.[1]);
  }
  if (inAppBrowser) browser = 'other';
  if (browser) {
    facts.browser = browser;
    facts.inAppBrowser = inAppBrowser;
  } else if (inAppBrowser) {
    facts.inAppBrowser = true;
  }
  if (browserVersion && browser) facts.browserVersion = browserVersion;

  // --- device -----------------------------------------------------------------------------
  let deviceType: DeviceType | undefined;
  const platformType = parsed.platform.type;
  if (platformType === 'desktop' || platformType === 'mobile' || platformType === 'tablet') deviceType = platformType;
  if (hints.mobile === true && deviceType !== 'tablet') deviceType = 'mobile';
  if (macWithTouch || facts.os === 'ipados') deviceType = 'tablet';
  if (deviceType) facts.deviceType = deviceType;
  return facts;
}
