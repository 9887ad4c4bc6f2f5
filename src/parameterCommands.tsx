import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { NotebookPanel } from '@jupyterlab/notebook';
import { tagIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ICommandContext, saveIfOpenAndDirty } from './commands';
import { messageOf } from './format';
import { autoflowIcon } from './icons';
import { NotebookParametersModel } from './parametersModel';
import {
  canTagActiveCell,
  hasParametersTag,
  ParametersCellBadges,
  toggleParametersCell
} from './widgets/ParametersCell';
import { ParametersToolbarExtension } from './widgets/ParametersCellToolbar';
import { ParametersSidebarSection } from './widgets/ParametersSidebar';
import { runWithParameters } from './widgets/RunWithParametersDialog';
import { RunsPanel } from './widgets/RunsPanel';

/**
 * The command IDs of notebook parameters.
 */
export namespace ParameterCommandIDs {
  /**
   * Tag the active cell `parameters`, or untag it.
   */
  export const toggleParametersCell = 'autoflow:toggle-parameters-cell';
  /**
   * Choose a notebook's parameters in a dialog and queue a run with them.
   */
  export const runWithParameters = 'autoflow:run-with-parameters';
}

/**
 * Selector of notebooks in the file browser.
 */
const NOTEBOOK_ITEM_SELECTOR = '.jp-DirListing-item[data-file-type="notebook"]';

/**
 * Selector of a notebook's cells, the target of the cell context menu.
 */
const CELL_SELECTOR = '.jp-Notebook .jp-Cell';

/**
 * Register the parameter commands, their toolbar buttons, menu and palette
 * items, and the parameters cell's badge.
 *
 * @returns The sidebar's Parameters section
 */
export function addParameters(
  context: ICommandContext,
  palette: ICommandPalette | null
): React.ReactElement {
  const { app, tracker, trans } = context;
  const { commands } = app;
  const localPath = (path: string) =>
    app.serviceManager.contents.localPath(path);

  const toggle = (panel: NotebookPanel | null, tagged?: boolean) => {
    if (!panel || toggleParametersCell(panel.content, tagged) === null) {
      Notification.info(
        trans.__('Select a code cell to hold the notebook’s parameters.'),
        { autoClose: 5000 }
      );
    }
  };

  const run = async (target: NotebookPanel | string) => {
    const path = typeof target === 'string' ? target : target.context.path;
    try {
      if (typeof target === 'string') {
        if (!(await saveIfOpenAndDirty(context, path))) {
          return;
        }
      } else {
        await target.context.ready;
        await target.context.save();
      }
    } catch (error) {
      Notification.error(
        trans.__('Could not save %1: %2', path, messageOf(error))
      );
      return;
    }
    await runWithParameters(
      {
        model: context.model,
        trans,
        onQueued: () => app.shell.activateById(RunsPanel.ID)
      },
      localPath(path)
    );
  };

  commands.addCommand(ParameterCommandIDs.toggleParametersCell, {
    label: trans.__('Toggle Parameters Cell'),
    caption: trans.__(
      'Tag the active cell as the one papermill injects parameters after, or untag it'
    ),
    icon: tagIcon,
    describedBy: {
      args: {
        type: 'object',
        properties: {
          tagged: {
            type: 'boolean',
            description: trans.__(
              'Tag (true) or untag (false) the active cell instead of toggling'
            )
          }
        }
      }
    },
    isEnabled: () => canTagActiveCell(tracker.currentWidget?.content),
    isToggled: () => {
      const active = tracker.currentWidget?.content.activeCell;
      return active ? hasParametersTag(active.model) : false;
    },
    execute: args =>
      toggle(
        tracker.currentWidget,
        typeof args.tagged === 'boolean' ? args.tagged : undefined
      )
  });

  commands.addCommand(ParameterCommandIDs.runWithParameters, {
    label: trans.__('Run with Parameters…'),
    caption: trans.__(
      'Choose parameter values, then run the notebook with AutoFlow'
    ),
    icon: autoflowIcon,
    describedBy: {
      args: {
        type: 'object',
        properties: {
          path: {
            type: 'string',
            description: trans.__('The notebook to run')
          },
          fileBrowser: {
            type: 'boolean',
            description: trans.__(
              'Run the notebook selected in the file browser'
            )
          }
        }
      }
    },
    isEnabled: args => targetOf(args) !== null,
    execute: async args => {
      const target = targetOf(args);
      if (target !== null) {
        await run(target);
      }
    }
  });

  /**
   * The notebook a run command is about: the `path` argument, else the one
   * selected in the file browser (from its menu), else the current one.
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
            item => item.type === 'notebook'
          )
        : [];
      return selected.length === 1 ? selected[0].path : null;
    }
    return tracker.currentWidget;
  }

  const notify = () => {
    commands.notifyCommandChanged(ParameterCommandIDs.toggleParametersCell);
    commands.notifyCommandChanged(ParameterCommandIDs.runWithParameters);
  };
  tracker.currentChanged.connect(notify);
  tracker.activeCellChanged.connect(notify);

  app.docRegistry.addWidgetExtension(
    'Notebook',
    new ParametersToolbarExtension({
      trans,
      toggle: panel => toggle(panel),
      run: panel => run(panel)
    })
  );
  // eslint-disable-next-line jupyter/require-disposable-ownership -- lives as long as the application
  new ParametersCellBadges(tracker);

  app.contextMenu.addItem({
    command: ParameterCommandIDs.toggleParametersCell,
    selector: CELL_SELECTOR,
    rank: 12
  });
  app.contextMenu.addItem({
    command: ParameterCommandIDs.runWithParameters,
    selector: NOTEBOOK_ITEM_SELECTOR,
    args: { fileBrowser: true },
    rank: 3
  });

  if (palette) {
    for (const command of [
      ParameterCommandIDs.toggleParametersCell,
      ParameterCommandIDs.runWithParameters
    ]) {
      palette.addItem({ command, category: trans.__('AutoFlow') });
    }
  }

  // eslint-disable-next-line jupyter/require-disposable-ownership -- lives as long as the application
  const model = new NotebookParametersModel({
    client: context.model.client,
    tracker,
    localPath
  });
  return (
    <ParametersSidebarSection
      model={model}
      trans={trans}
      onTagCell={() =>
        // tag, not toggle: the hint stays until the notebook is saved
        void commands.execute(ParameterCommandIDs.toggleParametersCell, {
          tagged: true
        })
      }
      onRun={() => void commands.execute(ParameterCommandIDs.runWithParameters)}
    />
  );
}
