import type { Kysely, Migration } from 'kysely';

/**
 * A table group's share of the numbered migrations: for each released migration name, the
 * statements that create or change this group's tables. The store runs every group's share of
 * a migration, in the order the groups are listed, as that one migration.
 */
export type MigrationParts = Readonly<Record<string, (db: Kysely<unknown>) => Promise<void>>>;

/** The numbered migrations made of every group's parts, each name run once, in name order. */
export function composeMigrations(groups: readonly MigrationParts[]): Record<string, Migration> {
  const names = [...new Set(groups.flatMap((group) => Object.keys(group)))].sort();
  return Object.fromEntries(
    names.map((name) => [
      name,
      {
        async up(db: Kysely<unknown>) {
          for (const group of groups) await group[name]?.(db);
        },
      },
    ]),
  );
}
