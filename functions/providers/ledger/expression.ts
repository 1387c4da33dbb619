/**
 * Placeholders for DynamoDB expressions. Every attribute name goes through `name()` because
 * many record fields are reserved words (`status`, `state`, `version`, `ttl`…), and every value
 * through `value()`; the two maps are then passed as ExpressionAttributeNames/Values.
 */
export class ExpressionParts {
  private readonly names: Record<string, string> = {};
  private readonly values: Record<string, unknown> = {};
  private valueCount = 0;

  /** `#<attribute>`; the same attribute always gets the same placeholder. */
  name(attribute: string): string {
    // Placeholders may hold only letters, digits and underscores (DynamoDB "Expression attribute names").
    if (!/^[A-Za-z0-9_]+$/.test(attribute)) throw new Error(`attribute name ${JSON.stringify(attribute)} cannot be a placeholder`);
    const placeholder = `#${attribute}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  /** A nested path, e.g. `path('finding', 'resource', 'namespace')` → `#finding.#resource.#namespace`. */
  path(...attributes: string[]): string {
    return attributes.map((a) => this.name(a)).join('.');
  }

  value(v: unknown): string {
    const placeholder = `:v${this.valueCount++}`;
    this.values[placeholder] = v;
    return placeholder;
  }

  /** `#attr IN (:a, :b, …)`. */
  isOneOf(attribute: string, candidates: readonly unknown[]): string {
    return `${this.name(attribute)} IN (${candidates.map((c) => this.value(c)).join(', ')})`;
  }

  /** The maps for a command input; absent when empty, since DynamoDB rejects empty maps. */
  attributes(): { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> } {
    return {
      ...(Object.keys(this.names).length ? { ExpressionAttributeNames: { ...this.names } } : {}),
      ...(this.valueCount ? { ExpressionAttributeValues: { ...this.values } } : {}),
    };
  }
}
