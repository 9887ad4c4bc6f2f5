import { initialValue, inputKind } from '../../src/parameters';
import {
  isWorkflowPath,
  pythonSource,
  workflowParameterFields
} from '../../src/workflowFiles';

describe('isWorkflowPath', () => {
  it('tells workflow definitions from notebooks', () => {
    expect(isWorkflowPath('reports/daily.autoflow.yaml')).toBe(true);
    expect(isWorkflowPath('daily.ipynb')).toBe(false);
    expect(isWorkflowPath('daily.yaml')).toBe(false);
  });
});

describe('pythonSource', () => {
  it('writes JSON values as Python literals, nested ones too', () => {
    expect(pythonSource(null)).toBe('None');
    expect(pythonSource(true)).toBe('True');
    expect(pythonSource('a "b"')).toBe('"a \\"b\\""');
    expect(pythonSource({ on: false, days: [1, null] })).toBe(
      '{"on": False, "days": [1, None]}'
    );
  });
});

describe('workflowParameterFields', () => {
  it('gives each parameter the input of its default, required ones any', () => {
    // Given a workflow's parameters as the server describes them
    const fields = workflowParameterFields([
      { name: 'day', required: false, default: '2016-01-07', description: '' },
      { name: 'days', required: false, default: 7, description: 'Window' },
      { name: 'regions', required: false, default: ['north'], description: '' },
      { name: 'flag', required: false, default: true, description: '' },
      { name: 'who', required: true, default: null, description: '' }
    ]);

    // Then each has the input its default suits, filled with the default
    expect(fields.map(inputKind)).toEqual([
      'date',
      'integer',
      'json',
      'checkbox',
      'any'
    ]);
    expect(fields.map(initialValue)).toEqual([
      '2016-01-07',
      '7',
      '["north"]',
      true,
      ''
    ]);
    expect(fields[1].help).toBe('Window');
  });
});
