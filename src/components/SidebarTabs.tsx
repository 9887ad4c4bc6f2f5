import * as React from 'react';

const TABS_CLASS = 'jp-autoflow-SidebarTabs';
const TAB_CLASS = 'jp-autoflow-SidebarTabs-tab';

/**
 * One tab: its key, label and the id of the panel it shows.
 */
export interface ISidebarTab<K extends string> {
  key: K;
  label: string;
  panelId: string;
}

/**
 * Props of {@link SidebarTabs}.
 */
export interface ISidebarTabsProps<K extends string> {
  tabs: ReadonlyArray<ISidebarTab<K>>;
  current: K;
  label: string;
  onSelect: (key: K) => void;
}

/**
 * The DOM id of a tab, which its panel is labelled by.
 */
export function sidebarTabId(panelId: string): string {
  return `${panelId}-tab`;
}

/**
 * A tab list: one tab is in the page's tab order; the arrow keys, Home and
 * End move between tabs and select them.
 */
export function SidebarTabs<K extends string>(
  props: ISidebarTabsProps<K>
): JSX.Element {
  const { tabs, current, label, onSelect } = props;

  const selectedId = sidebarTabId(
    tabs.find(tab => tab.key === current)?.panelId ?? ''
  );

  // The tab list is rendered anew with the other view: the list that shows
  // the tab picked from the keyboard gives it the focus.
  React.useEffect(() => {
    if (Private.focus.pending === selectedId) {
      Private.focus.pending = null;
      document.getElementById(selectedId)?.focus();
    }
  }, [selectedId]);

  const select = (index: number) => {
    const tab = tabs[(index + tabs.length) % tabs.length];
    Private.focus.pending = sidebarTabId(tab.panelId);
    onSelect(tab.key);
  };

  return (
    <div
      className={TABS_CLASS}
      role="tablist"
      aria-label={label}
      onKeyDown={event => {
        const index = tabs.findIndex(tab => tab.key === current);
        const moves: Record<string, number> = {
          ArrowRight: index + 1,
          ArrowLeft: index - 1,
          Home: 0,
          End: tabs.length - 1
        };
        if (event.key in moves) {
          event.preventDefault();
          select(moves[event.key]);
        }
      }}
    >
      {tabs.map(tab => {
        const selected = tab.key === current;
        return (
          <button
            key={tab.key}
            type="button"
            role="tab"
            id={sidebarTabId(tab.panelId)}
            className={TAB_CLASS}
            aria-selected={selected}
            aria-controls={tab.panelId}
            tabIndex={selected ? 0 : -1}
            onClick={() => onSelect(tab.key)}
          >
            {tab.label}
          </button>
        );
      })}
    </div>
  );
}

namespace Private {
  /**
   * The id of a tab picked from the keyboard, to focus once it is rendered.
   */
  export const focus: { pending: string | null } = { pending: null };
}
