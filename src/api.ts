import { ServerConnection } from '@jupyterlab/services';

import { STOP_ERROR_NAMES as FORMAT_STOP_ERROR_NAMES } from './format';
import { buildRunsQuery } from './history';
import { requestAPI, requestText } from './request';
import type * as wire from './wire';

/**
 * Types of the AutoFlow Lab REST API (`{baseUrl}autoflow/api/`) and helpers
 * on them.
 *
 * The wire types are generated from the server's OpenAPI document into
 * `wire.ts`, never copied by hand: these are names for them.
 */
export namespace AutoflowAPI {
  /**
   * The life cycle of a run.
   */
  export type RunStatus = wire.RunStatus;

  /**
   * Parameter values passed to papermill.
   */
  export type Parameters = wire.Run['parameters'];

  /**
   * Where and why a run failed or was stopped.
   */
  export type IRunError = wire.RunError;

  /**
   * How far a run has got through its notebook.
   */
  export type IRunProgress = wire.RunProgress;

  /**
   * What started a run: JupyterLab (or the REST API) or the command line.
   */
  export type IRunTrigger = wire.RunTrigger;

  /**
   * One execution of a notebook.
   */
  export type IRun = wire.Run;

  /**
   * One page of runs, newest first.
   */
  export type IRunList = wire.RunPage;

  /**
   * Body of `POST runs`.
   */
  export type ICreateRunRequest = wire.RunCreate;

  /**
   * Body of `GET version`.
   */
  export type IVersion = wire.VersionInfo;

  /**
   * Query of `GET runs`.
   */
  export type IListRunsOptions = wire.RunListQuery;

  /**
   * Body of `GET notebooks/parameters`.
   */
  export type NotebookParameters = wire.NotebookParameters;

  /**
   * Body of every 4xx and 5xx answer.
   */
  export type IErrorBody = wire.ErrorBody;

  /**
   * A schedule: its settings, its trigger in words, its next fire times and
   * its last run.
   */
  export type ISchedule = wire.Schedule;

  /**
   * When a schedule fires: a cron expression in a timezone, an interval, or
   * once, as the server describes it.
   */
  export type ITrigger = wire.Schedule['trigger'];

  /**
   * A trigger as a request gives it (a cron's timezone may be left out).
   */
  export type ITriggerRequest = wire.ScheduleCreate['trigger'];

  /**
   * Body of `POST schedules`.
   */
  export type ICreateScheduleRequest = wire.ScheduleCreate;

  /**
   * Body of `PATCH schedules/<id>`: the fields to change.
   */
  export type IUpdateScheduleRequest = wire.ScheduleUpdate;

  /**
   * Body of `POST schedules/preview`'s answer.
   */
  export type ITriggerPreview = wire.TriggerPreview;

  /**
   * A workflow definition as the server reads it: valid, or every problem
   * found, with its parameters and steps.
   */
  export type IWorkflowValidation = wire.WorkflowValidation;

  /**
   * One problem with a workflow definition, with its line and field.
   */
  export type IWorkflowIssue = wire.WorkflowIssue;

  /**
   * The life cycle of a workflow run's step.
   */
  export type StepStatus = wire.StepStatus;

  /**
   * One step of a workflow run, with its latest run.
   */
  export type IWorkflowStep = wire.WorkflowStep;

  /**
   * One execution of a workflow: its steps and their statuses.
   */
  export type IWorkflowRun = wire.WorkflowRun;
  /**
   * What a schedule's "run now" started: a run, or a workflow run.
   */
  export type IStartedRun = wire.StartedRun;

  /**
   * One page of workflow runs, newest first.
   */
  export type IWorkflowRunList = wire.WorkflowRunPage;

  /**
   * Query of `GET workflow-runs`.
   */
  export type IListWorkflowRunsOptions = wire.WorkflowRunListQuery;

  /**
   * A report rendered from a run's executed notebook.
   */
  export type IRunReport = wire.RunReport;

  /**
   * Error names of runs the engine stopped: cancelled (status `cancelled`) or
   * over their time limit (status `failed`). Their `evalue` is a sentence
   * that names the cell, such as `timed out after 30 s in cell 4`.
   */
  export const STOP_ERROR_NAMES = FORMAT_STOP_ERROR_NAMES;

  /**
   * Whether the engine stopped the run rather than the notebook raising.
   */
  export function isStopError(error: IRunError): boolean {
    return STOP_ERROR_NAMES.includes(error.ename);
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
    const search = buildRunsQuery(options);
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

  /**
   * `DELETE runs/<id>`: forget a finished run, its executed notebook and log.
   *
   * @throws The server's error: 409 while the run is queued or running
   */
  async deleteRun(id: number): Promise<void> {
    await this._request<void>(`runs/${encodeURIComponent(String(id))}`, {
      method: 'DELETE'
    });
  }

  /**
   * `GET runs/<id>/log`: the run's log as text.
   */
  runLog(id: number): Promise<string> {
    return requestText(
      `runs/${encodeURIComponent(String(id))}/log`,
      {},
      this.serverSettings
    );
  }

  /**
   * `GET notebooks/parameters`: the parameters a notebook declares.
   */
  notebookParameters(path: string): Promise<AutoflowAPI.NotebookParameters> {
    return this._request<AutoflowAPI.NotebookParameters>(
      `notebooks/parameters?${new URLSearchParams({ path }).toString()}`
    );
  }

  /**
   * `POST runs` with the notebook, parameters, kernel and time limits of an
   * earlier run.
   */
  rerun(run: AutoflowAPI.IRun): Promise<AutoflowAPI.IRun> {
    const request: AutoflowAPI.ICreateRunRequest = {
      notebook: run.notebook,
      parameters: run.parameters
    };
    if (run.kernel_name) {
      request.kernel_name = run.kernel_name;
    }
    if (run.timeout !== null) {
      request.timeout = run.timeout;
    }
    if (run.cell_timeout !== null) {
      request.cell_timeout = run.cell_timeout;
    }
    return this.createRun(request);
  }

  /**
   * `GET schedules`: every schedule.
   */
  async listSchedules(): Promise<AutoflowAPI.ISchedule[]> {
    const list = await this._request<wire.ScheduleList>('schedules');
    return list.schedules;
  }

  /**
   * `GET schedules/<id>`: one schedule.
   */
  getSchedule(id: number): Promise<AutoflowAPI.ISchedule> {
    return this._request<AutoflowAPI.ISchedule>(scheduleRoute(id));
  }

  /**
   * `POST schedules`: schedule a notebook.
   *
   * @throws The server's error: 400 naming the `field` at fault (such as
   *   `trigger.expression` or `parameters.minutes`), 404 for an unknown notebook
   */
  createSchedule(
    request: AutoflowAPI.ICreateScheduleRequest
  ): Promise<AutoflowAPI.ISchedule> {
    return this._request<AutoflowAPI.ISchedule>('schedules', {
      method: 'POST',
      body: JSON.stringify(request)
    });
  }

  /**
   * `PATCH schedules/<id>`: change some of a schedule's fields.
   */
  updateSchedule(
    id: number,
    change: AutoflowAPI.IUpdateScheduleRequest
  ): Promise<AutoflowAPI.ISchedule> {
    return this._request<AutoflowAPI.ISchedule>(scheduleRoute(id), {
      method: 'PATCH',
      body: JSON.stringify(change)
    });
  }

  /**
   * `DELETE schedules/<id>`: delete a schedule; its runs stay.
   */
  async deleteSchedule(id: number): Promise<void> {
    await this._request<void>(scheduleRoute(id), { method: 'DELETE' });
  }

  /**
   * `POST schedules/<id>/pause` or `.../resume`.
   */
  setSchedulePaused(
    id: number,
    paused: boolean
  ): Promise<AutoflowAPI.ISchedule> {
    return this._request<AutoflowAPI.ISchedule>(
      `${scheduleRoute(id)}/${paused ? 'pause' : 'resume'}`,
      { method: 'POST' }
    );
  }

  /**
   * `POST schedules/<id>/run`: start a run of the schedule's notebook, or a
   * workflow run of its workflow, with its settings now.
   */
  runSchedule(id: number): Promise<AutoflowAPI.IStartedRun> {
    return this._request<AutoflowAPI.IStartedRun>(`${scheduleRoute(id)}/run`, {
      method: 'POST'
    });
  }

  /**
   * `POST schedules/preview`: a trigger in words and its next fire times.
   *
   * @throws The server's error: 400 naming the faulty trigger field
   */
  previewTrigger(
    trigger: AutoflowAPI.ITriggerRequest,
    sampleDate: string | null = null
  ): Promise<AutoflowAPI.ITriggerPreview> {
    const request: wire.TriggerPreviewRequest = { trigger };
    if (sampleDate !== null) {
      request.sample_date = sampleDate;
    }
    return this._request<AutoflowAPI.ITriggerPreview>('schedules/preview', {
      method: 'POST',
      body: JSON.stringify(request)
    });
  }

  /**
   * `POST schedules/<id>/check`: a data trigger's look at FlowAPI now,
   * starting the runs of the dates due. A FlowAPI failure is an answer too,
   * in the check's status.
   *
   * @throws The server's error: 400 when the schedule is not a data trigger
   */
  checkSchedule(id: number): Promise<wire.DataCheckResult> {
    return this._request<wire.DataCheckResult>(`${scheduleRoute(id)}/check`, {
      method: 'POST'
    });
  }

  /**
   * `GET schedules/<id>/dates`: a data trigger's reference dates, newest
   * first.
   */
  async listScheduleDates(id: number): Promise<wire.ScheduleDate[]> {
    const list = await this._request<wire.ScheduleDateList>(
      `${scheduleRoute(id)}/dates`
    );
    return list.dates;
  }

  /**
   * `POST schedules/<id>/dates/<YYYY-MM-DD>/retry`: re-arm a failed or
   * given-up date, then check FlowAPI.
   *
   * @throws The server's error: 409 when the date is not failed or given up
   */
  retryScheduleDate(
    id: number,
    referenceDate: string
  ): Promise<wire.DataCheckResult> {
    return this._request<wire.DataCheckResult>(
      `${scheduleRoute(id)}/dates/${encodeURIComponent(referenceDate)}/retry`,
      { method: 'POST' }
    );
  }

  /**
   * `GET workflows`: the workflow files in the workspace, each validated.
   */
  async listWorkflows(): Promise<AutoflowAPI.IWorkflowValidation[]> {
    const list = await this._request<wire.WorkflowList>('workflows');
    return list.workflows;
  }

  /**
   * `GET workflows/schema`: the JSON Schema of a workflow definition.
   */
  getWorkflowSchema(): Promise<Record<string, unknown>> {
    return this._request<Record<string, unknown>>('workflows/schema');
  }

  /**
   * `POST workflows/validate`: check a definition against the schema and the
   * workspace. An invalid definition is still an answer, with its issues.
   *
   * @param workflow Path of the `.autoflow.yaml` file relative to the root
   * @param text The definition to check instead of the saved file (an
   *   unsaved edit)
   */
  validateWorkflow(
    workflow: string,
    text?: string
  ): Promise<AutoflowAPI.IWorkflowValidation> {
    const body: wire.WorkflowValidateRequest = { workflow };
    if (text !== undefined) {
      body.text = text;
    }
    return this._request<AutoflowAPI.IWorkflowValidation>(
      'workflows/validate',
      { method: 'POST', body: JSON.stringify(body) }
    );
  }

  /**
   * `POST workflow-runs`: start a run of a valid workflow.
   *
   * @throws The server's error: 400 for an invalid workflow or parameters,
   *   404 for an unknown file
   */
  startWorkflowRun(
    workflow: string,
    parameters: AutoflowAPI.Parameters = {}
  ): Promise<AutoflowAPI.IWorkflowRun> {
    const body: wire.WorkflowRunCreate = { workflow, parameters };
    return this._request<AutoflowAPI.IWorkflowRun>('workflow-runs', {
      method: 'POST',
      body: JSON.stringify(body)
    });
  }

  /**
   * `GET workflow-runs`: one page of workflow runs, newest first.
   */
  listWorkflowRuns(
    query: AutoflowAPI.IListWorkflowRunsOptions = {}
  ): Promise<AutoflowAPI.IWorkflowRunList> {
    const search = Private.workflowRunsQuery(query);
    return this._request<AutoflowAPI.IWorkflowRunList>(
      search ? `workflow-runs?${search}` : 'workflow-runs'
    );
  }

  /**
   * `GET workflow-runs/<id>`: one workflow run with its steps.
   */
  getWorkflowRun(id: number): Promise<AutoflowAPI.IWorkflowRun> {
    return this._request<AutoflowAPI.IWorkflowRun>(workflowRunRoute(id));
  }

  /**
   * `POST workflow-runs/<id>/resume`: re-run the failed, skipped, cancelled
   * and stale steps of a finished workflow run.
   *
   * @throws The server's error: 409 while the run is active
   */
  resumeWorkflowRun(id: number): Promise<AutoflowAPI.IWorkflowRun> {
    return this._request<AutoflowAPI.IWorkflowRun>(
      `${workflowRunRoute(id)}/resume`,
      { method: 'POST' }
    );
  }

  /**
   * `POST workflow-runs/<id>/cancel`: running steps stop, pending ones never
   * start.
   *
   * @throws The server's error: 409 once the run has finished
   */
  cancelWorkflowRun(id: number): Promise<AutoflowAPI.IWorkflowRun> {
    return this._request<AutoflowAPI.IWorkflowRun>(
      `${workflowRunRoute(id)}/cancel`,
      { method: 'POST' }
    );
  }

  /**
   * `DELETE workflow-runs/<id>`: forget a finished workflow run with its
   * steps' runs and their files.
   *
   * @throws The server's error: 409 while the run is active
   */
  async deleteWorkflowRun(id: number): Promise<void> {
    await this._request<void>(workflowRunRoute(id), { method: 'DELETE' });
  }

  private _request<T>(endPoint: string, init: RequestInit = {}): Promise<T> {
    return requestAPI<T>(endPoint, init, this.serverSettings);
  }
}

function scheduleRoute(id: number): string {
  return `schedules/${encodeURIComponent(String(id))}`;
}

function workflowRunRoute(id: number): string {
  return `workflow-runs/${encodeURIComponent(String(id))}`;
}

namespace Private {
  /**
   * The query string of `GET workflow-runs`, without empty arguments.
   */
  export function workflowRunsQuery(
    query: AutoflowAPI.IListWorkflowRunsOptions
  ): string {
    const params = new URLSearchParams();
    if (query.limit !== undefined) {
      params.set('limit', String(query.limit));
    }
    if (query.cursor) {
      params.set('cursor', query.cursor);
    }
    if (query.status) {
      params.set('status', query.status);
    }
    if (query.workflow) {
      params.set('workflow', query.workflow);
    }
    if (query.schedule !== undefined && query.schedule !== null) {
      params.set('schedule', String(query.schedule));
    }
    return params.toString();
  }
}
