export { type Business, type DemoOffer, loadOffer, loadOffers } from './catalog.js';
export { type DemoCustomer, demoCustomerIds, generateCustomers } from './customers.js';
export {
  DEFAULT_FAULTS,
  type ExpectedLedger,
  type FaultRates,
  injectFaults,
  type Traffic,
} from './faults.js';
export { Random } from './random.js';
export { loadReportData, renderReportHtml } from './report.js';
export {
  type DemoOptions,
  type DemoSummary,
  deliveryOf,
  demoStores,
  type ReopenedDemo,
  reopenDemo,
  runDemo,
  saveDemo,
  scheduleByTime,
  seedCatalog,
  storedFigures,
} from './run.js';
export {
  type DataFolder,
  planStart,
  readDataFolder,
  readSavedMails,
  SAVED_MAILS_FILE,
  SAVED_RUN_FILE,
  type SavedRun,
  type StartPlan,
  saveRun,
} from './saved-run.js';
export { generateUsage } from './usage.js';
