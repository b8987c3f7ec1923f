'use strict';
// The Switchboard dashboard: a page per route (#/...), data from the REST API, live updates over
// server-sent events. Everything shown is built as DOM nodes with text content: nothing the fleet
// reports is ever parsed as HTML.

const state = { me: null, csrf: '', events: null, onSummary: null, onChanges: null, charts: [] };

function h(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

const badge = (text, kind) => h('span', { class: 'badge ' + (kind || text) }, text);

async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = state.csrf;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (response.status === 401 && path !== '/api/session') { showLogin(); throw new Error('sign in first'); }
  if (!response.ok) throw new Error((data && data.detail) || response.statusText);
  return data;
}

function show(...nodes) {
  state.charts.forEach(chart => chart.destroy());
  state.charts = [];
  state.onSummary = null;
  state.onChanges = null;
  const main = document.getElementById('main');
  main.replaceChildren(...nodes);
}

function failure(error) {
  return h('p', { class: 'error' }, error.message);
}

// ---- signing in ----------------------------------------------------------------------------

async function start() {
  try {
    signedIn(await api('GET', '/api/session'));
  } catch (error) {
    showLogin();
  }
}

function showLogin() {
  document.getElementById('nav').hidden = true;
  const form = document.getElementById('login-template').content.cloneNode(true);
  show(form);
  // Offer single sign-on when configured; without local accounts it is the only way in.
  fetch('/api/sign-in-options', { credentials: 'same-origin' }).then(r => r.json()).then(options => {
    document.getElementById('sso').hidden = !options.single_sign_on;
    if (!options.local_accounts) {
      document.querySelectorAll('#login label, #login button').forEach(element => { element.hidden = true; });
    }
  }).catch(() => {});
  document.getElementById('login').addEventListener('submit', async event => {
    event.preventDefault();
    const data = new FormData(event.target);
    try {
      signedIn(await api('POST', '/api/session', { username: data.get('username'), password: data.get('password') }));
    } catch (error) {
      document.getElementById('login-error').textContent = error.message;
    }
  });
}

function signedIn(me) {
  state.me = me;
  state.csrf = me.csrf_token;
  document.getElementById('nav').hidden = false;
  const who = document.getElementById('whoami');
  who.replaceChildren(me.username + ' (' + me.role.toLowerCase() + ') ', h('a', { href: '#/', onclick: signOut }, 'sign out'));
  listen();
  route();
}

async function signOut(event) {
  event.preventDefault();
  await api('DELETE', '/api/session');
  if (state.events) state.events.close();
  location.hash = '#/';
  location.reload();
}

const canOperate = () => state.me && state.me.role !== 'VIEWER';

// ---- live updates --------------------------------------------------------------------------

function listen() {
  if (state.events) return;
  const events = new EventSource('/api/events');
  const indicator = document.getElementById('live');
  events.onopen = () => indicator.classList.add('on');
  events.onerror = () => indicator.classList.remove('on');
  events.addEventListener('summary', event => state.onSummary && state.onSummary(JSON.parse(event.data)));
  events.addEventListener('agents', event => state.onChanges && state.onChanges(JSON.parse(event.data)));
  state.events = events;
}

// ---- routing -------------------------------------------------------------------------------

const routes = [
  [/^#?\/?$/, overview],
  [/^#\/agents$/, agents],
  [/^#\/agents\/([0-9a-f-]+)$/, agent],
  [/^#\/configurations$/, configurations],
  [/^#\/configurations\/([^/]+)$/, configuration],
  [/^#\/rollouts$/, rollouts],
  [/^#\/rollouts\/([0-9a-f-]+)$/, rollout],
  [/^#\/assignments$/, assignments],
  [/^#\/audit$/, audit],
  [/^#\/cluster$/, cluster],
];

function route() {
  if (!state.me) return;
  const hash = location.hash.split('?')[0];
  for (const link of document.querySelectorAll('#nav a')) {
    link.classList.toggle('active', hash.startsWith(link.getAttribute('href')) && (link.getAttribute('href') !== '#/' || hash === '#/' || hash === ''));
  }
  for (const [pattern, page] of routes) {
    const match = hash.match(pattern);
    if (match) {
      page(...match.slice(1).map(decodeURIComponent)).catch(error => show(failure(error)));
      return;
    }
  }
  show(h('p', {}, 'No such page.'));
}

window.addEventListener('hashchange', route);
document.addEventListener('DOMContentLoaded', start);

// ---- overview ------------------------------------------------------------------------------

async function overview() {
  const summary = await api('GET', '/api/fleet');
  const cards = h('div', { class: 'cards', id: 'fleet-cards' });
  const charts = h('div', { class: 'charts' });
  const nodes = h('tbody');
  show(h('h1', {}, 'Fleet'), cards, charts, h('h2', {}, 'Sessions per node'), h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'node'), h('th', {}, 'sessions'))), nodes));
  const canvases = ['Connection', 'Agent version', 'Operating system', 'Service'].map(title => {
    const canvas = h('canvas');
    charts.append(h('div', { class: 'card' }, h('h2', {}, title), canvas));
    return canvas;
  });
  const draw = value => {
    cards.replaceChildren(
      ...[['connected', value.connected], ['disconnected', value.disconnected], ['healthy', value.healthy],
          ['unhealthy', value.unhealthy], ['drifted', value.drifted], ['total', value.total]]
        .map(([label, count]) => h('div', { class: 'stat', 'data-stat': label }, h('div', { class: 'value' }, count), h('div', { class: 'label' }, label))));
    nodes.replaceChildren(...value.sessions_per_node.map(group => h('tr', {}, h('td', {}, group.value), h('td', {}, group.count))));
    const groups = [
      [{ value: 'connected', count: value.connected }, { value: 'disconnected', count: value.disconnected }],
      value.by_version, value.by_os, value.by_service];
    groups.forEach((group, i) => chart(canvases[i], i === 0 ? 'doughnut' : 'bar', group));
  };
  draw(summary);
  state.onSummary = draw;
}

function chart(canvas, type, groups) {
  const existing = state.charts.find(chart => chart.canvas === canvas);
  const data = { labels: groups.map(group => group.value), datasets: [{ data: groups.map(group => group.count), backgroundColor: ['#2563eb', '#94a3b8', '#16a34a', '#f59e0b', '#dc2626', '#7c3aed'] }] };
  if (existing) {
    existing.data = data;
    existing.update('none');
  } else if (window.Chart) {
    state.charts.push(new Chart(canvas, { type, data, options: { animation: false, plugins: { legend: { display: type === 'doughnut' } } } }));
  }
}

// ---- agents --------------------------------------------------------------------------------

async function agents() {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const filters = h('form', { class: 'inline', id: 'agent-filters' },
    h('label', {}, 'Connection', h('select', { name: 'connection_state' }, h('option', { value: '' }, 'any'), h('option', {}, 'CONNECTED'), h('option', {}, 'DISCONNECTED'))),
    h('label', {}, 'Health', h('select', { name: 'healthy' }, h('option', { value: '' }, 'any'), h('option', { value: 'true' }, 'healthy'), h('option', { value: 'false' }, 'unhealthy'))),
    h('label', {}, 'Config', h('select', { name: 'remote_config_status' }, h('option', { value: '' }, 'any'), h('option', {}, 'APPLIED'), h('option', {}, 'APPLYING'), h('option', {}, 'FAILED'))),
    h('label', {}, 'Attribute selector', h('input', { name: 'attribute', placeholder: 'service.name in (cart,checkout)' })),
    h('label', {}, 'Label selector', h('input', { name: 'label', placeholder: 'env=prod,!legacy' })),
    h('button', { type: 'submit' }, 'Filter'));
  for (const [name, value] of params) if (filters.elements[name]) filters.elements[name].value = value;
  filters.addEventListener('submit', event => {
    event.preventDefault();
    const query = new URLSearchParams();
    for (const element of filters.elements) if (element.name && element.value) query.set(element.name, element.value);
    location.hash = '#/agents?' + query;
  });
  const rows = h('tbody');
  const more = h('button', { class: 'secondary', hidden: true }, 'Next page');
  const bulk = h('form', { class: 'inline', hidden: !canOperate() },
    h('label', {}, 'Set label on selected', h('input', { name: 'label', placeholder: 'ring=canary' })), h('button', { type: 'submit' }, 'Apply'));
  show(h('h1', {}, 'Agents'), filters, bulk,
    h('table', { id: 'agents' }, h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, 'agent'), h('th', {}, 'service'), h('th', {}, 'connection'), h('th', {}, 'health'), h('th', {}, 'config'), h('th', {}, 'labels'), h('th', {}, 'node'))), rows),
    more);
  const byUid = new Map();
  const load = async after => {
    const query = new URLSearchParams(params);
    query.set('limit', '50');
    if (after) query.set('after', after);
    const page = await api('GET', '/api/agents?' + query);
    for (const agent of page.agents) {
      const row = agentRow(agent);
      byUid.set(agent.instance_uid, row);
      rows.append(row);
    }
    more.hidden = !page.next;
    more.onclick = () => load(page.next);
  };
  bulk.addEventListener('submit', async event => {
    event.preventDefault();
    const [key, value] = bulk.elements.label.value.split('=');
    for (const box of rows.querySelectorAll('input:checked')) {
      const current = await api('GET', '/api/agents/' + box.value);
      await api('PUT', '/api/agents/' + box.value + '/labels', { labels: { ...(current.labels || {}), [key]: value || '' } });
    }
    route();
  });
  state.onChanges = update => {
    for (const change of update.changes) {
      const row = byUid.get(change.instance_uid);
      if (!row) continue;
      row.querySelector('.connection').replaceChildren(badge(change.connection_state));
      if (change.remote_config_status) row.querySelector('.config').replaceChildren(badge(change.remote_config_status));
    }
  };
  await load(params.get('after'));
}

function attribute(agent, key) {
  const description = agent.description || {};
  return (description.identifying_attributes || {})[key] || (description.non_identifying_attributes || {})[key] || '';
}

function agentRow(agent) {
  const healthy = agent.health ? (agent.health.healthy ? badge('healthy') : badge('unhealthy')) : '';
  const config = agent.remote_config_status ? badge(agent.remote_config_status.status) : '';
  const row = h('tr', { class: 'clickable', 'data-agent': agent.instance_uid },
    h('td', {}, h('input', { type: 'checkbox', value: agent.instance_uid, onclick: event => event.stopPropagation() })),
    h('td', {}, agent.instance_uid),
    h('td', {}, attribute(agent, 'service.name')),
    h('td', { class: 'connection' }, badge(agent.connection_state)),
    h('td', {}, healthy),
    h('td', { class: 'config' }, config, agent.drifted ? badge('drifted') : ''),
    h('td', {}, Object.entries(agent.labels || {}).map(([k, v]) => k + '=' + v).join(', ')),
    h('td', { class: 'muted' }, agent.owner_node || ''));
  row.addEventListener('click', () => { location.hash = '#/agents/' + agent.instance_uid; });
  return row;
}

async function agent(uid) {
  const [detail, envelopes, history] = await Promise.all([
    api('GET', '/api/agents/' + uid), api('GET', '/api/envelopes?limit=20&agent=' + uid), api('GET', '/api/agents/' + uid + '/history')]);
  const status = h('div', { id: 'agent-status' });
  const drawStatus = value => status.replaceChildren(
    h('div', { class: 'cards' },
      stat('connection', badge(value.connection_state)),
      stat('config', value.remote_config_status ? badge(value.remote_config_status.status) : 'none', 'config-status'),
      stat('drift', value.drifted ? badge('drifted') : 'none'),
      stat('config from', value.desired_config_source === 'assignment'
        ? h('a', { href: '#/assignments', id: 'agent-assignment' }, value.assignment)
        : h('span', { id: 'agent-assignment' }, value.desired_config_source), 'config-source', 'small'),
      stat('owner node', value.owner_node || '-', null, 'small'),
      stat('session epoch', value.session_epoch, null, 'small')));
  drawStatus(detail);
  const push = h('form', { id: 'push-config', hidden: !canOperate() },
    h('h2', {}, 'Push a remote config'),
    h('label', {}, 'File name', h('input', { name: 'file', value: 'collector.yaml' })),
    h('label', {}, 'Body', h('textarea', { name: 'body' }, 'receivers: {}\n')),
    h('button', { type: 'submit' }, 'Push config'),
    h('button', { type: 'button', class: 'secondary', onclick: () => command('restart') }, 'Restart agent'),
    h('p', { class: 'muted', id: 'push-result' }));
  push.addEventListener('submit', async event => {
    event.preventDefault();
    const result = document.getElementById('push-result');
    try {
      const envelope = await api('PUT', '/api/agents/' + uid + '/remote-config',
        { config_map: { [push.elements.file.value]: { content_type: 'text/yaml', body: push.elements.body.value } } });
      result.textContent = 'dispatch ' + envelope.id + ': ' + envelope.state;
    } catch (error) {
      result.textContent = error.message;
    }
  });
  const command = async name => {
    const result = document.getElementById('push-result');
    try { result.textContent = 'restart: ' + (await api('POST', '/api/agents/' + uid + '/' + name)).state; } catch (error) { result.textContent = error.message; }
  };
  const desired = envelopes.envelopes.find(envelope => envelope.kind === 'REMOTE_CONFIG' && envelope.state !== 'FAILED' && envelope.state !== 'EXPIRED');
  show(
    h('h1', {}, 'Agent ', attribute(detail, 'service.name') || uid), h('p', { class: 'muted' }, uid),
    status, push,
    h('div', { class: 'grid2' },
      h('div', {}, h('h2', {}, 'Description'), h('pre', {}, JSON.stringify(detail.description, null, 2))),
      h('div', {}, h('h2', {}, 'Health'), h('pre', {}, JSON.stringify(detail.health, null, 2)))),
    h('h2', {}, 'Available components'), availableComponents(detail.available_components),
    h('h2', {}, 'Effective versus desired config'),
    h('pre', { id: 'config-diff' }, configDiff(detail.effective_config, desired && desired.payload)),
    h('h2', {}, 'Dispatches'),
    table(['kind', 'state', 'detail', 'created', 'sent by'], envelopes.envelopes.map(envelope =>
      [envelope.kind, badge(envelope.state), envelope.detail || '', envelope.created_at, envelope.sent_by_node || '']), 'dispatch-history'),
    h('h2', {}, 'Status history'),
    table(['recorded', 'connection', 'healthy', 'config'], history.history.map(change =>
      [change.recorded_at, badge(change.connection_state), change.healthy === null ? '' : String(change.healthy), change.remote_config_status || ''])));
  state.onChanges = async update => {
    if (update.more || update.changes.some(change => change.instance_uid === uid)) drawStatus(await api('GET', '/api/agents/' + uid));
  };
}

/** What the agent reported it can run (OpAMP available_components), kind by kind. */
function availableComponents(available) {
  const kinds = available && available.components;
  if (!kinds) return h('p', { class: 'muted', id: 'available-components' }, 'not reported');
  return table(['kind', 'types'], Object.entries(kinds).map(([kind, details]) =>
    [kind, Object.keys(details.sub_components || {}).join(', ')]), 'available-components');
}

/** File by file: what the agent runs (-) against what operators want (+), as a line diff. */
function configDiff(effective, desired) {
  if (!desired) return 'no config set by operators';
  const running = (effective && effective.config_map) || {};
  const wanted = desired.config_map || {};
  const files = [...new Set([...Object.keys(running), ...Object.keys(wanted)])].sort();
  return files.map(file => {
    const before = running[file] ? String(running[file].body).split('\n') : [];
    const after = wanted[file] ? String(wanted[file].body).split('\n') : [];
    const same = before.join('\n') === after.join('\n');
    return '--- ' + file + ' (effective)\n+++ ' + file + ' (desired)\n' + (same ? '  (the same)' : lineDiff(before, after).join('\n'));
  }).join('\n\n');
}

/** A longest-common-subsequence line diff: unchanged lines indented, removed '-', added '+'. */
function lineDiff(before, after) {
  const lengths = Array.from({ length: before.length + 1 }, () => new Array(after.length + 1).fill(0));
  for (let i = before.length - 1; i >= 0; i--) {
    for (let j = after.length - 1; j >= 0; j--) {
      lengths[i][j] = before[i] === after[j] ? lengths[i + 1][j + 1] + 1 : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
    }
  }
  const lines = [];
  let i = 0, j = 0;
  while (i < before.length || j < after.length) {
    if (i < before.length && j < after.length && before[i] === after[j]) { lines.push('  ' + before[i]); i++; j++; }
    else if (j < after.length && (i === before.length || lengths[i][j + 1] >= lengths[i + 1][j])) { lines.push('+ ' + after[j]); j++; }
    else { lines.push('- ' + before[i]); i++; }
  }
  return lines;
}

function stat(label, value, id, size) {
  return h('div', { class: 'stat ' + (size || ''), id: id || null }, h('div', { class: 'value' }, value), h('div', { class: 'label' }, label));
}

function table(headings, rows, id) {
  return h('table', { id: id || null }, h('thead', {}, h('tr', {}, headings.map(heading => h('th', {}, heading)))),
    h('tbody', {}, rows.map(cells => h('tr', {}, cells.map(cell => h('td', {}, cell))))));
}

// ---- configurations ------------------------------------------------------------------------

async function configurations() {
  const list = await api('GET', '/api/configurations');
  const create = h('form', { class: 'inline', hidden: !canOperate() },
    h('label', {}, 'Name', h('input', { name: 'name', required: true })),
    h('label', {}, 'Description', h('input', { name: 'description' })),
    h('button', { type: 'submit' }, 'Create'), h('span', { class: 'error' }));
  create.addEventListener('submit', async event => {
    event.preventDefault();
    try {
      await api('POST', '/api/configurations', { name: create.elements.name.value, description: create.elements.description.value });
      location.hash = '#/configurations/' + encodeURIComponent(create.elements.name.value);
    } catch (error) { create.querySelector('.error').textContent = error.message; }
  });
  show(h('h1', {}, 'Configurations'), create,
    table(['name', 'description', 'versions', 'latest'], list.configurations.map(configuration => [
      h('a', { href: '#/configurations/' + encodeURIComponent(configuration.name) }, configuration.name),
      configuration.description, configuration.versions.length,
      configuration.versions.length ? badge(configuration.versions[configuration.versions.length - 1].state) : '']), 'configurations'));
}

async function configuration(name) {
  const detail = await api('GET', '/api/configurations/' + encodeURIComponent(name));
  const base = '/api/configurations/' + encodeURIComponent(name);
  const editor = h('form', { hidden: !canOperate(), id: 'new-version' },
    h('h2', {}, 'New version'),
    h('label', {}, 'File name', h('input', { name: 'file', value: 'collector.yaml' })),
    h('label', {}, 'Body', h('textarea', { name: 'body' }, 'receivers: {}\nexporters: {}\n')),
    h('button', { type: 'submit' }, 'Save draft'), h('span', { class: 'error' }));
  editor.addEventListener('submit', async event => {
    event.preventDefault();
    try {
      await api('POST', base + '/versions', { config_map: { [editor.elements.file.value]: { content_type: 'text/yaml', body: editor.elements.body.value } } });
      route();
    } catch (error) { editor.querySelector('.error').textContent = error.message; }
  });
  const diffOut = h('pre', { id: 'diff' }, 'pick two versions');
  const versions = detail.versions.map(version => version.version);
  const diff = h('form', { class: 'inline' },
    h('label', {}, 'From', h('select', { name: 'from' }, versions.map(v => h('option', {}, v)))),
    h('label', {}, 'To', h('select', { name: 'to' }, versions.map(v => h('option', { selected: v === versions[versions.length - 1] }, v)))),
    h('button', { type: 'submit' }, 'Diff'));
  diff.addEventListener('submit', async event => {
    event.preventDefault();
    const result = await api('GET', base + '/diff?from=' + diff.elements.from.value + '&to=' + diff.elements.to.value);
    diffOut.textContent = result.files.map(file => file.file + ': ' + file.change + (file.diff ? '\n' + file.diff : '')).join('\n\n');
  });
  const action = (version, verb) => h('button', { class: 'secondary', onclick: async () => { await api('POST', base + '/versions/' + version + '/' + verb); route(); } }, verb);
  show(h('h1', {}, 'Configuration ', name), h('p', { class: 'muted' }, detail.description),
    table(['version', 'state', 'created', 'published', ''], detail.versions.map(version => [
      version.version, badge(version.state), version.created_at, version.published_at || '',
      canOperate() ? (version.state === 'DRAFT' ? action(version.version, 'publish') : version.state === 'PUBLISHED' ? action(version.version, 'archive') : '') : '']), 'versions'),
    editor, h('h2', {}, 'Diff'), diff, diffOut);
}

// ---- assignments ---------------------------------------------------------------------------

// A configuration version bound to a selector: every agent it wins gets it, now and later.
async function assignments() {
  const list = await api('GET', '/api/assignments');
  const form = h('form', { class: 'inline', hidden: !canOperate(), id: 'new-assignment' },
    h('label', {}, 'Name', h('input', { name: 'name', required: true, pattern: '[a-z0-9][a-z0-9._-]{0,62}' })),
    h('label', {}, 'Configuration', h('input', { name: 'configuration', required: true })),
    h('label', {}, 'Version', h('input', { name: 'version', type: 'number', min: 1, required: true })),
    h('label', {}, 'Attributes', h('input', { name: 'attributes', placeholder: 'service.name in (checkout,cart)' })),
    h('label', {}, 'Labels', h('input', { name: 'labels', placeholder: 'env=prod,!legacy' })),
    h('label', {}, 'Priority', h('input', { name: 'priority', type: 'number', value: 0 })),
    h('button', { type: 'submit' }, 'Create assignment'),
    h('span', { class: 'muted', id: 'assignment-preview' }), h('span', { class: 'error' }));
  const selector = () => ({ attributes: form.elements.attributes.value, labels: form.elements.labels.value });
  // The preview follows the selector as it is typed; a late answer never overwrites a newer one.
  let asked = 0;
  const preview = async () => {
    const mine = ++asked;
    const out = document.getElementById('assignment-preview');
    try {
      const matching = (await api('POST', '/api/selectors/preview', selector())).matching;
      if (mine === asked) out.textContent = matching + ' agents match';
    } catch (error) { if (mine === asked) out.textContent = error.message; }
  };
  form.elements.attributes.addEventListener('input', preview);
  form.elements.labels.addEventListener('input', preview);
  form.addEventListener('submit', async event => {
    event.preventDefault();
    try {
      await api('POST', '/api/assignments', { name: form.elements.name.value, configuration: form.elements.configuration.value,
        version: Number(form.elements.version.value), priority: Number(form.elements.priority.value), selector: selector() });
      route();
    } catch (error) { form.querySelector('.error').textContent = error.message; }
  });
  const change = item => {
    const edit = h('form', { class: 'inline', 'data-assignment': item.name },
      h('input', { name: 'version', type: 'number', min: 1, value: item.version, 'aria-label': 'version' }),
      h('input', { name: 'priority', type: 'number', value: item.priority, 'aria-label': 'priority' }),
      h('button', { type: 'submit', class: 'secondary' }, 'Change'), h('span', { class: 'error' }));
    edit.addEventListener('submit', async event => {
      event.preventDefault();
      try {
        await api('PUT', '/api/assignments/' + encodeURIComponent(item.name),
          { version: Number(edit.elements.version.value), priority: Number(edit.elements.priority.value) });
        route();
      } catch (error) { edit.querySelector('.error').textContent = error.message; }
    });
    return edit;
  };
  const selectorText = selector => [selector.attributes, selector.labels].filter(Boolean).join(' | ') || 'every agent';
  show(h('h1', {}, 'Assignments'),
    h('p', { class: 'muted' }, 'The highest priority wins; on a tie the older assignment, then the smaller name.'), form,
    table(['name', 'configuration', 'selector', 'priority', 'agents', 'rollout', canOperate() ? 'change version / priority' : ''],
      list.assignments.map(item => [
        item.name, item.configuration + ' v' + item.version + (item.previous_version ? ' (from v' + item.previous_version + ')' : ''),
        selectorText(item.selector), item.priority, item.matched_agents,
        item.rollout_id ? h('a', { href: '#/rollouts/' + item.rollout_id }, (item.rollout_state || '').toLowerCase() || item.rollout_id.slice(0, 8)) : '',
        canOperate() ? change(item) : '']), 'assignments'));
}

// ---- rollouts ------------------------------------------------------------------------------

async function rollouts() {
  const list = await api('GET', '/api/rollouts');
  const form = h('form', { class: 'inline', hidden: !canOperate(), id: 'new-rollout' },
    h('label', {}, 'Configuration', h('input', { name: 'configuration', required: true })),
    h('label', {}, 'Version', h('input', { name: 'version', type: 'number', min: 1, required: true })),
    h('label', {}, 'Attributes', h('input', { name: 'attributes', placeholder: 'service.name=checkout' })),
    h('label', {}, 'Labels', h('input', { name: 'labels', placeholder: 'env=prod' })),
    h('label', {}, 'Strategy', h('select', { name: 'type' }, ['fixed', 'percentage', 'canary', 'all'].map(type => h('option', {}, type)))),
    h('label', {}, 'Batch size / % / canary', h('input', { name: 'size', type: 'number', min: 1, value: 5 })),
    h('button', { type: 'button', class: 'secondary', onclick: () => preview() }, 'Preview'),
    h('button', { type: 'submit' }, 'Start rollout'), h('span', { class: 'muted', id: 'preview' }), h('span', { class: 'error' }));
  // Each part as the selector grammar writes it (env=prod,ring!=canary,tier in (a,b),gpu,!legacy).
  const selector = () => ({ attributes: form.elements.attributes.value, labels: form.elements.labels.value });
  const preview = async () => {
    document.getElementById('preview').textContent = (await api('POST', '/api/selectors/preview', selector())).matching + ' agents match';
  };
  form.addEventListener('submit', async event => {
    event.preventDefault();
    const size = Number(form.elements.size.value);
    const type = form.elements.type.value;
    const strategy = { type, batch_size: type === 'fixed' ? size : undefined, percent: type === 'percentage' ? size : undefined, canary: type === 'canary' ? size : undefined };
    try {
      const created = await api('POST', '/api/rollouts', { configuration: form.elements.configuration.value, version: Number(form.elements.version.value), selector: selector(), strategy });
      location.hash = '#/rollouts/' + created.id;
    } catch (error) { form.querySelector('.error').textContent = error.message; }
  });
  show(h('h1', {}, 'Rollouts'), form,
    table(['rollout', 'configuration', 'state', 'batch', 'detail', 'created'], list.rollouts.map(item => [
      h('a', { href: '#/rollouts/' + item.id }, item.id.slice(0, 8)), item.configuration + ' v' + item.version, badge(item.state),
      (item.current_batch + 1) + ' / ' + item.batch_count, item.detail || '', item.created_at]), 'rollouts'));
}

async function rollout(id) {
  const draw = async () => {
    const item = await api('GET', '/api/rollouts/' + id);
    const act = verb => h('button', { class: 'secondary', onclick: async () => { try { await api('POST', '/api/rollouts/' + id + '/' + verb); draw(); } catch (error) { alert(error.message); } } }, verb);
    const active = item.state === 'RUNNING' || item.state === 'PAUSED';
    show(h('h1', {}, 'Rollout of ', item.configuration, ' v', item.version),
      h('div', { class: 'cards' }, stat('state', badge(item.state), 'rollout-state'), stat('batch', (item.current_batch + 1) + ' / ' + item.batch_count), stat('previous version', item.previous_version || '-')),
      h('p', { class: 'muted' }, item.detail || ''),
      h('div', { class: 'toolbar', hidden: !canOperate() },
        item.state === 'RUNNING' ? act('pause') : '', item.state === 'PAUSED' ? act('resume') : '', active ? act('abort') : '',
        item.previous_version && item.state !== 'ROLLED_BACK' && item.state !== 'ABORTED' ? act('rollback') : ''),
      h('h2', {}, 'Gates'), h('pre', {}, JSON.stringify(item.gates, null, 2)),
      h('h2', {}, 'Batches'),
      table(['batch', 'agents', 'progress', 'applied', 'failed', 'expired', 'waiting', 'disconnected', 'unhealthy'], item.batches.map(batch => {
        const bar = h('div', { class: 'progress' });
        for (const [kind, count] of [['applied', batch.applied], ['failed', batch.failed + batch.expired], ['open', batch.open]]) {
          const part = h('div', { class: kind });
          part.style.width = (100 * count / batch.targets) + '%';
          bar.append(part);
        }
        return [batch.batch + 1, batch.targets, bar, batch.applied, batch.failed, batch.expired, batch.open + batch.not_dispatched, batch.disconnected, batch.unhealthy];
      }), 'batches'));
    if (active) state.onSummary = () => draw();
  };
  await draw();
}

// ---- audit and cluster ---------------------------------------------------------------------

async function audit() {
  const page = await api('GET', '/api/audit?limit=100');
  show(h('h1', {}, 'Audit log'),
    table(['when', 'who', 'action', 'target', 'after'], page.events.map(event => [
      event.at, event.actor, event.action, event.target, h('code', {}, JSON.stringify(event.after))]), 'audit'));
}

/** Sessions (from the fleet) and shards (from the shard leases each node holds), node by node. */
function nodesOf(view) {
  const nodes = new Map();
  const node = name => nodes.get(name) || nodes.set(name, { name, sessions: 0, shards: 0 }).get(name);
  for (const group of view.sessions_per_node) node(group.value.replace(/^pekko:\/\//, '')).sessions = group.count;
  for (const lease of view.leases) if (lease.name.includes('-shard-')) node(lease.owner).shards++;
  return [...nodes.values()].sort((a, b) => a.name.localeCompare(b.name));
}

async function cluster() {
  const view = await api('GET', '/api/cluster');
  show(h('h1', {}, 'Cluster'),
    h('h2', {}, 'Members'), table(['address', 'status', 'roles'], view.members.map(member => [member.address, badge(member.status), member.roles.join(', ')]), 'members'),
    h('h2', {}, 'Sessions and shards per node'),
    table(['node', 'sessions', 'shards'], nodesOf(view).map(node => [node.name, node.sessions, node.shards]), 'nodes'),
    h('h2', {}, 'Leases'), table(['lease', 'holder', 'expires', 'fencing token'], view.leases.map(lease => [lease.name, lease.owner, lease.expires_at, lease.fencing_token])));
}
