/**
 * The defaults of an SLO, without the schema: what a deployed function needs to resolve SLOs the
 * loader already validated, without loading zod (its share of a cold start, bench/cold-start).
 */

/** The SRE workbook's recommended pairs for a 30-day, 99.9%-style SLO (table 5-8), used when `alerting` is left out. */
export const DEFAULT_ALERTING = {
  page: [
    { long: '1h', short: '5m', factor: 14.4 },
    { long: '6h', short: '30m', factor: 6 },
  ],
  ticket: [{ long: '3d', short: '6h', factor: 1 }],
} as const;

/** The SLO window when `window` is left out. */
export const DEFAULT_SLO_WINDOW = '30d';
