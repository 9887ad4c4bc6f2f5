import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import { errorWhere, formatDuration, formatFullTime } from '../format';
import {
  canResume,
  isWorkflowRunActive,
  stepStatusLabel,
  workflowGraph
} from '../workflowRuns';
import { dateRangeText } from '../dataTriggerText';
import { triggerLabel } from '../scheduleText';
import { ParameterList } from './ParameterList';
import { WorkflowGraph } from './WorkflowGraph';

const DETAILS_CLASS = 'jp-autoflow-WorkflowRunDetails';
const FIELDS_CLASS = 'jp-autoflow-WorkflowRunDetails-fields';
const ERROR_CLASS = 'jp-autoflow-WorkflowRunDetails-error';
const PARAMS_CLASS = 'jp-autoflow-WorkflowRunDetails-parameters';
const GRAPH_CLASS = 'jp-autoflow-WorkflowRunDetails-graph';
const STEPS_CLASS = 'jp-autoflow-WorkflowRunDetails-steps';
const STEP_CLASS = 'jp-autoflow-WorkflowStep';
const STEP_HEAD_CLASS = 'jp-autoflow-WorkflowStep-head';
const STEP_KEY_CLASS = 'jp-autoflow-WorkflowStep-key';
const STEP_STATUS_CLASS = 'jp-autoflow-WorkflowStep-status';
const STEP_META_CLASS = 'jp-autoflow-WorkflowStep-meta';
const STEP_MESSAGE_CLASS = 'jp-autoflow-WorkflowStep-message';
const LINKS_CLASS = 'jp-autoflow-WorkflowStep-links';
const LINK_CLASS = 'jp-autoflow-RunDetails-link';
const ACTIONS_CLASS = 'jp-autoflow-WorkflowRunDetails-actions';

/**
 * Width changes of the graph's box smaller than this do not redraw it (px).
 */
const WIDTH_STEP = 40;

/**
 * What the user can do with a workflow run and its steps.
 */
export interface IWorkflowRunDetailsActions {
  onResume: (run: AutoflowAPI.IWorkflowRun) => void;
  onCancel: (run: AutoflowAPI.IWorkflowRun) => void;
  /**
   * Delete after the user confirms.
   */
  onDelete: (run: AutoflowAPI.IWorkflowRun) => void;
  /**
   * Open a step's executed notebook (a failed one at the failing cell).
   */
  onOpenStep: (run: AutoflowAPI.IRun) => void;
  onOpenStepLog: (run: AutoflowAPI.IRun) => void;
  /**
   * Open a report: HTML in a Lab tab, PDF in Lab's viewer or downloaded.
   */
  onOpenReport: (report: AutoflowAPI.IRunReport) => void;
}

/**
 * Props of {@link WorkflowRunDetails}.
 */
export interface IWorkflowRunDetailsProps extends IWorkflowRunDetailsActions {
  id: string;
  run: AutoflowAPI.IWorkflowRun;
  busy: boolean;
  trans: TranslationBundle;
}

/**
 * A workflow run in full: why it failed, its parameters, its DAG coloured
 * by step status (clicking a step opens its executed notebook), and each
 * step with its attempts, message and links; then resume, cancel, delete.
 */
export function WorkflowRunDetails(
  props: IWorkflowRunDetailsProps
): JSX.Element {
  const { run, busy, trans } = props;
  const graph = React.useMemo(() => workflowGraph(run.steps), [run.steps]);
  const [graphBox, graphWidth] = useWidth();
  const active = isWorkflowRunActive(run);
  const onSelect = (key: string | null) => {
    const step = run.steps.find(s => s.key === key);
    if (step?.run && AutoflowAPI.canOpen(step.run)) {
      props.onOpenStep(step.run);
    }
  };
  return (
    <section
      id={props.id}
      className={DETAILS_CLASS}
      aria-label={trans.__('Details of workflow run #%1', run.id)}
    >
      {run.error ? (
        <p className={ERROR_CLASS} role="group" aria-label={trans.__('Error')}>
          {run.error}
        </p>
      ) : null}
      <dl className={FIELDS_CLASS}>
        <dt>{trans.__('Workflow')}</dt>
        <dd>{run.workflow}</dd>
        <dt>{trans.__('Parameters')}</dt>
        <dd>
          <ParameterList
            parameters={run.parameters}
            className={PARAMS_CLASS}
            trans={trans}
          />
        </dd>
        {run.reference_date ? (
          <>
            <dt>{trans.__('Data of')}</dt>
            <dd>
              {run.reference_date}
              {run.date_ranges?.length
                ? ` (${trans.__(
                    'date ranges %1',
                    run.date_ranges
                      .map(range => dateRangeText(range, trans))
                      .join(', ')
                  )})`
                : ''}
            </dd>
          </>
        ) : null}
        <dt>{trans.__('Started by')}</dt>
        <dd>{triggerLabel(run.trigger, trans)}</dd>
        <dt>{trans.__('Started')}</dt>
        <dd>{formatFullTime(run.started_at)}</dd>
        <dt>{trans.__('Duration')}</dt>
        <dd>{formatDuration(run.started_at, run.finished_at)}</dd>
      </dl>
      <div className={GRAPH_CLASS} ref={graphBox}>
        <WorkflowGraph
          // Drawn afresh when the sidebar is resized, to fit the new width.
          key={graphWidth}
          nodes={graph.nodes}
          edges={graph.edges}
          onSelect={onSelect}
          label={trans.__('Steps of workflow run #%1', run.id)}
        />
      </div>
      <ol className={STEPS_CLASS} aria-label={trans.__('Steps')}>
        {run.steps.map(step => (
          <StepItem key={step.key} step={step} {...props} />
        ))}
      </ol>
      <div className={ACTIONS_CLASS}>
        {canResume(run) ? (
          <Button
            type="button"
            small
            className="jp-mod-styled jp-mod-accept"
            disabled={busy}
            title={trans.__(
              'Run again the failed, skipped, cancelled and changed steps, and the steps after them, reusing the others'
            )}
            onClick={() => props.onResume(run)}
          >
            {trans.__('Resume')}
          </Button>
        ) : null}
        {active ? (
          <Button
            type="button"
            small
            className="jp-mod-styled jp-mod-reject"
            disabled={busy}
            onClick={() => props.onCancel(run)}
          >
            {trans.__('Cancel')}
          </Button>
        ) : (
          <Button
            type="button"
            small
            className="jp-mod-styled jp-mod-warn"
            disabled={busy}
            title={trans.__(
              "Delete the workflow run with its steps' runs, executed notebooks, logs and reports"
            )}
            onClick={() => props.onDelete(run)}
          >
            {trans.__('Delete')}
          </Button>
        )}
      </div>
    </section>
  );
}

/**
 * One step: its key, status, attempts, why it is skipped or retried, and
 * links to its executed notebook, log and reports.
 */
function StepItem(
  props: IWorkflowRunDetailsProps & { step: AutoflowAPI.IWorkflowStep }
): JSX.Element {
  const { step, trans } = props;
  const run = step.run;
  const error = run?.error ?? null;
  const where =
    error && run && run.status !== 'succeeded' ? errorWhere(error, trans) : '';
  return (
    <li className={STEP_CLASS} data-step={step.key} data-status={step.status}>
      <div className={STEP_HEAD_CLASS}>
        <span className={STEP_KEY_CLASS}>{step.key}</span>
        <span className={STEP_STATUS_CLASS} data-status={step.status}>
          {stepStatusLabel(step.status, trans)}
        </span>
        <span className={STEP_META_CLASS} title={step.notebook}>
          {step.attempts > 1
            ? trans.__('%1 attempts', step.attempts)
            : step.attempts === 1
              ? trans.__('1 attempt')
              : trans.__('not run')}
          {run ? ` · ${trans.__('run #%1', run.id)}` : ''}
        </span>
      </div>
      {step.message ? (
        <p className={STEP_MESSAGE_CLASS}>{step.message}</p>
      ) : null}
      {error && where && !step.message ? (
        <p className={STEP_MESSAGE_CLASS}>
          {trans.__('%1 in %2: %3', error.ename, where, error.evalue)}
        </p>
      ) : null}
      {run ? (
        <div className={LINKS_CLASS}>
          <button
            type="button"
            className={LINK_CLASS}
            disabled={!AutoflowAPI.canOpen(run)}
            onClick={() => props.onOpenStep(run)}
          >
            {where
              ? trans.__('Open notebook at %1', where)
              : trans.__('Open notebook')}
          </button>
          <button
            type="button"
            className={LINK_CLASS}
            disabled={!run.log || run.status === 'queued'}
            onClick={() => props.onOpenStepLog(run)}
          >
            {trans.__('Open log')}
          </button>
          {run.reports.map(report => (
            <button
              key={report.path}
              type="button"
              className={LINK_CLASS}
              title={report.path}
              onClick={() => props.onOpenReport(report)}
            >
              {report.format === 'pdf'
                ? trans.__('PDF report')
                : trans.__('HTML report')}
            </button>
          ))}
        </div>
      ) : null}
    </li>
  );
}

/**
 * A ref for an element and its width, rounded to {@link WIDTH_STEP} pixels.
 */
function useWidth(): [React.RefObject<HTMLDivElement>, number] {
  const ref = React.useRef<HTMLDivElement>(null);
  const [width, setWidth] = React.useState(0);
  React.useEffect(() => {
    const node = ref.current;
    if (!node) {
      return;
    }
    const observer = new ResizeObserver(() =>
      setWidth(Math.round(node.clientWidth / WIDTH_STEP) * WIDTH_STEP)
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}
