import { TranslationBundle } from '@jupyterlab/translation';
import {
  Button,
  ellipsesIcon,
  LabIcon,
  fastForwardIcon,
  pauseIcon,
  runIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import { basename, formatFullTime } from '../format';
import { formatRelative, nextFire } from '../scheduleText';
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

  return (
    <li
      className={ROW_CLASS}
      data-schedule-id={schedule.id}
      data-paused={schedule.paused ? 'true' : undefined}
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
                ? trans.__('Next %1', formatRelative(next, now, trans))
                : trans.__('No more runs')}
            </span>
          )}
          <span className={LAST_CLASS}>
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
        <ActionButton
          icon={fastForwardIcon}
          label={trans.__('Run %1 now', schedule.name)}
          title={trans.__('Run now')}
          disabled={busy}
          onClick={() => props.onRunNow(schedule)}
        />
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
    </li>
  );
}

/**
 * A row re-renders only when its schedule or state changes.
 */
export const ScheduleRow = React.memo(ScheduleRowComponent);

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
