/**
 * Writes rules/schema.json from the zod schema, so editors can validate rules files. A test
 * fails when the checked-in file is stale. Run: npx tsx .ci/scripts/rules-schema.ts
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { rulesJsonSchema } from '../../functions/core/policy/json-schema';

writeFileSync(path.resolve(__dirname, '../../rules/schema.json'), rulesJsonSchema());
