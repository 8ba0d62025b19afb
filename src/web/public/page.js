/*
 * Connects Web Chat to the local channel and wires the device check. The conversation id and
 * token are kept in sessionStorage, so a reload rejoins the same conversation (this tab only).
 */
(function () {
  'use strict';

  var DOMAIN = location.origin + '/v3/directline';
  var SAVED = 'techSupport.conversation';
  /** How long the stream may take to open before the page settles for polling. */
  var STREAM_WAIT_MS = 4000;
  /** `?transport=polling` forces polling (for comparisons and for networks known to block WebSockets). */
  var FORCE_POLLING = new URLSearchParams(location.search).get('transport') === 'polling';
  var chatStatus = document.getElementById('chat-status');
  var probeForm = document.getElementById('probe-form');
  var probeButton = document.getElementById('probe-button');
  var probeMedia = document.getElementById('probe-media');
  var probeStatus = document.getElementById('probe-status');
  var probeDetails = document.getElementById('probe-details');
  var PHONE = window.matchMedia('(max-width: 50rem)');
  /** Messages staff write come from `staff:<name>` (the channel's staff identity), not from the bot. */
  var STAFF_PREFIX = 'staff:';

  // On a phone the check sits above the chat, folded to one line, so it never needs a scroll past the chat.
  if (probeDetails && PHONE.matches) probeDetails.open = false;

  function isStaff(from) {
    return Boolean(from && typeof from.id === 'string' && from.id.indexOf(STAFF_PREFIX) === 0 && from.name);
  }

  function initials(name) {
    var words = String(name).trim().split(/\s+/).filter(Boolean);
    var letters = words.length > 1 ? words[0][0] + words[words.length - 1][0] : String(name).slice(0, 2);
    return letters.toUpperCase();
  }

  function senderOf(activity) {
    return (activity.from && activity.from.id) || '';
  }

  function splitBySender(groups) {
    var result = [];
    groups.forEach(function (group) {
      var run = [];
      group.forEach(function (activity) {
        if (run.length > 0 && senderOf(run[run.length - 1]) !== senderOf(activity)) {
          result.push(run);
          run = [];
        }
        run.push(activity);
      });
      if (run.length > 0) result.push(run);
    });
    return result;
  }

  /**
   * Web Chat's bundle keeps React to itself, so the staff avatar is made from the element Web Chat
   * would render (same React element kind), with the staff member's initials instead of the bot's.
   */
  function staffElement(like, type, props) {
    return Object.assign({}, like, { type: type, key: null, ref: null, props: props });
  }
  var probeRequest = document.getElementById('probe-request');
  var probeRequestRun = document.getElementById('probe-request-run');
  var probeRequestDecline = document.getElementById('probe-request-decline');
  /** Checks already answered, so a reload replaying the history does not run them again. */
  var CHECKS = 'techSupport.checks';
  /** A request older than this (a replayed history) is ignored. */
  var CHECK_MAX_AGE_MS = 120000;
  /** Where a conference page keeps the person's chosen devices; the probe reports when they are gone. */
  var PREFERRED = { camera: 'techSupport.preferredCamera', microphone: 'techSupport.preferredMicrophone' };

  function showChatStatus(text, isError) {
    chatStatus.textContent = text;
    chatStatus.classList.toggle('is-error', Boolean(isError));
  }

  function load() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(SAVED) || 'null');
      return saved && typeof saved.conversationId === 'string' && typeof saved.token === 'string' ? saved : null;
    } catch (error) {
      return null;
    }
  }

  function save(conversationId, token) {
    try {
      sessionStorage.setItem(SAVED, JSON.stringify({ conversationId: conversationId, token: token }));
    } catch (error) {
      // Private modes may refuse storage; the chat still works, a reload starts afresh.
    }
  }

  function answeredChecks() {
    try {
      var list = JSON.parse(sessionStorage.getItem(CHECKS) || '[]');
      return Array.isArray(list) ? list : [];
    } catch (error) {
      return [];
    }
  }

  function markAnswered(id) {
    try {
      sessionStorage.setItem(CHECKS, JSON.stringify(answeredChecks().concat([id]).slice(-50)));
    } catch (error) {
      // Without storage a reload may offer an old check again; the bot ignores unknown ids.
    }
  }

  function preferredDevices() {
    var ids = {};
    try {
      Object.keys(PREFERRED).forEach(function (kind) {
        var id = localStorage.getItem(PREFERRED[kind]);
        if (id) ids[kind] = id;
      });
    } catch (error) {
      // Storage refused: no saved choice to test.
    }
    return ids;
  }

  /** The saved conversation if its token still opens it, else a new one. */
  async function conversation() {
    var saved = load();
    if (saved) {
      var again = await fetch(DOMAIN + '/conversations/' + encodeURIComponent(saved.conversationId), {
        headers: { Authorization: 'Bearer ' + saved.token },
      });
      if (again.ok) return { conversationId: saved.conversationId, token: saved.token, streamUrl: (await again.json()).streamUrl };
    }
    var started = await fetch(DOMAIN + '/conversations', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    if (started.status === 429) throw new Error('Too many chats were started from this network. Please wait a minute and reload.');
    if (!started.ok) throw new Error('The chat could not start (' + started.status + '). Please reload the page.');
    var body = await started.json();
    save(body.conversationId, body.token);
    return { conversationId: body.conversationId, token: body.token, streamUrl: body.streamUrl };
  }

  /**
   * Whether a WebSocket reaches the channel from here: some proxies and networks refuse them, and
   * DirectLineJS would then retry for ever while reporting itself online. The trial stream is
   * closed as soon as it opens.
   */
  function streamOpens(streamUrl) {
    return new Promise(function (resolve) {
      if (FORCE_POLLING || typeof WebSocket !== 'function' || !streamUrl) return resolve(false);
      var socket;
      var timer = setTimeout(function () {
        settle(false);
      }, STREAM_WAIT_MS);
      function settle(opened) {
        clearTimeout(timer);
        try {
          socket.close();
        } catch (error) {
          // Already closed.
        }
        resolve(opened);
      }
      try {
        // From past any watermark, so the trial is sent nothing: the real stream reads the history.
        var trial = new URL(streamUrl);
        trial.searchParams.set('watermark', '999999999999999');
        socket = new WebSocket(trial.toString());
      } catch (error) {
        return settle(false);
      }
      socket.onopen = function () {
        settle(true);
      };
      socket.onerror = function () {
        settle(false);
      };
    });
  }

  async function start() {
    var current = await conversation();
    var streaming = await streamOpens(current.streamUrl);
    // Streamed as Azure Direct Line does; polled only when a WebSocket cannot get through.
    var directLine = window.WebChat.createDirectLine(
      streaming
        ? { domain: DOMAIN, token: current.token, conversationId: current.conversationId, webSocket: true }
        : { domain: DOMAIN, token: current.token, conversationId: current.conversationId, webSocket: false, pollingInterval: 1000 },
    );
    document.documentElement.dataset.transport = streaming ? 'websocket' : 'polling';

    var store = window.WebChat.createStore({}, function () {
      return function (next) {
        return function (action) {
          if (action.type === 'DIRECT_LINE/CONNECT_FULFILLED') {
            showChatStatus('');
            probeButton.disabled = false;
            // The channel's conversationUpdate greets; this event tells the bot what this page can do.
            setTimeout(function () {
              store.dispatch({ type: 'WEB_CHAT/SEND_EVENT', payload: { name: 'webchat/join', value: { language: navigator.language, capabilities: ['probe'] } } });
            }, 0);
          } else if (action.type === 'DIRECT_LINE/CONNECT_REJECTED' || action.type === 'DIRECT_LINE/DISCONNECT_FULFILLED') {
            showChatStatus('The chat lost its connection. Please reload the page.', true);
          } else if (action.type === 'WEB_CHAT/SEND_POST_BACK' && action.payload && action.payload.value && action.payload.value.action === 'run-probe') {
            // The bot's "Run a quick check" button: run the page's probe; nothing is sent but its results.
            runProbe(Array.isArray(action.payload.value.media) ? action.payload.value.media : ['camera', 'microphone']);
            return undefined;
          } else if (action.type === 'DIRECT_LINE/INCOMING_ACTIVITY') {
            if (directLine.token && directLine.token !== current.token) {
              // DirectLineJS refreshes the token every 15 minutes; keep the newest for a reload.
              current.token = directLine.token;
              save(current.conversationId, current.token);
            }
            var activity = action.payload && action.payload.activity;
            if (activity && activity.type === 'event' && activity.name === 'probe/run' && activity.from && activity.from.role === 'bot') {
              setTimeout(function () { checkRequested(activity); }, 0);
            }
          }
          return next(action);
        };
      };
    });

    window.WebChat.renderWebChat(
      {
        directLine: directLine,
        store: store,
        locale: 'en-US',
        styleOptions: {
          accent: '#1d4f91',
          primaryFont: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
          bubbleBorderRadius: 12,
          bubbleFromUserBorderRadius: 12,
          bubbleFromUserBackground: '#1d4f91',
          bubbleFromUserTextColor: '#ffffff',
          bubbleBackground: '#f1f4f9',
          bubbleBorderColor: '#d3dae4',
          bubbleFromUserBorderColor: '#1d4f91',
          botAvatarInitials: 'TS',
          userAvatarInitials: 'You',
          hideUploadButton: true,
          sendBoxHeight: 52,
          suggestedActionLayout: 'flow',
          suggestedActionBorderRadius: 8,
        },
        // Web Chat groups consecutive messages by role; a staff member is not the bot, so each gets their own group (and avatar).
        groupActivitiesMiddleware: function () {
          return function (next) {
            return function (args) {
              var groups = next(args);
              return Object.assign({}, groups, { sender: splitBySender(groups.sender || []) });
            };
          };
        },
        avatarMiddleware: function () {
          return function (next) {
            return function (args) {
              var from = args.activity && args.activity.from;
              var render = next(args);
              if (!isStaff(from) || typeof render !== 'function') return render;
              return function () {
                return staffElement(render(), 'div', { className: 'staff-avatar', role: 'img', 'aria-label': from.name, title: from.name, children: initials(from.name) });
              };
            };
          };
        },
        activityStatusMiddleware: function () {
          return function (next) {
            return function (args) {
              var status = next(args);
              var from = args.activity && args.activity.from;
              if (!isStaff(from) || !status || typeof status !== 'object') return status;
              return staffElement(status, 'span', {
                className: 'staff-status',
                children: [staffElement(status, 'span', { key: 'name', className: 'staff-status__name', children: from.name + ' · support team' }), Object.assign({}, status, { key: 'status' })],
              });
            };
          };
        },
      },
      document.getElementById('webchat'),
    );

    probeForm.addEventListener('submit', function (event) {
      event.preventDefault();
      runProbe(probeMedia.value.split(','));
    });

    var probing = false;
    /** Runs the probe and sends its `diagnostics` event; `checkId` ties it to the bot's request. */
    async function runProbe(requested, checkId) {
      if (probing) return;
      probing = true;
      probeButton.disabled = true;
      probeStatus.textContent = 'Checking for a few seconds… your browser may ask for permission.';
      try {
        var value = await window.TechSupportProbe.run(requested, { preferred: preferredDevices() });
        if (checkId) value.check = { id: checkId };
        store.dispatch({ type: 'WEB_CHAT/SEND_EVENT', payload: { name: 'diagnostics', value: value } });
        var worked = value.getUserMedia ? value.getUserMedia.ok : value.display && value.display.ok;
        probeStatus.textContent = worked
          ? 'Done: your browser could open them. The results are in the chat.'
          : 'Done: there was a problem. The results are in the chat.';
      } catch (error) {
        probeStatus.textContent = 'The check could not run in this browser. Please describe the problem in the chat.';
      } finally {
        probing = false;
        probeButton.disabled = false;
      }
    }

    /**
     * The bot asks for the check again: at once when the person pressed "Check again" (their
     * click is the consent); after asking them when someone else (staff) wants it.
     */
    function checkRequested(activity) {
      var value = activity.value || {};
      if (typeof value.id !== 'string' || answeredChecks().indexOf(value.id) >= 0) return;
      var sent = Date.parse(activity.timestamp || '');
      if (sent && Date.now() - sent > CHECK_MAX_AGE_MS) return;
      markAnswered(value.id);
      var media = Array.isArray(value.media) ? value.media.filter(function (m) { return m === 'camera' || m === 'microphone' || m === 'screen'; }) : [];
      if (media.length === 0) media = ['camera', 'microphone'];
      if (!value.ask) {
        runProbe(media, value.id);
        return;
      }
      // On a phone the check is folded away: unfold it, so the request is seen.
      if (probeDetails) probeDetails.open = true;
      probeRequest.hidden = false;
      probeRequestRun.focus();
      function answer(run) {
        probeRequest.hidden = true;
        probeRequestRun.onclick = null;
        probeRequestDecline.onclick = null;
        if (run) runProbe(media, value.id);
        else probeStatus.textContent = 'You chose not to run the check. You can run it later with the button above.';
      }
      probeRequestRun.onclick = function () { answer(true); };
      probeRequestDecline.onclick = function () { answer(false); };
    }

  }

  function whenWebChatLoaded() {
    if (!window.WebChat || !window.TechSupportProbe) {
      showChatStatus('The chat could not load. Please reload the page.', true);
      return;
    }
    start().catch(function (error) {
      showChatStatus(error && error.message ? error.message : 'The chat could not start. Please reload the page.', true);
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', whenWebChatLoaded);
  else whenWebChatLoaded();
})();
