import type { GroundingMetadata } from "../gemini/types";
import type { TextOffsets } from "./text-offsets";

export interface UrlCitation {
  type: "url_citation";
  url_citation: { url: string; title: string; start_index: number; end_index: number };
}

/**
 * Google Search grounding -> OpenAI `url_citation` annotations: one per (supported segment,
 * source) pair, with the segment's byte range turned into content character offsets. Sources no
 * segment points at are still listed, with an empty range at 0, so no source is lost.
 */
export function citationsFrom(grounding: GroundingMetadata | undefined, offsets: TextOffsets): UrlCitation[] {
  const chunks = grounding?.groundingChunks ?? [];
  if (chunks.length === 0) return [];
  const cite = (chunkIndex: number, start: number, end: number): UrlCitation | null => {
    const web = chunks[chunkIndex]?.web;
    if (!web?.uri) return null;
    return { type: "url_citation", url_citation: { url: web.uri, title: web.title ?? web.uri, start_index: start, end_index: end } };
  };

  const citations: UrlCitation[] = [];
  const cited = new Set<number>();
  for (const support of grounding?.groundingSupports ?? []) {
    const start = offsets.charOffset(support.segment?.startIndex ?? 0);
    const end = offsets.charOffset(support.segment?.endIndex ?? 0, "end");
    for (const chunkIndex of support.groundingChunkIndices ?? []) {
      const citation = cite(chunkIndex, start, end);
      if (!citation) continue;
      citations.push(citation);
      cited.add(chunkIndex);
    }
  }
  chunks.forEach((_, chunkIndex) => {
    if (cited.has(chunkIndex)) return;
    const citation = cite(chunkIndex, 0, 0);
    if (citation) citations.push(citation);
  });
  return citations;
}
