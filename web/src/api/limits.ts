/**
 * Depth and cost limits of a GraphQL request, checked before it reaches PostGraphile, with the
 * request's variables (a page size given as `$first` counts as what it is, not as a guess).
 *
 * - depth: nested selections, at most `maxDepth`; inside introspection (`__schema`, `__type`), at
 *   most as deep as the standard introspection query (GraphiQL's: its type references nest
 *   `ofType` nine times), and a type reached through another type (a field's `type`, `ofType`,
 *   `interfaces`...) is named, not listed again (no `fields` of a field's type): otherwise each
 *   level of `fields { type { fields … } } }` multiplies the answer by the schema's size;
 * - page size: every connection field (a type named `…Connection`) needs `first` or `last`, at
 *   most `maxPage`: PostGraphile would otherwise return every row (a million invoices);
 * - cost: the rows a request may fetch at most, each connection's page size times what each of
 *   its rows asks for, summed over the request;
 * - introspection: `__schema` and `__type` describe at most twice the whole schema a request;
 * - `totalCount` where it is not offered (graphql.ts: the big lists) gets what to use instead.
 * A request over a limit gets a GraphQL error naming the limit, with its code (QUERY_TOO_DEEP,
 * QUERY_TOO_COSTLY, PAGE_TOO_LARGE; errors.ts lists them all), and nothing is queried.
 */
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getIntrospectionQuery,
  getNamedType,
  isAbstractType,
  type GraphQLNamedType,
  GraphQLObjectType,
  GraphQLInterfaceType,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  parse,
  SchemaMetaFieldDef,
  type SelectionSetNode,
  TypeMetaFieldDef,
  type ValueNode,
} from "postgraphile/graphql";

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  maxPage: number;
}

/** Which limit a request is over: the `extensions.code` of its error (errors.ts). */
export type LimitCode =
  "QUERY_TOO_DEEP" | "QUERY_TOO_COSTLY" | "PAGE_TOO_LARGE" | "BAD_USER_INPUT" | "GRAPHQL_VALIDATION_FAILED";

export class QueryLimitError extends Error {
  constructor(
    readonly code: LimitCode,
    message: string,
  ) {
    super(message);
  }
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  limits: QueryLimits;
  defaults: Map<string, ValueNode | undefined>;
  /** Fragments being expanded on the current path. */
  spreading: Set<string>;
  /** How deep introspection may nest (INTROSPECTION_DEPTH, or maxDepth when that is deeper). */
  introspectionDepth: number;
  /** What the request's `__schema` and `__type` fields may describe at most, and have so far. */
  introspection: { budget: number; sizes: Map<string, number>; spent: number };
  /** The response path to the selection being walked (aliases as the answer names them). */
  path: string[];
}

/**
 * What introspection can describe of a schema: each type's size (itself, its fields and their
 * arguments, input fields, enum values, interfaces, possible types), and the whole schema's (every
 * type and every directive with its arguments), which is what the standard introspection query
 * asks for.
 */
const SIZES = new WeakMap<GraphQLSchema, { types: Map<string, number>; schema: number }>();
function sizesOf(schema: GraphQLSchema) {
  let sizes = SIZES.get(schema);
  if (sizes) return sizes;
  const types = new Map<string, number>();
  for (const type of Object.values(schema.getTypeMap())) {
    let size = 1;
    if ("getFields" in type) {
      for (const field of Object.values(type.getFields())) size += 1 + ("args" in field ? field.args.length : 0);
    }
    if ("getInterfaces" in type) size += type.getInterfaces().length;
    if ("getValues" in type) size += type.getValues().length;
    if (isAbstractType(type)) size += schema.getPossibleTypes(type).length;
    types.set(type.name, size);
  }
  const directives = schema.getDirectives().reduce((sum, d) => sum + 1 + d.args.length, 0);
  sizes = { types, schema: [...types.values()].reduce((a, b) => a + b, 0) + directives };
  SIZES.set(schema, sizes);
  return sizes;
}

/** Where a limit was met, as the answer's path (`invoices.nodes.creditNotes`). */
const at = (walk: Walk) => walk.path.join(".");

/** Introspection fields that list types, fields or values: not served on a type reference. */
const INTROSPECTION_LISTS = new Set(["fields", "inputFields", "enumValues", "interfaces", "possibleTypes"]);
/** Introspection fields whose type is a reference to another type (named, not listed again). */
const TYPE_REFERENCES = new Set(["type", "ofType", "interfaces", "possibleTypes"]);

/** How deep a document nests (the operation's own selections at level 1, fragments expanded). */
function depthOf(query: string): number {
  const document = parse(query);
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const deepest = (set: SelectionSetNode, depth: number): number =>
    Math.max(
      depth,
      ...set.selections.map((selection) =>
        selection.kind === Kind.FIELD
          ? selection.selectionSet
            ? deepest(selection.selectionSet, depth + 1)
            : depth
          : deepest(
              selection.kind === Kind.INLINE_FRAGMENT
                ? selection.selectionSet
                : fragments.get(selection.name.value)!.selectionSet,
              depth,
            ),
      ),
    );
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  return deepest(operation.selectionSet, 1);
}

/** The depth of the standard introspection query with every option (GraphiQL's asks for fewer). */
export const INTROSPECTION_DEPTH = depthOf(
  getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
    oneOf: true,
  }),
);

function pageSize(walk: Walk, field: string, value: ValueNode | undefined): number | undefined {
  if (!value) return undefined;
  let n: unknown;
  if (value.kind === Kind.INT) n = Number(value.value);
  else if (value.kind === Kind.VARIABLE) {
    const name = value.name.value;
    n = walk.variables[name];
    const fallback = walk.defaults.get(name);
    if (n === undefined && fallback?.kind === Kind.INT) n = Number(fallback.value);
  }
  if (n === undefined || n === null) return undefined;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > walk.limits.maxPage) {
    // A page over the limit is a limit; a page size that is no count at all is bad input.
    throw new QueryLimitError(
      typeof n === "number" && Number.isInteger(n) && n > walk.limits.maxPage ? "PAGE_TOO_LARGE" : "BAD_USER_INPUT",
      `${field}: first/last must be an integer from 0 to ${walk.limits.maxPage}, not ${String(n)}`,
    );
  }
  return n;
}

/**
 * Rows the selection may fetch, per row of its parent; throws a QueryLimitError over a limit.
 * `reference` names the introspection field that led to `type` when that is a type reference.
 */
function cost(
  walk: Walk,
  set: SelectionSetNode,
  type: GraphQLNamedType | undefined,
  depth: number,
  reference?: string,
): number {
  // Introspection types (`__Type`, `__Field`...) hold no rows; every other type is data, however
  // it was reached (an inline fragment inside `__schema` included).
  const introspection = type?.name.startsWith("__") ?? false;
  if (!introspection && depth > walk.limits.maxDepth) {
    throw new QueryLimitError(
      "QUERY_TOO_DEEP",
      `query is nested deeper than ${walk.limits.maxDepth} levels (at ${at(walk)})`,
    );
  }
  if (introspection && depth > walk.introspectionDepth) {
    throw new QueryLimitError(
      "QUERY_TOO_DEEP",
      `introspection is nested deeper than ${walk.introspectionDepth} levels, the standard introspection query's depth (at ${at(walk)})`,
    );
  }
  let total = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const on = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : type;
      total += cost(walk, selection.selectionSet, on ?? undefined, depth, reference);
      continue;
    }
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = walk.fragments.get(selection.name.value);
      // A missing or cyclic fragment is left to GraphQL's own validation, which names it.
      if (!fragment || walk.spreading.has(fragment.name.value)) continue;
      walk.spreading.add(fragment.name.value);
      const on = walk.schema.getType(fragment.typeCondition.name.value);
      total += cost(walk, fragment.selectionSet, on ?? undefined, depth, reference);
      walk.spreading.delete(fragment.name.value);
      continue;
    }
    const name = selection.name.value;
    const parent = type instanceof GraphQLObjectType || type instanceof GraphQLInterfaceType ? type : undefined;
    // GraphQL's own "Cannot query field" would be true but say nothing of why or what instead.
    if (name === "totalCount" && parent?.name.endsWith("Connection") && !parent.getFields().totalCount) {
      throw new QueryLimitError(
        "GRAPHQL_VALIDATION_FAILED",
        `${parent.name} has no totalCount: it would count every row of the list under row-level security (seconds on the big lists); count with invoiceCount or the report rollups (invoicesPerDepartmentDay, licencesPerStatus, payrollsPerState), and page with pageInfo.hasNextPage`,
      );
    }
    if (!selection.selectionSet) continue;
    if (reference && INTROSPECTION_LISTS.has(name)) {
      throw new QueryLimitError(
        "QUERY_TOO_COSTLY",
        `introspection: ${name} of a type reached through ${reference} is not served (each such level multiplies the answer by the schema's size), at ${[...walk.path, name].join(".")}: ask __type(name: "…") for that type's ${name}`,
      );
    }
    const definition =
      name === "__schema" && parent === walk.schema.getQueryType()
        ? SchemaMetaFieldDef
        : name === "__type" && parent === walk.schema.getQueryType()
          ? TypeMetaFieldDef
          : parent?.getFields()[name];
    const returned = definition ? getNamedType(definition.type) : undefined;
    const via =
      returned?.name === "__Type" && (TYPE_REFERENCES.has(name) || reference) ? (reference ?? name) : undefined;
    walk.path.push(selection.alias?.value ?? name);
    const here = at(walk);
    const inner = cost(walk, selection.selectionSet, returned, depth + 1, via);
    walk.path.pop();
    if (returned?.name.endsWith("Connection")) {
      const args = new Map(selection.arguments?.map((arg) => [arg.name.value, arg.value]));
      const first = pageSize(walk, here, args.get("first"));
      const last = pageSize(walk, here, args.get("last"));
      const n = first ?? last;
      if (n === undefined) {
        throw new QueryLimitError(
          "PAGE_TOO_LARGE",
          `${here}: give first or last (at most ${walk.limits.maxPage} rows a page)`,
        );
      }
      total += n * (1 + inner);
    } else total += inner;
    // Introspection is answered from memory, but a thousand aliases of `__type(name: "Query") {
    // fields { args … } }` would still build a huge answer: a request may describe at most twice
    // as much as the whole schema (GraphiQL's query asks for it once). These fields live on the
    // Query type alone, which no list returns, so they add up rather than multiply.
    if (definition === SchemaMetaFieldDef || definition === TypeMetaFieldDef) {
      const named = selection.arguments?.find((arg) => arg.name.value === "name")?.value;
      const typeName =
        named?.kind === Kind.STRING
          ? named.value
          : named?.kind === Kind.VARIABLE
            ? walk.variables[named.name.value]
            : undefined;
      const { budget, sizes } = walk.introspection;
      walk.introspection.spent +=
        definition === SchemaMetaFieldDef ? budget / 2 : (sizes.get(String(typeName)) ?? Math.max(...sizes.values()));
      if (walk.introspection.spent > budget) {
        throw new QueryLimitError(
          "QUERY_TOO_COSTLY",
          `introspection may describe at most twice the whole schema a request (${budget} types, fields, arguments and values), exceeded at ${here}: ask for the schema once, or for fewer types`,
        );
      }
    }
    if (total > walk.limits.maxCost) {
      throw new QueryLimitError(
        "QUERY_TOO_COSTLY",
        `query may fetch more than ${walk.limits.maxCost} rows (the cost limit), reached at ${here}: ask for smaller pages or fewer nested lists`,
      );
    }
  }
  return total;
}

/**
 * Null when `operation` (a query of `document`, parsed) is within the limits with `variables`
 * (as sent: a page size in a variable is checked before it is coerced); the limit it is over
 * otherwise, as a QueryLimitError's code and message.
 */
export function checkQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  limits: QueryLimits,
): { code: LimitCode; message: string } | null {
  if (operation.operation !== "query") {
    return {
      code: "GRAPHQL_VALIDATION_FAILED",
      message: `only queries are served: this API reads the read model and never writes (not a ${operation.operation})`,
    };
  }
  const walk: Walk = {
    schema,
    fragments: new Map(
      document.definitions
        .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
        .map((d) => [d.name.value, d]),
    ),
    variables,
    defaults: new Map(operation.variableDefinitions?.map((v) => [v.variable.name.value, v.defaultValue])),
    limits,
    spreading: new Set(),
    introspectionDepth: Math.max(INTROSPECTION_DEPTH, limits.maxDepth),
    introspection: { budget: 2 * sizesOf(schema).schema, sizes: sizesOf(schema).types, spent: 0 },
    path: [],
  };
  try {
    cost(walk, operation.selectionSet, schema.getQueryType() ?? undefined, 1);
    return null;
  } catch (error) {
    if (error instanceof QueryLimitError) return { code: error.code, message: error.message };
    throw error;
  }
}
