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
  /** The `diagnostics` event's version: 2 adds level, frames, screen, frame policy and stale device. */
  var VERSION = 2;
  /** The microphone is listened to this long (testRTC uses 2 s, Twilio's low-level warning 3 s). */
  var LEVEL_MS = 3000;
  /** Peak below this (dBFS) is digital silence: a hardware mute or a dead input, not a quiet room. */
  var SILENT_PEAK_DB = -80;
  /** Peak below this is too quiet to be understood. */
  var LOW_PEAK_DB = -45;
  /** Samples at or above this magnitude are clipped; a few hundred in 3 s is audible distortion. */
  var CLIP_LEVEL = 0.99;
  var CLIP_SAMPLES = 200;
  var FRAMES = 6;
  var FRAME_GAP_MS = 200;
  /** Mean luminance (0–255) under which a frame counts as black. */
  var BLACK_LUMA = 8;
  var FEATURES = ['camera', 'microphone', 'display-capture'];

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  /** Can this frame use each feature at all? Only Chromium exposes the policy to scripts. */
  function permissionsPolicy() {
    var policy = document.permissionsPolicy || document.featurePolicy;
    if (!policy || typeof policy.allowsFeature !== 'function') return undefined;
    var known = typeof policy.features === 'function' ? policy.features() : FEATURES;
    var result = {};
    FEATURES.forEach(function (feature) {
      if (known.indexOf(feature) < 0) return;
      try {
        result[feature] = Boolean(policy.allowsFeature(feature));
      } catch (error) {
        // An unknown feature name throws in some versions: leave it out.
      }
    });
    return result;
  }

  function toDb(value) {
    return value > 0 ? Math.max(-200, Math.round(20 * Math.log10(value) * 10) / 10) : -200;
  }

  /**
   * Listens to the microphone track for LEVEL_MS with a Web Audio analyser. The context's output
   * goes through a muted gain node, so nothing is heard. Undefined when audio cannot run here
   * (no Web Audio, or a context the browser keeps suspended): no reading beats a false "silent".
   */
  async function measureLevel(track) {
    var AudioContextClass = window.AudioContext || window.webkitAudioContext;
    if (!AudioContextClass) return undefined;
    var context = new AudioContextClass();
    try {
      if (context.state === 'suspended') await Promise.race([context.resume(), sleep(500)]);
      if (context.state !== 'running') return undefined;
      var source = context.createMediaStreamSource(new MediaStream([track]));
      var analyser = context.createAnalyser();
      analyser.fftSize = 2048;
      var mute = context.createGain();
      mute.gain.value = 0;
      source.connect(analyser);
      analyser.connect(mute);
      mute.connect(context.destination);
      var samples = new Float32Array(analyser.fftSize);
      var peak = 0;
      var clipped = 0;
      var muted = track.muted;
      var end = performance.now() + LEVEL_MS;
      while (performance.now() < end) {
        await sleep(40);
        analyser.getFloatTimeDomainData(samples);
        for (var i = 0; i < samples.length; i += 1) {
          var magnitude = Math.abs(samples[i]);
          if (magnitude > peak) peak = magnitude;
          if (magnitude >= CLIP_LEVEL) clipped += 1;
        }
        if (track.muted) muted = true;
      }
      var peakDb = toDb(peak);
      return {
        level: peakDb < SILENT_PEAK_DB ? 'silent' : peakDb < LOW_PEAK_DB ? 'low' : 'ok',
        peakDb: peakDb,
        clipping: clipped >= CLIP_SAMPLES,
        muted: muted,
      };
    } catch (error) {
      return undefined;
    } finally {
      context.close().catch(function () {});
    }
  }

  /**
   * Draws a few frames of the camera track from a hidden video element into a tiny canvas:
   * all dark is black, all identical is frozen. The resolution is what the track settled on.
   */
  async function readFrames(track) {
    var video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.setAttribute('aria-hidden', 'true');
    // Off-screen rather than display:none, which lets some browsers skip decoding.
    video.style.cssText = 'position:fixed;left:-10000px;top:0;width:64px;height:48px;opacity:0;pointer-events:none';
    video.srcObject = new MediaStream([track]);
    document.body.appendChild(video);
    try {
      await Promise.race([video.play(), sleep(3000)]);
      for (var wait = 0; wait < 30 && !(video.videoWidth > 0); wait += 1) await sleep(100);
      var settings = typeof track.getSettings === 'function' ? track.getSettings() : {};
      var result = { frames: 'ok' };
      if (settings.width && settings.height) {
        result.width = Math.round(settings.width);
        result.height = Math.round(settings.height);
      }
      if (!(video.videoWidth > 0)) return undefined;
      var canvas = document.createElement('canvas');
      canvas.width = 32;
      canvas.height = 24;
      var draw = canvas.getContext('2d', { willReadFrequently: true });
      if (!draw) return result;
      var brightest = 0;
      var changed = false;
      var previous;
      for (var frame = 0; frame < FRAMES; frame += 1) {
        if (frame > 0) await sleep(FRAME_GAP_MS);
        draw.drawImage(video, 0, 0, canvas.width, canvas.height);
        var pixels = draw.getImageData(0, 0, canvas.width, canvas.height).data;
        var luma = 0;
        for (var p = 0; p < pixels.length; p += 4) luma += 0.2126 * pixels[p] + 0.7152 * pixels[p + 1] + 0.0722 * pixels[p + 2];
        luma /= pixels.length / 4;
        if (luma > brightest) brightest = luma;
        if (previous) {
          for (var q = 0; q < pixels.length && !changed; q += 1) if (pixels[q] !== previous[q]) changed = true;
        }
        previous = pixels;
      }
      result.frames = brightest < BLACK_LUMA ? 'black' : changed ? 'ok' : 'frozen';
      return result;
    } catch (error) {
      return undefined;
    } finally {
      video.pause();
      video.srcObject = null;
      video.remove();
    }
  }

  function hasDisplayMedia() {
    return Boolean(navigator.mediaDevices && typeof navigator.mediaDevices.getDisplayMedia === 'function');
  }

  /** One real screen-share attempt (it needs the click that started the check); stopped at once. */
  async function tryDisplayMedia() {
    var result = { available: hasDisplayMedia(), attempted: false };
    if (!result.available) return result;
    result.attempted = true;
    try {
      var stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
      stopAll(stream);
      result.ok = true;
    } catch (error) {
      result.ok = false;
      result.errorName = String((error && error.name) || 'Error');
      result.errorMessage = String((error && error.message) || '').slice(0, MAX_MESSAGE);
    }
    return result;
  }

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

  function constraints(requested, preferred) {
    var wantCamera = requested.indexOf('camera') >= 0;
    var wantMicrophone = requested.indexOf('microphone') >= 0;
    return {
      video: wantCamera && preferred && preferred.camera ? { deviceId: { exact: preferred.camera } } : wantCamera,
      audio: wantMicrophone && preferred && preferred.microphone ? { deviceId: { exact: preferred.microphone } } : wantMicrophone,
    };
  }

  /**
   * One getUserMedia attempt. `measure` reads the level and frames before the tracks stop; every
   * track is stopped as soon as that is done (at once without it), even one that arrives late.
   */
  async function tryGetUserMedia(requested, preferred, measure) {
    var result = { requested: requested.slice(), ok: false };
    if (!navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== 'function') {
      result.errorName = 'TypeError';
      result.errorMessage = window.isSecureContext
        ? 'navigator.mediaDevices.getUserMedia is not available in this browser'
        : 'navigator.mediaDevices is not available: the page is not a secure context';
      return result;
    }
    var attempt = navigator.mediaDevices.getUserMedia(constraints(requested, preferred));
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
      result.ok = true;
      try {
        if (measure) await measure(outcome);
      } finally {
        stopAll(outcome);
      }
      return result;
    } catch (error) {
      result.errorName = String((error && error.name) || 'Error');
      result.errorMessage = String((error && error.message) || '').slice(0, MAX_MESSAGE);
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads the level of the microphone and the frames of the camera of an open stream. */
  function measurements(into) {
    return async function (stream) {
      var audio = stream.getAudioTracks()[0];
      var video = stream.getVideoTracks()[0];
      var readings = await Promise.all([audio ? measureLevel(audio) : undefined, video ? readFrames(video) : undefined]);
      if (readings[0]) into.audio = readings[0];
      if (readings[1]) into.video = readings[1];
    };
  }

  /**
   * Collects the probe's findings for `requested` (['camera'], ['microphone'], both, or
   * ['screen'] for one screen-share attempt). Permissions are read before the attempt (they
   * describe the situation the person is in); devices after it (counts and labels are only
   * complete once access was granted). `options.preferred` holds the device ids saved as the
   * person's choice: when one no longer opens while others of its kind exist, it is reported as
   * stale and the attempt is repeated without it. Ids and labels never leave the browser.
   */
  async function run(requested, options) {
    var preferred = (options && options.preferred) || {};
    var devicesAsked = requested.filter(function (m) { return m === 'camera' || m === 'microphone'; });
    var value = {
      userAgent: navigator.userAgent,
      secureContext: Boolean(window.isSecureContext),
      inIframe: inIframe(),
    };
    var uaData = await userAgentData();
    if (uaData) value.userAgentData = uaData;
    if (typeof navigator.maxTouchPoints === 'number') value.maxTouchPoints = navigator.maxTouchPoints;
    var policy = permissionsPolicy();
    if (policy) value.permissionsPolicy = policy;
    value.permissions = await permissionStates();
    var measured = {};
    if (devicesAsked.length > 0) {
      var usePreferred = devicesAsked.some(function (m) { return preferred[m]; });
      value.getUserMedia = await tryGetUserMedia(devicesAsked, usePreferred ? preferred : undefined, measurements(measured));
      var gone = value.getUserMedia.errorName === 'OverconstrainedError' || value.getUserMedia.errorName === 'NotFoundError';
      if (usePreferred && gone) {
        var counts = await deviceCounts();
        var stale = {};
        devicesAsked.forEach(function (m) { if (preferred[m] && counts && counts[m] > 0) stale[m] = true; });
        if (Object.keys(stale).length > 0) {
          value.staleDevice = stale;
          value.getUserMedia = await tryGetUserMedia(devicesAsked, undefined, measurements(measured));
        }
      }
    }
    value.display = requested.indexOf('screen') >= 0 ? await tryDisplayMedia() : { available: hasDisplayMedia() };
    var devices = await deviceCounts();
    if (devices) value.devices = devices;
    // Fixed key order, so the event reads like SPEC §6 with version 2's additions after it.
    return {
      version: VERSION,
      userAgent: value.userAgent,
      userAgentData: value.userAgentData,
      maxTouchPoints: value.maxTouchPoints,
      secureContext: value.secureContext,
      inIframe: value.inIframe,
      permissionsPolicy: value.permissionsPolicy,
      permissions: value.permissions,
      devices: value.devices,
      getUserMedia: value.getUserMedia,
      audio: measured.audio,
      video: measured.video,
      display: value.display,
      staleDevice: value.staleDevice,
    };
  }

  window.TechSupportProbe = { run: run };
})();
