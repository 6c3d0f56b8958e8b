/**
 * What a call made or consumed besides tokens, for the ledger and the charts: images made or
 * edited, audio in or out in milliseconds, characters read aloud, files uploaded and their bytes.
 * A door puts them on its CallEnd; absent figures are 0.
 */
export interface MediaUnits {
  images?: number;
  audioMs?: number;
  speechCharacters?: number;
  files?: number;
  fileBytes?: number;
}

/** Every figure of MediaUnits, as the ledger, the roll-up and the report keep them (0 when absent). */
export type MediaFigures = Required<MediaUnits>;

export const MEDIA_FIGURES = ["images", "audioMs", "speechCharacters", "files", "fileBytes"] as const satisfies readonly (keyof MediaFigures)[];

export const NO_MEDIA: Readonly<MediaFigures> = Object.freeze({ images: 0, audioMs: 0, speechCharacters: 0, files: 0, fileBytes: 0 });
