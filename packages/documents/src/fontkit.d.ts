// fontkit 2 ships no types; pdfkit takes its font objects as they are (PDFFontFactory.open: any object with
// `layout`). Only what tally passes around is declared.
declare module 'fontkit' {
  /** A parsed font (or a face of a collection), opaque here. */
  export interface Font {
    layout(text: string): unknown;
  }
  /** Parses font file bytes; `postscriptName` picks a face of a TrueType collection. */
  export function create(buffer: Uint8Array, postscriptName?: string): Font;
}
