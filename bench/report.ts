// `npm run bench:report`: BENCHMARKS.md from bench/results/*.json alone, no measuring.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchmarksMarkdown, consoleTable, readResults } from './lib/report.js';

const dir = process.argv[2] ?? path.resolve('bench/results');
const results = readResults(dir);
writeFileSync(path.resolve('BENCHMARKS.md'), benchmarksMarkdown(results));
console.log(consoleTable(results));
