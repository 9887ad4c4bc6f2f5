import { AutoflowAPI } from '../../src/api';

/**
 * What started a run, as the server describes it: manual unless overridden.
 */
export function runTrigger(
  overrides: Partial<AutoflowAPI.IRunTrigger> = {}
): AutoflowAPI.IRunTrigger {
  return {
    kind: 'manual',
    schedule_id: null,
    schedule_name: null,
    scheduled_for: null,
    reference_date: null,
    workflow_run_id: null,
    workflow_name: null,
    step_key: null,
    attempt: null,
    ...overrides
  };
}
