import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { AutoflowAPI, AutoflowClient } from './api';
import { messageOf } from './format';

/**
 * The parameters the current notebook declares, as the server reads them
 * from the saved file: fetched again when the current notebook changes and
 * each time it is saved. Holds no DOM.
 */
export class NotebookParametersModel implements IDisposable {
  constructor(options: NotebookParametersModel.IOptions) {
    this._client = options.client;
    this._localPath = options.localPath;
    this._tracker = options.tracker;
    this._tracker.currentChanged.connect(this._onCurrentChanged, this);
    this._follow(this._tracker.currentWidget);
  }

  /**
   * Emitted when anything the model holds changes.
   */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /**
   * The current notebook's path relative to the server root, or `null`.
   */
  get path(): string | null {
    return this._panel ? this._localPath(this._panel.context.path) : null;
  }

  /**
   * The server's answer for the current notebook, or `null` before it.
   */
  get parameters(): AutoflowAPI.NotebookParameters | null {
    return this._parameters;
  }

  /**
   * Whether an answer is awaited.
   */
  get loading(): boolean {
    return this._loading;
  }

  /**
   * Why the last request failed, or `null`.
   */
  get errorMessage(): string | null {
    return this._errorMessage;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Ask the server again for the current notebook's parameters.
   */
  async refresh(): Promise<void> {
    const path = this.path;
    const request = ++this._request;
    if (path === null) {
      this._set({ parameters: null, loading: false, errorMessage: null });
      return;
    }
    this._set({ loading: true });
    try {
      const parameters = await this._client.notebookParameters(path);
      if (request === this._request) {
        this._set({ parameters, loading: false, errorMessage: null });
      }
    } catch (error) {
      if (request === this._request) {
        this._set({
          parameters: null,
          loading: false,
          errorMessage: messageOf(error)
        });
      }
    }
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._follow(null);
    this._tracker.currentChanged.disconnect(this._onCurrentChanged, this);
    Signal.clearData(this);
  }

  private _onCurrentChanged(
    _: INotebookTracker,
    panel: NotebookPanel | null
  ): void {
    this._follow(panel);
  }

  private _follow(panel: NotebookPanel | null): void {
    if (panel === this._panel) {
      return;
    }
    if (this._panel) {
      this._panel.context.saveState.disconnect(this._onSaveState, this);
      this._panel.context.pathChanged.disconnect(this._onPathChanged, this);
    }
    this._panel = panel;
    this._parameters = null;
    if (panel) {
      panel.context.saveState.connect(this._onSaveState, this);
      panel.context.pathChanged.connect(this._onPathChanged, this);
    }
    void this.refresh();
  }

  private _onSaveState(
    _: DocumentRegistry.Context,
    state: DocumentRegistry.SaveState
  ): void {
    if (state === 'completed') {
      void this.refresh();
    }
  }

  private _onPathChanged(): void {
    void this.refresh();
  }

  private _set(
    state: Partial<{
      parameters: AutoflowAPI.NotebookParameters | null;
      loading: boolean;
      errorMessage: string | null;
    }>
  ): void {
    if (this._isDisposed) {
      return;
    }
    if (state.parameters !== undefined) {
      this._parameters = state.parameters;
    }
    if (state.loading !== undefined) {
      this._loading = state.loading;
    }
    if (state.errorMessage !== undefined) {
      this._errorMessage = state.errorMessage;
    }
    this._changed.emit();
  }

  private _changed = new Signal<this, void>(this);
  private _client: AutoflowClient;
  private _errorMessage: string | null = null;
  private _isDisposed = false;
  private _loading = false;
  private _localPath: (path: string) => string;
  private _panel: NotebookPanel | null = null;
  private _parameters: AutoflowAPI.NotebookParameters | null = null;
  private _request = 0;
  private _tracker: INotebookTracker;
}

/**
 * A namespace for NotebookParametersModel statics.
 */
export namespace NotebookParametersModel {
  /**
   * Options to create the model.
   */
  export interface IOptions {
    client: AutoflowClient;
    tracker: INotebookTracker;
    /**
     * A document path without its drive, as the server names it.
     */
    localPath: (path: string) => string;
  }
}
