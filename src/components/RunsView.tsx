import { TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import { serverUnavailableMessage } from '../messages';
import type { RunsModel } from '../model';
import { PanelMessage } from './PanelMessage';
import { RunList } from './RunList';

const VIEW_CLASS = 'jp-autoflow-RunsView';
const HEADER_CLASS = 'jp-autoflow-RunsView-header';
const TITLE_CLASS = 'jp-autoflow-RunsView-title';
const BODY_CLASS = 'jp-autoflow-RunsView-body';
const BANNER_CLASS = 'jp-autoflow-RunsView-banner';

/**
 * Props of {@link RunsView}.
 */
export interface IRunsViewProps {
  runs: ReadonlyArray<AutoflowAPI.IRun>;
  /**
   * Runs the user asked to cancel that are still active.
   */
  cancelling: ReadonlySet<number>;
  serverState: RunsModel.ServerState;
  errorMessage: string | null;
  trans: TranslationBundle;
  onOpen: (run: AutoflowAPI.IRun) => void;
  onCancel: (run: AutoflowAPI.IRun) => void;
  onRefresh: () => void;
}

/**
 * The sidebar content: a header with a refresh button, then the runs, an
 * empty state or the install hint when the server extension does not answer.
 */
export function RunsView(props: IRunsViewProps): JSX.Element {
  const { trans } = props;
  return (
    <div className={VIEW_CLASS}>
      <div className={HEADER_CLASS}>
        <h2 className={TITLE_CLASS}>{trans.__('AutoFlow')}</h2>
        <ToolbarButtonComponent
          icon={refreshIcon}
          tooltip={trans.__('Refresh runs')}
          onClick={props.onRefresh}
        />
      </div>
      <div className={BODY_CLASS}>
        <Body {...props} />
      </div>
    </div>
  );
}

function Body(props: IRunsViewProps): JSX.Element {
  const {
    runs,
    cancelling,
    serverState,
    errorMessage,
    trans,
    onOpen,
    onCancel
  } = props;
  if (serverState === 'unavailable') {
    return (
      <PanelMessage
        role="alert"
        kind="error"
        message={serverUnavailableMessage(trans)}
        detail={errorMessage}
      />
    );
  }
  if (serverState === 'checking' && runs.length === 0) {
    return <PanelMessage message={trans.__('Loading runs…')} />;
  }
  return (
    <>
      {errorMessage ? (
        <div className={BANNER_CLASS} role="alert">
          {errorMessage}
        </div>
      ) : null}
      {runs.length === 0 ? (
        <PanelMessage
          message={trans.__(
            'No runs yet. Open a notebook and click Run with AutoFlow.'
          )}
        />
      ) : (
        <RunList
          runs={runs}
          cancelling={cancelling}
          trans={trans}
          onOpen={onOpen}
          onCancel={onCancel}
        />
      )}
    </>
  );
}
