export { EXIT, InputError } from './errors.js';
export type { CommandContext, Io } from './io.js';
export { buildProgram, main } from './main.js';
export { parsePlan, parseUsageFile, type Quote, type QuoteOptions, quote } from './quote.js';
export { renderTable } from './render.js';
export {
  applyTarget,
  type CloudFormationFactory,
  type CloudFormationSender,
  describeOutputs,
  envFromOutputs,
  type StackTarget,
  stackEnvironment,
} from './stack.js';
