/** One configured model as OpenAI's `GET /v1/models/{id}` shows it. */
export function toOpenAIModel(id: string, created: number): object {
  return { id, object: "model", created, owned_by: "google" };
}

export function toOpenAIModelList(ids: string[], created: number): object {
  return { object: "list", data: ids.map((id) => toOpenAIModel(id, created)) };
}
