/** A time bound of the API: epoch milliseconds, or an ISO 8601 date or time (UTC unless it says otherwise). */
export function parseTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  const time = Date.parse(/T.*(Z|[+-]\d{2}:?\d{2})$/.test(text) || !text.includes('T') ? text : `${text}Z`);
  if (Number.isNaN(time))
    throw Object.assign(new Error(`not a time: ${text} (epoch ms or ISO 8601)`), { statusCode: 400 });
  return time;
}
