/**
 * Imported first by each module of the API that loads a Graphile module (graphql.ts, errors.ts,
 * …), before any of them reads it: Grafast runs in production mode unless GRAPHILE_ENV says
 * otherwise, and then it need not print a notice saying so at every start (`npm start`, `npm run
 * api`, the tests).
 */
process.env.GRAPHILE_ENV ||= "production";
