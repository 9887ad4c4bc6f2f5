/**
 * Pure formatting helpers for the run list.
 */

import type { RunStatus } from './wire';

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
 * When a run started in full, or when it was queued while it has not.
 */
export function startTitle(
  run: { started_at?: string | null; created_at: string },
  trans: ITranslate
): string {
  return run.started_at
    ? trans.__('Started %1', formatFullTime(run.started_at))
    : trans.__('Queued %1', formatFullTime(run.created_at));
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

/**
 * The part of a translation bundle the formatting helpers use, so they stay
 * free of JupyterLab imports (and unit-testable).
 */
export interface ITranslate {
  __(msgid: string, ...args: unknown[]): string;
}

/**
 * The life cycle of a run, as the server spells it.
 */
export type RunStatusName = RunStatus;

/**
 * Every status, in the order the status filter offers them.
 */
export const RUN_STATUSES: ReadonlyArray<RunStatusName> = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled'
];

/**
 * The user-facing name of a status.
 */
export function statusLabel(status: RunStatusName, trans: ITranslate): string {
  switch (status) {
    case 'queued':
      return trans.__('queued');
    case 'running':
      return trans.__('running');
    case 'succeeded':
      return trans.__('succeeded');
    case 'failed':
      return trans.__('failed');
    case 'cancelled':
      return trans.__('cancelled');
  }
}

/**
 * What the formatting helpers read of a run's error.
 */
export interface IErrorFields {
  cell_index: number | null;
  cell_number?: number | null;
  cell_source?: string | null;
  ename: string;
  evalue: string;
}

/**
 * Error names of runs the engine stopped (cancelled or over a time limit);
 * their `evalue` is a sentence that already names the cell.
 */
export const STOP_ERROR_NAMES: ReadonlyArray<string> = [
  'Cancelled',
  'RunTimeout',
  'CellTimeout'
];

/**
 * The failing cell in the user's words: `cell 6` (its number in the user's own
 * notebook), `the injected parameters cell`, or `''` outside any cell.
 */
export function errorWhere(error: IErrorFields, trans: ITranslate): string {
  if (error.cell_number !== null && error.cell_number !== undefined) {
    return trans.__('cell %1', error.cell_number);
  }
  if (error.cell_index === null) {
    return '';
  }
  if (error.cell_source !== null && error.cell_source !== undefined) {
    return trans.__('the injected parameters cell');
  }
  // Recorded before cell numbers were kept: only its place in the executed notebook.
  return trans.__('cell %1 of the executed notebook', error.cell_index + 1);
}

/**
 * One line on why a run failed or stopped: `Cell 6: KeyError: 'x'`. The
 * engine's own stop messages already name the cell, so they are shown alone.
 */
export function errorSummary(error: IErrorFields, trans: ITranslate): string {
  if (STOP_ERROR_NAMES.includes(error.ename)) {
    return error.evalue;
  }
  const where = errorWhere(error, trans);
  const what = trans.__('%1: %2', error.ename, error.evalue);
  if (!where) {
    return what;
  }
  return trans.__('%1: %2', capitalise(where), what);
}

/**
 * The first line of a cell's source, shortened to `max` characters.
 */
export function firstLine(source: string | null | undefined, max = 80): string {
  if (!source) {
    return '';
  }
  const line = source.split(/\r?\n/, 1)[0].trimEnd();
  return line.length > max ? `${line.slice(0, max - 1)}\u2026` : line;
}

/**
 * A parameter value as Python-ish literal text for the detail view.
 */
export function formatParameterValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (value === null || value === undefined) {
    return 'None';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  return JSON.stringify(value);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
