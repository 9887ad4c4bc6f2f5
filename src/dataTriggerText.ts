/**
 * Pure text helpers of data-trigger schedules: how the last look at FlowAPI
 * went, each reference date's state, and the date ranges a stencil gives.
 *
 * Nothing here imports JupyterLab, so it is unit-tested directly.
 */

import type { ITranslate } from './format';
import { formatRelative } from './scheduleText';
import type {
  CheckStatus,
  DateCounts,
  DateState,
  FlowapiCheck,
  ScheduleDate
} from './wire';

/**
 * Date states in the order a schedule's counts show them.
 */
export const DATE_STATES: ReadonlyArray<DateState> = [
  'running',
  'pending',
  'succeeded',
  'failed',
  'given_up'
];

/**
 * A failed check's status in plain words; `null` for a check that went well.
 */
export function checkStatusLabel(
  status: CheckStatus,
  trans: ITranslate
): string | null {
  switch (status) {
    case 'ok':
      return null;
    case 'unreachable':
      return trans.__('FlowAPI unreachable');
    case 'timeout':
      return trans.__('FlowAPI timed out');
    case 'denied':
      return trans.__('FlowAPI refused the token');
    case 'error':
      return trans.__('FlowAPI error');
  }
}

/**
 * When the schedule last looked at FlowAPI, and what it found:
 * `Checked 2 min ago: 3 new dates`, or `Not checked yet`.
 */
export function lastCheckText(
  check: FlowapiCheck | null | undefined,
  now: number,
  trans: ITranslate
): string {
  if (!check) {
    return trans.__('Not checked yet');
  }
  // A check this second (or a server clock a little ahead) is just now.
  if (Date.parse(check.at) > now - 1000) {
    return trans.__('Checked just now: %1', check.message);
  }
  return trans.__(
    'Checked %1: %2',
    formatRelative(check.at, now, trans),
    check.message
  );
}

/**
 * A state as the dates list words it; a failed date counts its attempts,
 * `failed 1/3`.
 */
export function dateStateLabel(
  date: Pick<ScheduleDate, 'state' | 'attempts' | 'max_attempts'>,
  trans: ITranslate
): string {
  switch (date.state) {
    case 'pending':
      return trans.__('pending');
    case 'running':
      return trans.__('running');
    case 'succeeded':
      return trans.__('succeeded');
    case 'failed':
      return trans.__('failed %1/%2', date.attempts, date.max_attempts);
    case 'given_up':
      return trans.__('given up');
  }
}

/**
 * A count of dates in a state, for the schedule's pills: `3 succeeded`.
 */
export function dateCountLabel(
  state: DateState,
  count: number,
  trans: ITranslate
): string {
  switch (state) {
    case 'pending':
      return trans.__('%1 pending', count);
    case 'running':
      return trans.__('%1 running', count);
    case 'succeeded':
      return trans.__('%1 succeeded', count);
    case 'failed':
      return trans.__('%1 failed', count);
    case 'given_up':
      return trans.__('%1 given up', count);
  }
}

/**
 * The states that have dates, with their counts, in {@link DATE_STATES}
 * order.
 */
export function dateCounts(
  counts: DateCounts | null | undefined
): Array<[DateState, number]> {
  if (!counts) {
    return [];
  }
  return DATE_STATES.filter(state => counts[state] > 0).map(state => [
    state,
    counts[state]
  ]);
}

/**
 * Whether a date can be tried again: it failed, or was given up.
 */
export function canRetry(date: Pick<ScheduleDate, 'state'>): boolean {
  return date.state === 'failed' || date.state === 'given_up';
}

/**
 * A `[start, end)` pair of `YYYY-MM-DD` dates as the days it holds:
 * `2016-01-07`, or `2016-01-01 to 2016-01-07` (the end excluded).
 */
export function dateRangeText(
  range: ReadonlyArray<string>,
  trans: ITranslate
): string {
  const [start, end] = range;
  const last = previousDay(end);
  if (last === null || last === start) {
    return start ?? '';
  }
  return trans.__('%1 to %2', start, last);
}

/**
 * The day before a `YYYY-MM-DD` date, or `null` when it cannot be read.
 */
function previousDay(day: string | undefined): string | null {
  const time = day ? Date.parse(`${day}T00:00:00Z`) : NaN;
  if (Number.isNaN(time)) {
    return null;
  }
  return new Date(time - 86400000).toISOString().slice(0, 10);
}
