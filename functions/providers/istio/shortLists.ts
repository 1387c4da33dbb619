/**
 * Appends to a list that is usually short and lives as long as the model (a workload's ports, a
 * Service's ports). An array literal is sized exactly, while the first push onto `[]` reserves
 * 16 slots: for thousands of one- or two-element lists that is most of their memory, and the
 * garbage collector copies all of it. Returns the list to keep (a new one for the first two items).
 */
export function append<T>(list: T[] | undefined, item: T): T[] {
  if (list === undefined) return [item];
  if (list.length === 1) return [list[0]!, item];
  list.push(item);
  return list;
}

