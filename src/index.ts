import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

/* eslint-disable jupyter/prefer-lazy-imports -- the sidebar, commands and toolbar button are registered at start-up */
import { AutoflowClient } from './api';
import {
  addCommands,
  CommandIDs,
  openRun,
  RUN_ROW_SELECTOR,
  runNotebookPanel
} from './commands';
import { serverUnavailableNotice } from './messages';
import { RunsModel } from './model';
import { addParameters } from './parameterCommands';
import { addScheduleCommands } from './scheduleCommands';
import { RunButtonExtension } from './widgets/RunButtonExtension';
import { RunsPanel } from './widgets/RunsPanel';
/* eslint-enable jupyter/prefer-lazy-imports */

/**
 * The plugin ID; also names the settings schema `schema/plugin.json`.
 */
const PLUGIN_ID = 'autoflow-lab:plugin';

/**
 * Rank of the sidebar among the left panels.
 */
const SIDEBAR_RANK = 700;

/**
 * The AutoFlow Lab frontend: run history sidebar, run commands, notebook
 * toolbar button and file browser context menu.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'Run notebooks with AutoFlow Lab and browse their executed outputs.',
  autoStart: true,
  requires: [INotebookTracker, IDocumentManager],
  optional: [
    ICommandPalette,
    ILayoutRestorer,
    ISettingRegistry,
    IFileBrowserFactory,
    ITranslator
  ],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    docManager: IDocumentManager,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    browserFactory: IFileBrowserFactory | null,
    translator: ITranslator | null
  ): void => {
    translator = translator ?? nullTranslator;
    const trans = translator.load('autoflow_lab');

    const model = new RunsModel({
      client: new AutoflowClient(app.serviceManager.serverSettings)
    });
    model.serverStateChanged.connect((_, state) => {
      if (state === 'unavailable') {
        Notification.error(serverUnavailableNotice(trans), {
          autoClose: false,
          actions: [
            {
              label: trans.__('Details'),
              caption: trans.__('Show the AutoFlow sidebar'),
              callback: () => app.shell.activateById(RunsPanel.ID)
            }
          ]
        });
      }
    });

    const context = { app, model, tracker, docManager, browserFactory, trans };
    addCommands(context);
    const parametersSection = addParameters(context, palette);
    addScheduleCommands(context, palette);

    const panel = new RunsPanel({
      model,
      translator,
      header: parametersSection,
      actions: {
        open: run => void openRun(context, run),
        openLog: run =>
          void app.commands.execute(CommandIDs.openLog, { id: run.id }),
        cancel: run =>
          void app.commands.execute(CommandIDs.cancelRun, { id: run.id }),
        rerun: run =>
          void app.commands.execute(CommandIDs.rerun, { id: run.id }),
        delete: run =>
          void app.commands.execute(CommandIDs.deleteRun, { id: run.id })
      }
    });
    app.shell.add(panel, 'left', { rank: SIDEBAR_RANK });
    restorer?.add(panel, RunsPanel.ID);

    app.docRegistry.addWidgetExtension(
      'Notebook',
      new RunButtonExtension({
        trans,
        run: notebook => runNotebookPanel(context, notebook)
      })
    );

    app.contextMenu.addItem({
      command: CommandIDs.runFile,
      selector: '.jp-DirListing-item[data-file-type="notebook"]',
      rank: 3
    });

    app.contextMenu.addItem({
      command: CommandIDs.openLog,
      selector: RUN_ROW_SELECTOR,
      rank: 1
    });

    app.contextMenu.addItem({
      command: CommandIDs.cancelRun,
      selector: RUN_ROW_SELECTOR,
      rank: 2
    });

    app.contextMenu.addItem({
      command: CommandIDs.showDetails,
      selector: RUN_ROW_SELECTOR,
      rank: 0
    });

    app.contextMenu.addItem({
      command: CommandIDs.rerun,
      selector: RUN_ROW_SELECTOR,
      rank: 3
    });

    app.contextMenu.addItem({
      command: CommandIDs.deleteRun,
      selector: RUN_ROW_SELECTOR,
      rank: 4
    });

    if (palette) {
      for (const command of [
        CommandIDs.runNotebook,
        CommandIDs.refresh,
        CommandIDs.showRuns
      ]) {
        palette.addItem({ command, category: trans.__('AutoFlow') });
      }
    }

    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          const apply = () =>
            model.setPollIntervals(
              settings.get('activePollInterval').composite as number,
              settings.get('idlePollInterval').composite as number
            );
          apply();
          settings.changed.connect(apply);
        })
        .catch(reason => {
          console.error('Failed to load settings for autoflow-lab.', reason);
        });
    }
  }
};

export default plugin;
