import { TranslationBundle } from '@jupyterlab/translation';
import { caretDownIcon, caretRightIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import { startTitle } from '../format';
import { formatRelative } from '../scheduleText';
import { stepStatusLabel, stepsSummary } from '../workflowRuns';
import { StatusBadge } from './StatusBadge';
import {
  IWorkflowRunDetailsActions,
  WorkflowRunDetails
} from './WorkflowRunDetails';

const ROW_CLASS = 'jp-autoflow-WorkflowRunRow';
const TOGGLE_CLASS = 'jp-autoflow-WorkflowRunRow-toggle';
const CARET_CLASS = 'jp-autoflow-WorkflowRunRow-caret';
const NAME_CLASS = 'jp-autoflow-WorkflowRunRow-name';
const ID_CLASS = 'jp-autoflow-WorkflowRunRow-id';
const FILE_CLASS = 'jp-autoflow-WorkflowRunRow-file';
const START_CLASS = 'jp-autoflow-WorkflowRunRow-start';
const PILLS_CLASS = 'jp-autoflow-WorkflowRunRow-steps';
const PILL_CLASS = 'jp-autoflow-StepPill';

/**
 * Props of {@link WorkflowRunRow}.
 */
export interface IWorkflowRunRowProps extends IWorkflowRunDetailsActions {
  run: AutoflowAPI.IWorkflowRun;
  expanded: boolean;
  /**
   * Whether an action on the run is in flight.
   */
  busy: boolean;
  /**
   * Current time in ms, for the relative start time.
   */
  now: number;
  trans: TranslationBundle;
  onToggle: (run: AutoflowAPI.IWorkflowRun) => void;
}

/**
 * One workflow run: its name, file, status, when it started and a pill per
 * step with the step's status. Its toggle shows the run's details below.
 */
function WorkflowRunRowComponent(props: IWorkflowRunRowProps): JSX.Element {
  const { run, expanded, now, trans } = props;
  const detailsId = React.useId();
  const Caret = expanded ? caretDownIcon : caretRightIcon;
  const started = run.started_at ?? run.created_at;
  return (
    <li
      className={ROW_CLASS}
      data-workflow-run-id={run.id}
      data-status={run.status}
      data-expanded={expanded ? 'true' : undefined}
    >
      <button
        type="button"
        className={TOGGLE_CLASS}
        aria-expanded={expanded}
        aria-controls={expanded ? detailsId : undefined}
        aria-label={trans.__(
          '%1, %2, workflow run #%3',
          run.name,
          run.status,
          run.id
        )}
        title={trans.__('Show or hide the details of workflow run #%1', run.id)}
        onClick={() => props.onToggle(run)}
      >
        <Caret.react className={CARET_CLASS} tag="span" aria-hidden="true" />
        <span className={NAME_CLASS}>{run.name}</span>
        <span className={ID_CLASS}>#{run.id}</span>
        <StatusBadge status={run.status} trans={trans} />
        <span className={START_CLASS} title={startTitle(run, trans)}>
          {formatRelative(started, now, trans)}
        </span>
        <span className={FILE_CLASS} title={run.workflow}>
          {run.workflow}
        </span>
      </button>
      <ul
        className={PILLS_CLASS}
        aria-label={stepsSummary(run.steps, trans)}
        title={stepsSummary(run.steps, trans)}
      >
        {run.steps.map(step => (
          <li
            key={step.key}
            className={PILL_CLASS}
            data-status={step.status}
            data-step={step.key}
            title={step.message ?? stepStatusLabel(step.status, trans)}
          >
            {trans.__('%1: %2', step.key, stepStatusLabel(step.status, trans))}
          </li>
        ))}
      </ul>
      {expanded ? (
        <WorkflowRunDetails
          id={detailsId}
          run={run}
          busy={props.busy}
          trans={trans}
          onResume={props.onResume}
          onCancel={props.onCancel}
          onDelete={props.onDelete}
          onOpenStep={props.onOpenStep}
          onOpenStepLog={props.onOpenStepLog}
          onOpenReport={props.onOpenReport}
        />
      ) : null}
    </li>
  );
}

/**
 * A row re-renders only when its run or state changes.
 */
export const WorkflowRunRow = React.memo(WorkflowRunRowComponent);
