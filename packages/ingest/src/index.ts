export {
  type AcceptanceReader,
  type AcceptanceTerms,
  acceptanceWindowDays,
  acceptanceWindowMs,
  type BillingInterval,
  checkLateness,
  defaultTerms,
  LONGEST_PERIOD_DAYS,
  SubscriptionAcceptance,
  type SubscriptionSource,
  type SubscriptionTermsView,
  termsOfSubscriptions,
  withinRetention,
} from './acceptance.js';
export { type AdmitContext, type AdmitResult, admitEvents } from './admit.js';
export {
  type CatalogCustomer,
  type CatalogCustomerInput,
  CatalogCustomerSchema,
  CatalogMeterSchema,
  type Device,
  type DeviceInput,
  DeviceSchema,
  type Producer,
  type ProducerInput,
  ProducerSchema,
} from './catalog.js';
export { checkMeters } from './classify.js';
export { decodeMessage, type InputMessage, type InputUnit, unitId } from './decode.js';
export { InvalidIngestPolicyError, ReplayError } from './errors.js';
export { canonicalJson, fnv1a, hashPayload, identityKey, payloadHash, shardOf, utcDay } from './identity.js';
export {
  type Accounting,
  type BatchResult,
  emptyAccounting,
  ingestBatch,
  quarantinedTotal,
  type UnitResult,
} from './ingest-batch.js';
export {
  type IngestPolicy,
  type IngestPolicyInput,
  IngestPolicySchema,
  ingestPolicy,
  policyFromEnv,
} from './policy.js';
export type {
  CatalogReader,
  Clock,
  EventToStore,
  IngestPorts,
  PutOutcome,
  QuarantineEntry,
  QuarantineWriter,
  StoredEventInput,
  UsageWriter,
} from './ports.js';
export { quarantineEntry } from './quarantine-entry.js';
export {
  isReplayable,
  type Outcome,
  type QuarantineReason,
  QuarantineReasonSchema,
  type Rejection,
} from './reasons.js';
export { type ReplayableEntry, type ReplayPorts, type ReplayResult, replayQuarantined } from './replay.js';
export { type Resolved, resolveCustomer, type SubjectLookup } from './resolve.js';
export {
  type MessageAttributes,
  SEND_ID_ATTRIBUTE,
  SendIdAttributeSchema,
  type SendIdResult,
  SendIdSchema,
  sendIdOf,
} from './send-id.js';
export { type Validated, validateEvent } from './validate.js';
