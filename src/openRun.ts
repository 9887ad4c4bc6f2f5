import { IDocumentManager } from '@jupyterlab/docmanager';
import { IDocumentWidget } from '@jupyterlab/docregistry';
import { Notebook, NotebookPanel } from '@jupyterlab/notebook';

import { AutoflowAPI } from './api';

/**
 * Open a run's executed notebook, as it is on disk now, without starting a
 * kernel; for a failed or cancelled run, select the cell where it stopped.
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
  const widget = await openCurrent(docManager, run.output, {
    // An executed notebook is a record: look at it without a kernel, and
    // let the user start one if they want to rerun cells.
    shouldStart: false,
    canStart: true
  });
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
    await widget.revealed;
    await selectCell(widget.content, cellIndex);
  }
  return true;
}

/**
 * Open a run's log as it is on disk now.
 *
 * @returns Whether the log was opened
 */
export async function openRunLog(
  docManager: IDocumentManager,
  run: AutoflowAPI.IRun
): Promise<boolean> {
  if (!run.log || run.status === 'queued') {
    return false;
  }
  return (await openCurrent(docManager, run.log)) !== undefined;
}

/**
 * Open a file, or reveal its open tab showing the file's current content.
 *
 * A run rewrites its executed notebook and log, and a re-run or a new run
 * with the same output path replaces them, so an open tab may show an old
 * version: it is reverted to the file on disk unless the user has unsaved
 * changes in it.
 */
export async function openCurrent(
  docManager: IDocumentManager,
  path: string,
  kernelPreference?: { shouldStart: boolean; canStart: boolean }
): Promise<IDocumentWidget | undefined> {
  const existing = docManager.findWidget(path);
  if (existing) {
    await existing.context.ready;
    if (!existing.context.model.dirty) {
      await existing.context.revert();
    }
    return docManager.openOrReveal(path);
  }
  const widget = docManager.openOrReveal(
    path,
    'default',
    undefined,
    undefined,
    kernelPreference
  );
  if (widget) {
    await widget.context.ready;
  }
  return widget;
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
