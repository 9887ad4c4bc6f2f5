import { AutoflowAPI } from './api';
import { IParameter } from './parameters';

/**
 * The suffix of workflow definition files.
 */
export const WORKFLOW_SUFFIX = '.autoflow.yaml';

/**
 * The name of the file type JupyterLab knows workflow definitions by.
 */
export const WORKFLOW_FILE_TYPE = 'autoflow-workflow';

/**
 * Whether `path` names a workflow definition rather than a notebook.
 */
export function isWorkflowPath(path: string): boolean {
  return path.endsWith(WORKFLOW_SUFFIX);
}

/**
 * A workflow's parameters as parameter fields: workflow parameters declare no
 * types, so each field takes its default's type (any, with no default).
 */
export function workflowParameterFields(
  parameters: AutoflowAPI.IWorkflowValidation['parameters']
): IParameter[] {
  return parameters.map(parameter => ({
    name: parameter.name,
    type: parameter.required ? 'any' : typeOf(parameter.default),
    default: parameter.required ? '' : pythonSource(parameter.default),
    help: parameter.description
  }));
}

function typeOf(value: unknown): IParameter['type'] {
  if (typeof value === 'boolean') {
    return 'bool';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? 'int' : 'float';
  }
  if (typeof value === 'string') {
    return 'str';
  }
  if (Array.isArray(value)) {
    return 'list';
  }
  return value !== null && typeof value === 'object' ? 'dict' : 'any';
}

/**
 * A JSON value as the Python literal a parameters cell would assign it with.
 */
export function pythonSource(value: unknown): string {
  if (value === null || value === undefined) {
    return 'None';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  if (Array.isArray(value)) {
    return `[${value.map(pythonSource).join(', ')}]`;
  }
  if (typeof value === 'object') {
    const items = Object.entries(value as Record<string, unknown>).map(
      ([key, item]) => `${JSON.stringify(key)}: ${pythonSource(item)}`
    );
    return `{${items.join(', ')}}`;
  }
  return JSON.stringify(value);
}
