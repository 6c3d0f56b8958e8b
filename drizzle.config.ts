import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/usage/schema.ts",
  out: "./drizzle",
});
