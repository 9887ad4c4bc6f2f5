import type { Cell, ICellModel } from '@jupyterlab/cells';
import {
  INotebookTracker,
  Notebook,
  NotebookPanel
} from '@jupyterlab/notebook';
import { IDisposable } from '@lumino/disposable';

/**
 * The cell tag papermill injects parameters after.
 */
export const PARAMETERS_TAG = 'parameters';

/**
 * Class of a cell tagged `parameters`; the stylesheet draws its badge.
 */
export const PARAMETERS_CELL_CLASS = 'jp-autoflow-mod-parameters';

/**
 * Whether a cell carries the `parameters` tag.
 */
export function hasParametersTag(model: ICellModel): boolean {
  const tags = model.getMetadata('tags');
  return Array.isArray(tags) && tags.includes(PARAMETERS_TAG);
}

/**
 * Whether the notebook's active cell can hold parameters: a code cell.
 */
export function canTagActiveCell(notebook: Notebook | null | undefined) {
  return notebook?.activeCell?.model.type === 'code';
}

/**
 * Tag the active cell `parameters`, or untag it when it is tagged. A
 * notebook has one parameters cell: tagging a cell untags any other.
 *
 * @param tagged Tag (`true`) or untag (`false`) the cell whatever its state
 * @returns Whether the active cell is now tagged, or `null` when there is
 *   no active code cell
 */
export function toggleParametersCell(
  notebook: Notebook,
  tagged?: boolean
): boolean | null {
  const active = notebook.activeCell;
  const model = notebook.model;
  if (!active || !model || active.model.type !== 'code') {
    return null;
  }
  const tagging = tagged ?? !hasParametersTag(active.model);
  model.sharedModel.transact(() => {
    for (const cell of model.cells) {
      if (cell !== active.model && hasParametersTag(cell)) {
        setParametersTag(cell, false);
      }
    }
    setParametersTag(active.model, tagging);
  });
  return tagging;
}

function setParametersTag(model: ICellModel, tagged: boolean): void {
  const found = model.getMetadata('tags');
  const tags = (Array.isArray(found) ? found : []).filter(
    tag => tag !== PARAMETERS_TAG
  );
  if (tagged) {
    tags.push(PARAMETERS_TAG);
  }
  if (tags.length > 0) {
    model.setMetadata('tags', tags);
  } else {
    model.deleteMetadata('tags');
  }
}

/**
 * Keeps the badge class on every notebook's parameters cell in step with
 * its tags, however they change (the toggle command, the property
 * inspector, another collaborator).
 */
export class ParametersCellBadges implements IDisposable {
  constructor(tracker: INotebookTracker) {
    this._tracker = tracker;
    tracker.widgetAdded.connect(this._onNotebookAdded, this);
    tracker.forEach(panel => this._watch(panel));
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._tracker.widgetAdded.disconnect(this._onNotebookAdded, this);
  }

  private _onNotebookAdded(_: INotebookTracker, panel: NotebookPanel): void {
    this._watch(panel);
  }

  private _watch(panel: NotebookPanel): void {
    const notebook = panel.content;
    const sync = () => {
      if (!this._isDisposed && !notebook.isDisposed) {
        this._syncAll(notebook, sync);
      }
    };
    notebook.model?.cells.changed.connect(sync);
    notebook.modelChanged.connect(() => {
      notebook.model?.cells.changed.connect(sync);
      sync();
    });
    sync();
  }

  private _syncAll(notebook: Notebook, sync: () => void): void {
    for (const cell of notebook.widgets) {
      this._sync(cell);
      if (!this._watched.has(cell.model)) {
        this._watched.add(cell.model);
        cell.model.metadataChanged.connect(sync);
      }
    }
  }

  private _sync(cell: Cell): void {
    cell.toggleClass(PARAMETERS_CELL_CLASS, hasParametersTag(cell.model));
  }

  private _isDisposed = false;
  private _tracker: INotebookTracker;
  private _watched = new WeakSet<ICellModel>();
}
