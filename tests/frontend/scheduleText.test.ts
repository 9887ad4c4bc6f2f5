import { ITranslate } from '../../src/format';
import {
  buildRunsQuery,
  isFiltered,
  NO_FILTERS,
  normaliseFilters,
  sameFilters
} from '../../src/history';
import {
  formatRelative,
  nextFire,
  scheduleFilterLabel,
  triggerLabel
} from '../../src/scheduleText';
import { runTrigger } from './fixtures';

/** A translation bundle that only fills in `%1`, `%2`… as JupyterLab's does. */
const trans: ITranslate = {
  __: (msgid: string, ...args: unknown[]) =>
    msgid.replace(/%(\d+)/g, (_, n: string) => String(args[Number(n) - 1]))
};

const NOW = Date.parse('2026-03-02T10:00:00Z');

const trigger = runTrigger;

describe('formatRelative', () => {
  it.each([
    ['2026-03-02T10:00:02Z', 'in 2 s'],
    ['2026-03-02T10:00:59Z', 'in 59 s'],
    ['2026-03-02T10:05:00Z', 'in 5 min'],
    ['2026-03-02T10:59:00Z', 'in 59 min'],
    ['2026-03-02T13:00:00Z', 'in 3 h'],
    ['2026-03-04T10:00:00Z', 'in 2 days'],
    ['2026-03-02T09:58:00Z', '2 min ago'],
    ['2026-03-02T10:00:00.300Z', 'due now']
  ])('%s is "%s" at 10:00', (time, expected) => {
    expect(formatRelative(time, NOW, trans)).toBe(expected);
  });

  it('reads a fire time given with an offset', () => {
    // 11:05 in UTC+01:00 is 10:05 UTC
    expect(formatRelative('2026-03-02T11:05:00+01:00', NOW, trans)).toBe(
      'in 5 min'
    );
  });

  it('is empty for no time or a malformed one', () => {
    expect(formatRelative(null, NOW, trans)).toBe('');
    expect(formatRelative('soon', NOW, trans)).toBe('');
  });
});

describe('nextFire', () => {
  it('skips fire times that have passed since the schedule was fetched', () => {
    const times = [
      '2026-03-02T09:59:50Z',
      '2026-03-02T10:00:10Z',
      '2026-03-02T10:00:20Z'
    ];
    expect(nextFire(times, NOW)).toBe('2026-03-02T10:00:10Z');
  });

  it('is null when no fire is left (paused, or a once schedule that fired)', () => {
    expect(nextFire([], NOW)).toBeNull();
    expect(nextFire(['2026-03-02T09:00:00Z'], NOW)).toBeNull();
  });
});

describe('triggerLabel', () => {
  it('names the schedule that started a run', () => {
    const label = triggerLabel(
      trigger({ kind: 'schedule', schedule_id: 3, schedule_name: 'nightly' }),
      trans
    );
    expect(label).toBe('nightly');
  });

  it('says so when the schedule has been deleted', () => {
    const label = triggerLabel(
      trigger({ kind: 'schedule', schedule_id: 3, schedule_name: null }),
      trans
    );
    expect(label).toBe('deleted schedule');
  });

  it.each([
    ['manual', 'manual'],
    ['cli', 'command line']
  ] as const)('calls a %s run "%s"', (kind, expected) => {
    expect(triggerLabel(trigger({ kind }), trans)).toBe(expected);
  });

  it('calls a run without a trigger manual', () => {
    expect(triggerLabel(undefined, trans)).toBe('manual');
  });
});

describe('scheduleFilterLabel', () => {
  it('uses the name when known, else the id', () => {
    expect(scheduleFilterLabel(3, 'nightly', trans)).toBe('nightly');
    expect(scheduleFilterLabel(3, null, trans)).toBe('schedule #3');
  });
});

describe('the schedule filter of the runs list', () => {
  it('is sent as the schedule id', () => {
    const query = buildRunsQuery({ limit: 50, ...NO_FILTERS, schedule: 7 });
    expect(new URLSearchParams(query)).toEqual(
      new URLSearchParams({ limit: '50', schedule: '7' })
    );
  });

  it('is left out when unset', () => {
    expect(buildRunsQuery({ ...NO_FILTERS, schedule: null })).toBe('');
  });

  it('narrows the history and tells filters apart', () => {
    const bySchedule = { ...NO_FILTERS, schedule: 7 };
    expect(isFiltered(bySchedule)).toBe(true);
    expect(sameFilters(bySchedule, { ...NO_FILTERS, schedule: 8 })).toBe(false);
    expect(sameFilters(bySchedule, { ...NO_FILTERS, schedule: 7 })).toBe(true);
  });

  it('drops an id that is not a whole number', () => {
    expect(normaliseFilters({ schedule: 1.5 }).schedule).toBeNull();
    expect(normaliseFilters({ schedule: Number.NaN }).schedule).toBeNull();
  });
});
