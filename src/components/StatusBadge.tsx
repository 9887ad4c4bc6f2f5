import { TranslationBundle } from '@jupyterlab/translation';
import {
  checkIcon,
  circleEmptyIcon,
  closeIcon,
  LabIcon,
  stopIcon
} from '@jupyterlab/ui-components';
import * as React from 'react';

import { AutoflowAPI } from '../api';
import { statusLabel } from '../format';

export { statusLabel };

const BADGE_CLASS = 'jp-autoflow-StatusBadge';
const ICON_CLASS = 'jp-autoflow-StatusBadge-icon';
const LABEL_CLASS = 'jp-autoflow-StatusBadge-label';
const SPINNER_CLASS = 'jp-autoflow-Spinner';

/**
 * Icons of the settled states; `running` shows a spinner instead.
 */
const STATUS_ICONS: Record<
  Exclude<AutoflowAPI.RunStatus, 'running'>,
  LabIcon
> = {
  queued: circleEmptyIcon,
  succeeded: checkIcon,
  failed: closeIcon,
  cancelled: stopIcon
};

/**
 * Props of {@link StatusBadge}.
 */
export interface IStatusBadgeProps {
  status: AutoflowAPI.RunStatus;
  trans: TranslationBundle;
}

/**
 * A coloured icon and the status name.
 */
export function StatusBadge(props: IStatusBadgeProps): JSX.Element {
  const { status, trans } = props;
  const Icon = status === 'running' ? null : STATUS_ICONS[status];
  return (
    <span className={BADGE_CLASS} data-status={status}>
      {Icon ? (
        <Icon.react className={ICON_CLASS} tag="span" aria-hidden="true" />
      ) : (
        <span className={`${ICON_CLASS} ${SPINNER_CLASS}`} aria-hidden="true" />
      )}
      <span className={LABEL_CLASS}>{statusLabel(status, trans)}</span>
    </span>
  );
}
