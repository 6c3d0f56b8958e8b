export type OpenAIErrorBody = {
  error: { message: string; type: string; code: string | null; param: string | null };
};

export function openAIError(
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
): OpenAIErrorBody {
  return { error: { message, type, code, param } };
}

export type TranslationStatus = 400 | 404 | 413;

/** A client mistake found while translating; the route answers it as-is and no key is spent. */
export class TranslationError extends Error {
  override readonly name = "TranslationError";
  readonly status: TranslationStatus;
  readonly type: string;
  readonly code: string;
  readonly param: string | null;

  constructor(
    message: string,
    options: { param?: string | null; code?: string; status?: TranslationStatus; type?: string } = {},
  ) {
    super(message);
    this.status = options.status ?? 400;
    this.type = options.type ?? "invalid_request_error";
    this.code = options.code ?? "invalid_value";
    this.param = options.param ?? null;
  }

  toBody(): OpenAIErrorBody {
    return openAIError(this.message, this.type, this.code, this.param);
  }
}
