import * as React from 'react';

const MESSAGE_CLASS = 'jp-autoflow-PanelMessage';
const DETAIL_CLASS = 'jp-autoflow-PanelMessage-detail';

/**
 * Props of {@link PanelMessage}.
 */
export interface IPanelMessageProps {
  /**
   * The message shown in place of the run list.
   */
  message: string;
  /**
   * Smaller text below the message, such as the underlying error.
   */
  detail?: string | null;
  /**
   * `alert` for problems, `status` for information.
   */
  role?: 'alert' | 'status';
  kind?: 'info' | 'error';
}

/**
 * A centred message in place of the run list (empty or unavailable state).
 */
export function PanelMessage(props: IPanelMessageProps): JSX.Element {
  const { message, detail, role = 'status', kind = 'info' } = props;
  return (
    <div className={MESSAGE_CLASS} role={role} data-kind={kind}>
      <p>{message}</p>
      {detail ? <p className={DETAIL_CLASS}>{detail}</p> : null}
    </div>
  );
}
