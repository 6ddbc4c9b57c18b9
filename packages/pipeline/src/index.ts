export { HandlerWorkerError, PipelineOptionsError } from './errors.js';
export { HandlerPool, type HandlerPoolOptions } from './handler-pool.js';
export {
  type FaultCounts,
  type FunctionLog,
  type FunctionTimings,
  type IngestTotals,
  type LocalPipeline,
  type LocalPipelineOptions,
  type PipelineFaults,
  startLocalPipeline,
} from './local-pipeline.js';
export { failingSesClient, type SesFailureInjection } from './ses-failures.js';
export { statelessTemplate } from './template.js';
export { injectThrottling, type ThrottleInjection } from './throttle.js';
