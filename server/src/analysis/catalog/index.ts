// Public surface of the static schema catalog.
export { Catalog } from './catalog';
export type * from './model';
export { referencedRelations } from './references';
export { catalogSchemaLookup, catalogFunctionVolatility, typeNameOf, type SchemaLookupOptions } from './schema-lookup';
export { hashString } from './hash';
export { quoteIdentifier, qualifiedKey, parseQualifiedName, splitSearchPath } from './names';
export { formatColumnType, typeIdentity } from './type-names';
export { DEFAULT_SEARCH_PATH } from './store';
