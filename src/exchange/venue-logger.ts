/**
 * The logging the venue adapters need: structured warnings (a pino logger fits). Fields never carry
 * secrets.
 */
export interface VenueLogger {
  warn(fields: Readonly<Record<string, unknown>>, message: string): void;
}

/** Drops everything: for callers that do not log. */
export const SILENT_VENUE_LOGGER: VenueLogger = { warn: () => undefined };
