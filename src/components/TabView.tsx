import { refreshIcon, ToolbarButtonComponent } from '@jupyterlab/ui-components';
import * as React from 'react';

const HEADER_CLASS = 'jp-autoflow-RunsView-header';
const BANNER_CLASS = 'jp-autoflow-RunsView-banner';

/**
 * Props of {@link TabView}.
 */
export interface ITabViewProps {
  className: string;
  bodyClassName: string;
  /**
   * Shown at the left of the header (the sidebar's tabs).
   */
  heading: React.ReactNode;
  /**
   * The tooltip of the header's refresh button.
   */
  refreshLabel: string;
  onRefresh: () => void;
  /**
   * Why the last request failed, shown as an alert above the body.
   */
  errorMessage: string | null;
  children: React.ReactNode;
}

/**
 * A sidebar tab below the tabs' header, with its refresh button, and the
 * tab's content under an alert saying why the last fetch failed.
 */
export function TabView(props: ITabViewProps): JSX.Element {
  return (
    <div className={props.className}>
      <div className={HEADER_CLASS}>
        {props.heading}
        <ToolbarButtonComponent
          icon={refreshIcon}
          tooltip={props.refreshLabel}
          onClick={props.onRefresh}
        />
      </div>
      <div className={props.bodyClassName}>
        {props.errorMessage ? (
          <div className={BANNER_CLASS} role="alert">
            {props.errorMessage}
          </div>
        ) : null}
        {props.children}
      </div>
    </div>
  );
}
