/**
 * Burn-rate arithmetic (Google SRE workbook, "Alerting on SLOs", ch. 5): the burn rate is how
 * fast the error budget is spent relative to spending exactly all of it over the SLO window.
 * An error rate equal to the budget (1 − objective) burns at 1×.
 */

/**
 * burn rate = error ratio / (1 − objective); objective in percent. An objective of 100 % (or
 * one outside 0–100) has no budget to divide by: it throws rather than return Infinity or NaN,
 * which would page or hide silently. (A fraction such as 0.999 is caught by the schema.)
 */
export function burnRate(errorRatio: number, objectivePercent: number): number {
  if (!(objectivePercent > 0 && objectivePercent < 100)) {
    throw new RangeError(`objective ${objectivePercent}% has no error budget to burn: it must be a percent above 0 and below 100, such as 99.9`);
  }
  if (!(errorRatio >= 0 && errorRatio <= 1)) throw new RangeError(`error ratio ${errorRatio} is not a share of requests between 0 and 1`);
  return errorRatio / (1 - objectivePercent / 100);
}

/** Error ratio from counts; undefined when no request was seen (no traffic burns no budget, and proves nothing). */
export function errorRatioOf(good: number, total: number): number | undefined {
  if (!(total > 0)) return undefined;
  // Counters read at slightly different instants can put good a hair above total.
  return Math.min(1, Math.max(0, 1 - good / total));
}

/**
 * The share of the SLO window's budget still unspent: 1 − the burn rate over the whole window.
 * 1 is untouched, 0 is spent, below 0 is overspent.
 */
export function budgetRemaining(burnOverSloWindow: number): number {
  return 1 - burnOverSloWindow;
}
