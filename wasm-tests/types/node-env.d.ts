// What the fixtures use of Node, for projects compiled without the DOM's lib and without @types/node.
declare const process: { env: { [name: string]: string | undefined } };
declare const console: { log(...values: unknown[]): void; warn(...values: unknown[]): void };
