/**
 * What Slack would refuse or garble in a message, as a list of problems (empty when fine).
 * Limits from the Block Kit reference (blocks, composition objects) and chat.postMessage:
 * 50 blocks; header plain_text 150; section text 3000, fields 10 × 2000; context 10 elements;
 * button text 75, value 2000, action_id 255; confirm dialog title 100, text 300, buttons 30,
 * all plain_text; block_id 255; `text` 4,000 (Slack truncates at 40,000, recommends 4,000).
 * mrkdwn must also be well formed: `&` only in `&amp;` `&lt;` `&gt;`, `<` only opening our
 * links and mentions, code spans closed on their line, no half of a surrogate pair.
 */
export interface MessageLike {
  text?: string;
  blocks?: unknown[];
}

export function blockKitProblems(message: MessageLike): string[] {
  const problems: string[] = [];
  const say = (where: string, what: string) => problems.push(`${where}: ${what}`);
  if (!message.text) say('text', 'missing fallback text');
  else {
    if (message.text.length > 4000) say('text', `${message.text.length} characters > 4000`);
    mrkdwnProblems(message.text).forEach((p) => say('text', p));
  }
  const blocks = (message.blocks ?? []) as Array<Record<string, any>>;
  if (blocks.length > 50) say('blocks', `${blocks.length} > 50`);
  blocks.forEach((block, i) => blockProblems(block).forEach((p) => say(`blocks[${i}] ${block.type}`, p)));
  return problems;
}

function blockProblems(block: Record<string, any>): string[] {
  const out: string[] = [];
  if (typeof block.block_id === 'string' && block.block_id.length > 255) out.push('block_id > 255');
  if (block.type === 'header') out.push(...textProblems(block.text, 150, 'plain_text'));
  if (block.type === 'section') {
    if (block.text) out.push(...textProblems(block.text, 3000));
    if (block.fields) {
      if (block.fields.length > 10) out.push(`${block.fields.length} fields > 10`);
      for (const f of block.fields) out.push(...textProblems(f, 2000));
    }
  }
  if (block.type === 'context') {
    if (block.elements.length > 10) out.push(`${block.elements.length} elements > 10`);
    for (const e of block.elements) out.push(...textProblems(e, 3000));
  }
  if (block.type === 'actions') for (const b of block.elements) out.push(...buttonProblems(b));
  return out;
}

function buttonProblems(button: Record<string, any>): string[] {
  const out = textProblems(button.text, 75, 'plain_text');
  if (typeof button.value === 'string' && button.value.length > 2000) out.push('button value > 2000');
  if (typeof button.action_id !== 'string' || button.action_id.length > 255) out.push('action_id missing or > 255');
  const c = button.confirm;
  if (c) {
    out.push(...textProblems(c.title, 100, 'plain_text').map((p) => `confirm title ${p}`));
    out.push(...textProblems(c.text, 300, 'plain_text').map((p) => `confirm text ${p}`));
    out.push(...textProblems(c.confirm, 30, 'plain_text').map((p) => `confirm button ${p}`));
    out.push(...textProblems(c.deny, 30, 'plain_text').map((p) => `deny button ${p}`));
  }
  return out;
}

function textProblems(obj: Record<string, any> | undefined, max: number, only?: 'plain_text'): string[] {
  if (!obj || typeof obj.text !== 'string' || obj.text.length === 0) return ['empty or missing text object'];
  const out: string[] = [];
  if (only && obj.type !== only) out.push(`must be ${only}, is ${obj.type}`);
  if (obj.text.length > max) out.push(`${obj.text.length} characters > ${max}`);
  if (obj.type === 'mrkdwn') out.push(...mrkdwnProblems(obj.text));
  else if (hasLoneSurrogate(obj.text)) out.push('half a surrogate pair');
  return out;
}

/** The malformed mrkdwn a cut or a missing escape leaves behind. */
export function mrkdwnProblems(text: string): string[] {
  const out: string[] = [];
  const bareAmp = /&(?!amp;|lt;|gt;)/.exec(text);
  if (bareAmp) out.push(`bare or broken entity at ${bareAmp.index}: ${JSON.stringify(text.slice(bareAmp.index, bareAmp.index + 8))}`);
  const withoutTokens = text.replace(/<(?:https?:\/\/[^<>|\s]+\|[^<>]+|@[UW][A-Z0-9]+)>/g, '');
  if (/[<>]/.test(withoutTokens)) out.push(`raw < or > outside a link or mention: ${JSON.stringify(withoutTokens.slice(Math.max(0, withoutTokens.search(/[<>]/) - 20), withoutTokens.search(/[<>]/) + 20))}`);
  text.split('\n').forEach((line, i) => {
    if ((line.match(/`/g) ?? []).length % 2 !== 0) out.push(`unclosed code span on line ${i + 1}`);
  });
  if (hasLoneSurrogate(text)) out.push('half a surrogate pair');
  return out;
}

function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/**
 * True when `mrkdwn` shows `word` as it is: inside a code span (where Slack applies no
 * formatting), so `_internal_` is not italicised and `*.example.com` does not start a bold.
 */
export function shownVerbatim(mrkdwn: string, word: string): boolean {
  const spans = mrkdwn.match(/`[^`\n]*`/g) ?? [];
  return spans.some((s) => s.includes(word));
}
