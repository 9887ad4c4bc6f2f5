/**
 * Pure helpers for parameter forms: from a parameter's default source text
 * to an input's value, and from an input's value to the JSON value sent to
 * the server. No DOM, no JupyterLab: the run dialog and any other form of
 * parameters (a schedule's, say) share them.
 */

import type { ITranslate } from './format';
import type { ParameterInfo, ParameterType } from './wire';

/**
 * A parameter the server read from a notebook's parameters cell.
 */
export type IParameter = ParameterInfo;

/**
 * A parameter's type, as the server infers it.
 */
export type ParameterKind = ParameterType;

/**
 * What an input holds: text, or whether a checkbox is ticked.
 */
export type InputValue = string | boolean;

/**
 * Input values by parameter name.
 */
export type InputValues = { [name: string]: InputValue };

/**
 * Messages by parameter name, shown next to the parameter's input.
 */
export type FieldErrors = { [name: string]: string };

/**
 * The input that suits a parameter:
 * - `integer`, `number`: a number input;
 * - `checkbox`: a checkbox (booleans);
 * - `date`: a date input (a string whose default is an ISO date);
 * - `text`: a text input (strings);
 * - `json`: a JSON text area (lists and dicts);
 * - `any`: a text input read as JSON when it parses, else as a string.
 */
export type InputKind =
  'integer' | 'number' | 'checkbox' | 'date' | 'text' | 'json' | 'any';

/**
 * The outcome of reading an input: the JSON value to send, or why not.
 */
export type Conversion =
  { ok: true; value: unknown } | { ok: false; error: string };

/**
 * JSON values of the parameters the user changed, and problems by name.
 */
export interface IChanges {
  values: { [name: string]: unknown };
  errors: FieldErrors;
}

/**
 * A server error spread over a form: messages by parameter, and the rest.
 */
export interface IServerErrors {
  fields: FieldErrors;
  /**
   * What names no parameter, or `null`.
   */
  general: string | null;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A number as a number input shows it.
 */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Longest JSON written on one line in a text area.
 */
const ONE_LINE_JSON = 60;

/**
 * Whether `value` is a real calendar date written `YYYY-MM-DD`.
 */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) {
    return false;
  }
  const date = new Date(`${value}T00:00:00Z`);
  return (
    !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value
  );
}

/**
 * The input that suits a parameter.
 */
export function inputKind(parameter: IParameter): InputKind {
  switch (parameter.type) {
    case 'int':
      return 'integer';
    case 'float':
      return 'number';
    case 'bool':
      return 'checkbox';
    case 'str':
      return isIsoDate(literalValue(parameter.default)) ? 'date' : 'text';
    case 'list':
    case 'dict':
      return 'json';
    default:
      return 'any';
  }
}

/**
 * The value of a Python literal (numbers, strings, `True`, `False`, `None`,
 * lists, tuples and dicts of them) as JSON would hold it, or `undefined`
 * when the source is not such a literal (an expression, say).
 */
export function literalValue(source: string): unknown {
  try {
    const parser = new Private.LiteralParser(source);
    const value = parser.parse();
    return parser.atEnd() ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The initial value of a parameter's input, from its default's source text.
 *
 * A default the input cannot show (an expression such as `date.today()`)
 * leaves number and date inputs empty and text inputs holding the source.
 */
export function initialValue(parameter: IParameter): InputValue {
  const source = parameter.default.trim();
  const value = literalValue(source);
  switch (inputKind(parameter)) {
    case 'checkbox':
      return value === true;
    case 'integer':
    case 'number':
      if (DECIMAL.test(source)) {
        return source;
      }
      return typeof value === 'number' ? String(value) : '';
    case 'date':
      return typeof value === 'string' ? value : '';
    case 'text':
      return typeof value === 'string' ? value : source;
    case 'json':
      return value === undefined ? source : formatJSON(value);
    case 'any':
      if (value === undefined) {
        return source;
      }
      return typeof value === 'string' ? value : formatJSON(value);
  }
}

/**
 * Initial input values of a list of parameters, by name.
 */
export function initialValues(
  parameters: ReadonlyArray<IParameter>
): InputValues {
  const values: InputValues = {};
  for (const parameter of parameters) {
    values[parameter.name] = initialValue(parameter);
  }
  return values;
}

/**
 * JSON text for a text area: one line when short, indented when long.
 */
export function formatJSON(value: unknown): string {
  const compact = JSON.stringify(value, null, 1)
    .replace(/\n\s*/g, ' ')
    .replace(/([[{]) /g, '$1')
    .replace(/ ([\]}])/g, '$1');
  return compact.length <= ONE_LINE_JSON
    ? compact
    : JSON.stringify(value, null, 2);
}

/**
 * The JSON value an input's value stands for, or why it stands for none.
 */
export function toJSONValue(
  parameter: IParameter,
  input: InputValue,
  trans: ITranslate
): Conversion {
  const kind = inputKind(parameter);
  if (kind === 'checkbox') {
    return { ok: true, value: input === true };
  }
  const text = typeof input === 'string' ? input : String(input);
  const trimmed = text.trim();
  switch (kind) {
    case 'integer': {
      const value = Number(trimmed);
      if (trimmed === '') {
        return { ok: false, error: trans.__('Enter a whole number.') };
      }
      if (!Number.isInteger(value)) {
        return {
          ok: false,
          error: trans.__('%1 is not a whole number.', trimmed)
        };
      }
      if (!Number.isSafeInteger(value)) {
        return {
          ok: false,
          error: trans.__('%1 is too large to send exactly.', trimmed)
        };
      }
      return { ok: true, value };
    }
    case 'number': {
      const value = Number(trimmed);
      if (trimmed === '') {
        return { ok: false, error: trans.__('Enter a number.') };
      }
      if (!Number.isFinite(value)) {
        return {
          ok: false,
          error: trans.__('%1 is not a finite number.', trimmed)
        };
      }
      return { ok: true, value };
    }
    case 'date':
      if (!isIsoDate(trimmed)) {
        return {
          ok: false,
          error: trans.__('Enter a date (YYYY-MM-DD).')
        };
      }
      return { ok: true, value: trimmed };
    case 'text':
      return { ok: true, value: text };
    case 'json':
      return parseJSONOf(parameter.type, trimmed, trans);
    case 'any':
      try {
        return { ok: true, value: JSON.parse(trimmed) };
      } catch {
        return { ok: true, value: text };
      }
  }
}

/**
 * Whether an input holds something other than the parameter's default.
 */
export function isChanged(parameter: IParameter, input: InputValue): boolean {
  return input !== initialValue(parameter);
}

/**
 * The JSON values of the parameters whose inputs changed, with problems by
 * name. Unchanged parameters are left out: the notebook's own defaults apply.
 */
export function collectChanges(
  parameters: ReadonlyArray<IParameter>,
  inputs: InputValues,
  trans: ITranslate
): IChanges {
  const changes: IChanges = { values: {}, errors: {} };
  for (const parameter of parameters) {
    const input = inputs[parameter.name];
    if (input === undefined || !isChanged(parameter, input)) {
      continue;
    }
    const converted = toJSONValue(parameter, input, trans);
    if (converted.ok) {
      changes.values[parameter.name] = converted.value;
    } else {
      changes.errors[parameter.name] = converted.error;
    }
  }
  return changes;
}

/**
 * The problem with one changed input, or `null`; unchanged inputs have none.
 */
export function fieldError(
  parameter: IParameter,
  input: InputValue,
  trans: ITranslate
): string | null {
  if (!isChanged(parameter, input)) {
    return null;
  }
  const converted = toJSONValue(parameter, input, trans);
  return converted.ok ? null : converted.error;
}

/**
 * Spread a server's 400 answer over the form's fields.
 *
 * The server names the one parameter at fault as the field
 * `parameters.<name>`, or answers `parameters` when several are (or none is
 * declared). Its message lists the problems as `parameter '<name>' …`,
 * separated by `; `: each goes next to its parameter, and what names none
 * (an unknown parameter, say) stays general. Errors about other fields are
 * general.
 */
export function serverErrors(
  field: string | null,
  message: string,
  names: ReadonlyArray<string>
): IServerErrors {
  const known = new Set(names);
  const prefix = 'parameters.';
  const named = field?.startsWith(prefix) ? field.slice(prefix.length) : null;
  if (field !== 'parameters' && (named === null || !known.has(named))) {
    return { fields: {}, general: message };
  }
  const fields: FieldErrors = {};
  const rest: string[] = [];
  const body = message
    .replace(/^Invalid parameters:\s*/, '')
    .replace(/\.$/, '');
  for (const problem of body.split(/;\s+(?=(?:unknown )?parameters? ')/)) {
    const found = /^parameter '([^']+)' (.+)$/s.exec(problem);
    if (found && known.has(found[1])) {
      fields[found[1]] = `${capitalise(found[2])}.`;
    } else {
      rest.push(problem);
    }
  }
  if (named !== null && !(named in fields)) {
    // The field names the parameter; the message does not follow the pattern.
    return { fields: { [named]: message }, general: null };
  }
  if (rest.length === 0) {
    return { fields, general: null };
  }
  const general =
    Object.keys(fields).length === 0 ? message : `${rest.join('; ')}.`;
  return { fields, general: capitalise(general) };
}

function parseJSONOf(
  type: ParameterKind,
  text: string,
  trans: ITranslate
): Conversion {
  const wanted =
    type === 'list'
      ? trans.__('Enter a JSON list, such as ["a", "b"].')
      : trans.__('Enter a JSON object, such as {"a": 1}.');
  if (text === '') {
    return { ok: false, error: wanted };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, error: trans.__('Not valid JSON: %1', reason) };
  }
  const fits =
    type === 'list'
      ? Array.isArray(value)
      : typeof value === 'object' && value !== null && !Array.isArray(value);
  return fits ? { ok: true, value } : { ok: false, error: wanted };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

namespace Private {
  const ESCAPES: { [char: string]: string } = {
    '\\': '\\',
    "'": "'",
    '"': '"',
    a: '\x07',
    b: '\b',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t',
    v: '\v',
    '\n': ''
  };

  const NUMBER =
    /^[+-]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?)/;

  /**
   * A recursive-descent reader of Python literals, enough for the values
   * found in parameters cells.
   */
  export class LiteralParser {
    constructor(source: string) {
      this._source = source;
    }

    parse(): unknown {
      this._skip();
      const char = this._source[this._pos];
      if (char === '[') {
        return this._sequence('[', ']');
      }
      if (char === '(') {
        return this._sequence('(', ')');
      }
      if (char === '{') {
        return this._dict();
      }
      const rest = this._source.slice(this._pos);
      const word = /^(True|False|None)\b/.exec(rest);
      if (word) {
        this._pos += word[1].length;
        return word[1] === 'True' ? true : word[1] === 'False' ? false : null;
      }
      const string = /^([rRuU]?)('''|"""|'|")/.exec(rest);
      if (string) {
        this._pos += string[0].length;
        return this._string(string[2], string[1].toLowerCase() === 'r');
      }
      const number = NUMBER.exec(rest);
      if (number && number[0] !== '' && !/^[+-]?$/.test(number[0])) {
        this._pos += number[0].length;
        return parseNumber(number[0]);
      }
      throw new Error(`Not a literal at ${this._pos}`);
    }

    atEnd(): boolean {
      this._skip();
      return this._pos >= this._source.length;
    }

    private _sequence(open: string, close: string): unknown[] {
      this._pos += open.length;
      const items: unknown[] = [];
      for (;;) {
        this._skip();
        if (this._source[this._pos] === close) {
          this._pos += 1;
          return items;
        }
        items.push(this.parse());
        this._skip();
        if (this._source[this._pos] === ',') {
          this._pos += 1;
        } else if (this._source[this._pos] !== close) {
          throw new Error(`Expected ${close} at ${this._pos}`);
        }
      }
    }

    private _dict(): { [key: string]: unknown } {
      this._pos += 1;
      const dict: { [key: string]: unknown } = {};
      for (;;) {
        this._skip();
        if (this._source[this._pos] === '}') {
          this._pos += 1;
          return dict;
        }
        const key = this.parse();
        if (typeof key !== 'string' && typeof key !== 'number') {
          throw new Error(`Unsupported key at ${this._pos}`);
        }
        this._skip();
        if (this._source[this._pos] !== ':') {
          throw new Error(`Expected : at ${this._pos}`);
        }
        this._pos += 1;
        dict[String(key)] = this.parse();
        this._skip();
        if (this._source[this._pos] === ',') {
          this._pos += 1;
        } else if (this._source[this._pos] !== '}') {
          throw new Error(`Expected } at ${this._pos}`);
        }
      }
    }

    private _string(quote: string, raw: boolean): string {
      let text = '';
      const source = this._source;
      while (this._pos < source.length) {
        if (source.startsWith(quote, this._pos)) {
          this._pos += quote.length;
          return text;
        }
        const char = source[this._pos];
        if (char === '\n' && quote.length === 1) {
          break;
        }
        if (char === '\\' && this._pos + 1 < source.length) {
          const next = source[this._pos + 1];
          if (raw) {
            text += char + next;
            this._pos += 2;
            continue;
          }
          const hex = /^(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4}))/.exec(
            source.slice(this._pos + 1)
          );
          if (hex) {
            text += String.fromCharCode(parseInt(hex[1] ?? hex[2], 16));
            this._pos += 1 + hex[0].length;
          } else if (next in ESCAPES) {
            text += ESCAPES[next];
            this._pos += 2;
          } else {
            text += char + next;
            this._pos += 2;
          }
          continue;
        }
        text += char;
        this._pos += 1;
      }
      throw new Error('Unterminated string');
    }

    /**
     * Skip white space and comments.
     */
    private _skip(): void {
      const source = this._source;
      while (this._pos < source.length) {
        const char = source[this._pos];
        if (char === '#') {
          const end = source.indexOf('\n', this._pos);
          this._pos = end < 0 ? source.length : end;
        } else if (/\s/.test(char)) {
          this._pos += 1;
        } else {
          return;
        }
      }
    }

    private _source: string;
    private _pos = 0;
  }

  function parseNumber(text: string): number {
    const clean = text.replace(/_/g, '');
    const sign = clean.startsWith('-') ? -1 : 1;
    const digits = clean.replace(/^[+-]/, '');
    const base = /^0[xX]/.test(digits)
      ? 16
      : /^0[oO]/.test(digits)
        ? 8
        : /^0[bB]/.test(digits)
          ? 2
          : 10;
    const value =
      base === 10 ? Number(digits) : parseInt(digits.slice(2), base);
    if (!Number.isFinite(value)) {
      throw new Error(`Not a number: ${text}`);
    }
    return sign * value;
  }
}
