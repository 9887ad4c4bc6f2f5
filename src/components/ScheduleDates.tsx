import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { canRetry, dateStateLabel } from '../dataTriggerText';
import type { IScheduleDates } from '../schedulesModel';
import type { ScheduleDate } from '../wire';

const DATES_CLASS = 'jp-autoflow-ScheduleDates';
const LIST_CLASS = 'jp-autoflow-ScheduleDates-list';
const DATE_CLASS = 'jp-autoflow-ScheduleDate';
const DAY_CLASS = 'jp-autoflow-ScheduleDate-day';
const STATE_CLASS = 'jp-autoflow-DatePill';
const MISSING_CLASS = 'jp-autoflow-ScheduleDate-missing';
const MESSAGE_CLASS = 'jp-autoflow-ScheduleDate-message';
const BUTTON_CLASS = 'jp-autoflow-ScheduleDate-button';
const NOTE_CLASS = 'jp-autoflow-ScheduleDates-note';
const ERROR_CLASS = 'jp-autoflow-ScheduleDates-error';

/**
 * Props of {@link ScheduleDates}.
 */
export interface IScheduleDatesProps {
  /**
   * DOM id of the region, for the toggle's `aria-controls`.
   */
  id: string;
  scheduleName: string;
  dates: IScheduleDates;
  busy: boolean;
  trans: TranslationBundle;
  onShowRun: (id: number) => void;
  onShowWorkflowRun: (id: number) => void;
  onRetry: (referenceDate: string) => void;
}

/**
 * A data-trigger schedule's reference dates, newest first: each date's
 * state, whether FlowAPI still has it, why it failed, its run, and a retry
 * for failed and given-up dates.
 */
export function ScheduleDates(props: IScheduleDatesProps): JSX.Element {
  const { dates, trans } = props;
  let body: JSX.Element;
  if (dates.dates === null) {
    body = (
      <p className={NOTE_CLASS}>
        {dates.errorMessage ? null : trans.__('Loading dates…')}
      </p>
    );
  } else if (dates.dates.length === 0) {
    body = (
      <p className={NOTE_CLASS}>
        {trans.__(
          'No dates yet: a check lists each date FlowAPI has data for.'
        )}
      </p>
    );
  } else {
    body = (
      <ul className={LIST_CLASS}>
        {dates.dates.map(date => (
          <DateItem key={date.reference_date} date={date} {...props} />
        ))}
      </ul>
    );
  }
  return (
    <div
      id={props.id}
      className={DATES_CLASS}
      role="region"
      aria-label={trans.__('Dates of %1', props.scheduleName)}
    >
      {dates.errorMessage ? (
        <p className={ERROR_CLASS} role="alert">
          {trans.__('Could not read the dates: %1', dates.errorMessage)}
        </p>
      ) : null}
      {body}
    </div>
  );
}

function DateItem(
  props: IScheduleDatesProps & { date: ScheduleDate }
): JSX.Element {
  const { date, busy, trans } = props;
  const day = date.reference_date;
  const runId = date.run_id;
  const workflowRunId = date.workflow_run_id;
  return (
    <li
      className={DATE_CLASS}
      data-date={day}
      data-state={date.state}
      aria-label={trans.__('%1, %2', day, dateStateLabel(date, trans))}
    >
      <span className={DAY_CLASS}>{day}</span>
      <span
        className={STATE_CLASS}
        data-state={date.state}
        title={trans.__('%1 of %2 runs made', date.attempts, date.max_attempts)}
      >
        {dateStateLabel(date, trans)}
      </span>
      {date.available ? null : (
        <span
          className={MISSING_CLASS}
          title={trans.__(
            'FlowAPI did not list all the days this date needs at the last check'
          )}
        >
          {trans.__('not in FlowAPI')}
        </span>
      )}
      {workflowRunId !== null ? (
        <button
          type="button"
          className={BUTTON_CLASS}
          aria-label={trans.__(
            'Workflow run #%1, data of %2',
            date.workflow_run_id,
            day
          )}
          onClick={() => props.onShowWorkflowRun(workflowRunId)}
        >
          {trans.__('Workflow run #%1', date.workflow_run_id)}
        </button>
      ) : runId !== null ? (
        <button
          type="button"
          className={BUTTON_CLASS}
          aria-label={trans.__('Run #%1, data of %2', date.run_id, day)}
          onClick={() => props.onShowRun(runId)}
        >
          {trans.__('Run #%1', date.run_id)}
        </button>
      ) : null}
      {canRetry(date) ? (
        <button
          type="button"
          className={BUTTON_CLASS}
          aria-label={trans.__('Retry %1', day)}
          disabled={busy}
          onClick={() => props.onRetry(day)}
        >
          {trans.__('Retry')}
        </button>
      ) : null}
      {date.message ? (
        <span className={MESSAGE_CLASS}>{date.message}</span>
      ) : null}
    </li>
  );
}
