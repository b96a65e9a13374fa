/**
 * Imported first by graphql.ts, before any Graphile module reads it: Grafast runs in production
 * mode unless GRAPHILE_ENV says otherwise, and then it need not print a notice saying so at
 * every start (`npm start`, `npm run api`, the tests).
 */
process.env.GRAPHILE_ENV ||= "production";
