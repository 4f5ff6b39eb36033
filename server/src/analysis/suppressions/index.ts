/** Ignore comments: finding them in a file's trivia (directives.ts) and applying them to findings (apply.ts). */
export * from './directives';
export * from './apply';
