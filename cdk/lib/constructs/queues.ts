/**
 * Receives of a message on a queue a Lambda function reads before SQS dead-letters it. AWS
 * recommends at least 5 for Lambda event sources: a throttled invocation also counts as a
 * receive, so a lower count can dead-letter messages that never failed.
 */
export const SQS_SOURCE_MAX_RECEIVE_COUNT = 5;
