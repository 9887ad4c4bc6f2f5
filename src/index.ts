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
import { NO_FILTERS } from './history';
import { serverUnavailableNotice } from './messages';
import { RunsModel } from './model';
import { INotifyPreferences } from './notifications';
import { addParameters } from './parameterCommands';
import { RunNotifier } from './runNotifier';
import { addScheduleCommands } from './scheduleCommands';
import { addScheduleListCommands } from './scheduleListCommands';
import { SchedulesModel } from './schedulesModel';
import { RunButtonExtension } from './widgets/RunButtonExtension';
import { RunsPanel } from './widgets/RunsPanel';
import { schedulesTab } from './widgets/SchedulesPanel';
import { workflowEditorPlugin } from './workflowCommands';
import { workflowRunsTab } from './widgets/WorkflowRunsPanel';
import {
  addWorkflowRunCommands,
  openReport,
  openStepLog,
  WorkflowRunCommandIDs
} from './workflowRunCommands';
import { WorkflowRunsModel } from './workflowRunsModel';
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

    const schedules = new SchedulesModel({ client: model.client });
    const workflowRuns = new WorkflowRunsModel({ client: model.client });
    addWorkflowRunCommands({
      app,
      model: workflowRuns,
      docManager,
      trans,
      showTab: () => {
        panel.showTab('workflows');
        app.shell.activateById(RunsPanel.ID);
      }
    });
    const showRunsTab = () => {
      panel.showTab('runs');
      app.shell.activateById(RunsPanel.ID);
    };
    const scheduleMenu = addScheduleListCommands({
      app,
      schedules,
      runs: model,
      trans,
      showRunsOf: schedule => {
        model.setFilters({ ...NO_FILTERS, schedule: schedule.id });
        showRunsTab();
      }
    });

    const preferences: INotifyPreferences = {
      notifyOnFailure: true,
      notifyOnSuccess: false
    };
    new RunNotifier({
      model,
      trans,
      preferences: () => preferences,
      openRun: run => void openRun(context, run),
      showRun: run => {
        model.select(run.id);
        showRunsTab();
      },
      showFailed: () => {
        model.setFilters({ ...NO_FILTERS, status: 'failed' });
        showRunsTab();
      }
    });

    const panel = new RunsPanel({
      model,
      translator,
      header: parametersSection,
      schedules: {
        model: schedules,
        render: schedulesTab({
          model: schedules,
          commands: app.commands,
          menu: scheduleMenu,
          trans,
          showRun: id => {
            model.select(id);
            showRunsTab();
          }
        })
      },
      workflows: {
        model: workflowRuns,
        render: workflowRunsTab({
          model: workflowRuns,
          commands: app.commands,
          trans,
          openStep: run => void openRun(context, run),
          openStepLog: run => void openStepLog(context, run),
          openReport: report => void openReport(context, report)
        })
      },
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
        CommandIDs.showRuns,
        WorkflowRunCommandIDs.show,
        WorkflowRunCommandIDs.refresh
      ]) {
        palette.addItem({ command, category: trans.__('AutoFlow') });
      }
    }

    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          const apply = () => {
            const idle = settings.get('idlePollInterval').composite as number;
            model.setPollIntervals(
              settings.get('activePollInterval').composite as number,
              idle
            );
            schedules.setInterval(idle);
            workflowRuns.setPollIntervals(
              settings.get('activePollInterval').composite as number,
              idle
            );
            preferences.notifyOnFailure =
              settings.get('notifyOnFailure').composite !== false;
            preferences.notifyOnSuccess =
              settings.get('notifyOnSuccess').composite === true;
          };
          apply();
          settings.changed.connect(apply);
        })
        .catch(reason => {
          console.error('Failed to load settings for autoflow-lab.', reason);
        });
    }
  }
};

export default [plugin, workflowEditorPlugin];
