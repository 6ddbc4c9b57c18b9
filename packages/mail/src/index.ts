export { type DeliveryRef, deliveryIdOf, deliveryKeyOf } from './delivery-id.js';
export {
  MailConfigurationError,
  MailInputError,
  MailOutcomeUnknownError,
  MailRejectedError,
  MailRetryableError,
} from './errors.js';
export { buildMime, DELIVERY_HEADER, type MailMessage, MailMessageSchema } from './message.js';
export { type BackoffOptions, DEFAULT_BACKOFF, withBackoff } from './retry.js';
export {
  EmulatorSentMailLookup,
  NoSentMailLookup,
  type SentLookup,
  type SentMailLookup,
} from './sent-mail-lookup.js';
export {
  classifySesError,
  createSesClient,
  DELIVERY_TAG,
  type Mailer,
  SesMailer,
  type SesMailerOptions,
} from './ses-mailer.js';
