import { caretDownIcon, caretRightIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import type { AutoflowAPI } from '../api';
import { basename, ITranslate } from '../format';

const SECTION_CLASS = 'jp-autoflow-ParametersSection';
const HEADER_CLASS = 'jp-autoflow-ParametersSection-header';
const TOGGLE_CLASS = 'jp-autoflow-ParametersSection-toggle';
const NOTEBOOK_CLASS = 'jp-autoflow-ParametersSection-notebook';
const BODY_CLASS = 'jp-autoflow-ParametersSection-body';
const LIST_CLASS = 'jp-autoflow-ParametersSection-list';
const ITEM_CLASS = 'jp-autoflow-ParametersSection-item';
const SIGNATURE_CLASS = 'jp-autoflow-ParametersSection-signature';
const NAME_CLASS = 'jp-autoflow-ParametersSection-name';
const TYPE_CLASS = 'jp-autoflow-ParametersSection-type';
const DEFAULT_CLASS = 'jp-autoflow-ParametersSection-default';
const HELP_CLASS = 'jp-autoflow-ParametersSection-help';
const MESSAGE_CLASS = 'jp-autoflow-ParametersSection-message';
const ACTIONS_CLASS = 'jp-autoflow-ParametersSection-actions';
const BUTTON_CLASS = 'jp-autoflow-ParametersSection-button';

/**
 * Props of {@link ParametersSection}.
 */
export interface IParametersSectionProps {
  /**
   * The current notebook's path, or `null` when no notebook is open.
   */
  path: string | null;
  parameters: AutoflowAPI.NotebookParameters | null;
  loading: boolean;
  errorMessage: string | null;
  trans: ITranslate;
  /**
   * Tag the current notebook's active cell `parameters`.
   */
  onTagCell: () => void;
  /**
   * Open the Run with Parameters dialog for the current notebook.
   */
  onRun: () => void;
}

/**
 * A collapsible sidebar section: the parameters the current notebook
 * declares (name, type, default, help), or what to do when it declares none.
 */
export function ParametersSection(props: IParametersSectionProps): JSX.Element {
  const { trans, path } = props;
  const [expanded, setExpanded] = React.useState(true);
  const bodyId = React.useId();
  const Caret = expanded ? caretDownIcon : caretRightIcon;
  return (
    <section className={SECTION_CLASS} aria-label={trans.__('Parameters')}>
      <h3 className={HEADER_CLASS}>
        <button
          type="button"
          className={TOGGLE_CLASS}
          aria-expanded={expanded}
          aria-controls={bodyId}
          onClick={() => setExpanded(!expanded)}
        >
          <Caret.react tag="span" elementSize="small" />
          {trans.__('Parameters')}
        </button>
        {path ? (
          <span className={NOTEBOOK_CLASS} title={path}>
            {basename(path)}
          </span>
        ) : null}
      </h3>
      {expanded ? (
        <div id={bodyId} className={BODY_CLASS}>
          <Body {...props} />
        </div>
      ) : null}
    </section>
  );
}

function Body(props: IParametersSectionProps): JSX.Element {
  const { trans, parameters, path } = props;
  if (path === null) {
    return (
      <Message>{trans.__('Open a notebook to see its parameters.')}</Message>
    );
  }
  if (props.errorMessage) {
    return <Message role="alert">{props.errorMessage}</Message>;
  }
  if (parameters === null) {
    return <Message>{trans.__('Reading parameters…')}</Message>;
  }
  if (!parameters.has_parameters_cell) {
    return (
      <>
        <Message>
          {trans.__('Tag a cell as parameters so papermill can inject values.')}{' '}
          {trans.__('Its parameters show here once the notebook is saved.')}
        </Message>
        <div className={ACTIONS_CLASS}>
          <button
            type="button"
            className={BUTTON_CLASS}
            onClick={props.onTagCell}
          >
            {trans.__('Tag Active Cell as Parameters')}
          </button>
        </div>
      </>
    );
  }
  if (!parameters.injection_available) {
    return (
      <Message>
        {trans.__(
          'Papermill cannot pass parameters to notebooks in %1.',
          parameters.language ?? trans.__('this language')
        )}
      </Message>
    );
  }
  if (!parameters.inference_available) {
    return (
      <>
        <Message>
          {trans.__(
            'Parameters of %1 notebooks cannot be read, so none are listed. Runs accept any parameter, passed as given.',
            parameters.language ?? trans.__('non-Python')
          )}
        </Message>
        <RunButton {...props} />
      </>
    );
  }
  if (parameters.parameters.length === 0) {
    return (
      <Message>
        {trans.__('The parameters cell assigns no parameters.')}
      </Message>
    );
  }
  return (
    <>
      <ul
        className={LIST_CLASS}
        aria-label={trans.__('Parameters of %1', basename(parameters.notebook))}
      >
        {parameters.parameters.map(parameter => (
          <li
            key={parameter.name}
            className={ITEM_CLASS}
            data-parameter={parameter.name}
          >
            <div className={SIGNATURE_CLASS}>
              <code className={NAME_CLASS}>{parameter.name}</code>
              <span className={TYPE_CLASS}>{parameter.type}</span>
              <code className={DEFAULT_CLASS} title={parameter.default}>
                {parameter.default}
              </code>
            </div>
            {parameter.help ? (
              <div className={HELP_CLASS}>{parameter.help}</div>
            ) : null}
          </li>
        ))}
      </ul>
      <RunButton {...props} />
    </>
  );
}

function RunButton(props: IParametersSectionProps): JSX.Element {
  return (
    <div className={ACTIONS_CLASS}>
      <button type="button" className={BUTTON_CLASS} onClick={props.onRun}>
        {props.trans.__('Run with Parameters…')}
      </button>
    </div>
  );
}

function Message(props: {
  children: React.ReactNode;
  role?: 'alert' | 'status';
}): JSX.Element {
  return (
    <p className={MESSAGE_CLASS} role={props.role ?? 'status'}>
      {props.children}
    </p>
  );
}
