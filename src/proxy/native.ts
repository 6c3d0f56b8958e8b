import { callDeps } from "./call-deps";
import { runCall } from "./call-pipeline";
import { NATIVE_METHODS, nativeDoor, type NativeMethod } from "./doors/native";
import { filesRoutes } from "./files-routes";
import { googleError } from "./google-errors";
import { googleStyleRoutes, unknownEndpoint } from "./google-routes";
import { allowedModel } from "./resolve-model";

/** Gemini's own REST API under /v1beta, served through the same pool, failover and ledger. */
export const nativeRoutes = googleStyleRoutes();

nativeRoutes.get("/models", (c) => {
  const allowed = c.get("clientKey").options.allowedModels;
  const models = c
    .get("config")
    .models.filter((m) => allowed === null || allowed.includes(m.id))
    .map((m) => describeModel(m.id));
  return c.json({ models });
});

nativeRoutes.get("/models/:model{[^:]+}", (c) => {
  const model = allowedModel(c.get("config"), c.get("clientKey"), c.req.param("model"));
  if (!model) return googleError(404, `models/${c.req.param("model")} is not found.`);
  return c.json(describeModel(model.id));
});

nativeRoutes.post("/models/:call{.+}", (c) => {
  const call = c.req.param("call");
  const separator = call.lastIndexOf(":");
  const method = call.slice(separator + 1) as NativeMethod;
  if (separator <= 0 || !NATIVE_METHODS.includes(method)) {
    return googleError(404, `Unknown method ${call}; supported: ${NATIVE_METHODS.join(", ")}.`);
  }
  return runCall(nativeDoor(call.slice(0, separator), method), c.req.raw, callDeps(c));
});

nativeRoutes.route("/", filesRoutes);

nativeRoutes.all("*", unknownEndpoint);

function describeModel(id: string): object {
  const embedding = /embed/i.test(id);
  return {
    name: `models/${id}`,
    baseModelId: id,
    displayName: id,
    supportedGenerationMethods: embedding
      ? ["embedContent", "batchEmbedContents"]
      : ["generateContent", "streamGenerateContent", "countTokens"],
  };
}
