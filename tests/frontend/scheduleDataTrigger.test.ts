import {
  canRetry,
  checkStatusLabel,
  dateCountLabel,
  dateCounts,
  dateRangeText,
  dateStateLabel,
  lastCheckText
} from '../../src/dataTriggerText';
import { ITranslate } from '../../src/format';
import { triggerLabel } from '../../src/scheduleText';
import { runTrigger } from './fixtures';

/** A translation bundle that only fills in `%1`, `%2`… as JupyterLab's does. */
const trans: ITranslate = {
  __: (msgid: string, ...args: unknown[]) =>
    msgid.replace(/%(\d+)/g, (_, n: string) => String(args[Number(n) - 1]))
};

const NOW = Date.parse('2026-03-02T10:00:00Z');

describe('the last check of FlowAPI', () => {
  it('says when it was and what it found', () => {
    const check = {
      at: '2026-03-02T09:58:00Z',
      status: 'ok' as const,
      message: '2 new dates'
    };
    expect(lastCheckText(check, NOW, trans)).toBe(
      'Checked 2 min ago: 2 new dates'
    );
  });

  it('says just now for a check this second, or a server clock ahead', () => {
    for (const at of ['2026-03-02T10:00:00Z', '2026-03-02T10:00:03Z']) {
      const check = { at, status: 'ok' as const, message: 'no new dates' };
      expect(lastCheckText(check, NOW, trans)).toBe(
        'Checked just now: no new dates'
      );
    }
  });

  it('says when there has been none', () => {
    expect(lastCheckText(null, NOW, trans)).toBe('Not checked yet');
  });

  it.each([
    ['ok', null],
    ['unreachable', 'FlowAPI unreachable'],
    ['timeout', 'FlowAPI timed out'],
    ['denied', 'FlowAPI refused the token'],
    ['error', 'FlowAPI error']
  ] as const)('labels a %s check %s', (status, label) => {
    expect(checkStatusLabel(status, trans)).toBe(label);
  });
});

describe('reference dates', () => {
  it.each([
    ['pending', 0, 'pending'],
    ['running', 1, 'running'],
    ['succeeded', 1, 'succeeded'],
    ['failed', 1, 'failed 1/3'],
    ['given_up', 3, 'given up']
  ] as const)('words a %s date as "%s"', (state, attempts, label) => {
    expect(dateStateLabel({ state, attempts, max_attempts: 3 }, trans)).toBe(
      label
    );
  });

  it('can retry only failed and given-up dates', () => {
    expect(canRetry({ state: 'failed' })).toBe(true);
    expect(canRetry({ state: 'given_up' })).toBe(true);
    expect(canRetry({ state: 'succeeded' })).toBe(false);
    expect(canRetry({ state: 'running' })).toBe(false);
  });

  it('counts only the states that have dates, running first', () => {
    const counts = dateCounts({
      pending: 0,
      running: 1,
      succeeded: 6,
      failed: 0,
      given_up: 2
    });
    expect(counts).toEqual([
      ['running', 1],
      ['succeeded', 6],
      ['given_up', 2]
    ]);
    expect(counts.map(([state, n]) => dateCountLabel(state, n, trans))).toEqual(
      ['1 running', '6 succeeded', '2 given up']
    );
    expect(dateCounts(null)).toEqual([]);
  });
});

describe('date ranges', () => {
  it('shows a [start, end) pair as the days it holds', () => {
    expect(dateRangeText(['2016-01-01', '2016-01-08'], trans)).toBe(
      '2016-01-01 to 2016-01-07'
    );
  });

  it('shows a one-day range as its day', () => {
    expect(dateRangeText(['2016-01-07', '2016-01-08'], trans)).toBe(
      '2016-01-07'
    );
  });

  it('crosses month and year ends', () => {
    expect(dateRangeText(['2015-12-25', '2016-03-01'], trans)).toBe(
      '2015-12-25 to 2016-02-29'
    );
  });
});

describe('runs a data trigger started', () => {
  it('name the schedule and the date of the data', () => {
    const trigger = runTrigger({
      kind: 'schedule',
      schedule_id: 3,
      schedule_name: 'daily location',
      reference_date: '2016-01-07'
    });
    expect(triggerLabel(trigger, trans)).toBe(
      'daily location, data of 2016-01-07'
    );
  });
});
