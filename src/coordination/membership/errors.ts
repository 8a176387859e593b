import { QuantMeshError } from '../../errors/quantmesh-error.js';

/** The membership store cannot be reached or answered with an error; the cause is attached. */
export class MembershipUnavailableError extends QuantMeshError {
  readonly code = 'QM_MEMBERSHIP_UNAVAILABLE';
  constructor(
    readonly backend: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${backend} membership unavailable${options?.cause instanceof Error ? `: ${options.cause.message}` : ''}`,
      options,
    );
  }
}

/** An instance's registration was lost: its lease expired or was refused, or heartbeats failed for a whole TTL. */
export class MembershipLostError extends QuantMeshError {
  readonly code = 'QM_MEMBERSHIP_LOST';
  constructor(
    readonly instanceId: string,
    readonly why: string,
    options?: { cause?: unknown },
  ) {
    super(`membership of ${instanceId} lost: ${why}`, options);
  }
}
