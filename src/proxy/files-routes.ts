import { Hono } from "hono";
import { listAffinities, type AffinityRow } from "../files/affinity-store";
import { callDeps } from "./call-deps";
import { runCall } from "./call-pipeline";
import type { ProxyEnv } from "./client-auth";
import { cachedContentCreateDoor, cachedContentDoor } from "./doors/cached-contents";
import { fileDoor } from "./doors/files";
import { uploadDoor } from "./doors/upload";
import { googleStyleRoutes, unknownEndpoint } from "./google-routes";

/**
 * /v1beta/files and /v1beta/cachedContents (mounted by src/proxy/native.ts, behind its client
 * auth): each file or cache on the key that made it. The lists come from D1, this client's
 * own only, without a call to Google.
 */
export const filesRoutes = new Hono<ProxyEnv>();

filesRoutes.get("/files", async (c) => {
  const rows = await listAffinities(c.env.DB, c.get("clientKey").id, "file", c.get("receivedAt"));
  return c.json({ files: rows.map(describeFile) });
});
filesRoutes.get("/files/:id", (c) => runCall(fileDoor("get", c.req.param("id")), c.req.raw, callDeps(c)));
filesRoutes.delete("/files/:id", (c) => runCall(fileDoor("delete", c.req.param("id")), c.req.raw, callDeps(c)));

filesRoutes.post("/cachedContents", (c) => runCall(cachedContentCreateDoor, c.req.raw, callDeps(c)));
filesRoutes.get("/cachedContents", async (c) => {
  const rows = await listAffinities(c.env.DB, c.get("clientKey").id, "cache", c.get("receivedAt"));
  return c.json({ cachedContents: rows.map(describeCache) });
});
filesRoutes.get("/cachedContents/:id", (c) => runCall(cachedContentDoor("get", c.req.param("id")), c.req.raw, callDeps(c)));
filesRoutes.patch("/cachedContents/:id", (c) => runCall(cachedContentDoor("patch", c.req.param("id")), c.req.raw, callDeps(c)));
filesRoutes.delete("/cachedContents/:id", (c) => runCall(cachedContentDoor("delete", c.req.param("id")), c.req.raw, callDeps(c)));

/** POST /upload/v1beta/files: resumable uploads through the pool (src/proxy/doors/upload.ts). */
export const uploadRoutes = googleStyleRoutes();

uploadRoutes.post("/", (c) => runCall(uploadDoor, c.req.raw, callDeps(c)));
uploadRoutes.all("*", unknownEndpoint);

/** A file as Google lists it, from what D1 keeps (display names and hashes are Google's to tell: GET the file). */
function describeFile(row: AffinityRow): object {
  return {
    name: row.name,
    ...(row.mimeType ? { mimeType: row.mimeType } : {}),
    ...(row.sizeBytes !== null ? { sizeBytes: String(row.sizeBytes) } : {}),
    createTime: new Date(row.createdAt).toISOString(),
    expirationTime: new Date(row.expiresAt).toISOString(),
    ...(row.uri ? { uri: row.uri } : {}),
    state: "ACTIVE",
  };
}

function describeCache(row: AffinityRow): object {
  return { name: row.name, createTime: new Date(row.createdAt).toISOString(), expireTime: new Date(row.expiresAt).toISOString() };
}
