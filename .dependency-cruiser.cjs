/**
 * The boundaries between features (see docs/ARCHITECTURE.md). `npm test`
 * runs `npm run lint:deps`, so a violation fails CI.
 *
 * Each rule is here because it protects something a maintainer relies on:
 * - the order: a feature may use only features below it, so changing a
 *   feature can break only those above it, and there are no cycles;
 * - front doors: other features see only a feature's `index.ts`, so its
 *   models and helpers can change without a search through the others;
 * - no module cycles anywhere in `src`: a cycle makes import order matter
 *   (half-initialised modules at start-up);
 * - platform knows no feature: it is the ground every feature stands on.
 *
 * Tests are not checked: a test may open up the feature it tests.
 */
const ORDER = ['payments', 'accounts', 'coops', 'legal', 'catalog', 'promotions', 'cart', 'orders', 'reviews', 'payouts', 'workspace', 'admin', 'demo'];

const featureRules = ORDER.map((feature, i) => {
  const above = ORDER.slice(i + 1);
  return {
    name: `order-${feature}`,
    comment: `${feature} may use only ${['platform', ...ORDER.slice(0, i)].join(', ')}: the features above it (${above.join(', ') || 'none'}) must listen to its events instead`,
    severity: 'error',
    from: { path: `^src/${feature}/` },
    to: { path: [`^src/(${above.join('|') || '$^'})/`, '^src/(app|server)\\.ts$'] },
  };
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles in src: they make start-up order matter and hide which module owns what.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'platform-knows-no-feature',
      comment: 'platform/ is the ground floor: it must not depend on any feature.',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: [`^src/(${ORDER.join('|')})/`, '^src/(app|server)\\.ts$'] },
    },
    ...featureRules,
    {
      name: 'front-door-only',
      comment: 'Another feature is used only through its index.ts; its models and services stay private to it.',
      severity: 'error',
      from: { path: '^src/([^/]+)/', pathNot: '^src/demo/' },
      to: { path: '^src/([^/]+)/.+', pathNot: ['^src/$1/', '^src/platform/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'demo-writes-models-only',
      comment:
        'The one exception to front doors: demo/ may write the models of the features below it, because seeding inserts ' +
        'thousands of products, co-ops and stock levels in bulk (the benchmark catalogue of 10,151 products in seconds), ' +
        'which the public one-at-a-time functions with their checks are not for. It reaches nothing else inside a feature.',
      severity: 'error',
      from: { path: '^src/demo/' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/demo/', '^src/platform/', '^src/[^/]+/index\\.ts$', '^src/[^/]+/[^/]+\\.model\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
