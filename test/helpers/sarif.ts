import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import * as fs from 'node:fs';

let validate: ReturnType<Ajv['compile']> | undefined;

/** Schema errors of a SARIF log against the official 2.1.0 schema (shipped by @microsoft/jest-sarif); [] when valid. */
export function sarifSchemaErrors(log: unknown): unknown[] {
  if (!validate) {
    const schema = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    validate = ajv.compile(schema);
  }
  return validate(log) ? [] : (validate.errors ?? []);
}
