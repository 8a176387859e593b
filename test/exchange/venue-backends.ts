/**
 * `QM_TEST_VENUES=sim,ccxt` narrows which Exchange adapters the conformance suite runs against
 * (default: all). A test file whose backend is narrowed away declares no tests.
 */
export function backendEnabled(name: 'sim' | 'ccxt'): boolean {
  const wanted = process.env['QM_TEST_VENUES'];
  return wanted === undefined || wanted.split(',').map((entry) => entry.trim()).includes(name);
}
