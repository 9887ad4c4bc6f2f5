import { TranslationBundle } from '@jupyterlab/translation';
import {
  Button,
  ellipsesIcon,
  LabIcon,
  fastForwardIcon,
  pauseIcon,
  refreshIcon,
  runIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import {
  checkStatusLabel,
  dateCountLabel,
  dateCounts,
  lastCheckText
} from '../dataTriggerText';
import { basename, formatFullTime } from '../format';
import { formatRelative, nextFire } from '../scheduleText';
import type { IScheduleDates } from '../schedulesModel';
import { ScheduleDates } from './ScheduleDates';
import { StatusBadge } from './StatusBadge';

const ROW_CLASS = 'jp-autoflow-ScheduleRow';
const MAIN_CLASS = 'jp-autoflow-ScheduleRow-main';
const NAME_CLASS = 'jp-autoflow-ScheduleRow-name';
const PAUSED_CLASS = 'jp-autoflow-ScheduleRow-paused';
const NOTEBOOK_CLASS = 'jp-autoflow-ScheduleRow-notebook';
const TRIGGER_CLASS = 'jp-autoflow-ScheduleRow-trigger';
const META_CLASS = 'jp-autoflow-ScheduleRow-meta';
const NEXT_CLASS = 'jp-autoflow-ScheduleRow-next';
const LAST_CLASS = 'jp-autoflow-ScheduleRow-last';
const SKIPPED_CLASS = 'jp-autoflow-ScheduleRow-skipped';
const ACTIONS_CLASS = 'jp-autoflow-ScheduleRow-actions';
const ACTION_CLASS = 'jp-autoflow-ScheduleRow-action';
const ACTION_ICON_CLASS = 'jp-autoflow-ScheduleRow-actionIcon';
const CHECK_CLASS = 'jp-autoflow-ScheduleRow-check';
const CHECK_STATUS_CLASS = 'jp-autoflow-ScheduleRow-checkStatus';
const COUNTS_CLASS = 'jp-autoflow-ScheduleRow-counts';
const PILL_CLASS = 'jp-autoflow-DatePill';
const DATES_TOGGLE_CLASS = 'jp-autoflow-ScheduleRow-datesToggle';

/**
 * What the user can do with a schedule from its row.
 */
export interface IScheduleActions {
  onRunNow: (schedule: AutoflowAPI.ISchedule) => void;
  onSetPaused: (schedule: AutoflowAPI.ISchedule, paused: boolean) => void;
  /**
   * Open the overflow menu of every action at the clicked button.
   */
  onMore: (schedule: AutoflowAPI.ISchedule, anchor: HTMLElement) => void;
  /**
   * Show a run (the schedule's last) in the runs tab.
   */
  onShowRun: (id: number) => void;
  /**
   * Check FlowAPI now for a data-trigger schedule.
   */
  onCheckNow: (schedule: AutoflowAPI.ISchedule) => void;
  /**
   * Show or hide a data-trigger schedule's dates.
   */
  onToggleDates: (schedule: AutoflowAPI.ISchedule) => void;
  /**
   * Run a failed or given-up date again.
   */
  onRetryDate: (schedule: AutoflowAPI.ISchedule, referenceDate: string) => void;
  /**
   * Show a workflow run in the workflows tab.
   */
  onShowWorkflowRun: (id: number) => void;
}

/**
 * Props of {@link ScheduleRow}.
 */
export interface IScheduleRowProps extends IScheduleActions {
  schedule: AutoflowAPI.ISchedule;
  /**
   * Whether an action on the schedule is in flight.
   */
  busy: boolean;
  /**
   * A data-trigger schedule's dates while they are open, else `undefined`.
   */
  dates?: IScheduleDates;
  /**
   * The current time in ms, for the relative next fire.
   */
  now: number;
  trans: TranslationBundle;
}

/**
 * One schedule: name, notebook, trigger in words, next fire, last run and
 * whether it is paused; buttons to run it now, pause or resume it, and a
 * menu of every action.
 */
function ScheduleRowComponent(props: IScheduleRowProps): JSX.Element {
  const { schedule, busy, now, trans } = props;
  const next = schedule.paused ? null : nextFire(schedule.next_fire_times, now);
  const lastRun = schedule.last_run;
  const nameId = React.useId();
  const datesId = React.useId();
  const dataTrigger = schedule.trigger.kind === 'new_data';
  const check = schedule.last_check;
  const checkFailure = check ? checkStatusLabel(check.status, trans) : null;

  return (
    <li
      className={ROW_CLASS}
      data-schedule-id={schedule.id}
      data-paused={schedule.paused ? 'true' : undefined}
      data-trigger={schedule.trigger.kind}
      aria-labelledby={nameId}
    >
      <div className={MAIN_CLASS}>
        <span id={nameId} className={NAME_CLASS} title={schedule.name}>
          {schedule.name}
        </span>
        <span className={NOTEBOOK_CLASS} title={schedule.notebook}>
          {basename(schedule.notebook)}
        </span>
        <span className={TRIGGER_CLASS} title={schedule.description}>
          {schedule.description}
        </span>
        {dataTrigger ? (
          <span
            className={CHECK_CLASS}
            data-status={check?.status}
            title={check ? formatFullTime(check.at) : undefined}
          >
            {checkFailure ? (
              <span className={CHECK_STATUS_CLASS}>{checkFailure}</span>
            ) : null}
            {lastCheckText(check, now, trans)}
          </span>
        ) : null}
        <span className={META_CLASS}>
          {schedule.paused ? (
            <span
              className={PAUSED_CLASS}
              title={trans.__('No runs until it is resumed')}
            >
              {trans.__('paused')}
            </span>
          ) : (
            <span
              className={NEXT_CLASS}
              title={
                next ? trans.__('Next run %1', formatFullTime(next)) : undefined
              }
            >
              {next
                ? dataTrigger
                  ? trans.__('Next check %1', formatRelative(next, now, trans))
                  : trans.__('Next %1', formatRelative(next, now, trans))
                : trans.__('No more runs')}
            </span>
          )}
          {dataTrigger ? (
            <DateCounts schedule={schedule} trans={trans} />
          ) : null}
          {dataTrigger ? (
            <button
              type="button"
              className={DATES_TOGGLE_CLASS}
              aria-expanded={props.dates !== undefined}
              aria-controls={props.dates ? datesId : undefined}
              aria-label={trans.__('Dates of %1', schedule.name)}
              onClick={() => props.onToggleDates(schedule)}
            >
              {props.dates ? trans.__('Hide dates') : trans.__('Dates')}
            </button>
          ) : null}
          <span className={LAST_CLASS} hidden={dataTrigger && !lastRun}>
            {lastRun ? trans.__('Last run') : null}
            {lastRun ? (
              <button
                type="button"
                title={
                  lastRun.scheduled_for
                    ? trans.__(
                        'Run #%1, for %2',
                        lastRun.id,
                        formatFullTime(lastRun.scheduled_for)
                      )
                    : trans.__('Run #%1', lastRun.id)
                }
                aria-label={trans.__(
                  'Last run #%1 of %2',
                  lastRun.id,
                  schedule.name
                )}
                onClick={() => props.onShowRun(lastRun.id)}
              >
                <StatusBadge status={lastRun.status} trans={trans} />
              </button>
            ) : (
              trans.__('No runs yet')
            )}
          </span>
          {schedule.skipped_fires > 0 ? (
            <span
              className={SKIPPED_CLASS}
              title={trans.__(
                'Fires skipped because the previous run had not ended; last %1',
                formatFullTime(schedule.last_skipped_at)
              )}
            >
              {trans._n('%1 skipped', '%1 skipped', schedule.skipped_fires)}
            </span>
          ) : null}
        </span>
      </div>
      <span className={ACTIONS_CLASS}>
        {dataTrigger ? (
          <ActionButton
            icon={refreshIcon}
            label={trans.__('Check %1 now', schedule.name)}
            title={trans.__('Check FlowAPI now')}
            disabled={busy}
            onClick={() => props.onCheckNow(schedule)}
          />
        ) : (
          <ActionButton
            icon={fastForwardIcon}
            label={trans.__('Run %1 now', schedule.name)}
            title={trans.__('Run now')}
            disabled={busy}
            onClick={() => props.onRunNow(schedule)}
          />
        )}
        <ActionButton
          icon={schedule.paused ? runIcon : pauseIcon}
          label={
            schedule.paused
              ? trans.__('Resume %1', schedule.name)
              : trans.__('Pause %1', schedule.name)
          }
          title={schedule.paused ? trans.__('Resume') : trans.__('Pause')}
          disabled={busy}
          onClick={() => props.onSetPaused(schedule, !schedule.paused)}
        />
        <ActionButton
          icon={ellipsesIcon}
          label={trans.__('More actions for %1', schedule.name)}
          title={trans.__('More actions')}
          hasPopup
          onClick={event => props.onMore(schedule, event.currentTarget)}
        />
      </span>
      {dataTrigger && props.dates ? (
        <ScheduleDates
          id={datesId}
          scheduleName={schedule.name}
          dates={props.dates}
          busy={busy}
          trans={trans}
          onShowRun={props.onShowRun}
          onShowWorkflowRun={props.onShowWorkflowRun}
          onRetry={date => props.onRetryDate(schedule, date)}
        />
      ) : null}
    </li>
  );
}

/**
 * A row re-renders only when its schedule or state changes.
 */
export const ScheduleRow = React.memo(ScheduleRowComponent);

/**
 * A data-trigger schedule's dates counted by state, as pills.
 */
function DateCounts(props: {
  schedule: AutoflowAPI.ISchedule;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { trans } = props;
  const counts = dateCounts(props.schedule.dates);
  if (counts.length === 0) {
    return null;
  }
  return (
    <span className={COUNTS_CLASS} aria-label={trans.__('Dates by state')}>
      {counts.map(([state, count]) => (
        <span key={state} className={PILL_CLASS} data-state={state}>
          {dateCountLabel(state, count, trans)}
        </span>
      ))}
    </span>
  );
}

function ActionButton(props: {
  icon: LabIcon;
  label: string;
  title: string;
  disabled?: boolean;
  hasPopup?: boolean;
  onClick: (event: React.MouseEvent<HTMLButtonElement>) => void;
}): JSX.Element {
  const Icon = props.icon;
  return (
    <Button
      type="button"
      minimal
      small
      className={ACTION_CLASS}
      title={props.title}
      aria-label={props.label}
      aria-haspopup={props.hasPopup ? 'menu' : undefined}
      disabled={props.disabled}
      onClick={props.onClick}
    >
      <Icon.react className={ACTION_ICON_CLASS} tag="span" aria-hidden="true" />
    </Button>
  );
}
