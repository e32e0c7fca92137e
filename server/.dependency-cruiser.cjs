/**
 * Module boundaries of server/src (run: npm run boundaries). A module (src/modules/<name>) uses another
 * module only through its service or its public index.ts — never its repository — and nothing imports
 * in a circle. See ARCHITECTURE.md, "Module boundaries".
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make load order and ownership unclear; extract the shared part instead.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-foreign-repository',
      severity: 'error',
      comment:
        "A module reaches another module's data through its service or index.ts, never its repository.",
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/([^/]+)/.+\\.repository\\.ts$', pathNot: '^src/modules/$1/' },
    },
    {
      name: 'no-repository-outside-modules',
      severity: 'error',
      comment: 'Only modules own repositories; app, plugins and lib go through a service.',
      from: { path: '^src/', pathNot: '^src/modules/' },
      to: { path: '^src/modules/.+\\.repository\\.ts$' },
    },
    {
      name: 'no-app-from-inside',
      severity: 'error',
      comment: 'app.ts and main.ts compose the modules; nothing under src imports them back.',
      from: { path: '^src/', pathNot: '^src/(app|main)\\.ts$' },
      to: { path: '^src/(app|main)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
