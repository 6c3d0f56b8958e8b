#!/usr/bin/env node
// Seeds a running local instance through the admin API (the same calls the panel makes).
//   npm run seed -- --gemini-key AIza... [--gemini-key ...] [--model gemini-2.5-flash:flash]
//                   [--client-name my-app] [--url http://127.0.0.1:8787]
// The target is --url, else http://127.0.0.1:$PORT, else http://127.0.0.1:8787.
// The admin password comes from .dev.vars (or ADMIN_PASSWORD in the environment).
// Prints the new client key once.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    url: { type: "string", default: `http://127.0.0.1:${process.env.PORT || "8787"}` },
    "gemini-key": { type: "string", multiple: true, default: [] },
    model: { type: "string", multiple: true, default: [] },
    "client-name": { type: "string" },
  },
});

function adminPassword() {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD;
  const file = path.join(root, ".dev.vars");
  if (!existsSync(file)) throw new Error("No .dev.vars: run `npm start` once first, or set ADMIN_PASSWORD.");
  const match = /^ADMIN_PASSWORD\s*=\s*"?([^"\n]*)"?/m.exec(readFileSync(file, "utf8"));
  if (!match) throw new Error(".dev.vars has no ADMIN_PASSWORD.");
  return match[1];
}

const base = values.url.replace(/\/$/, "");
const origin = new URL(base).origin;
let cookie = "";

async function call(method, route, body) {
  const response = await fetch(base + route, {
    method,
    headers: { "content-type": "application/json", origin, cookie },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
  const setCookie = response.headers.get("set-cookie");
  if (setCookie) cookie = setCookie.split(";")[0];
  return text ? JSON.parse(text) : null;
}

try {
  await call("POST", "/api/auth/login", { password: adminPassword() });
  if (values["gemini-key"].length > 0) {
    const added = await call("POST", "/api/admin/gemini-keys", { keys: values["gemini-key"] });
    console.log(`Gemini keys: added ${added.added.length}, duplicates ${added.duplicates}, malformed ${added.malformed}`);
  }
  for (const spec of values.model) {
    const [id, category = id.includes("pro") ? "pro" : id.includes("flash") ? "flash" : "custom"] = spec.split(":");
    await call("POST", "/api/admin/models", { id, category });
    console.log(`Model ${id} (${category}) added`);
  }
  if (values["client-name"]) {
    const created = await call("POST", "/api/admin/worker-keys", { name: values["client-name"] });
    console.log(`Client key for "${created.name}" (shown once): ${created.key}`);
  }
} catch (error) {
  console.error(String(error.message ?? error));
  process.exit(1);
}
