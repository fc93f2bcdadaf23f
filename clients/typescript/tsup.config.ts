import { defineConfig } from 'tsup';

// index: the universal SDK (fetch only, no Node import, loadable in a browser as dist/index.mjs);
// node: the Node.js utilities (webhook verification, request handlers) over node:crypto.
export default defineConfig({
  entry: { index: 'src/index.ts', node: 'src/node.ts' },
  format: ['esm', 'cjs'],
  outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.cjs' }),
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  splitting: false,
  treeshake: true,
});
