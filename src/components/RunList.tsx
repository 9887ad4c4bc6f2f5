import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import { shouldLoadMore, visibleRange } from '../history';
import { ROW_HEIGHT, RunRow } from './RunRow';
import { useNow } from './useNow';

const VIEWPORT_CLASS = 'jp-autoflow-RunList-viewport';
const SPACER_CLASS = 'jp-autoflow-RunList-spacer';
const LIST_CLASS = 'jp-autoflow-RunList';
const FOOTER_CLASS = 'jp-autoflow-RunList-footer';

/**
 * Height of the line under the last row: loading, or the end of the history.
 */
const FOOTER_HEIGHT = 32;

/**
 * Rows rendered beyond each edge of the viewport.
 */
const OVERSCAN = 8;

/**
 * Ask for the next page when the viewport comes this many rows from the end.
 */
const LOAD_AHEAD = 25;

/**
 * Props of {@link RunList}.
 */
export interface IRunListProps {
  runs: ReadonlyArray<AutoflowAPI.IRun>;
  hasMore: boolean;
  loadingMore: boolean;
  /**
   * Runs the user asked to cancel that are still active.
   */
  cancelling: ReadonlySet<number>;
  /**
   * The run in the detail view, if any.
   */
  selectedId: number | null;
  trans: TranslationBundle;
  onOpen: (run: AutoflowAPI.IRun) => void;
  onCancel: (run: AutoflowAPI.IRun) => void;
  onDetails: (run: AutoflowAPI.IRun) => void;
  onLoadMore: () => void;
}

/**
 * The runs, newest first, in a scrolling viewport that renders only the rows
 * in view; the next page loads as the user nears the end. New runs added at
 * the top do not move what the user is looking at.
 */
export function RunList(props: IRunListProps): JSX.Element {
  const {
    runs,
    hasMore,
    loadingMore,
    cancelling,
    selectedId,
    trans,
    onOpen,
    onCancel,
    onDetails,
    onLoadMore
  } = props;
  const viewport = React.useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = React.useState(0);
  const [height, setHeight] = React.useState(600);

  // Follow the viewport's height.
  React.useLayoutEffect(() => {
    const node = viewport.current;
    if (!node) {
      return;
    }
    setHeight(node.clientHeight || 600);
    const observer = new ResizeObserver(() =>
      setHeight(node.clientHeight || 600)
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, []);

  // Keep the first visible run in place when runs are added above it: the
  // anchor is the run at the top of the viewport as last rendered.
  const anchor = React.useRef<{ id: number; index: number } | null>(null);
  React.useLayoutEffect(() => {
    const node = viewport.current;
    const previous = anchor.current;
    if (node && previous && node.scrollTop > 0) {
      const index = runs.findIndex(run => run.id === previous.id);
      if (index >= 0 && index !== previous.index) {
        node.scrollTop += (index - previous.index) * ROW_HEIGHT;
        setScrollTop(node.scrollTop);
      }
    }
  }, [runs]);
  React.useLayoutEffect(() => {
    const top = viewport.current?.scrollTop ?? 0;
    const first = Math.min(Math.floor(top / ROW_HEIGHT), runs.length - 1);
    anchor.current = first >= 0 ? { id: runs[first].id, index: first } : null;
  }, [runs, scrollTop]);

  const { start, end } = visibleRange(
    scrollTop,
    height,
    ROW_HEIGHT,
    runs.length,
    OVERSCAN
  );

  React.useEffect(() => {
    if (!loadingMore && shouldLoadMore(end, runs.length, hasMore, LOAD_AHEAD)) {
      onLoadMore();
    }
  }, [end, runs.length, hasMore, loadingMore, onLoadMore]);

  const visible = runs.slice(start, end);
  const now = useNow(visible.some(run => run.status === 'running'));
  const setSize = hasMore ? -1 : runs.length;

  return (
    <div
      ref={viewport}
      className={VIEWPORT_CLASS}
      onScroll={event => setScrollTop(event.currentTarget.scrollTop)}
    >
      <div
        className={SPACER_CLASS}
        style={{ height: runs.length * ROW_HEIGHT + FOOTER_HEIGHT }}
      >
        <ul
          className={LIST_CLASS}
          aria-label={trans.__('AutoFlow runs')}
          style={{ transform: `translateY(${start * ROW_HEIGHT}px)` }}
        >
          {visible.map((run, offset) => (
            <RunRow
              key={run.id}
              run={run}
              position={start + offset + 1}
              setSize={setSize}
              now={now}
              cancelling={cancelling.has(run.id)}
              selected={run.id === selectedId}
              trans={trans}
              onOpen={onOpen}
              onCancel={onCancel}
              onDetails={onDetails}
            />
          ))}
        </ul>
        <div
          className={FOOTER_CLASS}
          role="status"
          style={{ top: runs.length * ROW_HEIGHT, height: FOOTER_HEIGHT }}
        >
          {hasMore
            ? loadingMore
              ? trans.__('Loading older runs…')
              : ''
            : trans._n(
                'End of history: %1 run',
                'End of history: %1 runs',
                runs.length
              )}
        </div>
      </div>
    </div>
  );
}
