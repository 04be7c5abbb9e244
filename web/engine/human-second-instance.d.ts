/**
 * A second instance of Human's module (its own detector state), as Vite builds it for an import
 * with a query: the same file, a distinct module. Typed as the package itself.
 */
declare module '@vladmandic/human?full-range' {
  export * from '@vladmandic/human';
}
