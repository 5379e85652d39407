// The layers of vigil (ARCHITECTURE.md says why). Type-only imports count: a type is a
// dependency too. `npm run lint` runs these rules.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-import-from-workers',
      comment: 'workers/ holds only thread entry files; what they run lives in engine/.',
      severity: 'error',
      from: {},
      to: { path: '^workers/' },
    },
    {
      name: 'engine-is-a-library',
      comment: 'engine/ knows nothing of the API, the benchmarks or the composition root.',
      severity: 'error',
      from: { path: '^engine/' },
      to: { path: '^(api|bench|app|dashboards)/' },
    },
    {
      name: 'analytics-is-pure-numerics',
      comment: 'engine/analytics computes on plain arrays and shapes: no store, no ingest, no simulator, no matching.',
      severity: 'error',
      from: { path: '^engine/analytics/' },
      to: { path: '^engine/(store|ingest|sim|match|nats)/|^engine/(metrics|logger|config)\\.ts$' },
    },
    {
      name: 'match-is-pure-matching',
      comment: 'engine/match decides hits; reading and writing the rules goes through a repository it is given.',
      severity: 'error',
      from: { path: '^engine/match/' },
      to: { path: '^engine/(store|ingest|sim|nats|analytics)/|^engine/(metrics|logger|config)\\.ts$' },
    },
    {
      name: 'domain-is-the-bottom',
      comment: 'engine/domain and engine/util: shared shapes and helpers, below everything else (GeoJSON shapes included).',
      severity: 'error',
      from: { path: '^engine/(domain|util)/' },
      to: { path: '^engine/(?!domain/|util/|errors\\.ts$|geo/geojson\\.ts$)' },
    },
    {
      name: 'api-uses-engine-not-app',
      comment: 'The API is wired by the composition root; it never imports it.',
      severity: 'error',
      from: { path: '^api/' },
      to: { path: '^(app|bench)/' },
    },
    {
      name: 'web-is-browser-code',
      comment: 'web/ runs in the browser and talks to the engine over HTTP only: it copies the few shapes it needs (.tsx: see exclude).',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: '^(engine|api|app|workers|bench|dashboards)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    // dependency-cruiser's swc parser reads TypeScript without JSX: the web app's .tsx components are
    // left out here, and web/tsconfig.json's rootDir refuses any import from outside web/ in them.
    exclude: { path: '^(node_modules|dist)/|^web/.*\\.tsx$' },
  },
};
