import { Dialog, Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { ISignal, Signal } from '@lumino/signaling';
import * as React from 'react';

import { AutoflowAPI, AutoflowClient } from '../api';
import { ScheduleForm } from '../components/ScheduleForm';
import { formatFireTime, PreviewState } from '../components/TriggerPreview';
import { basename, messageOf } from '../format';
import {
  collectChanges,
  FieldErrors,
  fieldError,
  initialValues,
  InputValue,
  InputValues,
  IParameter,
  serverErrors
} from '../parameters';
import { AutoflowResponseError } from '../request';
import { isWorkflowPath, workflowParameterFields } from '../workflowFiles';
import {
  applyChange,
  buildSettings,
  buildTrigger,
  createRequest,
  formFieldOf,
  IScheduleForm,
  newScheduleForm,
  parameterInput,
  scheduleForm,
  ScheduleErrors,
  timezoneNames,
  TRIGGER_FIELDS,
  updateRequest
} from '../schedules';

const BODY_CLASS = 'jp-autoflow-ScheduleDialog';

/**
 * The message a widget updates on.
 */
type UpdateMessage = Parameters<ReactWidget['processMessage']>[0];
const GENERAL_ERROR_CLASS = 'jp-autoflow-ScheduleDialog-error';

/**
 * How long typing pauses before the preview asks the server.
 */
const PREVIEW_DELAY_MS = 300;

/**
 * The one field of a notebook whose parameters cannot be read (not Python):
 * every parameter at once, as a JSON object.
 */
const ALL_PARAMETERS = 'parameters';

/**
 * Dialogs opened so far, to give each form's inputs their own ids.
 */
let dialogCount = 0;

/**
 * What the dialog needs from the application.
 */
export interface IScheduleDialogContext {
  client: AutoflowClient;
  trans: TranslationBundle;
}

/**
 * Open the Schedule dialog for a notebook and create the schedule the user
 * sets up. Resolves with it, or `null` when cancelled. Never throws.
 *
 * @param notebook The notebook's path relative to the server root, saved
 */
export async function scheduleNotebook(
  context: IScheduleDialogContext,
  notebook: string
): Promise<AutoflowAPI.ISchedule | null> {
  const { trans } = context;
  const declared = await readParameters(context, notebook);
  const body = new ScheduleDialogBody({
    ...context,
    notebook,
    schedule: null,
    form: newScheduleForm(notebook),
    declared
  });
  const saved = await launch(body, {
    title: trans.__('Schedule %1', basename(notebook)),
    accept: trans.__('Create')
  });
  if (saved) {
    Notification.success(
      saved.next_fire_times.length === 0
        ? trans.__('Schedule “%1” created', saved.name)
        : saved.trigger.kind === 'new_data'
          ? trans.__(
              'Schedule “%1” created; first check of FlowAPI %2',
              saved.name,
              formatFireTime(saved.next_fire_times[0])
            )
          : trans.__(
              'Schedule “%1” created; first run %2',
              saved.name,
              formatFireTime(saved.next_fire_times[0])
            ),
      { autoClose: 5000 }
    );
  }
  return saved;
}

/**
 * Open the Schedule dialog filled in from a schedule and save what the user
 * changes. Resolves with the schedule as saved, or `null` when cancelled or
 * when the schedule cannot be read. Never throws.
 */
export async function editSchedule(
  context: IScheduleDialogContext,
  id: number
): Promise<AutoflowAPI.ISchedule | null> {
  const { client, trans } = context;
  let schedule: AutoflowAPI.ISchedule;
  try {
    schedule = await client.getSchedule(id);
  } catch (error) {
    Notification.error(
      trans.__('Could not read schedule %1: %2', id, messageOf(error)),
      { autoClose: 10000 }
    );
    return null;
  }
  const declared = await readParameters(context, schedule.notebook);
  const body = new ScheduleDialogBody({
    ...context,
    notebook: schedule.notebook,
    schedule,
    form: scheduleForm(schedule),
    declared
  });
  const saved = await launch(body, {
    title: trans.__('Edit Schedule %1', schedule.name),
    accept: trans.__('Save')
  });
  if (saved) {
    Notification.success(trans.__('Schedule “%1” saved', saved.name), {
      autoClose: 5000
    });
  }
  return saved;
}

/**
 * A dialog that saves before it closes: accepting (the button or Enter)
 * asks the body to save, and the dialog stays open, values kept, when the
 * body cannot. The accept button is disabled while the trigger is known to
 * be invalid.
 */
export class ScheduleDialog extends Dialog<AutoflowAPI.ISchedule | null> {
  constructor(
    body: ScheduleDialogBody,
    options: { title: string; accept: string }
  ) {
    super({
      title: options.title,
      body,
      buttons: [
        Dialog.cancelButton({ label: body.trans.__('Cancel') }),
        Dialog.okButton({ label: options.accept })
      ],
      defaultButton: 1,
      focusNodeSelector: 'input'
    });
    this.addClass('jp-autoflow-ScheduleDialog-dialog');
    this._scheduleBody = body;
    body.stateChanged.connect(this._syncAccept, this);
    void this.ready.then(() => this._syncAccept());
  }

  /**
   * Save through the body first when the accept button is meant.
   */
  resolve(index?: number): void {
    if ((index ?? ACCEPT_INDEX) !== ACCEPT_INDEX) {
      super.resolve(index);
      return;
    }
    if (!this._scheduleBody.canSave) {
      return;
    }
    void this._scheduleBody.save().then(saved => {
      if (saved && !this.isDisposed) {
        super.resolve(index);
      }
    });
  }

  /**
   * The base class enables the buttons whenever the inputs are valid; keep
   * the accept button disabled while the trigger is not.
   */
  protected _checkValidation(): void {
    super._checkValidation();
    this._syncAccept();
  }

  private _syncAccept(): void {
    const button = this.node.querySelector<HTMLButtonElement>(
      '.jp-Dialog-footer .jp-mod-accept'
    );
    if (button) {
      const refused = !this._scheduleBody.canSave;
      button.disabled = refused;
      button.setAttribute('aria-disabled', String(refused));
    }
  }

  private _scheduleBody: ScheduleDialogBody;
}

const ACCEPT_INDEX = 1;

/**
 * The body of the Schedule dialog: the form's state, its live preview and
 * the save.
 */
export class ScheduleDialogBody
  extends ReactWidget
  implements Dialog.IBodyWidget<AutoflowAPI.ISchedule | null>
{
  constructor(options: ScheduleDialogBody.IOptions) {
    super();
    this.addClass(BODY_CLASS);
    this._options = options;
    this._form = options.form;
    this._idPrefix = `jp-autoflow-schedule-${++dialogCount}`;
    const declared = options.declared;
    this._fields = declared.fields;
    const values = initialValues(this._fields);
    const stored = options.schedule?.parameters ?? {};
    if (declared.inferred) {
      for (const field of this._fields) {
        if (field.name in stored) {
          values[field.name] = parameterInput(field, stored[field.name]);
        }
      }
    } else if (this._fields.length > 0 && Object.keys(stored).length > 0) {
      values[ALL_PARAMETERS] = parameterInput(this._fields[0], stored);
    }
    this._values = values;
    this._timezones = timezoneNames();
    this._schedulePreview();
  }

  get trans(): TranslationBundle {
    return this._options.trans;
  }

  /**
   * Emitted when whether the dialog can save may have changed.
   */
  get stateChanged(): ISignal<this, void> {
    return this._stateChanged;
  }

  /**
   * Whether accepting may save: not while saving, nor while the trigger is
   * known to be invalid.
   */
  get canSave(): boolean {
    if (this._saving) {
      return false;
    }
    return !TRIGGER_FIELDS[this._form.kind].some(field => this._errors[field]);
  }

  /**
   * The saved schedule, once {@link save} succeeded.
   */
  getValue(): AutoflowAPI.ISchedule | null {
    return this._saved;
  }

  /**
   * Create or update the schedule; problems show next to their fields.
   *
   * @returns Whether it saved (or there was nothing to change)
   */
  async save(): Promise<boolean> {
    const { client, schedule, notebook, trans } = this._options;
    const settings = buildSettings(this._form, trans);
    const changes = collectChanges(this._fields, this._values, trans);
    if (!settings.ok || Object.keys(changes.errors).length > 0) {
      this._errors = settings.ok ? {} : settings.errors;
      this._parameterErrors = changes.errors;
      this._general = null;
      this._changed();
      this._focusFirstError();
      return false;
    }
    let parameters: AutoflowAPI.Parameters;
    if (this._fields.length === 0) {
      parameters = schedule?.parameters ?? {};
    } else if (this._options.declared.inferred) {
      parameters = changes.values;
    } else {
      parameters = (changes.values[ALL_PARAMETERS] ??
        {}) as AutoflowAPI.Parameters;
    }
    this._saving = true;
    this._general = null;
    this._changed();
    try {
      if (schedule === null) {
        this._saved = await client.createSchedule(
          createRequest(notebook, settings.settings, parameters)
        );
      } else {
        const change = updateRequest(schedule, settings.settings, parameters);
        this._saved =
          Object.keys(change).length === 0
            ? schedule
            : await client.updateSchedule(schedule.id, change);
      }
      return true;
    } catch (error) {
      this._refused(error);
      return false;
    } finally {
      this._saving = false;
      this._changed();
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    window.clearTimeout(this._previewTimer);
    Signal.clearData(this);
    super.dispose();
  }

  protected onUpdateRequest(msg: UpdateMessage): void {
    super.onUpdateRequest(msg);
    if (!this._focusPending) {
      return;
    }
    this._focusPending = false;
    void this.renderPromise?.then(() => {
      const invalid = this.node.querySelector<HTMLElement>(
        '[aria-invalid="true"], [role="alert"]'
      );
      invalid?.focus();
      invalid?.scrollIntoView({ block: 'nearest' });
    });
  }

  protected render(): JSX.Element {
    const { declared, trans } = this._options;
    return (
      <>
        {this._general ? (
          <p className={GENERAL_ERROR_CLASS} role="alert" tabIndex={-1}>
            {this._general}
          </p>
        ) : null}
        <ScheduleForm
          form={this._form}
          errors={this._errors}
          preview={this._preview}
          parameters={this._fields}
          parameterValues={this._values}
          parameterErrors={this._parameterErrors}
          parametersNote={declared.note}
          limits={!isWorkflowPath(this._options.notebook)}
          timezones={this._timezones}
          idPrefix={this._idPrefix}
          trans={trans}
          onChange={this._onChange}
          onParameterChange={this._onParameterChange}
        />
      </>
    );
  }

  private _onChange = (change: Partial<IScheduleForm>): void => {
    this._form = applyChange(this._form, change);
    const errors = { ...this._errors };
    for (const key of Object.keys(change)) {
      delete errors[key];
    }
    if ('cron' in change || 'expression' in change) {
      delete errors.expression;
    }
    this._errors = errors;
    this._schedulePreview();
    this._changed();
  };

  private _onParameterChange = (name: string, value: InputValue): void => {
    this._values = { ...this._values, [name]: value };
    const parameter = this._fields.find(field => field.name === name);
    const error = parameter ? fieldError(parameter, value, this.trans) : null;
    const errors = { ...this._parameterErrors };
    if (error) {
      errors[name] = error;
    } else {
      delete errors[name];
    }
    this._parameterErrors = errors;
    this._changed();
  };

  /**
   * Ask the server about the trigger once typing pauses, unless it is the
   * one asked about last. Answers to older questions are dropped.
   */
  private _schedulePreview(): void {
    const trigger = buildTrigger(this._form, this.trans);
    // A data trigger's preview also shows its stencil at the sample date.
    const sampleDate =
      this._form.kind === 'new_data' && this._form.sampleDate.trim() !== ''
        ? this._form.sampleDate.trim()
        : null;
    const key = JSON.stringify([trigger, sampleDate]);
    if (key === this._previewKey) {
      return;
    }
    this._previewKey = key;
    window.clearTimeout(this._previewTimer);
    const asked = ++this._previewCount;
    if (this._preview.status === 'idle') {
      this._preview = { status: 'pending' };
    }
    this._previewTimer = window.setTimeout(async () => {
      if (!trigger.ok) {
        this._setTriggerError(trigger.field, trigger.error);
        return;
      }
      try {
        const answer = await this._options.client.previewTrigger(
          trigger.trigger,
          sampleDate
        );
        if (asked !== this._previewCount || this.isDisposed) {
          return;
        }
        this._clearTriggerErrors();
        this._preview = {
          status: 'ready',
          description: answer.description,
          times: answer.next_fire_times,
          dateRanges: answer.date_ranges
        };
      } catch (error) {
        if (asked !== this._previewCount || this.isDisposed) {
          return;
        }
        const field =
          error instanceof AutoflowResponseError
            ? formFieldOf(error.field)
            : null;
        if (field && TRIGGER_FIELDS[this._form.kind].includes(field as never)) {
          this._setTriggerError(field, messageOf(error));
          return;
        }
        this._clearTriggerErrors();
        this._preview = { status: 'error', message: messageOf(error) };
      }
      this._changed();
    }, PREVIEW_DELAY_MS);
  }

  private _setTriggerError(field: string, message: string): void {
    this._clearTriggerErrors();
    this._errors = { ...this._errors, [field]: message };
    this._preview = { status: 'error', message };
    this._changed();
  }

  private _clearTriggerErrors(): void {
    const errors = { ...this._errors };
    for (const field of TRIGGER_FIELDS[this._form.kind]) {
      delete errors[field];
    }
    this._errors = errors;
  }

  /**
   * Spread the server's refusal over the form.
   */
  private _refused(error: unknown): void {
    if (
      !(error instanceof AutoflowResponseError) ||
      error.response.status !== 400
    ) {
      this._general = messageOf(error);
      return;
    }
    const message = messageOf(error);
    const field = formFieldOf(error.field);
    if (field === null) {
      this._general = message;
    } else if (field.startsWith(ALL_PARAMETERS)) {
      const names = this._options.declared.inferred
        ? this._fields.map(item => item.name)
        : [];
      const spread = serverErrors(error.field, message, names);
      if (this._fields.length > 0 && !this._options.declared.inferred) {
        this._parameterErrors = { [ALL_PARAMETERS]: message };
      } else {
        this._parameterErrors = spread.fields;
        if (spread.general) {
          this._errors = { ...this._errors, parameters: spread.general };
        }
      }
    } else {
      this._errors = { ...this._errors, [field]: message };
      if (TRIGGER_FIELDS[this._form.kind].includes(field as never)) {
        this._preview = { status: 'error', message };
      }
    }
    this._focusFirstError();
  }

  /**
   * Move the focus to the first field in error once the next render shows it.
   */
  private _focusFirstError(): void {
    this._focusPending = true;
  }

  private _changed(): void {
    this.update();
    this._stateChanged.emit();
  }

  private _errors: ScheduleErrors = {};
  private _fields: ReadonlyArray<IParameter>;
  private _focusPending = false;
  private _form: IScheduleForm;
  private _general: string | null = null;
  private _idPrefix: string;
  private _options: ScheduleDialogBody.IOptions;
  private _parameterErrors: FieldErrors = {};
  private _preview: PreviewState = { status: 'idle' };
  private _previewCount = 0;
  private _previewKey = '';
  private _previewTimer = 0;
  private _saved: AutoflowAPI.ISchedule | null = null;
  private _saving = false;
  private _stateChanged = new Signal<this, void>(this);
  private _timezones: string[];
  private _values: InputValues;
}

/**
 * A namespace for ScheduleDialogBody statics.
 */
export namespace ScheduleDialogBody {
  /**
   * Options to create the body.
   */
  export interface IOptions extends IScheduleDialogContext {
    notebook: string;
    /**
     * The schedule being edited, or `null` for a new one.
     */
    schedule: AutoflowAPI.ISchedule | null;
    form: IScheduleForm;
    declared: IDeclaredParameters;
  }
}

/**
 * The parameters form of a notebook: its fields (none when it takes none,
 * one JSON object when they cannot be read), and a note about them.
 */
export interface IDeclaredParameters {
  fields: IParameter[];
  /**
   * Whether the fields are the notebook's own parameters.
   */
  inferred: boolean;
  note: string | null;
}

async function launch(
  body: ScheduleDialogBody,
  options: { title: string; accept: string }
): Promise<AutoflowAPI.ISchedule | null> {
  const dialog = new ScheduleDialog(body, options);
  const result = await dialog.launch();
  return result.button.accept ? result.value : null;
}

/**
 * The parameters form of a workflow: its declared parameters, defaults filled in.
 */
async function readWorkflowParameters(
  context: IScheduleDialogContext,
  workflow: string
): Promise<IDeclaredParameters> {
  const { client, trans } = context;
  let validation: AutoflowAPI.IWorkflowValidation;
  try {
    validation = await client.validateWorkflow(workflow);
  } catch (error) {
    return {
      fields: [],
      inferred: false,
      note: trans.__(
        'Could not read the workflow %1: %2.',
        basename(workflow),
        messageOf(error)
      )
    };
  }
  if (!validation.valid) {
    const first = validation.issues[0];
    return {
      fields: [],
      inferred: false,
      note: trans.__(
        '%1 is not a valid workflow (line %2: %3); fix it in the workflow editor first.',
        basename(workflow),
        first?.line ?? '?',
        first?.message ?? ''
      )
    };
  }
  return {
    fields: workflowParameterFields(validation.parameters),
    inferred: true,
    note:
      validation.parameters.length === 0
        ? trans.__('The workflow takes no parameters.')
        : trans.__(
            'The workflow’s parameters; its steps set their own kernels and time limits.'
          )
  };
}

async function readParameters(
  context: IScheduleDialogContext,
  notebook: string
): Promise<IDeclaredParameters> {
  if (isWorkflowPath(notebook)) {
    return readWorkflowParameters(context, notebook);
  }
  const { client, trans } = context;
  let declared: AutoflowAPI.NotebookParameters;
  try {
    declared = await client.notebookParameters(notebook);
  } catch (error) {
    return {
      fields: [],
      inferred: false,
      note: trans.__(
        'Could not read the parameters of %1: %2. Its parameters stay as they are.',
        basename(notebook),
        messageOf(error)
      )
    };
  }
  if (!declared.has_parameters_cell) {
    return {
      fields: [],
      inferred: false,
      note: trans.__(
        '%1 has no cell tagged parameters, so it takes no parameters.',
        basename(notebook)
      )
    };
  }
  if (!declared.injection_available) {
    return {
      fields: [],
      inferred: false,
      note: trans.__(
        'Papermill cannot pass parameters to notebooks in %1.',
        declared.language ?? trans.__('this language')
      )
    };
  }
  if (!declared.inference_available) {
    return {
      fields: [
        {
          name: ALL_PARAMETERS,
          type: 'dict',
          default: '{}',
          help: trans.__('Names and values as a JSON object.')
        }
      ],
      inferred: false,
      note: trans.__(
        'Parameters of %1 notebooks cannot be read: papermill passes them as given.',
        declared.language ?? trans.__('non-Python')
      )
    };
  }
  if (declared.parameters.length === 0) {
    return {
      fields: [],
      inferred: true,
      note: trans.__('The parameters cell assigns no parameters.')
    };
  }
  return {
    fields: declared.parameters,
    inferred: true,
    note: trans.__(
      'Only the values you change are stored; the others keep the notebook’s defaults.'
    )
  };
}
