import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import { RunRow } from './RunRow';
import { useNow } from './useNow';

const LIST_CLASS = 'jp-autoflow-RunList';

/**
 * Props of {@link RunList}.
 */
export interface IRunListProps {
  runs: ReadonlyArray<AutoflowAPI.IRun>;
  /**
   * Runs the user asked to cancel that are still active.
   */
  cancelling: ReadonlySet<number>;
  trans: TranslationBundle;
  onOpen: (run: AutoflowAPI.IRun) => void;
  onCancel: (run: AutoflowAPI.IRun) => void;
}

/**
 * The runs, newest first; durations of running runs tick every second.
 */
export function RunList(props: IRunListProps): JSX.Element {
  const { runs, cancelling, trans, onOpen, onCancel } = props;
  const now = useNow(runs.some(run => run.status === 'running'));
  return (
    <ul className={LIST_CLASS} aria-label={trans.__('AutoFlow runs')}>
      {runs.map(run => (
        <RunRow
          key={run.id}
          run={run}
          now={now}
          cancelling={cancelling.has(run.id)}
          trans={trans}
          onOpen={onOpen}
          onCancel={onCancel}
        />
      ))}
    </ul>
  );
}
