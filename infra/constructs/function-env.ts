/** Every tally Lambda carries its functions/ folder name here; the local state machine runner maps tasks by it. */
export const FUNCTION_NAME_ENV = 'TALLY_FUNCTION';
