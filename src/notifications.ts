/**
 * Which runs deserve a notification, decided from the run lists the sidebar
 * fetches anyway.
 *
 * A run is worth telling about when it was started from this browser or by
 * a schedule, and it ends while the page is open: it was seen queued or
 * running and is now seen finished, or it is first seen already finished,
 * newer than anything seen at page load and finished within the last
 * minute (a short scheduled run can start and fail between two polls).
 * Runs already finished at page load, or scrolled to in the history later,
 * never notify.
 *
 * Nothing here imports JupyterLab, so it is unit-tested directly.
 */

import {
  basename,
  errorWhere,
  ITranslate,
  parseTime,
  STOP_ERROR_NAMES
} from './format';
import type { Run, RunStatus } from './wire';

/**
 * How a run ended, as far as notifications go.
 */
export type Outcome = 'failed' | 'succeeded';

/**
 * A run that has just ended and how.
 */
export interface IRunOutcome {
  run: Run;
  outcome: Outcome;
}

/**
 * Follows runs across refreshes of the run list and reports those that end.
 */
export class RunOutcomeWatcher {
  constructor(options: RunOutcomeWatcher.IOptions = {}) {
    this._recentMs = options.recentMs ?? RunOutcomeWatcher.RECENT_MS;
    this._maxTracked = options.maxTracked ?? RunOutcomeWatcher.MAX_TRACKED;
  }

  /**
   * Follow a run started from this browser, however it ends.
   */
  watch(run: Pick<Run, 'id' | 'status'>): void {
    this._watched.add(run.id);
    if (!this._seen.has(run.id)) {
      this._seen.set(run.id, run.status);
    }
  }

  /**
   * Take in a fresh list of runs; returns the runs that ended since the
   * last look, oldest first. The first list only sets what is old.
   *
   * @param runs Runs as the server listed them (any order, any filter)
   * @param now The current time in ms
   */
  observe(runs: ReadonlyArray<Run>, now: number): IRunOutcome[] {
    if (this._baseline === null) {
      this._baseline = runs.reduce((max, run) => Math.max(max, run.id), 0);
      for (const run of runs) {
        this._seen.set(run.id, run.status);
      }
      this._forgetOldest();
      return [];
    }
    const ended: IRunOutcome[] = [];
    for (const run of runs) {
      const before = this._seen.get(run.id);
      if (before === run.status) {
        continue;
      }
      this._seen.set(run.id, run.status);
      const outcome = outcomeOf(run.status);
      if (outcome === null || !this._concerns(run)) {
        continue;
      }
      const wasActive = before === 'queued' || before === 'running';
      if (wasActive || (before === undefined && this._isNew(run, now))) {
        ended.push({ run, outcome });
      }
    }
    this._forgetOldest();
    return ended.sort((a, b) => a.run.id - b.run.id);
  }

  /**
   * Whether the run was started from this browser or by a schedule.
   */
  private _concerns(run: Run): boolean {
    return this._watched.has(run.id) || run.trigger?.kind === 'schedule';
  }

  /**
   * Whether a run first seen finished ended while the page was open.
   */
  private _isNew(run: Run, now: number): boolean {
    if (this._watched.has(run.id)) {
      return true;
    }
    const finished = parseTime(run.finished_at);
    return (
      run.id > (this._baseline ?? Number.POSITIVE_INFINITY) &&
      finished !== null &&
      now - finished.getTime() <= this._recentMs
    );
  }

  /**
   * Keep memory bounded: forget the oldest runs beyond `maxTracked`.
   */
  private _forgetOldest(): void {
    const excess = this._seen.size - this._maxTracked;
    if (excess <= 0) {
      return;
    }
    const oldest = [...this._seen.keys()].sort((a, b) => a - b);
    for (const id of oldest.slice(0, excess)) {
      this._seen.delete(id);
      this._watched.delete(id);
    }
  }

  private _baseline: number | null = null;
  private _maxTracked: number;
  private _recentMs: number;
  private _seen = new Map<number, RunStatus>();
  private _watched = new Set<number>();
}

/**
 * A namespace for RunOutcomeWatcher statics.
 */
export namespace RunOutcomeWatcher {
  export interface IOptions {
    /**
     * How long ago a run first seen finished may have ended and still
     * notify (ms).
     */
    recentMs?: number;
    /**
     * Most runs remembered.
     */
    maxTracked?: number;
  }

  export const RECENT_MS = 60000;
  export const MAX_TRACKED = 5000;
}

/**
 * Which outcomes the user wants to hear about (the plugin's settings).
 */
export interface INotifyPreferences {
  notifyOnFailure: boolean;
  notifyOnSuccess: boolean;
}

/**
 * The outcomes the user asked to hear about.
 */
export function wanted(
  outcomes: ReadonlyArray<IRunOutcome>,
  preferences: INotifyPreferences
): IRunOutcome[] {
  return outcomes.filter(({ outcome }) =>
    outcome === 'failed'
      ? preferences.notifyOnFailure
      : preferences.notifyOnSuccess
  );
}

/**
 * The notification's text: `daily.ipynb failed in cell 6: KeyError:
 * 'minutes'`, `daily.ipynb failed: timed out after 30 s in cell 4`,
 * `daily.ipynb succeeded`; a scheduled run also names its schedule.
 */
export function outcomeMessage(
  { run, outcome }: IRunOutcome,
  trans: ITranslate
): string {
  const name = basename(run.notebook);
  const schedule =
    run.trigger?.kind === 'schedule' && run.trigger.schedule_name
      ? run.trigger.schedule_name
      : null;
  let text: string;
  if (outcome === 'succeeded') {
    text = trans.__('%1 succeeded', name);
  } else {
    text = failureText(name, run, trans);
  }
  return schedule ? trans.__('%1 (schedule %2)', text, schedule) : text;
}

function failureText(name: string, run: Run, trans: ITranslate): string {
  const error = run.error;
  if (!error) {
    return trans.__('%1 failed', name);
  }
  if (STOP_ERROR_NAMES.includes(error.ename)) {
    return trans.__('%1 failed: %2', name, error.evalue);
  }
  const where = errorWhere(error, trans);
  return where
    ? trans.__(
        '%1 failed in %2: %3: %4',
        name,
        where,
        error.ename,
        error.evalue
      )
    : trans.__('%1 failed: %2: %3', name, error.ename, error.evalue);
}

function outcomeOf(status: RunStatus): Outcome | null {
  if (status === 'failed') {
    return 'failed';
  }
  if (status === 'succeeded') {
    return 'succeeded';
  }
  return null;
}
