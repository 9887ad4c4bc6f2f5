import { IDocumentManager } from '@jupyterlab/docmanager';
import { Notebook, NotebookPanel } from '@jupyterlab/notebook';

import { AutoflowAPI } from './api';

/**
 * Open a run's executed notebook; for a failed or cancelled run, select the
 * cell where it stopped.
 *
 * @returns Whether a notebook was opened
 */
export async function openRunOutput(
  docManager: IDocumentManager,
  run: AutoflowAPI.IRun
): Promise<boolean> {
  if (!AutoflowAPI.canOpen(run)) {
    return false;
  }
  const widget = docManager.openOrReveal(run.output);
  if (!widget) {
    return false;
  }
  const stopped = run.status === 'failed' || run.status === 'cancelled';
  const cellIndex = stopped ? run.error?.cell_index : null;
  if (
    widget instanceof NotebookPanel &&
    cellIndex !== null &&
    cellIndex !== undefined
  ) {
    await widget.context.ready;
    await widget.revealed;
    await selectCell(widget.content, cellIndex);
  }
  return true;
}

/**
 * Make a cell active, alone in the selection, and scroll it into view.
 */
async function selectCell(notebook: Notebook, index: number): Promise<void> {
  if (index < 0 || index >= notebook.widgets.length) {
    return;
  }
  notebook.activeCellIndex = index;
  notebook.deselectAll();
  await notebook.scrollToItem(index, 'center');
}
