import {
  appendPage,
  buildRunsQuery,
  ILoaded,
  insertRun,
  isFiltered,
  mergeFirstPage,
  NO_FILTERS,
  removeRun,
  replaceRun,
  shouldLoadMore,
  visibleRange
} from '../../src/history';

interface IFakeRun {
  id: number;
  status: string;
}

/** Runs with ids from `newest` down to `oldest`, newest first. */
function runs(newest: number, oldest: number, status = 'succeeded'): IFakeRun[] {
  const list: IFakeRun[] = [];
  for (let id = newest; id >= oldest; id--) {
    list.push({ id, status });
  }
  return list;
}

function ids(loaded: ILoaded<IFakeRun>): number[] {
  return loaded.runs.map(run => run.id);
}

describe('buildRunsQuery', () => {
  it('leaves out what is unset', () => {
    expect(buildRunsQuery({})).toBe('');
    expect(buildRunsQuery({ limit: 50, cursor: null, ...NO_FILTERS })).toBe(
      'limit=50'
    );
  });

  it('sends the cursor and every filter, encoded', () => {
    const query = buildRunsQuery({
      limit: 50,
      cursor: '120',
      status: 'failed',
      notebook: 'reports/daily sales.ipynb',
      q: 'KeyError & more'
    });
    expect(new URLSearchParams(query)).toEqual(
      new URLSearchParams({
        limit: '50',
        cursor: '120',
        status: 'failed',
        notebook: 'reports/daily sales.ipynb',
        q: 'KeyError & more'
      })
    );
    expect(query).toContain('q=KeyError+%26+more');
  });

  it('trims search text and drops blank filters', () => {
    expect(buildRunsQuery({ q: '   ', notebook: ' a.ipynb ' })).toBe(
      'notebook=a.ipynb'
    );
  });
});

describe('isFiltered', () => {
  it('is false for blank filters only', () => {
    expect(isFiltered(NO_FILTERS)).toBe(false);
    expect(isFiltered({ ...NO_FILTERS, q: '  ' })).toBe(false);
    expect(isFiltered({ ...NO_FILTERS, status: 'failed' })).toBe(true);
  });
});

describe('mergeFirstPage', () => {
  it('takes the first page as the history when nothing is loaded', () => {
    // Given nothing loaded
    const loaded = { runs: [], nextCursor: null };
    // When the first page arrives
    const merged = mergeFirstPage(loaded, {
      runs: runs(100, 51),
      next_cursor: '51'
    });
    // Then it is the history, continuing after its oldest run
    expect(ids(merged)).toEqual(ids({ runs: runs(100, 51), nextCursor: null }));
    expect(merged.nextCursor).toBe('51');
  });

  it('puts new runs on top and keeps the pages scrolled through', () => {
    // Given three pages loaded (runs 100 down to 1... 100-51, 50-1 and more to come)
    const loaded = { runs: runs(100, 1), nextCursor: '1' };
    // When two runs were added since
    const merged = mergeFirstPage(loaded, {
      runs: runs(102, 53),
      next_cursor: '53'
    });
    // Then they are on top and the older runs are still there
    expect(ids(merged)).toEqual(runs(102, 1).map(run => run.id));
    expect(merged.nextCursor).toBe('1');
  });

  it('updates runs the fresh page covers', () => {
    const loaded = { runs: runs(60, 1, 'running'), nextCursor: null };
    const merged = mergeFirstPage(loaded, {
      runs: runs(60, 11, 'succeeded'),
      next_cursor: '11'
    });
    expect(merged.runs[0]).toEqual({ id: 60, status: 'succeeded' });
    expect(merged.runs[49]).toEqual({ id: 11, status: 'succeeded' });
    // older runs are not in the page, so they keep what was loaded
    expect(merged.runs[50]).toEqual({ id: 10, status: 'running' });
  });

  it('drops runs deleted within the fresh page', () => {
    const loaded = { runs: runs(100, 41), nextCursor: '41' };
    const fresh = runs(100, 50).filter(run => run.id !== 70);
    const merged = mergeFirstPage(loaded, { runs: fresh, next_cursor: '50' });
    expect(ids(merged)).not.toContain(70);
    expect(ids(merged)).toContain(49);
    expect(merged.runs).toHaveLength(59);
  });

  it('restarts from the fresh page when more than a page arrived', () => {
    // Given runs 100..1 loaded, then 60 new runs (101..160)
    const loaded = { runs: runs(100, 1), nextCursor: null };
    const merged = mergeFirstPage(loaded, {
      runs: runs(160, 111),
      next_cursor: '111'
    });
    // Then the list holds the fresh page only: runs 101..110 are not skipped
    expect(ids(merged)).toEqual(runs(160, 111).map(run => run.id));
    expect(merged.nextCursor).toBe('111');
  });

  it('is the fresh page when it is the whole (filtered) history', () => {
    const loaded = { runs: runs(100, 1), nextCursor: null };
    const merged = mergeFirstPage(loaded, {
      runs: runs(100, 95),
      next_cursor: null
    });
    expect(ids(merged)).toEqual([100, 99, 98, 97, 96, 95]);
    expect(merged.nextCursor).toBeNull();
  });

  it('empties the list when nothing matches any more', () => {
    const merged = mergeFirstPage(
      { runs: runs(10, 1), nextCursor: null },
      { runs: [], next_cursor: null }
    );
    expect(merged.runs).toHaveLength(0);
  });
});

describe('appendPage', () => {
  it('adds the older page and its cursor', () => {
    const next = appendPage(
      { runs: runs(100, 51), nextCursor: '51' },
      { runs: runs(50, 1), next_cursor: '1' }
    );
    expect(next.runs).toHaveLength(100);
    expect(next.nextCursor).toBe('1');
  });

  it('skips runs already loaded', () => {
    const next = appendPage(
      { runs: runs(100, 51), nextCursor: '51' },
      { runs: runs(52, 3), next_cursor: null }
    );
    expect(ids(next)).toEqual(runs(100, 3).map(run => run.id));
    expect(next.nextCursor).toBeNull();
  });
});

describe('insertRun, replaceRun and removeRun', () => {
  it('inserts a new run on top, once', () => {
    const list = insertRun(insertRun(runs(5, 1), { id: 6, status: 'queued' }), {
      id: 6,
      status: 'running'
    });
    expect(list.map(run => run.id)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(list[0].status).toBe('running');
  });

  it('replaces a loaded run and ignores others', () => {
    const list = runs(3, 1);
    expect(replaceRun(list, { id: 2, status: 'failed' })[1].status).toBe(
      'failed'
    );
    expect(replaceRun(list, { id: 9, status: 'failed' })).toBe(list);
  });

  it('removes a run by id', () => {
    expect(removeRun(runs(3, 1), 2).map(run => run.id)).toEqual([3, 1]);
  });
});

describe('visibleRange', () => {
  it('covers the viewport plus the overscan', () => {
    // rows of 60px, viewport of 600px scrolled to row 100
    expect(visibleRange(6000, 600, 60, 100000, 5)).toEqual({
      start: 95,
      end: 115
    });
  });

  it('stays within the rows', () => {
    expect(visibleRange(0, 600, 60, 3, 5)).toEqual({ start: 0, end: 3 });
    expect(visibleRange(-50, 600, 60, 0)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(10_000_000, 600, 60, 100)).toEqual({
      start: 100,
      end: 100
    });
  });

  it('renders a bounded number of rows at 100,000 runs', () => {
    const { start, end } = visibleRange(60 * 70_000, 900, 60, 100_000);
    expect(end - start).toBeLessThanOrEqual(30);
    expect(start).toBe(69_995);
  });
});

describe('shouldLoadMore', () => {
  it('asks for the next page near the end only', () => {
    expect(shouldLoadMore(35, 50, true, 20)).toBe(true);
    expect(shouldLoadMore(10, 50, true, 20)).toBe(false);
    expect(shouldLoadMore(50, 50, false, 20)).toBe(false);
  });
});
