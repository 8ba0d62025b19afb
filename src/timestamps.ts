/**
 * Time as the store keeps it: ISO-8601 UTC text, which sorts and compares as time. Durations
 * between two stored times, and times some seconds ahead, are worked out here alone.
 */

/** Seconds from one stored time to a later one; 0 when instances' clocks disagree and `to` reads earlier. */
export function secondsBetween(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}

/** The time `seconds` after `at`. */
export function secondsAfter(at: Date, seconds: number): Date {
  return new Date(at.getTime() + seconds * 1000);
}
