import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import { RunsView } from '../components/RunsView';
import { autoflowIcon } from '../icons';
import { RunsModel } from '../model';

const PANEL_CLASS = 'jp-autoflow-RunsPanel';

/**
 * The left sidebar listing AutoFlow runs.
 */
export class RunsPanel extends ReactWidget {
  constructor(options: RunsPanel.IOptions) {
    super();
    this.model = options.model;
    this._trans = options.translator.load('autoflow_lab');
    this._onOpen = options.onOpen;
    this._onCancel = options.onCancel;
    this.id = RunsPanel.ID;
    this.addClass(PANEL_CLASS);
    this.title.icon = autoflowIcon;
    this.title.caption = this._trans.__('AutoFlow');
  }

  /**
   * The state the panel shows.
   */
  readonly model: RunsModel;

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>
        {() => (
          <RunsView
            runs={this.model.runs}
            cancelling={this.model.cancelling}
            serverState={this.model.serverState}
            errorMessage={this.model.errorMessage}
            trans={this._trans}
            onOpen={this._onOpen}
            onCancel={this._onCancel}
            onRefresh={() => void this.model.refresh()}
          />
        )}
      </UseSignal>
    );
  }

  private _onCancel: (run: AutoflowAPI.IRun) => void;
  private _onOpen: (run: AutoflowAPI.IRun) => void;
  private _trans: TranslationBundle;
}

/**
 * A namespace for RunsPanel statics.
 */
export namespace RunsPanel {
  /**
   * The DOM id of the sidebar, used to reveal it.
   */
  export const ID = 'autoflow-runs';

  /**
   * Options to create the panel.
   */
  export interface IOptions {
    model: RunsModel;
    translator: ITranslator;
    /**
     * Called when the user opens a run that has an executed notebook.
     */
    onOpen: (run: AutoflowAPI.IRun) => void;
    /**
     * Called when the user asks to cancel a queued or running run.
     */
    onCancel: (run: AutoflowAPI.IRun) => void;
  }
}
