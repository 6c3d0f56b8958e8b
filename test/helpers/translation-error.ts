import { TranslationError } from "../../src/openai/errors";

/** The TranslationError a call throws (fails the test when it throws nothing or something else). */
export function translationError(run: () => unknown): TranslationError {
  try {
    run();
  } catch (error) {
    if (error instanceof TranslationError) return error;
    throw error;
  }
  throw new Error("expected a TranslationError, nothing was thrown");
}

/** The TranslationError an async call rejects with. */
export async function rejectedTranslationError(run: () => Promise<unknown>): Promise<TranslationError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof TranslationError) return error;
    throw error;
  }
  throw new Error("expected a TranslationError, the call resolved");
}
