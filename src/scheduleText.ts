/**
 * Pure text helpers of the schedules view and of run triggers: relative
 * times ("in 5 min") and who started a run ("nightly", "manual").
 *
 * Nothing here imports JupyterLab, so it is unit-tested directly.
 */

import { ITranslate, parseTime } from './format';
import type { RunTrigger } from './wire';
import { workflowStepTriggerLabel } from './workflowRuns';

/**
 * When a time is relative to now, in a few words: `in 5 min`, `in 3 h`,
 * `in 2 days`, `due now`, `2 min ago`. Seconds show under a minute, so a
 * schedule that fires every few seconds still reads as moving.
 */
export function formatRelative(
  value: string | null | undefined,
  now: number,
  trans: ITranslate
): string {
  const date = parseTime(value);
  if (!date) {
    return '';
  }
  const delta = date.getTime() - now;
  const seconds = Math.round(Math.abs(delta) / 1000);
  if (seconds < 1) {
    return trans.__('due now');
  }
  const amount = relativeAmount(seconds, trans);
  return delta > 0 ? trans.__('in %1', amount) : trans.__('%1 ago', amount);
}

function relativeAmount(seconds: number, trans: ITranslate): string {
  if (seconds < 60) {
    return trans.__('%1 s', seconds);
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) {
    return trans.__('%1 min', minutes);
  }
  const hours = Math.round(seconds / 3600);
  if (hours < 48) {
    return trans.__('%1 h', hours);
  }
  return trans.__('%1 days', Math.round(seconds / 86400));
}

/**
 * The next fire time still ahead of `now` (fire times that have just passed
 * stay in a schedule until it is fetched again), or `null` when there is
 * none: paused, or a `once` schedule that has fired.
 */
export function nextFire(
  fireTimes: ReadonlyArray<string>,
  now: number
): string | null {
  for (const time of fireTimes) {
    const date = parseTime(time);
    if (date && date.getTime() > now - 1000) {
      return time;
    }
  }
  return null;
}

/**
 * Who or what started a run, in a word or two: the schedule's name (with
 * the data's date for a data trigger: `daily, data of 2016-01-07`),
 * `deleted schedule`, `manual`, `command line`, or for a workflow's step
 * `step report of Daily report (workflow run 4)`.
 */
export function triggerLabel(
  trigger: RunTrigger | null | undefined,
  trans: ITranslate
): string {
  switch (trigger?.kind) {
    case 'schedule': {
      const name = trigger.schedule_name ?? trans.__('deleted schedule');
      return trigger.reference_date
        ? trans.__('%1, data of %2', name, trigger.reference_date)
        : name;
    }
    case 'cli':
      return trans.__('command line');
    case 'workflow':
      return workflowStepTriggerLabel(trigger, trans) ?? trans.__('workflow');
    default:
      return trans.__('manual');
  }
}

/**
 * The label of the runs list's schedule filter: the schedule's name, or
 * `schedule #3` when it is not known (deleted, or its runs not loaded yet).
 */
export function scheduleFilterLabel(
  id: number,
  name: string | null | undefined,
  trans: ITranslate
): string {
  return name ? name : trans.__('schedule #%1', id);
}
