/**
 * The few Block Kit shapes meshgov sends, typed here so the message builders stay pure data
 * (no SDK import). Field names and limits: Slack "Block Kit reference" (docs.slack.dev
 * /reference/block-kit/blocks, /reference/block-kit/composition-objects).
 */

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
  verbatim?: boolean;
}

/**
 * A confirmation dialog on a button: title ≤ 100, text ≤ 300, confirm/deny ≤ 30 characters.
 * Every field is plain_text (docs.slack.dev confirmation dialog object): nothing in it is
 * parsed, so names need no escaping there, only cutting.
 */
export interface ConfirmDialog {
  title: PlainText;
  text: PlainText;
  confirm: PlainText;
  deny: PlainText;
  style?: 'primary' | 'danger';
}

/** A button: text ≤ 75, value ≤ 2000, action_id ≤ 255 characters. */
export interface Button {
  type: 'button';
  action_id: string;
  text: PlainText;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmDialog;
}

export interface HeaderBlock {
  type: 'header';
  block_id?: string;
  /** ≤ 150 characters. */
  text: PlainText;
}

export interface SectionBlock {
  type: 'section';
  block_id?: string;
  /** ≤ 3000 characters. */
  text: Mrkdwn;
}

export interface ContextBlock {
  type: 'context';
  block_id?: string;
  /** ≤ 10 elements. */
  elements: Mrkdwn[];
}

export interface ActionsBlock {
  type: 'actions';
  block_id?: string;
  elements: Button[];
}

export interface DividerBlock {
  type: 'divider';
}

export type Block = HeaderBlock | SectionBlock | ContextBlock | ActionsBlock | DividerBlock;

/** A message: Block Kit blocks, and the plain `text` Slack shows in notifications and where blocks cannot be drawn. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/**
 * Slack's limits (Block Kit reference; chat.postMessage for `text`: 40,000 accepted, 4,000
 * recommended). `contextText` is the mrkdwn text object's own limit.
 */
export const LIMITS = {
  header: 150,
  section: 3000,
  contextText: 3000,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  blocks: 50,
  fallbackText: 4000,
} as const;
