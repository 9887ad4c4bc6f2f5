import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { TranslationBundle } from '@jupyterlab/translation';
import { deleteIcon, runIcon, stopIcon } from '@jupyterlab/ui-components';

import { AutoflowAPI } from './api';
import { confirmDelete, idArgs, NO_ARGS } from './commandHelpers';
import { messageOf } from './format';
import { autoflowIcon } from './icons';
import { openCurrent, openRunLog } from './openRun';
import { WorkflowRunsModel } from './workflowRunsModel';
import { canResume, isWorkflowRunActive } from './workflowRuns';

/**
 * The IDs of the workflow run commands.
 */
export namespace WorkflowRunCommandIDs {
  /**
   * Reveal the workflow runs in the AutoFlow sidebar; with an `id`, expand
   * that workflow run.
   */
  export const show = 'autoflow:show-workflow-runs';
  /**
   * Re-run the failed, skipped, cancelled and changed steps of a finished
   * workflow run.
   */
  export const resume = 'autoflow:resume-workflow-run';
  /**
   * Cancel a queued or running workflow run.
   */
  export const cancel = 'autoflow:cancel-workflow-run';
  /**
   * Delete a finished workflow run, after the user confirms.
   */
  export const remove = 'autoflow:delete-workflow-run';
  /**
   * Refresh the workflow runs now.
   */
  export const refresh = 'autoflow:refresh-workflow-runs';
}

/**
 * What the workflow run commands need.
 */
export interface IWorkflowRunCommandsOptions {
  app: JupyterFrontEnd;
  model: WorkflowRunsModel;
  docManager: IDocumentManager;
  trans: TranslationBundle;
  /**
   * Reveal the sidebar's workflows tab.
   */
  showTab: () => void;
}

/**
 * Register the workflow run commands.
 */
export function addWorkflowRunCommands(
  options: IWorkflowRunCommandsOptions
): void {
  const { app, model, trans } = options;
  const { commands } = app;
  const runIdArgs = (what: string) =>
    idArgs(trans.__('The workflow run to %1', what), true);
  const runOf = (args: { readonly id?: unknown }) =>
    typeof args.id === 'number' ? model.find(args.id) : undefined;

  commands.addCommand(WorkflowRunCommandIDs.show, {
    label: trans.__('Show AutoFlow Workflow Runs'),
    caption: trans.__('Reveal the workflow runs in the AutoFlow sidebar'),
    icon: autoflowIcon,
    describedBy: idArgs(trans.__('A workflow run to show the details of')),
    execute: args => {
      options.showTab();
      if (typeof args.id === 'number') {
        model.expand(args.id);
      }
    }
  });

  commands.addCommand(WorkflowRunCommandIDs.refresh, {
    label: trans.__('Refresh AutoFlow Workflow Runs'),
    caption: trans.__('Fetch the workflow runs now'),
    describedBy: NO_ARGS,
    execute: () => model.refresh()
  });

  commands.addCommand(WorkflowRunCommandIDs.resume, {
    label: trans.__('Resume Workflow Run'),
    caption: trans.__(
      'Run again the failed, skipped, cancelled and changed steps, reusing the others'
    ),
    icon: runIcon,
    describedBy: runIdArgs(trans.__('resume')),
    isEnabled: args => {
      const run = runOf(args);
      return run !== undefined && canResume(run) && !model.busy.has(run.id);
    },
    execute: async args => {
      const run = runOf(args);
      if (!run) {
        return;
      }
      try {
        await model.resume(run.id);
        Notification.success(
          trans.__('Workflow run #%1 of %2 resumed', run.id, run.name),
          { autoClose: 5000 }
        );
      } catch (error) {
        Notification.error(
          trans.__(
            'Could not resume workflow run #%1: %2',
            run.id,
            messageOf(error)
          ),
          { autoClose: 10000 }
        );
      }
    }
  });

  commands.addCommand(WorkflowRunCommandIDs.cancel, {
    label: trans.__('Cancel Workflow Run'),
    caption: trans.__('Stop the running steps; pending ones never start'),
    icon: stopIcon,
    describedBy: runIdArgs(trans.__('cancel')),
    isEnabled: args => {
      const run = runOf(args);
      return (
        run !== undefined && isWorkflowRunActive(run) && !model.busy.has(run.id)
      );
    },
    execute: async args => {
      const run = runOf(args);
      if (!run) {
        return;
      }
      try {
        await model.cancel(run.id);
      } catch (error) {
        Notification.error(
          trans.__(
            'Could not cancel workflow run #%1: %2',
            run.id,
            messageOf(error)
          ),
          { autoClose: 10000 }
        );
      }
    }
  });

  commands.addCommand(WorkflowRunCommandIDs.remove, {
    label: trans.__('Delete Workflow Run…'),
    caption: trans.__(
      "Delete the workflow run with its steps' runs, executed notebooks, logs and reports"
    ),
    icon: deleteIcon,
    describedBy: runIdArgs(trans.__('delete')),
    isEnabled: args => {
      const run = runOf(args);
      return run !== undefined && !isWorkflowRunActive(run);
    },
    execute: async args => {
      const run = runOf(args);
      if (run && !isWorkflowRunActive(run)) {
        await deleteWorkflowRun(options, run);
      }
    }
  });
}

/**
 * Open a step's log; never throws.
 */
export async function openStepLog(
  options: Pick<IWorkflowRunCommandsOptions, 'docManager' | 'trans'>,
  run: AutoflowAPI.IRun
): Promise<void> {
  try {
    await openRunLog(options.docManager, run);
  } catch (error) {
    Notification.error(
      options.trans.__('Could not open %1: %2', run.log ?? '', messageOf(error))
    );
  }
}

/**
 * Open a report in a Lab tab: HTML in Lab's HTML viewer, PDF in its PDF
 * viewer; a file no viewer opens is downloaded. Never throws.
 */
export async function openReport(
  options: Pick<IWorkflowRunCommandsOptions, 'docManager' | 'trans'>,
  report: AutoflowAPI.IRunReport
): Promise<void> {
  const { docManager, trans } = options;
  try {
    const factories = docManager.registry.preferredWidgetFactories(report.path);
    if (factories.length > 0 && (await openCurrent(docManager, report.path))) {
      return;
    }
    const url = await docManager.services.contents.getDownloadUrl(report.path);
    const link = document.createElement('a');
    link.href = url;
    link.download = '';
    link.rel = 'noopener';
    document.body.appendChild(link);
    link.click();
    link.remove();
  } catch (error) {
    Notification.error(
      trans.__('Could not open %1: %2', report.path, messageOf(error))
    );
  }
}

/**
 * Ask the user to confirm, then delete a workflow run; never throws.
 */
async function deleteWorkflowRun(
  options: IWorkflowRunCommandsOptions,
  run: AutoflowAPI.IWorkflowRun
): Promise<void> {
  const { model, trans } = options;
  const confirmed = await confirmDelete(
    trans,
    trans.__('Delete workflow run #%1?', run.id),
    trans.__(
      "The run of %1 leaves the history, with its steps' runs; their executed notebooks, logs and reports are deleted. This cannot be undone.",
      run.workflow
    )
  );
  if (!confirmed) {
    return;
  }
  try {
    await model.delete(run.id);
    Notification.success(trans.__('Workflow run #%1 deleted', run.id), {
      autoClose: 5000
    });
  } catch (error) {
    Notification.error(
      trans.__(
        'Could not delete workflow run #%1: %2',
        run.id,
        messageOf(error)
      ),
      { autoClose: 10000 }
    );
  }
}
