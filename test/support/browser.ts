/**
 * A headless Chromium for tests that read a page as a person sees it: the
 * binary comes from npm (`@sparticuz/chromium` ships it inside its package),
 * driven by `puppeteer-core`, so `npm ci && npm test` still needs only Node
 * and git. The first launch on a machine unpacks Chromium into the temporary
 * folder (about 20 s on 2 busy cores); later ones take about a second.
 */

/** What the tests use of a puppeteer page; scripts in the page are given as text. */
export interface BrowserPage {
  goto(url: string): Promise<unknown>;
  type(selector: string, text: string): Promise<void>;
  click(selector: string): Promise<void>;
  waitForNavigation(): Promise<unknown>;
  /** Runs an expression in the page and returns its (JSON-serialisable) value. */
  evaluate(expression: string): Promise<unknown>;
  screenshot(options: { path: string; fullPage: boolean }): Promise<unknown>;
  on(event: 'dialog', handler: (dialog: { dismiss(): Promise<void> }) => void): unknown;
}

export interface HeadlessBrowser {
  newPage(): Promise<BrowserPage>;
  close(): Promise<void>;
}

interface Puppeteer {
  launch(options: { args: string[]; executablePath: string; headless: boolean }): Promise<HeadlessBrowser>;
}

export async function launchChromium(): Promise<HeadlessBrowser> {
  // Named through a variable so that TypeScript does not load puppeteer-core's declarations: they need
  // the DOM library, which this Node-only project does not compile with (and which clashes with Node's types).
  const name = 'puppeteer-core';
  const { default: puppeteer } = (await import(name)) as { default: Puppeteer };
  const { default: chromium } = await import('@sparticuz/chromium');
  return puppeteer.launch({ args: chromium.args, executablePath: await chromium.executablePath(), headless: true });
}
