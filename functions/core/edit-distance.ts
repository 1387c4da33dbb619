/** Levenshtein distance: the fewest one-character inserts, deletes and substitutions from a to b. */
export function editDistance(a: string, b: string): number {
  let row = [...Array(b.length + 1).keys()];
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** The known name nearest `key` by edit distance (ignoring case), when near enough to be a slip. */
export function closestName(key: string, known: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  // A rule id with a word left out (mtls-strict for mtls-not-strict) is a slip too.
  if (best && best.distance <= Math.max(2, Math.floor(key.length * 0.4))) return best.name;
  // Another form of the same word (exclusion, exclusions for exclude): a long shared stem.
  const stem = (name: string) => {
    let n = 0;
    while (n < key.length && n < name.length && key[n]!.toLowerCase() === name[n]!.toLowerCase()) n++;
    return n;
  };
  const byStem = known.filter((name) => {
    const shared = stem(name);
    return shared >= 5 && shared >= Math.min(key.length, name.length) - 2;
  });
  return byStem.length === 1 ? byStem[0] : undefined;
}
