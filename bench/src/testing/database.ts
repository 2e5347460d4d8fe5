import { afterAll, beforeAll } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../engine/src/testing/db.ts';

/**
 * A fresh, migrated database for one test file's scenario runs (the node
 * under test gets its URL as DATABASE_URL), dropped after the file.
 * Call at the top of a describe; read `.current` inside its tests.
 */
export function useScenarioDatabase(): { readonly current: TestDatabase } {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    t = await freshDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });
  return {
    get current(): TestDatabase {
      if (!t) throw new Error('the scenario database is made in beforeAll: read it inside a test');
      return t;
    },
  };
}
