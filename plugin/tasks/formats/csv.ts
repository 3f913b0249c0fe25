import { DataFormatError } from './errors.js';

/**
 * RFC 4180 CSV: comma-separated, fields optionally in double quotes, "" for a quote inside a
 * quoted field, commas and newlines allowed inside quotes, CRLF or LF line ends. A final line
 * end is optional; a UTF-8 byte-order mark is dropped.
 */
export function parseCsv(text: string, file: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let fieldStarted = false;
  const endField = (): void => {
    row.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRow = (): void => {
    endField();
    rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '"' && !fieldStarted && field === '') {
      const startLine = line;
      i++;
      for (;;) {
        if (i >= text.length) throw new DataFormatError(file, `a closing quote for the field opened on line ${startLine}`, 'end of file');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (text[i] === '\n') line++;
        field += text[i++];
      }
      fieldStarted = true;
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new DataFormatError(file, `a comma or line end after a quoted field on line ${line}`, JSON.stringify(text.slice(i, i + 10)));
      }
      continue;
    }
    if (c === ',') {
      endField();
      i++;
    } else if (c === '\n' || c === '\r') {
      endRow();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
    } else {
      if (c === '"') throw new DataFormatError(file, `no quote inside an unquoted field on line ${line}`, JSON.stringify(field + c));
      field += c;
      fieldStarted = true;
      i++;
    }
  }
  if (field !== '' || fieldStarted || row.length > 0) endRow();
  return rows;
}

/** Rows as records keyed by the header line; every row must have the header's field count. */
export function parseCsvRecords(text: string, file: string, requiredColumns: readonly string[] = []): Record<string, string>[] {
  const rows = parseCsv(text, file).filter((r) => !(r.length === 1 && r[0] === ''));
  if (rows.length === 0) throw new DataFormatError(file, 'a CSV header line', 'an empty file');
  const header = rows[0];
  const missing = requiredColumns.filter((c) => !header.includes(c));
  if (missing.length) throw new DataFormatError(file, `CSV columns ${requiredColumns.join(', ')}`, `header ${header.join(',')} (missing ${missing.join(', ')})`);
  return rows.slice(1).map((r, k) => {
    if (r.length !== header.length) throw new DataFormatError(file, `${header.length} fields on data row ${k + 1}`, `${r.length} fields: ${JSON.stringify(r.join(',').slice(0, 80))}`);
    const rec: Record<string, string> = {};
    header.forEach((h, j) => (rec[h] = r[j]));
    return rec;
  });
}
