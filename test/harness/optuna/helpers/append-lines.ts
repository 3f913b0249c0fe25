// Lock-contention helper: appends `count` study user-attribute ops one write at a time under
// the journal lock. Usage: append-lines.ts <journal> <study-id> <tag> <count>
import { JournalStorage } from '../../../../plugin/harness/optuna/journal.js';

const [file, studyId, tag, count] = process.argv.slice(2);
const storage = new JournalStorage(file!);
for (let i = 0; i < Number(count); i++) {
  // A long payload makes interleaved or torn writes visible as unparsable lines.
  storage.append([{ op_code: 2, study_id: Number(studyId), user_attr: { [`${tag}-${i}`]: `${tag}:${i}:${'x'.repeat(2000)}` } }]);
}
process.stdout.write(`${storage.workerId}\n`);
