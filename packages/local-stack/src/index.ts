export { type Clock, parseDuration, SharedClock, systemClock, TestClock } from './clock.js';
export {
  type DynamoProcess,
  type Emulator,
  freePort,
  type SesMail,
  sesMailbox,
  startDynamo,
  startSes,
  startSqs,
} from './emulators.js';
export { LOCAL_ENV_FILE, readLocalEnv, removeLocalEnv, writeLocalEnv } from './env-file.js';
export { LocalStackStartError, StateMachineDefinitionError } from './errors.js';
export {
  type EventSourceStats,
  SqsEventSource,
  type SqsEventSourceOptions,
  type SqsHandler,
} from './event-source.js';
export { type HttpApiHandler, type LocalHttpApi, startHttpApi } from './http-api.js';
export { lambdaContext } from './lambda-context.js';
export {
  checkLayouts,
  createResources,
  type LocalResources,
  localName,
  tableInput,
  untilTable,
} from './resources.js';
export { type LocalSchedule, LocalScheduler, rateMs } from './scheduler.js';
export { type LocalStack, type LocalStackOptions, startLocalStack } from './stack.js';
export {
  type CfnTemplate,
  definitionFromTemplate,
  FUNCTION_NAME_ENV,
  functionNames,
  LocalStateMachine,
  type LocalStateMachineOptions,
  type TaskHandler,
} from './state-machine.js';
