import { ServerConnection } from '@jupyterlab/services';

import { requestAPI } from './request';

/**
 * Wire types of the AutoFlow Lab REST API (`{baseUrl}autoflow/api/`).
 *
 * Field names are spelt exactly as the server sends them.
 */
export namespace AutoflowAPI {
  /**
   * The life cycle of a run.
   */
  export type RunStatus =
    'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

  /**
   * Parameter values passed to papermill.
   */
  export type Parameters = { [name: string]: unknown };

  /**
   * Where and why a run failed or was stopped.
   */
  export interface IRunError {
    /**
     * Index of the failing cell in the executed notebook, if known.
     */
    cell_index: number | null;
    /**
     * The exception's name, or one of {@link STOP_ERROR_NAMES} when the
     * engine stopped the run.
     */
    ename: string;
    evalue: string;
  }

  /**
   * Error names of runs the engine stopped: cancelled (status `cancelled`) or
   * over their time limit (status `failed`). Their `evalue` is a sentence
   * that names the cell, such as `timed out after 30 s in cell 4`.
   */
  export const STOP_ERROR_NAMES: ReadonlyArray<string> = [
    'Cancelled',
    'RunTimeout',
    'CellTimeout'
  ];

  /**
   * Whether the engine stopped the run rather than the notebook raising.
   */
  export function isStopError(error: IRunError): boolean {
    return STOP_ERROR_NAMES.includes(error.ename);
  }

  /**
   * How far a run has got through its notebook.
   */
  export interface IRunProgress {
    /**
     * Code cells that have finished executing.
     */
    cells_done: number;
    /**
     * Code cells the run will execute.
     */
    cells_total: number;
    /**
     * Index of the cell executing now in the executed notebook (counting
     * every cell, as `IRunError.cell_index` does); null between cells.
     */
    current_cell: number | null;
  }

  /**
   * One execution of a notebook.
   */
  export interface IRun {
    id: number;
    /**
     * Input notebook path, relative to the server root.
     */
    notebook: string;
    parameters: Parameters;
    /**
     * The kernel the run executes with; null for runs recorded before 0.1.
     */
    kernel_name: string | null;
    status: RunStatus;
    /**
     * Wall-clock limit of the whole run in seconds; null for none.
     */
    timeout: number | null;
    /**
     * Limit of each cell in seconds; null for none.
     */
    cell_timeout: number | null;
    /**
     * Live progress; null until the run starts executing cells. A finished
     * run keeps its last value.
     */
    progress: IRunProgress | null;
    /**
     * ISO 8601 timestamps (UTC).
     */
    created_at: string;
    started_at: string | null;
    finished_at: string | null;
    /**
     * Executed notebook path, relative to the server root.
     */
    output: string | null;
    /**
     * The run's log (kernel output and engine messages), relative to the server root.
     */
    log: string | null;
    error: IRunError | null;
  }

  /**
   * One page of runs, newest first.
   */
  export interface IRunList {
    runs: IRun[];
    next_cursor: string | null;
  }

  /**
   * Body of `POST runs`.
   */
  export interface ICreateRunRequest {
    notebook: string;
    parameters: Parameters;
    /**
     * Overrides the kernel named in the notebook's metadata.
     */
    kernel_name?: string;
    /**
     * Wall-clock limit of the whole run in seconds (positive).
     */
    timeout?: number;
    /**
     * Limit of each cell in seconds (positive).
     */
    cell_timeout?: number;
  }

  /**
   * Body of `GET version`.
   */
  export interface IVersion {
    version: string;
  }

  /**
   * Query of `GET runs`.
   */
  export interface IListRunsOptions {
    limit?: number;
    cursor?: string | null;
  }

  /**
   * Whether a run may still change state.
   */
  export function isActive(run: IRun): boolean {
    return run.status === 'queued' || run.status === 'running';
  }

  /**
   * Whether a run may be cancelled: it is queued or running.
   */
  export function canCancel(run: IRun): boolean {
    return isActive(run);
  }

  /**
   * Whether a run has an executed notebook worth opening: it has started, so
   * a run cancelled while queued has none.
   */
  export function canOpen(run: IRun): run is IRun & { output: string } {
    return (
      run.output !== null && run.status !== 'queued' && run.started_at !== null
    );
  }
}

/**
 * Typed client of the AutoFlow Lab REST API: one method per end point.
 */
export class AutoflowClient {
  /**
   * @param serverSettings Settings of the Jupyter server to talk to
   */
  constructor(serverSettings?: ServerConnection.ISettings) {
    this.serverSettings = serverSettings ?? ServerConnection.makeSettings();
  }

  /**
   * The settings used for every request.
   */
  readonly serverSettings: ServerConnection.ISettings;

  /**
   * `GET version`: the server extension's version.
   */
  version(): Promise<AutoflowAPI.IVersion> {
    return this._request<AutoflowAPI.IVersion>('version');
  }

  /**
   * `POST runs`: queue a run of a notebook.
   */
  createRun(request: AutoflowAPI.ICreateRunRequest): Promise<AutoflowAPI.IRun> {
    return this._request<AutoflowAPI.IRun>('runs', {
      method: 'POST',
      body: JSON.stringify(request)
    });
  }

  /**
   * `GET runs`: one page of runs, newest first.
   */
  listRuns(
    options: AutoflowAPI.IListRunsOptions = {}
  ): Promise<AutoflowAPI.IRunList> {
    const query = new URLSearchParams();
    if (options.limit !== undefined) {
      query.set('limit', String(options.limit));
    }
    if (options.cursor) {
      query.set('cursor', options.cursor);
    }
    const search = query.toString();
    return this._request<AutoflowAPI.IRunList>(
      search ? `runs?${search}` : 'runs'
    );
  }

  /**
   * `GET runs/<id>`: one run.
   */
  getRun(id: number): Promise<AutoflowAPI.IRun> {
    return this._request<AutoflowAPI.IRun>(
      `runs/${encodeURIComponent(String(id))}`
    );
  }

  /**
   * `POST runs/<id>/cancel`: cancel a queued or running run.
   *
   * A queued run comes back `cancelled`; a running one is still `running`
   * and becomes `cancelled` once its kernel has stopped.
   *
   * @throws The server's error: 409 when the run cannot be cancelled (it has
   *   already finished, say), 404 when there is no such run
   */
  cancelRun(id: number): Promise<AutoflowAPI.IRun> {
    return this._request<AutoflowAPI.IRun>(
      `runs/${encodeURIComponent(String(id))}/cancel`,
      { method: 'POST' }
    );
  }

  private _request<T>(endPoint: string, init: RequestInit = {}): Promise<T> {
    return requestAPI<T>(endPoint, init, this.serverSettings);
  }
}
