import {
  Document,
  isMap,
  isScalar,
  isSeq,
  Node,
  Pair,
  parseDocument,
  Scalar,
  YAMLMap,
  YAMLSeq
} from 'yaml';

/**
 * The sources a step parameter may take its value from, besides workflow
 * parameters (`parameters.<name>`) and other steps (`steps.<key>`).
 */
export const BUILTIN_SOURCES = [
  'reference_date',
  'date_ranges',
  'flowapi_url'
] as const;

/**
 * The report formats a step may render.
 */
export type ReportFormat = 'html' | 'pdf';

/**
 * How a step parameter gets its value: a literal, or a reference
 * (`parameters.<name>`, `steps.<key>`, `reference_date`, `date_ranges`,
 * `flowapi_url`).
 */
export type Binding =
  { kind: 'literal'; value: unknown } | { kind: 'from'; source: string };

/**
 * A step's report settings: no formats means no report.
 */
export interface IReportSettings {
  formats: ReportFormat[];
  template?: string;
}

/**
 * One step as the editor shows it.
 */
export interface IWorkflowStep {
  /**
   * Its position in `steps`, as the server's issue fields count it.
   */
  index: number;
  key: string;
  /**
   * The notebook relative to the workflow file.
   */
  notebook: string;
  parameters: { [name: string]: Binding };
  after: string[];
  report: IReportSettings;
}

/**
 * One workflow parameter.
 */
export interface IWorkflowParameter {
  name: string;
  /**
   * Whether a run must give it (it has no default).
   */
  required: boolean;
  default?: unknown;
  description?: string;
}

/**
 * A dependency: `to` runs after `from` (through `after` or a `steps.<from>`
 * binding).
 */
export interface IDependency {
  from: string;
  to: string;
}

/**
 * A YAML syntax problem, with its 1-based line.
 */
export interface ISyntaxError {
  message: string;
  line: number | null;
}

/**
 * The text of a new workflow file.
 */
export function newWorkflowText(name: string): string {
  return [
    '# An AutoFlow workflow: each step runs a notebook; a step runs once the',
    '# steps it depends on have succeeded.',
    `name: ${JSON.stringify(name)}`,
    'parameters: {}',
    'steps: []',
    ''
  ].join('\n');
}

/**
 * A workflow definition (`.autoflow.yaml`) to read and edit.
 *
 * Edits go through the `yaml` package's document tree, so what the editor
 * does not know stays as written: comments, key order, `x-` keys, quoting
 * and keys the schema may add later. Whitespace is normalised on the first
 * edit (the column of a trailing comment, say); nothing else changes.
 */
export class WorkflowDocument {
  /**
   * Read a definition. Never throws: syntax errors are in {@link errors}.
   */
  constructor(text: string) {
    this._doc = parseDocument(text, { keepSourceTokens: false });
    this._errors = this._doc.errors.map(error => ({
      message: error.message.split('\n')[0],
      line: error.linePos ? error.linePos[0].line : null
    }));
    if (this._errors.length === 0 && !isMap(this._doc.contents)) {
      this._errors.push({
        message: 'A workflow is a mapping with a name and steps.',
        line: 1
      });
    }
  }

  /**
   * YAML syntax problems; while there are any the structure cannot be
   * edited (the text editor can fix them).
   */
  get errors(): ISyntaxError[] {
    return this._errors;
  }

  /**
   * Whether the structure can be read and edited.
   */
  get editable(): boolean {
    return this._errors.length === 0;
  }

  /**
   * The definition as YAML.
   */
  toString(): string {
    return this._doc.toString(STRINGIFY_OPTIONS);
  }

  get name(): string {
    const name = this._root()?.get('name');
    return typeof name === 'string' ? name : '';
  }

  setName(name: string): void {
    this._requireRoot().set('name', name);
  }

  get description(): string {
    const description = this._root()?.get('description');
    return typeof description === 'string' ? description : '';
  }

  /**
   * The workflow's parameters, in file order.
   */
  get parameters(): IWorkflowParameter[] {
    const map = child(this._root(), 'parameters');
    if (!isMap(map)) {
      return [];
    }
    return map.items.map(pair => {
      const name = String(scalarValue(pair.key));
      const spec = pair.value;
      if (!isMap(spec)) {
        return { name, required: true };
      }
      const parameter: IWorkflowParameter = {
        name,
        required: !spec.has('default')
      };
      if (spec.has('default')) {
        parameter.default = toJS(child(spec, 'default'));
      }
      const description = spec.get('description');
      if (typeof description === 'string') {
        parameter.description = description;
      }
      return parameter;
    });
  }

  /**
   * Add or change a workflow parameter: `undefined` default makes it
   * required. Its other keys (`x-`, say) stay.
   */
  setParameter(name: string, options: { default?: unknown }): void {
    const root = this._requireRoot();
    const parameters = ensureMap(root, 'parameters');
    const existing = child(parameters, name);
    if (options.default === undefined) {
      if (isMap(existing)) {
        existing.delete('default');
        if (existing.items.length === 0) {
          parameters.set(name, null);
        }
      } else {
        parameters.set(name, null);
      }
      return;
    }
    if (isMap(existing)) {
      existing.set('default', this._doc.createNode(options.default));
    } else {
      const spec = this._blockMap();
      spec.set('default', this._doc.createNode(options.default));
      parameters.set(name, spec);
    }
    unflow(parameters);
  }

  removeParameter(name: string): void {
    const map = child(this._root(), 'parameters');
    if (isMap(map)) {
      map.delete(name);
    }
  }

  /**
   * The steps, in file order. Entries that are not mappings are left out
   * (the server reports them).
   */
  get steps(): IWorkflowStep[] {
    const steps: IWorkflowStep[] = [];
    this._stepNodes().forEach((node, index) => {
      if (isMap(node)) {
        steps.push(readStep(node, index));
      }
    });
    return steps;
  }

  /**
   * The step with a key, if any.
   */
  step(key: string): IWorkflowStep | null {
    return this.steps.find(step => step.key === key) ?? null;
  }

  /**
   * Every dependency: `after` entries and `steps.<key>` bindings, once each.
   */
  get dependencies(): IDependency[] {
    const seen = new Set<string>();
    const dependencies: IDependency[] = [];
    for (const step of this.steps) {
      const upstream = [...step.after];
      for (const binding of Object.values(step.parameters)) {
        const from = upstreamOf(binding);
        if (from !== null) {
          upstream.push(from);
        }
      }
      for (const from of upstream) {
        const id = `${from}\n${step.key}`;
        if (!seen.has(id)) {
          seen.add(id);
          dependencies.push({ from, to: step.key });
        }
      }
    }
    return dependencies;
  }

  /**
   * Append a step running a notebook.
   *
   * @param notebook The notebook relative to the workflow file
   * @param key The step's key; by default one made from the notebook's name
   * @returns The new step's key
   */
  addStep(notebook: string, key?: string): string {
    const root = this._requireRoot();
    const seq = ensureSeq(root, 'steps');
    seq.flow = false;
    const stepKey = key ?? this.uniqueKey(stepKeyOf(notebook));
    const step = this._blockMap();
    step.set('key', stepKey);
    step.set('notebook', notebook);
    seq.items.push(step);
    return stepKey;
  }

  /**
   * Remove a step, with the other steps' `after` entries and bindings that
   * name it (a binding removed lets the notebook's own default apply).
   */
  removeStep(key: string): void {
    const seq = child(this._root(), 'steps');
    if (!isSeq(seq)) {
      return;
    }
    seq.items = seq.items.filter(
      node => !(isMap(node) && node.get('key') === key)
    );
    for (const node of seq.items) {
      if (!isMap(node)) {
        continue;
      }
      const after = child(node, 'after');
      if (isSeq(after)) {
        after.items = after.items.filter(item => scalarValue(item) !== key);
        if (after.items.length === 0) {
          node.delete('after');
        }
      }
      const parameters = child(node, 'parameters');
      if (isMap(parameters)) {
        parameters.items = parameters.items.filter(
          pair => referenceOf(pair.value) !== `steps.${key}`
        );
      }
    }
  }

  /**
   * Give a step another key, and the references to it with it.
   */
  renameStep(key: string, newKey: string): void {
    if (key === newKey) {
      return;
    }
    for (const node of this._stepNodes()) {
      if (!isMap(node)) {
        continue;
      }
      if (node.get('key') === key) {
        node.set('key', newKey);
      }
      const after = child(node, 'after');
      if (isSeq(after)) {
        for (const item of after.items) {
          if (isScalar(item) && item.value === key) {
            item.value = newKey;
          }
        }
      }
      const parameters = child(node, 'parameters');
      if (isMap(parameters)) {
        for (const pair of parameters.items) {
          if (referenceOf(pair.value) === `steps.${key}` && isMap(pair.value)) {
            pair.value.set('from', `steps.${newKey}`);
          }
        }
      }
    }
  }

  /**
   * Change the notebook a step runs.
   */
  setNotebook(key: string, notebook: string): void {
    this._requireStep(key).set('notebook', notebook);
  }

  /**
   * Bind a step's parameter, or remove its binding (`null`) so the
   * notebook's default applies. A comment on the old value stays.
   */
  setBinding(key: string, name: string, binding: Binding | null): void {
    const step = this._requireStep(key);
    if (binding === null) {
      const existing = child(step, 'parameters');
      if (isMap(existing)) {
        existing.delete(name);
        if (existing.items.length === 0 && !hasComments(existing)) {
          step.delete('parameters');
        }
      }
      return;
    }
    const parameters = ensureMap(step, 'parameters');
    parameters.flow = false;
    const node = this._bindingNode(binding);
    const pair = parameters.items.find(item => scalarValue(item.key) === name);
    if (pair) {
      keepComments(pair.value, node);
      pair.value = node;
    } else {
      parameters.items.push(new Pair(new Scalar(name), node));
    }
  }

  /**
   * The steps a step runs after without taking a value from them.
   */
  setAfter(key: string, after: string[]): void {
    const step = this._requireStep(key);
    if (after.length === 0) {
      step.delete('after');
      return;
    }
    const existing = child(step, 'after');
    const seq = this._doc.createNode(after) as YAMLSeq;
    seq.flow = true;
    keepComments(existing, seq);
    step.set('after', seq);
  }

  /**
   * Make `to` run after `from`, unless it already does.
   */
  addDependency(from: string, to: string): void {
    if (
      from === to ||
      this.dependencies.some(dep => dep.from === from && dep.to === to)
    ) {
      return;
    }
    const step = this.step(to);
    if (step) {
      this.setAfter(to, [...step.after, from]);
    }
  }

  /**
   * Set the reports a step renders; no formats removes the report. Other
   * keys of a report mapping (`x-`, say) stay.
   */
  setReport(key: string, report: IReportSettings): void {
    const step = this._requireStep(key);
    const formats = REPORT_FORMATS.filter(format =>
      report.formats.includes(format)
    );
    const existing = child(step, 'report');
    if (formats.length === 0) {
      step.delete('report');
      return;
    }
    const extraKeys =
      isMap(existing) &&
      existing.items.some(pair => {
        const name = scalarValue(pair.key);
        return name !== 'formats' && name !== 'template';
      });
    if (formats.length === 1 && !report.template && !extraKeys) {
      step.set('report', formats[0]);
      return;
    }
    const map = isMap(existing) ? existing : this._blockMap();
    const list = this._doc.createNode(formats) as YAMLSeq;
    list.flow = true;
    keepComments(child(map, 'formats'), list);
    map.set('formats', list);
    if (report.template) {
      map.set('template', report.template);
    } else {
      map.delete('template');
    }
    if (map !== existing) {
      keepComments(existing, map);
      step.set('report', map);
    }
  }

  /**
   * A step key not used yet: `base`, else `base_2`, `base_3`…
   */
  uniqueKey(base: string): string {
    const used = new Set(this.steps.map(step => step.key));
    if (!used.has(base)) {
      return base;
    }
    let n = 2;
    while (used.has(`${base}_${n}`)) {
      n++;
    }
    return `${base}_${n}`;
  }

  private _root(): YAMLMap | null {
    const contents = this._doc.contents;
    return isMap(contents) ? contents : null;
  }

  private _requireRoot(): YAMLMap {
    const root = this._root();
    if (root === null || !this.editable) {
      throw new Error('The workflow cannot be edited: ' + this._errorText());
    }
    return root;
  }

  private _stepNodes(): unknown[] {
    const steps = child(this._root(), 'steps');
    return isSeq(steps) ? steps.items : [];
  }

  private _requireStep(key: string): YAMLMap {
    this._requireRoot();
    for (const node of this._stepNodes()) {
      if (isMap(node) && node.get('key') === key) {
        return node;
      }
    }
    throw new Error(`No step "${key}" in the workflow.`);
  }

  private _bindingNode(binding: Binding): Node {
    if (binding.kind === 'from') {
      const map = new YAMLMap();
      map.flow = true;
      map.set('from', binding.source);
      return map;
    }
    const value = binding.value;
    // A literal mapping with a `from` or `literal` key would read as a
    // reference: wrap it.
    const ambiguous =
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      ('from' in value || 'literal' in value);
    const node = this._doc.createNode(ambiguous ? { literal: value } : value);
    if (isMap(node) || isSeq(node)) {
      node.flow = true;
    }
    return node as Node;
  }

  private _blockMap(): YAMLMap {
    const map = new YAMLMap();
    map.flow = false;
    return map;
  }

  private _errorText(): string {
    return this._errors.map(error => error.message).join('; ');
  }

  private _doc: Document;
  private _errors: ISyntaxError[];
}

/**
 * The step a binding reads from, if it reads a step.
 */
export function upstreamOf(binding: Binding): string | null {
  if (binding.kind === 'from' && binding.source.startsWith('steps.')) {
    return binding.source.slice('steps.'.length);
  }
  return null;
}

/**
 * A step key made from a notebook's name: its stem, with characters a key
 * may not hold replaced by `_`.
 */
export function stepKeyOf(notebook: string): string {
  const name = notebook.split('/').pop() ?? notebook;
  const stem = name.replace(/\.ipynb$/i, '');
  let key = stem.replace(/[^A-Za-z0-9_-]/g, '_');
  if (!/^[A-Za-z_]/.test(key)) {
    key = `step_${key}`;
  }
  return key.slice(0, 100);
}

/**
 * The path of `target` relative to the folder `from` (both relative to the
 * server root, `/`-separated).
 */
export function relativePath(from: string, target: string): string {
  const fromParts = from.split('/').filter(part => part.length > 0);
  const targetParts = target.split('/').filter(part => part.length > 0);
  let common = 0;
  while (
    common < fromParts.length &&
    common < targetParts.length - 1 &&
    fromParts[common] === targetParts[common]
  ) {
    common++;
  }
  const up = fromParts.slice(common).map(() => '..');
  return [...up, ...targetParts.slice(common)].join('/');
}

/**
 * The folder part of a `/`-separated path ('' at the root).
 */
export function dirname(path: string): string {
  const index = path.lastIndexOf('/');
  return index < 0 ? '' : path.slice(0, index);
}

/**
 * A path relative to a folder, resolved against it (`..` allowed).
 */
export function joinPath(folder: string, relative: string): string {
  const parts = folder.split('/').filter(part => part.length > 0);
  for (const part of relative.split('/')) {
    if (part === '..') {
      parts.pop();
    } else if (part !== '.' && part.length > 0) {
      parts.push(part);
    }
  }
  return parts.join('/');
}

const REPORT_FORMATS: ReportFormat[] = ['html', 'pdf'];

/**
 * `lineWidth: 0` never folds long strings; `flowCollectionPadding: false`
 * writes `{from: x}` as people do.
 */
const STRINGIFY_OPTIONS = {
  lineWidth: 0,
  flowCollectionPadding: false
};

function readStep(node: YAMLMap, index: number): IWorkflowStep {
  const key = node.get('key');
  const notebook = node.get('notebook');
  const parameters: { [name: string]: Binding } = {};
  const map = child(node, 'parameters');
  if (isMap(map)) {
    for (const pair of map.items) {
      parameters[String(scalarValue(pair.key))] = bindingOf(pair.value);
    }
  }
  const after = child(node, 'after');
  return {
    index,
    key: typeof key === 'string' ? key : String(key ?? ''),
    notebook: typeof notebook === 'string' ? notebook : '',
    parameters,
    after: isSeq(after)
      ? after.items.map(item => String(scalarValue(item)))
      : [],
    report: reportOf(child(node, 'report'))
  };
}

function bindingOf(node: unknown): Binding {
  const reference = referenceOf(node);
  if (reference !== null) {
    return { kind: 'from', source: reference };
  }
  if (isMap(node) && node.has('literal') && node.items.length === 1) {
    return { kind: 'literal', value: toJS(child(node, 'literal')) };
  }
  return { kind: 'literal', value: toJS(node) };
}

/**
 * The `from` of a `{from: ...}` node, else `null`.
 */
function referenceOf(node: unknown): string | null {
  if (isMap(node) && node.items.length === 1) {
    const from = node.get('from');
    if (typeof from === 'string') {
      return from;
    }
  }
  return null;
}

function reportOf(node: unknown): IReportSettings {
  const value = toJS(node);
  if (value === 'html' || value === 'pdf') {
    return { formats: [value] };
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const spec = value as { formats?: unknown; template?: unknown };
    const formats = Array.isArray(spec.formats)
      ? REPORT_FORMATS.filter(format =>
          (spec.formats as unknown[]).includes(format)
        )
      : [];
    const report: IReportSettings = { formats };
    if (typeof spec.template === 'string') {
      report.template = spec.template;
    }
    return report;
  }
  return { formats: [] };
}

/**
 * A mapping's value node (typed loosely: the `yaml` types assume scalars).
 */
function child(map: YAMLMap | null | undefined, key: unknown): unknown {
  return map ? (map.get(key, true) as unknown) : undefined;
}

/**
 * The mapping under a key, made (empty, block style) when missing or not one.
 */
function ensureMap(parent: YAMLMap, key: string): YAMLMap {
  const node = child(parent, key);
  if (isMap(node)) {
    return node;
  }
  const map = new YAMLMap();
  map.flow = false;
  parent.set(key, map);
  return map;
}

/**
 * The sequence under a key, made (empty) when missing or not one.
 */
function ensureSeq(parent: YAMLMap, key: string): YAMLSeq {
  const node = child(parent, key);
  if (isSeq(node)) {
    return node;
  }
  const seq = new YAMLSeq();
  parent.set(key, seq);
  return seq;
}

function scalarValue(node: unknown): unknown {
  return isScalar(node) ? node.value : node;
}

function toJS(node: unknown): unknown {
  if (node === null || node === undefined) {
    return null;
  }
  if (isScalar(node) || isMap(node) || isSeq(node)) {
    return node.toJSON();
  }
  return node;
}

function hasComments(node: YAMLMap): boolean {
  return !!(node.comment || node.commentBefore);
}

/**
 * Carry the comments of a node being replaced over to its replacement.
 */
function keepComments(old: unknown, replacement: Node): void {
  if (isScalar(old) || isMap(old) || isSeq(old)) {
    if (old.comment && !replacement.comment) {
      replacement.comment = old.comment;
    }
    if (old.commentBefore && !replacement.commentBefore) {
      replacement.commentBefore = old.commentBefore;
    }
    if (old.spaceBefore) {
      replacement.spaceBefore = true;
    }
  }
}

/**
 * A mapping written `{}` that now has entries becomes a block mapping.
 */
function unflow(map: YAMLMap): void {
  if (map.flow && map.items.length > 0) {
    map.flow = false;
  }
}
