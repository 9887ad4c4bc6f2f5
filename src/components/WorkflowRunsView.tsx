import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import { PanelMessage } from './PanelMessage';
import { TabView } from './TabView';
import { useNow } from './useNow';
import { IWorkflowRunDetailsActions } from './WorkflowRunDetails';
import { WorkflowRunRow } from './WorkflowRunRow';

const VIEW_CLASS = 'jp-autoflow-RunsView jp-autoflow-WorkflowRunsView';
const BODY_CLASS =
  'jp-autoflow-RunsView-body jp-autoflow-WorkflowRunsView-body';
const LIST_CLASS = 'jp-autoflow-WorkflowRunsView-list';
const MORE_CLASS = 'jp-autoflow-WorkflowRunsView-more';

/**
 * How often the relative start times are brought up to date (ms).
 */
const CLOCK_INTERVAL = 5000;

/**
 * Props of {@link WorkflowRunsView}.
 */
export interface IWorkflowRunsViewProps extends IWorkflowRunDetailsActions {
  runs: ReadonlyArray<AutoflowAPI.IWorkflowRun>;
  /**
   * Whether the runs have been fetched at least once.
   */
  loaded: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  errorMessage: string | null;
  expanded: ReadonlySet<number>;
  busy: ReadonlySet<number>;
  /**
   * Shown at the left of the header (the sidebar's tabs).
   */
  heading: React.ReactNode;
  trans: TranslationBundle;
  onToggle: (run: AutoflowAPI.IWorkflowRun) => void;
  onLoadMore: () => void;
  onRefresh: () => void;
}

/**
 * The workflows tab: the workflow runs, newest first, each expandable into
 * its details; older runs load on demand.
 */
export function WorkflowRunsView(props: IWorkflowRunsViewProps): JSX.Element {
  const { runs, trans } = props;
  const now = useNow(true, CLOCK_INTERVAL);
  return (
    <TabView
      className={VIEW_CLASS}
      bodyClassName={BODY_CLASS}
      heading={props.heading}
      refreshLabel={trans.__('Refresh workflow runs')}
      onRefresh={props.onRefresh}
      errorMessage={props.errorMessage}
    >
      {!props.loaded && runs.length === 0 ? (
        <PanelMessage message={trans.__('Loading workflow runs…')} />
      ) : runs.length === 0 ? (
        <PanelMessage
          message={trans.__(
            'No workflow runs yet. Open a .autoflow.yaml file to run a workflow.'
          )}
        />
      ) : (
        <ul className={LIST_CLASS} aria-label={trans.__('Workflow runs')}>
          {runs.map(run => (
            <WorkflowRunRow
              key={run.id}
              run={run}
              expanded={props.expanded.has(run.id)}
              busy={props.busy.has(run.id)}
              now={now}
              trans={trans}
              onToggle={props.onToggle}
              onResume={props.onResume}
              onCancel={props.onCancel}
              onDelete={props.onDelete}
              onOpenStep={props.onOpenStep}
              onOpenStepLog={props.onOpenStepLog}
              onOpenReport={props.onOpenReport}
            />
          ))}
        </ul>
      )}
      {props.hasMore ? (
        <div className={MORE_CLASS}>
          <Button
            type="button"
            small
            minimal
            disabled={props.loadingMore}
            onClick={props.onLoadMore}
          >
            {props.loadingMore
              ? trans.__('Loading…')
              : trans.__('Load older workflow runs')}
          </Button>
        </div>
      ) : null}
    </TabView>
  );
}
