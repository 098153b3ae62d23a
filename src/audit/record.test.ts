import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../test/fakes/store.js';
import { gatehouseStore, type Document, type DocumentLogs } from '../store/document.js';
import { appendAudit } from './record.js';
import { createAuditTypeRegistry } from './registry.js';

const now = new Date('2026-03-01T12:00:00.000Z');

function setup() {
  const registry = createAuditTypeRegistry();
  registry.registerAuditTypes('settings', { 'settings.changed': 'An admin changed a setting' });
  const store = new MemoryStore<Document, DocumentLogs>(undefined, {
    definition: gatehouseStore,
    checkRecord: registry.checkRecord,
  });
  return { store, registry };
}

describe('appendAudit', () => {
  it('records the event in the update that makes the change', async () => {
    const { store } = setup();
    const event = await store.update((d, tx) => {
      d.settings.instanceName = 'Cabin';
      return appendAudit(tx, now, {
        type: 'settings.changed',
        actor: 'admin',
        clientAddress: '127.0.0.1',
        outcome: 'success',
        details: { instanceName: 'Cabin' },
      });
    });
    expect(event).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      at: '2026-03-01T12:00:00.000Z',
      type: 'settings.changed',
      actor: 'admin',
      clientAddress: '127.0.0.1',
      outcome: 'success',
      details: { instanceName: 'Cabin' },
    });
    expect(store.log('audit').newest(5)).toEqual([event]);
    const other = await store.update((_d, tx) =>
      appendAudit(tx, now, { type: 'settings.changed', actor: 'a', clientAddress: 'x', outcome: 'failure' }),
    );
    expect(other.details).toEqual({});
    expect(other.id).not.toBe(event.id);
  });

  it('records nothing, and changes nothing, when the update fails after it', async () => {
    const { store } = setup();
    await expect(
      store.update((d, tx) => {
        appendAudit(tx, now, {
          type: 'settings.changed',
          actor: 'a',
          clientAddress: 'x',
          outcome: 'success',
        });
        d.settings.instanceName = '';
      }),
    ).rejects.toThrow(/invalid state/);
    expect(store.log('audit').count()).toBe(0);
  });

  it('refuses a type no capability registered: a programming error that fails the update', async () => {
    const { store } = setup();
    await expect(
      store.update((d, tx) => {
        d.settings.instanceName = 'Cabin';
        appendAudit(tx, now, {
          type: 'settings.renamed',
          actor: 'a',
          clientAddress: 'x',
          outcome: 'success',
        });
      }),
    ).rejects.toThrow('audit type "settings.renamed" is not registered');
    expect(store.read().settings.instanceName).toBe('Gatehouse');
    expect(store.log('audit').count()).toBe(0);
  });
});

describe('the test store', () => {
  it('knows the base product’s audit types, so a test recording an unregistered one fails', async () => {
    const store = new MemoryStore();
    const record = (type: string) =>
      store.update((_d, tx) =>
        appendAudit(tx, now, { type, actor: 'a', clientAddress: 'x', outcome: 'success' }),
      );
    await expect(record('login.success')).resolves.toMatchObject({ type: 'login.success' });
    await expect(record('settings.changed')).resolves.toMatchObject({ type: 'settings.changed' });
    await expect(record('alerts.acknowledged')).resolves.toMatchObject({ type: 'alerts.acknowledged' });
    await expect(record('login.typo')).rejects.toThrow('audit type "login.typo" is not registered');
    expect(store.log('audit').count()).toBe(3);
  });
});
