// A pure text parser remembering its answers, for fields whose few distinct texts repeat across millions of records
// (a Toronto year's dates, codes and fines; a NEM interval's label on every unit's reading in it).

/**
 * `fn` remembering its last few thousand answers: the work is done once per distinct text, not once per record. Forgets
 * everything when full, so memory stays bounded whatever the input. Answers are shared between callers: `fn` must
 * return values nobody mutates (strings, numbers, frozen objects).
 */
export function remembered<R>(fn: (text: string) => R, max = 20_000): (text: string) => R {
  const seen = new Map<string, R>();
  return (text) => {
    let r = seen.get(text);
    if (r === undefined && !seen.has(text)) {
      r = fn(text);
      if (seen.size >= max) seen.clear();
      seen.set(text, r);
    }
    return r as R;
  };
}
