import { ITranslate } from '../../src/format';
import {
  collectChanges,
  fieldError,
  formatJSON,
  initialValue,
  initialValues,
  inputKind,
  IParameter,
  isIsoDate,
  literalValue,
  serverErrors,
  toJSONValue
} from '../../src/parameters';

/** A translation bundle that only fills in `%1`, `%2`… as JupyterLab's does. */
const trans: ITranslate = {
  __: (msgid: string, ...args: unknown[]) =>
    msgid.replace(/%(\d+)/g, (_, n: string) => String(args[Number(n) - 1]))
};

function parameter(
  type: IParameter['type'],
  source: string,
  name = 'p'
): IParameter {
  return { name, type, default: source, help: '' };
}

describe('literalValue', () => {
  it.each([
    ['1', 1],
    ['-2.5', -2.5],
    ['1_000', 1000],
    ['0x10', 16],
    ['1e3', 1000],
    ['True', true],
    ['False', false],
    ['None', null],
    ['"calls"', 'calls'],
    ["'a\\'b'", "a'b"],
    ['"tab\\there"', 'tab\there'],
    ["r'C:\\data'", 'C:\\data'],
    ['"""two\nlines"""', 'two\nlines'],
    ['"\\u00e9t\\xe9"', 'été'],
    ["['a', 'b',]", ['a', 'b']],
    ['(1, 2)', [1, 2]],
    ["{'a': [1, None], 'b': {'c': True}}", { a: [1, null], b: { c: true } }],
    ['{\n  "x": 1,  # a comment\n}', { x: 1 }]
  ])('reads %s', (source, expected) => {
    expect(literalValue(source)).toEqual(expected);
  });

  it.each([
    'date.today()',
    '10 ** 6',
    'float("inf")',
    '[1, 2',
    '"unterminated',
    'x'
  ])('finds no literal in %s', source => {
    expect(literalValue(source)).toBeUndefined();
  });
});

describe('isIsoDate', () => {
  it.each([
    ['2016-01-03', true],
    ['2016-02-30', false],
    ['2016-1-3', false],
    ['03/01/2016', false],
    [20160103, false]
  ])('%s is an ISO date: %s', (value, expected) => {
    expect(isIsoDate(value)).toBe(expected);
  });
});

describe('inputKind', () => {
  it.each([
    [parameter('int', '1'), 'integer'],
    [parameter('float', '0.5'), 'number'],
    [parameter('bool', 'True'), 'checkbox'],
    [parameter('str', '"calls"'), 'text'],
    [parameter('str', '"2016-01-03"'), 'date'],
    [parameter('list', '[1]'), 'json'],
    [parameter('dict', '{}'), 'json'],
    [parameter('any', 'None'), 'any']
  ])('%o gets a %s input', (given, expected) => {
    expect(inputKind(given)).toBe(expected);
  });
});

describe('initialValue', () => {
  it.each([
    [parameter('int', '50'), '50'],
    [parameter('int', '1_000'), '1000'],
    [parameter('int', 'compute()'), ''],
    [parameter('float', '1.0'), '1.0'],
    [parameter('float', '1e-3'), '1e-3'],
    [parameter('bool', 'True'), true],
    [parameter('bool', 'False'), false],
    [parameter('str', '"analyst"'), 'analyst'],
    [parameter('str', "'say \"hi\"'"), 'say "hi"'],
    [parameter('str', 'os.environ["USER"]'), 'os.environ["USER"]'],
    [parameter('str', '"2016-01-03"'), '2016-01-03'],
    [parameter('list', "['north', 'south']"), '["north", "south"]'],
    [parameter('dict', "{'a': 1, 'b': None}"), '{"a": 1, "b": null}'],
    [parameter('list', 'list(range(3))'), 'list(range(3))'],
    [parameter('any', 'None'), 'null'],
    [parameter('any', '"text"'), 'text'],
    [parameter('any', '(1, 2)'), '[1, 2]']
  ])('of %o is %j', (given, expected) => {
    expect(initialValue(given)).toEqual(expected);
  });

  it('names every parameter of a list', () => {
    const values = initialValues([
      parameter('int', '1', 'x'),
      parameter('bool', 'True', 'flag')
    ]);
    expect(values).toEqual({ x: '1', flag: true });
  });
});

describe('formatJSON', () => {
  it('writes short values on one line', () => {
    expect(formatJSON({ a: [1, 2], b: 'c' })).toBe('{"a": [1, 2], "b": "c"}');
  });

  it('indents long values', () => {
    const long = {
      regions: ['north', 'south', 'east', 'west', 'centre', 'islands']
    };
    expect(formatJSON(long)).toBe(JSON.stringify(long, null, 2));
  });
});

describe('toJSONValue', () => {
  it.each([
    [parameter('int', '1'), '42', 42],
    [parameter('int', '1'), ' -3 ', -3],
    [parameter('int', '1'), '3.0', 3],
    [parameter('float', '1.0'), '2.5', 2.5],
    [parameter('float', '1.0'), '1e-3', 0.001],
    [parameter('bool', 'False'), true, true],
    [parameter('str', '"a"'), ' spaced ', ' spaced '],
    [parameter('str', '"2016-01-03"'), '2016-02-29', '2016-02-29'],
    [parameter('list', '[]'), '[1, "a"]', [1, 'a']],
    [parameter('dict', '{}'), '{"a": {"b": null}}', { a: { b: null } }],
    [parameter('any', 'None'), '{"a": 1}', { a: 1 }],
    [parameter('any', 'None'), '12', 12],
    [parameter('any', 'None'), 'north', 'north']
  ])('reads %o from %j', (given, input, expected) => {
    expect(toJSONValue(given, input, trans)).toEqual({
      ok: true,
      value: expected
    });
  });

  it.each([
    [parameter('int', '1'), '', 'Enter a whole number.'],
    [parameter('int', '1'), '3.5', '3.5 is not a whole number.'],
    [parameter('int', '1'), 'ten', 'ten is not a whole number.'],
    [
      parameter('int', '1'),
      '9007199254740993',
      '9007199254740993 is too large to send exactly.'
    ],
    [parameter('float', '1.0'), '', 'Enter a number.'],
    [parameter('float', '1.0'), '1e999', '1e999 is not a finite number.'],
    [parameter('str', '"2016-01-03"'), '', 'Enter a date (YYYY-MM-DD).'],
    [
      parameter('str', '"2016-01-03"'),
      '2016-02-30',
      'Enter a date (YYYY-MM-DD).'
    ],
    [parameter('list', '[]'), '{"a": 1}', 'Enter a JSON list, such as ["a", "b"].'],
    [
      parameter('dict', '{}'),
      '[1]',
      'Enter a JSON object, such as {"a": 1}.'
    ],
    [parameter('dict', '{}'), '', 'Enter a JSON object, such as {"a": 1}.']
  ])('refuses %o given %j', (given, input, message) => {
    expect(toJSONValue(given, input, trans)).toEqual({
      ok: false,
      error: message
    });
  });

  it('names the JSON syntax error', () => {
    const result = toJSONValue(parameter('list', '[]'), '[1, x]', trans);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/^Not valid JSON: /);
  });
});

describe('collectChanges', () => {
  const parameters = [
    parameter('int', '2', 'repeat'),
    parameter('str', '"analyst"', 'name'),
    parameter('list', '[]', 'regions')
  ];

  it('sends only the parameters whose inputs changed', () => {
    const inputs = { repeat: '3', name: 'analyst', regions: '[]' };
    expect(collectChanges(parameters, inputs, trans)).toEqual({
      values: { repeat: 3 },
      errors: {}
    });
  });

  it('reports each changed input that cannot be read', () => {
    const inputs = { repeat: '2.5', name: 'team', regions: '[' };
    const changes = collectChanges(parameters, inputs, trans);
    expect(changes.values).toEqual({ name: 'team' });
    expect(Object.keys(changes.errors).sort()).toEqual(['regions', 'repeat']);
  });

  it('finds no problem in an unchanged input, even an unreadable default', () => {
    const computed = parameter('int', 'compute()', 'n');
    expect(fieldError(computed, '', trans)).toBeNull();
    expect(fieldError(computed, '1.5', trans)).toBe(
      '1.5 is not a whole number.'
    );
  });
});

describe('serverErrors', () => {
  const names = ['repeat', 'name'];

  it("gives each problem of the server's message to its parameter", () => {
    const message =
      "Invalid parameters: parameter 'repeat' expects an integer, got 'x'; " +
      "parameter 'name' expects a string, got 3.";
    expect(serverErrors('parameters', message, names)).toEqual({
      fields: {
        repeat: "Expects an integer, got 'x'.",
        name: 'Expects a string, got 3.'
      },
      general: null
    });
  });

  it('keeps what names no declared parameter general', () => {
    const message =
      "Invalid parameters: unknown parameter 'extra' ('nb.ipynb' declares repeat, name); " +
      "parameter 'repeat' expects an integer, got 'x'.";
    expect(serverErrors('parameters', message, names)).toEqual({
      fields: { repeat: "Expects an integer, got 'x'." },
      general: "Unknown parameter 'extra' ('nb.ipynb' declares repeat, name)."
    });
  });

  it('gives the problem to the one parameter a dotted field names', () => {
    const message =
      "Invalid parameters: parameter 'repeat' expects an integer, got 'x'.";
    expect(serverErrors('parameters.repeat', message, names)).toEqual({
      fields: { repeat: "Expects an integer, got 'x'." },
      general: null
    });
  });

  it('gives a message of another shape whole to the parameter a dotted field names', () => {
    expect(
      serverErrors('parameters.repeat', 'Expects an integer.', names)
    ).toEqual({ fields: { repeat: 'Expects an integer.' }, general: null });
  });

  it('leaves errors about other fields general', () => {
    expect(serverErrors('notebook', 'No such notebook.', names)).toEqual({
      fields: {},
      general: 'No such notebook.'
    });
  });
});
