import type { Content, Part, Role } from "./types";

/**
 * Gemini's `contents` built turn by turn: a turn whose role repeats the previous one is merged
 * into it, since Gemini wants user and model turns alternating. Every front door's history uses it.
 */
export class ContentsBuilder {
  readonly contents: Content[] = [];

  push(role: Role, parts: Part[]): void {
    if (parts.length === 0) return;
    const last = this.contents.at(-1);
    if (last?.role === role && last.parts) last.parts.push(...parts);
    else this.contents.push({ role, parts });
  }
}
