import { describe, it, expect } from 'vitest';
import { parseFacts } from '../../src/diagnosis';
import { factsFromUserAgent, type UserAgentHints } from '../../src/diagnosis/userAgent';
import type { Facts } from '../../src/diagnosis';

type Row = [name: string, ua: string, expected: Partial<Facts>, hints?: UserAgentHints];

const MAC_SAFARI_17 = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15';
const CHROME_WIN = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

const rows: Row[] = [
  ['Chrome on Windows 10', CHROME_WIN,
    { os: 'windows', osVersion: '10', browser: 'chrome', browserVersion: '120.0.0.0', deviceType: 'desktop', inAppBrowser: false }],
  ['Chrome on Windows 11 (client hint platformVersion 15)', CHROME_WIN,
    { os: 'windows', osVersion: '11', browser: 'chrome' }, { platform: 'Windows', platformVersion: '15.0.0', brands: [{ brand: 'Google Chrome', version: '120' }] }],
  ['Windows 10 via client hint platformVersion 10', CHROME_WIN,
    { os: 'windows', osVersion: '10' }, { platform: 'Windows', platformVersion: '10.0.0' }],
  ['Chromium Edge (Edg/)', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91',
    { os: 'windows', browser: 'edge', browserVersion: '120.0.2210.91' }],
  ['legacy EdgeHTML Edge 18 (Edge/)', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19041',
    { os: 'windows', browser: 'edge', browserVersion: '18.19041' }],
  ['Firefox on Windows', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
    { os: 'windows', browser: 'firefox', browserVersion: '121.0', deviceType: 'desktop' }],
  ['Chrome on Windows 7', 'Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36',
    { os: 'windows', osVersion: '7', browser: 'chrome' }],
  ['IE 11 (Trident)', 'Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko',
    { os: 'windows', browser: 'ie', browserVersion: '11.0' }],
  ['IE 10', 'Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; Trident/6.0)',
    { os: 'windows', osVersion: '8', browser: 'ie' }],
  ['Opera on Windows (OPR/)', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0',
    { os: 'windows', browser: 'opera', browserVersion: '106.0.0.0' }],
  ['Brave (same UA as Chrome, told by brands)', CHROME_WIN,
    { browser: 'brave', browserVersion: '120' }, { brands: [{ brand: 'Not_A Brand', version: '8' }, { brand: 'Chromium', version: '120' }, { brand: 'Brave', version: '120' }] }],
  ['Safari 17 on macOS (frozen 10_15_7 is not a real version)', MAC_SAFARI_17,
    { os: 'macos', browser: 'safari', browserVersion: '17.2', deviceType: 'desktop', inAppBrowser: false }],
  ['Safari 26 on macOS (after 18)', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.0 Safari/605.1.15',
    { os: 'macos', browser: 'safari', browserVersion: '26.0' }],
  ['Safari 13 on macOS Mojave', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.2 Safari/605.1.15',
    { os: 'macos', osVersion: '10.14.6', browser: 'safari', browserVersion: '13.1.2' }],
  ['Firefox on macOS', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0',
    { os: 'macos', browser: 'firefox', browserVersion: '121.0' }],
  ['Chrome on macOS with platformVersion hint', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    { os: 'macos', osVersion: '14.1.0', browser: 'chrome' }, { platform: 'macOS', platformVersion: '14.1.0' }],
  ['iPadOS Safari with a Mac user agent and touch', MAC_SAFARI_17,
    { os: 'ipados', osVersion: '17.2', browser: 'safari', browserVersion: '17.2', deviceType: 'tablet' }, { maxTouchPoints: 5 }],
  ['Chrome on iOS 14.4 (CriOS): version is the Safari engine = iOS', 'Mozilla/5.0 (iPhone; CPU iPhone OS 14_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/87.0.4280.77 Mobile/15E148 Safari/604.1',
    { os: 'ios', osVersion: '14.4', browser: 'chrome', browserVersion: '14.4', deviceType: 'mobile', inAppBrowser: false }],
  ['Firefox on iOS (FxiOS)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/119.0 Mobile/15E148 Safari/605.1.15',
    { os: 'ios', browser: 'firefox', browserVersion: '16.6' }],
  ['Edge on iOS (EdgiOS)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 EdgiOS/119.0.2151.65 Mobile/15E148 Safari/605.1.15',
    { os: 'ios', browser: 'edge', browserVersion: '17.1' }],
  ['Safari on iOS 13.3', 'Mozilla/5.0 (iPhone; CPU iPhone OS 13_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0.4 Mobile/15E148 Safari/604.1',
    { os: 'ios', osVersion: '13.3', browser: 'safari', browserVersion: '13.3' }],
  ['Safari on iOS 26 (OS token frozen at 18_6)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.0 Mobile/15E148 Safari/604.1',
    { os: 'ios', osVersion: '26.0', browser: 'safari', browserVersion: '26.0' }],
  ['old iPad on iOS 12 stays ios', 'Mozilla/5.0 (iPad; CPU OS 12_5_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1',
    { os: 'ios', osVersion: '12.5.7', deviceType: 'tablet', browser: 'safari' }],
  ['Facebook in-app browser on iOS (FBAN)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/16.5;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]',
    { os: 'ios', inAppBrowser: true, browser: 'other', browserVersion: '16.5' }],
  ['Instagram in-app browser', 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 290.0.0.13.76 (iPhone14,5; iOS 16_5; en_US; en; scale=3.00; 1170x2532; 489720907)',
    { os: 'ios', inAppBrowser: true }],
  ['WeChat (MicroMessenger)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 15_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40(0x18002831) NetType/WIFI Language/zh_CN',
    { os: 'ios', inAppBrowser: true }],
  ['Google app (GSA)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) GSA/282.0.570542036 Mobile/15E148 Safari/604.1',
    { os: 'ios', inAppBrowser: true }],
  ['LINE in-app browser', 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari Line/13.6.1',
    { os: 'ios', inAppBrowser: true }],
  ['bare WKWebView (no Version/ or Safari/)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
    { os: 'ios', inAppBrowser: true, browserVersion: '17.2' }],
  ['Facebook in-app on Android (FBAV, wv)', 'Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230805.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/428.0.0.26.108;]',
    { os: 'android', inAppBrowser: true, browser: 'other', browserVersion: '116.0.0.0' }],
  ['Chrome on Android phone', 'Mozilla/5.0 (Linux; Android 13; SM-S901B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Mobile Safari/537.36',
    { os: 'android', osVersion: '13', browser: 'chrome', deviceType: 'mobile', inAppBrowser: false }],
  ['Chrome on Android tablet', 'Mozilla/5.0 (Linux; Android 9; SM-T820) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36',
    { os: 'android', deviceType: 'tablet' }],
  ['Samsung Internet', 'Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S901B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36',
    { os: 'android', browser: 'samsung', browserVersion: '23.0' }],
  ['Opera on Android', 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 OPR/79.0.4195.76543',
    { os: 'android', browser: 'opera' }],
  ['Edge on Android (EdgA)', 'Mozilla/5.0 (Linux; Android 12; SM-G991B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 EdgA/120.0.2210.84',
    { os: 'android', browser: 'edge' }],
  ['Firefox on Android', 'Mozilla/5.0 (Android 13; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0',
    { os: 'android', browser: 'firefox', deviceType: 'mobile' }],
  ['Chrome on Linux', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    { os: 'linux', browser: 'chrome', deviceType: 'desktop' }],
  ['Firefox on Ubuntu', 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
    { os: 'linux', browser: 'firefox' }],
  ['Chrome on ChromeOS', 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    { os: 'chromeos', browser: 'chrome' }],
];

describe('factsFromUserAgent', () => {
  it.each(rows)('%s', (_name, ua, expected, hints) => {
    expect(factsFromUserAgent(ua, hints)).toMatchObject(expected);
  });

  it('leaves the frozen macOS version absent rather than guessing', () => {
    expect(factsFromUserAgent(MAC_SAFARI_17)).not.toHaveProperty('osVersion');
  });

  it('returns nothing for an unrecognisable string', () => {
    const facts = factsFromUserAgent('curl/8.0');
    expect(facts.os).toBeUndefined();
    expect(facts.osVersion).toBeUndefined();
    expect(facts.browserVersion).toBeUndefined();
  });

  it('returns facts that parseFacts accepts', () => {
    for (const [, ua, , hints] of rows) expect(() => parseFacts(factsFromUserAgent(ua, hints))).not.toThrow();
  });
});
