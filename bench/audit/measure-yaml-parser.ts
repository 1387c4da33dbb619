/**
 * One YAML parser over every YAML file of the fleet, parse time only (files are read before
 * the clock starts). `measure-yaml-parser.ts js-yaml|yaml <fleet dir>`.
 * js-yaml: `loadAll`. yaml: `parseAllDocuments`, then `toJS()` on each document, so both
 * end with the same plain objects.
 */
import { readFileSync } from 'node:fs';
import * as jsYaml from 'js-yaml';
import * as yaml from 'yaml';
import { listFiles } from './list-files';
import { reportMeasurement, startClock } from './measurement';

const parser = process.argv[2];
const dir = process.argv[3];
const texts = listFiles(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => readFileSync(f, 'utf8'));

const parseAll: (text: string) => number =
  parser === 'js-yaml'
    ? (text) => jsYaml.loadAll(text).length
    : parser === 'yaml'
      ? (text) => yaml.parseAllDocuments(text).map((doc) => doc.toJS()).length
      : () => {
          throw new Error(`unknown parser ${parser}: use js-yaml or yaml`);
        };

const started = startClock();
let documents = 0;
for (const text of texts) documents += parseAll(text);
reportMeasurement(started, { files: texts.length, documents });
