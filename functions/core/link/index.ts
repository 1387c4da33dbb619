/**
 * The signed link between the hub (AWS) and the agent (GCP): HMAC-SHA256 over version,
 * timestamp, nonce and raw body; a five-minute window either way; replay protection by nonce.
 * Pure: node:crypto only, no cloud SDK.
 */
export { signRequest } from './sign-request';
export { verifyRequest, type IncomingHeaders, type LinkRejectionReason, type LinkVerification } from './verify-request';
export { MemoryNonceStore, type MemoryNonceStoreOptions, type NonceStore } from './nonce-store';
export { computeSignature } from './signature';
export { NONCE_HEADER, REPLAY_WINDOW_SECONDS, SIGNATURE_HEADER, SIGNATURE_VERSION, TIMESTAMP_HEADER, type SignedHeaders } from './protocol';
export type { AgentIdentity, AgentReport, ExecuteRequest, ExecuteResponse, ObservedIstioChange, ObservedIstioKind, ObservedIstioObject, ObservedIstioVerb } from './messages';
export { OBSERVED_ISTIO_KINDS, OBSERVED_ISTIO_VERBS } from './messages';
export { checkObservedChange } from './observed-change-shape';
