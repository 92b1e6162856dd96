/** The ApiError a call was expected to fail with (anything else, or success, fails the test). */
import { ApiError } from '../../core/errors.js';

/** Awaits `call` and returns the ApiError it rejected with; throws when it succeeded or failed otherwise. */
export async function apiFailure(call: Promise<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected the call to fail with an ApiError');
}
