import { TranslationBundle } from '@jupyterlab/translation';
import { Button, stopIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import {
  basename,
  formatDuration,
  formatFullTime,
  formatLimit,
  formatStartTime
} from '../format';
import { RunProgress } from './RunProgress';
import { StatusBadge, statusLabel } from './StatusBadge';

const ROW_CLASS = 'jp-autoflow-RunRow';
const BUTTON_CLASS = 'jp-autoflow-RunRow-button';
const NAME_CLASS = 'jp-autoflow-RunRow-name';
const ID_CLASS = 'jp-autoflow-RunRow-id';
const META_CLASS = 'jp-autoflow-RunRow-meta';
const START_CLASS = 'jp-autoflow-RunRow-start';
const DURATION_CLASS = 'jp-autoflow-RunRow-duration';
const ERROR_CLASS = 'jp-autoflow-RunRow-error';
const CANCEL_CLASS = 'jp-autoflow-RunRow-cancel';
const CANCEL_ICON_CLASS = 'jp-autoflow-RunRow-cancelIcon';

/**
 * Props of {@link RunRow}.
 */
export interface IRunRowProps {
  run: AutoflowAPI.IRun;
  /**
   * Current time in ms, for the duration of running runs.
   */
  now: number;
  /**
   * Whether the user has asked to cancel the run and it is still active.
   */
  cancelling: boolean;
  trans: TranslationBundle;
  onOpen: (run: AutoflowAPI.IRun) => void;
  onCancel: (run: AutoflowAPI.IRun) => void;
}

/**
 * One run: notebook, status, start time, duration and, once it has failed or
 * been cancelled, why. A running run shows its progress; a queued or running
 * one a cancel button.
 */
export function RunRow(props: IRunRowProps): JSX.Element {
  const { run, now, cancelling, trans, onOpen, onCancel } = props;
  const name = basename(run.notebook);
  const status = statusLabel(run.status, trans);
  const openable = AutoflowAPI.canOpen(run);
  const startedOrCreated = run.started_at ?? run.created_at;
  const showError =
    run.error !== null &&
    (run.status === 'failed' || run.status === 'cancelled');

  return (
    <li className={ROW_CLASS} data-run-id={run.id} data-status={run.status}>
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
          <span
            className={START_CLASS}
            title={
              run.started_at
                ? trans.__('Started %1', formatFullTime(run.started_at))
                : trans.__('Queued %1', formatFullTime(run.created_at))
            }
          >
            {formatStartTime(startedOrCreated)}
          </span>
          <span className={DURATION_CLASS} title={durationTitle(run, trans)}>
            {formatDuration(run.started_at, run.finished_at, now)}
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
      {AutoflowAPI.canCancel(run) ? (
        <Button
          type="button"
          minimal
          small
          className={CANCEL_CLASS}
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
            className={CANCEL_ICON_CLASS}
            tag="span"
            aria-hidden="true"
          />
        </Button>
      ) : null}
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
 * One line on why a run failed or stopped. The engine's own stop messages
 * (cancelled, timed out) already name the cell, so they are shown alone.
 */
export function errorSummary(
  error: AutoflowAPI.IRunError,
  trans: TranslationBundle
): string {
  if (AutoflowAPI.isStopError(error)) {
    return error.evalue;
  }
  if (error.cell_index !== null) {
    return trans.__(
      'Cell %1: %2: %3',
      error.cell_index + 1,
      error.ename,
      error.evalue
    );
  }
  return trans.__('%1: %2', error.ename, error.evalue);
}

/**
 * The duration's tooltip, with the run's time limits if it has any.
 */
function durationTitle(
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
  return limits.length > 0
    ? trans.__('Duration (limit %1)', limits.join(', '))
    : trans.__('Duration');
}
