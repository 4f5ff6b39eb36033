import { defineRule, ruleDocPath } from './rule';
import { asNode } from '../node-kinds';
import { quoteIdent } from '../names';
import { sizedSeverity, sizeData } from './table-size';
import { lockOn } from './lock-wording';

/**
 * ALTER DOMAIN … ADD CONSTRAINT (CHECK or NOT NULL) without NOT VALID, and ALTER DOMAIN … SET NOT NULL, check
 * every value already stored in a column of the domain: each table using it is locked SHARE (writes wait) and read
 * in full (lock model fact `alter-domain.add-constraint`; the model finds the tables through the catalog). NOT
 * VALID skips the check — but unlike ALTER TABLE, a domain's VALIDATE CONSTRAINT takes the same ShareLock
 * (`alter-domain.validate-or-set-not-null`), so it only moves the wait to a time of your choosing. The scans grow
 * with the tables, so the severity follows their size. Not reported when the catalog knows the domain and no
 * existing table uses it.
 * https://www.postgresql.org/docs/current/sql-alterdomain.html
 */
export const domainConstraintAdded = defineRule({
  meta: {
    id: 'domain-constraint-added',
    description: 'ALTER DOMAIN … ADD CONSTRAINT without NOT VALID scans every table using the domain while blocking its writes.',
    defaultSeverity: 'warning',
    docs: ruleDocPath('domain-constraint-added'),
  },
  kinds: ['AlterDomainStmt'],
  check(context, stmt) {
    const constraint = stmt.subtype === 'C' ? asNode(stmt.def, 'Constraint') : undefined;
    const form = stmt.subtype === 'O' ? 'set-not-null' : constraint && !constraint.skip_validation ? 'add-constraint' : undefined;
    if (!form) return;
    const domain = (stmt.typeName ?? []).map((n) => quoteIdent(asNode(n, 'String')?.sval ?? '')).join('.');
    // Which tables use the domain depends on the columns of every table, while the cache only sees the tables the
    // lookup answered with: a table that gains a column of the domain in an earlier statement would be missed.
    // Reading every relation name (relationsInSchema is recorded with its answer) puts them all in the cache key.
    for (const name of new Set(context.file.catalog.relations().map((r) => r.schema))) context.file.schema.relationsInSchema(name);
    // The model's tables: those with a column of the domain, from the catalog. Tables created in this file are empty.
    const tables = context.effect.scans.filter((t) => !context.file.createdInFile(t));
    const known = context.file.catalog.domain(domain) !== undefined;
    if (known && tables.length === 0) return;
    const lock = (tables[0] !== undefined ? lockOn(context.effect, tables[0]) : undefined) ?? 'ShareLock';
    const sized = sizedSeverity(context, tables, domainConstraintAdded.meta.defaultSeverity);
    const which = tables.length > 0 ? tables.join(', ') : `every table with a column of ${domain} (the domain is not in the schema Lockstep knows)`;
    const what = form === 'set-not-null' ? 'SET NOT NULL' : `ADD ${constraint?.conname ? `CONSTRAINT ${constraint.conname}` : 'CONSTRAINT'}`;
    const fix =
      form === 'set-not-null'
        ? `Instead ADD CONSTRAINT … CHECK (VALUE IS NOT NULL) NOT VALID: new values are checked at once.`
        : `Add it NOT VALID: new values are checked at once.`;
    const range = context.statement.findWords('ALTER', 'DOMAIN');
    context.report({
      message:
        `ALTER DOMAIN ${domain} ${what} checks every stored value of the domain: it locks ${which} with ${lock} and reads ${tables.length === 1 ? 'it' : 'each'} in full, ` +
        `so writes wait until the scans end (${sized.phrase}). ${fix} VALIDATE CONSTRAINT on a domain takes the same ${lock}, so run it, if at all, when writes can wait.`,
      data: { domain, tables: tables.join(', '), lock, form, domainKnown: known, ...sizeData(sized) },
      severity: sized.severity,
      ...(range ? { range: { start: range.start, end: context.statement.text.length } } : {}),
    });
  },
});
