import { TranslationBundle } from '@jupyterlab/translation';
import { Button } from '@jupyterlab/ui-components';
import * as React from 'react';
import { parse as parseYAML, stringify as stringifyYAML } from 'yaml';

import { AutoflowAPI } from '../api';
import {
  Binding,
  BUILTIN_SOURCES,
  IReportSettings,
  IWorkflowStep,
  ReportFormat
} from '../workflowDocument';
import { CommitInput } from './CommitInput';

const EDITOR_CLASS = 'jp-autoflow-StepEditor';
const SECTION_CLASS = 'jp-autoflow-StepEditor-section';
const HEADING_CLASS = 'jp-autoflow-StepEditor-heading';
const ROW_CLASS = 'jp-autoflow-StepEditor-row';
const NAME_CLASS = 'jp-autoflow-StepEditor-name';
const HINT_CLASS = 'jp-autoflow-StepEditor-hint';
const ERROR_CLASS = 'jp-autoflow-StepEditor-error';
const INPUT_CLASS = 'jp-mod-styled jp-autoflow-StepEditor-input';
const SELECT_CLASS = 'jp-mod-styled jp-autoflow-StepEditor-select';

/**
 * Pattern of a step key, as the schema has it.
 */
const STEP_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Pattern of a parameter name.
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Choice values of a binding's source menu.
 */
const UNBOUND = '';
const LITERAL = 'literal';
const NEW_PARAMETER = 'new-parameter';
const FROM = 'from:';

/**
 * What the editor knows of a notebook's parameters.
 */
export type NotebookParametersState =
  | { state: 'loading' }
  | { state: 'ready'; parameters: AutoflowAPI.NotebookParameters }
  | { state: 'error'; message: string };

/**
 * Props of {@link StepEditor}.
 */
export interface IStepEditorProps {
  step: IWorkflowStep;
  /**
   * Keys of every step, this one included.
   */
  stepKeys: string[];
  /**
   * Names of the workflow's parameters.
   */
  workflowParameters: string[];
  notebook: NotebookParametersState;
  /**
   * The server's issues about this step.
   */
  issues: AutoflowAPI.IWorkflowIssue[];
  trans: TranslationBundle;
  onRename(key: string): void;
  onBind(name: string, binding: Binding | null): void;
  /**
   * Add a required workflow parameter and bind the step's parameter to it.
   */
  onBindNewParameter(name: string): void;
  onSetAfter(after: string[]): void;
  onSetReport(report: IReportSettings): void;
  onRemove(): void;
  onOpenNotebook(): void;
}

/**
 * The settings of one step: key, notebook, parameter bindings, dependencies
 * and reports, with the server's issues next to the field at fault.
 */
export function StepEditor(props: IStepEditorProps): JSX.Element {
  const { step, trans, issues } = props;
  const byField = groupIssues(issues, step.index);
  const others = props.stepKeys.filter(key => key !== step.key);
  const idPrefix = `jp-autoflow-step-${step.index}`;

  return (
    <div
      className={EDITOR_CLASS}
      aria-label={trans.__('Step %1', step.key)}
      role="region"
    >
      <section className={SECTION_CLASS}>
        <h3 className={HEADING_CLASS}>{trans.__('Step')}</h3>
        <KeyField {...props} id={`${idPrefix}-key`} />
        <Issues issues={byField.get('key')} />
        <div className={ROW_CLASS}>
          <span className={NAME_CLASS}>{trans.__('Notebook')}</span>
          <span className={HINT_CLASS} title={step.notebook}>
            {step.notebook}
          </span>
          <Button
            minimal
            small
            onClick={props.onOpenNotebook}
            title={trans.__('Open the notebook')}
          >
            {trans.__('Open')}
          </Button>
        </div>
        <Issues issues={byField.get('notebook')} />
        <Issues issues={byField.get('')} />
      </section>

      <section className={SECTION_CLASS}>
        <h3 className={HEADING_CLASS}>{trans.__('Parameters')}</h3>
        <Bindings {...props} idPrefix={idPrefix} byField={byField} />
      </section>

      <section className={SECTION_CLASS}>
        <h3 className={HEADING_CLASS}>{trans.__('Runs after')}</h3>
        {others.length === 0 ? (
          <div className={HINT_CLASS}>{trans.__('No other steps yet.')}</div>
        ) : (
          others.map(key => (
            <label key={key} className={ROW_CLASS}>
              <input
                type="checkbox"
                checked={step.after.includes(key)}
                onChange={event =>
                  props.onSetAfter(
                    event.target.checked
                      ? [...step.after, key]
                      : step.after.filter(item => item !== key)
                  )
                }
              />
              <span>{key}</span>
            </label>
          ))
        )}
        <div className={HINT_CLASS}>
          {trans.__(
            'A parameter bound to a step also waits for it; tick a step here to wait without taking a value.'
          )}
        </div>
        <Issues issues={byField.get('after')} />
      </section>

      <section className={SECTION_CLASS}>
        <h3 className={HEADING_CLASS}>{trans.__('Report')}</h3>
        <div className={ROW_CLASS}>
          {(['html', 'pdf'] as ReportFormat[]).map(format => (
            <label key={format}>
              <input
                type="checkbox"
                checked={step.report.formats.includes(format)}
                onChange={event =>
                  props.onSetReport({
                    ...step.report,
                    formats: event.target.checked
                      ? [...step.report.formats, format]
                      : step.report.formats.filter(item => item !== format)
                  })
                }
              />
              {format.toUpperCase()}
            </label>
          ))}
        </div>
        <Issues issues={byField.get('report')} />
      </section>

      <section className={SECTION_CLASS}>
        <Button
          className="jp-mod-warn"
          small
          onClick={props.onRemove}
          title={trans.__(
            'Remove this step and the bindings and dependencies that name it'
          )}
        >
          {trans.__('Remove step')}
        </Button>
      </section>
    </div>
  );
}

function KeyField(props: IStepEditorProps & { id: string }): JSX.Element {
  const { step, trans } = props;
  const [value, setValue] = React.useState(step.key);
  const [error, setError] = React.useState<string | null>(null);
  React.useEffect(() => {
    setValue(step.key);
    setError(null);
  }, [step.key]);

  const commit = () => {
    if (value === step.key) {
      setError(null);
      return;
    }
    if (!STEP_KEY.test(value)) {
      setError(
        trans.__(
          'A key starts with a letter or _ and holds letters, digits, _ and -.'
        )
      );
      return;
    }
    if (props.stepKeys.includes(value)) {
      setError(trans.__('Another step has the key %1.', value));
      return;
    }
    setError(null);
    props.onRename(value);
  };

  return (
    <>
      <div className={ROW_CLASS}>
        <label className={NAME_CLASS} htmlFor={props.id}>
          {trans.__('Key')}
        </label>
        <input
          id={props.id}
          className={INPUT_CLASS}
          value={value}
          aria-invalid={error !== null}
          onChange={event => setValue(event.target.value)}
          onBlur={commit}
          onKeyDown={event => {
            if (event.key === 'Enter') {
              commit();
            }
          }}
        />
      </div>
      {error ? <div className={ERROR_CLASS}>{error}</div> : null}
    </>
  );
}

/**
 * One row per parameter: the notebook's declared ones first, then any other
 * the step binds.
 */
function Bindings(
  props: IStepEditorProps & {
    idPrefix: string;
    byField: Map<string, AutoflowAPI.IWorkflowIssue[]>;
  }
): JSX.Element {
  const { step, notebook, trans, byField } = props;
  const [extra, setExtra] = React.useState('');
  const declared =
    notebook.state === 'ready' ? notebook.parameters.parameters : [];
  const names = [
    ...declared.map(parameter => parameter.name),
    ...Object.keys(step.parameters).filter(
      name => !declared.some(parameter => parameter.name === name)
    )
  ];
  const addExtra = () => {
    if (IDENTIFIER.test(extra) && !names.includes(extra)) {
      props.onBind(extra, { kind: 'literal', value: '' });
      setExtra('');
    }
  };

  return (
    <>
      {notebook.state === 'loading' ? (
        <div className={HINT_CLASS}>
          {trans.__('Reading the notebook’s parameters…')}
        </div>
      ) : null}
      {notebook.state === 'error' ? (
        <div className={ERROR_CLASS}>{notebook.message}</div>
      ) : null}
      {notebook.state === 'ready' &&
      !notebook.parameters.has_parameters_cell ? (
        <div className={HINT_CLASS}>
          {trans.__(
            'The notebook has no cell tagged “parameters”: values are injected at the top.'
          )}
        </div>
      ) : null}
      {names.map(name => (
        <BindingRow
          key={name}
          {...props}
          name={name}
          declared={declared.find(parameter => parameter.name === name)}
          id={`${props.idPrefix}-parameter-${name}`}
          fieldIssues={byField.get(`parameters.${name}`)}
        />
      ))}
      <div className={ROW_CLASS}>
        <input
          className={INPUT_CLASS}
          placeholder={trans.__('other parameter name')}
          aria-label={trans.__('Name of another parameter to bind')}
          value={extra}
          onChange={event => setExtra(event.target.value)}
          onKeyDown={event => {
            if (event.key === 'Enter') {
              addExtra();
            }
          }}
        />
        <Button
          small
          minimal
          disabled={!IDENTIFIER.test(extra) || names.includes(extra)}
          onClick={addExtra}
        >
          {trans.__('Add')}
        </Button>
      </div>
      <Issues issues={byField.get('parameters')} />
    </>
  );
}

function BindingRow(
  props: IStepEditorProps & {
    name: string;
    declared?: AutoflowAPI.NotebookParameters['parameters'][number];
    id: string;
    fieldIssues?: AutoflowAPI.IWorkflowIssue[];
  }
): JSX.Element {
  const { name, declared, step, trans } = props;
  const binding = step.parameters[name];
  const choice =
    binding === undefined
      ? UNBOUND
      : binding.kind === 'literal'
        ? LITERAL
        : FROM + binding.source;
  const others = props.stepKeys.filter(key => key !== step.key);
  const sources = [
    ...props.workflowParameters.map(parameter => ({
      value: `parameters.${parameter}`,
      label: trans.__('Workflow parameter %1', parameter)
    })),
    ...others.map(key => ({
      value: `steps.${key}`,
      label: trans.__('Executed notebook of step %1', key)
    })),
    ...BUILTIN_SOURCES.map(source => ({ value: source, label: source }))
  ];
  if (
    binding?.kind === 'from' &&
    !sources.some(source => source.value === binding.source)
  ) {
    sources.push({ value: binding.source, label: binding.source });
  }

  const choose = (value: string) => {
    if (value === UNBOUND) {
      props.onBind(name, null);
    } else if (value === LITERAL) {
      props.onBind(name, {
        kind: 'literal',
        value: declared ? literalOf(declared.default) : ''
      });
    } else if (value === NEW_PARAMETER) {
      props.onBindNewParameter(name);
    } else {
      props.onBind(name, { kind: 'from', source: value.slice(FROM.length) });
    }
  };

  return (
    <div className={`${ROW_CLASS} jp-autoflow-StepEditor-binding`}>
      <label className={NAME_CLASS} htmlFor={props.id}>
        {name}
        {declared ? (
          <span className={HINT_CLASS}>
            {' '}
            {declared.type} = {declared.default}
          </span>
        ) : null}
      </label>
      <select
        id={props.id}
        className={SELECT_CLASS}
        value={choice}
        aria-invalid={!!props.fieldIssues?.length}
        onChange={event => choose(event.target.value)}
      >
        <option value={UNBOUND}>{trans.__('Notebook default')}</option>
        <option value={LITERAL}>{trans.__('Value')}</option>
        {sources.map(source => (
          <option key={source.value} value={FROM + source.value}>
            {source.label}
          </option>
        ))}
        {props.workflowParameters.includes(name) ? null : (
          <option value={NEW_PARAMETER}>
            {trans.__('New workflow parameter %1', name)}
          </option>
        )}
      </select>
      {binding?.kind === 'literal' ? (
        <LiteralInput
          value={binding.value}
          label={trans.__('Value of %1', name)}
          onCommit={value => props.onBind(name, { kind: 'literal', value })}
        />
      ) : null}
      <Issues issues={props.fieldIssues} />
    </div>
  );
}

/**
 * A value typed as YAML (`7`, `true`, `[1, 2]`, `"07"`), applied on Enter
 * or when the input loses focus.
 */
function LiteralInput(props: {
  value: unknown;
  label: string;
  onCommit(value: unknown): void;
}): JSX.Element {
  return (
    <CommitInput
      className={INPUT_CLASS}
      label={props.label}
      value={literalText(props.value)}
      onCommit={text => props.onCommit(parseLiteral(text))}
    />
  );
}

function Issues(props: {
  issues?: AutoflowAPI.IWorkflowIssue[];
}): JSX.Element | null {
  if (!props.issues?.length) {
    return null;
  }
  return (
    <>
      {props.issues.map((issue, index) => (
        <div key={index} className={ERROR_CLASS} role="alert">
          {issue.message}
        </div>
      ))}
    </>
  );
}

/**
 * A step's issues by the field they name, relative to the step:
 * `parameters.day`, `notebook`, `after`, `report`, `key`, or '' for the step
 * as a whole.
 */
export function groupIssues(
  issues: AutoflowAPI.IWorkflowIssue[],
  index: number
): Map<string, AutoflowAPI.IWorkflowIssue[]> {
  const groups = new Map<string, AutoflowAPI.IWorkflowIssue[]>();
  const prefix = `steps.${index}`;
  for (const issue of issues) {
    let field = '';
    if (issue.field === prefix) {
      field = '';
    } else if (issue.field?.startsWith(prefix + '.')) {
      const parts = issue.field.slice(prefix.length + 1).split('.');
      field =
        parts[0] === 'parameters' && parts[1]
          ? `parameters.${parts[1]}`
          : parts[0];
    }
    const group = groups.get(field) ?? [];
    group.push(issue);
    groups.set(field, group);
  }
  return groups;
}

/**
 * A literal as it is typed: a string as is unless it would read as another
 * type, everything else as flow YAML.
 */
export function literalText(value: unknown): string {
  if (typeof value === 'string' && parseLiteral(value) === value) {
    return value;
  }
  return stringifyYAML(value, {
    collectionStyle: 'flow',
    lineWidth: 0
  }).trimEnd();
}

/**
 * What a typed literal means as YAML; text that is not YAML stays text.
 */
export function parseLiteral(text: string): unknown {
  try {
    const value = parseYAML(text) as unknown;
    return value === undefined || value === null ? text : value;
  } catch {
    return text;
  }
}

/**
 * A notebook default's source text as a value: Python literals are close
 * enough to YAML for the common cases (numbers, strings, True/False).
 */
function literalOf(source: string): unknown {
  const text = source.trim();
  if (text === 'True' || text === 'False') {
    return text === 'True';
  }
  if (text === 'None') {
    return null;
  }
  const quoted = /^(['"])(.*)\1$/.exec(text);
  if (quoted) {
    return quoted[2];
  }
  return parseLiteral(text);
}
