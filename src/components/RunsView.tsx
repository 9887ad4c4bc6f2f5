import { TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import { IRunFilters, isFiltered } from '../history';
import { serverUnavailableMessage } from '../messages';
import type { RunsModel } from '../model';
import { FilterBar } from './FilterBar';
import { PanelMessage } from './PanelMessage';
import { IRunDetailsActions, RunDetails } from './RunDetails';
import { RunList } from './RunList';

const VIEW_CLASS = 'jp-autoflow-RunsView';
const HEADER_CLASS = 'jp-autoflow-RunsView-header';
const TITLE_CLASS = 'jp-autoflow-RunsView-title';
const BODY_CLASS = 'jp-autoflow-RunsView-body';
const BANNER_CLASS = 'jp-autoflow-RunsView-banner';

/**
 * Props of {@link RunsView}.
 */
export interface IRunsViewProps extends IRunDetailsActions {
  runs: ReadonlyArray<AutoflowAPI.IRun>;
  hasMore: boolean;
  loadingMore: boolean;
  /**
   * Whether the list is being fetched afresh after a filter change.
   */
  loading: boolean;
  filters: IRunFilters;
  /**
   * The run in the detail view, if any.
   */
  selected: AutoflowAPI.IRun | null;
  /**
   * Runs the user asked to cancel that are still active.
   */
  cancelling: ReadonlySet<number>;
  serverState: RunsModel.ServerState;
  errorMessage: string | null;
  trans: TranslationBundle;
  onDetails: (run: AutoflowAPI.IRun) => void;
  onLoadMore: () => void;
  onRefresh: () => void;
  onFiltersChange: (filters: Partial<IRunFilters>) => void;
  /**
   * Shown at the left of the header in place of the title (the sidebar's
   * tabs).
   */
  heading?: React.ReactNode;
}

/**
 * The sidebar content: a header with a refresh button, the filters, then
 * the runs (or an empty state, or the install hint when the server
 * extension does not answer), and the detail view of the selected run.
 */
export function RunsView(props: IRunsViewProps): JSX.Element {
  const { trans, runs, filters, serverState, selected, cancelling } = props;
  const notebooks = React.useMemo(
    () => [...new Set(runs.slice(0, 500).map(run => run.notebook))].sort(),
    [runs]
  );
  const scheduleName = React.useMemo(
    () =>
      runs.find(
        run =>
          run.trigger?.kind === 'schedule' &&
          run.trigger.schedule_id === filters.schedule
      )?.trigger.schedule_name ?? null,
    [runs, filters.schedule]
  );
  return (
    <div className={VIEW_CLASS}>
      <div className={HEADER_CLASS}>
        {props.heading ?? (
          <h2 className={TITLE_CLASS}>{trans.__('AutoFlow')}</h2>
        )}
        <ToolbarButtonComponent
          icon={refreshIcon}
          tooltip={trans.__('Refresh runs')}
          onClick={props.onRefresh}
        />
      </div>
      {serverState === 'unavailable' ? null : (
        <FilterBar
          filters={filters}
          notebooks={notebooks}
          scheduleName={scheduleName}
          trans={trans}
          onChange={props.onFiltersChange}
        />
      )}
      <div className={BODY_CLASS}>
        <Body {...props} />
      </div>
      {selected && serverState !== 'unavailable' ? (
        <RunDetails
          run={selected}
          cancelling={cancelling.has(selected.id)}
          trans={trans}
          onClose={props.onClose}
          onOpen={props.onOpen}
          onOpenLog={props.onOpenLog}
          onRerun={props.onRerun}
          onCancel={props.onCancel}
          onDelete={props.onDelete}
          onFilterNotebook={props.onFilterNotebook}
          onFilterSchedule={props.onFilterSchedule}
        />
      ) : null}
    </div>
  );
}

function Body(props: IRunsViewProps): JSX.Element {
  const { runs, serverState, errorMessage, trans } = props;
  if (serverState === 'unavailable') {
    return (
      <PanelMessage
        role="alert"
        kind="error"
        message={serverUnavailableMessage(trans)}
        detail={errorMessage}
      />
    );
  }
  if ((serverState === 'checking' || props.loading) && runs.length === 0) {
    return <PanelMessage message={trans.__('Loading runs…')} />;
  }
  return (
    <>
      {errorMessage ? (
        <div className={BANNER_CLASS} role="alert">
          {errorMessage}
        </div>
      ) : null}
      {runs.length === 0 ? (
        <PanelMessage
          message={
            isFiltered(props.filters)
              ? trans.__('No runs match these filters.')
              : trans.__(
                  'No runs yet. Open a notebook and click Run with AutoFlow.'
                )
          }
        />
      ) : (
        <RunList
          runs={runs}
          hasMore={props.hasMore}
          loadingMore={props.loadingMore}
          cancelling={props.cancelling}
          selectedId={props.selected?.id ?? null}
          trans={trans}
          onOpen={props.onOpen}
          onCancel={props.onCancel}
          onDetails={props.onDetails}
          onLoadMore={props.onLoadMore}
        />
      )}
    </>
  );
}
