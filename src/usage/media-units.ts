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
