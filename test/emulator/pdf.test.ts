import { describe, expect, it } from 'vitest';
import { renderLiveboardPdf, type PdfOptions } from '../../src/emulator/data/pdf.js';
import { pdfText } from '../support/pdf-text.js';

const options: PdfOptions = {
  orientation: 'LANDSCAPE', layoutType: 'PINBOARD', includeCoverPage: true, includeFilterPage: true,
  includePageNumber: true, includeLogo: true, truncateTables: false, footerText: 'Internal use', filters: ['Region in west, east'],
};
const block = { columnNames: ['Region', 'Total Sales'], data: [['west', 150.5], ['east', 75]], samplingRatio: 1, totalRowCount: 2, rowCount: 2, pageSize: 100000, offset: 0 };

describe('liveboard PDF', () => {
  it('has a title page, a filter page, and one section per visualization with its data as a table', async () => {
    const pdf = await renderLiveboardPdf('Retail 🐢 Overview', [{ name: 'Sales by region', block }, { name: 'Nothing here' }], options);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = await pdfText(pdf);
    expect(text).toContain('Retail ? Overview');
    expect(text).toContain('Region in west, east');
    expect(text).toMatch(/Sales by region[\s\S]*Region\s+Total Sales[\s\S]*west\s+150\.50[\s\S]*east\s+75/);
    expect(text).toContain('Nothing here');
    expect(text).toContain('Internal use');
    expect(text).toContain('Page 3 of 3');
  });

  it('puts each visualization on its own page with the VISUALIZATION layout and no cover', async () => {
    const pdf = await renderLiveboardPdf('Board', [{ name: 'First', block }, { name: 'Second', block }], {
      ...options, layoutType: 'VISUALIZATION', includeCoverPage: false, includeFilterPage: false, footerText: undefined,
    });
    const pages = (await pdfText(pdf)).split('\f').filter((p) => p.trim());
    expect(pages).toHaveLength(2);
    expect(pages[0]).toContain('First');
    expect(pages[1]).toContain('Second');
  });
});
