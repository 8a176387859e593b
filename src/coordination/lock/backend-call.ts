/** Every failure of a backend call surfaces as one typed error that names the backend and keeps the cause. */
import { LockBackendUnavailableError } from './errors.js';

export async function callBackend<T>(backend: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new LockBackendUnavailableError(backend, { cause: error });
  }
}
