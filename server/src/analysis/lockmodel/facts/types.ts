/** CREATE TYPE (enum, composite, range), CREATE/ALTER DOMAIN, ALTER TYPE … ADD/RENAME VALUE, DROP TYPE/DOMAIN. */
import type { FactInput, LockFact } from '../fact';
import { cascades, payload } from './when';

const TYPES = `CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE DOMAIN posint AS int;
CREATE TABLE person (id int PRIMARY KEY, m mood, score posint);
CREATE TABLE other (id int PRIMARY KEY);
INSERT INTO person VALUES (1, 'happy', 5);`;
const NOT_VALID_CHECK = `${TYPES} ALTER DOMAIN posint ADD CONSTRAINT posint_positive CHECK (VALUE > 0) NOT VALID;`;

const domainCommand = (input: FactInput): string | undefined => payload(input).subtype as string | undefined;
/** ALTER DOMAIN … ADD CONSTRAINT without NOT VALID (CHECK or NOT NULL): existing values are checked. */
const addsValidatedConstraint = (input: FactInput): boolean =>
  domainCommand(input) === 'C' && (payload(input).def as { Constraint?: { skip_validation?: boolean } } | undefined)?.Constraint?.skip_validation !== true;

export const typeFacts: readonly LockFact[] = [
  {
    id: 'create-type.enum',
    summary: 'CREATE TYPE … AS ENUM',
    statement: 'CreateEnumStmt',
    locks: [],
    docs: 'sql-createtype.html',
    examples: [{ setup: TYPES, sql: "CREATE TYPE status AS ENUM ('new', 'done')" }],
  },
  {
    id: 'create-type.range',
    summary: 'CREATE TYPE … AS RANGE',
    statement: 'CreateRangeStmt',
    locks: [],
    docs: 'sql-createtype.html',
    examples: [{ setup: TYPES, sql: 'CREATE TYPE int_span AS RANGE (subtype = int4)' }],
  },
  {
    id: 'create-type.composite',
    summary: 'CREATE TYPE … AS (attributes)',
    statement: 'CompositeTypeStmt',
    locks: [{ role: 'created', mode: 'AccessExclusiveLock' }],
    docs: 'sql-createtype.html',
    why: 'A composite type is stored as a relation of its own (relkind c), created under ACCESS EXCLUSIVE; nobody else can see it yet.',
    examples: [{ setup: TYPES, sql: 'CREATE TYPE pair AS (a int, b text)' }],
  },
  {
    id: 'create-domain',
    summary: 'CREATE DOMAIN',
    statement: 'CreateDomainStmt',
    locks: [],
    docs: 'sql-createdomain.html',
    examples: [{ setup: TYPES, sql: "CREATE DOMAIN nonempty AS text CHECK (VALUE <> '')" }],
  },
  {
    id: 'alter-type.add-value',
    summary: 'ALTER TYPE … ADD VALUE [IF NOT EXISTS] [BEFORE|AFTER]',
    statement: 'AlterEnumStmt',
    pg: { min: 12 },
    when: (input) => payload(input).oldVal === undefined,
    locks: [],
    docs: 'sql-altertype.html#SQL-ALTERTYPE-NOTES',
    why:
      'No table is locked or rewritten. Since PostgreSQL 12 it may run in a transaction block, but the new value cannot be used (inserted, compared in a query) until that transaction commits ("unsafe use of new value"). Only PostgreSQL 17 is proven here.',
    examples: [
      { setup: TYPES, sql: "ALTER TYPE mood ADD VALUE 'calm'" },
      { setup: TYPES, sql: "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh' BEFORE 'sad'" },
    ],
  },
  {
    id: 'alter-type.add-value.before-12',
    summary: 'ALTER TYPE … ADD VALUE on PostgreSQL 11 and older',
    statement: 'AlterEnumStmt',
    pg: { max: 11 },
    when: (input) => payload(input).oldVal === undefined,
    locks: [],
    transaction: 'forbidden',
    docs: 'sql-altertype.html#SQL-ALTERTYPE-NOTES',
    why: 'Before PostgreSQL 12, ALTER TYPE … ADD VALUE cannot run inside a transaction block. Not proven here (the proof runs PostgreSQL 17).',
    examples: [{ setup: TYPES, sql: "ALTER TYPE mood ADD VALUE 'calm'" }],
  },
  {
    id: 'alter-type.rename-value',
    summary: 'ALTER TYPE … RENAME VALUE',
    statement: 'AlterEnumStmt',
    when: (input) => payload(input).oldVal !== undefined,
    locks: [],
    docs: 'sql-altertype.html',
    why: 'A catalog update only (PostgreSQL ≥ 10); stored values keep their internal identity.',
    examples: [{ setup: TYPES, sql: "ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'" }],
  },
  {
    id: 'alter-domain.add-constraint',
    summary: 'ALTER DOMAIN … ADD CONSTRAINT (CHECK / NOT NULL, validated)',
    statement: 'AlterDomainStmt',
    when: addsValidatedConstraint,
    locks: [{ role: 'type.tables', mode: 'ShareLock' }],
    scans: ['type.tables'],
    docs: 'sql-alterdomain.html',
    why:
      'Checks every value already stored in a column of the domain: each table using it is locked SHARE (writes wait) and read in full. NOT VALID skips that; VALIDATE CONSTRAINT does it later.',
    examples: [
      { setup: TYPES, sql: 'ALTER DOMAIN posint ADD CONSTRAINT posint_positive CHECK (VALUE > 0)' },
      // ADD [CONSTRAINT name] NOT NULL on a domain is PostgreSQL 17 syntax (16 and older: SET NOT NULL only).
      { setup: TYPES, sql: 'ALTER DOMAIN posint ADD CONSTRAINT posint_nn NOT NULL', pg: { min: 17 } },
    ],
  },
  {
    id: 'alter-domain.validate-or-set-not-null',
    summary: 'ALTER DOMAIN … VALIDATE CONSTRAINT / SET NOT NULL',
    statement: 'AlterDomainStmt',
    when: (input) => domainCommand(input) === 'V' || domainCommand(input) === 'O',
    locks: [{ role: 'type.tables', mode: 'ShareLock' }],
    scans: ['type.tables'],
    docs: 'sql-alterdomain.html',
    why:
      'Unlike ALTER TABLE … VALIDATE CONSTRAINT (SHARE UPDATE EXCLUSIVE), validating a domain constraint takes SHARE on every table using the domain: writes wait for the full scan.',
    examples: [
      { setup: NOT_VALID_CHECK, sql: 'ALTER DOMAIN posint VALIDATE CONSTRAINT posint_positive' },
      { setup: TYPES, sql: 'ALTER DOMAIN posint SET NOT NULL' },
    ],
  },
  {
    id: 'alter-domain.catalog-only',
    summary: 'ALTER DOMAIN … ADD CONSTRAINT … NOT VALID / DROP CONSTRAINT / DROP NOT NULL / SET|DROP DEFAULT',
    statement: 'AlterDomainStmt',
    when: (input) => ['C', 'X', 'N', 'T'].includes(domainCommand(input) ?? ''),
    locks: [],
    docs: 'sql-alterdomain.html',
    why: 'Catalog changes only: no table using the domain is locked.',
    examples: [
      { setup: TYPES, sql: 'ALTER DOMAIN posint ADD CONSTRAINT posint_positive CHECK (VALUE > 0) NOT VALID' },
      { setup: NOT_VALID_CHECK, sql: 'ALTER DOMAIN posint DROP CONSTRAINT posint_positive' },
      { setup: TYPES, sql: 'ALTER DOMAIN posint SET DEFAULT 1' },
      { setup: TYPES, sql: 'ALTER DOMAIN posint DROP NOT NULL' },
    ],
  },
  {
    id: 'drop-type.cascade',
    summary: 'DROP TYPE / DROP DOMAIN … CASCADE',
    statement: 'DropStmt',
    when: (input) => (payload(input).removeType === 'OBJECT_TYPE' || payload(input).removeType === 'OBJECT_DOMAIN') && cascades(input),
    locks: [{ role: 'type.tables', mode: 'AccessExclusiveLock' }],
    docs: 'sql-droptype.html',
    why: 'CASCADE drops every column of that type — an ALTER TABLE … DROP COLUMN (ACCESS EXCLUSIVE) on each table using it.',
    examples: [
      { setup: TYPES, sql: 'DROP TYPE mood CASCADE' },
      { setup: TYPES, sql: 'DROP DOMAIN posint CASCADE' },
    ],
  },
  {
    id: 'drop-type',
    summary: 'DROP TYPE / DROP DOMAIN [IF EXISTS] (RESTRICT)',
    statement: 'DropStmt',
    when: (input) => payload(input).removeType === 'OBJECT_TYPE' || payload(input).removeType === 'OBJECT_DOMAIN',
    locks: [],
    docs: 'sql-droptype.html',
    why: 'Fails if any column still uses the type; otherwise only catalogs change.',
    examples: [{ setup: `${TYPES} CREATE TYPE unused AS ENUM ('x');`, sql: 'DROP TYPE unused' }],
  },
];
