import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { ToolbarButton } from '@jupyterlab/ui-components';
import { IDisposable } from '@lumino/disposable';

import { idArgs } from './commandHelpers';
import { ICommandContext, saveIfOpenAndDirty } from './commands';
import { messageOf } from './format';
import { ParametersToolbarExtension } from './widgets/ParametersCellToolbar';
import { RunButtonExtension } from './widgets/RunButtonExtension';
import { editSchedule, scheduleNotebook } from './widgets/ScheduleDialog';
import { isWorkflowPath, WORKFLOW_FILE_TYPE } from './workflowFiles';

/**
 * The command IDs of the Schedule dialog.
 */
export namespace ScheduleCommandIDs {
  /**
   * Set up a schedule of a notebook or workflow in a dialog: the `path` argument, else
   * the one selected in the file browser (`fileBrowser`), else the current
   * one. Resolves with the schedule created, or `null`.
   */
  export const scheduleNotebook = 'autoflow:schedule-notebook';
  /**
   * Change the schedule with the `id` argument in the same dialog. Resolves
   * with the schedule as saved, or `null`.
   */
  export const editSchedule = 'autoflow:edit-schedule';
}

/**
 * Selector of notebooks in the file browser.
 */
const NOTEBOOK_ITEM_SELECTOR = '.jp-DirListing-item[data-file-type="notebook"]';

/**
 * Selector of workflow definitions in the file browser.
 */
const WORKFLOW_ITEM_SELECTOR = `.jp-DirListing-item[data-file-type="${WORKFLOW_FILE_TYPE}"]`;

const BUTTON_CLASS = 'jp-autoflow-ScheduleButton';

/**
 * Register the schedule dialog's commands, the notebook toolbar button, the
 * file browser's context menu item and the palette items.
 */
export function addScheduleCommands(
  context: ICommandContext,
  palette: ICommandPalette | null
): void {
  const { app, tracker, trans } = context;
  const { commands } = app;
  const dialogContext = { client: context.model.client, trans };

  const schedule = async (target: NotebookPanel | string) => {
    const path = typeof target === 'string' ? target : target.context.path;
    try {
      if (typeof target === 'string') {
        if (!(await saveIfOpenAndDirty(context, path))) {
          return null;
        }
      } else {
        await target.context.ready;
        if (target.context.model.dirty) {
          await target.context.save();
        }
      }
    } catch (error) {
      Notification.error(
        trans.__('Could not save %1: %2', path, messageOf(error))
      );
      return null;
    }
    return scheduleNotebook(
      dialogContext,
      app.serviceManager.contents.localPath(path)
    );
  };

  commands.addCommand(ScheduleCommandIDs.scheduleNotebook, {
    label: trans.__('Schedule…'),
    caption: trans.__(
      'Run the notebook with AutoFlow on a schedule: cron, interval or once'
    ),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          path: {
            type: 'string',
            description: trans.__('The notebook or workflow to schedule')
          },
          fileBrowser: {
            type: 'boolean',
            description: trans.__(
              'Schedule the notebook selected in the file browser'
            )
          }
        }
      }
    },
    isEnabled: args => targetOf(args) !== null,
    execute: async args => {
      const target = targetOf(args);
      return target === null ? null : schedule(target);
    }
  });

  commands.addCommand(ScheduleCommandIDs.editSchedule, {
    label: trans.__('Edit Schedule…'),
    caption: trans.__('Change a schedule’s trigger, parameters and limits'),
    describedBy: idArgs(trans.__('The schedule to edit'), true),
    isEnabled: args => typeof args.id === 'number',
    execute: async args =>
      typeof args.id === 'number' ? editSchedule(dialogContext, args.id) : null
  });

  /**
   * The notebook to schedule: the `path` argument, else the one selected in
   * the file browser (from its menu), else the current one.
   */
  function targetOf(args: {
    readonly [key: string]: unknown;
  }): NotebookPanel | string | null {
    if (typeof args.path === 'string') {
      return args.path;
    }
    if (args.fileBrowser === true) {
      const browser = context.browserFactory?.tracker.currentWidget;
      const selected = browser
        ? Array.from(browser.selectedItems()).filter(
            item => item.type === 'notebook' || isWorkflowPath(item.path)
          )
        : [];
      return selected.length === 1 ? selected[0].path : null;
    }
    return tracker.currentWidget;
  }

  tracker.currentChanged.connect(() =>
    commands.notifyCommandChanged(ScheduleCommandIDs.scheduleNotebook)
  );

  app.docRegistry.addWidgetExtension(
    'Notebook',
    new ScheduleButtonExtension({ trans, schedule: panel => schedule(panel) })
  );

  for (const selector of [NOTEBOOK_ITEM_SELECTOR, WORKFLOW_ITEM_SELECTOR]) {
    app.contextMenu.addItem({
      command: ScheduleCommandIDs.scheduleNotebook,
      selector,
      args: { fileBrowser: true },
      rank: 3
    });
  }

  palette?.addItem({
    command: ScheduleCommandIDs.scheduleNotebook,
    category: trans.__('AutoFlow')
  });
}

/**
 * Adds a "Schedule…" button to every notebook toolbar, after the other
 * AutoFlow buttons. It schedules the notebook it belongs to.
 */
class ScheduleButtonExtension implements DocumentRegistry.IWidgetExtension<
  NotebookPanel,
  INotebookModel
> {
  constructor(options: {
    trans: TranslationBundle;
    schedule: (panel: NotebookPanel) => Promise<unknown>;
  }) {
    this._options = options;
  }

  createNew(panel: NotebookPanel): IDisposable {
    const { trans } = this._options;
    const button = new ToolbarButton({
      className: BUTTON_CLASS,
      label: trans.__('Schedule…'),
      tooltip: trans.__('Save this notebook and run it on a schedule'),
      onClick: () => void this._options.schedule(panel)
    });
    // After every extension's createNew and the microtasks they queue, so
    // the other AutoFlow buttons are in place.
    void Promise.resolve()
      .then(() => undefined)
      .then(() => {
        if (button.isDisposed) {
          return;
        }
        const toolbar = panel.toolbar;
        const after = [
          ParametersToolbarExtension.TOGGLE_NAME,
          ParametersToolbarExtension.RUN_NAME,
          RunButtonExtension.NAME
        ];
        if (!after.some(name => toolbar.insertAfter(name, NAME, button))) {
          toolbar.addItem(NAME, button);
        }
      });
    return button;
  }

  private _options: {
    trans: TranslationBundle;
    schedule: (panel: NotebookPanel) => Promise<unknown>;
  };
}

/**
 * The toolbar item name of the button.
 */
const NAME = 'autoflowSchedule';
