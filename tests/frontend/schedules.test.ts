import type { AutoflowAPI } from '../../src/api';
import { ITranslate } from '../../src/format';
import type { IParameter } from '../../src/parameters';
import {
  applyChange,
  buildSettings,
  buildTrigger,
  detectPreset,
  durationOf,
  durationSeconds,
  formFieldOf,
  ICronPresetFields,
  IScheduleForm,
  isoToLocal,
  localToIso,
  newScheduleForm,
  parseStencil,
  TRIGGER_FIELDS,
  notebookStem,
  parameterInput,
  presetExpression,
  scheduleForm,
  timezoneNames,
  updateRequest
} from '../../src/schedules';

/** A translation bundle that only fills in `%1`, `%2`… as JupyterLab's does. */
const trans: ITranslate = {
  __: (msgid: string, ...args: unknown[]) =>
    msgid.replace(/%(\d+)/g, (_, n: string) => String(args[Number(n) - 1]))
};

const NOW = new Date('2026-11-20T10:15:00Z');
const BASE: ICronPresetFields = {
  preset: 'daily',
  minute: '0',
  time: '06:00',
  day: 1
};

function schedule(
  change: Partial<AutoflowAPI.ISchedule> = {}
): AutoflowAPI.ISchedule {
  return {
    id: 7,
    name: 'calls',
    notebook: 'reports/calls.ipynb',
    parameters: { min_calls: 10 },
    trigger: { kind: 'cron', expression: '30 7 * * 1-5', timezone: 'UTC' },
    kernel_name: null,
    timeout: null,
    cell_timeout: 90,
    paused: false,
    catch_up: 'skip',
    catch_up_window: null,
    overlap: 'skip',
    description: '',
    next_fire_times: [],
    last_run: null,
    skipped_fires: 0,
    last_skipped_at: null,
    last_fire_at: null,
    last_check: null,
    dates: null,
    created_at: '2026-11-01T00:00:00Z',
    updated_at: '2026-11-01T00:00:00Z',
    ...change
  };
}

describe('presetExpression', () => {
  it.each([
    [{ preset: 'hourly', minute: '15' }, '15 * * * *'],
    [{ preset: 'daily', time: '06:05' }, '5 6 * * *'],
    [{ preset: 'weekdays', time: '18:30' }, '30 18 * * 1-5'],
    [{ preset: 'weekly', time: '09:00', day: 0 }, '0 9 * * 0']
  ] as const)('writes %o as %s', (fields, expression) => {
    expect(presetExpression({ ...BASE, ...fields })).toBe(expression);
  });

  it.each([
    { preset: 'custom' },
    { preset: 'hourly', minute: '60' },
    { preset: 'daily', time: '24:00' },
    { preset: 'daily', time: '' }
  ] as const)('has no expression for %o', fields => {
    expect(presetExpression({ ...BASE, ...fields })).toBeNull();
  });
});

describe('detectPreset', () => {
  it.each([
    ['5 * * * *', { preset: 'hourly', minute: '5' }],
    ['0 6 * * *', { preset: 'daily', time: '06:00' }],
    ['30 18 * * 1-5', { preset: 'weekdays', time: '18:30' }],
    ['0 9 * * 7', { preset: 'weekly', time: '09:00', day: 0 }],
    ['  0   9 * * 3 ', { preset: 'weekly', time: '09:00', day: 3 }]
  ] as const)('reads %s as a preset', (expression, fields) => {
    expect(detectPreset(expression, BASE)).toEqual({ ...BASE, ...fields });
  });

  it.each([
    '*/5 * * * *',
    '0 6 1 * *',
    '0 6 * * 1,3',
    '0 6-9 * * *',
    '61 * * * *',
    '0 6 * *'
  ])('keeps %s as a custom expression', expression => {
    expect(detectPreset(expression, BASE)).toEqual({
      ...BASE,
      preset: 'custom'
    });
  });

  it('round-trips every preset through its expression', () => {
    for (const fields of [
      { ...BASE, preset: 'hourly' as const, minute: '45' },
      { ...BASE, preset: 'weekly' as const, day: 6, time: '23:59' }
    ]) {
      expect(detectPreset(presetExpression(fields)!, BASE)).toEqual(fields);
    }
  });
});

describe('durations', () => {
  it('reads a value in its unit as seconds', () => {
    expect(durationSeconds({ value: '2', unit: 'seconds' })).toBe(2);
    expect(durationSeconds({ value: '1.5', unit: 'hours' })).toBe(5400);
    expect(durationSeconds({ value: ' ', unit: 'days' })).toBeNull();
  });

  it.each(['0', '-3', 'abc'])('refuses %s', value => {
    expect(durationSeconds({ value, unit: 'minutes' })).toBeNaN();
  });

  it('writes seconds in the largest whole unit', () => {
    expect(durationOf(172800)).toEqual({ value: '2', unit: 'days' });
    expect(durationOf(5400)).toEqual({ value: '90', unit: 'minutes' });
    expect(durationOf(90)).toEqual({ value: '90', unit: 'seconds' });
    expect(durationOf(0.5)).toEqual({ value: '0.5', unit: 'seconds' });
    expect(durationOf(null, 'hours')).toEqual({ value: '', unit: 'hours' });
  });
});

describe('local date-times in a timezone', () => {
  it('gives a wall-clock time the offset in force then', () => {
    expect(localToIso('2026-07-01T06:00', 'Europe/London')).toBe(
      '2026-07-01T06:00:00+01:00'
    );
    expect(localToIso('2026-12-01T06:00', 'Europe/London')).toBe(
      '2026-12-01T06:00:00+00:00'
    );
    expect(localToIso('2026-12-01T06:00', 'America/New_York')).toBe(
      '2026-12-01T06:00:00-05:00'
    );
    expect(localToIso('2026-12-01T06:00', 'Asia/Kolkata')).toBe(
      '2026-12-01T06:00:00+05:30'
    );
  });

  it('reads a time daylight saving repeats as its first occurrence', () => {
    expect(localToIso('2026-10-25T01:30', 'Europe/London')).toBe(
      '2026-10-25T01:30:00+01:00'
    );
  });

  it('reads a time daylight saving skips with the offset before the change', () => {
    expect(localToIso('2026-03-29T01:30', 'Europe/London')).toBe(
      '2026-03-29T01:30:00+00:00'
    );
  });

  it('refuses what it cannot read', () => {
    expect(localToIso('', 'UTC')).toBeNull();
    expect(localToIso('2026-02-30T06:00', 'UTC')).toBeNull();
    expect(localToIso('2026-12-01T06:00', 'Mars/Olympus')).toBeNull();
  });

  it('shows an instant as the wall-clock time of a timezone', () => {
    expect(isoToLocal('2026-12-01T06:00:00+00:00', 'Europe/Paris')).toBe(
      '2026-12-01T07:00'
    );
    expect(isoToLocal('2026-12-01T06:00:30Z', 'UTC')).toBe(
      '2026-12-01T06:00:30'
    );
    expect(isoToLocal('nonsense', 'UTC')).toBe('');
  });

  it('lists UTC among the timezones', () => {
    expect(timezoneNames()).toContain('UTC');
    expect(timezoneNames()).toContain('Europe/London');
  });
});

describe('the form', () => {
  it('starts from the notebook name, daily at 06:00, next whole hour', () => {
    const form = newScheduleForm('reports/calls.ipynb', 'UTC', NOW);
    expect(form.name).toBe('calls');
    expect(form.expression).toBe('0 6 * * *');
    expect(form.at).toBe('2026-11-20T11:00');
  });

  it('keeps the expression in step with the preset, both ways', () => {
    const form = newScheduleForm('a.ipynb', 'UTC', NOW);
    const weekly = applyChange(form, {
      cron: { ...form.cron, preset: 'weekly', day: 5 }
    });
    expect(weekly.expression).toBe('0 6 * * 5');
    const typed = applyChange(weekly, { expression: '15 * * * *' });
    expect(typed.cron).toMatchObject({ preset: 'hourly', minute: '15' });
    const custom = applyChange(typed, { expression: '*/5 * * * *' });
    expect(custom.cron.preset).toBe('custom');
    const again = applyChange(custom, { cron: { ...custom.cron } });
    expect(again.expression).toBe('*/5 * * * *');
  });

  it('fills in from a schedule, preset detected', () => {
    const form = scheduleForm(schedule(), 'Europe/London', NOW);
    expect(form).toMatchObject({
      name: 'calls',
      kind: 'cron',
      expression: '30 7 * * 1-5',
      timezone: 'UTC',
      cellTimeout: { value: '90', unit: 'seconds' }
    });
    expect(form.cron).toMatchObject({ preset: 'weekdays', time: '07:30' });
  });

  it('fills in an interval from its seconds', () => {
    const form = scheduleForm(
      schedule({ trigger: { kind: 'interval', seconds: 120, start: null } }),
      'UTC',
      NOW
    );
    expect(form.kind).toBe('interval');
    expect(form.interval).toEqual({ value: '2', unit: 'minutes' });
  });
});

describe('buildTrigger', () => {
  const form = newScheduleForm('a.ipynb', 'Europe/London', NOW);

  it('builds a cron trigger in the chosen timezone', () => {
    expect(buildTrigger(form, trans)).toEqual({
      ok: true,
      trigger: {
        kind: 'cron',
        expression: '0 6 * * *',
        timezone: 'Europe/London'
      }
    });
  });

  it('builds an interval in seconds, from now when no start is given', () => {
    const interval = {
      ...form,
      kind: 'interval' as const,
      interval: { value: '2', unit: 'seconds' as const }
    };
    expect(buildTrigger(interval, trans)).toEqual({
      ok: true,
      trigger: { kind: 'interval', seconds: 2, start: null }
    });
  });

  it('builds a once trigger with the timezone offset', () => {
    const once = { ...form, kind: 'once' as const, at: '2026-12-01T06:00' };
    expect(buildTrigger(once, trans)).toEqual({
      ok: true,
      trigger: { kind: 'once', at: '2026-12-01T06:00:00+00:00' }
    });
  });

  it('names the field at fault', () => {
    const result = buildTrigger({ ...form, timezone: 'Nowhere/Else' }, trans);
    expect(result).toMatchObject({ ok: false, field: 'timezone' });
    const empty = buildTrigger(
      { ...form, kind: 'interval', interval: { value: '', unit: 'hours' } },
      trans
    );
    expect(empty).toMatchObject({ ok: false, field: 'interval' });
  });
});

describe('requests', () => {
  it('collects every problem of the form by field', () => {
    const form = {
      ...newScheduleForm('a.ipynb', 'UTC', NOW),
      name: ' ',
      timeout: { value: '-1', unit: 'minutes' as const }
    };
    const result = buildSettings(form, trans);
    expect(result.ok).toBe(false);
    expect(Object.keys(!result.ok ? result.errors : {}).sort()).toEqual([
      'name',
      'timeout'
    ]);
  });

  it('sends the catch-up window only when catching up', () => {
    const form = {
      ...newScheduleForm('a.ipynb', 'UTC', NOW),
      catchUpWindow: { value: '2', unit: 'hours' as const }
    };
    const skip = buildSettings(form, trans);
    const latest = buildSettings({ ...form, catchUp: 'latest' }, trans);
    expect(skip.ok && skip.settings.catch_up_window).toBeNull();
    expect(latest.ok && latest.settings.catch_up_window).toBe(7200);
  });

  it('changes nothing when the form is the schedule as it was', () => {
    const original = schedule();
    const result = buildSettings(scheduleForm(original, 'UTC', NOW), trans);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(
        updateRequest(original, result.settings, { min_calls: 10 })
      ).toEqual({});
    }
  });

  it('keeps a once trigger unchanged across timezones and offsets', () => {
    const original = schedule({
      trigger: { kind: 'once', at: '2026-12-01T06:00:00Z' }
    });
    const result = buildSettings(
      scheduleForm(original, 'Asia/Kolkata', NOW),
      trans
    );
    expect(result.ok && result.settings.trigger).toEqual({
      kind: 'once',
      at: '2026-12-01T11:30:00+05:30'
    });
    if (result.ok) {
      expect(updateRequest(original, result.settings, original.parameters))
        .toEqual({});
    }
  });

  it('sends only what changed', () => {
    const original = schedule({
      trigger: { kind: 'interval', seconds: 60, start: null }
    });
    const form = applyChange(scheduleForm(original, 'UTC', NOW), {
      interval: { value: '5', unit: 'minutes' },
      overlap: 'queue'
    });
    const result = buildSettings(form, trans);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(updateRequest(original, result.settings, {})).toEqual({
        trigger: { kind: 'interval', seconds: 300, start: null },
        overlap: 'queue',
        parameters: {}
      });
    }
  });

  it('maps server fields to form fields', () => {
    expect(formFieldOf('trigger.expression')).toBe('expression');
    expect(formFieldOf('trigger.seconds')).toBe('interval');
    expect(formFieldOf('cell_timeout')).toBe('cellTimeout');
    expect(formFieldOf('parameters.min_calls')).toBe('parameters.min_calls');
    expect(formFieldOf('kernel_name')).toBeNull();
    expect(formFieldOf(null)).toBeNull();
  });

  it('names a schedule after its notebook', () => {
    expect(notebookStem('a/b/daily calls.ipynb')).toBe('daily calls');
  });
});

describe('parameterInput', () => {
  it('shows a stored value as its input shows it', () => {
    const of = (type: IParameter['type'], source: string): IParameter => ({
      name: 'p',
      type,
      default: source,
      help: ''
    });
    expect(parameterInput(of('int', '1'), 20)).toBe('20');
    expect(parameterInput(of('bool', 'False'), true)).toBe(true);
    expect(parameterInput(of('str', '"2016-01-03"'), '2016-02-01')).toBe(
      '2016-02-01'
    );
    expect(parameterInput(of('list', '[]'), ['a'])).toBe('["a"]');
    expect(parameterInput(of('any', 'x'), { a: 1 })).toBe('{"a": 1}');
  });
});

describe('data triggers', () => {
  const data = schedule({
    name: 'daily location',
    trigger: {
      kind: 'new_data',
      expression: '0 * * * *',
      timezone: 'UTC',
      event_types: ['calls', 'sms'],
      earliest_date: '2016-01-01',
      stencil: [[-7, 0]],
      lookback_days: null,
      max_runs_per_check: 10,
      max_attempts: 3
    }
  });

  it('builds a new_data trigger from the form, event types in order', () => {
    // Given a new form switched to the data trigger
    const form = applyChange(newScheduleForm('a.ipynb', 'UTC', NOW), {
      kind: 'new_data',
      eventTypes: ['topups', 'calls'],
      stencil: '[[-7, 0], "2016-01-01"]',
      earliestDate: '2016-01-02',
      lookbackDays: '30',
      maxAttempts: ''
    });

    // When it is read as a trigger
    const result = buildTrigger(form, trans);

    // Then the checks run on the form's cron, and the rest is as typed
    expect(result).toEqual({
      ok: true,
      trigger: {
        kind: 'new_data',
        expression: '0 6 * * *',
        timezone: 'UTC',
        event_types: ['calls', 'topups'],
        earliest_date: '2016-01-02',
        stencil: [[-7, 0], '2016-01-01'],
        lookback_days: 30,
        max_runs_per_check: 10,
        max_attempts: null
      }
    });
  });

  it('starts a new form at [0], 10 runs a check, and today as the sample', () => {
    const form = newScheduleForm('a.ipynb', 'UTC', new Date(2026, 10, 20, 9));
    expect(form.stencil).toBe('[0]');
    expect(form.maxRunsPerCheck).toBe('10');
    expect(form.sampleDate).toBe('2026-11-20');
  });

  it.each<[Partial<IScheduleForm>, string]>([
    [{ eventTypes: [] }, 'eventTypes'],
    [{ stencil: '[-7, ' }, 'stencil'],
    [{ stencil: '[]' }, 'stencil'],
    [{ stencil: '{"a": 1}' }, 'stencil'],
    [{ lookbackDays: '0' }, 'lookbackDays'],
    [{ maxRunsPerCheck: '' }, 'maxRunsPerCheck'],
    [{ maxRunsPerCheck: '2.5' }, 'maxRunsPerCheck'],
    [{ maxAttempts: '101' }, 'maxAttempts'],
    [{ expression: ' ' }, 'expression']
  ])('names the field at fault in %o', (change, field) => {
    const form: IScheduleForm = {
      ...newScheduleForm('a.ipynb', 'UTC', NOW),
      kind: 'new_data',
      ...change
    };
    const result = buildTrigger(form, trans);
    expect(!result.ok && result.field).toBe(field);
  });

  it('fills the form in from a data-trigger schedule', () => {
    const form = scheduleForm(data, 'Europe/London', NOW);
    expect(form.kind).toBe('new_data');
    expect(form.cron.preset).toBe('hourly');
    expect(form.timezone).toBe('UTC');
    expect(form.eventTypes).toEqual(['calls', 'sms']);
    expect(form.earliestDate).toBe('2016-01-01');
    expect(form.stencil).toBe('[[-7, 0]]');
    expect(parseStencil(form.stencil)).toEqual([[-7, 0]]);
    expect(form.lookbackDays).toBe('');
    expect(form.maxRunsPerCheck).toBe('10');
    expect(form.maxAttempts).toBe('3');
  });

  it('changes nothing when the data-trigger form is saved as it was', () => {
    const result = buildSettings(scheduleForm(data, 'UTC', NOW), trans);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(updateRequest(data, result.settings, data.parameters)).toEqual(
        {}
      );
    }
  });

  it('sends the whole trigger when one of its fields changed', () => {
    const form = applyChange(scheduleForm(data, 'UTC', NOW), {
      stencil: '[[-3, 0]]',
      sampleDate: '2016-01-07'
    });
    const result = buildSettings(form, trans);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(updateRequest(data, result.settings, data.parameters)).toEqual({
        trigger: { ...data.trigger, stencil: [[-3, 0]] }
      });
    }
  });

  it('maps the data trigger fields the server names to the form', () => {
    expect(formFieldOf('trigger.stencil')).toBe('stencil');
    expect(formFieldOf('trigger.stencil.1')).toBe('stencil');
    expect(formFieldOf('trigger.stencil.1.0')).toBe('stencil');
    expect(formFieldOf('trigger.event_types.0')).toBe('eventTypes');
    expect(formFieldOf('trigger.max_attempts')).toBe('maxAttempts');
    expect(formFieldOf('sample_date')).toBe('sampleDate');
    expect(TRIGGER_FIELDS.new_data).toContain('stencil');
  });
});
