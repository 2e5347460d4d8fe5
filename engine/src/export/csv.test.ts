import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvBom, csvField, csvLine } from './csv.ts';

/** A small RFC 4180 reader: what a spreadsheet does with our lines (without the formula rule). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { record.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { record.push(field); records.push(record); record = []; field = ''; i++; }
    else field += c;
  }
  if (field !== '' || record.length > 0) throw new Error('the text does not end with CRLF');
  return records;
}

describe('csvField', () => {
  it('writes plain text as it is', () => {
    expect(csvField('Amira Ben Salah')).toBe('Amira Ben Salah');
    expect(csvField('أميرة')).toBe('أميرة');
    expect(csvField(null)).toBe('');
  });

  it('quotes a field with a comma, a quote or a line break, doubling its quotes', () => {
    expect(csvField('Ben Salah, Amira')).toBe('"Ben Salah, Amira"');
    expect(csvField('The "Boss"')).toBe('"The ""Boss"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
  });

  it('neutralises what a spreadsheet would run as a formula', () => {
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('+216 20 000 000')).toBe("'+216 20 000 000");
    expect(csvField('-2')).toBe("'-2");
    expect(csvField('@SUM(A1:A9)')).toBe("'@SUM(A1:A9)");
    expect(csvField('\tindent')).toBe("'\tindent");
    expect(csvField('=HYPERLINK("http://evil.example","click")')).toBe('"\'=HYPERLINK(""http://evil.example"",""click"")"');
  });

  it('leaves a formula character inside a field alone, and numbers as numbers', () => {
    expect(csvField('a=b')).toBe('a=b');
    expect(csvField(-2)).toBe('-2');
  });
});

describe('csvLine', () => {
  it('ends a record with CRLF', () => {
    expect(csvLine(['a', 'b', null])).toBe('a,b,\r\n');
  });

  it('reads back as the fields it was given, a formula only prefixed', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 5 }), (rows) => {
      const parsed = parseCsv(rows.map((r) => csvLine(r)).join(''));
      const expected = rows.map((r) => r.map((v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v)));
      // A record of one empty field reads back as one empty field.
      expect(parsed).toEqual(expected);
    }));
  });

  it('no field of the output starts with a formula character', () => {
    fc.assert(fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 6 }), (row) => {
      for (const field of parseCsv(csvLine(row))[0]!) expect(/^[=+\-@\t\r]/.test(field)).toBe(false);
    }));
  });

  it('has a byte order mark to start a file with', () => {
    expect(Buffer.from(csvBom, 'utf8')).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });
});
