import { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { TranslationBundle } from '@jupyterlab/translation';
import { ToolbarButton } from '@jupyterlab/ui-components';
import { IDisposable } from '@lumino/disposable';

import { autoflowIcon } from '../icons';

const BUTTON_CLASS = 'jp-autoflow-RunButton';

/**
 * Adds a "Run with AutoFlow" button to every notebook toolbar. The button
 * runs the notebook it belongs to, whichever notebook is current.
 */
export class RunButtonExtension implements DocumentRegistry.IWidgetExtension<
  NotebookPanel,
  INotebookModel
> {
  constructor(options: RunButtonExtension.IOptions) {
    this._run = options.run;
    this._trans = options.trans;
  }

  createNew(panel: NotebookPanel): IDisposable {
    const button = new ToolbarButton({
      className: BUTTON_CLASS,
      icon: autoflowIcon,
      label: this._trans.__('Run with AutoFlow'),
      tooltip: this._trans.__('Save this notebook and run it with AutoFlow'),
      onClick: () => void this._run(panel)
    });
    if (
      !panel.toolbar.insertAfter('cellType', RunButtonExtension.NAME, button)
    ) {
      panel.toolbar.insertItem(10, RunButtonExtension.NAME, button);
    }
    return button;
  }

  private _run: (panel: NotebookPanel) => Promise<void>;
  private _trans: TranslationBundle;
}

/**
 * A namespace for RunButtonExtension statics.
 */
export namespace RunButtonExtension {
  /**
   * The toolbar item name of the button.
   */
  export const NAME = 'autoflowRun';

  /**
   * Options to create the extension.
   */
  export interface IOptions {
    /**
     * Save and run a notebook.
     */
    run: (panel: NotebookPanel) => Promise<void>;
    trans: TranslationBundle;
  }
}
