import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { AutoflowAPI, AutoflowClient } from './api';
import { messageOf } from './format';
import {
  appendPage,
  ILoaded,
  insertRun,
  IRunFilters,
  isFiltered,
  mergeFirstPage,
  NO_FILTERS,
  normaliseFilters,
  removeRun,
  replaceRun,
  sameFilters
} from './history';
import { clampInterval, PollingModel, withId } from './pollingModel';

/**
 * State of the run history, refreshed by polling. Holds no DOM.
 *
 * The history is loaded a page at a time, newest first, as the list scrolls
 * ({@link loadMore}). Each poll fetches the newest page again with the
 * current filters and merges it in: new runs appear at the top and the older
 * pages the user has scrolled through stay loaded.
 *
 * While any loaded or selected run is queued or running the list is polled
 * every `activePollInterval` ms, otherwise every `idlePollInterval` ms.
 * Polling pauses while the browser tab is hidden.
 */
export class RunsModel extends PollingModel {
  constructor(options: RunsModel.IOptions) {
    const idleInterval =
      options.idlePollInterval ?? RunsModel.DEFAULT_IDLE_INTERVAL;
    super({ name: 'autoflow-lab:runs', interval: idleInterval });
    this.client = options.client;
    this._pageSize = options.pageSize ?? RunsModel.DEFAULT_PAGE_SIZE;
    this._activeInterval =
      options.activePollInterval ?? RunsModel.DEFAULT_ACTIVE_INTERVAL;
    this._idleInterval = idleInterval;
  }

  /**
   * The REST client the model uses.
   */
  readonly client: AutoflowClient;

  /**
   * The loaded runs matching the filters, newest first.
   */
  get runs(): ReadonlyArray<AutoflowAPI.IRun> {
    return this._loaded.runs;
  }

  /**
   * Whether older runs remain to be loaded.
   */
  get hasMore(): boolean {
    return this._loaded.nextCursor !== null;
  }

  /**
   * Whether the next page is being fetched.
   */
  get loadingMore(): boolean {
    return this._loadingMore;
  }

  /**
   * Whether the list is being fetched afresh (after the filters changed).
   */
  get loading(): boolean {
    return this._loading;
  }

  /**
   * What the list is filtered by.
   */
  get filters(): IRunFilters {
    return this._filters;
  }

  /**
   * The run shown in the detail view, or `null`.
   */
  get selected(): AutoflowAPI.IRun | null {
    if (this._selectedId === null) {
      return null;
    }
    return (
      this._loaded.runs.find(run => run.id === this._selectedId) ??
      this._selectedRun
    );
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
   * Whether any loaded or selected run is queued or running.
   */
  get hasActiveRuns(): boolean {
    const selected = this.selected;
    return (
      this._loaded.runs.some(AutoflowAPI.isActive) ||
      (selected !== null && AutoflowAPI.isActive(selected))
    );
  }

  /**
   * Emitted with each run queued through this model (from this browser).
   */
  get submitted(): ISignal<this, AutoflowAPI.IRun> {
    return this._submitted;
  }

  /**
   * Emitted when the server state changes, with the new state.
   */
  get serverStateChanged(): ISignal<this, RunsModel.ServerState> {
    return this._serverStateChanged;
  }

  /**
   * Find a loaded (or the selected) run by id.
   */
  findRun(id: number): AutoflowAPI.IRun | undefined {
    const selected = this.selected;
    if (selected?.id === id) {
      return selected;
    }
    return this._loaded.runs.find(run => run.id === id);
  }

  /**
   * Change how often the list is polled (milliseconds).
   */
  setPollIntervals(active: number, idle: number): void {
    const activeInterval = clampInterval(
      active,
      RunsModel.DEFAULT_IDLE_INTERVAL
    );
    const idleInterval = clampInterval(idle, RunsModel.DEFAULT_IDLE_INTERVAL);
    if (
      activeInterval === this._activeInterval &&
      idleInterval === this._idleInterval
    ) {
      return;
    }
    this._activeInterval = activeInterval;
    this._idleInterval = idleInterval;
    this.updateFrequency();
    // Apply the new interval now rather than after the current wait.
    void this.refresh();
  }

  /**
   * Filter the history; the list restarts from the newest matching run.
   */
  setFilters(filters: Partial<IRunFilters>): void {
    const next = normaliseFilters({ ...this._filters, ...filters });
    if (this.isDisposed || sameFilters(next, this._filters)) {
      return;
    }
    this._filters = next;
    this._generation++;
    this._loaded = { runs: [], nextCursor: null };
    this._loadingMore = false;
    this._loading = true;
    this.emitChanged();
    void this.refresh();
  }

  /**
   * Load the next older page, unless one is loading or none is left.
   */
  async loadMore(): Promise<void> {
    const cursor = this._loaded.nextCursor;
    if (this.isDisposed || this._loadingMore || this._loading || !cursor) {
      return;
    }
    const generation = this._generation;
    this._loadingMore = true;
    this.emitChanged();
    try {
      const page = await this.client.listRuns({
        ...this._filters,
        limit: this._pageSize,
        cursor
      });
      if (this.isDisposed || generation !== this._generation) {
        return;
      }
      if (this._loaded.nextCursor === cursor) {
        this._loaded = appendPage(this._loaded, page);
      }
      this._errorMessage = null;
    } catch (error) {
      if (this.isDisposed || generation !== this._generation) {
        return;
      }
      this._errorMessage = messageOf(error);
    } finally {
      if (!this.isDisposed && generation === this._generation) {
        this._loadingMore = false;
        this.updateFrequency();
        this.emitChanged();
      }
    }
  }

  /**
   * Show a run in the detail view (`null` closes it).
   */
  select(id: number | null): void {
    if (this.isDisposed || id === this._selectedId) {
      return;
    }
    this._selectedId = id;
    this._selectedRun =
      id === null
        ? null
        : (this._loaded.runs.find(run => run.id === id) ?? null);
    this.emitChanged();
    if (id !== null && this._selectedRun === null) {
      void this._fetchSelected();
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
    return this._added(await this.client.createRun({ notebook, parameters }));
  }

  /**
   * Queue a new run with the notebook, parameters, kernel and time limits
   * of an earlier one, then refresh the list.
   *
   * @throws The server's error, with its `message`
   */
  async rerun(run: AutoflowAPI.IRun): Promise<AutoflowAPI.IRun> {
    return this._added(await this.client.rerun(run));
  }

  /**
   * Delete a finished run and forget it.
   *
   * @throws The server's error, with its `message` (409 while it is active)
   */
  async delete(id: number): Promise<void> {
    await this.client.deleteRun(id);
    if (this.isDisposed) {
      return;
    }
    this._loaded = {
      runs: removeRun(this._loaded.runs, id),
      nextCursor: this._loaded.nextCursor
    };
    if (this._selectedId === id) {
      this._selectedId = null;
      this._selectedRun = null;
    }
    this.emitChanged();
    void this.refresh();
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
    if (!this.isDisposed) {
      this._updateRun(run);
      this.emitChanged();
      void this.refresh();
    }
    return run;
  }

  /**
   * One poll: check the server when it is not known to answer, then fetch
   * the newest page and the active runs outside it. Never rejects, so the
   * poll keeps its own interval.
   */
  protected async tick(): Promise<void> {
    const request = ++this._requestCount;
    const generation = this._generation;
    const isCurrent = () =>
      !this.isDisposed &&
      request === this._requestCount &&
      generation === this._generation;
    try {
      if (this._serverState !== 'available') {
        await this.client.version();
      }
      const page = await this.client.listRuns({
        ...this._filters,
        limit: this._pageSize
      });
      if (!isCurrent()) {
        return;
      }
      this._loaded = mergeFirstPage(this._loaded, page);
      this._loading = false;
      await this._refreshActiveOutside(page.runs, isCurrent);
      if (!isCurrent()) {
        return;
      }
      this._forgetFinishedCancels();
      this._errorMessage = null;
      this._setServerState('available');
    } catch (error) {
      if (!isCurrent()) {
        return;
      }
      this._loading = false;
      this._errorMessage = messageOf(error);
      if (this._serverState !== 'available' || Private.isUnreachable(error)) {
        this._setServerState('unavailable');
      }
    }
    this.updateFrequency();
    this.emitChanged();
  }

  protected interval(): number {
    return this.hasActiveRuns ? this._activeInterval : this._idleInterval;
  }

  /**
   * Show a run the user has just queued at the top of the list.
   */
  private _added(run: AutoflowAPI.IRun): AutoflowAPI.IRun {
    if (!this.isDisposed) {
      this._submitted.emit(run);
      if (!isFiltered(this._filters)) {
        this._loaded = {
          runs: insertRun(this._loaded.runs, run),
          nextCursor: this._loaded.nextCursor
        };
      }
      this._setServerState('available');
      this.emitChanged();
      void this.refresh();
    }
    return run;
  }

  /**
   * Fetch the active runs the newest page does not cover: those on older
   * pages, and the selected run when it is not listed.
   */
  private async _refreshActiveOutside(
    page: ReadonlyArray<AutoflowAPI.IRun>,
    isCurrent: () => boolean
  ): Promise<void> {
    const covered = new Set(page.map(run => run.id));
    const stale = this._loaded.runs
      .filter(run => AutoflowAPI.isActive(run) && !covered.has(run.id))
      .slice(0, Private.MAX_EXTRA_FETCHES);
    const selected = this.selected;
    if (
      selected &&
      AutoflowAPI.isActive(selected) &&
      !covered.has(selected.id) &&
      !stale.some(run => run.id === selected.id)
    ) {
      stale.push(selected);
    }
    const fresh = await Promise.all(
      stale.map(run => this.client.getRun(run.id).catch(() => null))
    );
    if (!isCurrent()) {
      return;
    }
    for (const run of fresh) {
      if (run) {
        this._updateRun(run);
      }
    }
  }

  private async _fetchSelected(): Promise<void> {
    const id = this._selectedId;
    if (id === null) {
      return;
    }
    try {
      const run = await this.client.getRun(id);
      if (!this.isDisposed && this._selectedId === id) {
        this._selectedRun = run;
        this.updateFrequency();
        this.emitChanged();
      }
    } catch (error) {
      if (!this.isDisposed && this._selectedId === id) {
        this._errorMessage = messageOf(error);
        this.emitChanged();
      }
    }
  }

  private _updateRun(run: AutoflowAPI.IRun): void {
    this._loaded = {
      runs: replaceRun(this._loaded.runs, run),
      nextCursor: this._loaded.nextCursor
    };
    if (this._selectedId === run.id) {
      this._selectedRun = run;
    }
  }

  /**
   * Forget cancel requests of runs no longer active.
   */
  private _forgetFinishedCancels(): void {
    if (this._cancelling.size === 0) {
      return;
    }
    const pending = [...this._cancelling].filter(id => {
      const run = this.findRun(id);
      return run !== undefined && AutoflowAPI.isActive(run);
    });
    if (pending.length !== this._cancelling.size) {
      this._cancelling = new Set(pending);
    }
  }

  private _setCancelling(id: number, cancelling: boolean): void {
    const next = withId(this._cancelling, id, cancelling);
    if (this.isDisposed || next === this._cancelling) {
      return;
    }
    this._cancelling = next;
    this.emitChanged();
  }

  private _setServerState(state: RunsModel.ServerState): void {
    if (this._serverState !== state) {
      this._serverState = state;
      this._serverStateChanged.emit(state);
    }
  }

  private _activeInterval: number;
  private _cancelling: ReadonlySet<number> = new Set();
  private _errorMessage: string | null = null;
  private _filters: IRunFilters = NO_FILTERS;
  private _generation = 0;
  private _idleInterval: number;
  private _loaded: ILoaded<AutoflowAPI.IRun> = { runs: [], nextCursor: null };
  private _loading = false;
  private _loadingMore = false;
  private _pageSize: number;
  private _requestCount = 0;
  private _selectedId: number | null = null;
  private _selectedRun: AutoflowAPI.IRun | null = null;
  private _serverState: RunsModel.ServerState = 'checking';
  private _serverStateChanged = new Signal<this, RunsModel.ServerState>(this);
  private _submitted = new Signal<this, AutoflowAPI.IRun>(this);
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
     * How many runs each page holds.
     */
    pageSize?: number;
  }

  export const DEFAULT_ACTIVE_INTERVAL = 1000;
  export const DEFAULT_IDLE_INTERVAL = 10000;
  export const DEFAULT_PAGE_SIZE = 50;
}

namespace Private {
  /**
   * Most active runs outside the newest page fetched one by one per poll.
   */
  export const MAX_EXTRA_FETCHES = 10;

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
