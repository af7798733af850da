// What the fixtures use of Node, for projects compiled with the DOM's lib and without @types/node.
declare const process: { env: { [name: string]: string | undefined } };
