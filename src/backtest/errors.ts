import { QuantMeshError } from '../errors/quantmesh-error.js';

/** A backtest cannot start: the symbol is not configured, its venue is not a sim, or the replay input is unusable. */
export class BacktestSetupError extends QuantMeshError {
  readonly code = 'QM_BACKTEST_SETUP';
}

/** The grid and the sim kept answering each other within one tick without settling (a strategy bug). */
export class BacktestStalledError extends QuantMeshError {
  readonly code = 'QM_BACKTEST_STALLED';
}

/** A run of a parameter sweep failed in its worker thread (the message names the run). */
export class SweepRunError extends QuantMeshError {
  readonly code = 'QM_SWEEP_RUN';
}
