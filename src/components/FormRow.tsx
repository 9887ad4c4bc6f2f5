import * as React from 'react';

const ROW_CLASS = 'jp-autoflow-ScheduleForm-row';
const LABEL_CLASS = 'jp-autoflow-ScheduleForm-label';
const CONTROL_CLASS = 'jp-autoflow-ScheduleForm-control';
const HELP_CLASS = 'jp-autoflow-ScheduleForm-help';
const ERROR_CLASS = 'jp-autoflow-ScheduleForm-error';

export interface IFormRowProps {
  /**
   * The DOM id of the row's input.
   */
  id: string;
  label: string;
  help?: string | null;
  error?: string;
  children: React.ReactNode;
}

/**
 * A label and its input, with help and error under the input.
 */
export function FormRow(props: IFormRowProps): JSX.Element {
  return (
    <div className={ROW_CLASS}>
      <label htmlFor={props.id} className={LABEL_CLASS}>
        {props.label}
      </label>
      <div className={CONTROL_CLASS}>
        {props.children}
        {props.help ? (
          <div id={`${props.id}-help`} className={HELP_CLASS}>
            {props.help}
          </div>
        ) : null}
        {props.error ? (
          <div id={`${props.id}-error`} className={ERROR_CLASS}>
            {props.error}
          </div>
        ) : null}
      </div>
    </div>
  );
}
