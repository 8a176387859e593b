/**
 * Binance request signing: HMAC-SHA256 (hex) of the query string followed by the body, with the
 * `signature` parameter left out, keyed by the API secret. Compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signBinance(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/** Splits `signature` out of the raw query and body; returns the signed payload and the signature. */
export function extractSignature(
  rawQuery: string,
  rawBody: string,
): { payload: string; signature: string | undefined } {
  let signature: string | undefined;
  const strip = (raw: string): string =>
    raw
      .split('&')
      .filter((part) => {
        if (!part.startsWith('signature=')) return true;
        signature = decodeURIComponent(part.slice('signature='.length));
        return false;
      })
      .join('&');
  return { payload: strip(rawQuery) + strip(rawBody), signature };
}

export function signatureMatches(payload: string, signature: string, secret: string): boolean {
  const expected = Buffer.from(signBinance(payload, secret), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
