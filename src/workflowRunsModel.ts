import { AutoflowAPI, AutoflowClient } from './api';
import { messageOf } from './format';
import {
  appendPage,
  ILoaded,
  insertRun,
  IPage,
  mergeFirstPage,
  removeRun,
  replaceRun
} from './history';
import { clampInterval, TabListModel, withId } from './pollingModel';
import { isWorkflowRunActive } from './workflowRuns';

/**
 * The history of workflow runs with their steps, refreshed by polling while
 * it is shown. Holds no DOM.
 *
 * Loaded a page at a time, newest first; each poll fetches the newest page
 * again and merges it in, as the runs model does. While any loaded run is
 * queued or running the list is polled every `activePollInterval` ms,
 * otherwise every `idlePollInterval` ms. Polling pauses while the list is
 * not shown ({@link setShown}) or the browser tab is hidden.
 */
export class WorkflowRunsModel extends TabListModel {
  constructor(options: WorkflowRunsModel.IOptions) {
    const idleInterval =
      options.idlePollInterval ?? WorkflowRunsModel.DEFAULT_IDLE_INTERVAL;
    super({ name: 'autoflow-lab:workflow-runs', interval: idleInterval });
    this.client = options.client;
    this._pageSize = options.pageSize ?? WorkflowRunsModel.DEFAULT_PAGE_SIZE;
    this._activeInterval =
      options.activePollInterval ?? WorkflowRunsModel.DEFAULT_ACTIVE_INTERVAL;
    this._idleInterval = idleInterval;
  }

  /**
   * The REST client the model uses.
   */
  readonly client: AutoflowClient;

  /**
   * The loaded workflow runs, newest first.
   */
  get runs(): ReadonlyArray<AutoflowAPI.IWorkflowRun> {
    return this._loaded.runs;
  }

  /**
   * Whether the runs have been fetched at least once.
   */
  get loaded(): boolean {
    return this._fetched;
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
   * Why the last request failed, or `null` after a success.
   */
  get errorMessage(): string | null {
    return this._errorMessage;
  }

  /**
   * The runs whose details are shown.
   */
  get expanded(): ReadonlySet<number> {
    return this._expanded;
  }

  /**
   * Whether any loaded run is queued or running.
   */
  get hasActiveRuns(): boolean {
    return this._loaded.runs.some(isWorkflowRunActive);
  }

  /**
   * A loaded workflow run by id.
   */
  find(id: number): AutoflowAPI.IWorkflowRun | undefined {
    return this._loaded.runs.find(run => run.id === id);
  }

  /**
   * Change how often the list is polled (milliseconds).
   */
  setPollIntervals(active: number, idle: number): void {
    const fallback = WorkflowRunsModel.DEFAULT_IDLE_INTERVAL;
    this._activeInterval = clampInterval(active, fallback);
    this._idleInterval = clampInterval(idle, fallback);
    this.updateFrequency();
  }

  /**
   * Show or hide a run's details.
   */
  toggleExpanded(id: number): void {
    if (this.isDisposed) {
      return;
    }
    this._expanded = withId(this._expanded, id, !this._expanded.has(id));
    this.emitChanged();
  }

  /**
   * Show a run's details, fetching it when it is not loaded.
   */
  expand(id: number): void {
    if (this.isDisposed || this._expanded.has(id)) {
      return;
    }
    this._expanded = new Set([...this._expanded, id]);
    this.emitChanged();
    if (!this.find(id)) {
      this.client
        .getWorkflowRun(id)
        .then(run => {
          if (!this.isDisposed) {
            this._loaded = {
              runs: insertRun(this._loaded.runs, run),
              nextCursor: this._loaded.nextCursor
            };
            this.emitChanged();
          }
        })
        .catch(error => this._setError(error));
    }
  }

  /**
   * Load the next older page, unless one is loading or none is left.
   */
  async loadMore(): Promise<void> {
    const cursor = this._loaded.nextCursor;
    if (this.isDisposed || this._loadingMore || !cursor) {
      return;
    }
    this._loadingMore = true;
    this.emitChanged();
    try {
      const page = await this.client.listWorkflowRuns({
        limit: this._pageSize,
        cursor
      });
      if (!this.isDisposed && this._loaded.nextCursor === cursor) {
        this._loaded = appendPage(this._loaded, Private.asPage(page));
      }
      this._errorMessage = null;
    } catch (error) {
      this._errorMessage = messageOf(error);
    } finally {
      if (!this.isDisposed) {
        this._loadingMore = false;
        this.updateFrequency();
        this.emitChanged();
      }
    }
  }

  /**
   * Start a run of a workflow and show it at the top of the list.
   *
   * @throws The server's error, with its `message`
   */
  async start(
    workflow: string,
    parameters: AutoflowAPI.Parameters = {}
  ): Promise<AutoflowAPI.IWorkflowRun> {
    const run = await this.client.startWorkflowRun(workflow, parameters);
    this._updateRun(run, true);
    return run;
  }

  /**
   * Re-run the failed, skipped, cancelled and stale steps of a finished run.
   *
   * @throws The server's error, with its `message` (409 when there is
   *   nothing to re-run)
   */
  resume(id: number): Promise<AutoflowAPI.IWorkflowRun> {
    return this.act(id, async () => {
      const run = await this.client.resumeWorkflowRun(id);
      this._updateRun(run, false);
      return run;
    });
  }

  /**
   * Cancel a queued or running workflow run.
   *
   * @throws The server's error, with its `message` (409 once it finished)
   */
  cancel(id: number): Promise<AutoflowAPI.IWorkflowRun> {
    return this.act(id, async () => {
      const run = await this.client.cancelWorkflowRun(id);
      this._updateRun(run, false);
      return run;
    });
  }

  /**
   * Delete a finished workflow run with its steps' runs, and forget it.
   *
   * @throws The server's error, with its `message` (409 while it is active)
   */
  delete(id: number): Promise<void> {
    return this.act(id, async () => {
      await this.client.deleteWorkflowRun(id);
      if (this.isDisposed) {
        return;
      }
      this._loaded = {
        runs: removeRun(this._loaded.runs, id),
        nextCursor: this._loaded.nextCursor
      };
      this._expanded = withId(this._expanded, id, false);
    });
  }

  /**
   * One poll: the newest page, and the active runs outside it. Never
   * rejects, so the poll keeps its own interval.
   */
  protected async tick(): Promise<void> {
    const request = ++this._requestCount;
    const isCurrent = () => !this.isDisposed && request === this._requestCount;
    try {
      const page = await this.client.listWorkflowRuns({
        limit: this._pageSize
      });
      if (!isCurrent()) {
        return;
      }
      this._loaded = mergeFirstPage(this._loaded, Private.asPage(page));
      const covered = new Set(page.workflow_runs.map(run => run.id));
      const stale = this._loaded.runs
        .filter(run => isWorkflowRunActive(run) && !covered.has(run.id))
        .slice(0, Private.MAX_EXTRA_FETCHES);
      const fresh = await Promise.all(
        stale.map(run => this.client.getWorkflowRun(run.id).catch(() => null))
      );
      if (!isCurrent()) {
        return;
      }
      for (const run of fresh) {
        if (run) {
          this._loaded = {
            runs: replaceRun(this._loaded.runs, run),
            nextCursor: this._loaded.nextCursor
          };
        }
      }
      this._fetched = true;
      this._errorMessage = null;
    } catch (error) {
      if (!isCurrent()) {
        return;
      }
      this._fetched = true;
      this._errorMessage = messageOf(error);
    }
    this.updateFrequency();
    this.emitChanged();
  }

  protected interval(): number {
    return this.hasActiveRuns ? this._activeInterval : this._idleInterval;
  }

  /**
   * Put a run the server just answered with in the list, and poll soon.
   */
  private _updateRun(run: AutoflowAPI.IWorkflowRun, isNew: boolean): void {
    if (this.isDisposed) {
      return;
    }
    this._loaded = {
      runs: isNew
        ? insertRun(this._loaded.runs, run)
        : replaceRun(this._loaded.runs, run),
      nextCursor: this._loaded.nextCursor
    };
    this.updateFrequency();
    this.emitChanged();
    if (isNew) {
      void this.refresh();
    }
  }

  private _setError(error: unknown): void {
    if (!this.isDisposed) {
      this._errorMessage = messageOf(error);
      this.emitChanged();
    }
  }

  private _activeInterval: number;
  private _errorMessage: string | null = null;
  private _expanded: ReadonlySet<number> = new Set();
  private _fetched = false;
  private _idleInterval: number;
  private _loaded: ILoaded<AutoflowAPI.IWorkflowRun> = {
    runs: [],
    nextCursor: null
  };
  private _loadingMore = false;
  private _pageSize: number;
  private _requestCount = 0;
}

/**
 * A namespace for WorkflowRunsModel statics.
 */
export namespace WorkflowRunsModel {
  /**
   * Options to create a model.
   */
  export interface IOptions {
    client: AutoflowClient;
    /**
     * Poll interval while any workflow run is queued or running (ms).
     */
    activePollInterval?: number;
    /**
     * Poll interval otherwise (ms).
     */
    idlePollInterval?: number;
    /**
     * How many workflow runs each page holds.
     */
    pageSize?: number;
  }

  export const DEFAULT_ACTIVE_INTERVAL = 1000;
  export const DEFAULT_IDLE_INTERVAL = 10000;
  export const DEFAULT_PAGE_SIZE = 20;
}

namespace Private {
  /**
   * Most active runs outside the newest page fetched one by one per poll.
   */
  export const MAX_EXTRA_FETCHES = 10;

  /**
   * A page of workflow runs in the shape the history helpers merge.
   */
  export function asPage(
    page: AutoflowAPI.IWorkflowRunList
  ): IPage<AutoflowAPI.IWorkflowRun> {
    return { runs: page.workflow_runs, next_cursor: page.next_cursor };
  }
}
