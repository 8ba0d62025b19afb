// Staff console: plain DOM, no framework. Untrusted text is only ever set through textContent.
'use strict';

(() => {
  const TOKEN_KEY = 'staffToken';
  const $ = (id) => document.getElementById(id);
  const state = { token: sessionStorage.getItem(TOKEN_KEY), me: '', escalations: [], records: [], selected: null, feed: null };

  // ——— HTTP ———
  async function api(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${state.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (response.status === 401) {
      signOut(data && data.message);
      throw new Error('signed out');
    }
    if (!response.ok) throw new Error((data && data.message) || `Request failed (${response.status})`);
    return data;
  }

  // ——— small DOM helpers ———
  function el(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === 'text') node.textContent = value;
      else if (key === 'className') node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }
  const since = (iso) => {
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (s < 60) return `${s}s`;
    const m = Math.floor(s / 60);
    return m < 60 ? `${m}m ${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h ${m % 60}m`;
  };
  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '');
  const REASONS = { urgent: 'Urgent, live session', 'human-requested': 'Asked for a person', 'steps-exhausted': 'Steps ran out', 'no-staff': 'No staff in time' };
  const OUTCOMES = {
    fixed: 'fixed it', 'not-fixed': "didn't help", 'already-tried': 'already tried',
    'verified-fixed': 'fixed, confirmed by the check', 'verified-not-fixed': 'not fixed, confirmed by the check',
  };
  const FACT_LABELS = {
    os: 'System', osVersion: 'System version', browser: 'Browser', browserVersion: 'Browser version', deviceType: 'Device',
    inAppBrowser: 'In-app browser', media: 'Not working', symptom: 'Symptom', errorName: 'Error', errorMessage: 'Error message',
    permission: 'Permissions', devices: 'Devices found', secureContext: 'Secure page', inIframe: 'In a frame', liveConference: 'Live session',
    role: 'Role', liveStream: 'Live-stream', urgent: 'Urgent', humanRequested: 'Asked for a person', stepsTried: 'Steps tried',
  };
  const show = (value) => {
    if (value === true) return 'yes';
    if (value === false) return 'no';
    if (Array.isArray(value)) return value.join(', ');
    if (value && typeof value === 'object') return Object.entries(value).map(([k, v]) => `${k}: ${show(v)}`).join(', ');
    return String(value);
  };

  // ——— sign-in ———
  async function signIn(token) {
    state.token = token;
    const me = await api('GET', '/api/staff/me');
    sessionStorage.setItem(TOKEN_KEY, token);
    state.me = me.name;
    $('who-name').textContent = `Signed in as ${me.name}`;
    $('sign-in').hidden = true;
    $('who').hidden = false;
    $('app').hidden = false;
    connectFeed();
    await Promise.all([loadEscalations(), loadRecords()]);
    openLinked();
  }

  // The staff webhook links to `/staff#escalation=<id>`: that escalation opens once signed in.
  function openLinked() {
    const id = /^#escalation=(.+)$/.exec(location.hash)?.[1];
    if (id) openEscalation(decodeURIComponent(id)).catch(() => {});
  }
  window.addEventListener('hashchange', () => state.token && openLinked());

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = null;
    if (state.feed) state.feed.close();
    state.feed = null;
    $('app').hidden = true;
    $('who').hidden = true;
    $('sign-in').hidden = false;
    $('sign-in-error').textContent = message || '';
  }

  $('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    $('sign-in-error').textContent = '';
    signIn($('token').value.trim()).catch((error) => {
      if (error.message !== 'signed out') $('sign-in-error').textContent = error.message;
    });
  });
  $('sign-out').addEventListener('click', () => signOut());

  // ——— live feed ———
  function connectFeed() {
    if (state.feed) state.feed.close();
    const feed = new EventSource(`/api/staff/events?token=${encodeURIComponent(state.token)}`);
    state.feed = feed;
    feed.addEventListener('ready', () => {
      $('live').classList.add('on');
      // After a reconnect, whatever happened meanwhile is reloaded.
      loadEscalations().catch(() => {});
    });
    feed.addEventListener('error', () => $('live').classList.remove('on'));
    for (const type of ['escalation.created', 'escalation.claimed', 'escalation.closed', 'escalation.timed-out', 'escalation.updated']) {
      feed.addEventListener(type, (event) => {
        const { escalation } = JSON.parse(event.data);
        loadEscalations().catch(() => {});
        if (state.selected && state.selected.kind === 'escalation' && state.selected.id === escalation.id) openEscalation(escalation.id).catch(() => {});
      });
    }
    feed.addEventListener('message', (event) => {
      const message = JSON.parse(event.data);
      if (state.selected && state.selected.kind === 'escalation' && state.selected.conversationId === message.conversationId) {
        appendMessage({ direction: message.from === 'person' ? 'in' : 'out', staff: message.from === 'staff' ? message.name : null, text: message.text, at: message.at, person: message.name });
      }
    });
    for (const type of ['support-record.created', 'support-record.updated']) feed.addEventListener(type, () => loadRecords().catch(() => {}));
  }

  // ——— queue ———
  async function loadEscalations() {
    state.escalations = await api('GET', '/api/escalations');
    renderQueue();
  }

  function escalationItem(e) {
    const selected = state.selected && state.selected.kind === 'escalation' && state.selected.id === e.id;
    const who = e.userName || e.conversationId;
    const right = e.status === 'waiting' ? el('span', { className: 'wait', 'data-since': e.createdAt, text: since(e.createdAt) }) : el('span', { className: `badge ${e.status}`, text: e.status });
    const detail = e.status === 'waiting' ? `#${e.position} · ${REASONS[e.reason] || e.reason}` : `${REASONS[e.reason] || e.reason}${e.claimedBy ? ` · ${e.claimedBy}` : ''}`;
    const item = el('li', { className: selected ? 'selected' : '', tabindex: '0' }, [
      el('div', { className: 'line1' }, [el('span', { text: who }), right]),
      el('div', { className: 'line2', text: `${e.id} · ${detail}` }),
    ]);
    const open = () => openEscalation(e.id).catch((error) => ($('action-error').textContent = error.message));
    item.addEventListener('click', open);
    item.addEventListener('keydown', (event) => event.key === 'Enter' && open());
    return item;
  }

  function renderQueue() {
    const byAge = (a, b) => a.createdAt.localeCompare(b.createdAt);
    const waiting = state.escalations.filter((e) => e.status === 'waiting').sort(byAge);
    const claimed = state.escalations.filter((e) => e.status === 'claimed').sort(byAge);
    const ended = state.escalations.filter((e) => e.status === 'closed' || e.status === 'timed-out').sort((a, b) => byAge(b, a)).slice(0, 30);
    $('waiting-count').textContent = String(waiting.length);
    $('waiting-list').replaceChildren(...waiting.map(escalationItem));
    $('claimed-list').replaceChildren(...claimed.map(escalationItem));
    $('ended-list').replaceChildren(...ended.map(escalationItem));
  }

  // Wait times tick without reloading.
  setInterval(() => {
    for (const node of document.querySelectorAll('[data-since]')) node.textContent = since(node.getAttribute('data-since'));
  }, 1000);

  // ——— one escalation ———
  async function openEscalation(id) {
    const escalation = await api('GET', `/api/escalations/${encodeURIComponent(id)}`);
    // The conversation as it is now; the escalation's own snapshot if there is nothing newer.
    const [entries, live] = await Promise.all([
      api('GET', `/api/conversations/${encodeURIComponent(escalation.conversationId)}/transcript`).catch(() => escalation.transcript.map((activity) => ({ activity, direction: activity.from && activity.from.role === 'bot' ? 'out' : 'in', at: activity.timestamp }))),
      api('GET', `/api/conversations/${encodeURIComponent(escalation.conversationId)}/diagnostics`).catch(() => escalation.diagnostics),
    ]);
    state.selected = { kind: 'escalation', id, conversationId: escalation.conversationId, escalation };
    $('detail-empty').hidden = true;
    $('record-view').hidden = true;
    $('escalation-view').hidden = false;
    $('action-error').textContent = '';
    $('esc-title').textContent = `${escalation.userName || 'Someone'} · ${REASONS[escalation.reason] || escalation.reason}`;
    const parts = [escalation.id, `status ${escalation.status}`, `asked ${time(escalation.createdAt)}`];
    if (escalation.status === 'waiting') parts.push(`position ${escalation.position}`);
    if (escalation.claimedBy) parts.push(`claimed by ${escalation.claimedBy}`);
    if (escalation.solved && escalation.solved !== 'asked') parts.push(`solved: ${escalation.solved}`);
    if (escalation.supportRecordId) parts.push(`support record ${escalation.supportRecordId}`);
    if (escalation.hubState) parts.push(`hub: ${escalation.hubState}`);
    $('esc-meta').textContent = parts.join(' · ');
    const mine = escalation.status === 'claimed' && escalation.claimedBy === state.me;
    $('claim').disabled = escalation.status !== 'waiting';
    $('close').disabled = !(escalation.status === 'waiting' || mine);
    $('check').disabled = !mine;
    $('reply').disabled = !mine;
    $('send').disabled = !mine;
    $('reply').placeholder = mine ? `Reply as ${state.me}` : 'Claim the escalation to reply';
    $('transcript').replaceChildren();
    for (const entry of entries) appendTranscriptEntry(entry);
    renderDiagnostics($('diagnostics'), live);
    $('diagnostics-json').textContent = JSON.stringify(live, null, 2);
    renderQueue();
  }

  function appendTranscriptEntry(entry) {
    const a = entry.activity || {};
    if (a.type === 'message') {
      // Who wrote it comes from the server (what it sent for staff), never from the activity's own claims.
      const staff = entry.author && entry.author.role === 'staff' ? entry.author.name : null;
      // A relayed staff message carries its sender as a "**Name:** " prefix for the person; here the label says it.
      const text = staff && a.text ? a.text.replace(/^\*\*[^*]+:\*\* /, '') : a.text;
      appendMessage({ direction: entry.direction, staff, text: text || (a.attachments && a.attachments.length ? '[card]' : ''), at: entry.at, person: entry.author && entry.author.role === 'person' ? entry.author.name : null });
    } else if (a.type === 'event' && a.name) {
      $('transcript').append(el('li', { className: 'event', text: `${time(entry.at)} · event ${a.name}` }));
    }
  }

  function appendMessage({ direction, staff, text, at, person }) {
    const who = direction === 'in' ? person || 'Person' : staff ? `${staff} (staff)` : 'Bot';
    const item = el('li', { className: `${direction}${staff ? ' staff' : ''}` }, [el('span', { className: 'who', text: `${who} · ${time(at)}` }), el('span', { text })]);
    const list = $('transcript');
    list.append(item);
    list.scrollTop = list.scrollHeight;
  }

  function renderDiagnostics(container, record) {
    container.replaceChildren();
    if (!record) {
      container.append(el('p', { className: 'empty', text: 'No diagnostics yet.' }));
      return;
    }
    const facts = el('dl', { className: 'facts' });
    for (const [name, value] of Object.entries(record.facts || {})) {
      const source = record.sources && record.sources[name] ? ` (${record.sources[name]})` : '';
      facts.append(el('dt', { text: FACT_LABELS[name] || name }), el('dd', { text: `${show(value)}${source}` }));
    }
    container.append(facts);
    if (record.findings && record.findings.length) container.append(el('h3', { text: 'Findings' }), el('p', { text: record.findings.join(', ') }));
    container.append(el('h3', { text: 'Steps tried' }));
    if (record.steps && record.steps.length) {
      container.append(el('ol', { className: 'steps' }, record.steps.map((s) => el('li', { className: `outcome-${s.outcome}`, text: `${s.adviceId}: ${OUTCOMES[s.outcome] || s.outcome}` }))));
    } else container.append(el('p', { className: 'empty', text: 'None yet.' }));
    if (record.checks && record.checks.length) {
      container.append(el('h3', { text: 'Checks' }), el('ol', { className: 'steps' }, record.checks.map((c) => el('li', {
        className: c.verdict ? `outcome-${c.verdict}` : '',
        text: `${c.requestedBy === 'staff' ? `asked by ${c.staffName || 'staff'}` : 'Check again'}${c.adviceId ? ` · ${c.adviceId}` : ''}: ${c.verdict ? OUTCOMES[c.verdict] : 'waiting for the page'} · ${time(c.answeredAt || c.requestedAt)}`,
      }))));
    }
    if (record.rules && record.rules.steps && record.rules.steps.length) container.append(el('h3', { text: 'Steps left' }), el('p', { text: record.rules.steps.join(', ') }));
    if (record.escalations && record.escalations.length) {
      container.append(el('h3', { text: 'Escalations' }), el('ol', { className: 'steps' }, record.escalations.map((e) => el('li', { text: `${e.kind} · ${e.reason} · ${e.status}${e.id ? ` · ${e.id}` : ''} · ${time(e.at)}` }))));
    }
    if (record.resolution) container.append(el('p', { text: `Resolution: ${record.resolution}` }));
  }

  async function act(path, body) {
    $('action-error').textContent = '';
    try {
      await api('POST', path, body);
      if (state.selected) await openEscalation(state.selected.id);
    } catch (error) {
      if (error.message !== 'signed out') $('action-error').textContent = error.message;
      throw error;
    }
  }
  $('claim').addEventListener('click', () => state.selected && act(`/api/escalations/${encodeURIComponent(state.selected.id)}/claim`).catch(() => {}));
  $('check').addEventListener('click', () => state.selected && act(`/api/escalations/${encodeURIComponent(state.selected.id)}/check`).catch(() => {}));
  $('close').addEventListener('click', () => state.selected && act(`/api/escalations/${encodeURIComponent(state.selected.id)}/close`).catch(() => {}));
  $('reply-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('reply').value.trim();
    if (!text || !state.selected) return;
    $('send').disabled = true;
    api('POST', `/api/escalations/${encodeURIComponent(state.selected.id)}/messages`, { text })
      .then(() => ($('reply').value = ''))
      .catch((error) => ($('action-error').textContent = error.message))
      .finally(() => ($('send').disabled = false));
  });
  $('reply').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      $('reply-form').requestSubmit();
    }
  });

  // ——— support records ———
  async function loadRecords() {
    state.records = await api('GET', '/api/support-records');
    $('records-list').replaceChildren(
      ...state.records.map((r) => {
        const item = el('li', { tabindex: '0', className: state.selected && state.selected.kind === 'record' && state.selected.id === r.id ? 'selected' : '' }, [
          el('div', { className: 'line1' }, [el('span', { text: r.id }), el('span', { className: 'badge', text: time(r.createdAt) })]),
          el('div', { className: 'line2', text: `${[r.os, r.browser].filter(Boolean).join(' · ') || 'platform unknown'} · ${REASONS[r.reason] || r.reason}` }),
        ]);
        item.addEventListener('click', () => openRecord(r));
        return item;
      }),
    );
  }

  function openRecord(r) {
    state.selected = { kind: 'record', id: r.id };
    $('detail-empty').hidden = true;
    $('escalation-view').hidden = true;
    $('record-view').hidden = false;
    $('rec-title').textContent = `Support record ${r.id}`;
    $('rec-meta').textContent = `${REASONS[r.reason] || r.reason} · filed ${new Date(r.createdAt).toLocaleString()} · conversation ${r.conversationId}`;
    const fields = [
      ['System', r.os || '—'], ['Browser', r.browser || '—'], ['Tried', r.tried.length ? r.tried.join(', ') : '—'],
      ['Contact', r.contact || '—'], ['Description', r.description || '—'], ['Escalation', r.escalationId || '—'],
    ];
    $('rec-fields').replaceChildren(...fields.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]));
    renderDiagnostics($('rec-diagnostics'), r.diagnostics);
  }

  function selectTab(records) {
    $('tab-queue').setAttribute('aria-selected', String(!records));
    $('tab-records').setAttribute('aria-selected', String(records));
    $('queue-panel').hidden = records;
    $('records-panel').hidden = !records;
  }
  $('tab-queue').addEventListener('click', () => selectTab(false));
  $('tab-records').addEventListener('click', () => selectTab(true));

  // ——— start ———
  if (state.token) signIn(state.token).catch(() => signOut());
  else signOut();
})();
