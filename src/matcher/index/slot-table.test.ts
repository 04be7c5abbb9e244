import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SlotTable } from './slot-table.js';

describe('SlotTable', () => {
  it('round-trips UUIDs (packed to 16 bytes) and any other id exactly', () => {
    const table = new SlotTable(4);
    const ids = [randomUUID(), randomUUID().toUpperCase(), 'plain-id', 'ünïcødé-✓-𝄞', 'x'.repeat(5_000), `${randomUUID()}-suffix`];
    const slots = ids.map((id, i) => table.allocate(`subject-${i % 2}`, id));
    assert.deepEqual(
      slots.map((slot) => table.templateIdAt(slot)),
      ids,
    );
    assert.deepEqual(
      slots.map((slot) => table.subjectName(table.subjectAt(slot))),
      ids.map((_, i) => `subject-${i % 2}`),
    );
    assert.equal(table.size, ids.length);
  });

  it('costs far less per template than a JS string id would', () => {
    const table = new SlotTable(100_000);
    for (let i = 0; i < 100_000; i++) table.allocate(`subject-${i >> 2}`, randomUUID());
    // 16 B packed UUID + 10 B offset/length/subject + the subject table shared by 4 templates.
    const perTemplate = table.memoryBytes() / 100_000;
    assert.ok(perTemplate < 60, `${perTemplate} B per template`);
  });

  it('frees a subject’s slots for reuse and compacts the id arena, keeping the other ids intact', () => {
    const table = new SlotTable(16);
    const kept = new Map<number, string>();
    for (let i = 0; i < 20_000; i++) {
      const id = `template-${i}-${'y'.repeat(i % 7)}`;
      const slot = table.allocate(`s${i % 1000}`, id);
      if (i % 1000 >= 600) kept.set(slot, id);
    }
    const used = table.length;
    const bytes = table.memoryBytes();
    for (let s = 0; s < 600; s++) assert.equal(table.releaseSubject(`s${s}`).length, 20);
    assert.ok(table.memoryBytes() < bytes - 100_000, 'the arena was compacted');
    assert.deepEqual(table.releaseSubject('s0'), [], 'a forgotten subject frees nothing');
    assert.equal(table.subjectOrdinal('s0'), undefined);
    assert.equal(table.size, 8_000);
    for (const [slot, id] of kept) {
      assert.equal(table.templateIdAt(slot), id);
      assert.ok(table.isLive(slot));
    }
    const added = new Map<number, string>();
    for (let i = 0; i < 12_000; i++) added.set(table.allocate(`new-${i % 300}`, `n${i}`), `n${i}`);
    assert.equal(table.length, used, 'new templates took the freed slots');
    assert.equal(table.size, 20_000);
    for (const [slot, id] of [...kept, ...added]) assert.equal(table.templateIdAt(slot), id);
  });
});
