export { type Business, type DemoOffer, loadOffer, loadOffers } from './catalog.js';
export { type DemoCustomer, generateCustomers } from './customers.js';
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
  runDemo,
  scheduleByTime,
  seedCatalog,
} from './run.js';
export { generateUsage } from './usage.js';
