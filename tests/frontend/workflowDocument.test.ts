import {
  newWorkflowText,
  relativePath,
  joinPath,
  stepKeyOf,
  WorkflowDocument
} from '../../src/workflowDocument';

/**
 * A hand-written definition: comments everywhere, `x-` keys at each level,
 * quoting, a literal that looks like a reference, and a key order of its own.
 */
const HAND_WRITTEN = `# Daily report: two branches, then a report.
name: Daily network activity   # shown in the history
x-owner: analytics
parameters:
  reference_date:
    default: "2016-01-07"
    description: Last day of the window
  days:            # required
steps:
  # calls first
  - key: calls
    notebook: calls_by_region.ipynb          # relative to this file
    x-note: keep me
    parameters:
      reference_date: {from: parameters.reference_date}
      days: 7                                # one week
      pattern: {literal: {from: not-a-reference}}
  - notebook: daily_report.ipynb
    key: report
    parameters:
      calls_notebook: {from: steps.calls}    # binds the executed notebook
    report:
      formats: [html, pdf]
      x-paper: a4
x-trailing: true
`;

describe('WorkflowDocument reading', () => {
  it('round-trips a hand-written file with comments and x- keys unchanged', () => {
    // Given a hand-written file
    const doc = new WorkflowDocument(HAND_WRITTEN);

    // When it is written back without an edit
    const text = doc.toString();

    // Then every comment, x- key and value is still there, in order
    expect(normalise(text)).toBe(normalise(HAND_WRITTEN));
  });

  it('lists steps with their bindings, dependencies and reports', () => {
    // Given a hand-written file
    const doc = new WorkflowDocument(HAND_WRITTEN);

    // When its steps are read
    const [calls, report] = doc.steps;

    // Then bindings, literals (wrapped or not) and reports read as written
    expect(calls.parameters).toEqual({
      reference_date: { kind: 'from', source: 'parameters.reference_date' },
      days: { kind: 'literal', value: 7 },
      pattern: { kind: 'literal', value: { from: 'not-a-reference' } }
    });
    expect(report.report).toEqual({ formats: ['html', 'pdf'] });
    expect(doc.dependencies).toEqual([{ from: 'calls', to: 'report' }]);
    expect(doc.parameters).toEqual([
      {
        name: 'reference_date',
        required: false,
        default: '2016-01-07',
        description: 'Last day of the window'
      },
      { name: 'days', required: true }
    ]);
  });

  it('reports a syntax error with its line and refuses edits', () => {
    // Given a file with a YAML syntax error on line 2
    const doc = new WorkflowDocument('name: x\nsteps: [a\n');

    // Then the error is reported and the structure is not editable
    expect(doc.editable).toBe(false);
    expect(doc.errors[0].line).not.toBeNull();
    expect(() => doc.addStep('a.ipynb')).toThrow();
  });
});

describe('WorkflowDocument editing', () => {
  it('keeps comments and x- keys when a step is added and bound', () => {
    // Given a hand-written file
    const doc = new WorkflowDocument(HAND_WRITTEN);

    // When a step is added and bound to an upstream step
    const key = doc.addStep('sms/sms activity.ipynb');
    doc.setBinding(key, 'calls_notebook', {
      kind: 'from',
      source: 'steps.calls'
    });
    const text = doc.toString();

    // Then the new step is written, and every comment and x- key survives
    expect(key).toBe('sms_activity');
    for (const kept of [
      '# Daily report: two branches, then a report.',
      '# shown in the history',
      'x-owner: analytics',
      '# required',
      '# calls first',
      '# relative to this file',
      'x-note: keep me',
      '# one week',
      '# binds the executed notebook',
      'x-paper: a4',
      'x-trailing: true',
      'reference_date: {from: parameters.reference_date}',
      'default: "2016-01-07"'
    ]) {
      expect(text).toContain(kept);
    }
    expect(text).toContain(
      '  - key: sms_activity\n    notebook: sms/sms activity.ipynb\n    parameters:\n      calls_notebook: {from: steps.calls}\n'
    );
    expect(new WorkflowDocument(text).dependencies).toContainEqual({
      from: 'calls',
      to: 'sms_activity'
    });
  });

  it('keeps the comment of a value when its binding changes', () => {
    // Given a literal with a trailing comment
    const doc = new WorkflowDocument(HAND_WRITTEN);

    // When it is bound to a workflow parameter
    doc.setBinding('calls', 'days', { kind: 'from', source: 'parameters.days' });

    // Then the comment follows the new value
    expect(doc.toString()).toMatch(/days: \{from: parameters\.days\} +# one week/);
  });

  it('wraps a literal mapping that would read as a reference', () => {
    // Given a new workflow with one step
    const doc = new WorkflowDocument(newWorkflowText('W'));
    doc.addStep('a.ipynb');

    // When a parameter is set to a mapping with a `from` key
    doc.setBinding('a', 'p', { kind: 'literal', value: { from: 'x' } });

    // Then it is written as a literal and reads back as one
    expect(doc.toString()).toContain('p: {literal: {from: x}}');
    expect(new WorkflowDocument(doc.toString()).step('a')?.parameters.p).toEqual(
      { kind: 'literal', value: { from: 'x' } }
    );
  });

  it('renames a step and the references to it', () => {
    // Given a step another one binds
    const doc = new WorkflowDocument(HAND_WRITTEN);
    doc.setAfter('report', ['calls']);

    // When the upstream step is renamed
    doc.renameStep('calls', 'voice');

    // Then the binding and the after entry follow
    const report = doc.step('report');
    expect(report?.parameters.calls_notebook).toEqual({
      kind: 'from',
      source: 'steps.voice'
    });
    expect(report?.after).toEqual(['voice']);
    expect(doc.toString()).toContain('# binds the executed notebook');
  });

  it('removes a step with the references to it', () => {
    // Given a step another one binds
    const doc = new WorkflowDocument(HAND_WRITTEN);

    // When the upstream step is removed
    doc.removeStep('calls');

    // Then the binding goes too, and the rest stays
    expect(doc.steps.map(step => step.key)).toEqual(['report']);
    expect(doc.step('report')?.parameters).toEqual({});
    expect(doc.dependencies).toEqual([]);
    expect(doc.toString()).toContain('x-paper: a4');
  });

  it('adds a dependency drawn between two steps once', () => {
    // Given two independent steps
    const doc = new WorkflowDocument(newWorkflowText('W'));
    doc.addStep('a.ipynb');
    doc.addStep('b.ipynb');

    // When the same dependency is drawn twice
    doc.addDependency('a', 'b');
    doc.addDependency('a', 'b');

    // Then it is written once, in flow style
    expect(doc.toString()).toContain('after: [a]');
    expect(doc.dependencies).toEqual([{ from: 'a', to: 'b' }]);
  });

  it('writes one report format as a word and keeps a report mapping’s x- keys', () => {
    // Given a step with a report mapping holding an x- key
    const doc = new WorkflowDocument(HAND_WRITTEN);
    doc.addStep('c.ipynb');

    // When reports are set
    doc.setReport('c', { formats: ['pdf'] });
    doc.setReport('report', { formats: ['html'], template: 'lab' });

    // Then a plain format is a word, and the mapping keeps its x- key
    const text = doc.toString();
    expect(text).toContain('report: pdf');
    expect(text).toContain(
      'report:\n      formats: [html]\n      x-paper: a4\n      template: lab'
    );
    expect(doc.step('report')?.report).toEqual({
      formats: ['html'],
      template: 'lab'
    });

    // When the formats are cleared, the report goes
    doc.setReport('c', { formats: [] });
    expect(doc.step('c')?.report).toEqual({ formats: [] });
  });

  it('gives a new step a key not used yet', () => {
    // Given a step made from a notebook
    const doc = new WorkflowDocument(newWorkflowText('W'));
    doc.addStep('x/a.ipynb');

    // When another notebook of the same name is added
    const key = doc.addStep('y/a.ipynb');

    // Then its key is made unique
    expect(key).toBe('a_2');
  });

  it('makes a required parameter optional and back', () => {
    // Given a new workflow
    const doc = new WorkflowDocument(newWorkflowText('W'));

    // When a parameter gets a default, then loses it
    doc.setParameter('day', { default: '2026-01-01' });
    expect(doc.parameters).toEqual([
      { name: 'day', required: false, default: '2026-01-01' }
    ]);
    doc.setParameter('day', {});

    // Then it is required again
    expect(doc.parameters).toEqual([{ name: 'day', required: true }]);
  });
});

describe('paths', () => {
  it.each([
    ['', 'a.ipynb', 'a.ipynb'],
    ['flows', 'flows/a.ipynb', 'a.ipynb'],
    ['flows', 'nb/a.ipynb', '../nb/a.ipynb'],
    ['flows/daily', 'flows/a.ipynb', '../a.ipynb'],
    ['', 'nb/a.ipynb', 'nb/a.ipynb']
  ])('relativePath(%p, %p) is %p', (from, target, expected) => {
    expect(relativePath(from, target)).toBe(expected);
    expect(joinPath(from, expected)).toBe(target);
  });

  it.each([
    ['a b.ipynb', 'a_b'],
    ['2026 report.ipynb', 'step_2026_report'],
    ['dir/calls-by-region.ipynb', 'calls-by-region']
  ])('stepKeyOf(%p) is %p', (notebook, key) => {
    expect(stepKeyOf(notebook)).toBe(key);
  });
});

/**
 * The text without the spaces before trailing comments, which the writer
 * normalises to one.
 */
function normalise(text: string): string {
  return text.replace(/ +#/g, ' #');
}
