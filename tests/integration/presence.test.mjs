// Presence: an agent whose desktop (its stream) went away goes offline
// with reason "disconnected" once a grace period passes without a stream
// of its user; a reconnection within the grace keeps it as it was. Agents
// that never opened a stream are not concerned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, login, client, openStream, demoIds } from './lib.mjs';

const GRACE_MS = 3000;

test('an agent whose desktop went away goes offline "disconnected" after the grace, not before a reconnection', async () => {
  const srv = await startServer({ fsync: false, env: { RELAIS_PRESENCE_GRACE_MS: String(GRACE_MS) } });
  try {
    const admin = await login(srv.url, 'admin');
    const ids = await demoIds(srv.url, admin.token);
    const agent = await login(srv.url, 'agent01');
    const me = agent.user.agent;
    const other = ids.agents.find((a) => a.id !== me).id;
    const adm = client(srv.url, admin.token);
    assert.equal((await client(srv.url, agent.token).put(`/api/v1/agents/${me}/state`, { state: 'available' })).status, 200);
    assert.equal((await adm.put(`/api/v1/agents/${other}/state`, { state: 'available' })).status, 200);
    const stateOf = async (id) => (await adm.get('/api/v1/stats/realtime')).body.agents.find((a) => a.id === id);

    // A reconnection within the grace: nothing changes.
    let st = await openStream(srv.url, agent.token, { subscribe: [`agent:${me}`] });
    await st.close();
    st = await openStream(srv.url, agent.token, { subscribe: [`agent:${me}`] });
    await sleep(GRACE_MS + 1000);
    assert.equal((await stateOf(me)).state, 'available', 'reconnected within the grace');

    // Gone for good: offline, reason disconnected, seen by a supervisor.
    const sup = await login(srv.url, 'supervisor');
    const watch = await openStream(srv.url, sup.token, { subscribe: [`agent:${me}`] });
    await st.close();
    const ev = await watch.next((m) => m.type === 'event' && m.event === 'agent.state' && m.data.agent === me, GRACE_MS + 10000);
    assert.equal(ev.data.state, 'offline');
    assert.equal(ev.data.reason, 'disconnected');
    assert.equal((await stateOf(me)).reason, 'disconnected');
    // An agent that never had a stream keeps its state.
    assert.equal((await stateOf(other)).state, 'available');
    await watch.close();
  } finally {
    await srv.stop();
  }
});
