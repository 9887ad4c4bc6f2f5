import { IDisposable } from '@lumino/disposable';
import { IPoll, Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

/**
 * Upper bound of any poll interval (5 minutes).
 */
export const MAX_POLL_INTERVAL = 300000;

/**
 * Keep a poll interval (ms) within what Poll accepts and what is reasonable;
 * `fallback` stands for a value that is not a number.
 */
export function clampInterval(
  interval: number,
  fallback: number,
  min = 250
): number {
  if (!Number.isFinite(interval)) {
    return fallback;
  }
  return Math.min(Math.max(Math.round(interval), min), MAX_POLL_INTERVAL);
}

/**
 * `ids` with `id` added (`present`) or removed; the same set when it
 * already is so, letting callers skip a change notification.
 */
export function withId(
  ids: ReadonlySet<number>,
  id: number,
  present: boolean
): ReadonlySet<number> {
  if (ids.has(id) === present) {
    return ids;
  }
  const next = new Set(ids);
  if (present) {
    next.add(id);
  } else {
    next.delete(id);
  }
  return next;
}

/**
 * State fetched from the server by a Lumino poll, which pauses while the
 * browser tab is hidden. Holds no DOM.
 *
 * Subclasses fetch in {@link tick} (which should never reject, so the poll
 * keeps its own interval) and say how long to wait in {@link interval}.
 */
export abstract class PollingModel implements IDisposable {
  constructor(options: PollingModel.IOptions) {
    this._poll = new Poll({
      auto: true,
      factory: () => this.tick(),
      frequency: PollingModel.frequency(options.interval),
      name: options.name,
      standby: () => this.isStandby() || 'when-hidden'
    });
  }

  /**
   * Emitted whenever the model's state changes.
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
   * Fetch now; resolves once fetched.
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
   * Stop polling and release resources.
   */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    // Stopping clears the pending timer, which disposing alone leaves behind.
    void this._poll.stop();
    this._poll.dispose();
    Signal.clearData(this);
  }

  /**
   * One poll.
   */
  protected abstract tick(): Promise<void>;

  /**
   * How long to wait before the next poll (ms).
   */
  protected abstract interval(): number;

  /**
   * Whether to skip polls even while the browser tab is shown.
   */
  protected isStandby(): boolean {
    return false;
  }

  /**
   * Wait {@link interval} from now on.
   */
  protected updateFrequency(): void {
    this._poll.frequency = PollingModel.frequency(this.interval());
  }

  protected emitChanged(): void {
    this._changed.emit();
  }

  private _changed = new Signal<this, void>(this);
  private _isDisposed = false;
  private _poll: Poll;
}

/**
 * A namespace for PollingModel statics.
 */
export namespace PollingModel {
  /**
   * Options to create a model.
   */
  export interface IOptions {
    /**
     * The poll's name, for debugging.
     */
    name: string;
    /**
     * The first wait between polls (ms).
     */
    interval: number;
  }

  /**
   * Poll every `interval` ms, without backing off after a failure.
   */
  export function frequency(interval: number): IPoll.Frequency {
    return { backoff: false, interval, max: MAX_POLL_INTERVAL };
  }
}

/**
 * A polled list of items shown in a sidebar tab: polled only while the tab
 * is shown, each item's actions run with the item marked busy.
 */
export abstract class TabListModel extends PollingModel {
  /**
   * Items with an action in flight (their buttons are disabled meanwhile).
   */
  get busy(): ReadonlySet<number> {
    return this._busy;
  }

  /**
   * Poll while the list is shown; showing it fetches it at once.
   */
  setShown(shown: boolean): void {
    if (this._shown === shown || this.isDisposed) {
      return;
    }
    this._shown = shown;
    if (shown) {
      void this.refresh();
    }
  }

  protected isStandby(): boolean {
    return !this._shown;
  }

  /**
   * Run an action on one item with it marked busy, then refresh.
   */
  protected async act<T>(id: number, action: () => Promise<T>): Promise<T> {
    this._setBusy(id, true);
    try {
      return await action();
    } finally {
      this._setBusy(id, false);
      void this.refresh();
    }
  }

  private _setBusy(id: number, busy: boolean): void {
    const next = withId(this._busy, id, busy);
    if (this.isDisposed || next === this._busy) {
      return;
    }
    this._busy = next;
    this.emitChanged();
  }

  private _busy: ReadonlySet<number> = new Set();
  private _shown = false;
}
