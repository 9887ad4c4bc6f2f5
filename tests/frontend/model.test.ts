import { AutoflowAPI, AutoflowClient } from '../../src/api';
import { RunsModel } from '../../src/model';
import { runTrigger } from './fixtures';

/**
 * An in-memory AutoFlow server: the paging and filtering rules of GET runs
 * (newest first by id, keyset cursor = id of the last run of the page).
 */
class FakeServer {
  runs: AutoflowAPI.IRun[] = [];
  requests: AutoflowAPI.IListRunsOptions[] = [];
  created: AutoflowAPI.ICreateRunRequest[] = [];

  add(count: number, overrides: Partial<AutoflowAPI.IRun> = {}): void {
    for (let i = 0; i < count; i++) {
      this.runs.push(makeRun(this.runs.length + 1, overrides));
    }
  }

  client(): AutoflowClient {
    const fake = {
      version: async () => ({ version: 'test' }),
      listRuns: async (options: AutoflowAPI.IListRunsOptions = {}) => {
        this.requests.push(options);
        const limit = options.limit ?? 50;
        const q = options.q?.toLowerCase();
        const matching = [...this.runs]
          .reverse()
          .filter(
            run =>
              (!options.cursor || run.id < Number(options.cursor)) &&
              (!options.status || run.status === options.status) &&
              (!options.notebook || run.notebook === options.notebook) &&
              (!q || run.notebook.toLowerCase().includes(q))
          );
        const runs = matching.slice(0, limit);
        return {
          runs,
          next_cursor:
            matching.length > limit ? String(runs[runs.length - 1].id) : null
        };
      },
      getRun: async (id: number) => this.get(id),
      deleteRun: async (id: number) => {
        this.runs = this.runs.filter(run => run.id !== id);
      },
      createRun: async (request: AutoflowAPI.ICreateRunRequest) => {
        this.created.push(request);
        this.add(1, { notebook: request.notebook, status: 'queued' });
        return this.runs[this.runs.length - 1];
      },
      cancelRun: async (id: number) => this.get(id)
    };
    const client = Object.assign(
      Object.create(AutoflowClient.prototype),
      fake
    ) as AutoflowClient;
    return client;
  }

  get(id: number): AutoflowAPI.IRun {
    const run = this.runs.find(r => r.id === id);
    if (!run) {
      throw new Error(`no run ${id}`);
    }
    return run;
  }

  set(id: number, changes: Partial<AutoflowAPI.IRun>): void {
    this.runs = this.runs.map(run =>
      run.id === id ? { ...run, ...changes } : run
    );
  }
}

function makeRun(
  id: number,
  overrides: Partial<AutoflowAPI.IRun> = {}
): AutoflowAPI.IRun {
  return {
    id,
    notebook: 'hello.ipynb',
    parameters: { name: `run ${id}` },
    kernel_name: 'python3',
    status: 'succeeded',
    timeout: 600,
    cell_timeout: 60,
    progress: null,
    trigger: runTrigger(),
    created_at: '2026-01-05T09:00:00Z',
    started_at: '2026-01-05T09:00:01Z',
    finished_at: '2026-01-05T09:00:04Z',
    output: `autoflow-runs/hello/run-${id}/hello.ipynb`,
    executed_on: null,
    error: null,
    reports: [],
    log: `autoflow-runs/hello/run-${id}/run.log`,
    ...overrides
  };
}

function ids(model: RunsModel): number[] {
  return model.runs.map(run => run.id);
}

let model: RunsModel;

function start(server: FakeServer): RunsModel {
  model = new RunsModel({
    client: server.client(),
    // Long intervals: the tests drive every refresh themselves.
    activePollInterval: 300000,
    idlePollInterval: 300000
  });
  return model;
}

afterEach(() => model?.dispose());

describe('RunsModel paging', () => {
  it('lists the newest page first, with more to load', async () => {
    // Given 130 runs on the server
    const server = new FakeServer();
    server.add(130);
    // When the model refreshes
    const model = start(server);
    await model.refresh();
    // Then it holds runs 130..81 and knows older ones exist
    expect(model.runs).toHaveLength(50);
    expect(model.runs[0].id).toBe(130);
    expect(model.hasMore).toBe(true);
  });

  it('loads older pages down to the oldest run', async () => {
    const server = new FakeServer();
    server.add(130);
    const model = start(server);
    await model.refresh();
    await model.loadMore();
    await model.loadMore();
    expect(model.runs).toHaveLength(130);
    expect(model.runs[129].id).toBe(1);
    expect(model.hasMore).toBe(false);
  });

  it('puts new runs on top and keeps the pages scrolled through', async () => {
    // Given three pages loaded
    const server = new FakeServer();
    server.add(130);
    const model = start(server);
    await model.refresh();
    await model.loadMore();
    await model.loadMore();
    // When two runs are added and the model polls
    server.add(2, { status: 'running' });
    await model.refresh();
    // Then they lead the list and every older run is still loaded
    expect(ids(model).slice(0, 3)).toEqual([132, 131, 130]);
    expect(model.runs).toHaveLength(132);
    expect(model.hasActiveRuns).toBe(true);
  });

  it('refreshes an active run on an older page', async () => {
    // Given run 5, running, loaded on the third page
    const server = new FakeServer();
    server.add(130);
    server.set(5, { status: 'running' });
    const model = start(server);
    await model.refresh();
    await model.loadMore();
    await model.loadMore();
    expect(model.findRun(5)?.status).toBe('running');
    // When it finishes and the model polls
    server.set(5, { status: 'failed' });
    await model.refresh();
    // Then the list shows it finished
    expect(model.findRun(5)?.status).toBe('failed');
  });
});

describe('RunsModel filters', () => {
  it('asks the server for the filtered runs, from the newest', async () => {
    const server = new FakeServer();
    server.add(60);
    server.set(7, { status: 'failed' });
    const model = start(server);
    await model.refresh();
    // When the user filters by status and searches
    model.setFilters({ status: 'failed', q: '  hello ' });
    expect(model.runs).toHaveLength(0);
    expect(model.loading).toBe(true);
    await model.refresh();
    // Then the server gets the filters and the list holds what matches
    expect(server.requests[server.requests.length - 1]).toEqual({
      status: 'failed',
      notebook: '',
      q: 'hello',
      schedule: null,
      limit: 50
    });
    expect(ids(model)).toEqual([7]);
    expect(model.loading).toBe(false);
  });

  it('ignores a filter that changes nothing', async () => {
    const server = new FakeServer();
    server.add(3);
    const model = start(server);
    await model.refresh();
    const before = server.requests.length;
    model.setFilters({ q: '   ' });
    expect(model.runs).toHaveLength(3);
    expect(server.requests.length).toBe(before);
  });
});

describe('RunsModel actions', () => {
  it('deletes a run and closes its details', async () => {
    const server = new FakeServer();
    server.add(3);
    const model = start(server);
    await model.refresh();
    model.select(2);
    expect(model.selected?.id).toBe(2);
    await model.delete(2);
    expect(ids(model)).toEqual([3, 1]);
    expect(model.selected).toBeNull();
  });

  it('re-runs with the same notebook, parameters, kernel and limits', async () => {
    const server = new FakeServer();
    server.add(3);
    const model = start(server);
    await model.refresh();
    const queued = await model.rerun(server.get(2));
    expect(server.created).toEqual([
      {
        notebook: 'hello.ipynb',
        parameters: { name: 'run 2' },
        kernel_name: 'python3',
        timeout: 600,
        cell_timeout: 60
      }
    ]);
    expect(model.runs[0].id).toBe(queued.id);
  });

  it('shows the details of a run that is not loaded', async () => {
    const server = new FakeServer();
    server.add(80);
    const model = start(server);
    await model.refresh();
    model.select(3);
    await new Promise(resolve => setTimeout(resolve, 0));
    expect(model.selected?.id).toBe(3);
  });
});
