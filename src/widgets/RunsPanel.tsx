import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import { RunsView } from '../components/RunsView';
import { sidebarTabId, SidebarTabs } from '../components/SidebarTabs';
import { autoflowIcon } from '../icons';
import { RunsModel } from '../model';
import { SchedulesModel } from '../schedulesModel';
import { WorkflowRunsModel } from '../workflowRunsModel';

const PANEL_CLASS = 'jp-autoflow-RunsPanel';
const TAB_PANEL_CLASS = 'jp-autoflow-SidebarTabs-panel';
const RUNS_TAB_ID = 'autoflow-runs-tabpanel';
const SCHEDULES_TAB_ID = 'autoflow-schedules-tabpanel';
const WORKFLOWS_TAB_ID = 'autoflow-workflows-tabpanel';

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
    this._schedules = options.schedules ?? null;
    this._workflows = options.workflows ?? null;
    this.id = RunsPanel.ID;
    this.addClass(PANEL_CLASS);
    this.title.icon = autoflowIcon;
    this.title.caption = this._trans.__('AutoFlow');
  }

  /**
   * The state the panel shows.
   */
  readonly model: RunsModel;

  /**
   * The tab shown: the runs or the schedules.
   */
  get tab(): RunsPanel.Tab {
    return this._tab;
  }

  /**
   * Show the runs or the schedules.
   */
  showTab(tab: RunsPanel.Tab): void {
    if (
      (tab === 'schedules' && !this._schedules) ||
      (tab === 'workflows' && !this._workflows)
    ) {
      return;
    }
    if (tab !== this._tab) {
      this._tab = tab;
      this._syncSchedulesShown();
      this.update();
    }
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._syncSchedulesShown();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this._syncSchedulesShown();
  }

  protected render(): JSX.Element {
    const schedules = this._schedules;
    const workflows = this._workflows;
    const tabList: RunsPanel.ITab[] = [
      { key: 'runs', label: this._trans.__('Runs'), panelId: RUNS_TAB_ID }
    ];
    if (schedules) {
      tabList.push({
        key: 'schedules',
        label: this._trans.__('Schedules'),
        panelId: SCHEDULES_TAB_ID
      });
    }
    if (workflows) {
      tabList.push({
        key: 'workflows',
        label: this._trans.__('Workflows'),
        panelId: WORKFLOWS_TAB_ID
      });
    }
    const tabs =
      tabList.length > 1 ? (
        <SidebarTabs
          tabs={tabList}
          current={this._tab}
          label={this._trans.__('AutoFlow')}
          onSelect={this._onSelectTab}
        />
      ) : undefined;
    const shown =
      tabList.find(tab => tab.key === this._tab)?.key ?? ('runs' as const);
    const panelId =
      tabList.find(tab => tab.key === shown)?.panelId ?? RUNS_TAB_ID;
    return (
      <>
        {this._header}
        <div
          // A fresh tree per tab: each view listens to its own model's signal.
          key={shown}
          className={TAB_PANEL_CLASS}
          id={panelId}
          role={tabs ? 'tabpanel' : undefined}
          aria-labelledby={tabs ? sidebarTabId(panelId) : undefined}
        >
          {shown === 'schedules' && schedules
            ? schedules.render(tabs)
            : shown === 'workflows' && workflows
              ? workflows.render(tabs)
              : this._renderRuns(tabs)}
        </div>
      </>
    );
  }

  private _renderRuns(heading: React.ReactNode): JSX.Element {
    return this._renderRunList(heading);
  }

  private _renderRunList(heading: React.ReactNode): JSX.Element {
    const model = this.model;
    const actions = this._actions;
    return (
      <UseSignal signal={model.changed}>
        {() => (
          <RunsView
            heading={heading}
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
            onFilterSchedule={this._onFilterSchedule}
          />
        )}
      </UseSignal>
    );
  }

  private _onSelectTab = (tab: RunsPanel.Tab): void => {
    this.showTab(tab);
  };

  private _syncSchedulesShown(): void {
    this._schedules?.model.setShown(
      this.isVisible && this._tab === 'schedules'
    );
    this._workflows?.model.setShown(
      this.isVisible && this._tab === 'workflows'
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

  private _onFilterSchedule = (schedule: number): void => {
    this.model.setFilters({ schedule });
  };

  private _actions: RunsPanel.IActions;
  private _header: React.ReactElement | null;
  private _schedules: RunsPanel.ISchedules | null;
  private _tab: RunsPanel.Tab = 'runs';
  private _trans: TranslationBundle;
  private _workflows: RunsPanel.IWorkflows | null;
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
   * The sidebar's tabs.
   */
  export type Tab = 'runs' | 'schedules' | 'workflows';

  /**
   * One of the sidebar's tabs.
   */
  export interface ITab {
    key: Tab;
    label: string;
    panelId: string;
  }

  /**
   * The workflows tab: its model (polled only while the tab is shown) and
   * its view, given the tab list to show in its header.
   */
  export interface IWorkflows {
    model: WorkflowRunsModel;
    render: (heading: React.ReactNode) => JSX.Element;
  }

  /**
   * The schedules tab: its model (polled only while the tab is shown) and
   * its view, given the tab list to show in its header.
   */
  export interface ISchedules {
    model: SchedulesModel;
    render: (heading: React.ReactNode) => JSX.Element;
  }

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
    /**
     * The schedules tab; without it the panel shows only the runs.
     */
    schedules?: ISchedules;
    /**
     * The workflows tab: the workflow runs.
     */
    workflows?: IWorkflows;
  }
}
