import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import { ParametersForm } from '../components/ParametersForm';
import { basename, messageOf } from '../format';
import type { RunsModel } from '../model';
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

const BODY_CLASS = 'jp-autoflow-RunWithParameters';
const INTRO_CLASS = 'jp-autoflow-RunWithParameters-intro';
const GENERAL_ERROR_CLASS = 'jp-autoflow-RunWithParameters-error';

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
export interface IRunWithParametersContext {
  model: RunsModel;
  trans: TranslationBundle;
  /**
   * Called with the queued run, to reveal it.
   */
  onQueued: (run: AutoflowAPI.IRun) => void;
}

/**
 * Ask for a notebook's parameters in a dialog and queue a run with the ones
 * the user changed. Problems (unreadable input, or the server's 400 naming
 * a parameter) bring the dialog back with the values kept and the message
 * next to the field. Never throws.
 *
 * @param notebook The notebook's path relative to the server root, saved
 */
export async function runWithParameters(
  context: IRunWithParametersContext,
  notebook: string
): Promise<void> {
  const { model, trans } = context;
  let declared: AutoflowAPI.NotebookParameters;
  try {
    declared = await model.client.notebookParameters(notebook);
  } catch (error) {
    Notification.error(
      trans.__(
        'Could not read the parameters of %1: %2',
        notebook,
        messageOf(error)
      ),
      { autoClose: 10000 }
    );
    return;
  }
  const fields = formFields(declared, trans);
  if (fields.length === 0) {
    if (await confirmPlainRun(declared, trans)) {
      await submit(context, notebook, {});
    }
    return;
  }

  let values = initialValues(fields);
  let errors: FieldErrors = {};
  let general: string | null = null;
  for (;;) {
    const body = new ParametersDialogBody({
      parameters: fields,
      values,
      errors,
      general,
      intro: introOf(declared, trans),
      trans
    });
    const result = await showDialog({
      title: trans.__('Run %1 with Parameters', basename(notebook)),
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Run') })
      ],
      focusNodeSelector:
        Object.keys(errors).length > 0
          ? '[aria-invalid="true"]'
          : 'input, textarea'
    });
    if (!result.button.accept || result.value === null) {
      return;
    }
    values = result.value;
    const changes = collectChanges(fields, values, trans);
    errors = changes.errors;
    general = null;
    if (Object.keys(errors).length > 0) {
      continue;
    }
    const parameters = declared.inference_available
      ? changes.values
      : ((changes.values[ALL_PARAMETERS] ?? {}) as AutoflowAPI.Parameters);
    const refusal = await submit(context, notebook, parameters);
    if (refusal === null) {
      return;
    }
    ({ fields: errors, general } = serverErrors(
      refusal.field,
      refusal.message,
      declared.inference_available ? fields.map(field => field.name) : []
    ));
  }
}

/**
 * The body of the Run with Parameters dialog: a {@link ParametersForm}
 * holding its own values, checked as the user types.
 */
export class ParametersDialogBody
  extends ReactWidget
  implements Dialog.IBodyWidget<InputValues>
{
  constructor(options: ParametersDialogBody.IOptions) {
    super();
    this.addClass(BODY_CLASS);
    this._options = options;
    this._values = { ...options.values };
    this._errors = { ...options.errors };
    this._idPrefix = `jp-autoflow-parameters-${++dialogCount}`;
  }

  /**
   * The inputs' values, as the dialog resolves.
   */
  getValue(): InputValues {
    return { ...this._values };
  }

  protected render(): JSX.Element {
    const { parameters, general, intro, trans } = this._options;
    return (
      <>
        {intro ? <p className={INTRO_CLASS}>{intro}</p> : null}
        {general ? (
          <p className={GENERAL_ERROR_CLASS} role="alert">
            {general}
          </p>
        ) : null}
        <ParametersForm
          parameters={parameters}
          values={this._values}
          errors={this._errors}
          idPrefix={this._idPrefix}
          trans={trans}
          onChange={this._onChange}
        />
      </>
    );
  }

  private _onChange = (name: string, value: InputValue): void => {
    this._values = { ...this._values, [name]: value };
    const parameter = this._options.parameters.find(p => p.name === name);
    const error = parameter
      ? fieldError(parameter, value, this._options.trans)
      : null;
    const errors = { ...this._errors };
    if (error) {
      errors[name] = error;
    } else {
      delete errors[name];
    }
    this._errors = errors;
    this.update();
  };

  private _errors: FieldErrors;
  private _idPrefix: string;
  private _options: ParametersDialogBody.IOptions;
  private _values: InputValues;
}

/**
 * A namespace for ParametersDialogBody statics.
 */
export namespace ParametersDialogBody {
  /**
   * Options to create the body.
   */
  export interface IOptions {
    parameters: ReadonlyArray<IParameter>;
    values: InputValues;
    errors: FieldErrors;
    /**
     * A problem that names no parameter, or `null`.
     */
    general: string | null;
    /**
     * A sentence above the form, or `null`.
     */
    intro: string | null;
    trans: TranslationBundle;
  }
}

/**
 * The form's fields: the declared parameters, or one JSON object field
 * when they cannot be read; none when the notebook takes no parameters.
 */
function formFields(
  declared: AutoflowAPI.NotebookParameters,
  trans: TranslationBundle
): IParameter[] {
  if (!declared.has_parameters_cell || !declared.injection_available) {
    return [];
  }
  if (!declared.inference_available) {
    return [
      {
        name: ALL_PARAMETERS,
        type: 'dict',
        default: '{}',
        help: trans.__('Names and values as a JSON object.')
      }
    ];
  }
  return declared.parameters;
}

function introOf(
  declared: AutoflowAPI.NotebookParameters,
  trans: TranslationBundle
): string | null {
  if (!declared.inference_available) {
    return trans.__(
      'Parameters of %1 notebooks cannot be read: papermill passes them as given.',
      declared.language ?? trans.__('non-Python')
    );
  }
  return trans.__(
    'Only the values you change are passed; the others keep their defaults.'
  );
}

/**
 * Tell the user the notebook takes no parameters; whether to run it anyway.
 */
async function confirmPlainRun(
  declared: AutoflowAPI.NotebookParameters,
  trans: TranslationBundle
): Promise<boolean> {
  let reason: string;
  if (!declared.has_parameters_cell) {
    reason = trans.__(
      '%1 has no cell tagged parameters, so it takes no parameters. Tag a cell as parameters so papermill can inject values.',
      basename(declared.notebook)
    );
  } else if (!declared.injection_available) {
    reason = trans.__(
      'Papermill cannot pass parameters to notebooks in %1.',
      declared.language ?? trans.__('this language')
    );
  } else {
    reason = trans.__(
      'The parameters cell of %1 assigns no parameters.',
      basename(declared.notebook)
    );
  }
  const result = await showDialog({
    title: trans.__('Run %1 with Parameters', basename(declared.notebook)),
    body: reason,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.okButton({ label: trans.__('Run Without Parameters') })
    ]
  });
  return result.button.accept;
}

/**
 * Queue the run and report it.
 *
 * @returns The server's refusal when it answers 400, else `null`
 */
async function submit(
  context: IRunWithParametersContext,
  notebook: string,
  parameters: AutoflowAPI.Parameters
): Promise<AutoflowResponseError | null> {
  const { model, trans } = context;
  try {
    const run = await model.submit(notebook, parameters);
    Notification.success(
      trans.__('Run #%1 of %2 queued', run.id, basename(notebook)),
      { autoClose: 5000 }
    );
    context.onQueued(run);
    return null;
  } catch (error) {
    if (
      error instanceof AutoflowResponseError &&
      error.response.status === 400
    ) {
      return error;
    }
    Notification.error(messageOf(error), { autoClose: 10000 });
    return null;
  }
}
