import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * The part of PDF.js this file uses. pdfjs-dist's own declarations need the DOM's types
 * (HTMLCanvasElement, …), which a Node project does not load (and `skipLibCheck` is off),
 * so the module is imported by a specifier the compiler does not follow, typed here.
 */
interface PdfJs {
  getDocument(source: { data: Uint8Array; standardFontDataUrl: string; isEvalSupported: boolean }): { promise: Promise<PdfDocument> };
}
interface PdfDocument {
  readonly numPages: number;
  getPage(number: number): Promise<{ getTextContent(): Promise<{ items: readonly TextItem[] }> }>;
  destroy(): Promise<void>;
}
/** A run of text (`str`, `transform` = [a, b, c, d, x, y], `width`), or a marked-content marker without `str`. */
type TextItem = { readonly str: string; readonly transform: readonly number[]; readonly width: number } | { readonly type: string };

const PDFJS: string = 'pdfjs-dist/legacy/build/pdf.mjs';

/** The metrics of the 14 standard PDF fonts (Helvetica, …) that pdfkit's PDFs use without embedding them. */
const standardFontDataUrl = fileURLToPath(new URL('standard_fonts/', import.meta.resolve('pdfjs-dist/package.json')));

/** One piece of text on a page, where the PDF puts it (PDF units, y grows upwards). */
interface Placed {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
}

/** Pieces whose baselines are this close (PDF units) are read as one line. */
const SAME_LINE = 2;

/**
 * The text of a PDF as a reader sees it, read with PDF.js (pdfjs-dist, the engine of
 * Firefox's viewer) so the tests need nothing but npm: each page's lines top to bottom,
 * the pieces of a line left to right with spaces between pieces set apart (table
 * columns stay apart: `Region  Total Sales`), pages separated by a form feed like
 * `pdftotext -layout`.
 */
export async function pdfText(pdf: Buffer | string): Promise<string> {
  const bytes = typeof pdf === 'string' ? await readFile(pdf) : pdf;
  const pdfjs = (await import(PDFJS)) as PdfJs;
  // PDF.js takes ownership of the array it is given (it moves it to its worker); hand it a copy.
  const document = await pdfjs.getDocument({ data: new Uint8Array(bytes), standardFontDataUrl, isEvalSupported: false }).promise;
  try {
    const pages: string[] = [];
    for (let number = 1; number <= document.numPages; number += 1) {
      const page = await document.getPage(number);
      const content = await page.getTextContent();
      const placed = content.items.flatMap((item) =>
        'str' in item && item.str.trim() ? [{ text: item.str, x: item.transform[4]!, y: item.transform[5]!, width: item.width }] : []);
      pages.push(linesOf(placed).join('\n'));
    }
    return pages.join('\n\f');
  } finally {
    await document.destroy();
  }
}

function linesOf(placed: readonly Placed[]): string[] {
  const lines: Placed[][] = [];
  for (const piece of [...placed].sort((a, b) => b.y - a.y || a.x - b.x)) {
    const line = lines.at(-1);
    if (line && Math.abs(line[0]!.y - piece.y) <= SAME_LINE) line.push(piece);
    else lines.push([piece]);
  }
  return lines.map((line) => line.sort((a, b) => a.x - b.x).reduce(joinPiece, ''));
}

/** Pieces that touch are one word; a gap between pieces reads as spaces. */
function joinPiece(text: string, piece: Placed, index: number, line: readonly Placed[]): string {
  const previous = line[index - 1];
  if (!previous) return piece.text;
  const gap = piece.x - (previous.x + previous.width);
  return text + (gap > 1 ? '  ' : '') + piece.text;
}
