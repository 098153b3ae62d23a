// Child process for the crash test: writes the store as fast as it can and reports each completed write.
import { openLowdbStore } from '../../src/store/lowdb-store.js';
import { systemClock } from '../../src/core/clock.js';

const dir = process.argv[2] ?? '';
const { store } = await openLowdbStore(dir, systemClock);
for (let i = 1; ; i++) {
  await store.update((d, tx) => {
    d.settings.instanceName = `write-${i}`;
    tx.append('audit', {
      id: `e${i}`,
      at: new Date().toISOString(),
      type: 'test',
      actor: 'writer',
      clientAddress: 'local',
      outcome: 'success',
      // Padding makes each append big enough that a kill lands mid-write now and then.
      details: { pad: 'x'.repeat(2000) },
    });
  });
  process.stdout.write(`${i}\n`);
}
