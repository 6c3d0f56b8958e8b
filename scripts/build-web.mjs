// Builds the admin panel into web/dist: bundles the two entry points and the stylesheet with
// esbuild, copies the HTML pages and static files. Fails loudly (exit 1) on any error, and
// refuses HTML that the Worker's CSP would break (inline scripts or style attributes).
import { build } from "esbuild";
import { copyFile, mkdir, readFile, readdir, rm } from "node:fs/promises";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const src = path.join(root, "web", "src");
const dist = path.join(root, "web", "dist");

function checkHtmlIsCspSafe(name, html) {
  const problems = [];
  if (/\sstyle\s*=/i.test(html)) problems.push("inline style= attribute");
  for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) {
    if (!/\ssrc\s*=/i.test(tag)) problems.push(`inline script ${tag}`);
  }
  if (/<style\b/i.test(html)) problems.push("inline <style> element");
  if (/\son[a-z]+\s*=/i.test(html)) problems.push("inline event handler attribute");
  if (/(src|href)\s*=\s*["']?(https?:)?\/\//i.test(html)) problems.push("reference to another host");
  if (problems.length) throw new Error(`${name}: ${problems.join(", ")}`);
}

async function main() {
  const started = performance.now();
  await rm(dist, { recursive: true, force: true });
  await mkdir(path.join(dist, "assets"), { recursive: true });

  await build({
    absWorkingDir: root,
    entryPoints: {
      login: "web/src/login.ts",
      admin: "web/src/admin.ts",
      panel: "web/src/styles/panel.css",
    },
    outdir: "web/dist/assets",
    bundle: true,
    minify: true,
    treeShaking: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    sourcemap: false,
    legalComments: "none",
    logLevel: "warning",
  });

  for (const page of await readdir(path.join(src, "pages"))) {
    const html = await readFile(path.join(src, "pages", page), "utf8");
    checkHtmlIsCspSafe(page, html);
    await copyFile(path.join(src, "pages", page), path.join(dist, page));
  }
  for (const file of await readdir(path.join(src, "static"))) {
    await copyFile(path.join(src, "static", file), path.join(dist, file));
  }
  console.log(`web/dist built in ${Math.round(performance.now() - started)} ms`);
}

main().catch((error) => {
  console.error(`build-web failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
