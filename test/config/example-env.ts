/** What the shipped example configurations read from the environment (distinct values, so a leak is visible). */
export const EXAMPLE_ENV = {
  BINANCE_API_KEY: 'example-binance-key-1234',
  BINANCE_SECRET_KEY: 'example-binance-secret-5678',
  QM_PG_PASSWORD: 'example-pg-password',
  QM_REDIS_PASSWORD: 'example-redis-password',
  QM_WEB_API_KEY: 'example-web-api-key',
};
