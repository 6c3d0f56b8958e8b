// Google measures grounding segments in UTF-8 bytes of the answer text; OpenAI annotations count
// UTF-16 code units of `content`. This index maps one to the other while the answer is appended
// piece by piece. It keeps the text of non-ASCII pieces only, where bytes and chars differ.

interface Piece {
  byteStart: number;
  byteLength: number;
  charStart: number;
  /** kept only when the piece is not pure ASCII */
  text?: string;
}

const ASCII = /^[\x00-\x7f]*$/;

function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

export class TextOffsets {
  private readonly pieces: Piece[] = [];
  private bytes = 0;

  /** Records `text`, which starts at UTF-16 offset `charStart` of the content. */
  append(text: string, charStart: number): void {
    if (text === "") return;
    const ascii = ASCII.test(text);
    const byteLength = ascii ? text.length : utf8Length(text);
    const piece: Piece = { byteStart: this.bytes, byteLength, charStart };
    if (!ascii) piece.text = text;
    this.pieces.push(piece);
    this.bytes += byteLength;
  }

  /**
   * UTF-8 byte offset in the answer text -> UTF-16 offset in the content. At a boundary between
   * two pieces (where the content may hold other text, e.g. a code block, in between) a start
   * offset belongs to the next piece and an end offset to the previous one.
   */
  charOffset(byteOffset: number, edge: "start" | "end" = "start"): number {
    let piece: Piece | undefined;
    for (const candidate of this.pieces) {
      const after = edge === "start" ? candidate.byteStart > byteOffset : candidate.byteStart >= byteOffset;
      if (after) break;
      piece = candidate;
    }
    if (!piece) return 0;
    const within = Math.min(byteOffset - piece.byteStart, piece.byteLength);
    if (piece.text === undefined) return piece.charStart + within;
    let bytes = 0;
    let chars = 0;
    for (const char of piece.text) {
      if (bytes >= within) break;
      bytes += utf8Length(char);
      chars += char.length;
    }
    return piece.charStart + chars;
  }
}
