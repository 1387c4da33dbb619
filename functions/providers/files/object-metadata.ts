import { isLooseRecord as isObject } from '../../core/is-record';
import { quoteValue, spellValue } from '../../core/truncate';
import { fieldStep } from './field-path';

/** A problem with an object's metadata, before it has a provider: classify adds the file and line. */
export interface MetadataProblem {
  field: string;
  message: string;
  /** The object cannot be placed (its namespace is unreadable): it is reported and not audited. */
  fatal: boolean;
}

/** Where a workload kind keeps its pod template's metadata: the labels selectors match and the annotations the injector reads. */
const POD_TEMPLATE_METADATA: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template', 'metadata'],
  StatefulSet: ['spec', 'template', 'metadata'],
  DaemonSet: ['spec', 'template', 'metadata'],
  ReplicaSet: ['spec', 'template', 'metadata'],
  Job: ['spec', 'template', 'metadata'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'metadata'],
};

/**
 * Label maps a kind keeps in its spec, typed map[string]string as metadata labels are: a
 * Service's `spec.selector` (`tier: 2` unquoted would otherwise select nothing without a word).
 */
const SPEC_LABEL_MAPS: Readonly<Record<string, { path: readonly string[]; noun: string }>> = {
  Service: { path: ['spec', 'selector'], noun: 'selector label' },
};

/** At most this many problems per map: one wrong map of fifty keys is one mistake, not fifty findings. */
const PER_MAP = 3;

/**
 * What the API server would refuse in an object's metadata and its pod template's: a namespace
 * that is not a string, labels or annotations that are not a map of strings (`version: 2`
 * unquoted is the usual one: "cannot unmarshal number into ... of type string"), and the same in
 * a Service's selector. Labels, annotations and selectors are still read as their author meant
 * them (the readers turn the values into strings); a namespace that is not a string leaves
 * nowhere to put the object.
 */
export function metadataProblems(value: Record<string, unknown>, path: string): MetadataProblem[] {
  const out: MetadataProblem[] = [];
  const prefix = path ? `${path}.` : '';
  const metadata = value.metadata as Record<string, unknown>;
  const namespace = metadata.namespace;
  if (namespace !== undefined && namespace !== null && typeof namespace !== 'string') {
    out.push({ field: `${prefix}metadata.namespace`, message: `metadata.namespace must be a string, not ${describeValue(namespace)}`, fatal: true });
  }
  checkStringMaps(metadata, `${prefix}metadata`, out);
  const templatePath = typeof value.kind === 'string' && Object.hasOwn(POD_TEMPLATE_METADATA, value.kind) ? POD_TEMPLATE_METADATA[value.kind] : undefined;
  if (templatePath) {
    let template: unknown = value;
    for (const step of templatePath) template = isObject(template) ? template[step] : undefined;
    if (isObject(template)) checkStringMaps(template, `${prefix}${templatePath.join('.')}`, out);
  }
  const specMap = typeof value.kind === 'string' && Object.hasOwn(SPEC_LABEL_MAPS, value.kind) ? SPEC_LABEL_MAPS[value.kind] : undefined;
  if (specMap) {
    let map: unknown = value;
    for (const step of specMap.path) map = isObject(map) ? map[step] : undefined;
    const field = specMap.path[specMap.path.length - 1]!;
    checkStringMap(map, field, specMap.noun, `${prefix}${specMap.path.join('.')}`, out);
  }
  if (value.kind === 'Service' && value.apiVersion === 'v1') checkServicePorts(value.spec, `${prefix}spec.ports`, out);
  return out;
}

/**
 * A Service's `spec.ports[].port` is an int32 from 1 to 65535: the API server refuses `"80"`
 * ("cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32")
 * and an out-of-range number, so the Service is left out, as the cluster would not hold it.
 */
function checkServicePorts(spec: unknown, at: string, out: MetadataProblem[]): void {
  const ports = isObject(spec) ? spec.ports : undefined;
  if (!Array.isArray(ports)) return;
  ports.forEach((entry, i) => {
    const port = isObject(entry) ? entry.port : undefined;
    if (port === undefined || (typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535)) return;
    const what = typeof port === 'number' && Number.isInteger(port) ? `between 1 and 65535, not ${port}` : `an integer, not ${describeValue(port)}`;
    out.push({ field: `${at}[${i}].port`, message: `port must be ${what}: the API server refuses the Service, so it is left out`, fatal: true });
  });
}

function checkStringMaps(metadata: Record<string, unknown>, at: string, out: MetadataProblem[]): void {
  for (const field of ['labels', 'annotations'] as const) checkStringMap(metadata[field], field, field === 'labels' ? 'label' : 'annotation', `${at}.${field}`, out);
}

/** One map of string values (`labels` at `at`), each of whose entries is a `noun`. */
function checkStringMap(map: unknown, field: string, noun: string, at: string, out: MetadataProblem[]): void {
  if (map === undefined || map === null) return;
  if (!isObject(map)) {
    out.push({ field: at, message: `${field} must be a map of keys to string values, not ${describeValue(map)}`, fatal: false });
    return;
  }
  let reported = 0;
  for (const key in map) {
    const v = map[key];
    if (typeof v === 'string' || !Object.hasOwn(map, key)) continue;
    if (reported++ === PER_MAP) break;
    out.push({
      field: `${at}${fieldStep(key)}`,
      message: `${noun} ${quoteValue(key)} must have a string value, not ${describeValue(v)}: quote it (the API server refuses the object as written; meshgov reads it as the string ${quoteValue(spellValue(v))})`,
      fatal: false,
    });
  }
}

/**
 * `the string "80"`, `the number 80.5`, `a list`, `a map`: what a value is, for a message. A
 * long value is cut (quoteValue), as are the other values messages quote.
 */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isObject(value)) return 'a map';
  return `the ${typeof value} ${quoteValue(value)}`;
}
