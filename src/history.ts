/**
 * Pure logic of the run history: query building, merging pages, windowing.
 *
 * Nothing here imports JupyterLab, so it is unit-tested directly.
 */

import type { RunStatusName } from './format';

/**
 * What the list is filtered by; empty strings and `null` mean "any".
 */
export interface IRunFilters {
  status: RunStatusName | null;
  /**
   * Exact notebook path relative to the server root.
   */
  notebook: string;
  /**
   * Text searched in the notebook path, error name and error message.
   */
  q: string;
  /**
   * Only the runs a schedule started (its id).
   */
  schedule: number | null;
}

/**
 * No filter at all: the whole history.
 */
export const NO_FILTERS: IRunFilters = Object.freeze({
  status: null,
  notebook: '',
  q: '',
  schedule: null
});

/**
 * Filters as the server should see them: text trimmed.
 */
export function normaliseFilters(filters: {
  status?: RunStatusName | null;
  notebook?: string | null;
  q?: string | null;
  schedule?: number | null;
}): IRunFilters {
  const schedule = filters.schedule;
  return {
    status: filters.status ?? null,
    notebook: (filters.notebook ?? '').trim(),
    q: (filters.q ?? '').trim(),
    schedule:
      typeof schedule === 'number' && Number.isInteger(schedule)
        ? schedule
        : null
  };
}

/**
 * Whether two filters select the same runs.
 */
export function sameFilters(a: IRunFilters, b: IRunFilters): boolean {
  const x = normaliseFilters(a);
  const y = normaliseFilters(b);
  return (
    x.status === y.status &&
    x.notebook === y.notebook &&
    x.q === y.q &&
    x.schedule === y.schedule
  );
}

/**
 * Whether any filter narrows the history.
 */
export function isFiltered(filters: IRunFilters): boolean {
  return !sameFilters(filters, NO_FILTERS);
}

/**
 * Query of `GET runs`.
 */
export interface IRunsQuery {
  limit?: number;
  cursor?: string | null;
  status?: RunStatusName | null;
  notebook?: string | null;
  q?: string | null;
  schedule?: number | null;
}

/**
 * The query string of `GET runs` (without `?`), leaving out what is unset.
 */
export function buildRunsQuery(query: IRunsQuery): string {
  const filters = normaliseFilters(query);
  const params = new URLSearchParams();
  if (query.limit !== undefined) {
    params.set('limit', String(query.limit));
  }
  if (query.cursor) {
    params.set('cursor', query.cursor);
  }
  if (filters.status) {
    params.set('status', filters.status);
  }
  if (filters.notebook) {
    params.set('notebook', filters.notebook);
  }
  if (filters.q) {
    params.set('q', filters.q);
  }
  if (filters.schedule !== null) {
    params.set('schedule', String(filters.schedule));
  }
  return params.toString();
}

/**
 * What list merging needs of a run: the server lists runs by id, newest
 * (highest) first.
 */
export interface IRunLike {
  id: number;
}

/**
 * A page of runs as the server sends it.
 */
export interface IPage<T extends IRunLike> {
  runs: ReadonlyArray<T>;
  next_cursor: string | null;
}

/**
 * The loaded part of the history: runs newest first, and where to continue.
 */
export interface ILoaded<T extends IRunLike> {
  runs: ReadonlyArray<T>;
  /**
   * Cursor of the next older page; `null` once the oldest run is loaded.
   */
  nextCursor: string | null;
}

/**
 * Merge a fresh first page into the loaded history, keeping the older pages
 * the user has scrolled through.
 *
 * The fresh page replaces everything it covers (runs at least as new as its
 * oldest run): new runs appear at the top, changed runs are updated, deleted
 * or no longer matching runs drop out. Older loaded runs stay, with the
 * cursor that continues after them. When more than a page of runs arrived
 * since the last refresh, the fresh page does not reach the loaded runs;
 * the history then restarts from the fresh page alone, so there is no gap.
 */
export function mergeFirstPage<T extends IRunLike>(
  loaded: ILoaded<T>,
  fresh: IPage<T>
): ILoaded<T> {
  const restart: ILoaded<T> = {
    runs: fresh.runs,
    nextCursor: fresh.next_cursor
  };
  if (fresh.runs.length === 0 || fresh.next_cursor === null) {
    return restart;
  }
  const oldestFresh = fresh.runs[fresh.runs.length - 1].id;
  const older = loaded.runs.filter(run => run.id < oldestFresh);
  if (older.length === 0) {
    return restart;
  }
  if (loaded.runs[0].id < oldestFresh) {
    // Every loaded run is older than the fresh page: runs in between are missing.
    return restart;
  }
  return { runs: [...fresh.runs, ...older], nextCursor: loaded.nextCursor };
}

/**
 * Append the next older page, ignoring runs already loaded.
 */
export function appendPage<T extends IRunLike>(
  loaded: ILoaded<T>,
  page: IPage<T>
): ILoaded<T> {
  const oldest =
    loaded.runs.length > 0
      ? loaded.runs[loaded.runs.length - 1].id
      : Number.POSITIVE_INFINITY;
  const older = page.runs.filter(run => run.id < oldest);
  return {
    runs: older.length > 0 ? [...loaded.runs, ...older] : loaded.runs,
    nextCursor: page.next_cursor
  };
}

/**
 * Replace a run by id where it is loaded; the same array when it is not.
 */
export function replaceRun<T extends IRunLike>(
  runs: ReadonlyArray<T>,
  run: T
): ReadonlyArray<T> {
  const index = runs.findIndex(r => r.id === run.id);
  if (index < 0) {
    return runs;
  }
  const next = runs.slice();
  next[index] = run;
  return next;
}

/**
 * Put a new run at its place by id (normally the top), replacing any copy.
 */
export function insertRun<T extends IRunLike>(
  runs: ReadonlyArray<T>,
  run: T
): ReadonlyArray<T> {
  const rest = runs.filter(r => r.id !== run.id);
  const index = rest.findIndex(r => r.id < run.id);
  if (index < 0) {
    return [...rest, run];
  }
  return [...rest.slice(0, index), run, ...rest.slice(index)];
}

/**
 * Drop a run by id.
 */
export function removeRun<T extends IRunLike>(
  runs: ReadonlyArray<T>,
  id: number
): ReadonlyArray<T> {
  const next = runs.filter(run => run.id !== id);
  return next.length === runs.length ? runs : next;
}

/**
 * Rows of a fixed-height list that are (nearly) visible: `[start, end)`.
 *
 * @param scrollTop Scroll offset of the list's viewport (px)
 * @param viewportHeight Height of the viewport (px)
 * @param rowHeight Height of every row (px)
 * @param count Number of rows
 * @param overscan Rows rendered beyond each edge, for smooth scrolling
 */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 5
): { start: number; end: number } {
  if (count <= 0 || rowHeight <= 0) {
    return { start: 0, end: 0 };
  }
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + viewportHeight) / rowHeight);
  return {
    start: Math.max(0, Math.min(first - overscan, count)),
    end: Math.min(count, Math.max(0, last + overscan))
  };
}

/**
 * Whether to fetch the next page: the visible rows come within `threshold`
 * rows of the end of what is loaded, and there is more to load.
 */
export function shouldLoadMore(
  visibleEnd: number,
  count: number,
  hasMore: boolean,
  threshold = 20
): boolean {
  return hasMore && visibleEnd >= count - threshold;
}
