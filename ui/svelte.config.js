// Svelte compiler options shared by Vite, Vitest, svelte-check and eslint-plugin-svelte.
// Svelte 5 strips TypeScript types itself, so no preprocessor is needed.
/** @type {import('svelte/compiler').CompileOptions} */
const compilerOptions = {};

export default { compilerOptions };
