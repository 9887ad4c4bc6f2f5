import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import {
  basename,
  formatDuration,
  formatFullTime,
  formatStartTime
} from '../format';
import { StatusBadge, statusLabel } from './StatusBadge';

const ROW_CLASS = 'jp-autoflow-RunRow';
const BUTTON_CLASS = 'jp-autoflow-RunRow-button';
const NAME_CLASS = 'jp-autoflow-RunRow-name';
const ID_CLASS = 'jp-autoflow-RunRow-id';
const META_CLASS = 'jp-autoflow-RunRow-meta';
const START_CLASS = 'jp-autoflow-RunRow-start';
const DURATION_CLASS = 'jp-autoflow-RunRow-duration';
const ERROR_CLASS = 'jp-autoflow-RunRow-error';

/**
 * Props of {@link RunRow}.
 */
export interface IRunRowProps {
  run: AutoflowAPI.IRun;
  /**
   * Current time in ms, for the duration of running runs.
   */
  now: number;
  trans: TranslationBundle;
  onOpen: (run: AutoflowAPI.IRun) => void;
}

/**
 * One run: notebook, status, start time, duration and, on failure, the error.
 */
export function RunRow(props: IRunRowProps): JSX.Element {
  const { run, now, trans, onOpen } = props;
  const name = basename(run.notebook);
  const status = statusLabel(run.status, trans);
  const openable = AutoflowAPI.canOpen(run);
  const startedOrCreated = run.started_at ?? run.created_at;

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
          <span className={DURATION_CLASS} title={trans.__('Duration')}>
            {formatDuration(run.started_at, run.finished_at, now)}
          </span>
        </span>
        {run.status === 'failed' && run.error ? (
          <span
            className={ERROR_CLASS}
            title={`${run.error.ename}: ${run.error.evalue}`}
          >
            {run.error.cell_index !== null
              ? trans.__(
                  'Cell %1: %2: %3',
                  run.error.cell_index + 1,
                  run.error.ename,
                  run.error.evalue
                )
              : trans.__('%1: %2', run.error.ename, run.error.evalue)}
          </span>
        ) : null}
      </button>
    </li>
  );
}
