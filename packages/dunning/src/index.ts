export { type ActOutcome, performStep } from './act.js';
export { type Decision, decide, stepDueAt } from './decide.js';
export { DunningPolicyError, DunningStateError } from './errors.js';
export {
  DEFAULT_POLICIES,
  type DunningAction,
  type DunningPolicies,
  DunningPoliciesSchema,
  type DunningPolicy,
  type DunningPolicyInput,
  DunningPolicySchema,
  type DunningStep,
  DunningStepSchema,
  policyFor,
} from './policy.js';
