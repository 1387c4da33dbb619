/**
 * JSON Patch, RFC 6902 (operations add, remove, replace, move, copy, test) over JSON Pointers,
 * RFC 6901 (`~1` is `/`, `~0` is `~`, `-` appends to an array). Used for
 * `application/json-patch+json` bodies. Operations apply in order; any failure fails the whole patch.
 */
import { jsonEqual } from './json-equality';
import { isJsonObject } from './merge-patch';
import type { Json } from './types';

/** A patch that cannot be applied; the API server answers 422 with this text as the cause. */
export class JsonPatchError extends Error {}

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: Json;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPatchError(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(array: Json[], token: string, allowEnd: boolean, pointer: string): number {
  if (allowEnd && token === '-') return array.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new JsonPatchError(`invalid array index "${token}" in ${pointer}`);
  const index = Number(token);
  if (index > array.length || (!allowEnd && index === array.length)) throw new JsonPatchError(`index out of range in ${pointer}`);
  return index;
}

function valueAt(doc: Json, pointer: string): Json {
  let node: Json = doc;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(node)) node = node[arrayIndex(node, token, false, pointer)]!;
    else if (isJsonObject(node) && Object.prototype.hasOwnProperty.call(node, token)) node = node[token]!;
    else throw new JsonPatchError(`doc is missing path: "${pointer}": missing value`);
  }
  return node;
}

/** The container that holds the last token of `pointer`, and that token. */
function parentOf(doc: Json, pointer: string): { parent: Json; token: string } {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new JsonPatchError('the root of the document cannot be the target of this operation');
  const token = tokens.pop()!;
  const parentPointer = tokens.map((t) => '/' + t.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
  return { parent: valueAt(doc, parentPointer), token };
}

function add(doc: Json, pointer: string, value: Json): Json {
  if (pointer === '') return value;
  const { parent, token } = parentOf(doc, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, token, true, pointer), 0, value);
  else if (isJsonObject(parent)) parent[token] = value;
  else throw new JsonPatchError(`doc is missing path: "${pointer}": missing value`);
  return doc;
}

function remove(doc: Json, pointer: string): Json {
  const { parent, token } = parentOf(doc, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, token, false, pointer), 1);
  else if (isJsonObject(parent) && Object.prototype.hasOwnProperty.call(parent, token)) delete parent[token];
  else throw new JsonPatchError(`remove operation does not apply: doc is missing path: "${pointer}": missing value`);
  return doc;
}

/** Returns the patched document; `doc` is not modified. */
export function applyJsonPatch(doc: Json, operations: unknown): Json {
  if (!Array.isArray(operations)) throw new JsonPatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let result = structuredClone(doc);
  for (const raw of operations as JsonPatchOperation[]) {
    if (!isJsonObject(raw as unknown) || typeof raw.path !== 'string') throw new JsonPatchError('operation is missing path');
    switch (raw.op) {
      case 'add':
        result = add(result, raw.path, structuredClone(raw.value ?? null));
        break;
      case 'remove':
        result = remove(result, raw.path);
        break;
      case 'replace':
        valueAt(result, raw.path);
        result = raw.path === '' ? structuredClone(raw.value ?? null) : add(remove(result, raw.path), raw.path, structuredClone(raw.value ?? null));
        break;
      case 'move': {
        const value = valueAt(result, raw.from ?? '');
        result = add(remove(result, raw.from ?? ''), raw.path, value);
        break;
      }
      case 'copy':
        result = add(result, raw.path, structuredClone(valueAt(result, raw.from ?? '')));
        break;
      case 'test':
        if (!jsonEqual(valueAt(result, raw.path), raw.value ?? null)) throw new JsonPatchError(`testing value ${raw.path} failed: test failed`);
        break;
      default:
        throw new JsonPatchError(`Unexpected kind: ${String((raw as { op?: unknown }).op)}`);
    }
  }
  return result;
}
