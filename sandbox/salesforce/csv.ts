/**
 * CSV as Bulk API 2.0 reads and writes it: RFC 4180 fields (quoted when they hold the delimiter,
 * a quote or a line break; quotes doubled), one of six column delimiters, LF or CRLF line ends.
 */

/** The job's columnDelimiter values and their characters. */
export const DELIMITERS: Readonly<Record<string, string>> = {
  BACKQUOTE: '`',
  CARET: '^',
  COMMA: ',',
  PIPE: '|',
  SEMICOLON: ';',
  TAB: '\t',
};

export class CsvError extends Error {}

/**
 * Rows of cells. `lineEnding` LF ends rows at \n; CRLF at \r\n (a lone \n is then part of the
 * value, as Salesforce reads it). Line breaks inside quoted fields are always part of the value.
 */
export function parseCsv(
  text: string,
  delimiter = ',',
  lineEnding: 'LF' | 'CRLF' = 'LF',
): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let atFieldStart = true;
  const endField = () => {
    row.push(field);
    field = '';
    atFieldStart = true;
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char !== '"') field += char;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else {
        quoted = false;
        const next = text[i + 1];
        const ends =
          next === undefined ||
          next === delimiter ||
          next === '\n' ||
          (next === '\r' && text[i + 2] === '\n');
        if (!ends)
          throw new CsvError(`a quoted field is followed by "${next}" in row ${rows.length + 1}`);
      }
      continue;
    }
    if (char === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
    } else if (char === delimiter) endField();
    else if (lineEnding === 'LF' && char === '\n') endRow();
    else if (char === '\r' && text[i + 1] === '\n') {
      if (lineEnding === 'LF')
        throw new CsvError(`row ${rows.length + 1} ends with CRLF in a job whose lineEnding is LF`);
      endRow();
      i++;
    } else {
      if (char === '"')
        throw new CsvError(`a bare quote inside an unquoted field in row ${rows.length + 1}`);
      field += char;
      atFieldStart = false;
    }
  }
  if (quoted) throw new CsvError('the data ends inside a quoted field');
  if (!atFieldStart || row.length > 0) endRow();
  return rows;
}

/** Salesforce's result files quote every field. */
export function writeCsv(rows: readonly (readonly string[])[]): string {
  return (
    rows.map((row) => row.map((cell) => `"${cell.replace(/"/g, '""')}"`).join(',')).join('\n') +
    '\n'
  );
}
