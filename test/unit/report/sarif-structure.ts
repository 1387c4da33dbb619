/**
 * A structural check of a SARIF 2.1.0 log, limited to what GitHub code scanning reads or rejects
 * (no network here for the OASIS schema). Returns every problem as `path: what`, so a failing
 * test names them all.
 */

const LEVELS = ['none', 'note', 'warning', 'error'];
const PROBLEM_SEVERITIES = ['error', 'warning', 'recommendation'];
/** A URI reference (RFC 3986): no space, `#` only before a fragment, `%` only as an escape. */
const URI_REFERENCE = /^([a-z][a-z0-9+.-]*:)?([A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;

export function sarifProblems(log: any): string[] {
  const problems: string[] = [];
  const need = (ok: unknown, where: string, what: string) => {
    if (!ok) problems.push(`${where}: ${what}`);
  };
  const text = (v: any) => typeof v?.text === 'string' && v.text.length > 0;
  need(log?.version === '2.1.0', 'version', 'must be "2.1.0"');
  need(Array.isArray(log?.runs) && log.runs.length >= 1 && log.runs.length <= 20, 'runs', 'an array of 1 to 20 runs');
  (log?.runs ?? []).forEach((run: any, r: number) => {
    const at = `runs[${r}]`;
    const driver = run?.tool?.driver;
    need(typeof driver?.name === 'string' && driver.name.length > 0, `${at}.tool.driver.name`, 'required');
    const rules: any[] = driver?.rules ?? [];
    need(Array.isArray(rules), `${at}.tool.driver.rules`, 'an array');
    const ids = new Set<string>();
    rules.forEach((rule, i) => {
      const ra = `${at}.tool.driver.rules[${i}]`;
      need(typeof rule.id === 'string' && rule.id.length > 0, `${ra}.id`, 'required');
      need(!ids.has(rule.id), `${ra}.id`, 'unique');
      ids.add(rule.id);
      need(text(rule.shortDescription), `${ra}.shortDescription.text`, 'required');
      need(text(rule.fullDescription), `${ra}.fullDescription.text`, 'required');
      need(text(rule.help) || typeof rule.helpUri === 'string', `${ra}.help`, 'help.text or helpUri');
      if (rule.defaultConfiguration?.level !== undefined) need(LEVELS.includes(rule.defaultConfiguration.level), `${ra}.defaultConfiguration.level`, 'a SARIF level');
      const sev = rule.properties?.['security-severity'];
      need(typeof sev === 'string' && /^\d+(\.\d+)?$/.test(sev) && Number(sev) >= 0 && Number(sev) <= 10, `${ra}.properties.security-severity`, `a string number 0-10 (got ${JSON.stringify(sev)})`);
      const tags = rule.properties?.tags;
      need(Array.isArray(tags) && tags.includes('security') && tags.length <= 20, `${ra}.properties.tags`, 'includes "security" (else GitHub ignores security-severity), at most 20');
      need(PROBLEM_SEVERITIES.includes(rule.properties?.['problem.severity']), `${ra}.properties.problem.severity`, 'error, warning or recommendation');
    });
    const bases = run?.originalUriBaseIds ?? {};
    for (const [id, base] of Object.entries<any>(bases)) {
      need(typeof base?.uri === 'string' && /^file:\/\//.test(base.uri) && base.uri.endsWith('/') && URI_REFERENCE.test(base.uri), `${at}.originalUriBaseIds.${id}.uri`, `an absolute file URI ending in / (got ${base?.uri})`);
    }
    const results: any[] = run?.results;
    need(Array.isArray(results), `${at}.results`, 'an array');
    need((results ?? []).length <= 25_000, `${at}.results`, 'at most 25,000 results per run');
    (results ?? []).forEach((res, i) => {
      const ra = `${at}.results[${i}]`;
      need(text(res.message), `${ra}.message.text`, 'required');
      need(ids.has(res.ruleId), `${ra}.ruleId`, `a rule of the driver (got ${res.ruleId})`);
      if (res.ruleIndex !== undefined) need(rules[res.ruleIndex]?.id === res.ruleId, `${ra}.ruleIndex`, 'points at the rule named by ruleId');
      if (res.level !== undefined) need(LEVELS.includes(res.level), `${ra}.level`, 'a SARIF level');
      need(Array.isArray(res.locations) && res.locations.length >= 1 && res.locations.length <= 1000, `${ra}.locations`, '1 to 1000 locations (GitHub rejects a result without one)');
      (res.locations ?? []).forEach((loc: any, l: number) => {
        const la = `${ra}.locations[${l}].physicalLocation`;
        const uri = loc?.physicalLocation?.artifactLocation?.uri;
        need(typeof uri === 'string' && uri.length > 0 && URI_REFERENCE.test(uri), `${la}.artifactLocation.uri`, `a percent-encoded URI (got ${JSON.stringify(uri)})`);
        const base = loc?.physicalLocation?.artifactLocation?.uriBaseId;
        if (base !== undefined) {
          need(Object.hasOwn(bases, base), `${la}.artifactLocation.uriBaseId`, `declared in originalUriBaseIds (got ${base})`);
          need(typeof uri === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(uri) && !uri.startsWith('/'), `${la}.artifactLocation.uri`, 'relative to its uriBaseId');
        }
        const line = loc?.physicalLocation?.region?.startLine;
        need(Number.isInteger(line) && line >= 1, `${la}.region.startLine`, `an integer >= 1 (got ${line})`);
      });
      const fp = res.partialFingerprints;
      need(fp && Object.keys(fp).length > 0 && Object.values(fp).every((v) => typeof v === 'string' && v.length > 0), `${ra}.partialFingerprints`, 'non-empty strings');
    });
    const invocations: any[] = run?.invocations ?? [];
    invocations.forEach((inv, i) => {
      need(typeof inv.executionSuccessful === 'boolean', `${at}.invocations[${i}].executionSuccessful`, 'required boolean');
      (inv.toolExecutionNotifications ?? []).forEach((n: any, j: number) => {
        const na = `${at}.invocations[${i}].toolExecutionNotifications[${j}]`;
        need(text(n.message), `${na}.message.text`, 'required');
        if (n.level !== undefined) need(LEVELS.includes(n.level), `${na}.level`, 'a SARIF level');
        if (n.associatedRule) need(rules[n.associatedRule.index]?.id === n.associatedRule.id, `${na}.associatedRule`, 'index and id of one rule');
      });
    });
  });
  return problems;
}
