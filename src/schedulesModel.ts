import { AutoflowAPI, AutoflowClient } from './api';
import { messageOf, parseTime } from './format';
import { clampInterval, TabListModel } from './pollingModel';
import type { DataCheckResult, ScheduleDate } from './wire';

/**
 * A data-trigger schedule's dates as its open list shows them: `null` until
 * first fetched, and why the last fetch failed.
 */
export interface IScheduleDates {
  dates: ReadonlyArray<ScheduleDate> | null;
  errorMessage: string | null;
}

/**
 * The schedules, refreshed by polling while they are shown. Holds no DOM.
 *
 * Polls every `interval` ms, and soon after the earliest next fire time
 * (so a schedule's last run and next fire follow its fires). Polling pauses
 * while the schedules are not shown ({@link setShown}) or the browser tab is
 * hidden. Every action refreshes the list. A data-trigger schedule's dates
 * are fetched, and polled with the list, while they are open.
 */
export class SchedulesModel extends TabListModel {
  constructor(options: SchedulesModel.IOptions) {
    const interval = options.interval ?? SchedulesModel.DEFAULT_INTERVAL;
    super({
      name: 'autoflow-lab:schedules',
      interval: Private.untilNextFire([], Date.now(), interval)
    });
    this.client = options.client;
    this._interval = interval;
  }

  /**
   * The REST client the model uses.
   */
  readonly client: AutoflowClient;

  /**
   * The schedules, as the server lists them; `null` until first fetched.
   */
  get schedules(): ReadonlyArray<AutoflowAPI.ISchedule> | null {
    return this._schedules;
  }

  /**
   * Why the last request failed, or `null` after a success.
   */
  get errorMessage(): string | null {
    return this._errorMessage;
  }

  /**
   * A listed schedule by id.
   */
  find(id: number): AutoflowAPI.ISchedule | undefined {
    return this._schedules?.find(schedule => schedule.id === id);
  }

  /**
   * Change how often the list is polled (ms).
   */
  setInterval(interval: number): void {
    const next = clampInterval(
      interval,
      SchedulesModel.DEFAULT_INTERVAL,
      Private.MIN_INTERVAL
    );
    if (next !== this._interval) {
      this._interval = next;
      this.updateFrequency();
    }
  }

  /**
   * Start a run (or workflow run) with the schedule's settings now.
   *
   * @throws The server's error, with its `message`
   */
  runNow(id: number): Promise<AutoflowAPI.IStartedRun> {
    return this.act(id, () => this.client.runSchedule(id));
  }

  /**
   * Check FlowAPI now for a data-trigger schedule, starting the runs of the
   * dates due; its dates are refreshed.
   *
   * @throws The server's error, with its `message`
   */
  checkNow(id: number): Promise<DataCheckResult> {
    return this.act(id, async () => {
      const result = await this.client.checkSchedule(id);
      await this._fetchDates(id);
      return result;
    });
  }

  /**
   * Run a failed or given-up date again; the schedule's dates are refreshed.
   *
   * @throws The server's error, with its `message`
   */
  retryDate(id: number, referenceDate: string): Promise<DataCheckResult> {
    return this.act(id, async () => {
      const result = await this.client.retryScheduleDate(id, referenceDate);
      await this._fetchDates(id);
      return result;
    });
  }

  /**
   * The dates of a schedule whose dates are open, else `undefined`.
   */
  datesOf(id: number): IScheduleDates | undefined {
    return this._dates.get(id);
  }

  /**
   * Show or hide a data-trigger schedule's dates; shown, they are fetched now
   * and with every poll.
   */
  toggleDates(id: number): void {
    const dates = new Map(this._dates);
    if (dates.has(id)) {
      dates.delete(id);
    } else {
      dates.set(id, { dates: null, errorMessage: null });
    }
    this._dates = dates;
    this.emitChanged();
    if (dates.has(id)) {
      void this._fetchDates(id).then(() => this.emitChanged());
    }
  }

  /**
   * Pause or resume a schedule.
   *
   * @throws The server's error, with its `message`
   */
  setPaused(id: number, paused: boolean): Promise<AutoflowAPI.ISchedule> {
    return this.act(id, async () => {
      const schedule = await this.client.setSchedulePaused(id, paused);
      this._replace(schedule);
      return schedule;
    });
  }

  /**
   * Delete a schedule; its runs stay in the history.
   *
   * @throws The server's error, with its `message`
   */
  delete(id: number): Promise<void> {
    return this.act(id, async () => {
      await this.client.deleteSchedule(id);
      if (this._schedules) {
        this._schedules = this._schedules.filter(s => s.id !== id);
      }
      if (this._dates.has(id)) {
        const dates = new Map(this._dates);
        dates.delete(id);
        this._dates = dates;
      }
    });
  }

  /**
   * One poll; never rejects, so the poll keeps its own interval.
   */
  protected async tick(): Promise<void> {
    const request = ++this._requestCount;
    try {
      const schedules = await this.client.listSchedules();
      if (this.isDisposed || request !== this._requestCount) {
        return;
      }
      this._schedules = schedules;
      this._errorMessage = null;
      await Promise.all(
        [...this._dates.keys()].map(id => this._fetchDates(id))
      );
    } catch (error) {
      if (this.isDisposed || request !== this._requestCount) {
        return;
      }
      this._errorMessage = messageOf(error);
    }
    this.updateFrequency();
    this.emitChanged();
  }

  /**
   * Poll at the interval, or just after the earliest next fire if sooner.
   */
  protected interval(): number {
    return Private.untilNextFire(
      this._schedules ?? [],
      Date.now(),
      this._interval
    );
  }

  /**
   * Fetch an open schedule's dates; a failure keeps the dates shown, with
   * its message. Does not emit.
   */
  private async _fetchDates(id: number): Promise<void> {
    if (!this._dates.has(id)) {
      return;
    }
    let next: IScheduleDates;
    try {
      next = {
        dates: await this.client.listScheduleDates(id),
        errorMessage: null
      };
    } catch (error) {
      next = {
        dates: this._dates.get(id)?.dates ?? null,
        errorMessage: messageOf(error)
      };
    }
    if (!this.isDisposed && this._dates.has(id)) {
      this._dates = new Map(this._dates).set(id, next);
    }
  }

  private _replace(schedule: AutoflowAPI.ISchedule): void {
    if (this._schedules && !this.isDisposed) {
      this._schedules = this._schedules.map(s =>
        s.id === schedule.id ? schedule : s
      );
      this.emitChanged();
    }
  }

  private _dates: ReadonlyMap<number, IScheduleDates> = new Map();
  private _errorMessage: string | null = null;
  private _interval: number;
  private _requestCount = 0;
  private _schedules: ReadonlyArray<AutoflowAPI.ISchedule> | null = null;
}

/**
 * A namespace for SchedulesModel statics.
 */
export namespace SchedulesModel {
  /**
   * Options to create a model.
   */
  export interface IOptions {
    client: AutoflowClient;
    /**
     * Poll interval (ms).
     */
    interval?: number;
  }

  export const DEFAULT_INTERVAL = 10000;
}

namespace Private {
  /**
   * Time after a fire by which its run is normally listed (ms).
   */
  const AFTER_FIRE = 1500;

  /**
   * How long a listed next fire may have passed and still hurry a poll (ms).
   */
  const STALE_FIRE = 10000;

  /**
   * Shortest wait between polls (ms).
   */
  export const MIN_INTERVAL = 1000;

  /**
   * The wait until just after the earliest next fire, capped at `interval`.
   */
  export function untilNextFire(
    schedules: ReadonlyArray<AutoflowAPI.ISchedule>,
    now: number,
    interval: number
  ): number {
    let wait = interval;
    for (const schedule of schedules) {
      const next = parseTime(schedule.next_fire_times[0]);
      // A fire long past that the list still shows is not worth hurrying for.
      if (next && next.getTime() > now - STALE_FIRE) {
        wait = Math.min(wait, next.getTime() - now + AFTER_FIRE);
      }
    }
    return Math.max(MIN_INTERVAL, Math.round(wait));
  }
}
