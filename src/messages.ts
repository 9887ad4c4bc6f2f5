import { TranslationBundle } from '@jupyterlab/translation';

/**
 * The install hint shown in the sidebar when the server extension does not
 * answer.
 */
export function serverUnavailableMessage(trans: TranslationBundle): string {
  return trans.__(
    'The AutoFlow Lab server extension is not answering. Install it with `pip install autoflow-lab` (which enables it) or run `jupyter server extension enable autoflow_lab`, then restart JupyterLab.'
  );
}

/**
 * The same hint, short enough for a notification toast (140 characters).
 */
export function serverUnavailableNotice(trans: TranslationBundle): string {
  return trans.__(
    'The AutoFlow Lab server extension is not answering. Install it with `pip install autoflow-lab`, then restart JupyterLab.'
  );
}
