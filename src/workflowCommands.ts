import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IDocumentWidget } from '@jupyterlab/docregistry';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

/* eslint-disable jupyter/prefer-lazy-imports -- the file type, widget factory and commands are registered at start-up */
import { AutoflowClient } from './api';
import { NO_ARGS } from './commandHelpers';
import { messageOf } from './format';
import { autoflowIcon } from './icons';
import { ScheduleCommandIDs } from './scheduleCommands';
import {
  WORKFLOW_FACTORY,
  WorkflowEditor,
  WorkflowEditorFactory
} from './widgets/WorkflowEditor';
import { WORKFLOW_FILE_TYPE, WORKFLOW_SUFFIX } from './workflowFiles';
import { newWorkflowText } from './workflowDocument';
/* eslint-enable jupyter/prefer-lazy-imports */

/**
 * The command IDs of the workflow editor.
 */
export namespace WorkflowCommandIDs {
  /**
   * Create an `untitled.autoflow.yaml` in the `cwd` argument (else the file
   * browser's folder) and open it in the workflow editor.
   */
  export const newWorkflow = 'autoflow:new-workflow';
  /**
   * Run the workflow open in the current workflow editor.
   */
  export const runWorkflow = 'autoflow:run-workflow';
  /**
   * Schedule the workflow open in the current workflow editor.
   */
  export const scheduleWorkflow = 'autoflow:schedule-workflow';
}

/**
 * The workflow editor: the `.autoflow.yaml` file type, its default widget
 * factory, New Workflow in the launcher and the file browser, and commands to
 * run and schedule the current workflow.
 */
export const workflowEditorPlugin: JupyterFrontEndPlugin<void> = {
  id: 'autoflow-lab:workflow-editor',
  description: 'Edit AutoFlow workflows (.autoflow.yaml) as a graph of steps.',
  autoStart: true,
  requires: [IDocumentManager],
  optional: [
    ITranslator,
    ILauncher,
    IFileBrowserFactory,
    ICommandPalette,
    ILayoutRestorer
  ],
  activate: (
    app: JupyterFrontEnd,
    docManager: IDocumentManager,
    translator: ITranslator | null,
    launcher: ILauncher | null,
    browserFactory: IFileBrowserFactory | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('autoflow_lab');
    const { commands, docRegistry, serviceManager } = app;
    const client = new AutoflowClient(serviceManager.serverSettings);
    const localPath = (path: string) => serviceManager.contents.localPath(path);

    docRegistry.addFileType({
      name: WORKFLOW_FILE_TYPE,
      displayName: trans.__('AutoFlow Workflow'),
      extensions: [WORKFLOW_SUFFIX],
      mimeTypes: ['text/x-yaml'],
      contentType: 'file',
      fileFormat: 'text',
      icon: autoflowIcon
    });

    const factory = new WorkflowEditorFactory({
      name: WORKFLOW_FACTORY,
      label: trans.__('Workflow Editor'),
      fileTypes: [WORKFLOW_FILE_TYPE],
      defaultFor: [WORKFLOW_FILE_TYPE],
      modelName: 'text',
      editor: {
        client,
        docManager,
        trans,
        localPath,
        schedule: path =>
          commands.execute(ScheduleCommandIDs.scheduleNotebook, { path })
      }
    });
    docRegistry.addWidgetFactory(factory);

    const tracker = new WidgetTracker<IDocumentWidget<WorkflowEditor>>({
      namespace: 'autoflow-workflow-editor'
    });
    factory.widgetCreated.connect((_, widget) => {
      widget.title.icon = autoflowIcon;
      widget.context.pathChanged.connect(() => void tracker.save(widget));
      void tracker.add(widget);
    });
    restorer?.restore(tracker, {
      command: 'docmanager:open',
      args: widget => ({
        path: widget.context.path,
        factory: WORKFLOW_FACTORY
      }),
      name: widget => widget.context.path
    });

    const current = () => {
      const widget = tracker.currentWidget;
      return widget && widget === app.shell.currentWidget ? widget : null;
    };

    commands.addCommand(WorkflowCommandIDs.newWorkflow, {
      label: args =>
        args.isPalette ? trans.__('New Workflow') : trans.__('Workflow'),
      caption: trans.__(
        'Create an AutoFlow workflow: notebooks run as a chain of steps'
      ),
      icon: args => (args.isPalette ? undefined : autoflowIcon),
      describedBy: {
        args: {
          type: 'object',
          properties: {
            cwd: {
              type: 'string',
              description: trans.__('The folder to create the workflow in')
            }
          }
        }
      },
      execute: async args => {
        const cwd =
          typeof args.cwd === 'string'
            ? args.cwd
            : (browserFactory?.tracker.currentWidget?.model.path ?? '');
        try {
          const model = await docManager.newUntitled({
            path: cwd,
            type: 'file',
            ext: WORKFLOW_SUFFIX
          });
          const name = model.name.slice(0, -WORKFLOW_SUFFIX.length);
          await serviceManager.contents.save(model.path, {
            type: 'file',
            format: 'text',
            content: newWorkflowText(name)
          });
          return docManager.open(model.path, WORKFLOW_FACTORY);
        } catch (error) {
          Notification.error(
            trans.__('Could not create a workflow: %1', messageOf(error))
          );
          return undefined;
        }
      }
    });

    commands.addCommand(WorkflowCommandIDs.runWorkflow, {
      describedBy: NO_ARGS,
      label: trans.__('Run Workflow'),
      caption: trans.__('Save the current workflow and run it now'),
      isEnabled: () => current() !== null,
      execute: () => current()?.content.run()
    });

    commands.addCommand(WorkflowCommandIDs.scheduleWorkflow, {
      describedBy: NO_ARGS,
      label: trans.__('Schedule Workflow…'),
      caption: trans.__('Save the current workflow and run it on a schedule'),
      isEnabled: () => current() !== null,
      execute: () => current()?.content.schedule()
    });

    launcher?.add({
      command: WorkflowCommandIDs.newWorkflow,
      category: trans.__('Other'),
      rank: 10
    });

    app.contextMenu.addItem({
      command: WorkflowCommandIDs.newWorkflow,
      selector: '.jp-DirListing-content',
      rank: 55
    });

    if (palette) {
      for (const command of [
        WorkflowCommandIDs.newWorkflow,
        WorkflowCommandIDs.runWorkflow,
        WorkflowCommandIDs.scheduleWorkflow
      ]) {
        palette.addItem({
          command,
          category: trans.__('AutoFlow'),
          args: { isPalette: true }
        });
      }
    }
  }
};
