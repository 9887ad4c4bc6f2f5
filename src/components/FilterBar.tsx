import { TranslationBundle } from '@jupyterlab/translation';
import { closeIcon, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import * as React from 'react';

import { RUN_STATUSES, RunStatusName, statusLabel } from '../format';
import { IRunFilters, isFiltered, NO_FILTERS } from '../history';
import { scheduleFilterLabel } from '../scheduleText';

const BAR_CLASS = 'jp-autoflow-FilterBar';
const SEARCH_CLASS = 'jp-autoflow-FilterBar-search';
const ROW_CLASS = 'jp-autoflow-FilterBar-row';
const FIELD_CLASS = 'jp-autoflow-FilterBar-field';
const CHIP_CLASS = 'jp-autoflow-FilterBar-chip';
const CHIP_LABEL_CLASS = 'jp-autoflow-FilterBar-chipLabel';

/**
 * How long typing must pause before the text filters apply (ms).
 */
export const SEARCH_DEBOUNCE = 300;

/**
 * Props of {@link FilterBar}.
 */
export interface IFilterBarProps {
  filters: IRunFilters;
  /**
   * Notebooks to suggest in the notebook filter.
   */
  notebooks: ReadonlyArray<string>;
  /**
   * The name of the schedule the runs are filtered by, when known.
   */
  scheduleName?: string | null;
  trans: TranslationBundle;
  onChange: (filters: Partial<IRunFilters>) => void;
}

/**
 * Text search, status filter and notebook filter of the run history. Text
 * applies once typing pauses; the status at once.
 */
export function FilterBar(props: IFilterBarProps): JSX.Element {
  const { filters, notebooks, trans, onChange } = props;
  const [q, setQ] = useDebouncedText(filters.q, text => onChange({ q: text }));
  const [notebook, setNotebook] = useDebouncedText(filters.notebook, text =>
    onChange({ notebook: text })
  );
  const listId = React.useId();

  return (
    <div
      className={BAR_CLASS}
      role="search"
      aria-label={trans.__('Filter runs')}
    >
      <input
        type="search"
        className={SEARCH_CLASS}
        placeholder={trans.__('Search notebook or error…')}
        aria-label={trans.__('Search runs')}
        value={q}
        onChange={event => setQ(event.currentTarget.value)}
      />
      <div className={ROW_CLASS}>
        <select
          className={FIELD_CLASS}
          aria-label={trans.__('Filter by status')}
          value={filters.status ?? ''}
          onChange={event =>
            onChange({
              status: (event.currentTarget.value ||
                null) as RunStatusName | null
            })
          }
        >
          <option value="">{trans.__('All statuses')}</option>
          {RUN_STATUSES.map(status => (
            <option key={status} value={status}>
              {statusLabel(status, trans)}
            </option>
          ))}
        </select>
        <input
          type="search"
          className={FIELD_CLASS}
          placeholder={trans.__('Any notebook')}
          aria-label={trans.__('Filter by notebook')}
          title={trans.__('Only runs of this notebook (its path)')}
          list={listId}
          value={notebook}
          onChange={event => setNotebook(event.currentTarget.value)}
        />
        <datalist id={listId}>
          {notebooks.map(path => (
            <option key={path} value={path} />
          ))}
        </datalist>
        {isFiltered(filters) || q.trim() || notebook.trim() ? (
          <ToolbarButtonComponent
            icon={closeIcon}
            tooltip={trans.__('Clear filters')}
            aria-label={trans.__('Clear filters')}
            onClick={() => {
              setQ('', true);
              setNotebook('', true);
              onChange(NO_FILTERS);
            }}
          />
        ) : null}
      </div>
      {filters.schedule !== null ? (
        <div className={ROW_CLASS}>
          <span className={CHIP_CLASS}>
            <span className={CHIP_LABEL_CLASS}>
              {trans.__(
                'Schedule: %1',
                scheduleFilterLabel(filters.schedule, props.scheduleName, trans)
              )}
            </span>
            <ToolbarButtonComponent
              icon={closeIcon}
              tooltip={trans.__('Remove the schedule filter')}
              aria-label={trans.__('Remove the schedule filter')}
              onClick={() => onChange({ schedule: null })}
            />
          </span>
        </div>
      ) : null}
    </div>
  );
}

/**
 * Text state of an input whose value is applied once typing pauses. Follows
 * `value` when it changes from outside (a filter set elsewhere).
 *
 * @returns The text and a setter; `setter(text, true)` skips the apply.
 */
function useDebouncedText(
  value: string,
  apply: (text: string) => void
): [string, (text: string, silent?: boolean) => void] {
  const [text, setText] = React.useState(value);
  const applyRef = React.useRef(apply);
  applyRef.current = apply;
  const timer = React.useRef<number | null>(null);
  const applied = React.useRef(value);

  React.useEffect(() => {
    if (value !== applied.current) {
      applied.current = value;
      setText(value);
    }
  }, [value]);

  React.useEffect(
    () => () => {
      if (timer.current !== null) {
        window.clearTimeout(timer.current);
      }
    },
    []
  );

  const update = React.useCallback((next: string, silent = false) => {
    setText(next);
    if (timer.current !== null) {
      window.clearTimeout(timer.current);
      timer.current = null;
    }
    if (silent) {
      applied.current = next.trim();
      return;
    }
    timer.current = window.setTimeout(() => {
      timer.current = null;
      applied.current = next.trim();
      applyRef.current(next);
    }, SEARCH_DEBOUNCE);
  }, []);

  return [text, update];
}
