/**
 * Pure helpers of the Schedule dialog: cron presets and expressions,
 * durations in a unit, local date-times in a timezone, and the requests the
 * dialog's state stands for. No DOM, no JupyterLab.
 */

import type { AutoflowAPI } from './api';
import type { ITranslate } from './format';
import {
  formatJSON,
  InputValue,
  inputKind,
  IParameter,
  isIsoDate
} from './parameters';
import type { CatchUp, EventType, Overlap } from './wire';

/**
 * How a schedule fires: on a cron, an interval, once, or when FlowAPI has
 * new data (checked on a cron).
 */
export type TriggerKind = 'cron' | 'interval' | 'once' | 'new_data';

/**
 * FlowAPI's event types, in the order the dialog lists them.
 */
export const EVENT_TYPES: ReadonlyArray<EventType> = [
  'calls',
  'sms',
  'mds',
  'topups'
];

/**
 * A data trigger's stencil when none is given: the reference date alone.
 */
export const DEFAULT_STENCIL = '[0]';

/**
 * Runs a data trigger's check starts at most, unless told otherwise.
 */
export const DEFAULT_MAX_RUNS_PER_CHECK = '10';

/**
 * The cron expressions the dialog offers by name; `custom` is any other.
 */
export type CronPreset = 'hourly' | 'daily' | 'weekdays' | 'weekly' | 'custom';

/**
 * Units of a duration input.
 */
export type DurationUnit = 'seconds' | 'minutes' | 'hours' | 'days';

/**
 * Seconds in each unit, largest first.
 */
export const UNIT_SECONDS: ReadonlyArray<[DurationUnit, number]> = [
  ['days', 86400],
  ['hours', 3600],
  ['minutes', 60],
  ['seconds', 1]
];

/**
 * A duration as its inputs hold it: a number as typed, and its unit.
 */
export interface IDuration {
  value: string;
  unit: DurationUnit;
}

/**
 * A preset's settings; `minute` is the hourly preset's, `time` (`HH:MM`)
 * the others', `day` (0 Sunday to 6 Saturday) the weekly preset's.
 */
export interface ICronPresetFields {
  preset: CronPreset;
  minute: string;
  time: string;
  day: number;
}

/**
 * Everything the Schedule dialog holds, as its inputs hold it.
 */
export interface IScheduleForm {
  name: string;
  kind: TriggerKind;
  cron: ICronPresetFields;
  /**
   * The cron expression, kept in step with the preset.
   */
  expression: string;
  /**
   * IANA timezone: the cron's, and the one date-times are read in.
   */
  timezone: string;
  interval: IDuration;
  /**
   * First fire of the interval as `YYYY-MM-DDTHH:MM`, or empty: from now.
   */
  start: string;
  /**
   * When a once schedule fires, as `YYYY-MM-DDTHH:MM`.
   */
  at: string;
  catchUp: CatchUp;
  /**
   * How old a missed fire may be to be caught up; empty: the server's.
   */
  catchUpWindow: IDuration;
  overlap: Overlap;
  /**
   * Run and cell time limits; empty: none.
   */
  timeout: IDuration;
  cellTimeout: IDuration;
  /**
   * A data trigger's FlowAPI event types (a date is available when any of
   * them has it).
   */
  eventTypes: EventType[];
  /**
   * A data trigger's first reference date as `YYYY-MM-DD`, or empty: none.
   */
  earliestDate: string;
  /**
   * A data trigger's date stencil, as JSON text.
   */
  stencil: string;
  /**
   * The reference date the preview shows the stencil's date ranges at, as
   * `YYYY-MM-DD`; empty: the server's today. Not saved.
   */
  sampleDate: string;
  /**
   * Whole numbers as typed; empty lookback and attempts: none, the server's.
   */
  lookbackDays: string;
  maxRunsPerCheck: string;
  maxAttempts: string;
}

/**
 * Fields of the form a message can belong to, besides parameters.
 */
export type ScheduleField =
  | 'name'
  | 'expression'
  | 'timezone'
  | 'interval'
  | 'start'
  | 'at'
  | 'catchUpWindow'
  | 'timeout'
  | 'cellTimeout'
  | 'eventTypes'
  | 'earliestDate'
  | 'stencil'
  | 'sampleDate'
  | 'lookbackDays'
  | 'maxRunsPerCheck'
  | 'maxAttempts';

/**
 * Messages by form field (or parameter name).
 */
export type ScheduleErrors = { [field: string]: string };

/**
 * A trigger the form stands for, or the field at fault and why.
 */
export type TriggerResult =
  | { ok: true; trigger: AutoflowAPI.ITriggerRequest }
  | { ok: false; field: ScheduleField; error: string };

/**
 * The settings the form stands for (all but parameters), or problems.
 */
export type SettingsResult =
  | { ok: true; settings: IScheduleSettings }
  | { ok: false; errors: ScheduleErrors };

/**
 * A schedule's settings other than its notebook and parameters.
 */
export interface IScheduleSettings {
  name: string;
  trigger: AutoflowAPI.ITriggerRequest;
  timeout: number | null;
  cell_timeout: number | null;
  catch_up: CatchUp;
  catch_up_window: number | null;
  overlap: Overlap;
}

const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const SMALL_NUMBER = /^\d{1,2}$/;
const LOCAL_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;
const WHOLE_NUMBER = /^\d+$/;
const WEEKDAYS = '1-5';
const DAY_MS = 86400000;

/**
 * The cron expression of a preset, or `null` for `custom` and unreadable
 * settings.
 */
export function presetExpression(fields: ICronPresetFields): string | null {
  if (fields.preset === 'custom') {
    return null;
  }
  if (fields.preset === 'hourly') {
    const minute = fields.minute.trim();
    return SMALL_NUMBER.test(minute) && Number(minute) < 60
      ? `${Number(minute)} * * * *`
      : null;
  }
  const time = TIME.exec(fields.time.trim());
  if (!time) {
    return null;
  }
  const at = `${Number(time[2])} ${Number(time[1])}`;
  switch (fields.preset) {
    case 'daily':
      return `${at} * * *`;
    case 'weekdays':
      return `${at} * * ${WEEKDAYS}`;
    case 'weekly':
      return `${at} * * ${fields.day}`;
  }
}

/**
 * The preset an expression is, with its settings; `custom` (keeping
 * `previous`'s settings) when it is none of them.
 */
export function detectPreset(
  expression: string,
  previous: ICronPresetFields
): ICronPresetFields {
  const custom = { ...previous, preset: 'custom' as const };
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    return custom;
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields;
  if (
    !SMALL_NUMBER.test(minute) ||
    Number(minute) > 59 ||
    dayOfMonth !== '*' ||
    month !== '*'
  ) {
    return custom;
  }
  if (hour === '*') {
    return dayOfWeek === '*'
      ? { ...previous, preset: 'hourly', minute: String(Number(minute)) }
      : custom;
  }
  if (!SMALL_NUMBER.test(hour) || Number(hour) > 23) {
    return custom;
  }
  const time = `${pad(Number(hour))}:${pad(Number(minute))}`;
  if (dayOfWeek === '*') {
    return { ...previous, preset: 'daily', time };
  }
  if (dayOfWeek === WEEKDAYS) {
    return { ...previous, preset: 'weekdays', time };
  }
  if (/^[0-7]$/.test(dayOfWeek)) {
    return {
      ...previous,
      preset: 'weekly',
      time,
      day: Number(dayOfWeek) % 7
    };
  }
  return custom;
}

/**
 * A duration's seconds: `null` when empty, `NaN` when not a positive number.
 */
export function durationSeconds(duration: IDuration): number | null {
  const text = duration.value.trim();
  if (text === '') {
    return null;
  }
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    return NaN;
  }
  const factor = UNIT_SECONDS.find(([unit]) => unit === duration.unit)?.[1];
  return value * (factor ?? 1);
}

/**
 * Seconds as a duration in the largest unit that holds them whole; `null`
 * gives an empty duration in `emptyUnit`.
 */
export function durationOf(
  seconds: number | null,
  emptyUnit: DurationUnit = 'minutes'
): IDuration {
  if (seconds === null) {
    return { value: '', unit: emptyUnit };
  }
  for (const [unit, factor] of UNIT_SECONDS) {
    if (seconds >= factor && Number.isInteger(seconds / factor)) {
      return { value: String(seconds / factor), unit };
    }
  }
  return { value: String(seconds), unit: 'seconds' };
}

/**
 * The browser's IANA timezone.
 */
export function browserTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * Whether the browser knows a timezone by this name.
 */
export function isKnownTimezone(zone: string): boolean {
  if (zone.trim() === '') {
    return false;
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Every IANA timezone the browser knows, `UTC` included.
 */
export function timezoneNames(): string[] {
  const intl = Intl as typeof Intl & {
    supportedValuesOf?: (key: 'timeZone') => string[];
  };
  const names = intl.supportedValuesOf?.('timeZone') ?? [];
  return names.includes('UTC') ? [...names] : ['UTC', ...names];
}

/**
 * Minutes a timezone is ahead of UTC at an instant.
 */
export function zoneOffsetMinutes(instant: number, zone: string): number {
  const seconds = Math.floor(instant / 1000) * 1000;
  const wall = wallClock(seconds, zone);
  const asUtc = Date.UTC(
    wall.year,
    wall.month - 1,
    wall.day,
    wall.hour,
    wall.minute,
    wall.second
  );
  return Math.round((asUtc - seconds) / 60000);
}

/**
 * A `YYYY-MM-DDTHH:MM[:SS]` wall-clock time in a timezone as an ISO
 * date-time with its offset, or `null` when either cannot be read.
 *
 * A time that daylight saving skips reads as the offset before the change;
 * one it repeats, as the first of the two.
 */
export function localToIso(local: string, zone: string): string | null {
  const found = LOCAL_DATE_TIME.exec(local.trim());
  if (!found || !isKnownTimezone(zone)) {
    return null;
  }
  const [year, month, day, hour, minute, second] = found
    .slice(1, 7)
    .map(part => Number(part ?? 0));
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    return null;
  }
  // The offsets in force a day either side; the first that reads back as
  // this wall time is the one, else (a skipped time) the earlier offset.
  const before = zoneOffsetMinutes(wall - DAY_MS, zone);
  const after = zoneOffsetMinutes(wall + DAY_MS, zone);
  const offset =
    [before, after].find(
      candidate =>
        zoneOffsetMinutes(wall - candidate * 60000, zone) === candidate
    ) ?? before;
  const text = `${found[1]}-${found[2]}-${found[3]}T${found[4]}:${found[5]}:${pad(second)}`;
  return `${text}${formatOffset(offset)}`;
}

/**
 * An ISO date-time as the wall-clock time `YYYY-MM-DDTHH:MM` of a timezone
 * (with `:SS` when the seconds are not zero), or `''` when unreadable.
 */
export function isoToLocal(iso: string, zone: string): string {
  const instant = new Date(iso).getTime();
  if (Number.isNaN(instant) || !isKnownTimezone(zone)) {
    return '';
  }
  const wall = wallClock(instant, zone);
  const text =
    `${wall.year}-${pad(wall.month)}-${pad(wall.day)}` +
    `T${pad(wall.hour)}:${pad(wall.minute)}`;
  return wall.second === 0 ? text : `${text}:${pad(wall.second)}`;
}

/**
 * The form of a new schedule of a notebook: daily at 06:00 in the browser's
 * timezone, missed fires skipped, overlapping fires skipped.
 */
export function newScheduleForm(
  notebook: string,
  zone: string = browserTimezone(),
  now: Date = new Date()
): IScheduleForm {
  const nextHour = Math.ceil((now.getTime() + 1) / 3600000) * 3600000;
  return {
    name: notebookStem(notebook),
    kind: 'cron',
    cron: { preset: 'daily', minute: '0', time: '06:00', day: 1 },
    expression: '0 6 * * *',
    timezone: zone,
    interval: { value: '1', unit: 'hours' },
    start: '',
    at: isoToLocal(new Date(nextHour).toISOString(), zone),
    catchUp: 'skip',
    catchUpWindow: { value: '', unit: 'hours' },
    overlap: 'skip',
    timeout: { value: '', unit: 'minutes' },
    cellTimeout: { value: '', unit: 'minutes' },
    eventTypes: ['calls'],
    earliestDate: '',
    stencil: DEFAULT_STENCIL,
    sampleDate: localDate(now),
    lookbackDays: '',
    maxRunsPerCheck: DEFAULT_MAX_RUNS_PER_CHECK,
    maxAttempts: ''
  };
}

/**
 * A day as `YYYY-MM-DD` in the browser's time.
 */
export function localDate(day: Date): string {
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

/**
 * The form of an existing schedule. A cron's timezone becomes the form's;
 * other triggers' date-times are shown in `zone`.
 */
export function scheduleForm(
  schedule: AutoflowAPI.ISchedule,
  zone: string = browserTimezone(),
  now: Date = new Date()
): IScheduleForm {
  const form = newScheduleForm(schedule.notebook, zone, now);
  form.name = schedule.name;
  form.catchUp = schedule.catch_up;
  form.catchUpWindow = durationOf(schedule.catch_up_window, 'hours');
  form.overlap = schedule.overlap;
  form.timeout = durationOf(schedule.timeout);
  form.cellTimeout = durationOf(schedule.cell_timeout);
  const trigger = schedule.trigger;
  form.kind = trigger.kind;
  switch (trigger.kind) {
    case 'cron':
      form.expression = trigger.expression;
      form.cron = detectPreset(trigger.expression, form.cron);
      form.timezone = trigger.timezone ?? zone;
      break;
    case 'interval':
      form.interval = durationOf(trigger.seconds, 'hours');
      form.start = trigger.start ? isoToLocal(trigger.start, zone) : '';
      break;
    case 'once':
      form.at = isoToLocal(trigger.at, zone);
      break;
    case 'new_data':
      form.expression = trigger.expression;
      form.cron = detectPreset(trigger.expression, form.cron);
      form.timezone = trigger.timezone ?? zone;
      form.eventTypes = [...trigger.event_types];
      form.earliestDate = trigger.earliest_date ?? '';
      form.stencil = stencilText(trigger.stencil);
      form.lookbackDays = wholeText(trigger.lookback_days);
      form.maxRunsPerCheck = wholeText(trigger.max_runs_per_check);
      form.maxAttempts = wholeText(trigger.max_attempts);
      break;
  }
  return form;
}

/**
 * The form with a change applied, keeping the cron expression and preset in
 * step: a preset change rewrites the expression, an expression typed in
 * selects the preset it matches.
 */
export function applyChange(
  form: IScheduleForm,
  change: Partial<IScheduleForm>
): IScheduleForm {
  const next = { ...form, ...change };
  if (change.expression !== undefined) {
    next.cron = detectPreset(change.expression, next.cron);
  } else if (change.cron !== undefined) {
    next.expression = presetExpression(next.cron) ?? next.expression;
  }
  return next;
}

/**
 * The trigger the form stands for, or the field at fault.
 */
export function buildTrigger(
  form: IScheduleForm,
  trans: ITranslate
): TriggerResult {
  switch (form.kind) {
    case 'cron': {
      const cron = buildCron(form, trans);
      return cron.ok
        ? { ok: true, trigger: { kind: 'cron', ...cron.cron } }
        : cron;
    }
    case 'new_data':
      return buildDataTrigger(form, trans);
    case 'interval': {
      const seconds = durationSeconds(form.interval);
      if (seconds === null || Number.isNaN(seconds)) {
        return {
          ok: false,
          field: 'interval',
          error: trans.__('Enter how often, a number above 0.')
        };
      }
      let start: string | null = null;
      if (form.start.trim() !== '') {
        start = localToIso(form.start, form.timezone.trim());
        if (start === null) {
          return {
            ok: false,
            field: isKnownTimezone(form.timezone.trim()) ? 'start' : 'timezone',
            error: trans.__('Enter a date and time, and a known timezone.')
          };
        }
      }
      return { ok: true, trigger: { kind: 'interval', seconds, start } };
    }
    case 'once': {
      const at = localToIso(form.at, form.timezone.trim());
      if (at === null) {
        return {
          ok: false,
          field: isKnownTimezone(form.timezone.trim()) ? 'at' : 'timezone',
          error: trans.__('Enter a date and time, and a known timezone.')
        };
      }
      return { ok: true, trigger: { kind: 'once', at } };
    }
  }
}

type CronResult =
  | { ok: true; cron: { expression: string; timezone: string } }
  | { ok: false; field: ScheduleField; error: string };

/**
 * The cron expression and timezone of a cron trigger, or of a data
 * trigger's checks.
 */
function buildCron(form: IScheduleForm, trans: ITranslate): CronResult {
  const expression = form.expression.trim();
  if (expression === '') {
    return {
      ok: false,
      field: 'expression',
      error: trans.__('Enter a cron expression, such as 0 6 * * 1-5.')
    };
  }
  const timezone = form.timezone.trim();
  if (!isKnownTimezone(timezone)) {
    return {
      ok: false,
      field: 'timezone',
      error: trans.__('Choose a timezone from the list, such as Europe/London.')
    };
  }
  return { ok: true, cron: { expression, timezone } };
}

/**
 * A data trigger: when to check FlowAPI, for which event types, and which
 * days of data each run needs. The server judges the stencil's elements.
 */
function buildDataTrigger(
  form: IScheduleForm,
  trans: ITranslate
): TriggerResult {
  const fail = (field: ScheduleField, error: string): TriggerResult => ({
    ok: false,
    field,
    error
  });
  if (form.eventTypes.length === 0) {
    return fail('eventTypes', trans.__('Choose at least one event type.'));
  }
  const stencil = parseStencil(form.stencil);
  if (stencil === null) {
    return fail(
      'stencil',
      trans.__('Enter a JSON list, such as [0] or [[-7, 0]].')
    );
  }
  const earliest = form.earliestDate.trim();
  if (earliest !== '' && !isIsoDate(earliest)) {
    return fail('earliestDate', trans.__('Enter a date, or leave it empty.'));
  }
  const lookback = wholeNumber(form.lookbackDays, 1, 36600);
  if (Number.isNaN(lookback)) {
    return fail(
      'lookbackDays',
      trans.__('Enter a whole number of days from 1, or leave it empty.')
    );
  }
  const maxRuns = wholeNumber(form.maxRunsPerCheck, 1, 1000);
  if (maxRuns === null || Number.isNaN(maxRuns)) {
    return fail(
      'maxRunsPerCheck',
      trans.__('Enter a whole number from 1 to 1000.')
    );
  }
  const maxAttempts = wholeNumber(form.maxAttempts, 1, 100);
  if (Number.isNaN(maxAttempts)) {
    return fail(
      'maxAttempts',
      trans.__(
        'Enter a whole number from 1 to 100, or leave it empty for the server’s default.'
      )
    );
  }
  const cron = buildCron(form, trans);
  if (!cron.ok) {
    return cron;
  }
  return {
    ok: true,
    trigger: {
      kind: 'new_data',
      ...cron.cron,
      event_types: EVENT_TYPES.filter(type => form.eventTypes.includes(type)),
      earliest_date: earliest === '' ? null : earliest,
      stencil,
      lookback_days: lookback,
      max_runs_per_check: maxRuns,
      max_attempts: maxAttempts
    }
  };
}

/**
 * A stencil's JSON text as its list, or `null` when it is not a non-empty
 * JSON list.
 */
export function parseStencil(
  text: string
): Array<number | string | Array<number | string>> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return Array.isArray(value) && value.length > 0
    ? (value as Array<number | string | Array<number | string>>)
    : null;
}

/**
 * A stencil as the form shows it: one line of JSON, a space after each
 * comma (its elements are numbers and dates, which hold none).
 */
export function stencilText(stencil: ReadonlyArray<unknown>): string {
  return JSON.stringify(stencil).replace(/,/g, ', ');
}

/**
 * A typed whole number: `null` when empty, `NaN` when not one in range.
 */
function wholeNumber(text: string, min: number, max: number): number | null {
  const trimmed = text.trim();
  if (trimmed === '') {
    return null;
  }
  const value = Number(trimmed);
  return WHOLE_NUMBER.test(trimmed) && value >= min && value <= max
    ? value
    : NaN;
}

function wholeText(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

/**
 * The settings the form stands for, or every problem by field.
 */
export function buildSettings(
  form: IScheduleForm,
  trans: ITranslate
): SettingsResult {
  const errors: ScheduleErrors = {};
  const name = form.name.trim();
  if (name === '') {
    errors.name = trans.__('Give the schedule a name.');
  }
  const trigger = buildTrigger(form, trans);
  if (!trigger.ok) {
    errors[trigger.field] = trigger.error;
  }
  const durations: Array<[ScheduleField, IDuration]> = [
    ['catchUpWindow', form.catchUpWindow],
    ['timeout', form.timeout],
    ['cellTimeout', form.cellTimeout]
  ];
  const seconds: { [field: string]: number | null } = {};
  for (const [field, duration] of durations) {
    const value = durationSeconds(duration);
    if (Number.isNaN(value)) {
      errors[field] = trans.__('Enter a number above 0, or leave it empty.');
    }
    seconds[field] = value;
  }
  if (!trigger.ok || Object.keys(errors).length > 0) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    settings: {
      name,
      trigger: trigger.trigger,
      timeout: seconds.timeout,
      cell_timeout: seconds.cellTimeout,
      catch_up: form.catchUp,
      catch_up_window: form.catchUp === 'latest' ? seconds.catchUpWindow : null,
      overlap: form.overlap
    }
  };
}

/**
 * Body of `POST schedules`.
 */
export function createRequest(
  notebook: string,
  settings: IScheduleSettings,
  parameters: AutoflowAPI.Parameters
): AutoflowAPI.ICreateScheduleRequest {
  return { notebook, parameters, ...settings };
}

/**
 * Body of `PATCH schedules/<id>`: only the settings and parameters that
 * differ from the schedule's; empty when nothing does.
 */
export function updateRequest(
  schedule: AutoflowAPI.ISchedule,
  settings: IScheduleSettings,
  parameters: AutoflowAPI.Parameters
): AutoflowAPI.IUpdateScheduleRequest {
  const change: AutoflowAPI.IUpdateScheduleRequest = {};
  if (settings.name !== schedule.name) {
    change.name = settings.name;
  }
  if (!sameJSON(comparable(settings.trigger), comparable(schedule.trigger))) {
    change.trigger = settings.trigger;
  }
  if (!sameJSON(parameters, schedule.parameters)) {
    change.parameters = parameters;
  }
  const plain = [
    'timeout',
    'cell_timeout',
    'catch_up',
    'catch_up_window',
    'overlap'
  ] as const;
  for (const key of plain) {
    if (settings[key] !== schedule[key]) {
      (change as { [key: string]: unknown })[key] = settings[key];
    }
  }
  return change;
}

/**
 * The form field a server's `field` names: a trigger's field, a setting,
 * `parameters` (or `parameters.<name>`) as given, else `null`.
 */
export function formFieldOf(field: string | null): string | null {
  switch (field) {
    case 'name':
      return 'name';
    case 'trigger.expression':
      return 'expression';
    case 'trigger.timezone':
      return 'timezone';
    case 'trigger.seconds':
      return 'interval';
    case 'trigger.start':
      return 'start';
    case 'trigger.at':
      return 'at';
    case 'timeout':
      return 'timeout';
    case 'cell_timeout':
      return 'cellTimeout';
    case 'catch_up_window':
      return 'catchUpWindow';
    case 'trigger.earliest_date':
      return 'earliestDate';
    case 'trigger.lookback_days':
      return 'lookbackDays';
    case 'trigger.max_runs_per_check':
      return 'maxRunsPerCheck';
    case 'trigger.max_attempts':
      return 'maxAttempts';
    case 'sample_date':
      return 'sampleDate';
  }
  if (field === 'trigger.stencil' || field?.startsWith('trigger.stencil.')) {
    return 'stencil';
  }
  if (
    field === 'trigger.event_types' ||
    field?.startsWith('trigger.event_types.')
  ) {
    return 'eventTypes';
  }
  if (field === 'parameters' || field?.startsWith('parameters.')) {
    return field;
  }
  return null;
}

/**
 * The trigger fields of each kind, whose messages show in the preview.
 */
export const TRIGGER_FIELDS: { [kind in TriggerKind]: ScheduleField[] } = {
  cron: ['expression', 'timezone'],
  interval: ['interval', 'start', 'timezone'],
  once: ['at', 'timezone'],
  new_data: [
    'eventTypes',
    'earliestDate',
    'stencil',
    'sampleDate',
    'lookbackDays',
    'maxRunsPerCheck',
    'maxAttempts',
    'expression',
    'timezone'
  ]
};

/**
 * The trigger fields shown with their own message next to them, besides in
 * the preview.
 */
export const DATA_TRIGGER_FIELDS: ReadonlyArray<ScheduleField> =
  TRIGGER_FIELDS.new_data.filter(
    field => field !== 'expression' && field !== 'timezone'
  );

/**
 * The input value that shows a parameter's stored JSON value.
 */
export function parameterInput(
  parameter: IParameter,
  value: unknown
): InputValue {
  switch (inputKind(parameter)) {
    case 'checkbox':
      return value === true;
    case 'integer':
    case 'number':
      return typeof value === 'number' ? String(value) : formatJSON(value);
    case 'date':
    case 'text':
    case 'any':
      return typeof value === 'string' ? value : formatJSON(value);
    case 'json':
      return formatJSON(value);
  }
}

/**
 * A notebook's file name without its folder and `.ipynb`.
 */
export function notebookStem(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.replace(/\.ipynb$/i, '') || name;
}

/**
 * A trigger with its date-times as instants, so that one time written in
 * two offsets compares equal.
 */
function comparable(
  trigger: AutoflowAPI.ITrigger | AutoflowAPI.ITriggerRequest
): unknown {
  const instant = (iso: string | null | undefined) =>
    iso ? new Date(iso).getTime() : null;
  switch (trigger.kind) {
    case 'cron':
      return { ...trigger, timezone: trigger.timezone ?? null };
    case 'interval':
      return { ...trigger, start: instant(trigger.start) };
    case 'once':
      return { ...trigger, at: instant(trigger.at) };
    case 'new_data':
      return {
        earliest_date: null,
        lookback_days: null,
        max_runs_per_check: 10,
        max_attempts: null,
        stencil: [0],
        ...trigger,
        timezone: trigger.timezone ?? null
      };
  }
}

function sameJSON(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_, item: unknown) => {
    if (item && typeof item === 'object' && !Array.isArray(item)) {
      const sorted: { [key: string]: unknown } = {};
      for (const key of Object.keys(item).sort()) {
        sorted[key] = (item as { [key: string]: unknown })[key];
      }
      return sorted;
    }
    return item;
  });
}

interface IWallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(instant: number, zone: string): IWallClock {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric'
  }).formatToParts(new Date(instant));
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find(part => part.type === type)?.value ?? 0);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour') % 24,
    minute: get('minute'),
    second: get('second')
  };
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const absolute = Math.abs(minutes);
  return `${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
