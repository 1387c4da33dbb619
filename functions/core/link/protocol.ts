/**
 * The hub–agent link, version 1: what a signed request carries and how long it stays valid.
 *
 * The scheme follows Slack's and Stripe's request signing (an HMAC-SHA256 over a version tag,
 * a timestamp and the raw body, checked within a five-minute window), plus a random nonce in
 * the signed string so that a captured request cannot be replayed inside that window.
 */

export const TIMESTAMP_HEADER = 'x-meshgov-timestamp';
export const NONCE_HEADER = 'x-meshgov-nonce';
export const SIGNATURE_HEADER = 'x-meshgov-signature';

/** The version tag: the signature header starts with `v1=`, the signed string with `v1:`. */
export const SIGNATURE_VERSION = 'v1';

/** A request is accepted only when its timestamp is within this many seconds of the receiver's clock, either way. */
export const REPLAY_WINDOW_SECONDS = 300;

/** The headers a signed request carries (lower-case, as Node and Express expose them). A type, not an interface, so it spreads into any header record. */
export type SignedHeaders = {
  [TIMESTAMP_HEADER]: string;
  [NONCE_HEADER]: string;
  [SIGNATURE_HEADER]: string;
};

/** Nonces are 128 random bits in hex from signRequest; a caller-chosen nonce must look alike (16 to 128 URL-safe characters). */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/** Unix seconds, digits only: no sign, no fraction, no exponent. */
export const TIMESTAMP_PATTERN = /^[0-9]{1,12}$/;
