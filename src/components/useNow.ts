import * as React from 'react';

/**
 * The current time in ms, updated every `interval` ms while `live` is true.
 */
export function useNow(live: boolean, interval = 1000): number {
  const [now, setNow] = React.useState(() => Date.now());
  React.useEffect(() => {
    if (!live) {
      return;
    }
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), interval);
    return () => window.clearInterval(timer);
  }, [live, interval]);
  return now;
}
