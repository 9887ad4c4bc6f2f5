import { IDisposable } from '@lumino/disposable';
import { IPoll, Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { AutoflowAPI, AutoflowClient } from './api';
import { messageOf, parseTime } from './format';

/**
 * The schedules, refreshed by polling while they are shown. Holds no DOM.
 *
 * Polls every `interval` ms, and soon after the earliest next fire time
 * (so a schedule's last run and next fire follow its fires). Polling pauses
 * while the schedules are not shown ({@link setShown}) or the browser tab is
 * hidden. Every action refreshes the list.
 */
export class SchedulesModel implements IDisposable {
  constructor(options: SchedulesModel.IOptions) {
    this.client = options.client;
    this._interval = options.interval ?? SchedulesModel.DEFAULT_INTERVAL;
    this._poll = new Poll({
      auto: true,
      factory: () => this._tick(),
      frequency: this._frequency(),
      name: 'autoflow-lab:schedules',
      standby: () => !this._shown || 'when-hidden'
    });
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
   * Schedules with an action in flight (buttons are disabled meanwhile).
   */
  get busy(): ReadonlySet<number> {
    return this._busy;
  }

  /**
   * Emitted whenever the schedules, the error or the busy set change.
   */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /**
   * Whether the model is disposed.
   */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * A listed schedule by id.
   */
  find(id: number): AutoflowAPI.ISchedule | undefined {
    return this._schedules?.find(schedule => schedule.id === id);
  }

  /**
   * Poll while the schedules are shown; showing them fetches them at once.
   */
  setShown(shown: boolean): void {
    if (this._shown === shown || this._isDisposed) {
      return;
    }
    this._shown = shown;
    if (shown) {
      void this.refresh();
    }
  }

  /**
   * Change how often the list is polled (ms).
   */
  setInterval(interval: number): void {
    const next = Number.isFinite(interval)
      ? Math.min(Math.max(Math.round(interval), 1000), Private.MAX_INTERVAL)
      : SchedulesModel.DEFAULT_INTERVAL;
    if (next !== this._interval) {
      this._interval = next;
      this._poll.frequency = this._frequency();
    }
  }

  /**
   * Fetch the schedules now; resolves once they have been fetched.
   */
  async refresh(): Promise<void> {
    if (this._isDisposed) {
      return;
    }
    try {
      await this._poll.refresh();
      await this._poll.tick;
    } catch {
      // The poll rejects its pending tick when it is disposed.
    }
  }

  /**
   * Start a run (or workflow run) with the schedule's settings now.
   *
   * @throws The server's error, with its `message`
   */
  runNow(id: number): Promise<AutoflowAPI.IStartedRun> {
    return this._act(id, () => this.client.runSchedule(id));
  }

  /**
   * Pause or resume a schedule.
   *
   * @throws The server's error, with its `message`
   */
  setPaused(id: number, paused: boolean): Promise<AutoflowAPI.ISchedule> {
    return this._act(id, async () => {
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
    return this._act(id, async () => {
      await this.client.deleteSchedule(id);
      if (this._schedules) {
        this._schedules = this._schedules.filter(s => s.id !== id);
      }
    });
  }

  /**
   * Stop polling and release resources.
   */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    void this._poll.stop();
    this._poll.dispose();
    Signal.clearData(this);
  }

  /**
   * Run an action on one schedule with it marked busy, then refresh.
   */
  private async _act<T>(id: number, action: () => Promise<T>): Promise<T> {
    this._setBusy(id, true);
    try {
      return await action();
    } finally {
      this._setBusy(id, false);
      void this.refresh();
    }
  }

  private _replace(schedule: AutoflowAPI.ISchedule): void {
    if (this._schedules && !this._isDisposed) {
      this._schedules = this._schedules.map(s =>
        s.id === schedule.id ? schedule : s
      );
      this._changed.emit();
    }
  }

  /**
   * One poll; never rejects, so the poll keeps its own interval.
   */
  private async _tick(): Promise<void> {
    const request = ++this._requestCount;
    try {
      const schedules = await this.client.listSchedules();
      if (this._isDisposed || request !== this._requestCount) {
        return;
      }
      this._schedules = schedules;
      this._errorMessage = null;
    } catch (error) {
      if (this._isDisposed || request !== this._requestCount) {
        return;
      }
      this._errorMessage = messageOf(error);
    }
    this._poll.frequency = this._frequency();
    this._changed.emit();
  }

  /**
   * Poll at the interval, or just after the earliest next fire if sooner.
   */
  private _frequency(): IPoll.Frequency {
    const interval = Private.untilNextFire(
      this._schedules ?? [],
      Date.now(),
      this._interval
    );
    return { backoff: false, interval, max: Private.MAX_INTERVAL };
  }

  private _setBusy(id: number, busy: boolean): void {
    if (this._isDisposed || this._busy.has(id) === busy) {
      return;
    }
    const next = new Set(this._busy);
    if (busy) {
      next.add(id);
    } else {
      next.delete(id);
    }
    this._busy = next;
    this._changed.emit();
  }

  private _busy: ReadonlySet<number> = new Set();
  private _changed = new Signal<this, void>(this);
  private _errorMessage: string | null = null;
  private _interval: number;
  private _isDisposed = false;
  private _poll: Poll;
  private _requestCount = 0;
  private _schedules: ReadonlyArray<AutoflowAPI.ISchedule> | null = null;
  private _shown = false;
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
  export const MAX_INTERVAL = 300000;

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
  const MIN_INTERVAL = 1000;

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
