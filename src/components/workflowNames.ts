import * as React from 'react';

/**
 * Names workflow runs by id for the rows of their steps' runs: the name,
 * or `null` while it is not known.
 */
export type WorkflowNameLookup = (workflowRunId: number) => string | null;

/**
 * The workflow names the runs list shows; none unless a provider gives
 * them.
 */
export const WorkflowNamesContext = React.createContext<WorkflowNameLookup>(
  () => null
);
