import * as React from 'react';

import type { ITranslate } from '../format';
import {
  FieldErrors,
  InputValue,
  InputValues,
  inputKind,
  IParameter
} from '../parameters';

const FORM_CLASS = 'jp-autoflow-ParametersForm';
const FIELD_CLASS = 'jp-autoflow-ParametersForm-field';
const LABEL_CLASS = 'jp-autoflow-ParametersForm-label';
const NAME_CLASS = 'jp-autoflow-ParametersForm-name';
const TYPE_CLASS = 'jp-autoflow-ParametersForm-type';
const INPUT_CLASS = 'jp-autoflow-ParametersForm-input';
const HELP_CLASS = 'jp-autoflow-ParametersForm-help';
const ERROR_CLASS = 'jp-autoflow-ParametersForm-error';

/**
 * Tallest a JSON text area grows before it scrolls, in lines.
 */
const MAX_JSON_ROWS = 8;

/**
 * Props of {@link ParametersForm}.
 */
export interface IParametersFormProps {
  /**
   * The parameters to fill in, in the notebook's order.
   */
  parameters: ReadonlyArray<IParameter>;
  /**
   * Each input's value, by parameter name.
   */
  values: InputValues;
  /**
   * Messages shown next to inputs, by parameter name.
   */
  errors: FieldErrors;
  /**
   * Prefix of the inputs' DOM ids, unique on the page.
   */
  idPrefix: string;
  trans: ITranslate;
  onChange: (name: string, value: InputValue) => void;
}

/**
 * One labelled input per parameter, suited to its type, with its help and
 * any error next to it. Holds no state: the caller owns values and errors.
 */
export function ParametersForm(props: IParametersFormProps): JSX.Element {
  return (
    <div className={FORM_CLASS}>
      {props.parameters.map(parameter => (
        <ParameterField
          key={parameter.name}
          parameter={parameter}
          value={props.values[parameter.name] ?? ''}
          error={props.errors[parameter.name] ?? null}
          id={`${props.idPrefix}-${parameter.name}`}
          trans={props.trans}
          onChange={props.onChange}
        />
      ))}
    </div>
  );
}

interface IParameterFieldProps {
  parameter: IParameter;
  value: InputValue;
  error: string | null;
  id: string;
  trans: ITranslate;
  onChange: (name: string, value: InputValue) => void;
}

function ParameterField(props: IParameterFieldProps): JSX.Element {
  const { parameter, value, error, id, trans } = props;
  const kind = inputKind(parameter);
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const describedBy =
    [parameter.help ? helpId : '', error ? errorId : '']
      .filter(Boolean)
      .join(' ') || undefined;
  const common = {
    id,
    name: parameter.name,
    className: INPUT_CLASS,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy
  };
  const text = typeof value === 'string' ? value : String(value);
  const onText = (
    event: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>
  ) => props.onChange(parameter.name, event.target.value);

  let input: JSX.Element;
  switch (kind) {
    case 'checkbox':
      input = (
        <input
          {...common}
          type="checkbox"
          checked={value === true}
          onChange={event =>
            props.onChange(parameter.name, event.target.checked)
          }
        />
      );
      break;
    case 'integer':
    case 'number':
      input = (
        <input
          {...common}
          type="number"
          step={kind === 'integer' ? 1 : 'any'}
          value={text}
          onChange={onText}
        />
      );
      break;
    case 'date':
      input = <input {...common} type="date" value={text} onChange={onText} />;
      break;
    case 'json':
      input = (
        <textarea
          {...common}
          rows={Math.min(MAX_JSON_ROWS, text.split('\n').length + 1)}
          spellCheck={false}
          value={text}
          placeholder={parameter.type === 'list' ? '[]' : '{}'}
          onChange={onText}
        />
      );
      break;
    default:
      input = (
        <input
          {...common}
          type="text"
          spellCheck={false}
          value={text}
          placeholder={kind === 'any' ? trans.__('JSON or text') : undefined}
          onChange={onText}
        />
      );
  }

  return (
    <div
      className={FIELD_CLASS}
      data-parameter={parameter.name}
      data-kind={kind}
    >
      <div className={LABEL_CLASS}>
        <label htmlFor={id} className={NAME_CLASS}>
          {parameter.name}
        </label>
        <span className={TYPE_CLASS}>{parameter.type}</span>
      </div>
      {input}
      {parameter.help ? (
        <div id={helpId} className={HELP_CLASS}>
          {parameter.help}
        </div>
      ) : null}
      {error ? (
        <div id={errorId} className={ERROR_CLASS}>
          {error}
        </div>
      ) : null}
    </div>
  );
}
