import { TranslationBundle } from '@jupyterlab/translation';
import {
  Button,
  closeIcon,
  ToolbarButtonComponent
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import {
  basename,
  errorWhere,
  firstLine,
  formatDuration,
  formatFullTime,
  MISSING,
  STOP_ERROR_NAMES
} from '../format';
import { triggerLabel } from '../scheduleText';
import { limitsText } from './RunRow';
import { ParameterList } from './ParameterList';
import { RunProgress } from './RunProgress';
import { StatusBadge } from './StatusBadge';
import { useNow } from './useNow';

const DETAILS_CLASS = 'jp-autoflow-RunDetails';
const HEADER_CLASS = 'jp-autoflow-RunDetails-header';
const TITLE_CLASS = 'jp-autoflow-RunDetails-title';
const FIELDS_CLASS = 'jp-autoflow-RunDetails-fields';
const PARAMS_CLASS = 'jp-autoflow-RunDetails-parameters';
const ERROR_CLASS = 'jp-autoflow-RunDetails-error';
const SOURCE_CLASS = 'jp-autoflow-RunDetails-source';
const LINKS_CLASS = 'jp-autoflow-RunDetails-links';
const LINK_CLASS = 'jp-autoflow-RunDetails-link';
const ACTIONS_CLASS = 'jp-autoflow-RunDetails-actions';

/**
 * What the user can do from the detail view.
 */
export interface IRunDetailsActions {
  onClose: () => void;
  onOpen: (run: AutoflowAPI.IRun) => void;
  onOpenLog: (run: AutoflowAPI.IRun) => void;
  onRerun: (run: AutoflowAPI.IRun) => void;
  onCancel: (run: AutoflowAPI.IRun) => void;
  onDelete: (run: AutoflowAPI.IRun) => void;
  /**
   * Show only the runs of this notebook.
   */
  onFilterNotebook: (notebook: string) => void;
  /**
   * Show only the runs this schedule started.
   */
  onFilterSchedule?: (schedule: number) => void;
}

/**
 * Props of {@link RunDetails}.
 */
export interface IRunDetailsProps extends IRunDetailsActions {
  run: AutoflowAPI.IRun;
  cancelling: boolean;
  trans: TranslationBundle;
}

/**
 * Everything about one run, with links to its executed notebook and log
 * and the actions re-run, cancel and delete. Escape closes it.
 */
export function RunDetails(props: IRunDetailsProps): JSX.Element {
  const { run, cancelling, trans } = props;
  const now = useNow(run.status === 'running');
  const heading = React.useRef<HTMLHeadingElement>(null);
  const headingId = React.useId();

  // Take the focus to the details when another run is shown.
  React.useEffect(() => {
    heading.current?.focus();
  }, [run.id]);

  const active = AutoflowAPI.isActive(run);
  const error = run.error;
  const where = error ? errorWhere(error, trans) : '';
  const source = firstLine(error?.cell_source);
  const limits = limitsText(run, trans);

  return (
    <section
      className={DETAILS_CLASS}
      aria-labelledby={headingId}
      data-run-id={run.id}
      onKeyDown={event => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          props.onClose();
        }
      }}
    >
      <div className={HEADER_CLASS}>
        <h3
          id={headingId}
          ref={heading}
          className={TITLE_CLASS}
          tabIndex={-1}
          title={run.notebook}
        >
          {trans.__('Run #%1 of %2', run.id, basename(run.notebook))}
        </h3>
        <ToolbarButtonComponent
          icon={closeIcon}
          tooltip={trans.__('Close details')}
          aria-label={trans.__('Close details')}
          onClick={props.onClose}
        />
      </div>
      <dl className={FIELDS_CLASS}>
        <dt>{trans.__('Status')}</dt>
        <dd>
          <StatusBadge status={run.status} trans={trans} />
        </dd>
        {run.status === 'running' ? (
          <>
            <dt>{trans.__('Progress')}</dt>
            <dd>
              <RunProgress
                runId={run.id}
                progress={run.progress ?? null}
                trans={trans}
              />
            </dd>
          </>
        ) : run.progress ? (
          <>
            <dt>{trans.__('Progress')}</dt>
            <dd>
              {trans.__(
                '%1 of %2 code cells',
                run.progress.cells_done,
                run.progress.cells_total
              )}
            </dd>
          </>
        ) : null}
        <dt>{trans.__('Notebook')}</dt>
        <dd>
          <button
            type="button"
            className={LINK_CLASS}
            title={trans.__('Show only the runs of this notebook')}
            onClick={() => props.onFilterNotebook(run.notebook)}
          >
            {run.notebook}
          </button>
        </dd>
        <dt>{trans.__('Parameters')}</dt>
        <dd>
          <ParameterList
            parameters={run.parameters}
            className={PARAMS_CLASS}
            trans={trans}
          />
        </dd>
        <dt>{trans.__('Kernel')}</dt>
        <dd>{run.kernel_name ?? MISSING}</dd>
        {run.executed_on ? (
          <>
            <dt>{trans.__('Executed on')}</dt>
            <dd>{run.executed_on}</dd>
          </>
        ) : null}
        <dt>{trans.__('Started by')}</dt>
        <dd>
          <TriggerField
            run={run}
            trans={trans}
            onFilterSchedule={props.onFilterSchedule}
          />
        </dd>
        {run.trigger?.scheduled_for ? (
          <>
            <dt>{trans.__('Scheduled for')}</dt>
            <dd>{formatFullTime(run.trigger.scheduled_for)}</dd>
          </>
        ) : null}
        <dt>{trans.__('Queued')}</dt>
        <dd>{formatFullTime(run.created_at)}</dd>
        <dt>{trans.__('Started')}</dt>
        <dd>{formatFullTime(run.started_at)}</dd>
        <dt>{trans.__('Finished')}</dt>
        <dd>{formatFullTime(run.finished_at)}</dd>
        <dt>{trans.__('Duration')}</dt>
        <dd>{formatDuration(run.started_at, run.finished_at, now)}</dd>
        {limits ? (
          <>
            <dt>{trans.__('Time limits')}</dt>
            <dd>{limits}</dd>
          </>
        ) : null}
      </dl>
      {error ? (
        <div
          className={ERROR_CLASS}
          role="group"
          aria-label={trans.__('Error')}
        >
          <p>
            {STOP_ERROR_NAMES.includes(error.ename)
              ? error.evalue
              : where
                ? trans.__('%1 in %2: %3', error.ename, where, error.evalue)
                : trans.__('%1: %2', error.ename, error.evalue)}
          </p>
          {source ? (
            <pre className={SOURCE_CLASS} title={error.cell_source ?? ''}>
              {source}
            </pre>
          ) : null}
        </div>
      ) : null}
      <div className={LINKS_CLASS}>
        <button
          type="button"
          className={LINK_CLASS}
          disabled={!AutoflowAPI.canOpen(run)}
          onClick={() => props.onOpen(run)}
        >
          {error && where && run.status !== 'succeeded'
            ? trans.__('Open executed notebook at %1', where)
            : trans.__('Open executed notebook')}
        </button>
        <button
          type="button"
          className={LINK_CLASS}
          disabled={!run.log || run.status === 'queued'}
          onClick={() => props.onOpenLog(run)}
        >
          {trans.__('Open log')}
        </button>
      </div>
      <div className={ACTIONS_CLASS}>
        <Button
          type="button"
          small
          className="jp-mod-styled jp-mod-accept"
          title={trans.__(
            'Run the notebook again with the same parameters, kernel and time limits'
          )}
          onClick={() => props.onRerun(run)}
        >
          {trans.__('Re-run')}
        </Button>
        {active ? (
          <Button
            type="button"
            small
            className="jp-mod-styled jp-mod-reject"
            disabled={cancelling}
            onClick={() => props.onCancel(run)}
          >
            {cancelling ? trans.__('Cancelling…') : trans.__('Cancel')}
          </Button>
        ) : (
          <Button
            type="button"
            small
            className="jp-mod-styled jp-mod-warn"
            title={trans.__('Delete the run, its executed notebook and log')}
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
 * Who started the run: a schedule (a link to its runs while it exists),
 * someone in JupyterLab or through the REST API, or the command line.
 */
function TriggerField(props: {
  run: AutoflowAPI.IRun;
  trans: TranslationBundle;
  onFilterSchedule?: (schedule: number) => void;
}): JSX.Element {
  const { run, trans, onFilterSchedule } = props;
  const trigger = run.trigger;
  if (trigger?.kind === 'schedule') {
    const id = trigger.schedule_id;
    const label = !trigger.schedule_name
      ? triggerLabel(trigger, trans)
      : trigger.reference_date
        ? trans.__(
            'schedule %1, data of %2',
            trigger.schedule_name,
            trigger.reference_date
          )
        : trans.__('schedule %1', trigger.schedule_name);
    if (id === null || !trigger.schedule_name || !onFilterSchedule) {
      return <>{label}</>;
    }
    return (
      <button
        type="button"
        className={LINK_CLASS}
        title={trans.__('Show only the runs of this schedule')}
        onClick={() => onFilterSchedule(id)}
      >
        {label}
      </button>
    );
  }
  if (trigger?.kind === 'cli') {
    return <>{trans.__('the autoflow command')}</>;
  }
  if (trigger?.kind === 'workflow') {
    return <WorkflowTrigger trigger={trigger} trans={trans} />;
  }
  return <>{trans.__('JupyterLab or the REST API')}</>;
}

/**
 * The workflow run a step's run belongs to, named when known.
 */
function WorkflowTrigger(props: {
  trigger: AutoflowAPI.IRunTrigger;
  trans: TranslationBundle;
}): JSX.Element {
  const { trigger, trans } = props;
  return <>{triggerLabel(trigger, trans)}</>;
}
