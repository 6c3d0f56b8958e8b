import type { Env } from "../env";

export const MIN_PASSWORD_LENGTH = 12;
export const MIN_SESSION_SECRET_LENGTH = 32;

// Values people leave in place from examples and templates, compared without case and
// punctuation ("Change-Me!" is "changeme").
const PLACEHOLDER = /^(changeme|changethis|replaceme|replacewith|yourpassword|youradminpassword|yoursecret|yoursessionsecret|placeholder|example)/;
const ONLY_OBVIOUS = /^(password|admin|secret|default|letmein|qwerty|0123456789|123456789)+\d*$/;

export interface AdminSecrets {
  password: string;
  sessionSecret: string;
}

export type SecretsCheck = { ok: true; secrets: AdminSecrets } | { ok: false; reason: string };

/**
 * Admin login stays closed until both secrets are set and strong: a Deploy-button install
 * that accepted an empty or example value must not open the panel to anyone guessing it.
 */
export function checkAdminSecrets(env: Pick<Env, "ADMIN_PASSWORD" | "SESSION_SECRET_KEY">): SecretsCheck {
  const password = env.ADMIN_PASSWORD ?? "";
  const sessionSecret = env.SESSION_SECRET_KEY ?? "";
  if (password === "") return refuse("ADMIN_PASSWORD is not set");
  if (password.length < MIN_PASSWORD_LENGTH) {
    return refuse(`ADMIN_PASSWORD is too short (at least ${MIN_PASSWORD_LENGTH} characters)`);
  }
  if (looksLikePlaceholder(password)) return refuse("ADMIN_PASSWORD is a placeholder value");
  if (sessionSecret === "") return refuse("SESSION_SECRET_KEY is not set");
  if (sessionSecret.length < MIN_SESSION_SECRET_LENGTH) {
    return refuse(`SESSION_SECRET_KEY is too short (at least ${MIN_SESSION_SECRET_LENGTH} characters)`);
  }
  if (looksLikePlaceholder(sessionSecret)) return refuse("SESSION_SECRET_KEY is a placeholder value");
  return { ok: true, secrets: { password, sessionSecret } };
}

function looksLikePlaceholder(value: string): boolean {
  const folded = value.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (new Set(folded).size <= 2) return true;
  return PLACEHOLDER.test(folded) || ONLY_OBVIOUS.test(folded);
}

function refuse(problem: string): SecretsCheck {
  return {
    ok: false,
    reason: `Admin login is disabled: ${problem}. Set it with \`npx wrangler secret put\` (or in .dev.vars locally).`,
  };
}
