/**
 * What a GraphQL request must be before PostGraphile sees it, each refusal with its code
 * (errors.ts): it parses (GRAPHQL_PARSE_FAILED), it names one operation to run (BAD_REQUEST),
 * that operation is within the limits (limits.ts: checked before validation, whose cost grows
 * with the query), the query is valid against the schema (GRAPHQL_VALIDATION_FAILED) and its
 * variables coerce (BAD_USER_INPUT). grafserv parses and validates again (once a query text, from its cache) but
 * never sees a request that fails here, so its own uncoded parse and validation errors never
 * reach a client.
 */
import { createHash } from "node:crypto";

import {
  type DocumentNode,
  getVariableValues,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  parse,
  Source,
  validate,
} from "postgraphile/graphql";

import type { ErrorCode } from "./errors.js";
import { checkQueryLimits, type QueryLimits } from "./limits.js";

const coded = (error: GraphQLError, code: ErrorCode) =>
  new GraphQLError(error.message, {
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code },
  });

const refusal = (code: ErrorCode, message: string) => [new GraphQLError(message, { extensions: { code } })];

/** How many queries' parse and validation results are kept (grafserv keeps as many of its own). */
const CACHED = 500;

/**
 * The check of app.ts: null when the request may go on to PostGraphile; its errors (each with a
 * code) otherwise. The parse and validation of a query within the limits are kept by its text (an
 * integrator sends the same few queries with other variables; validating costs 0.3-0.5 ms).
 */
export function createRequestCheck(
  schema: GraphQLSchema,
  limits: QueryLimits,
): (body: { query?: unknown; variables?: unknown; operationName?: unknown }) => GraphQLError[] | null {
  const cache = new Map<string, { document: DocumentNode; invalid: GraphQLError[] }>();
  return (body) => {
    // grafserv refuses a body without a query as BAD_REQUEST (app.ts codes it).
    if (typeof body.query !== "string") return null;
    const { query, variables = null, operationName = null } = body;
    if (variables !== null && (typeof variables !== "object" || Array.isArray(variables))) {
      return refusal("BAD_REQUEST", "variables, if given, must be a JSON object");
    }
    if (operationName !== null && typeof operationName !== "string") {
      return refusal("BAD_REQUEST", "operationName, if given, must be a string");
    }
    // Long texts are kept by their hash, as grafserv does; the most recently used last.
    const key = query.length > 500 ? createHash("sha1").update(query).digest("base64") : query;
    const cached = cache.get(key);
    if (cached) cache.delete(key);
    let document;
    try {
      document = cached?.document ?? parse(new Source(query, "GraphQL request"));
    } catch (error) {
      if (error instanceof GraphQLError) return [coded(error, "GRAPHQL_PARSE_FAILED")];
      throw error;
    }
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    const operation =
      operationName !== null
        ? operations.find((o) => o.name?.value === operationName)
        : operations.length === 1
          ? operations[0]
          : undefined;
    // Before validation, which would otherwise run on a query no limit was checked on.
    if (!operation) {
      return refusal(
        "BAD_REQUEST",
        operationName !== null
          ? `no operation named ${JSON.stringify(operationName)} in the query`
          : "the query has several operations, or none: name the one to run in operationName",
      );
    }
    const given = (variables ?? {}) as Record<string, unknown>;
    const over = checkQueryLimits(schema, document, operation, given, limits);
    if (over) return refusal(over.code, over.message);
    // Kept only once within the limits, so a flood of oversized queries never fills the cache.
    const invalid =
      cached?.invalid ?? validate(schema, document).map((error) => coded(error, "GRAPHQL_VALIDATION_FAILED"));
    if (cache.size >= CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, { document, invalid });
    if (invalid.length > 0) return invalid;
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], given, { maxErrors: 20 });
    if (coerced.errors) return coerced.errors.map((error) => coded(error, "BAD_USER_INPUT"));
    return null;
  };
}
