/**
 * Asking a search method for architectures to enqueue, with the study as its memory: the
 * method (fresh from the recipe) is first told every finished hgnas trial of the study, then
 * asked until n genotypes are found that the study does not already hold in any state. Repeated
 * `hgnas optuna enqueue` calls therefore continue the search instead of repeating it.
 */
import type { Candidate, SearchMethod } from '../../search/types.js';
import { JournalStorage, JournalStudy } from './journal.js';
import { ATTR } from './layout.js';
import { syncCompleted } from './queue.js';

export interface Proposal {
  readonly candidates: Candidate[];
  /** Finished trials told to the method before asking. */
  readonly told: number;
  /** Proposals dropped because the study already held that fingerprint. */
  readonly duplicates: number;
}

export function proposeForStudy(method: SearchMethod, journalFile: string, studyName: string, n: number): Proposal {
  const storage = new JournalStorage(journalFile);
  const known = new Set<string>();
  let told = 0;
  if (storage.studyByName(studyName)) {
    const synced = syncCompleted(journalFile, studyName, { includeFailed: true });
    method.tell(synced.evaluations);
    told = synced.evaluations.length;
    for (const t of JournalStudy.open(storage, studyName).trials()) {
      const hash = t.userAttrs[ATTR.archHash];
      if (typeof hash === 'string') known.add(hash);
    }
  }
  const candidates: Candidate[] = [];
  let duplicates = 0;
  // Bounded: a method may keep proposing known genotypes in a small space.
  for (let round = 0; candidates.length < n && round < 10; round++) {
    const asked = method.ask(n - candidates.length);
    if (asked.length === 0) break;
    for (const c of asked) {
      if (known.has(c.fingerprint)) {
        duplicates++;
        continue;
      }
      known.add(c.fingerprint);
      candidates.push(c);
    }
  }
  return { candidates, told, duplicates };
}
