import { forgetAffinity } from "../../files/affinity-store";
import { fileNameOfId } from "../../files/names";
import { TranslationError } from "../../openai/errors";
import type { FrontDoor } from "../front-door";
import { googleFailure } from "../google-errors";
import { acceptJsonReply, ownedRow } from "./owned-resource";

type FileMethod = "get" | "delete";

interface FileCall {
  name: string;
}

/**
 * GET and DELETE /v1beta/files/{id}: on the key the file was uploaded with (key_affinity), as
 * Google answers; a deleted file is forgotten. The Files API uses no model and no quota.
 */
export function fileDoor(method: FileMethod, id: string): FrontDoor<FileCall, Record<string, unknown>> {
  return {
    endpoint: () => `native:files.${method}`,
    renderFailure: googleFailure,
    async parse() {
      const name = fileNameOfId(id);
      if (!name) throw new TranslationError(`files/${id.slice(0, 100)} is not a valid file name.`, { status: 404, code: "file_not_found" });
      return { name };
    },
    modelId: () => null,
    streamed: () => false,
    charges: () => false,

    async prepare(call, _model, deps) {
      const row = await ownedRow(call.name, deps);
      return { path: call.name, method: method === "get" ? "GET" : "DELETE", body: undefined, keyId: row.geminiKeyId, pinnedBy: call.name };
    },
    accept: (response) => acceptJsonReply(response),
    async answer(reply, call, { deps }) {
      if (method === "delete") await forgetAffinity(deps.env.DB, call.name);
      return { kind: "json", body: reply, end: { status: 200, outcome: "ok" } };
    },
  };
}
