/**
 * Module boundaries of the web app (run: `npm run boundaries --workspace web`). The layers, top down:
 *   app/        composition root: router, shell, providers; may import anything
 *   features/X  one screen family; imports lib/ and components/, never another feature or app/
 *   components/ shared UI; lib/ shared logic, the API client, endpoint calls, paths and query keys
 * What two features share moves down into lib/ or components/.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make load order and refactoring fragile.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'feature-isolation',
      severity: 'error',
      comment:
        'A feature uses another feature only through lib/ or components/ (move the shared part there).',
      from: { path: '^src/features/([^/]+)/' },
      to: { path: '^src/features/', pathNot: '^src/features/$1/' },
    },
    {
      name: 'shared-not-features',
      severity: 'error',
      comment: 'lib/ and components/ are shared by features, so they cannot depend on one.',
      from: { path: '^src/(lib|components)/' },
      to: { path: '^src/features/' },
    },
    {
      name: 'app-is-the-root',
      severity: 'error',
      comment: 'Only app/ composes the app; nothing below imports it.',
      from: { path: '^src/(lib|components|features)/' },
      to: { path: '^src/app/' },
    },
    {
      name: 'no-test-helpers-in-app-code',
      severity: 'error',
      comment: 'The fake API and render helpers are for tests only.',
      from: { path: '^src/', pathNot: ['^src/test/', '\\.test\\.tsx?$'] },
      to: { path: '^src/test/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing (a typo or a missing package).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
