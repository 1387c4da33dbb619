import { preferredPowertoolsChoice, preferredSdkChoice, type SdkFigures } from './decision';

const KB = 1024;
const fig = (target: string, sdk: 'bundled' | 'runtime', kb: number, initMs: number): SdkFigures => ({ target, sdk, bytes: kb * KB, initMs });

describe('preferredSdkChoice', () => {
  it('prefers the variant with more functions meeting both targets', () => {
    const figures = [fig('slack-actions', 'bundled', 480, 120), fig('slack-actions', 'runtime', 300, 160), fig('agent-findings', 'bundled', 490, 140), fig('agent-findings', 'runtime', 310, 170)];
    expect(preferredSdkChoice(figures).choice).toBe('bundled');
  });

  it('on a tie, takes the clearly faster initialisation', () => {
    const figures = [fig('app-mesh-events', 'bundled', 2056, 120), fig('app-mesh-events', 'runtime', 879, 200)];
    expect(preferredSdkChoice(figures).choice).toBe('bundled');
  });

  it('treats init times within the noise as equal and takes the smaller bundles', () => {
    // The figures of the first run (2026-11-26): every variant over 500 KB, init times within jitter.
    const figures = [
      fig('app-mesh-events', 'bundled', 2056.5, 224.7), fig('app-mesh-events', 'runtime', 878.8, 196.3),
      fig('slack-actions', 'bundled', 1358.8, 137.1), fig('slack-actions', 'runtime', 672.2, 158.8),
      fig('approval-worker', 'bundled', 1977.0, 285.1), fig('approval-worker', 'runtime', 761.8, 313.4),
      fig('agent-findings', 'bundled', 1929.1, 388.5), fig('agent-findings', 'runtime', 750.3, 279.2),
    ];
    const decision = preferredSdkChoice(figures);
    expect(decision.choice).toBe('runtime');
    expect(decision.why).toContain('0/4 meet both targets');
  });

  it('refuses to decide without both variants', () => {
    expect(() => preferredSdkChoice([fig('slack-actions', 'runtime', 300, 100)])).toThrow('both SDK variants');
  });
});

describe('preferredPowertoolsChoice', () => {
  const pt = (powertools: 'bundled' | 'layer', kb: number, initMs: number) => ({ target: 'app-mesh-events', powertools, bytes: kb * KB, initMs });

  it('keeps Powertools bundled when both variants meet the targets', () => {
    const decision = preferredPowertoolsChoice([pt('bundled', 377, 95), pt('layer', 280, 120)]);
    expect(decision.choice).toBe('bundled');
    expect(decision.why).toContain('bundled: 1/1 meet both targets');
  });

  it('takes the layer when only the layer meets them', () => {
    expect(preferredPowertoolsChoice([pt('bundled', 764, 240), pt('layer', 420, 140)]).choice).toBe('layer');
  });

  it('refuses to decide without both variants', () => {
    expect(() => preferredPowertoolsChoice([pt('bundled', 377, 95)])).toThrow('both Powertools variants');
  });
});
