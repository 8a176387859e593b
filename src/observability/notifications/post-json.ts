/** One bounded JSON POST for the channels; errors carry the URL's origin only, never its path or query (tokens). */
import { NotificationDeliveryError } from '../errors.js';
import type { Notification } from './notification.js';

export async function postJson(
  channel: string,
  url: string,
  body: unknown,
  timeoutMs: number,
  notification: Notification,
): Promise<void> {
  const endpoint = new URL(url).origin;
  const what = notification.type === 'alert' ? 'alert' : notification.type;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    // The fetch error may carry the full URL: keep only its kind and the system error code.
    throw new NotificationDeliveryError(channel, endpoint, what, failureReason(error, timeoutMs));
  }
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new NotificationDeliveryError(channel, endpoint, what, `HTTP ${response.status}`);
}

function failureReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const code = error instanceof Error ? (error.cause as { code?: unknown } | undefined)?.code : undefined;
  return typeof code === 'string' ? `request failed (${code})` : 'request failed';
}
