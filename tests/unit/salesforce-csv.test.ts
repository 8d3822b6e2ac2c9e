import { describe, expect, it } from 'vitest';
import { csvField, parseCsv, toCsv } from '../../connectors/salesforce/bulk.js';
import { soqlString } from '../../connectors/salesforce/client.js';
import { parseCsv as emulatorParse, writeCsv } from '../../sandbox/salesforce/csv.js';
import { parseSoql } from '../../sandbox/salesforce/soql.js';

/**
 * What townhall writes is read back exactly by an independent reader (the emulator's), and the
 * other way round: member names and properties are theirs to choose.
 */

const HOSTILE = [
  'plain',
  'comma, inside',
  'quote " inside',
  '"quoted"',
  'line\nbreak',
  'crlf\r\nbreak',
  '  spaces  ',
  '=HYPERLINK("http://x")',
  'ünïcödé 🙂',
  ',"\n,"',
];

describe('CSV for Bulk API 2.0', () => {
  it('every hostile value survives toCsv and an RFC 4180 reader', () => {
    const rows = HOSTILE.map((value, i) => ({ Id__c: String(i), Value__c: value }));
    const csv = toCsv(['Id__c', 'Value__c'], rows);
    const [header, ...data] = emulatorParse(csv, ',', 'LF');
    expect(header).toEqual(['Id__c', 'Value__c']);
    expect(data).toEqual(rows.map((row) => [row.Id__c, row.Value__c]));
  });

  it('an absent value is an empty cell (no change); an empty one is #N/A (clear)', () => {
    expect(csvField(undefined)).toBe('');
    expect(csvField('')).toBe('#N/A');
    expect(csvField(null)).toBe('#N/A');
    expect(toCsv(['A', 'B', 'C'], [{ A: 'x', C: '' }])).toBe('A,B,C\n"x",,#N/A\n');
  });

  it('reads result files as Salesforce writes them, every field quoted', () => {
    const file = writeCsv([
      ['sf__Id', 'sf__Error', 'Name'],
      ['', 'INVALID_EMAIL_ADDRESS:Email: invalid email address: x:Email --', 'A, "B"\nC'],
      ['003000000000001AAA', '', ''],
    ]);
    expect(parseCsv(file)).toEqual([
      {
        sf__Id: '',
        sf__Error: 'INVALID_EMAIL_ADDRESS:Email: invalid email address: x:Email --',
        Name: 'A, "B"\nC',
      },
      { sf__Id: '003000000000001AAA', sf__Error: '', Name: '' },
    ]);
    expect(() => parseCsv('a,b\n"open')).toThrow(/quoted field/);
  });
});

describe('SOQL string literals', () => {
  it('a value written with soqlString is read back as the same one value', () => {
    for (const value of [
      ...HOSTILE,
      "o'brien@example.com",
      "x' OR Email != 'y",
      'back\\slash\\',
      '\t\b\f',
    ]) {
      const query = parseSoql(`SELECT Id FROM Contact WHERE Email = ${soqlString(value)}`);
      expect(query.conditions).toEqual([{ field: 'Email', op: '=', values: [value] }]);
    }
  });
});
