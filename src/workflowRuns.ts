/**
 * Pure helpers on workflow runs: what may be done with them, their steps in
 * words, and their DAG as the graph component draws it.
 */

import { basename, type ITranslate, statusLabel } from './format';
import type {
  RunStatus,
  RunTrigger,
  StepStatus,
  WorkflowRun,
  WorkflowStep
} from './wire';

/**
 * Whether a workflow run may still change state.
 */
export function isWorkflowRunActive(run: Pick<WorkflowRun, 'status'>): boolean {
  return run.status === 'queued' || run.status === 'running';
}

/**
 * Whether a workflow run may be resumed: it has finished. The server
 * refuses a run with nothing to re-run (every step succeeded, none stale).
 */
export function canResume(run: Pick<WorkflowRun, 'status'>): boolean {
  return !isWorkflowRunActive(run);
}

/**
 * Every step status, in the order of a step's life.
 */
export const STEP_STATUSES: ReadonlyArray<StepStatus> = [
  'pending',
  'queued',
  'running',
  'succeeded',
  'failed',
  'skipped',
  'cancelled'
];

/**
 * The user-facing name of a step status.
 */
export function stepStatusLabel(status: StepStatus, trans: ITranslate): string {
  switch (status) {
    case 'pending':
      return trans.__('pending');
    case 'skipped':
      return trans.__('skipped');
    default:
      // The other statuses are a run's, named alike.
      return statusLabel(status, trans);
  }
}

/**
 * How many steps are in each status, in {@link STEP_STATUSES} order,
 * leaving out the statuses no step has.
 */
export function stepCounts(
  steps: ReadonlyArray<Pick<WorkflowStep, 'status'>>
): Array<{ status: StepStatus; count: number }> {
  return STEP_STATUSES.map(status => ({
    status,
    count: steps.filter(step => step.status === status).length
  })).filter(entry => entry.count > 0);
}

/**
 * One line on a workflow run's steps: `2 of 3 steps succeeded, 1 failed`.
 */
export function stepsSummary(
  steps: ReadonlyArray<Pick<WorkflowStep, 'status'>>,
  trans: ITranslate
): string {
  const counts = stepCounts(steps);
  const succeeded = counts.find(entry => entry.status === 'succeeded');
  const others = counts
    .filter(entry => entry.status !== 'succeeded')
    .map(entry => `${entry.count} ${stepStatusLabel(entry.status, trans)}`);
  const head = trans.__(
    '%1 of %2 steps succeeded',
    succeeded?.count ?? 0,
    steps.length
  );
  return others.length > 0 ? `${head}, ${others.join(', ')}` : head;
}

/**
 * A node of the workflow graph.
 */
export interface IGraphNode {
  key: string;
  label: string;
  sublabel?: string;
  status?: StepStatus | RunStatus;
}

/**
 * An edge of the workflow graph: `from` must succeed before `to` starts.
 */
export interface IGraphEdge {
  from: string;
  to: string;
}

/**
 * A workflow run's DAG: a node per step, labelled by its key, with its
 * notebook's file name below and its status; an edge per dependency.
 * Dependencies on steps the run does not list are left out.
 */
export function workflowGraph(
  steps: ReadonlyArray<
    Pick<WorkflowStep, 'key' | 'notebook' | 'status' | 'depends_on'>
  >
): { nodes: IGraphNode[]; edges: IGraphEdge[] } {
  const keys = new Set(steps.map(step => step.key));
  return {
    nodes: steps.map(step => ({
      key: step.key,
      label: step.key,
      sublabel: basename(step.notebook),
      status: step.status
    })),
    edges: steps.flatMap(step =>
      step.depends_on
        .filter(from => keys.has(from))
        .map(from => ({ from, to: step.key }))
    )
  };
}

/**
 * A step run's trigger in words: `step report of Daily report (workflow
 * run 4)`, or `step report of workflow run 4` once the workflow run is
 * deleted. `null` for a run that is not a workflow step.
 */
export function workflowStepTriggerLabel(
  trigger: Pick<
    RunTrigger,
    'kind' | 'workflow_run_id' | 'workflow_name' | 'step_key'
  >,
  trans: ITranslate
): string | null {
  if (trigger.kind !== 'workflow' || trigger.workflow_run_id === null) {
    return null;
  }
  const step = trigger.step_key ?? '?';
  const workflowName = trigger.workflow_name;
  return workflowName
    ? trans.__(
        'step %1 of %2 (workflow run %3)',
        step,
        workflowName,
        trigger.workflow_run_id
      )
    : trans.__('step %1 of workflow run %2', step, trigger.workflow_run_id);
}
