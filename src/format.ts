/**
 * Pure formatting helpers for the run list.
 */

/**
 * Placeholder for a value that does not exist yet.
 */
export const MISSING = '\u2014';

/**
 * The last segment of a `/`-separated path.
 */
export function basename(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1) || path;
}

/**
 * Parse an ISO 8601 timestamp; `null` when absent or invalid.
 */
export function parseTime(value: string | null | undefined): Date | null {
  if (!value) {
    return null;
  }
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * A short local time: `14:05` today, `3 Mar, 14:05` on another day.
 */
export function formatStartTime(
  value: string | null | undefined,
  now: Date = new Date()
): string {
  const date = parseTime(value);
  if (!date) {
    return MISSING;
  }
  const time: Intl.DateTimeFormatOptions = {
    hour: 'numeric',
    minute: '2-digit'
  };
  if (date.toDateString() === now.toDateString()) {
    return date.toLocaleTimeString([], time);
  }
  return date.toLocaleString([], { ...time, day: 'numeric', month: 'short' });
}

/**
 * The full local date and time, for tooltips.
 */
export function formatFullTime(value: string | null | undefined): string {
  const date = parseTime(value);
  return date ? date.toLocaleString() : MISSING;
}

/**
 * Duration between two timestamps (`now` when `end` is missing), as `42s`,
 * `3m 05s` or `2h 07m`; the placeholder when `start` is missing.
 */
export function formatDuration(
  start: string | null | undefined,
  end: string | null | undefined,
  now: number = Date.now()
): string {
  const startDate = parseTime(start);
  if (!startDate) {
    return MISSING;
  }
  const endTime = parseTime(end)?.getTime() ?? now;
  const seconds = Math.max(
    0,
    Math.floor((endTime - startDate.getTime()) / 1000)
  );
  return formatWholeSeconds(seconds);
}

/**
 * A time limit given in seconds, as `30s`, `2.5s` or `5m 00s`.
 */
export function formatLimit(seconds: number): string {
  if (seconds < 60 && !Number.isInteger(seconds)) {
    return `${Number(seconds.toFixed(1))}s`;
  }
  return formatWholeSeconds(Math.round(seconds));
}

function formatWholeSeconds(seconds: number): string {
  if (seconds < 60) {
    return `${seconds}s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes}m ${pad(seconds % 60)}s`;
  }
  const hours = Math.floor(minutes / 60);
  return `${hours}h ${pad(minutes % 60)}m`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/**
 * The message of an error of any kind, for the user.
 */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
