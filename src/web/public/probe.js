/*
 * The in-page probe (SPEC §6). It runs only when the person clicks the check button and
 * returns a plain object in the shape of the `diagnostics` event's value; page.js sends it.
 * Every browser API is guarded: older browsers lack some, and some throw instead of refusing.
 */
(function () {
  'use strict';

  /** How long to wait for an answer to the browser's permission prompt before reporting. */
  var PROMPT_WAIT_MS = 60000;
  var MAX_MESSAGE = 500;

  function inIframe() {
    try {
      return window.self !== window.top;
    } catch (error) {
      // A cross-origin parent makes window.top unreadable: that is an iframe too.
      return true;
    }
  }

  async function userAgentData() {
    var data = navigator.userAgentData;
    if (!data) return undefined;
    var result = {
      brands: (data.brands || []).map(function (b) { return { brand: String(b.brand), version: String(b.version) }; }),
      mobile: Boolean(data.mobile),
      platform: String(data.platform || ''),
    };
    if (typeof data.getHighEntropyValues === 'function') {
      try {
        var high = await data.getHighEntropyValues(['platformVersion']);
        if (high && high.platformVersion) result.platformVersion = String(high.platformVersion);
      } catch (error) {
        // Refused or unsupported: the low-entropy values are still useful.
      }
    }
    return result;
  }

  async function permissionStates() {
    var states = {};
    if (!navigator.permissions || typeof navigator.permissions.query !== 'function') return states;
    for (var name of ['camera', 'microphone']) {
      try {
        var status = await navigator.permissions.query({ name: name });
        states[name] = status.state;
      } catch (error) {
        // Firefox before 131 throws a TypeError for 'camera' and 'microphone'.
      }
    }
    return states;
  }

  async function deviceCounts() {
    if (!navigator.mediaDevices || typeof navigator.mediaDevices.enumerateDevices !== 'function') return undefined;
    try {
      var devices = await navigator.mediaDevices.enumerateDevices();
      var cameras = devices.filter(function (d) { return d.kind === 'videoinput'; });
      var microphones = devices.filter(function (d) { return d.kind === 'audioinput'; });
      return {
        camera: cameras.length,
        microphone: microphones.length,
        labelsVisible: cameras.concat(microphones).some(function (d) { return Boolean(d.label); }),
      };
    } catch (error) {
      return undefined;
    }
  }

  function stopAll(stream) {
    stream.getTracks().forEach(function (track) { track.stop(); });
  }

  /** One getUserMedia attempt; every track it opens is stopped at once, even a late one. */
  async function tryGetUserMedia(requested) {
    var result = { requested: requested.slice(), ok: false };
    if (!navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== 'function') {
      result.errorName = 'TypeError';
      result.errorMessage = window.isSecureContext
        ? 'navigator.mediaDevices.getUserMedia is not available in this browser'
        : 'navigator.mediaDevices is not available: the page is not a secure context';
      return result;
    }
    var attempt = navigator.mediaDevices.getUserMedia({
      video: requested.indexOf('camera') >= 0,
      audio: requested.indexOf('microphone') >= 0,
    });
    var timer;
    var timeout = new Promise(function (resolve) {
      timer = setTimeout(function () { resolve('timeout'); }, PROMPT_WAIT_MS);
    });
    try {
      var outcome = await Promise.race([attempt, timeout]);
      if (outcome === 'timeout') {
        attempt.then(stopAll, function () {});
        result.errorMessage = 'No answer from the browser within ' + PROMPT_WAIT_MS / 1000 + ' seconds (the permission prompt may still be open)';
        return result;
      }
      stopAll(outcome);
      result.ok = true;
      return result;
    } catch (error) {
      result.errorName = String((error && error.name) || 'Error');
      result.errorMessage = String((error && error.message) || '').slice(0, MAX_MESSAGE);
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Collects the probe's findings for `requested` (['camera'], ['microphone'] or both).
   * Permissions are read before the attempt (they describe the situation the person is in);
   * devices after it (counts and labels are only complete once access was granted).
   */
  async function run(requested) {
    var value = {
      userAgent: navigator.userAgent,
      secureContext: Boolean(window.isSecureContext),
      inIframe: inIframe(),
    };
    var uaData = await userAgentData();
    if (uaData) value.userAgentData = uaData;
    if (typeof navigator.maxTouchPoints === 'number') value.maxTouchPoints = navigator.maxTouchPoints;
    value.permissions = await permissionStates();
    value.getUserMedia = await tryGetUserMedia(requested);
    var devices = await deviceCounts();
    if (devices) value.devices = devices;
    // Fixed key order, so the event reads like SPEC §6.
    return {
      userAgent: value.userAgent,
      userAgentData: value.userAgentData,
      maxTouchPoints: value.maxTouchPoints,
      secureContext: value.secureContext,
      inIframe: value.inIframe,
      permissions: value.permissions,
      devices: value.devices,
      getUserMedia: value.getUserMedia,
    };
  }

  window.TechSupportProbe = { run: run };
})();
