import { Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';

import { AutoflowAPI } from './api';
import { isFiltered } from './history';
import { RunsModel } from './model';
import {
  INotifyPreferences,
  IRunOutcome,
  outcomeMessage,
  RunOutcomeWatcher,
  wanted
} from './notifications';

/**
 * More runs than this ending at once make one summary notification.
 */
const MAX_SEPARATE = 3;

/**
 * How long a success notification stays (ms); failures stay until dismissed.
 */
const SUCCESS_AUTO_CLOSE = 5000;

/**
 * Least time between the notifier's own fetches of the newest runs (ms).
 */
const MIN_FETCH_INTERVAL = 2000;

/**
 * What the notifier needs.
 */
export interface IRunNotifierOptions {
  model: RunsModel;
  trans: TranslationBundle;
  /**
   * The user's choices (the plugin's settings), read at each notification.
   */
  preferences: () => INotifyPreferences;
  /**
   * Open a run's executed notebook at the failing cell.
   */
  openRun: (run: AutoflowAPI.IRun) => void;
  /**
   * Show a run in the sidebar's detail view.
   */
  showRun: (run: AutoflowAPI.IRun) => void;
  /**
   * Show the failed runs in the sidebar.
   */
  showFailed: () => void;
}

/**
 * Raise JupyterLab notifications when runs started from this browser or by
 * a schedule end, as the run list's refreshes reveal them (while the list is
 * filtered, the newest runs are fetched alongside). A schedule that fails
 * again updates its notification rather than adding one.
 */
export class RunNotifier implements IDisposable {
  constructor(options: IRunNotifierOptions) {
    this._options = options;
    options.model.submitted.connect(this._onSubmitted, this);
    options.model.changed.connect(this._onChanged, this);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._options.model.submitted.disconnect(this._onSubmitted, this);
    this._options.model.changed.disconnect(this._onChanged, this);
  }

  private _onSubmitted(_: RunsModel, run: AutoflowAPI.IRun): void {
    this._watcher.watch(run);
  }

  private _onChanged(model: RunsModel): void {
    if (model.serverState !== 'available' || model.loading) {
      return;
    }
    const runs = model.selected ? [...model.runs, model.selected] : model.runs;
    this._take(runs);
    if (isFiltered(model.filters)) {
      // The filtered list hides other runs: look at the newest ones too.
      void this._fetchNewest(model);
    }
  }

  /**
   * Fetch the newest runs, whatever the list's filters, at most every
   * {@link MIN_FETCH_INTERVAL} ms.
   */
  private async _fetchNewest(model: RunsModel): Promise<void> {
    const now = Date.now();
    if (this._fetching || now - this._lastFetch < MIN_FETCH_INTERVAL) {
      return;
    }
    this._fetching = true;
    this._lastFetch = now;
    try {
      const page = await model.client.listRuns({});
      if (!this._isDisposed) {
        this._take(page.runs);
      }
    } catch {
      // The run list shows the server's errors; the next refresh retries.
    } finally {
      this._fetching = false;
    }
  }

  private _take(runs: ReadonlyArray<AutoflowAPI.IRun>): void {
    const ended = wanted(
      this._watcher.observe(runs, Date.now()),
      this._options.preferences()
    );
    if (ended.length > MAX_SEPARATE) {
      this._summarise(ended);
    } else {
      ended.forEach(outcome => this._notify(outcome));
    }
  }

  private _notify(ended: IRunOutcome): void {
    const { trans } = this._options;
    const { run, outcome } = ended;
    const actions: Notification.IAction[] = [];
    if (AutoflowAPI.canOpen(run)) {
      actions.push({
        label: trans.__('Open notebook'),
        caption: trans.__('Open the executed notebook at the failing cell'),
        callback: () => this._options.openRun(run)
      });
    }
    actions.push({
      label: trans.__('Show run'),
      caption: trans.__('Show the run in the AutoFlow sidebar'),
      displayType: 'link',
      callback: () => this._options.showRun(run)
    });
    const message = outcomeMessage(ended, trans);
    if (outcome === 'succeeded') {
      Notification.success(message, {
        autoClose: SUCCESS_AUTO_CLOSE,
        actions
      });
      return;
    }
    // A schedule failing at every fire keeps one notification up to date.
    const schedule =
      run.trigger?.kind === 'schedule' ? run.trigger.schedule_id : null;
    const previous =
      schedule !== null ? this._bySchedule.get(schedule) : undefined;
    if (
      previous !== undefined &&
      Notification.update({
        id: previous,
        message,
        type: 'error',
        autoClose: false,
        actions
      })
    ) {
      return;
    }
    const id = Notification.error(message, { autoClose: false, actions });
    if (schedule !== null) {
      this._bySchedule.set(schedule, id);
    }
  }

  private _summarise(ended: ReadonlyArray<IRunOutcome>): void {
    const { trans } = this._options;
    const failed = ended.filter(({ outcome }) => outcome === 'failed').length;
    const succeeded = ended.length - failed;
    if (failed > 0) {
      Notification.error(trans._n('%1 run failed', '%1 runs failed', failed), {
        autoClose: false,
        actions: [
          {
            label: trans.__('Show failed runs'),
            callback: () => this._options.showFailed()
          }
        ]
      });
    }
    if (succeeded > 0) {
      Notification.success(
        trans._n('%1 run succeeded', '%1 runs succeeded', succeeded),
        { autoClose: SUCCESS_AUTO_CLOSE }
      );
    }
  }

  private _bySchedule = new Map<number, string>();
  private _fetching = false;
  private _isDisposed = false;
  private _lastFetch = 0;
  private _options: IRunNotifierOptions;
  private _watcher = new RunOutcomeWatcher();
}
