import { ServerConnection } from '@jupyterlab/services';
import { IDisposable } from '@lumino/disposable';
import { IPoll, Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { AutoflowAPI, AutoflowClient } from './api';
import { messageOf } from './format';

/**
 * State of the run history, refreshed by polling. Holds no DOM.
 *
 * While any run is queued or running the list is polled every
 * `activePollInterval` ms, otherwise every `idlePollInterval` ms. Polling
 * pauses while the browser tab is hidden.
 */
export class RunsModel implements IDisposable {
  constructor(options: RunsModel.IOptions) {
    this.client = options.client;
    this._pageSize = options.pageSize ?? RunsModel.DEFAULT_PAGE_SIZE;
    this._activeInterval =
      options.activePollInterval ?? RunsModel.DEFAULT_ACTIVE_INTERVAL;
    this._idleInterval =
      options.idlePollInterval ?? RunsModel.DEFAULT_IDLE_INTERVAL;
    this._poll = new Poll({
      auto: true,
      factory: () => this._tick(),
      frequency: this._frequency(),
      name: 'autoflow-lab:runs',
      standby: 'when-hidden'
    });
  }

  /**
   * The REST client the model uses.
   */
  readonly client: AutoflowClient;

  /**
   * The most recent page of runs, newest first.
   */
  get runs(): ReadonlyArray<AutoflowAPI.IRun> {
    return this._runs;
  }

  /**
   * Whether the server extension answers.
   */
  get serverState(): RunsModel.ServerState {
    return this._serverState;
  }

  /**
   * Why the last request failed, or `null` after a success.
   */
  get errorMessage(): string | null {
    return this._errorMessage;
  }

  /**
   * Runs the user asked to cancel that have not finished yet.
   */
  get cancelling(): ReadonlySet<number> {
    return this._cancelling;
  }

  /**
   * Whether any listed run is queued or running.
   */
  get hasActiveRuns(): boolean {
    return this._runs.some(AutoflowAPI.isActive);
  }

  /**
   * Emitted whenever the runs, the server state or the error change.
   */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /**
   * Emitted when the server state changes, with the new state.
   */
  get serverStateChanged(): ISignal<this, RunsModel.ServerState> {
    return this._serverStateChanged;
  }

  /**
   * Whether the model is disposed.
   */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Change how often the list is polled (milliseconds).
   */
  setPollIntervals(active: number, idle: number): void {
    const activeInterval = Private.clampInterval(active);
    const idleInterval = Private.clampInterval(idle);
    if (
      activeInterval === this._activeInterval &&
      idleInterval === this._idleInterval
    ) {
      return;
    }
    this._activeInterval = activeInterval;
    this._idleInterval = idleInterval;
    this._poll.frequency = this._frequency();
    // Apply the new interval now rather than after the current wait.
    void this.refresh();
  }

  /**
   * Fetch the run list now; resolves once it has been fetched.
   */
  async refresh(): Promise<void> {
    if (this._isDisposed) {
      return;
    }
    try {
      await this._poll.refresh();
      await this._poll.tick;
    } catch {
      // The poll rejects its pending tick when it is disposed.
    }
  }

  /**
   * Queue a run of a notebook, then refresh the list.
   *
   * @param notebook Notebook path relative to the server root
   * @param parameters Parameter values for papermill
   * @returns The queued run
   * @throws The server's error, with its `message`
   */
  async submit(
    notebook: string,
    parameters: AutoflowAPI.Parameters = {}
  ): Promise<AutoflowAPI.IRun> {
    const run = await this.client.createRun({ notebook, parameters });
    if (!this._isDisposed) {
      this._runs = [run, ...this._runs.filter(r => r.id !== run.id)];
      this._setServerState('available');
      this._changed.emit();
      void this.refresh();
    }
    return run;
  }

  /**
   * Cancel a queued or running run, then refresh the list.
   *
   * The run stays in {@link cancelling} until the list shows it finished.
   *
   * @param id The run to cancel
   * @returns The run as the server answered: already `cancelled` when it was
   *   queued, still `running` while its kernel stops
   * @throws The server's error, with its `message` (for instance when the
   *   run has already finished)
   */
  async cancel(id: number): Promise<AutoflowAPI.IRun> {
    this._setCancelling(id, true);
    let run: AutoflowAPI.IRun;
    try {
      run = await this.client.cancelRun(id);
    } catch (error) {
      this._setCancelling(id, false);
      void this.refresh();
      throw error;
    }
    if (!this._isDisposed) {
      this._setRuns(this._runs.map(r => (r.id === run.id ? run : r)));
      this._changed.emit();
      void this.refresh();
    }
    return run;
  }

  /**
   * Stop polling and release resources.
   */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._poll.dispose();
    Signal.clearData(this);
  }

  /**
   * One poll: check the server when it is not known to answer, then list runs.
   * Never rejects, so the poll keeps its own interval.
   */
  private async _tick(): Promise<void> {
    const request = ++this._requestCount;
    const isCurrent = () => !this._isDisposed && request === this._requestCount;
    try {
      if (this._serverState !== 'available') {
        await this.client.version();
      }
      const page = await this.client.listRuns({ limit: this._pageSize });
      if (!isCurrent()) {
        return;
      }
      this._setRuns(page.runs);
      this._errorMessage = null;
      this._setServerState('available');
    } catch (error) {
      if (!isCurrent()) {
        return;
      }
      this._errorMessage = messageOf(error);
      if (this._serverState !== 'available' || Private.isUnreachable(error)) {
        this._setServerState('unavailable');
      }
    }
    this._poll.frequency = this._frequency();
    this._changed.emit();
  }

  private _frequency(): IPoll.Frequency {
    return {
      backoff: false,
      interval: this.hasActiveRuns ? this._activeInterval : this._idleInterval,
      max: Private.MAX_INTERVAL
    };
  }

  /**
   * Replace the runs, forgetting cancel requests of runs no longer active.
   */
  private _setRuns(runs: ReadonlyArray<AutoflowAPI.IRun>): void {
    this._runs = runs;
    if (this._cancelling.size > 0) {
      const active = new Set(
        runs.filter(AutoflowAPI.isActive).map(run => run.id)
      );
      const pending = [...this._cancelling].filter(id => active.has(id));
      if (pending.length !== this._cancelling.size) {
        this._cancelling = new Set(pending);
      }
    }
  }

  private _setCancelling(id: number, cancelling: boolean): void {
    if (this._isDisposed || this._cancelling.has(id) === cancelling) {
      return;
    }
    const next = new Set(this._cancelling);
    if (cancelling) {
      next.add(id);
    } else {
      next.delete(id);
    }
    this._cancelling = next;
    this._changed.emit();
  }

  private _setServerState(state: RunsModel.ServerState): void {
    if (this._serverState !== state) {
      this._serverState = state;
      this._serverStateChanged.emit(state);
    }
  }

  private _activeInterval: number;
  private _cancelling: ReadonlySet<number> = new Set();
  private _changed = new Signal<this, void>(this);
  private _errorMessage: string | null = null;
  private _idleInterval: number;
  private _isDisposed = false;
  private _pageSize: number;
  private _poll: Poll;
  private _requestCount = 0;
  private _runs: ReadonlyArray<AutoflowAPI.IRun> = [];
  private _serverState: RunsModel.ServerState = 'checking';
  private _serverStateChanged = new Signal<this, RunsModel.ServerState>(this);
}

/**
 * A namespace for RunsModel statics.
 */
export namespace RunsModel {
  /**
   * `checking` until the first answer, then `available` or `unavailable`.
   */
  export type ServerState = 'checking' | 'available' | 'unavailable';

  /**
   * Options to create a model.
   */
  export interface IOptions {
    client: AutoflowClient;
    /**
     * Poll interval while any run is queued or running (ms).
     */
    activePollInterval?: number;
    /**
     * Poll interval otherwise (ms).
     */
    idlePollInterval?: number;
    /**
     * How many runs to list.
     */
    pageSize?: number;
  }

  export const DEFAULT_ACTIVE_INTERVAL = 1000;
  export const DEFAULT_IDLE_INTERVAL = 10000;
  export const DEFAULT_PAGE_SIZE = 50;
}

namespace Private {
  /**
   * Upper bound of any poll interval (5 minutes).
   */
  export const MAX_INTERVAL = 300000;

  /**
   * Keep an interval within what Poll accepts and what is reasonable.
   */
  export function clampInterval(interval: number): number {
    if (!Number.isFinite(interval)) {
      return RunsModel.DEFAULT_IDLE_INTERVAL;
    }
    return Math.min(Math.max(Math.round(interval), 250), MAX_INTERVAL);
  }

  /**
   * Whether an error means the server extension does not answer at all.
   */
  export function isUnreachable(error: unknown): boolean {
    if (error instanceof ServerConnection.NetworkError) {
      return true;
    }
    return (
      error instanceof ServerConnection.ResponseError &&
      error.response.status === 404
    );
  }
}
