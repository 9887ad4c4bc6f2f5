import { JupyterFrontEnd } from '@jupyterlab/application';
import { TranslationBundle } from '@jupyterlab/translation';
import { MenuSvg, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { SchedulesView } from '../components/SchedulesView';
import {
  openScheduleMenu,
  ScheduleListCommandIDs
} from '../scheduleListCommands';
import { SchedulesModel } from '../schedulesModel';
import { WorkflowRunCommandIDs } from '../workflowRunCommands';

/**
 * What the schedules tab needs.
 */
export interface ISchedulesTabOptions {
  model: SchedulesModel;
  commands: JupyterFrontEnd['commands'];
  /**
   * The menu of every action on a schedule (see addScheduleListCommands).
   */
  menu: MenuSvg;
  trans: TranslationBundle;
  /**
   * Show a run in the runs tab.
   */
  showRun: (id: number) => void;
}

/**
 * The schedules tab of the sidebar: the schedules view on its model, its
 * buttons running the schedule commands.
 *
 * @returns A function rendering the tab with the sidebar's tab list in its
 *   header
 */
export function schedulesTab(
  options: ISchedulesTabOptions
): (heading: React.ReactNode) => JSX.Element {
  const { model, commands, menu, trans, showRun } = options;
  const ids = ScheduleListCommandIDs;
  const actions = {
    onRunNow: (schedule: { id: number }) =>
      void commands.execute(ids.runNow, { id: schedule.id }),
    onSetPaused: (schedule: { id: number }, paused: boolean) =>
      void commands.execute(paused ? ids.pause : ids.resume, {
        id: schedule.id
      }),
    onCheckNow: (schedule: { id: number }) =>
      void commands.execute(ids.checkNow, { id: schedule.id }),
    onToggleDates: (schedule: { id: number }) => model.toggleDates(schedule.id),
    onRetryDate: (schedule: { id: number }, date: string) =>
      void commands.execute(ids.retryDate, { id: schedule.id, date }),
    onShowWorkflowRun: (id: number) =>
      void commands.execute(WorkflowRunCommandIDs.show, { id }),
    onMore: openScheduleMenu.bind(null, menu),
    onShowRun: showRun,
    onRefresh: () => void model.refresh()
  };
  return heading => (
    <UseSignal signal={model.changed}>
      {() => (
        <SchedulesView
          schedules={model.schedules}
          busy={model.busy}
          datesOf={id => model.datesOf(id)}
          errorMessage={model.errorMessage}
          heading={heading}
          trans={trans}
          {...actions}
        />
      )}
    </UseSignal>
  );
}
