// The error codes docs/errors.md documents, read from the page itself (Node and Chromium alike:
// vite inlines the file), for tests that check every code verify() returns is a documented one.
const pages = import.meta.glob('../../docs/errors.md', {
  eager: true,
  query: '?raw',
  import: 'default',
}) as Record<string, string>
const page = Object.values(pages)[0] ?? ''

/** Every `code` of the table in docs/errors.md. */
export const DOCUMENTED_CODES: readonly string[] = [...page.matchAll(/^\| `([a-z_]+)` \|/gm)].map(
  (match) => match[1] as string,
)
