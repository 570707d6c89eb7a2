/**
 * binary-parser's package exports its ESM build without types (they sit beside the CommonJS
 * build). Importing the ESM build matters: loading the CommonJS one from ESM costs about 15 ms
 * more at start-up. This gives the ESM entry the package's own declarations.
 */
declare module 'binary-parser' {
  export { Parser } from 'binary-parser/dist/binary_parser.js';
}
