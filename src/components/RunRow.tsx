import { TranslationBundle } from '@jupyterlab/translation';
import { Button, infoIcon, stopIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import {
  basename,
  errorSummary,
  formatDuration,
  formatFullTime,
  formatLimit,
  formatStartTime,
  startTitle,
  statusLabel
} from '../format';
import { triggerLabel } from '../scheduleText';
import { RunProgress } from './RunProgress';
import { StatusBadge } from './StatusBadge';

const ROW_CLASS = 'jp-autoflow-RunRow';
const BUTTON_CLASS = 'jp-autoflow-RunRow-button';
const NAME_CLASS = 'jp-autoflow-RunRow-name';
const ID_CLASS = 'jp-autoflow-RunRow-id';
const META_CLASS = 'jp-autoflow-RunRow-meta';
const START_CLASS = 'jp-autoflow-RunRow-start';
const DURATION_CLASS = 'jp-autoflow-RunRow-duration';
const TRIGGER_CLASS = 'jp-autoflow-RunRow-trigger';
const ERROR_CLASS = 'jp-autoflow-RunRow-error';
const ACTIONS_CLASS = 'jp-autoflow-RunRow-actions';
const ACTION_CLASS = 'jp-autoflow-RunRow-action';
const CANCEL_CLASS = 'jp-autoflow-RunRow-cancel';
const DETAILS_CLASS = 'jp-autoflow-RunRow-details';
const ACTION_ICON_CLASS = 'jp-autoflow-RunRow-actionIcon';

/**
 * Height of every row (px). The list is virtualised, so rows do not grow:
 * an error or the progress bar fills the third line.
 */
export const ROW_HEIGHT = 60;

/**
 * Props of {@link RunRow}.
 */
export interface IRunRowProps {
  run: AutoflowAPI.IRun;
  /**
   * Position of the row in the list (from 1), and the list's size (-1 when
   * more runs remain to be loaded).
   */
  position: number;
  setSize: number;
  /**
   * Current time in ms, for the duration of running runs.
   */
  now: number;
  /**
   * Whether the user has asked to cancel the run and it is still active.
   */
  cancelling: boolean;
  /**
   * Whether the detail view shows this run.
   */
  selected: boolean;
  trans: TranslationBundle;
  onOpen: (run: AutoflowAPI.IRun) => void;
  onCancel: (run: AutoflowAPI.IRun) => void;
  onDetails: (run: AutoflowAPI.IRun) => void;
}

/**
 * One run: notebook, status, start time, duration and, once it has failed or
 * been cancelled, why. A running run shows its progress; a queued or running
 * one a cancel button. Every run has a details button.
 */
function RunRowComponent(props: IRunRowProps): JSX.Element {
  const {
    run,
    position,
    setSize,
    now,
    cancelling,
    selected,
    trans,
    onOpen,
    onCancel,
    onDetails
  } = props;
  const name = basename(run.notebook);
  const status = statusLabel(run.status, trans);
  const openable = AutoflowAPI.canOpen(run);
  const startedOrCreated = run.started_at ?? run.created_at;
  const showError =
    run.error !== null &&
    (run.status === 'failed' || run.status === 'cancelled');

  return (
    <li
      className={ROW_CLASS}
      data-run-id={run.id}
      data-status={run.status}
      data-selected={selected ? 'true' : undefined}
      aria-posinset={position}
      aria-setsize={setSize}
      style={{ height: ROW_HEIGHT }}
    >
      <button
        type="button"
        className={BUTTON_CLASS}
        aria-label={trans.__('%1, %2, run #%3', name, status, run.id)}
        aria-disabled={!openable}
        title={
          openable
            ? trans.__('Open the executed notebook %1', run.output ?? '')
            : trans.__('The executed notebook is not available yet')
        }
        onClick={() => {
          if (openable) {
            onOpen(run);
          }
        }}
      >
        <span className={NAME_CLASS} title={run.notebook}>
          {name}
        </span>
        <span className={ID_CLASS}>#{run.id}</span>
        <StatusBadge status={run.status} trans={trans} />
        <span className={META_CLASS}>
          <span className={START_CLASS} title={startTitle(run, trans)}>
            {formatStartTime(startedOrCreated)}
          </span>
          <span className={DURATION_CLASS} title={durationTitle(run, trans)}>
            {formatDuration(run.started_at, run.finished_at, now)}
          </span>
          <span
            className={TRIGGER_CLASS}
            data-trigger={run.trigger?.kind ?? 'manual'}
            title={triggerTitle(run, trans)}
          >
            {triggerLabel(run.trigger, trans)}
          </span>
        </span>
        {showError && run.error ? (
          <span
            className={ERROR_CLASS}
            title={`${run.error.ename}: ${run.error.evalue}`}
          >
            {errorSummary(run.error, trans)}
          </span>
        ) : null}
      </button>
      <span className={ACTIONS_CLASS}>
        <Button
          type="button"
          minimal
          small
          className={`${ACTION_CLASS} ${DETAILS_CLASS}`}
          title={trans.__('Show details')}
          aria-label={trans.__('Details of run #%1', run.id)}
          aria-expanded={selected}
          onClick={() => onDetails(run)}
        >
          <infoIcon.react
            className={ACTION_ICON_CLASS}
            tag="span"
            aria-hidden="true"
          />
        </Button>
        {AutoflowAPI.canCancel(run) ? (
          <Button
            type="button"
            minimal
            small
            className={`${ACTION_CLASS} ${CANCEL_CLASS}`}
            title={
              cancelling ? trans.__('Cancelling run…') : trans.__('Cancel run')
            }
            aria-label={trans.__('Cancel run #%1', run.id)}
            disabled={cancelling}
            onClick={event => {
              // A sibling of the row's button, but keep the click to itself.
              event.stopPropagation();
              onCancel(run);
            }}
          >
            <stopIcon.react
              className={ACTION_ICON_CLASS}
              tag="span"
              aria-hidden="true"
            />
          </Button>
        ) : null}
      </span>
      {run.status === 'running' ? (
        <RunProgress
          runId={run.id}
          progress={run.progress ?? null}
          trans={trans}
        />
      ) : null}
    </li>
  );
}

/**
 * A row re-renders only when its run or state changes.
 */
export const RunRow = React.memo(RunRowComponent);

/**
 * The trigger label's tooltip: who started the run, and for when.
 */
function triggerTitle(run: AutoflowAPI.IRun, trans: TranslationBundle): string {
  const trigger = run.trigger;
  if (trigger?.kind === 'workflow') {
    return trans.__('Started as %1', triggerLabel(trigger, trans));
  }
  if (trigger?.kind === 'schedule') {
    const name = trigger.schedule_name ?? trans.__('a deleted schedule');
    if (trigger.reference_date) {
      return trans.__(
        'Started by schedule %1, for FlowAPI data of %2',
        name,
        trigger.reference_date
      );
    }
    return trigger.scheduled_for
      ? trans.__(
          'Started by schedule %1, for %2',
          name,
          formatFullTime(trigger.scheduled_for)
        )
      : trans.__('Started now by schedule %1', name);
  }
  if (trigger?.kind === 'cli') {
    return trans.__('Started by the autoflow command');
  }
  return trans.__('Started from JupyterLab or the REST API');
}

/**
 * The duration's tooltip, with the run's time limits if it has any.
 */
export function durationTitle(
  run: AutoflowAPI.IRun,
  trans: TranslationBundle
): string {
  const limits = limitsText(run, trans);
  return limits
    ? trans.__('Duration (limit %1)', limits)
    : trans.__('Duration');
}

/**
 * The run's time limits, as `30s per run, 5s per cell`; `''` for none.
 */
export function limitsText(
  run: AutoflowAPI.IRun,
  trans: TranslationBundle
): string {
  const limits: string[] = [];
  if (run.timeout) {
    limits.push(trans.__('%1 per run', formatLimit(run.timeout)));
  }
  if (run.cell_timeout) {
    limits.push(trans.__('%1 per cell', formatLimit(run.cell_timeout)));
  }
  return limits.join(', ');
}
