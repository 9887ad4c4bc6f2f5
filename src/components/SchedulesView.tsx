import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import type { IScheduleDates } from '../schedulesModel';
import { PanelMessage } from './PanelMessage';
import { IScheduleActions, ScheduleRow } from './ScheduleRow';
import { TabView } from './TabView';
import { useNow } from './useNow';

const VIEW_CLASS = 'jp-autoflow-SchedulesView';
const BODY_CLASS = 'jp-autoflow-SchedulesView-body';
const LIST_CLASS = 'jp-autoflow-ScheduleList';

/**
 * How often relative times ("in 5 min") are brought up to date (ms).
 */
const CLOCK_INTERVAL = 1000;

/**
 * Props of {@link SchedulesView}.
 */
export interface ISchedulesViewProps extends IScheduleActions {
  /**
   * The schedules; `null` until first fetched.
   */
  schedules: ReadonlyArray<AutoflowAPI.ISchedule> | null;
  busy: ReadonlySet<number>;
  /**
   * The open dates of a data-trigger schedule, by its id.
   */
  datesOf: (id: number) => IScheduleDates | undefined;
  errorMessage: string | null;
  /**
   * Shown at the left of the header (the sidebar's tabs).
   */
  heading: React.ReactNode;
  trans: TranslationBundle;
  onRefresh: () => void;
}

/**
 * Every schedule with its next fire and last run, or how to make one.
 */
export function SchedulesView(props: ISchedulesViewProps): JSX.Element {
  const { schedules, busy, errorMessage, trans } = props;
  const now = useNow(
    (schedules ?? []).some(s => !s.paused && s.next_fire_times.length > 0),
    CLOCK_INTERVAL
  );
  return (
    <TabView
      className={VIEW_CLASS}
      bodyClassName={BODY_CLASS}
      heading={props.heading}
      refreshLabel={trans.__('Refresh schedules')}
      onRefresh={props.onRefresh}
      errorMessage={errorMessage}
    >
      {schedules === null ? (
        errorMessage ? null : (
          <PanelMessage message={trans.__('Loading schedules…')} />
        )
      ) : schedules.length === 0 ? (
        <PanelMessage
          message={trans.__('No schedules yet.')}
          detail={trans.__(
            "To run a notebook on a schedule, open it and click Schedule… in the notebook's toolbar."
          )}
        />
      ) : (
        <ul className={LIST_CLASS} aria-label={trans.__('AutoFlow schedules')}>
          {schedules.map(schedule => (
            <ScheduleRow
              key={schedule.id}
              schedule={schedule}
              busy={busy.has(schedule.id)}
              dates={props.datesOf(schedule.id)}
              now={now}
              trans={trans}
              onRunNow={props.onRunNow}
              onSetPaused={props.onSetPaused}
              onMore={props.onMore}
              onShowRun={props.onShowRun}
              onCheckNow={props.onCheckNow}
              onToggleDates={props.onToggleDates}
              onRetryDate={props.onRetryDate}
              onShowWorkflowRun={props.onShowWorkflowRun}
            />
          ))}
        </ul>
      )}
    </TabView>
  );
}
