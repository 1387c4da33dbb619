import * as z from 'zod';
import { policyFileSchema } from './schema';

/** The rules-file schema as JSON Schema (draft 2020-12), for editors and for rules/schema.json. */
export function rulesJsonSchema(): string {
  // io 'input': what a rules file may say; fields zod defaults (an SLO's window) are optional there.
  const schema = z.toJSONSchema(policyFileSchema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' });
  return `${JSON.stringify({ ...schema, title: 'meshgov rules file' }, null, 2)}\n`;
}
