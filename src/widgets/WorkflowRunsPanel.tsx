import { JupyterFrontEnd } from '@jupyterlab/application';
import { TranslationBundle } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import { WorkflowRunsView } from '../components/WorkflowRunsView';
import { WorkflowRunCommandIDs } from '../workflowRunCommands';
import { WorkflowRunsModel } from '../workflowRunsModel';

/**
 * What the workflows tab needs.
 */
export interface IWorkflowRunsTabOptions {
  model: WorkflowRunsModel;
  commands: JupyterFrontEnd['commands'];
  trans: TranslationBundle;
  openStep: (run: AutoflowAPI.IRun) => void;
  openStepLog: (run: AutoflowAPI.IRun) => void;
  openReport: (report: AutoflowAPI.IRunReport) => void;
}

/**
 * The workflows tab of the sidebar: the workflow runs view on its model,
 * its buttons running the workflow run commands.
 *
 * @returns A function rendering the tab with the sidebar's tab list in its
 *   header
 */
export function workflowRunsTab(
  options: IWorkflowRunsTabOptions
): (heading: React.ReactNode) => JSX.Element {
  const { model, commands, trans } = options;
  const ids = WorkflowRunCommandIDs;
  const byId = (command: string) => (run: { id: number }) =>
    void commands.execute(command, { id: run.id });
  const actions = {
    onToggle: (run: { id: number }) => model.toggleExpanded(run.id),
    onResume: byId(ids.resume),
    onCancel: byId(ids.cancel),
    onDelete: byId(ids.remove),
    onOpenStep: options.openStep,
    onOpenStepLog: options.openStepLog,
    onOpenReport: options.openReport,
    onLoadMore: () => void model.loadMore(),
    onRefresh: () => void model.refresh()
  };
  return heading => (
    <UseSignal signal={model.changed}>
      {() => (
        <WorkflowRunsView
          runs={model.runs}
          loaded={model.loaded}
          hasMore={model.hasMore}
          loadingMore={model.loadingMore}
          errorMessage={model.errorMessage}
          expanded={model.expanded}
          busy={model.busy}
          heading={heading}
          trans={trans}
          {...actions}
        />
      )}
    </UseSignal>
  );
}
