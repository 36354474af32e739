import PDFDocument from 'pdfkit';
import type { Cell, DataBlock } from './engine.js';

export interface PdfSection {
  name: string;
  block?: DataBlock;
}

export interface PdfOptions {
  orientation: 'PORTRAIT' | 'LANDSCAPE';
  layoutType: 'PINBOARD' | 'VISUALIZATION';
  includeCoverPage: boolean;
  includeFilterPage: boolean;
  includePageNumber: boolean;
  includeLogo: boolean;
  truncateTables: boolean;
  footerText?: string;
  filters: string[];
}

/** Rows printed per table; with `truncate_tables` a table stops at one page's worth. */
const MAX_ROWS = 200;
const TRUNCATED_ROWS = 25;

/**
 * The standard PDF fonts cover WinAnsi only; anything else (emoji, CJK) is
 * shown as '?' rather than breaking the document.
 */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e\xa0-\xff]/gu, '?');
}

function show(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  return printable(String(value));
}

/**
 * A liveboard as a PDF, made with pdfkit: an optional cover page, an
 * optional filter page, then one section per visualization (its data as a
 * table), each on its own page with the VISUALIZATION layout.
 */
export function renderLiveboardPdf(title: string, sections: PdfSection[], options: PdfOptions): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', layout: options.orientation === 'PORTRAIT' ? 'portrait' : 'landscape', bufferPages: true, margin: 48 });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.info.Title = printable(title);
  doc.info.Creator = 'tmlsync emulator';

  let first = true;
  const newPage = () => {
    if (!first) doc.addPage();
    first = false;
  };
  if (options.includeCoverPage) {
    newPage();
    if (options.includeLogo) doc.font('Helvetica-Bold').fontSize(12).text('ThoughtSpot');
    doc.moveDown(6).font('Helvetica-Bold').fontSize(26).text(printable(title), { align: 'center' });
    doc.moveDown().font('Helvetica').fontSize(12).text(`${sections.length} visualizations`, { align: 'center' });
  }
  if (options.includeFilterPage) {
    newPage();
    doc.font('Helvetica-Bold').fontSize(16).text('Filters');
    doc.moveDown().font('Helvetica').fontSize(11);
    for (const filter of options.filters.length ? options.filters : ['No filters applied']) doc.text(printable(filter));
  }
  sections.forEach((section, index) => {
    if (index === 0 || options.layoutType === 'VISUALIZATION') newPage();
    else doc.moveDown(2);
    doc.font('Helvetica-Bold').fontSize(14).text(printable(section.name));
    doc.moveDown(0.5).font('Helvetica').fontSize(9);
    const block = section.block;
    if (!block || block.data.length === 0) {
      doc.text('No data');
      return;
    }
    const limit = options.truncateTables ? TRUNCATED_ROWS : MAX_ROWS;
    const rows = (block.data as Cell[][]).slice(0, limit).map((row) => row.map(show));
    doc.table({ data: [block.columnNames.map(printable), ...rows] });
    if (block.data.length > limit) doc.moveDown(0.5).text(`… ${block.data.length - limit} more rows`);
  });
  if (first) doc.text(printable(title));

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i += 1) {
    doc.switchToPage(i);
    const footer = [options.footerText, options.includePageNumber ? `Page ${i + 1} of ${range.count}` : undefined].filter(Boolean).join('   ');
    if (footer) {
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc.font('Helvetica').fontSize(8).text(printable(footer), doc.page.margins.left, doc.page.height - 30, { lineBreak: false });
      doc.page.margins.bottom = bottom;
    }
  }
  doc.end();
  return done;
}
