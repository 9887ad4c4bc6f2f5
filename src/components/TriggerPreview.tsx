import * as React from 'react';

import type { ITranslate } from '../format';

const PREVIEW_CLASS = 'jp-autoflow-TriggerPreview';
const DESCRIPTION_CLASS = 'jp-autoflow-TriggerPreview-description';
const TIMES_CLASS = 'jp-autoflow-TriggerPreview-times';
const ERROR_CLASS = 'jp-autoflow-TriggerPreview-error';
const NOTE_CLASS = 'jp-autoflow-TriggerPreview-note';

/**
 * What the preview shows: nothing yet, a check in flight, the trigger in
 * words with its next fire times (and for a data trigger the date ranges
 * its stencil gives at the sample date), or why it cannot fire.
 */
export type PreviewState =
  | { status: 'idle' }
  | { status: 'pending' }
  | {
      status: 'ready';
      description: string;
      times: ReadonlyArray<string>;
      dateRanges?: ReadonlyArray<ReadonlyArray<string>> | null;
    }
  | { status: 'error'; message: string };

/**
 * Props of {@link TriggerPreview}.
 */
export interface ITriggerPreviewProps {
  preview: PreviewState;
  /**
   * DOM id of the region, for the trigger inputs' `aria-describedby`.
   */
  id: string;
  /**
   * Whether the times are a data trigger's checks of FlowAPI, not runs.
   */
  checks?: boolean;
  trans: ITranslate;
}

/**
 * The server's reading of a trigger, updated as the user types: its
 * description and next fire times in the browser's time, or its error. A
 * live region, so screen readers hear the result.
 */
export function TriggerPreview(props: ITriggerPreviewProps): JSX.Element {
  const { preview, trans } = props;
  let content: JSX.Element | null = null;
  switch (preview.status) {
    case 'pending':
      content = <p className={NOTE_CLASS}>{trans.__('Checking…')}</p>;
      break;
    case 'error':
      content = <p className={ERROR_CLASS}>{preview.message}</p>;
      break;
    case 'ready':
      content = (
        <>
          <p className={DESCRIPTION_CLASS}>{preview.description}</p>
          {preview.times.length > 0 ? (
            <>
              <p className={NOTE_CLASS}>
                {props.checks
                  ? trans.__('Next checks of FlowAPI, in your time:')
                  : trans.__('Next runs, in your time:')}
              </p>
              <ol className={TIMES_CLASS}>
                {preview.times.map(time => (
                  <li key={time}>
                    <time dateTime={time}>{formatFireTime(time)}</time>
                  </li>
                ))}
              </ol>
            </>
          ) : (
            <p className={NOTE_CLASS}>{trans.__('It will not fire again.')}</p>
          )}
        </>
      );
      break;
  }
  return (
    <div
      id={props.id}
      className={PREVIEW_CLASS}
      data-status={preview.status}
      role="status"
      aria-live="polite"
      aria-atomic="true"
      aria-label={trans.__('Schedule preview')}
    >
      {content}
    </div>
  );
}

/**
 * A fire time in the browser's time: weekday, date and time, with seconds
 * only when they are not zero.
 */
export function formatFireTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  return date.toLocaleString([], {
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: date.getSeconds() === 0 ? undefined : '2-digit',
    timeZoneName: 'short'
  });
}
