/**
 * Per-step learning-rate schedules (method.md §13): linear warm-up from 0 to the peak rate, then
 * cosine decay to 0 over the remaining steps, or a constant rate.
 */

export type ScheduleKind = 'cosine' | 'constant';

export interface ScheduleConfig {
  readonly kind: ScheduleKind;
  /** Peak learning rate. */
  readonly base: number;
  readonly totalSteps: number;
  readonly warmupSteps: number;
}

/**
 * The rate for 0-based step `step`: base·step/W during warm-up (W = warmupSteps), then for cosine
 * base·½(1 + cos(π·(step − W)/(T − W))), which is base at the end of warm-up, base/2 halfway
 * through the decay and reaches 0 at step T (just after the last step T − 1).
 */
export function learningRateAt(step: number, config: ScheduleConfig): number {
  const { kind, base, totalSteps, warmupSteps } = config;
  if (step < warmupSteps) return (base * step) / warmupSteps;
  if (kind === 'constant') return base;
  const decaySteps = totalSteps - warmupSteps;
  if (decaySteps <= 0) return 0;
  const progress = Math.min(1, (step - warmupSteps) / decaySteps);
  return base * 0.5 * (1 + Math.cos(Math.PI * progress));
}
