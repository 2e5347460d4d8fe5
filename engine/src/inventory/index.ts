export * from './types.ts';
export { InventoryActor, type ActorOptions, type Handling } from './actor.ts';
export {
  apply,
  applyConfig,
  applyEntry,
  availability,
  checkInvariant,
  emptyInventory,
  restore,
  toSnapshot,
  type Handled,
} from './apply.ts';
export { eventIdOfHold, newHoldId, newTicketId, type Ids } from './ids.ts';
export { placeHold } from './commands/place_hold.ts';
export { releaseHold } from './commands/release_hold.ts';
export { confirmHold } from './commands/confirm_hold.ts';
export { expireHolds } from './commands/expire_holds.ts';
export { changeCapacity } from './commands/change_capacity.ts';
