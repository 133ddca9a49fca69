/** @module The hub's list of subscribers of one kind, copied on change. */

/**
 * Subscribers of one kind, copied on change: a delivery iterates the array it started with, so a
 * subscriber added or closed meanwhile changes nothing under it (and no per-block copy is needed).
 */
export class Subscribers<S> {
  items: readonly S[] = [];
  add(sub: S): void {
    this.items = [...this.items, sub];
  }
  remove(sub: S): void {
    this.items = this.items.filter((s) => s !== sub);
  }
}
