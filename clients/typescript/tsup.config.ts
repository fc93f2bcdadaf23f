import { defineConfig } from 'tsup';

// index: the universal SDK (fetch only, no Node import, loadable in a browser as dist/index.mjs);
// node: the Node.js utilities (webhook verification, request handlers) over node:crypto;
// bindings: the framework-agnostic state layer of the React and Vue bindings (no Node import either).
export default defineConfig({
  entry: { index: 'src/index.ts', node: 'src/node.ts', bindings: 'src/bindings/index.ts' },
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
