import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { InputError } from '../errors.js';
import { parseProblem } from './jsonl.js';
import type { RecordBatches, SourceRecord } from './records.js';

// Character codes the scanner compares against.
const NEWLINE = 10;
const SPACE = 32;
const TAB = 9;
const RETURN = 13;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

function isSpace(code: number): boolean {
  return code === SPACE || code === NEWLINE || code === TAB || code === RETURN || code === 0xfeff;
}

/**
 * Streams the elements of a top-level JSON array without holding the array: a scanner finds where
 * each element starts and ends (tracking strings and nesting), and each element is parsed alone, so
 * one bad element is one reject while the array's structure is still checked.
 */
export async function* readJsonArray(stream: Readable, inputPath: string): RecordBatches {
  const decoder = new StringDecoder('utf8');
  let state: 'start' | 'between' | 'element' | 'end' = 'start';
  let afterComma = false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let line = 1;
  let record = 0;
  let pieces: string[] = [];
  let elementLine = 1;
  // The line of the element's last character, which the separator after it may not share.
  let contentLine = 1;
  const structural = (what: string) =>
    new InputError(
      inputPath,
      `is not a valid JSON array: ${what} at line ${line}. A file with one JSON object per line should be named .jsonl`,
    );

  // A function, not a comparison, because `scan` changes `state` where the compiler cannot see it.
  const ended = () => state === 'end';

  const finish = (records: SourceRecord[], raw: string) => {
    record += 1;
    const text = raw.trim();
    const base = { record, firstLine: elementLine, lastLine: contentLine, raw: text };
    try {
      records.push({ ...base, value: JSON.parse(text), problems: [] });
    } catch (error) {
      records.push({ ...base, value: undefined, problems: [parseProblem(error)] });
    }
  };

  const scan = (text: string): SourceRecord[] => {
    const records: SourceRecord[] = [];
    let start = state === 'element' ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (state === 'element') {
        if (!isSpace(code) && !(depth === 0 && !inString && (code === COMMA || code === CLOSE_BRACKET)))
          contentLine = line;
        if (inString) {
          if (escaped) escaped = false;
          else if (code === BACKSLASH) escaped = true;
          else if (code === QUOTE) inString = false;
          else if (code === NEWLINE) line += 1;
          continue;
        }
        if (code === QUOTE) inString = true;
        else if (code === OPEN_BRACE || code === OPEN_BRACKET) depth += 1;
        else if ((code === CLOSE_BRACE || code === CLOSE_BRACKET) && depth > 0) depth -= 1;
        else if (depth === 0 && (code === COMMA || code === CLOSE_BRACKET)) {
          pieces.push(text.slice(start, i));
          finish(records, pieces.join(''));
          pieces = [];
          state = code === COMMA ? 'between' : 'end';
          afterComma = code === COMMA;
        }
        if (code === NEWLINE) line += 1;
        continue;
      }
      if (code === NEWLINE) line += 1;
      if (isSpace(code)) continue;
      if (state === 'start') {
        if (code !== OPEN_BRACKET) throw structural(`expected "[" but found "${text[i]}"`);
        state = 'between';
        afterComma = false;
      } else if (state === 'between') {
        if (code === CLOSE_BRACKET && !afterComma) state = 'end';
        else if (code === COMMA || code === CLOSE_BRACKET) throw structural(`unexpected "${text[i]}"`);
        else {
          state = 'element';
          start = i;
          elementLine = line;
          contentLine = line;
          depth = code === OPEN_BRACE || code === OPEN_BRACKET ? 1 : 0;
          inString = code === QUOTE;
        }
      } else {
        throw structural(`unexpected "${text[i]}" after the closing "]"`);
      }
    }
    if (state === 'element') pieces.push(text.slice(start));
    return records;
  };

  for await (const chunk of stream) {
    const records = scan(decoder.write(chunk as Buffer));
    if (records.length > 0) yield records;
  }
  const records = scan(decoder.end());
  if (records.length > 0) yield records;
  if (!ended()) {
    throw new InputError(inputPath, `ends before its closing "]" (line ${line}): the file looks truncated`);
  }
}
