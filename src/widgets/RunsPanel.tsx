import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import { RunsView } from '../components/RunsView';
import { autoflowIcon } from '../icons';
import { RunsModel } from '../model';

const PANEL_CLASS = 'jp-autoflow-RunsPanel';

/**
 * The left sidebar: the run history and the detail view of one run.
 */
export class RunsPanel extends ReactWidget {
  constructor(options: RunsPanel.IOptions) {
    super();
    this.model = options.model;
    this._trans = options.translator.load('autoflow_lab');
    this._actions = options.actions;
    this._header = options.header ?? null;
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
    const model = this.model;
    const actions = this._actions;
    return (
      <>
        {this._header}
        <UseSignal signal={model.changed}>
          {() => (
            <RunsView
              runs={model.runs}
              hasMore={model.hasMore}
              loadingMore={model.loadingMore}
              loading={model.loading}
              filters={model.filters}
              selected={model.selected}
              cancelling={model.cancelling}
              serverState={model.serverState}
              errorMessage={model.errorMessage}
              trans={this._trans}
              onOpen={actions.open}
              onOpenLog={actions.openLog}
              onCancel={actions.cancel}
              onRerun={actions.rerun}
              onDelete={actions.delete}
              onDetails={this._onDetails}
              onClose={this._onClose}
              onLoadMore={this._onLoadMore}
              onRefresh={this._onRefresh}
              onFiltersChange={this._onFiltersChange}
              onFilterNotebook={this._onFilterNotebook}
            />
          )}
        </UseSignal>
      </>
    );
  }

  private _onDetails = (run: AutoflowAPI.IRun): void => {
    this.model.select(this.model.selected?.id === run.id ? null : run.id);
  };

  private _onClose = (): void => {
    const id = this.model.selected?.id;
    this.model.select(null);
    // Give the focus back to the row's details button, if it is rendered.
    if (id !== undefined) {
      requestAnimationFrame(() => {
        this.node
          .querySelector<HTMLElement>(
            `.jp-autoflow-RunRow[data-run-id="${id}"] .jp-autoflow-RunRow-details`
          )
          ?.focus();
      });
    }
  };

  private _onLoadMore = (): void => {
    void this.model.loadMore();
  };

  private _onRefresh = (): void => {
    void this.model.refresh();
  };

  private _onFiltersChange = (
    filters: Parameters<RunsModel['setFilters']>[0]
  ): void => {
    this.model.setFilters(filters);
  };

  private _onFilterNotebook = (notebook: string): void => {
    this.model.setFilters({ notebook });
  };

  private _actions: RunsPanel.IActions;
  private _header: React.ReactElement | null;
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
   * What the panel asks the application to do with a run.
   */
  export interface IActions {
    /**
     * Open the executed notebook (at the failing cell).
     */
    open: (run: AutoflowAPI.IRun) => void;
    openLog: (run: AutoflowAPI.IRun) => void;
    cancel: (run: AutoflowAPI.IRun) => void;
    rerun: (run: AutoflowAPI.IRun) => void;
    /**
     * Delete after the user confirms.
     */
    delete: (run: AutoflowAPI.IRun) => void;
  }

  /**
   * Options to create the panel.
   */
  export interface IOptions {
    model: RunsModel;
    translator: ITranslator;
    actions: IActions;
    /**
     * Shown above the runs (the current notebook's parameters).
     */
    header?: React.ReactElement;
  }
}
