export {
  type IngestTotals,
  type LocalPipeline,
  type LocalPipelineOptions,
  startLocalPipeline,
} from './local-pipeline.js';
export { statelessTemplate } from './template.js';
