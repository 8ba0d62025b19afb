// Staff console: plain DOM, no framework. Untrusted text is only ever set through textContent;
// markdown is turned into DOM nodes by a small renderer that knows a few safe constructs.
'use strict';

(() => {
  const TOKEN_KEY = 'staffToken';
  const SETTINGS_KEY = 'staffAlerts';
  const $ = (id) => document.getElementById(id);
  const BASE_TITLE = document.title;
  const state = {
    token: sessionStorage.getItem(TOKEN_KEY),
    me: '',
    staff: [],
    labels: null,
    escalations: [],
    records: [],
    selected: null,
    feed: null,
    // Escalations with something the staff member has not looked at yet.
    unread: new Set(),
    // Counted in the tab title: new urgent escalations and new messages in conversations this staff member holds.
    alerts: new Set(),
    known: null,
    mode: 'reply',
    entries: [],
  };
  const settings = Object.assign({ title: true, sound: false, desktop: false }, JSON.parse(localStorage.getItem(SETTINGS_KEY) || '{}'));

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
  const enc = encodeURIComponent;

  // ——— small DOM helpers ———
  function el(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'text') node.textContent = value;
      else if (key === 'className') node.className = value;
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }
  const since = (iso) => {
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (s < 60) return `${s}s`;
    const m = Math.floor(s / 60);
    return m < 60 ? `${m}m ${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
  };
  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '');
  const L = (group, key) => (state.labels && state.labels[group] && state.labels[group][key]) || key;
  const advice = (id) => L('advice', id);

  /** A fact's value in words, from the labels the bot's cards use. */
  function showValue(name, value) {
    if (value === true) return 'yes';
    if (value === false) return 'no';
    if (name === 'os') return L('os', value);
    if (name === 'browser') return L('browsers', value);
    if (name === 'role') return L('roles', value);
    if (name === 'stepsTried' && Array.isArray(value)) return value.map(advice).join(', ');
    if (Array.isArray(value)) return value.map((v) => L('values', String(v))).join(', ');
    if (value && typeof value === 'object') return Object.entries(value).map(([k, v]) => `${L('values', k)}: ${showValue(k, v)}`).join(', ');
    return L('values', String(value));
  }

  // ——— safe markdown: paragraphs, "- " lists, **bold**, *italic*, `code`, [links](https://…) ———
  const INLINE = /(\*\*[^*\n]+\*\*|`[^`\n]+`|\[[^\]\n]+\]\([^)\s]+\)|\*[^*\n]+\*|_[^_\n]+_)/;
  function inline(text) {
    const nodes = [];
    for (const part of text.split(INLINE)) {
      if (!part) continue;
      if (part.startsWith('**') && part.endsWith('**') && part.length > 4) nodes.push(el('strong', { text: part.slice(2, -2) }));
      else if (part.startsWith('`') && part.endsWith('`') && part.length > 2) nodes.push(el('code', { text: part.slice(1, -1) }));
      else if (part.startsWith('[')) {
        const match = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(part);
        let url = null;
        try {
          url = match ? new URL(match[2]) : null;
        } catch {
          url = null;
        }
        if (match && url && (url.protocol === 'https:' || url.protocol === 'http:')) nodes.push(el('a', { href: url.href, target: '_blank', rel: 'noopener noreferrer', text: match[1] }));
        else nodes.push(document.createTextNode(part));
      } else if ((part.startsWith('*') && part.endsWith('*')) || (part.startsWith('_') && part.endsWith('_'))) nodes.push(el('em', { text: part.slice(1, -1) }));
      else nodes.push(document.createTextNode(part));
    }
    return nodes;
  }
  function markdown(text) {
    const root = el('div', { className: 'md' });
    for (const block of String(text).split(/\n{2,}/)) {
      const lines = block.split('\n');
      if (lines.every((l) => /^\s*[-*] /.test(l))) {
        root.append(el('ul', {}, lines.map((l) => el('li', {}, inline(l.replace(/^\s*[-*] /, ''))))));
      } else {
        const p = el('p');
        lines.forEach((line, i) => {
          if (i > 0) p.append(el('br'));
          p.append(...inline(line));
        });
        root.append(p);
      }
    }
    return root;
  }

  // ——— alerts: tab title count, sound, desktop notification; each can be turned off ———
  function saveSettings() {
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
  }
  function renderAlertSettings() {
    $('alert-title').checked = settings.title;
    $('alert-sound').checked = settings.sound;
    $('alert-desktop').checked = settings.desktop && 'Notification' in window && Notification.permission === 'granted';
    $('alert-desktop-state').textContent = !('Notification' in window)
      ? 'This browser has no desktop notifications.'
      : Notification.permission === 'denied'
        ? 'Blocked in the browser’s site settings.'
        : '';
  }
  $('alert-title').addEventListener('change', (e) => {
    settings.title = e.target.checked;
    saveSettings();
    renderTitle();
  });
  $('alert-sound').addEventListener('change', (e) => {
    settings.sound = e.target.checked;
    saveSettings();
  });
  $('alert-desktop').addEventListener('change', async (e) => {
    // Permission is asked for only on this click, never on load.
    if (e.target.checked && 'Notification' in window && Notification.permission === 'default') await Notification.requestPermission();
    settings.desktop = e.target.checked && 'Notification' in window && Notification.permission === 'granted';
    saveSettings();
    renderAlertSettings();
  });
  function renderTitle() {
    const count = state.alerts.size;
    document.title = settings.title && count > 0 ? `(${count}) ${BASE_TITLE}` : BASE_TITLE;
  }
  let audio = null;
  function beep() {
    try {
      audio = audio || new AudioContext();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.35);
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.35);
    } catch {
      // No audio here; the title count still says it.
    }
  }
  function alert(key, title, body) {
    if (state.selected && state.selected.kind === 'escalation' && key.endsWith(state.selected.id) && document.hasFocus()) return;
    state.alerts.add(key);
    renderTitle();
    if (settings.sound) beep();
    if (settings.desktop && 'Notification' in window && Notification.permission === 'granted') {
      try {
        new Notification(title, { body, tag: key });
      } catch {
        // Some browsers allow notifications only from a service worker.
      }
    }
  }
  function clearAlerts(id) {
    for (const key of [...state.alerts]) if (key.endsWith(id)) state.alerts.delete(key);
    renderTitle();
  }

  // ——— sign-in ———
  async function signIn(token) {
    state.token = token;
    const me = await api('GET', '/api/staff/me');
    sessionStorage.setItem(TOKEN_KEY, token);
    state.me = me.name;
    const [labels] = await Promise.all([api('GET', '/api/staff/labels'), loadStaff()]);
    state.labels = labels;
    $('dismiss-reason').replaceChildren(...Object.entries(labels.dismissReasons).map(([value, label]) => el('option', { value, text: label })));
    $('who-name').textContent = `Signed in as ${me.name}`;
    $('sign-in').hidden = true;
    $('who').hidden = false;
    $('app').hidden = false;
    renderAlertSettings();
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

  /** Who else is signed in (has the console open), on any instance. */
  async function loadStaff() {
    const staff = await api('GET', '/api/staff');
    state.staff = staff.map((s) => s.name);
    state.online = new Set(staff.filter((s) => s.online).map((s) => s.name));
    $('online').textContent = `Online: ${staff.filter((s) => s.online).map((s) => s.name).join(', ') || 'nobody'}`;
    const select = $('transfer-to');
    const chosen = select.value;
    select.replaceChildren(...state.staff.filter((n) => n !== state.me).map((n) => el('option', { value: n, text: state.online.has(n) ? `${n} (online)` : `${n} (offline)` })));
    if (chosen) select.value = chosen;
  }
  setInterval(() => {
    if (state.token) loadStaff().catch(() => {});
  }, 15_000);

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
  const isOpen = (id) => state.selected && state.selected.kind === 'escalation' && state.selected.id === id;
  function connectFeed() {
    if (state.feed) state.feed.close();
    const feed = new EventSource(`/api/staff/events?token=${enc(state.token)}`);
    state.feed = feed;
    feed.addEventListener('ready', () => {
      $('live').classList.add('on');
      loadStaff().catch(() => {});
      // After a reconnect, whatever happened meanwhile is reloaded.
      loadEscalations().catch(() => {});
    });
    feed.addEventListener('error', () => $('live').classList.remove('on'));
    for (const type of ['escalation.created', 'escalation.claimed', 'escalation.closed', 'escalation.timed-out', 'escalation.updated']) {
      feed.addEventListener(type, (event) => {
        const { escalation } = JSON.parse(event.data);
        loadEscalations().catch(() => {});
        // The open escalation follows its status live: header, actions and diagnostics.
        if (isOpen(escalation.id)) openEscalation(escalation.id, { keepScroll: true }).catch(() => {});
      });
    }
    feed.addEventListener('message', (event) => {
      const message = JSON.parse(event.data);
      const escalation = state.escalations.find((e) => e.id === message.escalationId);
      if (isOpen(message.escalationId)) {
        // Staff messages come back through the transcript, with their author from the server.
        if (message.from === 'person') appendEntry($('transcript'), { direction: 'in', at: message.at, activity: { type: 'message', text: message.text }, author: { role: 'person', name: state.selected.name } });
        else openEscalation(message.escalationId, { keepScroll: true }).catch(() => {});
      }
      if (message.from === 'person') {
        if (!isOpen(message.escalationId) || !document.hasFocus()) state.unread.add(message.escalationId);
        if (escalation && escalation.status === 'claimed' && escalation.claimedBy === state.me) {
          alert(`message:${message.escalationId}`, `New message from ${escalation.brief.name}`, message.text);
        }
        loadEscalations().catch(() => {});
      }
    });
    for (const type of ['support-record.created', 'support-record.updated']) {
      feed.addEventListener(type, (event) => {
        const { supportRecordId } = JSON.parse(event.data);
        loadRecords().catch(() => {});
        if (state.selected && state.selected.kind === 'record' && state.selected.id === supportRecordId) openRecord(supportRecordId).catch(() => {});
      });
    }
  }

  // ——— queue ———
  async function loadEscalations() {
    const escalations = await api('GET', '/api/escalations');
    // New urgent escalations alert (not the ones already there when the console opened).
    if (state.known) {
      for (const e of escalations) {
        if (state.known.has(e.id) || e.status !== 'waiting') continue;
        state.unread.add(e.id);
        if (e.brief.urgencyRank <= 1) alert(`urgent:${e.id}`, `Urgent: ${e.brief.name}`, [e.brief.urgency, e.brief.problem].filter(Boolean).join(' · '));
      }
    }
    state.known = new Set(escalations.map((e) => e.id));
    state.escalations = escalations;
    renderQueue();
  }

  function escalationItem(e) {
    const b = e.brief;
    const selected = isOpen(e.id);
    const unread = state.unread.has(e.id);
    const right =
      e.status === 'waiting'
        ? el('span', { className: 'wait', 'data-since': e.createdAt, title: 'Waiting', text: since(e.createdAt) })
        : e.status === 'claimed'
          ? el('span', { className: 'wait held', title: `With ${e.claimedBy}` }, [document.createTextNode(`${e.claimedBy === state.me ? 'you' : e.claimedBy} · `), el('span', { 'data-since': e.claimedAt, text: since(e.claimedAt) })])
          : el('span', { className: `badge ${e.status}`, text: e.dismissReason ? L('dismissReasons', e.dismissReason) : L('escalations', e.status) });
    const tried = b.tried.length ? `${b.tried.length} tried: ${b.tried.map((t) => t.title).join(', ')}` : 'nothing tried yet';
    const item = el('li', { className: [selected ? 'selected' : '', unread ? 'unread' : '', `rank-${b.urgencyRank}`].filter(Boolean).join(' '), tabindex: '0', 'data-id': e.id }, [
      el('div', { className: 'line1' }, [
        el('span', { className: 'name' }, [unread ? el('span', { className: 'dot', title: 'Unread', 'aria-label': 'unread' }) : null, document.createTextNode(b.name)]),
        el('span', { className: `urgency rank-${b.urgencyRank}`, text: b.urgency }),
        right,
      ]),
      el('div', { className: 'line2', text: [b.platform || 'platform unknown', b.problem || 'problem not known yet'].join(' · ') }),
      el('div', { className: 'line3', text: `${tried} · ${b.check.summary}` }),
      b.lastMessage ? el('div', { className: 'line4', text: `“${b.lastMessage.text}”` }) : null,
    ]);
    const open = () => openEscalation(e.id).catch((error) => ($('action-error').textContent = error.message));
    item.addEventListener('click', open);
    item.addEventListener('keydown', (event) => event.key === 'Enter' && open());
    return item;
  }

  // Most urgent first, then the longest wait.
  const byUrgency = (a, b) => a.brief.urgencyRank - b.brief.urgencyRank || a.createdAt.localeCompare(b.createdAt);
  function renderQueue() {
    const waiting = state.escalations.filter((e) => e.status === 'waiting').sort(byUrgency);
    const claimed = state.escalations.filter((e) => e.status === 'claimed').sort((a, b) => Number(b.claimedBy === state.me) - Number(a.claimedBy === state.me) || byUrgency(a, b));
    const ended = state.escalations.filter((e) => e.status === 'closed' || e.status === 'timed-out').sort((a, b) => (b.closedAt || '').localeCompare(a.closedAt || '')).slice(0, 30);
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
  async function openEscalation(id, options = {}) {
    const escalation = await api('GET', `/api/escalations/${enc(id)}`);
    // The conversation as it is now; the escalation's own snapshot if there is nothing newer.
    const [entries, live] = await Promise.all([
      api('GET', `/api/conversations/${enc(escalation.conversationId)}/transcript`).catch(() => []),
      api('GET', `/api/conversations/${enc(escalation.conversationId)}/diagnostics`).catch(() => escalation.diagnostics),
    ]);
    const switched = !isOpen(id);
    state.selected = { kind: 'escalation', id, conversationId: escalation.conversationId, name: escalation.brief.name, escalation };
    state.entries = entries;
    state.notes = escalation.notes;
    state.unread.delete(id);
    clearAlerts(id);
    $('detail-empty').hidden = true;
    $('record-view').hidden = true;
    $('report-view').hidden = true;
    $('escalation-view').hidden = false;
    if (switched) $('action-error').textContent = '';
    const b = escalation.brief;
    $('esc-title').textContent = `${b.name} · ${b.urgency}`;
    $('esc-meta').textContent = [escalation.id, b.platform, b.problem, b.check.summary].filter(Boolean).join(' · ');
    renderStatus(escalation);
    const mine = escalation.status === 'claimed' && escalation.claimedBy === state.me;
    const ended = escalation.status === 'closed' || escalation.status === 'timed-out';
    $('claim').hidden = escalation.status !== 'waiting';
    $('dismiss').parentElement.hidden = escalation.status !== 'waiting';
    $('release').hidden = !mine;
    $('transfer').parentElement.hidden = !mine;
    $('close').hidden = !mine;
    $('reopen').hidden = !ended;
    $('transfer').disabled = $('transfer-to').options.length === 0;
    $('check').disabled = !mine;
    $('reply').disabled = !mine;
    $('send').disabled = !mine;
    $('reply').placeholder = mine ? `Reply as ${state.me} (markdown: **bold**, [link](https://…))` : 'Claim the escalation to reply';
    renderTranscript(options.keepScroll && !switched);
    renderDiagnostics($('diagnostics'), live, { steps: true });
    renderTrace($('diagnostics'), escalation.trace || []);
    $('diagnostics-json').textContent = JSON.stringify(live, null, 2);
    if (state.mode === 'advice') searchAdvice();
    renderQueue();
  }

  function renderStatus(e) {
    const parts = [L('escalations', e.status)];
    if (e.status === 'waiting') parts.push(`number ${e.position} in the queue`, `waiting ${since(e.createdAt)}`);
    if (e.status === 'claimed') parts.push(`with ${e.claimedBy} for ${since(e.claimedAt)}`);
    if (e.dismissReason) parts.push(`dismissed by ${e.closedBy}: ${L('dismissReasons', e.dismissReason)}`);
    else if (e.closedBy) parts.push(`closed by ${e.closedBy}`);
    if (e.solved && e.solved !== 'asked') parts.push(`solved: ${e.solved}`);
    else if (e.solved === 'asked') parts.push('asked whether it is solved');
    if (e.satisfaction) parts.push(`rated “${L('ratings', e.satisfaction)}”`);
    if (e.supportRecordId) parts.push(`support record ${e.supportRecordId}`);
    if (e.pendingAdvice) parts.push(`waiting for an answer to “${advice(e.pendingAdvice)}”`);
    if (e.hubState) parts.push(`hub: ${e.hubState}`);
    $('esc-status').textContent = `${L('reasons', e.reason)} · ${parts.join(' · ')}`;
    $('esc-status').className = `status-line ${e.status}`;
  }

  function renderTranscript(keepScroll) {
    const list = $('transcript');
    const top = list.scrollTop;
    list.replaceChildren();
    // Internal notes sit in the conversation at their time, marked as notes.
    const items = [...state.entries.map((entry) => ({ at: entry.at, entry })), ...(state.notes || []).map((note) => ({ at: note.at, note }))].sort((a, b) => a.at.localeCompare(b.at));
    for (const item of items) {
      if (item.note) list.append(el('li', { className: 'note' }, [el('span', { className: 'who', text: `Internal note · ${item.note.author} · ${time(item.note.at)}` }), markdown(item.note.text)]));
      else appendEntry(list, item.entry, true);
    }
    list.scrollTop = keepScroll ? top : list.scrollHeight;
  }

  /** One transcript entry; who wrote it comes from the server's `author`, never from the activity's own claims. */
  function appendEntry(list, entry, quiet) {
    const a = entry.activity || {};
    const role = entry.author ? entry.author.role : entry.direction === 'in' ? 'person' : 'bot';
    if (a.type === 'message') {
      const staff = role === 'staff' ? entry.author.name : null;
      // A relayed staff message may carry its sender as a "**Name:** " prefix for the person; here the label says it.
      const text = staff && a.text ? a.text.replace(/^\*\*[^*]+:\*\* /, '') : a.text || '';
      const who = role === 'person' ? (entry.author && entry.author.name) || (state.selected && state.selected.name) || 'Person' : staff ? `${staff} (staff)` : 'Bot';
      const body = [el('span', { className: 'who', text: `${who} · ${time(entry.at)}` })];
      if (text) body.push(markdown(text));
      const adviceId = a.channelData && a.channelData.adviceId;
      if (adviceId) body.push(el('span', { className: 'tag', text: `${a.channelData.adviceKind === 'finding' ? 'Finding' : 'Step'}: ${advice(adviceId)}` }));
      const buttons = a.suggestedActions && a.suggestedActions.actions;
      if (buttons && buttons.length) body.push(el('span', { className: 'buttons', text: buttons.map((b) => b.title).join(' · ') }));
      if (!text && a.attachments && a.attachments.length) body.push(el('span', { className: 'tag', text: 'Card: diagnostics' }));
      list.append(el('li', { className: `${role === 'person' ? 'in' : 'out'}${staff ? ' staff' : ''}` }, body));
    } else {
      // Joins, hand-off events, probe results: technical, shown only when asked for.
      const name = a.type === 'event' ? a.name : a.type;
      list.append(el('li', { className: 'event', text: `${time(entry.at)} · ${a.type === 'event' ? 'event' : 'activity'} ${name || ''}` }));
    }
    if (!quiet) list.scrollTop = list.scrollHeight;
  }
  $('show-events').addEventListener('change', (e) => {
    document.body.classList.toggle('show-events', e.target.checked);
  });

  function renderDiagnostics(container, record, options) {
    container.replaceChildren();
    if (!record) {
      container.append(el('p', { className: 'empty', text: 'No diagnostics yet.' }));
      return;
    }
    const facts = el('dl', { className: 'facts' });
    for (const [name, value] of Object.entries(record.facts || {})) {
      if (name === 'stepsTried') continue;
      const source = record.sources && record.sources[name] ? L('sources', record.sources[name]) : '';
      facts.append(el('dt', { text: L('facts', name) }), el('dd', {}, [document.createTextNode(showValue(name, value)), source ? el('span', { className: 'source', text: ` ${source}` }) : null]));
    }
    container.append(facts);
    if (record.findings && record.findings.length) container.append(el('h4', { text: 'Findings' }), el('ul', { className: 'steps' }, record.findings.map((id) => el('li', { text: advice(id) }))));
    if (options.steps) {
      container.append(el('h4', { text: 'Steps tried' }));
      if (record.steps && record.steps.length) {
        container.append(el('ol', { className: 'steps' }, record.steps.map((s) => el('li', { className: `outcome-${s.outcome}` }, [document.createTextNode(`${advice(s.adviceId)}: `), el('strong', { text: L('outcomes', s.outcome) })]))));
      } else container.append(el('p', { className: 'empty', text: 'None yet.' }));
    }
    if (record.checks && record.checks.length) {
      container.append(el('h4', { text: 'Checks' }), el('ol', { className: 'steps' }, record.checks.map((c) => el('li', {
        className: c.verdict ? `outcome-${c.verdict}` : '',
        text: `${c.requestedBy === 'staff' ? `asked by ${c.staffName || 'staff'}` : 'Check again'}${c.adviceId ? ` · ${advice(c.adviceId)}` : ''}: ${c.verdict ? L('outcomes', c.verdict) : 'waiting for the page'} · ${time(c.answeredAt || c.requestedAt)}`,
      }))));
    }
    if (record.rules && record.rules.steps && record.rules.steps.length) container.append(el('h4', { text: 'Steps left' }), el('ol', { className: 'steps' }, record.rules.steps.map((id) => el('li', { text: advice(id) }))));
    if (record.escalations && record.escalations.length) {
      container.append(
        el('h4', { text: 'Escalations' }),
        el('ol', { className: 'steps' }, record.escalations.map((e) => el('li', { text: `${L('escalations', e.kind)} · ${L('reasons', e.reason)} · ${L('escalations', e.status)} · ${time(e.at)}` }))),
      );
    }
    if (record.resolution) container.append(el('p', { text: `Outcome: ${L('escalations', record.resolution)}` }));
  }

  /** Why the bot said what it said: each finding, step and escalation with its rule and the facts it matched. */
  function renderTrace(container, trace) {
    const shown = trace.filter((t) => !t.tried);
    if (!shown.length) return;
    const kinds = { finding: 'Finding', step: 'Step', escalation: 'Escalation' };
    const details = el('details', { className: 'trace', open: true }, [el('summary', { text: 'Why the bot said this' })]);
    details.append(
      el('ol', { className: 'trace-list' }, shown.map((t) =>
        el('li', { 'data-rule': t.ruleId }, [
          el('div', {}, [el('span', { className: 'tag', text: kinds[t.type] || t.type }), document.createTextNode(' '), el('strong', { text: t.title })]),
          t.rule ? el('div', { className: 'rule', text: t.rule }) : null,
          el('ul', { className: 'reasons' }, t.reasons.map((r) => el('li', {}, [document.createTextNode(r.text), r.source ? el('span', { className: 'source', text: ` ${r.source}` }) : null]))),
        ]),
      )),
    );
    container.append(details);
  }

  async function act(path, body) {
    $('action-error').textContent = '';
    try {
      await api('POST', path, body);
      if (state.selected) await openEscalation(state.selected.id);
    } catch (error) {
      if (error.message !== 'signed out') $('action-error').textContent = error.message;
    }
  }
  const on = (id, path, body) => $(id).addEventListener('click', () => state.selected && act(`/api/escalations/${enc(state.selected.id)}/${path}`, body && body()));
  on('claim', 'claim');
  on('release', 'release');
  on('close', 'close');
  on('reopen', 'reopen');
  on('transfer', 'transfer', () => ({ to: $('transfer-to').value }));
  on('dismiss', 'dismiss', () => ({ reason: $('dismiss-reason').value }));

  // ——— composer: reply, advice, internal note ———
  function setMode(mode) {
    state.mode = mode;
    for (const m of ['reply', 'advice', 'note']) $(`mode-${m}`).setAttribute('aria-selected', String(m === mode));
    $('reply-form').hidden = mode !== 'reply';
    $('advice-box').hidden = mode !== 'advice';
    $('note-form').hidden = mode !== 'note';
    if (mode === 'advice') searchAdvice();
  }
  for (const m of ['reply', 'advice', 'note']) $(`mode-${m}`).addEventListener('click', () => setMode(m));

  on('check', 'check');
  $('reply-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('reply').value.trim();
    if (!text || !state.selected) return;
    $('send').disabled = true;
    api('POST', `/api/escalations/${enc(state.selected.id)}/messages`, { text })
      .then(() => ($('reply').value = ''))
      .catch((error) => ($('action-error').textContent = error.message))
      .finally(() => ($('send').disabled = false));
  });
  for (const [box, form] of [['reply', 'reply-form'], ['note', 'note-form'], ['rec-note', 'rec-note-form']]) {
    $(box).addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        $(form).requestSubmit();
      }
    });
  }

  let adviceTimer = null;
  async function searchAdvice() {
    const found = await api('GET', `/api/advice?q=${enc($('advice-search').value.trim())}`).catch(() => []);
    const e = state.selected && state.selected.escalation;
    const mine = e && e.status === 'claimed' && e.claimedBy === state.me;
    const tried = new Set(((e && e.brief.tried) || []).map((t) => t.adviceId));
    $('advice-list').replaceChildren(
      ...found.slice(0, 30).map((a) => {
        const send = el('button', { type: 'button', className: 'secondary', disabled: !mine, title: mine ? 'Send as a step with its buttons' : 'Claim the escalation first', text: 'Send' });
        send.addEventListener('click', () => act(`/api/escalations/${enc(state.selected.id)}/advice`, { adviceId: a.id }));
        return el('li', { 'data-advice': a.id }, [el('div', { className: 'advice-text' }, [el('strong', { text: a.title }), tried.has(a.id) ? el('span', { className: 'tag', text: 'tried' }) : null, el('span', { className: 'excerpt', text: a.text.replace(/[*_`[\]]/g, '').slice(0, 140) })]), send]);
      }),
    );
  }
  $('advice-search').addEventListener('input', () => {
    clearTimeout(adviceTimer);
    adviceTimer = setTimeout(() => searchAdvice(), 150);
  });

  $('note-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('note').value.trim();
    if (!text || !state.selected) return;
    act(`/api/escalations/${enc(state.selected.id)}/notes`, { text }).then(() => ($('note').value = ''));
  });

  // ——— support records ———
  let recordsTimer = null;
  async function loadRecords() {
    const params = new URLSearchParams();
    if ($('records-status').value) params.set('status', $('records-status').value);
    if ($('records-search').value.trim()) params.set('q', $('records-search').value.trim());
    state.records = await api('GET', `/api/support-records?${params}`);
    $('records-list').replaceChildren(
      ...state.records.map((r) => {
        const selected = state.selected && state.selected.kind === 'record' && state.selected.id === r.id;
        const item = el('li', { tabindex: '0', className: selected ? 'selected' : '', 'data-id': r.id }, [
          el('div', { className: 'line1' }, [el('span', { className: 'name', text: r.contact || r.id }), el('span', { className: `badge record-${r.status}`, text: r.status }), el('span', { className: 'wait', text: time(r.createdAt) })]),
          el('div', { className: 'line2', text: `${r.id} · ${platformWords(r.diagnostics) || 'platform unknown'} · ${L('reasons', r.reason)}` }),
          r.description ? el('div', { className: 'line4', text: `“${r.description}”` }) : null,
        ]);
        const open = () => openRecord(r.id).catch((error) => ($('rec-error').textContent = error.message));
        item.addEventListener('click', open);
        item.addEventListener('keydown', (event) => event.key === 'Enter' && open());
        return item;
      }),
    );
  }
  $('records-status').addEventListener('change', () => loadRecords().catch(() => {}));
  $('records-search').addEventListener('input', () => {
    clearTimeout(recordsTimer);
    recordsTimer = setTimeout(() => loadRecords().catch(() => {}), 200);
  });

  function platformWords(record) {
    const f = (record && record.facts) || {};
    return [f.os && [L('os', f.os), f.osVersion].filter(Boolean).join(' '), f.browser && [L('browsers', f.browser), (f.browserVersion || '').split('.')[0]].filter(Boolean).join(' ')].filter(Boolean).join(' · ');
  }

  async function openRecord(id) {
    const r = await api('GET', `/api/support-records/${enc(id)}`);
    const entries = await api('GET', `/api/conversations/${enc(r.conversationId)}/transcript`).catch(() => []);
    state.selected = { kind: 'record', id: r.id, record: r };
    $('detail-empty').hidden = true;
    $('escalation-view').hidden = true;
    $('report-view').hidden = true;
    $('record-view').hidden = false;
    $('rec-error').textContent = '';
    $('rec-title').textContent = `Support record ${r.id} · ${r.status}`;
    $('rec-meta').textContent = `${L('reasons', r.reason)} · filed ${new Date(r.createdAt).toLocaleString()}${r.statusBy ? ` · ${r.status} by ${r.statusBy} ${new Date(r.statusAt).toLocaleString()}` : ''}`;
    const steps = (r.diagnostics && r.diagnostics.steps) || [];
    // The tried steps are shown once, here, by title and with how they went.
    const tried = steps.length ? el('ol', { className: 'steps' }, steps.map((s) => el('li', { className: `outcome-${s.outcome}` }, [document.createTextNode(`${advice(s.adviceId)}: `), el('strong', { text: L('outcomes', s.outcome) })]))) : document.createTextNode(r.tried.length ? r.tried.map(advice).join(', ') : '—');
    const fields = [
      ['Contact', document.createTextNode(r.contact || '—')],
      ['Description', r.description ? markdown(r.description) : document.createTextNode('—')],
      ['Platform', document.createTextNode(platformWords(r.diagnostics) || [r.os, r.browser].filter(Boolean).join(' · ') || '—')],
      ['Tried', tried],
      ['Escalation', document.createTextNode(r.escalationId || '—')],
      ['Conversation', document.createTextNode(r.conversationId)],
    ];
    $('rec-fields').replaceChildren(...fields.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', {}, [v])]));
    $('rec-notes').replaceChildren(...(r.notes.length ? r.notes.map((n) => el('li', { className: 'note' }, [el('span', { className: 'who', text: `${n.author} · ${new Date(n.at).toLocaleString()}` }), markdown(n.text)])) : [el('li', { className: 'empty', text: 'No notes yet.' })]));
    $('rec-contacted').hidden = r.status === 'contacted';
    $('rec-resolved').hidden = r.status === 'resolved';
    $('rec-open').hidden = r.status === 'open';
    const transcript = $('rec-transcript');
    transcript.replaceChildren();
    for (const entry of entries) appendEntry(transcript, entry, true);
    renderDiagnostics($('rec-diagnostics'), r.diagnostics, { steps: false });
    loadRecords().catch(() => {});
  }
  async function recordAct(path, body) {
    $('rec-error').textContent = '';
    try {
      await api('POST', `/api/support-records/${enc(state.selected.id)}/${path}`, body);
      await openRecord(state.selected.id);
    } catch (error) {
      if (error.message !== 'signed out') $('rec-error').textContent = error.message;
    }
  }
  for (const status of ['contacted', 'resolved', 'open']) $(`rec-${status}`).addEventListener('click', () => state.selected && recordAct('status', { status }));
  $('rec-note-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('rec-note').value.trim();
    if (!text || !state.selected) return;
    recordAct('notes', { text }).then(() => ($('rec-note').value = ''));
  });

  // ——— reports ———
  const day = (date) => date.toISOString().slice(0, 10);
  $('report-to').value = day(new Date());
  $('report-from').value = day(new Date(Date.now() - 6 * 86_400_000));
  function reportQuery() {
    // "To" is inclusive for people; the API's window ends before it.
    const to = new Date(`${$('report-to').value}T00:00:00Z`);
    to.setUTCDate(to.getUTCDate() + 1);
    return `from=${enc(`${$('report-from').value}T00:00:00Z`)}&to=${enc(to.toISOString())}`;
  }
  const percent = (value) => (value === null ? '—' : `${Math.round(value * 1000) / 10} %`);
  const duration = (s) => (s === null ? '—' : s < 60 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`);
  const platform = (r) => [r.os ? L('os', r.os) : 'unknown system', r.browser ? L('browsers', r.browser) : 'unknown browser'].join(' · ');
  function table(node, head, rows) {
    node.replaceChildren(
      el('thead', {}, [el('tr', {}, head.map((h) => el('th', { text: h })))]),
      el('tbody', {}, rows.length ? rows.map((r) => el('tr', {}, r.map((c) => el('td', { text: String(c) })))) : [el('tr', {}, [el('td', { colspan: String(head.length), className: 'empty', text: 'Nothing in this period.' })])]),
    );
  }
  const ratings = (r) => ['good', 'ok', 'poor'].map((k) => `${r[k]} ${L('ratings', k)}`).join(' · ');
  async function showReport() {
    $('report-error').textContent = '';
    let report;
    try {
      report = await api('GET', `/api/reports?${reportQuery()}`);
    } catch (error) {
      $('report-error').textContent = error.message;
      return;
    }
    state.selected = { kind: 'report' };
    $('detail-empty').hidden = true;
    $('escalation-view').hidden = true;
    $('record-view').hidden = true;
    $('report-view').hidden = false;
    $('report-title').textContent = `Report ${$('report-from').value} to ${$('report-to').value}`;
    const figures = [
      ['Conversations with a problem', report.conversations],
      ['Fixed by the bot’s steps', `${report.fixedByBot} (${percent(report.selfServiceRate)})`],
      ['Fixed by advice staff sent', report.fixedByStaffAdvice],
      ['Escalated to staff', `${report.escalations} (${percent(report.escalationRate)})`],
      ['Support records filed', report.supportRecords],
      ['Median time to claim', `${duration(report.medianClaimS)} (${report.claimed} claimed)`],
      ['Median time to the first staff reply', duration(report.medianFirstReplyS)],
      ['Solved after staff closed', `${report.solved.yes} yes · ${report.solved.no} no`],
      ['How did we do? after a fix by the bot', ratings(report.satisfaction.bot)],
      ['How did we do? after staff', ratings(report.satisfaction.staff)],
    ];
    $('report-figures').replaceChildren(...figures.map(([k, v]) => el('div', { className: 'figure' }, [el('dt', { text: k }), el('dd', { text: String(v) })])));
    table($('report-platforms'), ['Platform', 'Conversations', 'Fixed by the bot'], report.platforms.map((p) => [platform(p), p.conversations, p.fixedByBot]));
    table($('report-not-helped'), ['Platform', 'Advice', 'Didn’t help'], report.notHelped.map((n) => [platform(n), advice(n.adviceId), n.count]));
  }
  $('report-form').addEventListener('submit', (event) => {
    event.preventDefault();
    showReport();
  });
  $('report-csv').addEventListener('click', async () => {
    // A download needs the token, which a plain link cannot send: fetch it, then save the blob.
    try {
      const response = await fetch(`/api/reports?${reportQuery()}&format=csv`, { headers: { authorization: `Bearer ${state.token}` } });
      if (!response.ok) throw new Error(`Request failed (${response.status})`);
      const url = URL.createObjectURL(await response.blob());
      const link = el('a', { href: url, download: `support-report-${$('report-from').value}-${$('report-to').value}.csv` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) {
      $('report-error').textContent = error.message;
    }
  });

  function selectTab(tab) {
    for (const name of ['queue', 'records', 'reports']) {
      $(`tab-${name}`).setAttribute('aria-selected', String(name === tab));
      $(`${name}-panel`).hidden = name !== tab;
    }
    if (tab === 'reports') showReport();
  }
  $('tab-queue').addEventListener('click', () => selectTab('queue'));
  $('tab-records').addEventListener('click', () => selectTab('records'));
  $('tab-reports').addEventListener('click', () => selectTab('reports'));
  window.addEventListener('focus', () => {
    if (state.selected && state.selected.kind === 'escalation') clearAlerts(state.selected.id);
  });

  // ——— start ———
  if (state.token) signIn(state.token).catch(() => signOut());
  else signOut();
})();
