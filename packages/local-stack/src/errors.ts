/** An emulator could not start: its port or data folder is unusable. */
export class LocalStackStartError extends Error {
  constructor(
    readonly service: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`local stack: ${service} could not start: ${message}`, options);
    this.name = 'LocalStackStartError';
  }
}

/** A state machine definition in the template could not be turned into runnable ASL. */
export class StateMachineDefinitionError extends Error {
  constructor(
    readonly stateMachine: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`state machine ${stateMachine}: ${message}`, options);
    this.name = 'StateMachineDefinitionError';
  }
}
