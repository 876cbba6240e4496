/** Errors a producer can see: one base class, with invalid input and broker trouble apart. */

export type FieldErrors = Record<string, string[]>;

/** Base of the producer library's errors. */
export class ProducerError extends Error {
  override name = "ProducerError";
}

/** The broker, the outcome store or the signing keys are not configured, or not usable. */
export class ProducerConfigurationError extends ProducerError {
  override name = "ProducerConfigurationError";
}

/** A submission that breaks the contract; `fieldErrors` names each offending field. */
export class SubmissionInvalid extends ProducerError {
  override name = "SubmissionInvalid";
  readonly reason = "invalid";
  readonly fieldErrors: FieldErrors;

  constructor(fieldErrors: FieldErrors) {
    const copy: FieldErrors = Object.fromEntries(
      Object.entries(fieldErrors).map(([field, messages]) => [field, [...messages]]),
    );
    super(`invalid submission: ${Object.keys(copy).sort().join(", ")}`);
    this.fieldErrors = copy;
  }
}

/** Redis (the broker or the outcome store) could not be reached or refused a command. */
export class BrokerUnavailable extends ProducerError {
  override name = "BrokerUnavailable";
}

/** `wait()` gave up before the submission had an outcome. */
export class OutcomeTimeout extends ProducerError {
  override name = "OutcomeTimeout";
}
