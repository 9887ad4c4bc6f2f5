import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import {
  deleteIcon,
  infoIcon,
  refreshIcon,
  runIcon,
  stopIcon
} from '@jupyterlab/ui-components';

import { AutoflowAPI } from './api';
import { confirmDelete, idArgs, NO_ARGS } from './commandHelpers';
import { basename, messageOf } from './format';
import { autoflowIcon } from './icons';
import { RunsModel } from './model';
import { openRunLog, openRunOutput } from './openRun';
import { RunsPanel } from './widgets/RunsPanel';

/**
 * The command IDs used by AutoFlow Lab.
 */
export namespace CommandIDs {
  /**
   * Save the current notebook and queue a run of it.
   */
  export const runNotebook = 'autoflow:run-notebook';
  /**
   * Queue runs of the notebooks selected in the file browser.
   */
  export const runFile = 'autoflow:run-file';
  /**
   * Refresh the run list now.
   */
  export const refresh = 'autoflow:refresh-runs';
  /**
   * Reveal the AutoFlow sidebar.
   */
  export const showRuns = 'autoflow:show-runs';
  /**
   * Open the log of the run under the context menu.
   */
  export const openLog = 'autoflow:open-run-log';
  /**
   * Cancel a queued or running run: the one named by the `id` argument, else
   * the one under the context menu.
   */
  export const cancelRun = 'autoflow:cancel-run';
  /**
   * Queue a new run like an earlier one: same notebook, parameters, kernel
   * and time limits.
   */
  export const rerun = 'autoflow:rerun';
  /**
   * Delete a finished run, after the user confirms.
   */
  export const deleteRun = 'autoflow:delete-run';
  /**
   * Show a run in the sidebar's detail view.
   */
  export const showDetails = 'autoflow:show-run-details';
}

/**
 * Selector of a run row, the target of the run context menu.
 */
export const RUN_ROW_SELECTOR = '.jp-autoflow-RunRow[data-run-id]';

/**
 * What the commands need from the application.
 */
export interface ICommandContext {
  app: JupyterFrontEnd;
  model: RunsModel;
  tracker: INotebookTracker;
  docManager: IDocumentManager;
  browserFactory: IFileBrowserFactory | null;
  trans: TranslationBundle;
}

/**
 * Command arguments: the run's `id`, by default the run under the context
 * menu.
 */
function runIdArgs(trans: TranslationBundle, what: string) {
  return idArgs(
    trans.__('The run to %1; by default the one under the context menu', what)
  );
}

/**
 * Register the AutoFlow commands.
 */
export function addCommands(context: ICommandContext): void {
  const { app, tracker, trans } = context;
  const { commands, shell } = app;

  const isNotebookCurrent = (): boolean =>
    tracker.currentWidget !== null &&
    tracker.currentWidget === shell.currentWidget;

  commands.addCommand(CommandIDs.runNotebook, {
    label: trans.__('Run with AutoFlow'),
    caption: trans.__('Save this notebook and run it with AutoFlow'),
    icon: autoflowIcon,
    describedBy: NO_ARGS,
    isEnabled: isNotebookCurrent,
    execute: async () => {
      const panel = tracker.currentWidget;
      if (panel && isNotebookCurrent()) {
        await runNotebookPanel(context, panel);
      }
    }
  });

  commands.addCommand(CommandIDs.runFile, {
    label: trans.__('Run with AutoFlow'),
    caption: trans.__('Run the selected notebooks with AutoFlow'),
    icon: autoflowIcon,
    describedBy: NO_ARGS,
    isVisible: () => selectedNotebooks(context).length > 0,
    execute: async () => {
      for (const path of selectedNotebooks(context)) {
        if (await saveIfOpenAndDirty(context, path)) {
          await submitRun(context, path);
        }
      }
    }
  });

  commands.addCommand(CommandIDs.refresh, {
    label: trans.__('Refresh AutoFlow Runs'),
    caption: trans.__('Fetch the AutoFlow run list now'),
    icon: refreshIcon,
    describedBy: NO_ARGS,
    execute: () => context.model.refresh()
  });

  commands.addCommand(CommandIDs.showRuns, {
    label: trans.__('Show AutoFlow Runs'),
    caption: trans.__('Reveal the AutoFlow sidebar'),
    icon: autoflowIcon,
    describedBy: NO_ARGS,
    execute: () => shell.activateById(RunsPanel.ID)
  });

  commands.addCommand(CommandIDs.openLog, {
    label: trans.__('Open Run Log'),
    caption: trans.__("Open the run's kernel output and engine messages"),
    describedBy: runIdArgs(trans, trans.__('open the log of')),
    isEnabled: args => Boolean(runOfCommand(context, args)?.log),
    execute: async args => {
      const run = runOfCommand(context, args);
      if (!run) {
        return;
      }
      try {
        if (!(await openRunLog(context.docManager, run))) {
          Notification.info(
            trans.__('Run #%1 has no log until it starts.', run.id)
          );
        }
      } catch (error) {
        Notification.error(
          trans.__('Could not open %1: %2', run.log ?? '', messageOf(error))
        );
      }
    }
  });

  commands.addCommand(CommandIDs.rerun, {
    label: trans.__('Re-run'),
    caption: trans.__(
      'Run the notebook again with the same parameters, kernel and time limits'
    ),
    icon: runIcon,
    describedBy: runIdArgs(trans, trans.__('run again')),
    isEnabled: args => runOfCommand(context, args) !== undefined,
    execute: async args => {
      const run = runOfCommand(context, args);
      if (!run) {
        return;
      }
      try {
        const queued = await context.model.rerun(run);
        Notification.success(
          trans.__(
            'Run #%1 of %2 queued',
            queued.id,
            basename(queued.notebook)
          ),
          { autoClose: 5000 }
        );
      } catch (error) {
        Notification.error(
          trans.__('Could not re-run run #%1: %2', run.id, messageOf(error)),
          { autoClose: 10000 }
        );
      }
    }
  });

  commands.addCommand(CommandIDs.deleteRun, {
    label: trans.__('Delete Run…'),
    caption: trans.__('Delete the run, its executed notebook and log'),
    icon: deleteIcon,
    describedBy: runIdArgs(trans, trans.__('delete')),
    isEnabled: args => {
      const run = runOfCommand(context, args);
      return run !== undefined && !AutoflowAPI.isActive(run);
    },
    execute: async args => {
      const run = runOfCommand(context, args);
      if (run && !AutoflowAPI.isActive(run)) {
        await deleteRun(context, run);
      }
    }
  });

  commands.addCommand(CommandIDs.showDetails, {
    label: trans.__('Show Run Details'),
    caption: trans.__('Show the run in the AutoFlow sidebar'),
    icon: infoIcon,
    describedBy: runIdArgs(trans, trans.__('show')),
    execute: args => {
      const id =
        typeof args.id === 'number' ? args.id : runOfCommand(context, args)?.id;
      if (id !== undefined) {
        context.model.select(id);
        shell.activateById(RunsPanel.ID);
      }
    }
  });

  commands.addCommand(CommandIDs.cancelRun, {
    label: trans.__('Cancel Run'),
    caption: trans.__('Stop the run, or take it off the queue'),
    icon: stopIcon,
    describedBy: runIdArgs(trans, trans.__('cancel')),
    isEnabled: args => {
      const run = runOfCommand(context, args);
      return (
        run !== undefined &&
        AutoflowAPI.canCancel(run) &&
        !context.model.cancelling.has(run.id)
      );
    },
    execute: async args => {
      const run = runOfCommand(context, args);
      if (run && AutoflowAPI.canCancel(run)) {
        await cancelRun(context, run.id);
      }
    }
  });

  const notify = () => commands.notifyCommandChanged(CommandIDs.runNotebook);
  tracker.currentChanged.connect(notify);
  shell.currentChanged?.connect(notify);
}

/**
 * Save a notebook, queue a run of it, tell the user and reveal the sidebar.
 */
export async function runNotebookPanel(
  context: ICommandContext,
  panel: NotebookPanel
): Promise<void> {
  try {
    await panel.context.ready;
    await panel.context.save();
  } catch (error) {
    notifySaveError(context, panel.context.path, error);
    return;
  }
  await submitRun(context, panel.context.path);
}

/**
 * Queue a run and report the outcome; never throws.
 */
async function submitRun(
  context: ICommandContext,
  path: string
): Promise<void> {
  const { app, model, trans } = context;
  const notebook = app.serviceManager.contents.localPath(path);
  try {
    const run = await model.submit(notebook);
    Notification.success(
      trans.__('Run #%1 of %2 queued', run.id, basename(notebook)),
      { autoClose: 5000 }
    );
    app.shell.activateById(RunsPanel.ID);
  } catch (error) {
    Notification.error(messageOf(error), { autoClose: 10000 });
  }
}

/**
 * Open a run's executed notebook (at the failing cell); never throws.
 */
export async function openRun(
  context: Pick<ICommandContext, 'docManager' | 'trans'>,
  run: AutoflowAPI.IRun
): Promise<void> {
  try {
    await openRunOutput(context.docManager, run);
  } catch (error) {
    Notification.error(
      context.trans.__(
        'Could not open %1: %2',
        run.output ?? run.notebook,
        messageOf(error)
      )
    );
  }
}

/**
 * Ask the user to confirm, then delete a run; never throws.
 */
async function deleteRun(
  context: ICommandContext,
  run: AutoflowAPI.IRun
): Promise<void> {
  const { trans } = context;
  const confirmed = await confirmDelete(
    trans,
    trans.__('Delete run #%1?', run.id),
    trans.__(
      'The run of %1 leaves the history, and its executed notebook and log are deleted. This cannot be undone.',
      run.notebook
    )
  );
  if (!confirmed) {
    return;
  }
  try {
    await context.model.delete(run.id);
    Notification.success(trans.__('Run #%1 deleted', run.id), {
      autoClose: 5000
    });
  } catch (error) {
    Notification.error(
      trans.__('Could not delete run #%1: %2', run.id, messageOf(error)),
      { autoClose: 10000 }
    );
  }
}

/**
 * Cancel a run and report a refusal; never throws. The model refreshes the
 * list, where the row then shows the run cancelled.
 */
async function cancelRun(context: ICommandContext, id: number): Promise<void> {
  try {
    await context.model.cancel(id);
  } catch (error) {
    Notification.error(
      context.trans.__('Could not cancel run #%1: %2', id, messageOf(error)),
      { autoClose: 10000 }
    );
  }
}

/**
 * The run named by a command's `id` argument, else the one under the
 * context menu.
 */
function runOfCommand(
  context: ICommandContext,
  args: { readonly id?: unknown }
): AutoflowAPI.IRun | undefined {
  if (typeof args.id === 'number') {
    return context.model.findRun(args.id);
  }
  return runUnderContextMenu(context);
}

/**
 * The run whose row the context menu was opened on.
 */
function runUnderContextMenu(
  context: ICommandContext
): AutoflowAPI.IRun | undefined {
  const row = context.app.contextMenuHitTest(node =>
    node.matches(RUN_ROW_SELECTOR)
  );
  const id = Number(row?.dataset.runId);
  return Number.isInteger(id) ? context.model.findRun(id) : undefined;
}

/**
 * Paths of the notebooks selected in the current file browser.
 */
function selectedNotebooks(context: ICommandContext): string[] {
  const browser = context.browserFactory?.tracker.currentWidget;
  if (!browser) {
    return [];
  }
  return Array.from(browser.selectedItems())
    .filter(item => item.type === 'notebook')
    .map(item => item.path);
}

/**
 * Save unsaved changes of an open notebook so the run sees them.
 *
 * @returns Whether the notebook on disk is up to date
 */
export async function saveIfOpenAndDirty(
  context: ICommandContext,
  path: string
): Promise<boolean> {
  const widget = context.docManager.findWidget(path);
  if (!widget?.context.model.dirty) {
    return true;
  }
  try {
    await widget.context.save();
    return true;
  } catch (error) {
    notifySaveError(context, path, error);
    return false;
  }
}

function notifySaveError(
  context: ICommandContext,
  path: string,
  error: unknown
): void {
  Notification.error(
    context.trans.__('Could not save %1: %2', path, messageOf(error))
  );
}
