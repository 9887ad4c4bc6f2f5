import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { AutoflowAPI } from '../api';

const PROGRESS_CLASS = 'jp-autoflow-RunProgress';
const TRACK_CLASS = 'jp-autoflow-RunProgress-track';
const FILL_CLASS = 'jp-autoflow-RunProgress-fill';
const LABEL_CLASS = 'jp-autoflow-RunProgress-label';

/**
 * Props of {@link RunProgress}.
 */
export interface IRunProgressProps {
  runId: number;
  /**
   * The run's progress; null before it executes its first cell.
   */
  progress: AutoflowAPI.IRunProgress | null;
  trans: TranslationBundle;
}

/**
 * A progress bar of a running run: code cells done out of the total, and the
 * cell executing now. Indeterminate until the first progress report.
 */
export function RunProgress(props: IRunProgressProps): JSX.Element {
  const { runId, progress, trans } = props;
  const label = progressLabel(progress, trans);
  const name = trans.__('Progress of run #%1', runId);
  if (progress === null) {
    return (
      <div
        className={PROGRESS_CLASS}
        role="progressbar"
        aria-label={name}
        aria-valuetext={label}
        data-indeterminate="true"
        title={trans.__('Waiting for the kernel to start executing cells')}
      >
        <span className={TRACK_CLASS}>
          <span className={FILL_CLASS} />
        </span>
        <span className={LABEL_CLASS}>{label}</span>
      </div>
    );
  }
  const { cells_done: done, cells_total: total } = progress;
  const fraction = total > 0 ? Math.min(done / total, 1) : 0;
  return (
    <div
      className={PROGRESS_CLASS}
      role="progressbar"
      aria-label={name}
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={done}
      aria-valuetext={label}
      title={progressTitle(progress, trans)}
    >
      <span className={TRACK_CLASS}>
        <span
          className={FILL_CLASS}
          style={{ width: `${(fraction * 100).toFixed(1)}%` }}
        />
      </span>
      <span className={LABEL_CLASS}>{label}</span>
    </div>
  );
}

/**
 * The short text next to the bar: `3/7 cells · cell 4`.
 */
export function progressLabel(
  progress: AutoflowAPI.IRunProgress | null,
  trans: TranslationBundle
): string {
  if (progress === null) {
    return trans.__('Starting…');
  }
  const cells = trans.__(
    '%1/%2 cells',
    progress.cells_done,
    progress.cells_total
  );
  if (progress.current_cell === null) {
    return cells;
  }
  return trans.__('%1 · cell %2', cells, progress.current_cell + 1);
}

function progressTitle(
  progress: AutoflowAPI.IRunProgress,
  trans: TranslationBundle
): string {
  const done = trans.__(
    '%1 of %2 code cells done',
    progress.cells_done,
    progress.cells_total
  );
  if (progress.current_cell === null) {
    return done;
  }
  return trans.__(
    '%1; cell %2 of the executed notebook is running',
    done,
    progress.current_cell + 1
  );
}
