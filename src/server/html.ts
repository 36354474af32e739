/**
 * HTML for the status page, escaped in one place. Every value put into the
 * `html` template is escaped unless it is itself a fragment made by `html`:
 * object names, branch names and error messages are user input, and a name
 * such as `<script>` must show as text.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** The one escaping function: text made safe for an element's content and for a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** A fragment of HTML already escaped (made by `html`); anything else is text. */
export class SafeHtml {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

function piece(value: unknown): string {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(piece).join('');
  if (value === undefined || value === null || value === false) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return escapeHtml(String(value));
  throw new TypeError(`html: a ${typeof value} is neither text nor a fragment`);
}

/** A template of HTML whose every interpolated value is escaped (arrays are joined; undefined, null and false print nothing). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  return new SafeHtml(strings.reduce((out, part, i) => out + part + (i < values.length ? piece(values[i]) : ''), ''));
}
