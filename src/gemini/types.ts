// Gemini REST v1beta shapes (generativelanguage API, JSON field names in camelCase).
// Only the fields this proxy reads or writes are typed; Google adds fields freely, so every
// response type tolerates unknown keys and every field Google may omit is optional.

export type Role = "user" | "model";

export interface Blob {
  mimeType: string;
  /** base64 */
  data: string;
}

export interface FileData {
  mimeType?: string;
  fileUri: string;
}

/** One piece of a function-call argument streamed by Vertex-style `streamFunctionCallArguments`. */
export interface PartialArg {
  /** JSON path inside `args`, e.g. `$.location` or `$.items[0].name` */
  jsonPath: string;
  stringValue?: string;
  numberValue?: number;
  boolValue?: boolean;
  nullValue?: null | "NULL_VALUE";
  willContinue?: boolean;
}

export interface FunctionCall {
  id?: string;
  /** absent on the continuation events of a streamed call */
  name?: string;
  args?: Record<string, unknown>;
  partialArgs?: PartialArg[];
  willContinue?: boolean;
}

export interface FunctionResponse {
  id?: string;
  name: string;
  response: Record<string, unknown>;
}

export interface ExecutableCode {
  language?: string;
  code: string;
}

export interface CodeExecutionResult {
  outcome?: string;
  output?: string;
}

export interface Part {
  text?: string;
  /** true on thought-summary parts */
  thought?: boolean;
  thoughtSignature?: string;
  inlineData?: Blob;
  fileData?: FileData;
  functionCall?: FunctionCall;
  functionResponse?: FunctionResponse;
  executableCode?: ExecutableCode;
  codeExecutionResult?: CodeExecutionResult;
}

export interface Content {
  role?: Role;
  parts?: Part[];
}

export interface FunctionDeclaration {
  name: string;
  description?: string;
  /** native JSON Schema; mutually exclusive with `parameters` (OpenAPI subset) */
  parametersJsonSchema?: unknown;
  parameters?: unknown;
}

export interface Tool {
  functionDeclarations?: FunctionDeclaration[];
  googleSearch?: Record<string, never>;
  codeExecution?: Record<string, never>;
  urlContext?: Record<string, never>;
}

export type FunctionCallingMode = "AUTO" | "ANY" | "NONE" | "VALIDATED";

export interface ToolConfig {
  functionCallingConfig?: {
    mode?: FunctionCallingMode;
    allowedFunctionNames?: string[];
  };
}

export type ThinkingLevel = "minimal" | "low" | "medium" | "high";

export interface ThinkingConfig {
  includeThoughts?: boolean;
  /** Gemini 2.5: token budget (0 = off where allowed, -1 = dynamic). Never together with thinkingLevel. */
  thinkingBudget?: number;
  /** Gemini 3 and later. Never together with thinkingBudget. */
  thinkingLevel?: ThinkingLevel;
}

export interface GenerationConfig {
  temperature?: number;
  topP?: number;
  topK?: number;
  candidateCount?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  /** preferred: native JSON Schema */
  responseJsonSchema?: unknown;
  /** older OpenAPI-subset schema; mutually exclusive with responseJsonSchema */
  responseSchema?: unknown;
  responseModalities?: string[];
  /** image-output models: e.g. `{aspectRatio: "16:9", imageSize: "2K"}` */
  imageConfig?: { aspectRatio?: string; imageSize?: string };
  speechConfig?: { voiceConfig?: { prebuiltVoiceConfig?: { voiceName: string } } };
  thinkingConfig?: ThinkingConfig;
}

export interface SafetySetting {
  category: string;
  threshold: string;
}

export interface GenerateContentRequest {
  contents: Content[];
  systemInstruction?: Content;
  tools?: Tool[];
  toolConfig?: ToolConfig;
  safetySettings?: SafetySetting[];
  generationConfig?: GenerationConfig;
  cachedContent?: string;
}

export interface ModalityTokenCount {
  modality?: string;
  tokenCount?: number;
}

export interface UsageMetadata {
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  candidatesTokenCount?: number;
  toolUsePromptTokenCount?: number;
  thoughtsTokenCount?: number;
  totalTokenCount?: number;
  promptTokensDetails?: ModalityTokenCount[];
  cacheTokensDetails?: ModalityTokenCount[];
  candidatesTokensDetails?: ModalityTokenCount[];
  toolUsePromptTokensDetails?: ModalityTokenCount[];
  serviceTier?: string;
  /** Vertex AI only */
  trafficType?: string;
}

export interface SafetyRating {
  category?: string;
  probability?: string;
  blocked?: boolean;
}

export interface PromptFeedback {
  blockReason?: string;
  safetyRatings?: SafetyRating[];
}

export interface GroundingChunk {
  web?: { uri?: string; title?: string };
}

export interface GroundingSupport {
  segment?: { partIndex?: number; startIndex?: number; endIndex?: number; text?: string };
  groundingChunkIndices?: number[];
  confidenceScores?: number[];
}

export interface GroundingMetadata {
  webSearchQueries?: string[];
  groundingChunks?: GroundingChunk[];
  groundingSupports?: GroundingSupport[];
  searchEntryPoint?: { renderedContent?: string };
}

export interface Candidate {
  content?: Content;
  finishReason?: string;
  finishMessage?: string;
  index?: number;
  safetyRatings?: SafetyRating[];
  groundingMetadata?: GroundingMetadata;
}

/** The body of `generateContent`, and also each event of `streamGenerateContent?alt=sse`. */
export interface GenerateContentResponse {
  candidates?: Candidate[];
  promptFeedback?: PromptFeedback;
  usageMetadata?: UsageMetadata;
  modelVersion?: string;
  responseId?: string;
  /** Vertex AI only */
  createTime?: string;
}

/** `google.rpc.Status` as Google sends it in an error body. */
export interface GoogleErrorDetail {
  "@type"?: string;
  reason?: string;
  domain?: string;
  metadata?: Record<string, string>;
  /** google.rpc.RetryInfo, e.g. "34.4s" */
  retryDelay?: string;
  /** google.rpc.QuotaFailure */
  violations?: { quotaId?: string; quotaMetric?: string; subject?: string; description?: string }[];
  [key: string]: unknown;
}

export interface GoogleErrorBody {
  error: {
    code: number;
    message: string;
    status: string;
    details?: GoogleErrorDetail[];
  };
}

export interface GeminiModel {
  /** "models/gemini-2.5-flash" */
  name: string;
  baseModelId?: string;
  version?: string;
  displayName?: string;
  description?: string;
  inputTokenLimit?: number;
  outputTokenLimit?: number;
  supportedGenerationMethods?: string[];
  thinking?: boolean;
}

export interface ListModelsResponse {
  models?: GeminiModel[];
  nextPageToken?: string;
}

export interface EmbedContentRequest {
  /** "models/<id>" */
  model: string;
  content: Content;
  taskType?: string;
  title?: string;
  outputDimensionality?: number;
}

export interface BatchEmbedContentsRequest {
  requests: EmbedContentRequest[];
}

export interface ContentEmbedding {
  values?: number[];
}

export interface BatchEmbedContentsResponse {
  embeddings?: ContentEmbedding[];
  usageMetadata?: {
    promptTokenCount?: number;
    totalTokenCount?: number;
    promptTokenDetails?: ModalityTokenCount[];
    promptTokensDetails?: ModalityTokenCount[];
  };
}
