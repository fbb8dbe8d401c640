/**
 * One CSV field: in double quotes, its quotes doubled, when it holds a comma, a quote or a line
 * break; as it is otherwise (https://www.rfc-editor.org/rfc/rfc4180#section-2, rules 6 and 7).
 */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
