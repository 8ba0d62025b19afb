/**
 * Fact names and values, step outcomes, escalation states and ratings in words: the one source
 * both the conversation (cards, status lines, buttons) and the staff console read.
 */
export const osNames: Record<string, string> = {
  windows: 'Windows', macos: 'macOS', linux: 'Linux', chromeos: 'ChromeOS', android: 'Android', ios: 'iOS', ipados: 'iPadOS', other: 'another system',
};
export const browserNames: Record<string, string> = {
  chrome: 'Chrome', edge: 'Edge', firefox: 'Firefox', safari: 'Safari', opera: 'Opera', samsung: 'Samsung Internet', brave: 'Brave', ie: 'Internet Explorer', other: 'another browser',
};

/** Human names for fact values, used in status lines and the diagnostics card. */
export const valueLabels: Record<string, string> = {
  cameraAndMicrophone: 'camera and microphone',
  camera: 'camera',
  microphone: 'microphone',
  screen: 'screen sharing',
  'permission-denied': 'permission denied',
  'no-prompt': 'never asks for permission',
  'not-found': 'device not found',
  'in-use': 'device in use',
  'no-video': 'others cannot see you',
  'no-audio': 'others cannot hear you',
  'poor-quality': 'poor quality',
  'screen-share-failed': 'screen sharing fails',
  other: 'other',
  silent: 'silent',
  low: 'very quiet',
  ok: 'fine',
  black: 'black',
  frozen: 'frozen',
  'display-capture': 'screen sharing',
  displayCapture: 'screen sharing',
};

/** What each fact is called, on the diagnostics card and in the staff console. */
export const factLabels: Record<string, string> = {
  os: 'Operating system', osVersion: 'OS version', browser: 'Browser', browserVersion: 'Browser version',
  inAppBrowser: 'In-app browser', deviceType: 'Device', media: 'Not working', symptom: 'What happens',
  errorName: 'Error', errorMessage: 'Error message', permission: 'Site permission', devices: 'Devices found',
  secureContext: 'Secure page (https)', inIframe: 'Inside a frame', liveConference: 'Live session',
  role: 'Role', liveStream: 'Live-stream', urgent: 'Urgent', humanRequested: 'Asked for a person', stepsTried: 'Steps tried',
  managedDevice: 'Managed by an organisation', audioLevel: 'Microphone level', audioClipping: 'Microphone distorts',
  videoFrames: 'Camera picture', staleDevice: 'Saved device missing', permissionsPolicy: 'Frame allows',
  displayMediaAvailable: 'Screen sharing available',
};

/** Where a fact came from. */
export const sourceLabels: Record<string, string> = {
  asked: 'answered', text: 'from their words', 'user-agent': 'from the browser', probe: 'from the check',
};

/** How the person says a step went: the words of the step buttons. */
export const stepOutcomeWords = { fixed: 'That fixed it', 'not-fixed': "Didn't help", 'already-tried': 'Already tried' } as const;

/** How a step went, in the words of the buttons the person pressed. */
export const outcomeLabels: Record<string, string> = {
  ...stepOutcomeWords,
  'verified-fixed': 'Fixed, confirmed by the check', 'verified-not-fixed': 'Not fixed, confirmed by the check',
};

/** Why staff were called or a record was filed. */
export const reasonLabels: Record<string, string> = {
  urgent: 'Urgent, live session', 'human-requested': 'Asked for a person', 'steps-exhausted': 'Steps ran out', 'no-staff': 'No staff in time',
};

/** Escalation kinds, states and outcomes as people say them. */
export const escalationLabels: Record<string, string> = {
  'staff-now': 'Staff called', 'support-record': 'Support record',
  requested: 'requested', filed: 'filed', unavailable: 'nobody could be called', waiting: 'waiting', claimed: 'with staff',
  closed: 'closed', 'timed-out': 'no staff in time',
  fixed: 'fixed', unresolved: 'not solved',
};

/** What a browser's media error means, in words. */
export const errorLabels: Record<string, string> = {
  NotAllowedError: 'permission denied', NotFoundError: 'no device found', NotReadableError: 'device busy or blocked by the system',
  OverconstrainedError: 'no device fits', AbortError: 'start was aborted', SecurityError: 'blocked by security settings',
  InvalidStateError: 'page was not active', TypeError: 'not available on this page',
};

export const roleLabels: Record<string, string> = { presenter: 'presenter', attendee: 'attendee' };

/** The answers to "How did we do?", in the words of its buttons. */
export const ratingLabels = { good: 'Great', ok: 'OK', poor: 'Not good' } as const;
