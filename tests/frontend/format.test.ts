import {
  errorSummary,
  errorWhere,
  firstLine,
  formatDuration,
  formatLimit,
  formatParameterValue,
  ITranslate,
  RUN_STATUSES,
  startTitle,
  statusLabel
} from '../../src/format';

/** A translation bundle that only fills in `%1`, `%2`… as JupyterLab's does. */
const trans: ITranslate = {
  __: (msgid: string, ...args: unknown[]) =>
    msgid.replace(/%(\d+)/g, (_, n: string) => String(args[Number(n) - 1]))
};

const START = '2026-01-02T10:00:00Z';

describe('formatDuration', () => {
  it.each([
    ['2026-01-02T10:00:42Z', '42s'],
    ['2026-01-02T10:03:05Z', '3m 05s'],
    ['2026-01-02T12:07:59Z', '2h 07m'],
    ['2026-01-02T09:59:00Z', '0s']
  ])('from 10:00:00 to %s is %s', (end, expected) => {
    expect(formatDuration(START, end)).toBe(expected);
  });

  it('runs until now while the run has not finished', () => {
    const now = Date.parse(START) + 75_000;
    expect(formatDuration(START, null, now)).toBe('1m 15s');
  });

  it('is a dash before the run starts', () => {
    expect(formatDuration(null, null)).toBe('\u2014');
  });
});

describe('formatLimit', () => {
  it('shows fractions of short limits', () => {
    expect(formatLimit(2.5)).toBe('2.5s');
    expect(formatLimit(300)).toBe('5m 00s');
  });
});

describe('statusLabel', () => {
  it('names every status', () => {
    expect(RUN_STATUSES.map(status => statusLabel(status, trans))).toEqual([
      'queued',
      'running',
      'succeeded',
      'failed',
      'cancelled'
    ]);
  });
});

describe('startTitle', () => {
  it('says when a run was queued until it starts', () => {
    // Given a queued run
    const run = { started_at: null, created_at: START };
    // When its start time is titled
    const title = startTitle(run, trans);
    // Then it says when it was queued
    expect(title).toMatch(/^Queued /);
  });
});

describe('error summaries', () => {
  const keyError = {
    cell_index: 6,
    cell_number: 6,
    cell_source: "total = sales['amount']",
    ename: 'KeyError',
    evalue: "'amount'"
  };

  it("name the cell by its number in the user's notebook", () => {
    // cell_index counts the injected parameters cell; cell_number does not
    expect(errorWhere(keyError, trans)).toBe('cell 6');
    expect(errorSummary({ ...keyError, cell_index: 7 }, trans)).toBe(
      "Cell 6: KeyError: 'amount'"
    );
  });

  it('name the injected parameters cell, which has no number', () => {
    const error = { ...keyError, cell_index: 1, cell_number: null };
    expect(errorWhere(error, trans)).toBe('the injected parameters cell');
    expect(errorSummary(error, trans)).toBe(
      "The injected parameters cell: KeyError: 'amount'"
    );
  });

  it('name a cell recorded before cell numbers by its executed place', () => {
    const error = { ...keyError, cell_index: 3, cell_number: null, cell_source: null };
    expect(errorWhere(error, trans)).toBe('cell 4 of the executed notebook');
  });

  it('name no cell when the run failed outside any', () => {
    const error = {
      cell_index: null,
      cell_number: null,
      ename: 'NoSuchKernel',
      evalue: 'python9'
    };
    expect(errorWhere(error, trans)).toBe('');
    expect(errorSummary(error, trans)).toBe('NoSuchKernel: python9');
  });

  it("show the engine's stop message alone", () => {
    const error = {
      cell_index: 3,
      cell_number: 3,
      ename: 'CellTimeout',
      evalue: 'timed out after 30 s in cell 3'
    };
    expect(errorSummary(error, trans)).toBe('timed out after 30 s in cell 3');
  });
});

describe('firstLine', () => {
  it('keeps the first line, shortened', () => {
    expect(firstLine('x = 1\ny = 2')).toBe('x = 1');
    expect(firstLine('a'.repeat(100), 10)).toBe('aaaaaaaaa\u2026');
    expect(firstLine(null)).toBe('');
  });
});

describe('formatParameterValue', () => {
  it('writes values as Python literals', () => {
    expect(formatParameterValue('eu')).toBe('"eu"');
    expect(formatParameterValue(3)).toBe('3');
    expect(formatParameterValue(true)).toBe('True');
    expect(formatParameterValue(null)).toBe('None');
    expect(formatParameterValue([1, 2])).toBe('[1,2]');
  });
});
