import { AutoflowAPI, AutoflowClient } from '../../src/api';
import { triggerLabel } from '../../src/scheduleText';
import {
  canResume,
  STEP_STATUSES,
  stepCounts,
  stepStatusLabel,
  stepsSummary,
  workflowGraph,
  workflowStepTriggerLabel
} from '../../src/workflowRuns';
import { WorkflowRunsModel } from '../../src/workflowRunsModel';
import { runTrigger } from './fixtures';

/**
 * A translation bundle that fills in `%1`, `%2`… like Lab's.
 */
const trans = {
  __: (msgid: string, ...args: unknown[]) =>
    msgid.replace(/%(\d)/g, (_, n) => String(args[Number(n) - 1]))
};

function makeStep(
  key: string,
  status: AutoflowAPI.StepStatus,
  dependsOn: string[] = []
): AutoflowAPI.IWorkflowStep {
  return {
    key,
    notebook: `workflows/${key}.ipynb`,
    status,
    depends_on: dependsOn,
    attempts: status === 'pending' || status === 'skipped' ? 0 : 1,
    message: null,
    run: null
  };
}

function makeWorkflowRun(
  id: number,
  overrides: Partial<AutoflowAPI.IWorkflowRun> = {}
): AutoflowAPI.IWorkflowRun {
  return {
    id,
    workflow: 'workflows/daily.autoflow.yaml',
    name: 'Daily report',
    status: 'succeeded',
    parameters: {},
    reference_date: null,
    date_ranges: null,
    trigger: runTrigger(),
    created_at: '2026-01-05T09:00:00Z',
    started_at: '2026-01-05T09:00:01Z',
    finished_at: '2026-01-05T09:00:09Z',
    error: null,
    steps: [makeStep('load', 'succeeded'), makeStep('report', 'succeeded')],
    ...overrides
  };
}

/**
 * An in-memory server of workflow runs: newest first by id, keyset cursor.
 */
class FakeServer {
  runs: AutoflowAPI.IWorkflowRun[] = [];
  listed = 0;

  add(count: number, overrides: Partial<AutoflowAPI.IWorkflowRun> = {}) {
    for (let i = 0; i < count; i++) {
      this.runs.push(makeWorkflowRun(this.runs.length + 1, overrides));
    }
  }

  set(id: number, changes: Partial<AutoflowAPI.IWorkflowRun>): void {
    this.runs = this.runs.map(run =>
      run.id === id ? { ...run, ...changes } : run
    );
  }

  get(id: number): AutoflowAPI.IWorkflowRun {
    const run = this.runs.find(r => r.id === id);
    if (!run) {
      throw new Error(`Workflow run ${id} not found`);
    }
    return run;
  }

  client(): AutoflowClient {
    const fake = {
      listWorkflowRuns: async (
        query: AutoflowAPI.IListWorkflowRunsOptions = {}
      ) => {
        this.listed++;
        const limit = query.limit ?? 20;
        const matching = [...this.runs]
          .reverse()
          .filter(run => !query.cursor || run.id < Number(query.cursor));
        const page = matching.slice(0, limit);
        return {
          workflow_runs: page,
          next_cursor:
            matching.length > limit ? String(page[page.length - 1].id) : null
        };
      },
      getWorkflowRun: async (id: number) => this.get(id),
      resumeWorkflowRun: async (id: number) => {
        this.set(id, { status: 'running', finished_at: null });
        return this.get(id);
      },
      cancelWorkflowRun: async (id: number) => this.get(id),
      deleteWorkflowRun: async (id: number) => {
        this.get(id);
        this.runs = this.runs.filter(run => run.id !== id);
      }
    };
    return Object.assign(
      Object.create(AutoflowClient.prototype),
      fake
    ) as AutoflowClient;
  }
}

let model: WorkflowRunsModel | undefined;

function start(server: FakeServer, pageSize = 20): WorkflowRunsModel {
  model = new WorkflowRunsModel({
    client: server.client(),
    pageSize,
    // Long intervals: the tests drive every refresh themselves.
    activePollInterval: 300000,
    idlePollInterval: 300000
  });
  return model;
}

afterEach(() => {
  model?.dispose();
  model = undefined;
});

describe('workflowGraph', () => {
  it('has a node per step coloured by status and an edge per dependency', () => {
    // Given a run whose report step depends on two loads
    const steps = [
      makeStep('calls', 'succeeded'),
      makeStep('sms', 'failed'),
      makeStep('report', 'skipped', ['calls', 'sms'])
    ];
    // When its graph is built
    const graph = workflowGraph(steps);
    // Then each step is a node with its notebook below, and both
    // dependencies are edges into the report
    expect(graph.nodes).toEqual([
      {
        key: 'calls',
        label: 'calls',
        sublabel: 'calls.ipynb',
        status: 'succeeded'
      },
      { key: 'sms', label: 'sms', sublabel: 'sms.ipynb', status: 'failed' },
      {
        key: 'report',
        label: 'report',
        sublabel: 'report.ipynb',
        status: 'skipped'
      }
    ]);
    expect(graph.edges).toEqual([
      { from: 'calls', to: 'report' },
      { from: 'sms', to: 'report' }
    ]);
  });

  it('leaves out dependencies on steps the run does not list', () => {
    const graph = workflowGraph([makeStep('report', 'pending', ['gone'])]);
    expect(graph.edges).toEqual([]);
  });
});

describe('stepStatusLabel', () => {
  it('names every step status', () => {
    expect(STEP_STATUSES.map(status => stepStatusLabel(status, trans))).toEqual(
      ['pending', 'queued', 'running', 'succeeded', 'failed', 'skipped', 'cancelled']
    );
  });
});

describe('step summaries', () => {
  it('counts the steps by status in the order of a step life', () => {
    const steps = [
      makeStep('a', 'failed'),
      makeStep('b', 'succeeded'),
      makeStep('c', 'skipped'),
      makeStep('d', 'succeeded')
    ];
    expect(stepCounts(steps)).toEqual([
      { status: 'succeeded', count: 2 },
      { status: 'failed', count: 1 },
      { status: 'skipped', count: 1 }
    ]);
    expect(stepsSummary(steps, trans)).toBe(
      '2 of 4 steps succeeded, 1 failed, 1 skipped'
    );
  });

  it('offers resume only once a workflow run has finished', () => {
    expect(canResume({ status: 'failed' })).toBe(true);
    expect(canResume({ status: 'succeeded' })).toBe(true);
    expect(canResume({ status: 'running' })).toBe(false);
    expect(canResume({ status: 'queued' })).toBe(false);
  });
});

describe('step run triggers', () => {
  const trigger = runTrigger({
    kind: 'workflow',
    workflow_run_id: 7,
    workflow_name: 'Daily report',
    step_key: 'report',
    attempt: 1
  });

  it('names the step, the workflow and the workflow run', () => {
    expect(workflowStepTriggerLabel(trigger, trans)).toBe(
      'step report of Daily report (workflow run 7)'
    );
    expect(triggerLabel(trigger, trans)).toBe(
      'step report of Daily report (workflow run 7)'
    );
  });

  it('names the workflow run alone once the workflow run is deleted', () => {
    const orphan = { ...trigger, workflow_name: null };
    expect(triggerLabel(orphan, trans)).toBe('step report of workflow run 7');
  });

  it('leaves runs that are not steps to the other labels', () => {
    expect(
      workflowStepTriggerLabel({ ...trigger, kind: 'manual' }, trans)
    ).toBeNull();
    expect(triggerLabel({ ...trigger, kind: 'manual' }, trans)).toBe('manual');
  });
});

describe('WorkflowRunsModel', () => {
  it('does not poll until the workflow runs are shown', async () => {
    // Given a server with workflow runs and a model not shown
    const server = new FakeServer();
    server.add(3);
    const model = start(server);
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(server.listed).toBe(0);
    // When the runs are shown
    model.setShown(true);
    await model.refresh();
    // Then they are listed, newest first
    expect(model.loaded).toBe(true);
    expect(model.runs.map(run => run.id)).toEqual([3, 2, 1]);
  });

  it('loads older pages on demand', async () => {
    const server = new FakeServer();
    server.add(5);
    const model = start(server, 2);
    model.setShown(true);
    await model.refresh();
    expect(model.runs.map(run => run.id)).toEqual([5, 4]);
    expect(model.hasMore).toBe(true);
    await model.loadMore();
    await model.loadMore();
    expect(model.runs.map(run => run.id)).toEqual([5, 4, 3, 2, 1]);
    expect(model.hasMore).toBe(false);
  });

  it('follows step statuses as they change on the server', async () => {
    // Given a running workflow run
    const server = new FakeServer();
    server.add(1, {
      status: 'running',
      steps: [makeStep('load', 'running'), makeStep('report', 'pending')]
    });
    const model = start(server);
    model.setShown(true);
    await model.refresh();
    expect(model.hasActiveRuns).toBe(true);
    // When its second step fails and the model polls
    server.set(1, {
      status: 'failed',
      steps: [makeStep('load', 'succeeded'), makeStep('report', 'failed')]
    });
    await model.refresh();
    // Then the run shows the failure and nothing is active
    expect(model.find(1)?.steps.map(step => step.status)).toEqual([
      'succeeded',
      'failed'
    ]);
    expect(model.hasActiveRuns).toBe(false);
  });

  it('shows a resumed run running again', async () => {
    const server = new FakeServer();
    server.add(1, { status: 'failed' });
    const model = start(server);
    model.setShown(true);
    await model.refresh();
    await model.resume(1);
    expect(model.find(1)?.status).toBe('running');
    expect(model.busy.size).toBe(0);
  });

  it('forgets a deleted run and its expanded details', async () => {
    const server = new FakeServer();
    server.add(2);
    const model = start(server);
    model.setShown(true);
    await model.refresh();
    model.toggleExpanded(2);
    expect(model.expanded.has(2)).toBe(true);
    await model.delete(2);
    expect(model.runs.map(run => run.id)).toEqual([1]);
    expect(model.expanded.has(2)).toBe(false);
  });

  it('keeps a run whose deletion the server refuses', async () => {
    const server = new FakeServer();
    server.add(1);
    const model = start(server);
    model.setShown(true);
    await model.refresh();
    await expect(model.delete(99)).rejects.toThrow('not found');
    expect(model.runs.map(run => run.id)).toEqual([1]);
    expect(model.busy.size).toBe(0);
  });
});
