import * as z from 'zod';
import { policyFileSchema } from './schema';

/** The rules-file schema as JSON Schema (draft 2020-12), for editors and for rules/schema.json. */
export function rulesJsonSchema(): string {
  const schema = z.toJSONSchema(policyFileSchema, { target: 'draft-2020-12', unrepresentable: 'any' });
  return `${JSON.stringify({ ...schema, title: 'meshgov rules file' }, null, 2)}\n`;
}
