import * as React from 'react';

import type { ITranslate } from '../format';
import type {
  FieldErrors,
  InputValue,
  InputValues,
  IParameter
} from '../parameters';
import {
  CronPreset,
  DATA_TRIGGER_FIELDS,
  DurationUnit,
  IDuration,
  IScheduleForm,
  ScheduleErrors,
  TRIGGER_FIELDS,
  TriggerKind,
  UNIT_SECONDS
} from '../schedules';
import { DataTriggerFields } from './DataTriggerFields';
import { FormRow as Row } from './FormRow';
import { ParametersForm } from './ParametersForm';
import { PreviewState, TriggerPreview } from './TriggerPreview';

const FORM_CLASS = 'jp-autoflow-ScheduleForm';
const SECTION_CLASS = 'jp-autoflow-ScheduleForm-section';
const LEGEND_CLASS = 'jp-autoflow-ScheduleForm-legend';
const INPUT_CLASS = 'jp-autoflow-ScheduleForm-input';
const SELECT_CLASS = 'jp-autoflow-ScheduleForm-select';
const DURATION_CLASS = 'jp-autoflow-ScheduleForm-duration';
const KINDS_CLASS = 'jp-autoflow-ScheduleForm-kinds';
const KIND_CLASS = 'jp-autoflow-ScheduleForm-kind';
const ERROR_CLASS = 'jp-autoflow-ScheduleForm-error';
const NOTE_CLASS = 'jp-autoflow-ScheduleForm-note';

/**
 * Props of {@link ScheduleForm}.
 */
export interface IScheduleFormProps {
  form: IScheduleForm;
  /**
   * Messages by form field; trigger fields' messages show in the preview.
   */
  errors: ScheduleErrors;
  preview: PreviewState;
  /**
   * The notebook's parameters (none: no form), their inputs and problems.
   */
  parameters: ReadonlyArray<IParameter>;
  parameterValues: InputValues;
  parameterErrors: FieldErrors;
  /**
   * A sentence in the Parameters section, or `null`.
   */
  parametersNote: string | null;
  /**
   * Whether to show the time limits (a workflow's steps set their own).
   */
  limits?: boolean;
  /**
   * IANA timezones to pick from.
   */
  timezones: ReadonlyArray<string>;
  /**
   * Prefix of the inputs' DOM ids, unique on the page.
   */
  idPrefix: string;
  trans: ITranslate;
  onChange: (change: Partial<IScheduleForm>) => void;
  onParameterChange: (name: string, value: InputValue) => void;
}

/**
 * Every setting of a schedule: name, trigger with its live preview,
 * parameters, missed and overlapping runs, time limits. Holds no state.
 */
export function ScheduleForm(props: IScheduleFormProps): JSX.Element {
  const { form, errors, idPrefix, trans, onChange } = props;
  const id = (field: string) => `${idPrefix}-${field}`;
  const previewId = id('preview');
  const triggerFields = TRIGGER_FIELDS[form.kind];
  /** Attributes tying a trigger input to the preview that judges it. */
  const judged = (field: string) => ({
    'aria-describedby': previewId,
    'aria-invalid': errors[field] ? true : undefined
  });
  const kinds: Array<[TriggerKind, string]> = [
    ['cron', trans.__('Cron')],
    ['interval', trans.__('Interval')],
    ['once', trans.__('Once')],
    ['new_data', trans.__('When FlowAPI has new data')]
  ];
  const dataKind = form.kind === 'new_data';
  const cronKind = form.kind === 'cron' || dataKind;
  // A data trigger's own fields show their messages next to them.
  const fieldError = DATA_TRIGGER_FIELDS.some(field => errors[field]);
  const triggerError = triggerFields
    .filter(field => !DATA_TRIGGER_FIELDS.includes(field))
    .map(field => errors[field])
    .find(Boolean);
  const preview: PreviewState = triggerError
    ? { status: 'error', message: triggerError }
    : fieldError
      ? {
          status: 'error',
          message: trans.__('Correct the field marked above.')
        }
      : props.preview;

  return (
    <div className={FORM_CLASS}>
      <Row id={id('name')} label={trans.__('Name')} error={errors.name}>
        <input
          id={id('name')}
          className={INPUT_CLASS}
          type="text"
          value={form.name}
          spellCheck={false}
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={errors.name ? `${id('name')}-error` : undefined}
          onChange={event => onChange({ name: event.target.value })}
        />
      </Row>

      <fieldset className={SECTION_CLASS}>
        <legend className={LEGEND_CLASS}>{trans.__('When')}</legend>
        <div
          className={KINDS_CLASS}
          role="radiogroup"
          aria-label={trans.__('Trigger')}
        >
          {kinds.map(([kind, label]) => (
            <label key={kind} className={KIND_CLASS}>
              <input
                type="radio"
                name={id('kind')}
                value={kind}
                checked={form.kind === kind}
                onChange={() => onChange({ kind })}
              />
              <span>{label}</span>
            </label>
          ))}
        </div>

        {dataKind ? (
          <DataTriggerFields
            form={form}
            errors={errors}
            preview={props.preview}
            id={id}
            trans={trans}
            onChange={onChange}
          />
        ) : null}

        {cronKind ? (
          <>
            <Row
              id={id('preset')}
              label={dataKind ? trans.__('Check FlowAPI') : trans.__('Repeat')}
            >
              <select
                id={id('preset')}
                className={SELECT_CLASS}
                value={form.cron.preset}
                onChange={event =>
                  onChange({
                    cron: {
                      ...form.cron,
                      preset: event.target.value as CronPreset
                    }
                  })
                }
              >
                <option value="hourly">{trans.__('Every hour')}</option>
                <option value="daily">{trans.__('Every day')}</option>
                <option value="weekdays">
                  {trans.__('Every weekday (Monday to Friday)')}
                </option>
                <option value="weekly">{trans.__('Every week')}</option>
                <option value="custom">{trans.__('Custom expression')}</option>
              </select>
            </Row>
            {form.cron.preset === 'hourly' ? (
              <Row id={id('minute')} label={trans.__('At minute')}>
                <input
                  id={id('minute')}
                  className={INPUT_CLASS}
                  type="number"
                  min={0}
                  max={59}
                  step={1}
                  value={form.cron.minute}
                  onChange={event =>
                    onChange({
                      cron: { ...form.cron, minute: event.target.value }
                    })
                  }
                />
              </Row>
            ) : null}
            {form.cron.preset === 'weekly' ? (
              <Row id={id('day')} label={trans.__('On')}>
                <select
                  id={id('day')}
                  className={SELECT_CLASS}
                  value={form.cron.day}
                  onChange={event =>
                    onChange({
                      cron: { ...form.cron, day: Number(event.target.value) }
                    })
                  }
                >
                  {dayNames(trans).map((name, day) => (
                    <option key={day} value={day}>
                      {name}
                    </option>
                  ))}
                </select>
              </Row>
            ) : null}
            {['daily', 'weekdays', 'weekly'].includes(form.cron.preset) ? (
              <Row id={id('time')} label={trans.__('At')}>
                <input
                  id={id('time')}
                  className={INPUT_CLASS}
                  type="time"
                  value={form.cron.time}
                  onChange={event =>
                    onChange({
                      cron: { ...form.cron, time: event.target.value }
                    })
                  }
                />
              </Row>
            ) : null}
            <Row
              id={id('expression')}
              label={trans.__('Cron expression')}
              help={trans.__('minute hour day-of-month month day-of-week')}
            >
              <input
                id={id('expression')}
                className={`${INPUT_CLASS} jp-mod-code`}
                type="text"
                value={form.expression}
                spellCheck={false}
                autoComplete="off"
                {...judged('expression')}
                onChange={event => onChange({ expression: event.target.value })}
              />
            </Row>
          </>
        ) : null}

        {form.kind === 'interval' ? (
          <>
            <Row id={id('interval')} label={trans.__('Every')}>
              <DurationInput
                id={id('interval')}
                label={trans.__('Every')}
                duration={form.interval}
                trans={trans}
                extra={judged('interval')}
                onChange={interval => onChange({ interval })}
              />
            </Row>
            <Row
              id={id('start')}
              label={trans.__('Starting')}
              help={trans.__('Leave empty to count from when you save.')}
            >
              <input
                id={id('start')}
                className={INPUT_CLASS}
                type="datetime-local"
                value={form.start}
                {...judged('start')}
                onChange={event => onChange({ start: event.target.value })}
              />
            </Row>
          </>
        ) : null}

        {form.kind === 'once' ? (
          <Row id={id('at')} label={trans.__('Run at')}>
            <input
              id={id('at')}
              className={INPUT_CLASS}
              type="datetime-local"
              value={form.at}
              {...judged('at')}
              onChange={event => onChange({ at: event.target.value })}
            />
          </Row>
        ) : null}

        <Row
          id={id('timezone')}
          label={trans.__('Timezone')}
          help={
            form.kind === 'cron'
              ? null
              : dataKind
                ? trans.__('Of the checks, and of today for the look back.')
                : trans.__('The date and time above are read in this timezone.')
          }
        >
          <input
            id={id('timezone')}
            className={INPUT_CLASS}
            type="text"
            list={id('timezones')}
            value={form.timezone}
            spellCheck={false}
            autoComplete="off"
            {...judged('timezone')}
            onChange={event => onChange({ timezone: event.target.value })}
          />
          <datalist id={id('timezones')}>
            {props.timezones.map(zone => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
        </Row>

        <TriggerPreview
          preview={preview}
          id={previewId}
          checks={dataKind}
          trans={trans}
        />
      </fieldset>

      <fieldset className={SECTION_CLASS}>
        <legend className={LEGEND_CLASS}>{trans.__('Parameters')}</legend>
        {props.parametersNote ? (
          <p className={NOTE_CLASS}>{props.parametersNote}</p>
        ) : null}
        {errors.parameters ? (
          <p className={ERROR_CLASS} role="alert" tabIndex={-1}>
            {errors.parameters}
          </p>
        ) : null}
        {props.parameters.length > 0 ? (
          <ParametersForm
            parameters={props.parameters}
            values={props.parameterValues}
            errors={props.parameterErrors}
            idPrefix={id('parameter')}
            trans={trans}
            onChange={props.onParameterChange}
          />
        ) : null}
      </fieldset>

      {dataKind ? null : (
        <fieldset className={SECTION_CLASS}>
          <legend className={LEGEND_CLASS}>
            {trans.__('Missed and overlapping runs')}
          </legend>
          <Row id={id('catch-up')} label={trans.__('Missed while stopped')}>
            <select
              id={id('catch-up')}
              className={SELECT_CLASS}
              value={form.catchUp}
              onChange={event =>
                onChange({ catchUp: event.target.value as 'skip' | 'latest' })
              }
            >
              <option value="skip">{trans.__('Skip them')}</option>
              <option value="latest">
                {trans.__('Run the latest missed')}
              </option>
            </select>
          </Row>
          {form.catchUp === 'latest' ? (
            <Row
              id={id('catch-up-window')}
              label={trans.__('If missed within')}
              help={trans.__('Leave empty for the server’s default.')}
              error={errors.catchUpWindow}
            >
              <DurationInput
                id={id('catch-up-window')}
                label={trans.__('If missed within')}
                duration={form.catchUpWindow}
                trans={trans}
                placeholder={trans.__('default')}
                error={errors.catchUpWindow}
                onChange={catchUpWindow => onChange({ catchUpWindow })}
              />
            </Row>
          ) : null}
          <Row id={id('overlap')} label={trans.__('If still running')}>
            <select
              id={id('overlap')}
              className={SELECT_CLASS}
              value={form.overlap}
              onChange={event =>
                onChange({ overlap: event.target.value as 'skip' | 'queue' })
              }
            >
              <option value="skip">{trans.__('Skip the new run')}</option>
              <option value="queue">{trans.__('Queue the new run')}</option>
            </select>
          </Row>
        </fieldset>
      )}

      {props.limits === false ? null : (
        <fieldset className={SECTION_CLASS}>
          <legend className={LEGEND_CLASS}>{trans.__('Time limits')}</legend>
          <Row
            id={id('timeout')}
            label={trans.__('Each run')}
            error={errors.timeout}
          >
            <DurationInput
              id={id('timeout')}
              label={trans.__('Each run')}
              duration={form.timeout}
              trans={trans}
              placeholder={trans.__('none')}
              error={errors.timeout}
              onChange={timeout => onChange({ timeout })}
            />
          </Row>
          <Row
            id={id('cell-timeout')}
            label={trans.__('Each cell')}
            error={errors.cellTimeout}
          >
            <DurationInput
              id={id('cell-timeout')}
              label={trans.__('Each cell')}
              duration={form.cellTimeout}
              trans={trans}
              placeholder={trans.__('none')}
              error={errors.cellTimeout}
              onChange={cellTimeout => onChange({ cellTimeout })}
            />
          </Row>
        </fieldset>
      )}
    </div>
  );
}

interface IDurationInputProps {
  id: string;
  label: string;
  duration: IDuration;
  trans: ITranslate;
  placeholder?: string;
  error?: string;
  /**
   * More attributes of the number input.
   */
  extra?: { [attribute: string]: unknown };
  onChange: (duration: IDuration) => void;
}

/**
 * A number and its unit.
 */
function DurationInput(props: IDurationInputProps): JSX.Element {
  const { duration, trans } = props;
  const units: { [unit in DurationUnit]: string } = {
    seconds: trans.__('seconds'),
    minutes: trans.__('minutes'),
    hours: trans.__('hours'),
    days: trans.__('days')
  };
  return (
    <div className={DURATION_CLASS}>
      <input
        id={props.id}
        className={INPUT_CLASS}
        type="number"
        min={0}
        step="any"
        value={duration.value}
        placeholder={props.placeholder}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${props.id}-error` : undefined}
        {...props.extra}
        onChange={event =>
          props.onChange({ ...duration, value: event.target.value })
        }
      />
      <select
        className={SELECT_CLASS}
        value={duration.unit}
        aria-label={trans.__('%1 (unit)', props.label)}
        onChange={event =>
          props.onChange({
            ...duration,
            unit: event.target.value as DurationUnit
          })
        }
      >
        {UNIT_SECONDS.slice()
          .reverse()
          .map(([unit]) => (
            <option key={unit} value={unit}>
              {units[unit]}
            </option>
          ))}
      </select>
    </div>
  );
}

/**
 * Day names from Sunday (0), in the user's language.
 */
function dayNames(trans: ITranslate): string[] {
  return [
    trans.__('Sunday'),
    trans.__('Monday'),
    trans.__('Tuesday'),
    trans.__('Wednesday'),
    trans.__('Thursday'),
    trans.__('Friday'),
    trans.__('Saturday')
  ];
}
