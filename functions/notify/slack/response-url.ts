/**
 * Answers one interaction through its `response_url` (docs.slack.dev "Handling user interaction":
 * valid for 30 minutes and 5 uses; no token, no channel membership needed). `response_type:
 * ephemeral` shows the text to the clicker alone; `replace_original: false` keeps the message.
 */
export async function respondEphemeral(responseUrl: string, text: string, timeoutMs: number): Promise<void> {
  const response = await fetch(responseUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
    // Slack answers in place; a redirect is not Slack.
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) {
    // Slack says why in a short text body (`expired_url`, `used_url`, `no_text`).
    const reason = (await response.text().catch(() => '')).slice(0, 100);
    throw new Error(`response_url answered ${response.status}${reason ? ` ${reason}` : ''}`);
  }
}

/** Slack's hosts for response URLs: the commercial and the GovSlack one. */
const SLACK_HOOK_HOSTS = new Set(['hooks.slack.com', 'hooks.slack-gov.com']);

/**
 * A response_url worth posting to: https to Slack's own hooks host (https://hooks.slack.com/actions/…),
 * or plain http on loopback only, for a local stand-in. The payload is signed, so this only
 * keeps a mistake elsewhere from making the function post a refusal to any host.
 */
export function isResponseUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    if (url.protocol === 'https:') return SLACK_HOOK_HOSTS.has(url.hostname);
    return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}
