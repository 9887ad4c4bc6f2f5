import * as React from 'react';

import { dateRangeText } from '../dataTriggerText';
import type { ITranslate } from '../format';
import { EVENT_TYPES, IScheduleForm, ScheduleErrors } from '../schedules';
import type { EventType } from '../wire';
import { FormRow as Row } from './FormRow';
import type { PreviewState } from './TriggerPreview';

const INPUT_CLASS = 'jp-autoflow-ScheduleForm-input';
const ROW_CLASS = 'jp-autoflow-ScheduleForm-row';
const LABEL_CLASS = 'jp-autoflow-ScheduleForm-label';
const CONTROL_CLASS = 'jp-autoflow-ScheduleForm-control';
const ERROR_CLASS = 'jp-autoflow-ScheduleForm-error';
const EVENT_TYPES_CLASS = 'jp-autoflow-DataTrigger-eventTypes';
const EVENT_TYPE_CLASS = 'jp-autoflow-DataTrigger-eventType';
const RANGES_CLASS = 'jp-autoflow-DataTrigger-ranges';
const RANGES_NOTE_CLASS = 'jp-autoflow-DataTrigger-rangesNote';

/**
 * Props of {@link DataTriggerFields}.
 */
export interface IDataTriggerFieldsProps {
  form: IScheduleForm;
  errors: ScheduleErrors;
  preview: PreviewState;
  /**
   * Gives an input's DOM id from its field's name.
   */
  id: (field: string) => string;
  trans: ITranslate;
  onChange: (change: Partial<IScheduleForm>) => void;
}

/**
 * What a data trigger watches in FlowAPI and what each run needs: event
 * types, earliest date, date stencil with the date ranges it gives at a
 * sample date, and limits on runs and attempts. Holds no state.
 */
export function DataTriggerFields(props: IDataTriggerFieldsProps): JSX.Element {
  const { form, errors, preview, id, trans, onChange } = props;
  const labels: { [type in EventType]: string } = {
    calls: trans.__('Calls'),
    sms: trans.__('SMS'),
    mds: trans.__('Mobile data sessions'),
    topups: trans.__('Top-ups')
  };
  const toggle = (type: EventType, checked: boolean) =>
    onChange({
      eventTypes: checked
        ? [...form.eventTypes, type]
        : form.eventTypes.filter(item => item !== type)
    });
  /** Attributes tying an input to its message, or to its help. */
  const invalid = (field: string, domId: string, help = true) => ({
    'aria-invalid': errors[field] ? true : undefined,
    'aria-describedby': errors[field]
      ? `${domId}-error`
      : help
        ? `${domId}-help`
        : undefined
  });
  const groupId = id('event-types');
  const ranges =
    preview.status === 'ready' && !errors.stencil && !errors.sampleDate
      ? (preview.dateRanges ?? null)
      : null;

  return (
    <>
      <div className={ROW_CLASS}>
        <span id={`${groupId}-label`} className={LABEL_CLASS}>
          {trans.__('Event types')}
        </span>
        <div className={CONTROL_CLASS}>
          <div
            id={groupId}
            className={EVENT_TYPES_CLASS}
            role="group"
            aria-labelledby={`${groupId}-label`}
            aria-describedby={
              errors.eventTypes ? `${groupId}-error` : `${groupId}-help`
            }
          >
            {EVENT_TYPES.map(type => (
              <label key={type} className={EVENT_TYPE_CLASS}>
                <input
                  type="checkbox"
                  value={type}
                  checked={form.eventTypes.includes(type)}
                  aria-invalid={errors.eventTypes ? true : undefined}
                  onChange={event => toggle(type, event.target.checked)}
                />
                <span>{labels[type]}</span>
              </label>
            ))}
          </div>
          {errors.eventTypes ? (
            <div id={`${groupId}-error`} className={ERROR_CLASS}>
              {errors.eventTypes}
            </div>
          ) : (
            <div
              id={`${groupId}-help`}
              className="jp-autoflow-ScheduleForm-help"
            >
              {trans.__('A date is new data when any of these has it.')}
            </div>
          )}
        </div>
      </div>

      <Row
        id={id('stencil')}
        label={trans.__('Date stencil')}
        help={trans.__(
          'Dates, day offsets from the reference date, and [start, end) pairs of them, as JSON: [[-7, 0]] is the 7 days before.'
        )}
        error={errors.stencil}
      >
        <input
          id={id('stencil')}
          className={`${INPUT_CLASS} jp-mod-code`}
          type="text"
          value={form.stencil}
          spellCheck={false}
          autoComplete="off"
          {...invalid('stencil', id('stencil'))}
          onChange={event => onChange({ stencil: event.target.value })}
        />
      </Row>

      <Row
        id={id('sample-date')}
        label={trans.__('Sample reference date')}
        error={errors.sampleDate}
      >
        <input
          id={id('sample-date')}
          className={INPUT_CLASS}
          type="date"
          value={form.sampleDate}
          {...invalid('sampleDate', id('sample-date'), false)}
          onChange={event => onChange({ sampleDate: event.target.value })}
        />
        <div
          className={RANGES_CLASS}
          role="status"
          aria-live="polite"
          aria-label={trans.__('Date ranges at the sample date')}
        >
          {ranges ? (
            <>
              <p className={RANGES_NOTE_CLASS}>
                {trans.__(
                  'A run for data of %1 needs these days, all available:',
                  form.sampleDate || trans.__('today')
                )}
              </p>
              <ul>
                {ranges.map(range => (
                  <li key={range.join('/')}>
                    <code>{dateRangeText(range, trans)}</code>
                  </li>
                ))}
              </ul>
              <p className={RANGES_NOTE_CLASS}>
                {trans.__('Its date_ranges parameter:')}{' '}
                <code>{JSON.stringify(ranges)}</code>
              </p>
            </>
          ) : null}
        </div>
      </Row>

      <Row
        id={id('earliest-date')}
        label={trans.__('Earliest date')}
        help={trans.__('No runs for earlier dates; leave empty for all.')}
        error={errors.earliestDate}
      >
        <input
          id={id('earliest-date')}
          className={INPUT_CLASS}
          type="date"
          value={form.earliestDate}
          {...invalid('earliestDate', id('earliest-date'))}
          onChange={event => onChange({ earliestDate: event.target.value })}
        />
      </Row>

      <Row
        id={id('lookback-days')}
        label={trans.__('Look back (days)')}
        help={trans.__(
          'Only dates this many days before today; leave empty for all.'
        )}
        error={errors.lookbackDays}
      >
        <input
          id={id('lookback-days')}
          className={INPUT_CLASS}
          type="number"
          min={1}
          step={1}
          value={form.lookbackDays}
          placeholder={trans.__('all')}
          {...invalid('lookbackDays', id('lookback-days'))}
          onChange={event => onChange({ lookbackDays: event.target.value })}
        />
      </Row>

      <Row
        id={id('max-runs')}
        label={trans.__('Runs per check')}
        help={trans.__('At most this many, oldest dates first.')}
        error={errors.maxRunsPerCheck}
      >
        <input
          id={id('max-runs')}
          className={INPUT_CLASS}
          type="number"
          min={1}
          max={1000}
          step={1}
          value={form.maxRunsPerCheck}
          {...invalid('maxRunsPerCheck', id('max-runs'))}
          onChange={event => onChange({ maxRunsPerCheck: event.target.value })}
        />
      </Row>

      <Row
        id={id('max-attempts')}
        label={trans.__('Attempts per date')}
        help={trans.__('Runs of a failing date before it is given up.')}
        error={errors.maxAttempts}
      >
        <input
          id={id('max-attempts')}
          className={INPUT_CLASS}
          type="number"
          min={1}
          max={100}
          step={1}
          value={form.maxAttempts}
          placeholder={trans.__('server default')}
          {...invalid('maxAttempts', id('max-attempts'))}
          onChange={event => onChange({ maxAttempts: event.target.value })}
        />
      </Row>
    </>
  );
}
