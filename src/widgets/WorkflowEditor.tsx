import { Dialog, Notification } from '@jupyterlab/apputils';
import {
  ABCWidgetFactory,
  DocumentRegistry,
  DocumentWidget,
  IDocumentWidget
} from '@jupyterlab/docregistry';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { FileDialog } from '@jupyterlab/filebrowser';
import { TranslationBundle } from '@jupyterlab/translation';
import {
  addIcon,
  Button,
  ReactWidget,
  runIcon,
  ToolbarButton
} from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { AutoflowAPI, AutoflowClient } from '../api';
import { CommitInput } from '../components/CommitInput';
import { ParametersForm } from '../components/ParametersForm';
import {
  literalText,
  NotebookParametersState,
  parseLiteral,
  StepEditor
} from '../components/StepEditor';
import { WorkflowGraph } from '../components/WorkflowGraph';
import { messageOf } from '../format';
import {
  collectChanges,
  FieldErrors,
  initialValues,
  InputValues,
  IParameter
} from '../parameters';
import {
  dirname,
  joinPath,
  relativePath,
  WorkflowDocument
} from '../workflowDocument';

const EDITOR_CLASS = 'jp-autoflow-WorkflowEditor';
const HEADER_CLASS = 'jp-autoflow-WorkflowEditor-header';
const NAME_CLASS = 'jp-autoflow-WorkflowEditor-name';
const STATUS_CLASS = 'jp-autoflow-WorkflowEditor-status';
const MAIN_CLASS = 'jp-autoflow-WorkflowEditor-main';
const GRAPH_CLASS = 'jp-autoflow-WorkflowEditor-graph';
const SIDE_CLASS = 'jp-autoflow-WorkflowEditor-side';
const EMPTY_CLASS = 'jp-autoflow-WorkflowEditor-empty';
const PROBLEMS_CLASS = 'jp-autoflow-WorkflowEditor-problems';
const SECTION_CLASS = 'jp-autoflow-StepEditor-section';
const HEADING_CLASS = 'jp-autoflow-StepEditor-heading';
const ROW_CLASS = 'jp-autoflow-StepEditor-row';
const HINT_CLASS = 'jp-autoflow-StepEditor-hint';
const ERROR_CLASS = 'jp-autoflow-StepEditor-error';
const INPUT_CLASS = 'jp-mod-styled jp-autoflow-StepEditor-input';
const DROP_CLASS = 'jp-mod-dropTarget';
const RUN_DIALOG_CLASS = 'jp-autoflow-RunWorkflowDialog';

/**
 * How long editing pauses before the server validates the unsaved text.
 */
const VALIDATE_DELAY_MS = 400;

/**
 * The MIME type of paths dragged from the file browser.
 */
const CONTENTS_MIME = 'application/x-jupyter-icontents';

/**
 * The name of the widget factory: "Open With" lists it.
 */
export const WORKFLOW_FACTORY = 'Workflow Editor';

/**
 * What the editor needs from the application.
 */
export interface IWorkflowEditorOptions {
  client: AutoflowClient;
  docManager: IDocumentManager;
  trans: TranslationBundle;
  /**
   * A path relative to the server root, without a drive prefix.
   */
  localPath(path: string): string;
  /**
   * Schedule the workflow at a root-relative path.
   */
  schedule(path: string): Promise<unknown>;
}

/**
 * The workflow editor: a view of a `.autoflow.yaml` file's text model as a
 * DAG and forms. Every edit rewrites the text through
 * {@link WorkflowDocument}, so save, revert and the dirty mark are the
 * document's, and the text editor (Open With) shows the same model.
 */
export class WorkflowEditor extends ReactWidget {
  constructor(
    options: IWorkflowEditorOptions & {
      context: DocumentRegistry.IContext<DocumentRegistry.IModel>;
    }
  ) {
    super();
    this.addClass(EDITOR_CLASS);
    this._options = options;
    this._context = options.context;
    this._doc = new WorkflowDocument(this._context.model.toString());
    this._context.model.contentChanged.connect(this._onContentChanged, this);
    void this._context.ready.then(() => {
      this._onContentChanged();
    });
  }

  /**
   * The workflow's path relative to the server root.
   */
  get path(): string {
    return this._options.localPath(this._context.path);
  }

  /**
   * The definition as last read from the model.
   */
  get document(): WorkflowDocument {
    return this._doc;
  }

  /**
   * The server's latest verdict on the unsaved text, if any.
   */
  get validation(): AutoflowAPI.IWorkflowValidation | null {
    return this._validation;
  }

  /**
   * Pick notebooks in a dialog and add a step for each.
   */
  async pickNotebooks(): Promise<void> {
    const { docManager, trans } = this._options;
    const result = await FileDialog.getOpenFiles({
      manager: docManager,
      title: trans.__('Add Notebook Steps'),
      defaultPath: dirname(this._context.path),
      filter: model =>
        model.type === 'notebook' || model.type === 'directory' ? {} : null
    });
    if (result.button.accept && result.value) {
      this.addNotebooks(
        result.value
          .filter(model => model.type === 'notebook')
          .map(model => model.path)
      );
    }
  }

  /**
   * Add a step per notebook (root-relative paths), selecting the last one.
   */
  addNotebooks(paths: string[]): void {
    const folder = dirname(this.path);
    let added: string | null = null;
    this._edit(doc => {
      for (const path of paths) {
        const local = this._options.localPath(path);
        if (local.endsWith('.ipynb')) {
          added = doc.addStep(relativePath(folder, local));
        }
      }
    });
    if (added !== null) {
      this._selected = added;
      this.update();
    }
  }

  /**
   * Save, ask for the workflow's parameters when it has any, and start a run.
   */
  async run(): Promise<AutoflowAPI.IWorkflowRun | null> {
    const { client, trans } = this._options;
    try {
      if (this._context.model.dirty) {
        await this._context.save();
      }
      const validation = await client.validateWorkflow(this.path);
      if (!validation.valid) {
        Notification.error(
          trans.__(
            'Workflow %1 has problems: %2',
            this.path,
            validation.issues[0]?.message ?? ''
          ),
          { autoClose: 10000 }
        );
        return null;
      }
      let parameters: AutoflowAPI.Parameters = {};
      if (validation.parameters.length > 0) {
        const chosen = await askParameters(validation, trans);
        if (chosen === null) {
          return null;
        }
        parameters = chosen;
      }
      const started = await client.startWorkflowRun(this.path, parameters);
      Notification.success(
        trans.__('Workflow “%1” started (run %2)', started.name, started.id),
        { autoClose: 5000 }
      );
      return started;
    } catch (error) {
      Notification.error(
        trans.__('Could not run %1: %2', this.path, messageOf(error)),
        { autoClose: 10000 }
      );
      return null;
    }
  }

  /**
   * Save and open the Schedule dialog for this workflow.
   */
  async schedule(): Promise<void> {
    if (this._context.model.dirty) {
      await this._context.save();
    }
    await this._options.schedule(this.path);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    window.clearTimeout(this._timer);
    super.dispose();
  }

  render(): JSX.Element {
    const { trans } = this._options;
    const doc = this._doc;
    if (!doc.editable) {
      return (
        <div className={PROBLEMS_CLASS} role="alert">
          <p>
            {trans.__(
              'This file cannot be shown as a workflow. Fix it in the text editor (Open With › Editor):'
            )}
          </p>
          <ul>
            {doc.errors.map((error, index) => (
              <li key={index}>
                {error.line !== null
                  ? trans.__('Line %1: %2', error.line, error.message)
                  : error.message}
              </li>
            ))}
          </ul>
        </div>
      );
    }
    const steps = doc.steps;
    const issues = this._validation?.issues ?? [];
    const invalidKeys = issues
      .map(issue => issue.step)
      .filter((key): key is string => key !== null);
    const selected = steps.find(step => step.key === this._selected) ?? null;
    const general = issues.filter(
      issue => issue.step === null || !steps.some(s => s.key === issue.step)
    );

    return (
      <>
        <div className={HEADER_CLASS}>
          <NameInput
            value={doc.name}
            label={trans.__('Workflow name')}
            onCommit={name => this._edit(d => d.setName(name))}
          />
          <span
            className={STATUS_CLASS}
            data-state={this._statusState()}
            role="status"
          >
            {this._statusText()}
          </span>
        </div>
        <div className={MAIN_CLASS}>
          <div className={GRAPH_CLASS}>
            {steps.length === 0 ? (
              <div className={EMPTY_CLASS}>
                <p>
                  {trans.__(
                    'Drop notebooks here from the file browser, or add them with the button below.'
                  )}
                </p>
                <Button onClick={() => void this.pickNotebooks()}>
                  {trans.__('Add notebook steps…')}
                </Button>
              </div>
            ) : (
              <WorkflowGraph
                label={trans.__('Steps of %1', doc.name)}
                nodes={steps.map(step => ({
                  key: step.key,
                  label: step.key,
                  sublabel: step.notebook
                }))}
                edges={doc.dependencies}
                editable
                selected={this._selected}
                invalidKeys={invalidKeys}
                onSelect={key => {
                  this._selected = key;
                  this.update();
                }}
                onConnect={(from, to) =>
                  this._edit(d => d.addDependency(from, to))
                }
              />
            )}
          </div>
          <div className={SIDE_CLASS}>
            {general.length > 0 ? (
              <div className={PROBLEMS_CLASS} role="alert">
                {general.map((issue, index) => (
                  <div key={index} className={ERROR_CLASS}>
                    {issue.line !== null
                      ? trans.__('Line %1: %2', issue.line, issue.message)
                      : issue.message}
                  </div>
                ))}
              </div>
            ) : null}
            {selected ? (
              <StepEditor
                key={selected.index}
                step={selected}
                stepKeys={steps.map(step => step.key)}
                workflowParameters={doc.parameters.map(p => p.name)}
                notebook={this._notebookState(selected.notebook)}
                issues={issues.filter(issue => issue.step === selected.key)}
                trans={trans}
                onRename={key => {
                  this._selected = key;
                  this._edit(d => d.renameStep(selected.key, key));
                }}
                onBind={(name, binding) =>
                  this._edit(d => d.setBinding(selected.key, name, binding))
                }
                onBindNewParameter={name =>
                  this._edit(d => {
                    d.setParameter(name, {});
                    d.setBinding(selected.key, name, {
                      kind: 'from',
                      source: `parameters.${name}`
                    });
                  })
                }
                onSetAfter={after =>
                  this._edit(d => d.setAfter(selected.key, after))
                }
                onSetReport={report =>
                  this._edit(d => d.setReport(selected.key, report))
                }
                onRemove={() => {
                  this._selected = null;
                  this._edit(d => d.removeStep(selected.key));
                }}
                onOpenNotebook={() =>
                  void this._options.docManager.openOrReveal(
                    this._notebookPath(selected.notebook)
                  )
                }
              />
            ) : (
              this._renderWorkflowPanel()
            )}
          </div>
        </div>
      </>
    );
  }

  handleEvent(event: Event): void {
    const drag = event as Event & {
      mimeData?: {
        hasData(mime: string): boolean;
        getData(mime: string): unknown;
      };
      dropAction?: string;
      proposedAction?: string;
    };
    if (!drag.mimeData?.hasData(CONTENTS_MIME)) {
      return;
    }
    switch (event.type) {
      case 'lm-dragenter':
      case 'lm-dragover':
        event.preventDefault();
        event.stopPropagation();
        drag.dropAction = drag.proposedAction;
        this.addClass(DROP_CLASS);
        break;
      case 'lm-dragleave':
        this.removeClass(DROP_CLASS);
        break;
      case 'lm-drop': {
        event.preventDefault();
        event.stopPropagation();
        this.removeClass(DROP_CLASS);
        drag.dropAction = drag.proposedAction;
        const paths = drag.mimeData.getData(CONTENTS_MIME);
        if (Array.isArray(paths)) {
          this.addNotebooks(paths.filter(path => typeof path === 'string'));
        }
        break;
      }
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    for (const type of DRAG_EVENTS) {
      this.node.addEventListener(type, this);
    }
  }

  protected onBeforeDetach(msg: Message): void {
    for (const type of DRAG_EVENTS) {
      this.node.removeEventListener(type, this);
    }
    super.onBeforeDetach(msg);
  }

  private _renderWorkflowPanel(): JSX.Element {
    const { trans } = this._options;
    const doc = this._doc;
    return (
      <div
        className="jp-autoflow-StepEditor"
        role="region"
        aria-label={trans.__('Workflow parameters')}
      >
        <section className={SECTION_CLASS}>
          <h3 className={HEADING_CLASS}>{trans.__('Workflow parameters')}</h3>
          {doc.parameters.length === 0 ? (
            <div className={HINT_CLASS}>
              {trans.__(
                'None yet. Bind a step’s parameter to “New workflow parameter” to add one.'
              )}
            </div>
          ) : null}
          {doc.parameters.map(parameter => (
            <div key={parameter.name} className={ROW_CLASS}>
              <span className="jp-autoflow-StepEditor-name">
                {parameter.name}
              </span>
              <DefaultInput
                value={parameter.required ? undefined : parameter.default}
                label={trans.__('Default of %1', parameter.name)}
                placeholder={trans.__('required')}
                onCommit={value =>
                  this._edit(d =>
                    d.setParameter(parameter.name, { default: value })
                  )
                }
              />
              <Button
                small
                minimal
                title={trans.__('Remove the parameter %1', parameter.name)}
                aria-label={trans.__('Remove the parameter %1', parameter.name)}
                onClick={() =>
                  this._edit(d => d.removeParameter(parameter.name))
                }
              >
                ✕
              </Button>
            </div>
          ))}
        </section>
        <section className={SECTION_CLASS}>
          <div className={HINT_CLASS}>
            {trans.__(
              'Select a step to bind its parameters, set what it runs after and its reports. Draw a dependency from a step’s right handle to another’s left one.'
            )}
          </div>
        </section>
      </div>
    );
  }

  /**
   * Apply an edit to the definition and write it to the model.
   */
  private _edit(change: (doc: WorkflowDocument) => void): void {
    const doc = new WorkflowDocument(this._context.model.toString());
    if (!doc.editable) {
      return;
    }
    try {
      change(doc);
    } catch (error) {
      Notification.error(messageOf(error), { autoClose: 5000 });
      return;
    }
    const text = doc.toString();
    if (text !== this._context.model.toString()) {
      this._context.model.fromString(text);
      // Replacing the whole text does not mark the document as changed.
      this._context.model.dirty = true;
    } else {
      this.update();
    }
  }

  private _onContentChanged(): void {
    this._doc = new WorkflowDocument(this._context.model.toString());
    this._scheduleValidation();
    this._loadNotebookParameters();
    this.update();
  }

  private _scheduleValidation(): void {
    window.clearTimeout(this._timer);
    this._validating = true;
    this._timer = window.setTimeout(() => {
      void this._validate();
    }, VALIDATE_DELAY_MS);
  }

  private async _validate(): Promise<void> {
    const text = this._context.model.toString();
    const generation = ++this._generation;
    try {
      const validation = await this._options.client.validateWorkflow(
        this.path,
        text
      );
      if (generation === this._generation) {
        this._validation = validation;
        this._validationError = null;
      }
    } catch (error) {
      if (generation === this._generation) {
        this._validationError = messageOf(error);
      }
    } finally {
      if (generation === this._generation) {
        this._validating = false;
        this.update();
      }
    }
  }

  private _statusState(): string {
    if (this._validationError !== null) {
      return 'error';
    }
    if (this._validating || this._validation === null) {
      return 'checking';
    }
    return this._validation.valid ? 'valid' : 'invalid';
  }

  private _statusText(): string {
    const { trans } = this._options;
    switch (this._statusState()) {
      case 'error':
        return trans.__('Could not check: %1', this._validationError ?? '');
      case 'checking':
        return trans.__('Checking…');
      case 'valid':
        return trans.__('Valid');
      default: {
        const count = this._validation?.issues.length ?? 0;
        return trans._n('%1 problem', '%1 problems', count);
      }
    }
  }

  private _notebookPath(notebook: string): string {
    return joinPath(dirname(this.path), notebook);
  }

  private _notebookState(notebook: string): NotebookParametersState {
    return (
      this._notebooks.get(this._notebookPath(notebook)) ?? { state: 'loading' }
    );
  }

  /**
   * Read the parameters of notebooks not read yet.
   */
  private _loadNotebookParameters(): void {
    if (!this._doc.editable) {
      return;
    }
    for (const step of this._doc.steps) {
      const path = this._notebookPath(step.notebook);
      if (this._notebooks.has(path) || !path.endsWith('.ipynb')) {
        continue;
      }
      this._notebooks.set(path, { state: 'loading' });
      this._options.client
        .notebookParameters(path)
        .then(parameters => {
          this._notebooks.set(path, { state: 'ready', parameters });
        })
        .catch(error => {
          this._notebooks.set(path, {
            state: 'error',
            message: messageOf(error)
          });
        })
        .finally(() => this.update());
    }
  }

  private _options: IWorkflowEditorOptions;
  private _context: DocumentRegistry.IContext<DocumentRegistry.IModel>;
  private _doc: WorkflowDocument;
  private _selected: string | null = null;
  private _validation: AutoflowAPI.IWorkflowValidation | null = null;
  private _validationError: string | null = null;
  private _validating = true;
  private _generation = 0;
  private _timer = 0;
  private _notebooks = new Map<string, NotebookParametersState>();
}

const DRAG_EVENTS = ['lm-dragenter', 'lm-dragleave', 'lm-dragover', 'lm-drop'];

/**
 * Makes workflow editors: a document widget whose toolbar adds steps, runs
 * and schedules the workflow.
 */
export class WorkflowEditorFactory extends ABCWidgetFactory<
  IDocumentWidget<WorkflowEditor>,
  DocumentRegistry.IModel
> {
  constructor(
    options: DocumentRegistry.IWidgetFactoryOptions<
      IDocumentWidget<WorkflowEditor>
    > & { editor: IWorkflowEditorOptions }
  ) {
    super(options);
    this._editor = options.editor;
  }

  protected createNewWidget(
    context: DocumentRegistry.IContext<DocumentRegistry.IModel>
  ): IDocumentWidget<WorkflowEditor> {
    const { trans } = this._editor;
    const content = new WorkflowEditor({ ...this._editor, context });
    const widget = new DocumentWidget({ content, context });
    widget.addClass('jp-autoflow-WorkflowEditorPanel');
    widget.toolbar.addItem(
      'autoflowAddSteps',
      new ToolbarButton({
        icon: addIcon,
        label: trans.__('Add steps'),
        tooltip: trans.__('Add notebooks as steps'),
        onClick: () => void content.pickNotebooks()
      })
    );
    widget.toolbar.addItem(
      'autoflowRunWorkflow',
      new ToolbarButton({
        icon: runIcon,
        label: trans.__('Run'),
        tooltip: trans.__('Save the workflow and run it now'),
        onClick: () => void content.run()
      })
    );
    widget.toolbar.addItem(
      'autoflowScheduleWorkflow',
      new ToolbarButton({
        label: trans.__('Schedule…'),
        tooltip: trans.__('Save the workflow and run it on a schedule'),
        onClick: () => void content.schedule()
      })
    );
    return widget;
  }

  private _editor: IWorkflowEditorOptions;
}

/**
 * A text input applied on Enter or blur.
 */
function NameInput(props: {
  value: string;
  label: string;
  onCommit(value: string): void;
}): JSX.Element {
  return (
    <CommitInput
      className={`jp-mod-styled ${NAME_CLASS}`}
      label={props.label}
      value={props.value}
      onCommit={text => {
        if (text.trim()) {
          props.onCommit(text.trim());
        }
      }}
    />
  );
}

/**
 * A workflow parameter's default as YAML; empty makes it required.
 */
function DefaultInput(props: {
  value: unknown;
  label: string;
  placeholder: string;
  onCommit(value: unknown): void;
}): JSX.Element {
  return (
    <CommitInput
      className={INPUT_CLASS}
      label={props.label}
      placeholder={props.placeholder}
      value={props.value === undefined ? '' : literalText(props.value)}
      onCommit={text =>
        props.onCommit(text.trim() === '' ? undefined : parseLiteral(text))
      }
    />
  );
}

/**
 * Ask for a run's workflow parameters; required ones must be filled in.
 * Resolves with the values to send, or `null` when cancelled.
 */
async function askParameters(
  validation: AutoflowAPI.IWorkflowValidation,
  trans: TranslationBundle
): Promise<AutoflowAPI.Parameters | null> {
  const fields: IParameter[] = validation.parameters.map(parameter => ({
    name: parameter.name,
    type: 'any',
    default: parameter.required ? '' : JSON.stringify(parameter.default),
    help: parameter.description
  }));
  const body = new RunParametersBody(fields, validation, trans);
  const dialog = new RunParametersDialog(body, {
    title: trans.__('Run %1', validation.name),
    body,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.okButton({ label: trans.__('Run') })
    ],
    focusNodeSelector: 'input'
  });
  const result = await dialog.launch();
  return result.button.accept ? result.value : null;
}

/**
 * A dialog that stays open while a required parameter is missing.
 */
class RunParametersDialog extends Dialog<AutoflowAPI.Parameters | null> {
  constructor(
    body: RunParametersBody,
    options: Partial<Dialog.IOptions<AutoflowAPI.Parameters | null>>
  ) {
    super(options);
    this._parametersBody = body;
  }

  resolve(index?: number): void {
    if ((index ?? 1) === 1 && this._parametersBody.collect() === null) {
      return;
    }
    super.resolve(index);
  }

  private _parametersBody: RunParametersBody;
}

class RunParametersBody
  extends ReactWidget
  implements Dialog.IBodyWidget<AutoflowAPI.Parameters | null>
{
  constructor(
    fields: IParameter[],
    validation: AutoflowAPI.IWorkflowValidation,
    trans: TranslationBundle
  ) {
    super();
    this.addClass(RUN_DIALOG_CLASS);
    this._fields = fields;
    this._validation = validation;
    this._trans = trans;
    this._values = initialValues(fields);
  }

  /**
   * The values to send, or `null` with the problems shown.
   */
  collect(): AutoflowAPI.Parameters | null {
    const changes = collectChanges(this._fields, this._values, this._trans);
    const errors: FieldErrors = { ...changes.errors };
    for (const parameter of this._validation.parameters) {
      if (parameter.required && !(parameter.name in changes.values)) {
        errors[parameter.name] = this._trans.__('Required.');
      }
    }
    this._errors = errors;
    this.update();
    return Object.keys(errors).length > 0 ? null : changes.values;
  }

  getValue(): AutoflowAPI.Parameters | null {
    return this.collect();
  }

  render(): JSX.Element {
    return (
      <ParametersForm
        parameters={this._fields}
        values={this._values}
        errors={this._errors}
        idPrefix="jp-autoflow-run-workflow"
        trans={this._trans}
        onChange={(name, value) => {
          this._values = { ...this._values, [name]: value };
          this.update();
        }}
      />
    );
  }

  private _fields: IParameter[];
  private _validation: AutoflowAPI.IWorkflowValidation;
  private _trans: TranslationBundle;
  private _values: InputValues;
  private _errors: FieldErrors = {};
}
