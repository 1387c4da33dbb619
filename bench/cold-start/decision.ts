/**
 * Whether to bundle the AWS SDK v3 clients or take them from the nodejs22.x runtime, from the
 * measured figures of every Lambda handler in both variants.
 */
import type { PowertoolsChoice, SdkChoice } from './measure';

export const SIZE_TARGET_BYTES = 500 * 1024;
export const INIT_TARGET_MS = 150;

/** Relative difference of total init times below which they count as equal. */
export const INIT_NOISE = 0.15;

export interface SdkFigures {
  target: string;
  sdk: SdkChoice;
  bytes: number;
  initMs: number;
}

export interface PowertoolsFigures {
  target: string;
  powertools: PowertoolsChoice;
  bytes: number;
  initMs: number;
}

/**
 * Counts, per variant, the functions meeting both targets; the variant meeting more wins. On a
 * tie, a clearly smaller total initialisation time (by more than INIT_NOISE: two cores and five
 * runs leave that much jitter) wins, since that is what a cold start pays; otherwise the
 * smaller total bundle, which is what the size target is about.
 */
export function preferredSdkChoice(figures: readonly SdkFigures[]): { choice: SdkChoice; why: string } {
  const summary = (sdk: SdkChoice) => {
    const of = figures.filter((f) => f.sdk === sdk);
    return {
      meeting: of.filter((f) => f.bytes <= SIZE_TARGET_BYTES && f.initMs <= INIT_TARGET_MS).length,
      initMs: of.reduce((sum, f) => sum + f.initMs, 0),
      bytes: of.reduce((sum, f) => sum + f.bytes, 0),
      count: of.length,
    };
  };
  const bundled = summary('bundled');
  const runtime = summary('runtime');
  if (bundled.count === 0 || runtime.count === 0) throw new Error('both SDK variants must be measured');
  const text = `bundled: ${bundled.meeting}/${bundled.count} meet both targets, ${bundled.initMs.toFixed(0)} ms init, ${(bundled.bytes / 1024).toFixed(0)} KB in total; runtime: ${runtime.meeting}/${runtime.count}, ${runtime.initMs.toFixed(0)} ms, ${(runtime.bytes / 1024).toFixed(0)} KB`;
  if (bundled.meeting !== runtime.meeting) return { choice: bundled.meeting > runtime.meeting ? 'bundled' : 'runtime', why: text };
  const slower = Math.max(bundled.initMs, runtime.initMs);
  if (Math.abs(bundled.initMs - runtime.initMs) > INIT_NOISE * slower) return { choice: bundled.initMs < runtime.initMs ? 'bundled' : 'runtime', why: text };
  return { choice: bundled.bytes <= runtime.bytes ? 'bundled' : 'runtime', why: text };
}

/**
 * Powertools bundled, or from its Lambda layer: the layer is worth having only when it makes
 * more functions meet both targets. Otherwise bundling wins, because a layer is a second source
 * of versions beside package-lock.json (the layer's Powertools, and whatever zod it does or
 * does not carry for the parser) and a per-region ARN to keep in step.
 */
export function preferredPowertoolsChoice(figures: readonly PowertoolsFigures[]): { choice: PowertoolsChoice; why: string } {
  const summary = (choice: PowertoolsChoice) => {
    const of = figures.filter((f) => f.powertools === choice);
    return {
      count: of.length,
      meeting: of.filter((f) => f.bytes <= SIZE_TARGET_BYTES && f.initMs <= INIT_TARGET_MS).length,
      text: of.map((f) => `${f.target} ${(f.bytes / 1024).toFixed(0)} KB ${f.initMs.toFixed(0)} ms`).join(', '),
    };
  };
  const bundled = summary('bundled');
  const layer = summary('layer');
  if (bundled.count === 0 || layer.count === 0) throw new Error('both Powertools variants must be measured');
  const why = `bundled: ${bundled.meeting}/${bundled.count} meet both targets (${bundled.text}); layer: ${layer.meeting}/${layer.count} (${layer.text})`;
  return { choice: layer.meeting > bundled.meeting ? 'layer' : 'bundled', why };
}
