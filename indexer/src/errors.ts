/**
 * Errors of the indexer. Retryable ones (an RPC node or the database that is down, slow or
 * answering nonsense) are retried with backoff and never lose or duplicate anything, because every
 * write is one transaction with its checkpoint. Non-retryable ones (bad configuration, the wrong
 * chain) stop the process with one clear line.
 */
export class BaseError extends Error {
  override name = "IndexerError";
  readonly shortMessage: string;

  constructor(shortMessage: string, options: { cause?: unknown; details?: string } = {}) {
    super(options.details ? `${shortMessage}\n${options.details}` : shortMessage, { cause: options.cause });
    this.shortMessage = shortMessage;
  }
}

/** Worth trying again: the node or database may answer next time. */
export class RetryableError extends BaseError {
  override name = "RetryableError";
}

/** The node said the request covers too much (too many logs, too wide a range): split it. */
export class RangeTooLargeError extends RetryableError {
  override name = "RangeTooLargeError";
}

/**
 * The node has no block of that number (any more): the chain got shorter since its head was read.
 * Asking again for the same block cannot help; reading the head again does.
 */
export class BlockNotFoundError extends RetryableError {
  override name = "BlockNotFoundError";
}

/** Bad configuration or a wrong chain: retrying cannot help. */
export class ConfigError extends BaseError {
  override name = "ConfigError";
}

/** Whether `error` (or what caused it) is worth retrying. Unknown errors are not. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof RetryableError) return true;
  if (error instanceof BaseError) return false;
  const code = (error as { code?: string })?.code;
  // postgres: connection-level failures (server restart, network), admin shutdown, too many clients.
  return (
    code === "ECONNREFUSED" ||
    code === "ECONNRESET" ||
    code === "EPIPE" ||
    code === "ETIMEDOUT" ||
    code === "CONNECTION_CLOSED" ||
    code === "CONNECTION_ENDED" ||
    code === "CONNECTION_DESTROYED" ||
    code === "CONNECT_TIMEOUT" ||
    code === "57014" || // canceled: a statement_timeout, or pg_cancel_backend
    code === "25P03" || // idle_in_transaction_session_timeout
    code === "40001" ||
    code === "40P01" ||
    code === "57P01" ||
    code === "57P02" ||
    code === "57P03" ||
    code === "53300" ||
    code === "08006" ||
    code === "08001" ||
    code === "08003"
  );
}

/** Runs `attempt` until it succeeds or fails with a non-retryable error, backing off. */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  options: {
    signal?: AbortSignal;
    onRetry?: (error: unknown, delayMs: number) => void;
    maxDelayMs?: number;
    /** Narrows isRetryable: a retryable error this refuses goes to the caller at once. */
    retryIf?: (error: unknown) => boolean;
  } = {},
): Promise<T> {
  let delay = 100;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetryable(error) || options.retryIf?.(error) === false || options.signal?.aborted) throw error;
      options.onRetry?.(error, delay);
      await sleep(delay, options.signal);
      delay = Math.min(delay * 2, options.maxDelayMs ?? 10_000);
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}
