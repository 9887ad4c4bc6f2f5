import { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { tagIcon, ToolbarButton } from '@jupyterlab/ui-components';
import {
  DisposableDelegate,
  DisposableSet,
  IDisposable
} from '@lumino/disposable';

import { RunButtonExtension } from './RunButtonExtension';
import { canTagActiveCell, hasParametersTag } from './ParametersCell';

const TOGGLE_CLASS = 'jp-autoflow-ToggleParametersButton';
const RUN_CLASS = 'jp-autoflow-RunWithParametersButton';

/**
 * Adds "Toggle Parameters Cell" and "Run with Parameters…" buttons to every
 * notebook toolbar, after the "Run with AutoFlow" button. They act on the
 * notebook they belong to; the toggle shows whether its active cell is the
 * parameters cell.
 */
export class ParametersToolbarExtension implements DocumentRegistry.IWidgetExtension<
  NotebookPanel,
  INotebookModel
> {
  constructor(options: ParametersToolbarExtension.IOptions) {
    this._options = options;
  }

  createNew(panel: NotebookPanel): IDisposable {
    const { trans } = this._options;
    const toggle = new ToolbarButton({
      className: TOGGLE_CLASS,
      icon: tagIcon,
      tooltip: trans.__('Toggle Parameters Cell'),
      onClick: () => this._options.toggle(panel)
    });
    const run = new ToolbarButton({
      className: RUN_CLASS,
      label: trans.__('Run with Parameters…'),
      tooltip: trans.__(
        'Save this notebook and run it with AutoFlow, choosing its parameters'
      ),
      onClick: () => void this._options.run(panel)
    });
    // After every extension's createNew, so the Run with AutoFlow button is there.
    void Promise.resolve().then(() => {
      if (toggle.isDisposed || run.isDisposed) {
        return;
      }
      const toolbar = panel.toolbar;
      if (
        !toolbar.insertAfter(
          RunButtonExtension.NAME,
          ParametersToolbarExtension.RUN_NAME,
          run
        )
      ) {
        toolbar.addItem(ParametersToolbarExtension.RUN_NAME, run);
      }
      toolbar.insertAfter(
        ParametersToolbarExtension.RUN_NAME,
        ParametersToolbarExtension.TOGGLE_NAME,
        toggle
      );
    });

    const notebook = panel.content;
    const sync = () => {
      const active = notebook.activeCell;
      // enabled first: a disabled button ignores `pressed`
      toggle.enabled = canTagActiveCell(notebook);
      toggle.pressed = active ? hasParametersTag(active.model) : false;
    };
    let watched = notebook.activeCell?.model ?? null;
    const onActiveCellChanged = () => {
      watched?.metadataChanged.disconnect(sync);
      watched = notebook.activeCell?.model ?? null;
      watched?.metadataChanged.connect(sync);
      sync();
    };
    watched?.metadataChanged.connect(sync);
    notebook.activeCellChanged.connect(onActiveCellChanged);
    sync();

    const disposables = new DisposableSet();
    disposables.add(toggle);
    disposables.add(run);
    disposables.add(
      new DisposableDelegate(() => {
        watched?.metadataChanged.disconnect(sync);
        notebook.activeCellChanged.disconnect(onActiveCellChanged);
      })
    );
    return disposables;
  }

  private _options: ParametersToolbarExtension.IOptions;
}

/**
 * A namespace for ParametersToolbarExtension statics.
 */
export namespace ParametersToolbarExtension {
  /**
   * Toolbar item name of the toggle.
   */
  export const TOGGLE_NAME = 'autoflowToggleParameters';

  /**
   * Toolbar item name of the run button.
   */
  export const RUN_NAME = 'autoflowRunWithParameters';

  /**
   * Options to create the extension.
   */
  export interface IOptions {
    trans: TranslationBundle;
    /**
     * Toggle the `parameters` tag of the panel's active cell.
     */
    toggle: (panel: NotebookPanel) => void;
    /**
     * Save the panel's notebook and open the Run with Parameters dialog.
     */
    run: (panel: NotebookPanel) => Promise<void>;
  }
}
