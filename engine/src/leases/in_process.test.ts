import { InProcessLeaseStore } from './lease_store.ts';
import { leaseStoreContract } from './lease_store.contract.ts';

leaseStoreContract('in-process', async () => {
  let now = 1_000_000;
  return { store: new InProcessLeaseStore(() => now), advance: async (ms) => { now += ms; } };
});
