import { ITranslate } from '../../src/format';
import {
  IRunOutcome,
  outcomeMessage,
  RunOutcomeWatcher,
  wanted
} from '../../src/notifications';
import type { Run } from '../../src/wire';
import { runTrigger } from './fixtures';

/** A translation bundle that only fills in `%1`, `%2`… as JupyterLab's does. */
const trans: ITranslate = {
  __: (msgid: string, ...args: unknown[]) =>
    msgid.replace(/%(\d+)/g, (_, n: string) => String(args[Number(n) - 1]))
};

const NOW = Date.parse('2026-03-02T10:00:00Z');
const SECONDS_AGO = (s: number) => new Date(NOW - s * 1000).toISOString();

function run(id: number, overrides: Partial<Run> = {}): Run {
  return {
    id,
    notebook: 'reports/daily.ipynb',
    parameters: {},
    kernel_name: 'python3',
    status: 'succeeded',
    timeout: null,
    cell_timeout: null,
    progress: null,
    trigger: runTrigger(),
    created_at: SECONDS_AGO(30),
    started_at: SECONDS_AGO(29),
    finished_at: SECONDS_AGO(20),
    output: `autoflow-runs/daily/run-${id}/daily.ipynb`,
    executed_on: null,
    error: null,
    reports: [],
    log: null,
    ...overrides
  };
}

const SCHEDULED = {
  trigger: runTrigger({
    kind: 'schedule',
    schedule_id: 4,
    schedule_name: 'nightly',
    scheduled_for: SECONDS_AGO(30)
  })
};

const KEY_ERROR = {
  cell_index: 7,
  cell_number: 6,
  execution_count: 5,
  cell_source: "calls['minutes'].sum()",
  ename: 'KeyError',
  evalue: "'minutes'"
};

function failed(id: number, overrides: Partial<Run> = {}): Run {
  return run(id, { status: 'failed', error: KEY_ERROR, ...overrides });
}

function ids(outcomes: IRunOutcome[]): Array<[number, string]> {
  return outcomes.map(({ run, outcome }) => [run.id, outcome]);
}

describe('RunOutcomeWatcher', () => {
  it('stays quiet about the history already there at page load', () => {
    // Given a history with failures, scheduled ones among them, some recent
    const watcher = new RunOutcomeWatcher();

    // When the first list arrives
    const first = watcher.observe(
      [failed(3, SCHEDULED), failed(2), run(1, SCHEDULED)],
      NOW
    );

    // Then nothing is reported, and nothing on the next identical list either
    expect(first).toEqual([]);
    expect(
      watcher.observe([failed(3, SCHEDULED), failed(2), run(1)], NOW)
    ).toEqual([]);
  });

  it('reports a scheduled run seen running and then seen failed', () => {
    // Given a scheduled run seen running
    const watcher = new RunOutcomeWatcher();
    watcher.observe([], NOW);
    watcher.observe(
      [run(5, { ...SCHEDULED, status: 'running', finished_at: null })],
      NOW
    );

    // When it is next seen failed
    const ended = watcher.observe([failed(5, SCHEDULED)], NOW);

    // Then it is reported once
    expect(ids(ended)).toEqual([[5, 'failed']]);
    expect(watcher.observe([failed(5, SCHEDULED)], NOW)).toEqual([]);
  });

  it('reports a new scheduled run first seen already failed within the last minute', () => {
    // Given the page loaded with runs up to #5
    const watcher = new RunOutcomeWatcher();
    watcher.observe([run(5)], NOW);

    // When a scheduled run started and failed between two refreshes
    const ended = watcher.observe(
      [failed(6, { ...SCHEDULED, finished_at: SECONDS_AGO(3) }), run(5)],
      NOW
    );

    // Then it is reported
    expect(ids(ended)).toEqual([[6, 'failed']]);
  });

  it('stays quiet about a new scheduled run that failed over a minute ago', () => {
    const watcher = new RunOutcomeWatcher();
    watcher.observe([run(5)], NOW);

    const ended = watcher.observe(
      [failed(6, { ...SCHEDULED, finished_at: SECONDS_AGO(90) })],
      NOW
    );

    expect(ended).toEqual([]);
  });

  it('stays quiet about older runs revealed by scrolling or filtering', () => {
    // Given the page loaded with the newest page of runs, #40 to #50
    const watcher = new RunOutcomeWatcher();
    watcher.observe([run(50)], NOW);

    // When a filter reveals an older scheduled failure, however recent
    const ended = watcher.observe(
      [failed(12, { ...SCHEDULED, finished_at: SECONDS_AGO(5) })],
      NOW
    );

    // Then it is not news
    expect(ended).toEqual([]);
  });

  it('stays quiet about manual runs started elsewhere', () => {
    // Given a manual run (another browser, the REST API) seen running
    const watcher = new RunOutcomeWatcher();
    watcher.observe([], NOW);
    watcher.observe([run(7, { status: 'running', finished_at: null })], NOW);

    // When it fails
    const ended = watcher.observe([failed(7)], NOW);

    // Then this browser does not notify
    expect(ended).toEqual([]);
  });

  it('reports a run started from this browser however quickly it ends', () => {
    // Given a run queued from this browser, never listed while active
    const watcher = new RunOutcomeWatcher();
    watcher.observe([run(7)], NOW);
    watcher.watch(run(8, { status: 'queued', started_at: null }));

    // When it is first listed already finished
    const ended = watcher.observe([run(8), run(7)], NOW);

    // Then it is reported as succeeded
    expect(ids(ended)).toEqual([[8, 'succeeded']]);
  });

  it('reports cancelled runs as neither failed nor succeeded', () => {
    const watcher = new RunOutcomeWatcher();
    watcher.observe([], NOW);
    watcher.watch(run(9, { status: 'running', finished_at: null }));

    expect(watcher.observe([run(9, { status: 'cancelled' })], NOW)).toEqual(
      []
    );
  });

  it('reports several endings oldest first', () => {
    const watcher = new RunOutcomeWatcher();
    watcher.observe([], NOW);
    const active = { ...SCHEDULED, status: 'running' as const };
    watcher.observe([run(11, active), run(10, active)], NOW);

    const ended = watcher.observe([failed(11, SCHEDULED), run(10, SCHEDULED)], NOW);

    expect(ids(ended)).toEqual([
      [10, 'succeeded'],
      [11, 'failed']
    ]);
  });

  it('remembers a bounded number of runs', () => {
    const watcher = new RunOutcomeWatcher({ maxTracked: 3 });
    watcher.observe([run(4), run(3), run(2), run(1)], NOW);
    // #1 was forgotten: seeing it again is like scrolling back to it
    expect(watcher.observe([failed(1, SCHEDULED)], NOW)).toEqual([]);
  });
});

describe('wanted', () => {
  const outcomes: IRunOutcome[] = [
    { run: failed(1), outcome: 'failed' },
    { run: run(2), outcome: 'succeeded' }
  ];

  it('keeps failures and drops successes by default', () => {
    const kept = wanted(outcomes, {
      notifyOnFailure: true,
      notifyOnSuccess: false
    });
    expect(ids(kept)).toEqual([[1, 'failed']]);
  });

  it('follows each setting', () => {
    expect(
      ids(wanted(outcomes, { notifyOnFailure: false, notifyOnSuccess: true }))
    ).toEqual([[2, 'succeeded']]);
    expect(
      wanted(outcomes, { notifyOnFailure: false, notifyOnSuccess: false })
    ).toEqual([]);
  });
});

describe('outcomeMessage', () => {
  it('names the notebook, the failing cell and the error', () => {
    const message = outcomeMessage(
      { run: failed(1), outcome: 'failed' },
      trans
    );
    expect(message).toBe("daily.ipynb failed in cell 6: KeyError: 'minutes'");
  });

  it('names the schedule of a scheduled run', () => {
    const message = outcomeMessage(
      { run: failed(1, SCHEDULED), outcome: 'failed' },
      trans
    );
    expect(message).toBe(
      "daily.ipynb failed in cell 6: KeyError: 'minutes' (schedule nightly)"
    );
  });

  it('gives the engine sentence of a run over its time limit', () => {
    const timeout = {
      ...KEY_ERROR,
      ename: 'RunTimeout',
      evalue: 'timed out after 30 s in cell 4'
    };
    const message = outcomeMessage(
      { run: failed(1, { error: timeout }), outcome: 'failed' },
      trans
    );
    expect(message).toBe('daily.ipynb failed: timed out after 30 s in cell 4');
  });

  it('says a run succeeded', () => {
    expect(outcomeMessage({ run: run(1), outcome: 'succeeded' }, trans)).toBe(
      'daily.ipynb succeeded'
    );
  });
});
