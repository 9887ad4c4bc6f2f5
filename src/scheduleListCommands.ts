import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import {
  deleteIcon,
  editIcon,
  fastForwardIcon,
  listIcon,
  MenuSvg,
  pauseIcon,
  refreshIcon,
  runIcon
} from '@jupyterlab/ui-components';

import { AutoflowAPI } from './api';
import { confirmDelete, idArgs } from './commandHelpers';
import { checkStatusLabel } from './dataTriggerText';
import { messageOf } from './format';
import type { DataCheckResult } from './wire';
import { RunsModel } from './model';
import { SchedulesModel } from './schedulesModel';

/**
 * The commands of the schedules in the sidebar.
 */
export namespace ScheduleListCommandIDs {
  /**
   * Queue a run of a schedule now.
   */
  export const runNow = 'autoflow:run-schedule-now';
  /**
   * Check FlowAPI now for a data-trigger schedule's new dates.
   */
  export const checkNow = 'autoflow:check-schedule-now';
  /**
   * Run a data-trigger schedule's failed or given-up date `{id, date}` again.
   */
  export const retryDate = 'autoflow:retry-schedule-date';
  /**
   * Stop a schedule's fires until it is resumed.
   */
  export const pause = 'autoflow:pause-schedule';
  /**
   * Let a paused schedule fire again.
   */
  export const resume = 'autoflow:resume-schedule';
  /**
   * Delete a schedule, after the user confirms; its runs stay.
   */
  export const remove = 'autoflow:delete-schedule';
  /**
   * Show the runs list filtered to a schedule's runs.
   */
  export const showRuns = 'autoflow:show-schedule-runs';
  /**
   * Open the schedule dialog on a schedule, once the command that does it
   * ({@link EDIT_SCHEDULE}) is registered.
   */
  export const edit = 'autoflow:edit-schedule-from-list';
}

/**
 * The command that opens the schedule dialog on a schedule `{id}`; it is
 * registered with the dialog.
 */
export const EDIT_SCHEDULE = 'autoflow:edit-schedule';

/**
 * Selector of a schedule row, the target of the schedule context menu.
 */
export const SCHEDULE_ROW_SELECTOR =
  '.jp-autoflow-ScheduleRow[data-schedule-id]';

/**
 * What the schedule commands need.
 */
export interface IScheduleCommandContext {
  app: JupyterFrontEnd;
  schedules: SchedulesModel;
  /**
   * The run history, refreshed once a run is queued.
   */
  runs: RunsModel;
  trans: TranslationBundle;
  /**
   * Show the runs tab filtered to the schedule's runs.
   */
  showRunsOf: (schedule: AutoflowAPI.ISchedule) => void;
}

/**
 * Register the schedule commands and the schedule context menu; returns
 * the menu of every action, which each row's "More actions" button opens.
 */
export function addScheduleListCommands(
  context: IScheduleCommandContext
): MenuSvg {
  const { app, schedules, trans } = context;
  const { commands } = app;
  const ids = ScheduleListCommandIDs;
  const target = (args: { readonly id?: unknown }) =>
    scheduleOfCommand(context, args);
  const describedBy = (what: string) =>
    idArgs(
      trans.__(
        'The schedule to %1; by default the one under the context menu',
        what
      )
    );

  commands.addCommand(ids.runNow, {
    label: trans.__('Run Now'),
    caption: trans.__("Queue a run with the schedule's notebook and settings"),
    icon: fastForwardIcon,
    describedBy: describedBy(trans.__('run')),
    isEnabled: args => target(args) !== undefined,
    isVisible: args => !isDataTrigger(target(args)),
    execute: async args => {
      const schedule = target(args);
      if (!schedule) {
        return;
      }
      try {
        const run = await schedules.runNow(schedule.id);
        void context.runs.refresh();
        const message =
          'steps' in run
            ? trans.__(
                'Workflow run #%1 of schedule %2 started',
                run.id,
                schedule.name
              )
            : trans.__('Run #%1 of schedule %2 queued', run.id, schedule.name);
        Notification.success(message, { autoClose: 5000 });
      } catch (error) {
        Notification.error(
          trans.__('Could not run %1: %2', schedule.name, messageOf(error)),
          { autoClose: 10000 }
        );
      }
    }
  });

  const announceCheck = (
    schedule: AutoflowAPI.ISchedule,
    result: DataCheckResult
  ): void => {
    const failed = checkStatusLabel(result.check.status, trans);
    if (failed) {
      Notification.warning(
        trans.__('%1: %2. %3', schedule.name, failed, result.check.message),
        { autoClose: 10000 }
      );
      return;
    }
    void context.runs.refresh();
    Notification.success(
      result.started.length > 0
        ? trans._n(
            '%2: run started for data of %3',
            '%2: %1 runs started, for data of %3',
            result.started.length,
            schedule.name,
            result.started.join(', ')
          )
        : trans.__('%1: %2', schedule.name, result.check.message),
      { autoClose: 5000 }
    );
  };

  commands.addCommand(ids.checkNow, {
    label: trans.__('Check Now'),
    caption: trans.__(
      'Ask FlowAPI for new dates now, and run the schedule for each date due'
    ),
    icon: refreshIcon,
    describedBy: describedBy(trans.__('check')),
    isEnabled: args => target(args) !== undefined,
    isVisible: args => isDataTrigger(target(args)),
    execute: async args => {
      const schedule = target(args);
      if (!schedule) {
        return;
      }
      try {
        announceCheck(schedule, await schedules.checkNow(schedule.id));
      } catch (error) {
        Notification.error(
          trans.__('Could not check %1: %2', schedule.name, messageOf(error)),
          { autoClose: 10000 }
        );
      }
    }
  });

  commands.addCommand(ids.retryDate, {
    label: trans.__('Retry Date'),
    caption: trans.__('Run a failed or given-up date of the schedule again'),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          id: { type: 'number', description: trans.__('The schedule') },
          date: {
            type: 'string',
            description: trans.__('The reference date, YYYY-MM-DD')
          }
        },
        required: ['id', 'date']
      }
    },
    execute: async args => {
      const schedule = target(args);
      const date = typeof args.date === 'string' ? args.date : null;
      if (!schedule || date === null) {
        return;
      }
      try {
        announceCheck(schedule, await schedules.retryDate(schedule.id, date));
      } catch (error) {
        Notification.error(
          trans.__(
            'Could not retry %1 of %2: %3',
            date,
            schedule.name,
            messageOf(error)
          ),
          { autoClose: 10000 }
        );
      }
    }
  });

  const setPaused = async (
    schedule: AutoflowAPI.ISchedule,
    paused: boolean
  ): Promise<void> => {
    try {
      await schedules.setPaused(schedule.id, paused);
    } catch (error) {
      Notification.error(
        paused
          ? trans.__('Could not pause %1: %2', schedule.name, messageOf(error))
          : trans.__(
              'Could not resume %1: %2',
              schedule.name,
              messageOf(error)
            ),
        { autoClose: 10000 }
      );
    }
  };

  commands.addCommand(ids.pause, {
    label: trans.__('Pause'),
    caption: trans.__('Stop the schedule firing until it is resumed'),
    icon: pauseIcon,
    describedBy: describedBy(trans.__('pause')),
    isVisible: args => target(args)?.paused !== true,
    execute: async args => {
      const schedule = target(args);
      if (schedule && !schedule.paused) {
        await setPaused(schedule, true);
      }
    }
  });

  commands.addCommand(ids.resume, {
    label: trans.__('Resume'),
    caption: trans.__('Let the schedule fire again'),
    icon: runIcon,
    describedBy: describedBy(trans.__('resume')),
    isVisible: args => target(args)?.paused === true,
    execute: async args => {
      const schedule = target(args);
      if (schedule?.paused) {
        await setPaused(schedule, false);
      }
    }
  });

  commands.addCommand(ids.edit, {
    label: trans.__('Edit…'),
    caption: trans.__("Change the schedule's notebook, parameters or trigger"),
    icon: editIcon,
    describedBy: describedBy(trans.__('edit')),
    isEnabled: args =>
      commands.hasCommand(EDIT_SCHEDULE) && target(args) !== undefined,
    execute: async args => {
      const schedule = target(args);
      if (schedule && commands.hasCommand(EDIT_SCHEDULE)) {
        await commands.execute(EDIT_SCHEDULE, { id: schedule.id });
      }
    }
  });

  commands.addCommand(ids.showRuns, {
    label: trans.__('Show Runs'),
    caption: trans.__('Show only the runs this schedule started'),
    icon: listIcon,
    describedBy: describedBy(trans.__('show the runs of')),
    isEnabled: args => target(args) !== undefined,
    execute: args => {
      const schedule = target(args);
      if (schedule) {
        context.showRunsOf(schedule);
      }
    }
  });

  commands.addCommand(ids.remove, {
    label: trans.__('Delete…'),
    caption: trans.__('Delete the schedule; its runs stay in the history'),
    icon: deleteIcon,
    describedBy: describedBy(trans.__('delete')),
    isEnabled: args => target(args) !== undefined,
    execute: async args => {
      const schedule = target(args);
      if (schedule) {
        await deleteSchedule(context, schedule);
      }
    }
  });

  // Enable Edit once the schedule dialog registers its command.
  commands.commandChanged.connect((_, change) => {
    if (change.id === EDIT_SCHEDULE) {
      commands.notifyCommandChanged(ids.edit);
    }
  });

  const order = [
    ids.runNow,
    ids.checkNow,
    ids.pause,
    ids.resume,
    ids.edit,
    ids.showRuns,
    ids.remove
  ];
  order.forEach((command, rank) => {
    app.contextMenu.addItem({
      command,
      selector: SCHEDULE_ROW_SELECTOR,
      rank
    });
  });

  const menu = new MenuSvg({ commands });
  menu.addClass('jp-autoflow-ScheduleMenu');
  return menu;
}

/**
 * Fill the overflow menu with the actions on one schedule and open it under
 * the button; the focus goes back to the button when it closes.
 */
export function openScheduleMenu(
  menu: MenuSvg,
  schedule: AutoflowAPI.ISchedule,
  anchor: HTMLElement
): void {
  const ids = ScheduleListCommandIDs;
  const args = { id: schedule.id };
  menu.clearItems();
  for (const command of [
    ids.runNow,
    ids.checkNow,
    ids.pause,
    ids.resume,
    ids.edit
  ]) {
    menu.addItem({ command, args });
  }
  menu.addItem({ type: 'separator' });
  menu.addItem({ command: ids.showRuns, args });
  menu.addItem({ type: 'separator' });
  menu.addItem({ command: ids.remove, args });
  const rect = anchor.getBoundingClientRect();
  const refocus = () => {
    menu.aboutToClose.disconnect(refocus);
    anchor.focus();
  };
  menu.aboutToClose.connect(refocus);
  menu.open(rect.left, rect.bottom);
  menu.activeIndex = 0;
}

/**
 * Ask the user to confirm, then delete a schedule; never throws.
 */
async function deleteSchedule(
  context: IScheduleCommandContext,
  schedule: AutoflowAPI.ISchedule
): Promise<void> {
  const { trans } = context;
  const confirmed = await confirmDelete(
    trans,
    trans.__('Delete schedule %1?', schedule.name),
    trans.__(
      '%1 (%2) stops running. Its runs stay in the history. This cannot be undone.',
      schedule.notebook,
      schedule.description
    )
  );
  if (!confirmed) {
    return;
  }
  try {
    await context.schedules.delete(schedule.id);
    Notification.success(trans.__('Schedule %1 deleted', schedule.name), {
      autoClose: 5000
    });
  } catch (error) {
    Notification.error(
      trans.__('Could not delete %1: %2', schedule.name, messageOf(error)),
      { autoClose: 10000 }
    );
  }
}

/**
 * Whether a schedule runs when FlowAPI has new data.
 */
function isDataTrigger(schedule: AutoflowAPI.ISchedule | undefined): boolean {
  return schedule?.trigger.kind === 'new_data';
}

/**
 * The schedule named by a command's `id` argument, else the one under the
 * context menu.
 */
function scheduleOfCommand(
  context: IScheduleCommandContext,
  args: { readonly id?: unknown }
): AutoflowAPI.ISchedule | undefined {
  if (typeof args.id === 'number') {
    return context.schedules.find(args.id);
  }
  const row = context.app.contextMenuHitTest(node =>
    node.matches(SCHEDULE_ROW_SELECTOR)
  );
  const id = Number(row?.dataset.scheduleId);
  return Number.isInteger(id) ? context.schedules.find(id) : undefined;
}
