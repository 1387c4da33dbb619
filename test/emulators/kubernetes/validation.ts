/**
 * The validation a real cluster applies to the kinds the emulator serves, limited to what a
 * governance tool can trip over: object names (apimachinery validation.IsDNS1123Subdomain and
 * friends), the enums that Istio's CRD schemas declare for the TLS modes, the fields
 * cert-manager's Certificate schema requires, and the Deployment selector/template match; of
 * the kinds read as remediation-gate evidence, the fields their schemas or the built-in
 * validation require (an Ingress's backend or rules, a webhook's sideEffects, a Gateway's class,
 * a TargetGroupBinding's serviceRef).
 * Answers are field errors for a 422 Invalid Status.
 */
import { isJsonObject } from './merge-patch';
import type { ResourceType } from './resource-catalog';
import type { FieldError } from './status-errors';
import type { Json, KubernetesObject } from './types';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function nameErrors(resource: ResourceType, name: string): FieldError[] {
  const field = 'metadata.name';
  if (resource.kind === 'Namespace') {
    if (name.length > 63 || !DNS1123_LABEL.test(name)) {
      return [{ field, type: 'FieldValueInvalid', detail: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')` }];
    }
  } else if (resource.kind === 'Service') {
    if (name.length > 63 || !DNS1035_LABEL.test(name)) {
      return [{ field, type: 'FieldValueInvalid', detail: `Invalid value: "${name}": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')` }];
    }
  } else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return [{ field, type: 'FieldValueInvalid', detail: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')` }];
  }
  return [];
}

function child(node: Json | undefined, key: string): Json | undefined {
  return isJsonObject(node) ? node[key] : undefined;
}

function enumError(field: string, value: Json | undefined, allowed: string[]): FieldError[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string' && allowed.includes(value)) return [];
  const shown = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  return [{ field, type: 'FieldValueNotSupported', detail: `Unsupported value: ${shown}: supported values: ${allowed.map((v) => `"${v}"`).join(', ')}` }];
}

function required(field: string, value: Json | undefined): FieldError[] {
  return value === undefined || value === null ? [{ field, type: 'FieldValueRequired', detail: 'Required value' }] : [];
}

// istio/api security/v1beta1/peer_authentication.proto: PeerAuthentication.MutualTLS.Mode.
const PEER_AUTHENTICATION_MODES = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'];
// istio/api networking/v1alpha3/destination_rule.proto: ClientTLSSettings.TLSmode.
const CLIENT_TLS_MODES = ['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'];
// istio/api networking/v1alpha3/service_entry.proto: ServiceEntry.Location and ServiceEntry.Resolution.
const SERVICE_ENTRY_LOCATIONS = ['MESH_EXTERNAL', 'MESH_INTERNAL'];
const SERVICE_ENTRY_RESOLUTIONS = ['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN'];

function peerAuthenticationErrors(spec: Json | undefined): FieldError[] {
  const errors = enumError('spec.mtls.mode', child(child(spec, 'mtls'), 'mode'), PEER_AUTHENTICATION_MODES);
  const portLevel = child(spec, 'portLevelMtls');
  if (isJsonObject(portLevel)) {
    for (const [port, setting] of Object.entries(portLevel)) {
      errors.push(...enumError(`spec.portLevelMtls[${port}].mode`, child(setting, 'mode'), PEER_AUTHENTICATION_MODES));
    }
  }
  return errors;
}

function trafficPolicyErrors(policy: Json | undefined, at: string): FieldError[] {
  const errors = enumError(`${at}.tls.mode`, child(child(policy, 'tls'), 'mode'), CLIENT_TLS_MODES);
  const ports = child(policy, 'portLevelSettings');
  if (Array.isArray(ports)) {
    ports.forEach((setting, i) => errors.push(...enumError(`${at}.portLevelSettings[${i}].tls.mode`, child(child(setting, 'tls'), 'mode'), CLIENT_TLS_MODES)));
  }
  return errors;
}

function destinationRuleErrors(spec: Json | undefined): FieldError[] {
  const errors = trafficPolicyErrors(child(spec, 'trafficPolicy'), 'spec.trafficPolicy');
  const subsets = child(spec, 'subsets');
  if (Array.isArray(subsets)) {
    subsets.forEach((subset, i) => errors.push(...trafficPolicyErrors(child(subset, 'trafficPolicy'), `spec.subsets[${i}].trafficPolicy`)));
  }
  return errors;
}

function serviceEntryErrors(spec: Json | undefined): FieldError[] {
  return [
    ...enumError('spec.location', child(spec, 'location'), SERVICE_ENTRY_LOCATIONS),
    ...enumError('spec.resolution', child(spec, 'resolution'), SERVICE_ENTRY_RESOLUTIONS),
  ];
}

// cert-manager.io/v1 Certificate schema: `required: [issuerRef, secretName]`, issuerRef requires name.
function certificateErrors(spec: Json | undefined): FieldError[] {
  if (spec === undefined) return required('spec', spec);
  const issuerRef = child(spec, 'issuerRef');
  return [...required('spec.issuerRef', issuerRef), ...(issuerRef === undefined ? [] : required('spec.issuerRef.name', child(issuerRef, 'name'))), ...required('spec.secretName', child(spec, 'secretName'))];
}

// networking/validation ValidateIngressSpec: `defaultBackend` or at least one rule.
function ingressErrors(spec: Json | undefined): FieldError[] {
  const rules = child(spec, 'rules');
  if (child(spec, 'defaultBackend') !== undefined || (Array.isArray(rules) && rules.length > 0)) return [];
  return [{ field: 'spec.rules', type: 'FieldValueRequired', detail: 'Required value: either `defaultBackend` or `rules` must be specified' }];
}

// admissionregistration/validation: every v1 webhook names its side effects and review versions.
function webhookConfigurationErrors(object: KubernetesObject): FieldError[] {
  const webhooks = object['webhooks'] as Json | undefined;
  if (!Array.isArray(webhooks)) return [];
  return webhooks.flatMap((webhook, i) => [
    ...required(`webhooks[${i}].name`, child(webhook, 'name')),
    ...enumError(`webhooks[${i}].sideEffects`, child(webhook, 'sideEffects'), ['None', 'NoneOnDryRun']),
    ...required(`webhooks[${i}].sideEffects`, child(webhook, 'sideEffects')),
    ...required(`webhooks[${i}].admissionReviewVersions`, child(webhook, 'admissionReviewVersions')),
  ]);
}

// Gateway API CRD schemas: `required` of GatewayClassSpec and GatewaySpec.
function gatewayApiErrors(kind: string, spec: Json | undefined): FieldError[] {
  if (spec === undefined) return required('spec', spec);
  if (kind === 'GatewayClass') return required('spec.controllerName', child(spec, 'controllerName'));
  if (kind === 'Gateway') return [...required('spec.gatewayClassName', child(spec, 'gatewayClassName')), ...required('spec.listeners', child(spec, 'listeners'))];
  return [];
}

// prometheus-engine's CRDs: a scrape config needs its selector and endpoints, each endpoint its port.
function scrapeConfigErrors(spec: Json | undefined): FieldError[] {
  if (spec === undefined) return required('spec', spec);
  const endpoints = child(spec, 'endpoints');
  const errors = [...required('spec.selector', child(spec, 'selector')), ...required('spec.endpoints', endpoints)];
  if (Array.isArray(endpoints)) endpoints.forEach((endpoint, i) => errors.push(...required(`spec.endpoints[${i}].port`, child(endpoint, 'port'))));
  return errors;
}

// aws-load-balancer-controller's TargetGroupBinding schema: `spec.serviceRef` with its name and port; targetType an enum.
function targetGroupBindingErrors(spec: Json | undefined): FieldError[] {
  if (spec === undefined) return required('spec', spec);
  const ref = child(spec, 'serviceRef');
  return [
    ...required('spec.serviceRef', ref),
    ...(ref === undefined ? [] : [...required('spec.serviceRef.name', child(ref, 'name')), ...required('spec.serviceRef.port', child(ref, 'port'))]),
    ...enumError('spec.targetType', child(spec, 'targetType'), ['instance', 'ip']),
  ];
}

// trust-manager's Bundle schema: `spec.sources`, at least one.
function bundleErrors(spec: Json | undefined): FieldError[] {
  if (spec === undefined) return required('spec', spec);
  const sources = child(spec, 'sources');
  if (Array.isArray(sources) && sources.length === 0) return [{ field: 'spec.sources', type: 'FieldValueInvalid', detail: 'Invalid value: 0: spec.sources in body should have at least 1 items' }];
  return required('spec.sources', sources);
}

// apps/v1 validation: a selector is required and must select the pod template's labels.
function workloadErrors(spec: Json | undefined): FieldError[] {
  const selector = child(spec, 'selector');
  if (selector === undefined) return [{ field: 'spec.selector', type: 'FieldValueRequired', detail: 'Required value' }];
  const matchLabels = child(selector, 'matchLabels');
  const templateLabels = child(child(child(spec, 'template'), 'metadata'), 'labels');
  if (isJsonObject(matchLabels)) {
    const labels = isJsonObject(templateLabels) ? templateLabels : {};
    if (Object.entries(matchLabels).some(([key, value]) => labels[key] !== value)) {
      return [{ field: 'spec.template.metadata.labels', type: 'FieldValueInvalid', detail: `Invalid value: ${JSON.stringify(labels)}: \`selector\` does not match template \`labels\`` }];
    }
  }
  return [];
}

/** Field errors for an object about to be stored; empty when the object is valid. */
export function validateObject(resource: ResourceType, object: KubernetesObject): FieldError[] {
  const errors = nameErrors(resource, object.metadata.name ?? '');
  const spec = object['spec'] as Json | undefined;
  switch (resource.kind) {
    case 'PeerAuthentication':
      errors.push(...peerAuthenticationErrors(spec));
      break;
    case 'DestinationRule':
      errors.push(...destinationRuleErrors(spec));
      break;
    case 'ServiceEntry':
      errors.push(...serviceEntryErrors(spec));
      break;
    case 'Certificate':
      errors.push(...certificateErrors(spec));
      break;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
      errors.push(...workloadErrors(spec));
      break;
    case 'Ingress':
      errors.push(...ingressErrors(spec));
      break;
    case 'IngressClass':
      errors.push(...required('spec.controller', child(spec, 'controller')));
      break;
    case 'MutatingWebhookConfiguration':
      errors.push(...webhookConfigurationErrors(object));
      break;
    case 'GatewayClass':
    case 'Gateway':
      errors.push(...gatewayApiErrors(resource.kind, spec));
      break;
    case 'PodMonitoring':
    case 'ClusterPodMonitoring':
      errors.push(...scrapeConfigErrors(spec));
      break;
    case 'TargetGroupBinding':
      errors.push(...targetGroupBindingErrors(spec));
      break;
    case 'Bundle':
      errors.push(...bundleErrors(spec));
      break;
  }
  return errors;
}
