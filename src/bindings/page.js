// The JavaScript half of the bindings, part 3: the page — storage, network state, page lifecycle
// (browsers only). Included with --pre-js after promises.js, whose outboundIgnore it uses.

// The Node build replaces hasStorage and isOnline (js/node-environment.js).
Module['hasStorage'] = function () {
  try {
    var probe = 'outbound:probe';
    localStorage.setItem(probe, probe);
    localStorage.removeItem(probe);
    return true;
  } catch (missingOrBlocked) {  // private modes, sandboxed frames, storage turned off
    return false;
  }
};

Module['storageGet'] = function (key) {
  try {
    return localStorage.getItem(key);
  } catch (error) {
    return null;
  }
};

Module['storageSet'] = function (key, value) {
  try {
    localStorage.setItem(key, value);
    return true;
  } catch (fullOrBlocked) {
    return false;
  }
};

Module['storageRemove'] = function (key) {
  try {
    localStorage.removeItem(key);
  } catch (error) {
    // Nothing to do: the entry expires by its heartbeat.
  }
};

/** The storage keys starting with `prefix`, one a line. */
Module['storageKeys'] = function (prefix) {
  var keys = [];
  try {
    for (var i = 0; i < localStorage.length; i++) {
      var key = localStorage.key(i);
      if (key && key.indexOf(prefix) === 0) keys.push(key);
    }
  } catch (error) {
    // As if empty.
  }
  return keys.join('\n');
};

Module['randomId'] = function () {
  return Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 10);
};

Module['isOnline'] = function () {
  try {
    return typeof navigator === 'undefined' || navigator.onLine !== false;
  } catch (error) {
    return true;
  }
};

/**
 * Listens, once per module, for the page going away and the network coming back. Whether there
 * is a page (or a worker) to listen to.
 */
Module['watchPage'] = function () {
  if (Module['watchingPage']) return true;
  if (typeof addEventListener !== 'function') return false;
  try {
    addEventListener('pagehide', function () {
      outboundHandOverCalls();
      Module['releaseAll']();
    });
    addEventListener('online', function () { Module['resumeAll'](); });
  } catch (error) {
    // Without the events, the heartbeat and the next page still recover the stored calls.
    return false;
  }
  Module['watchingPage'] = true;
  return true;
};

/**
 * A request that outlives the page (fetch's keepalive), sent as the page goes away. Nobody hears
 * how it ends: the stored copy of its calls stays for a later page. Through options.fetch when the
 * client has one (its `hooks`, promises.js hooksOf).
 */
Module['sendKeepalive'] = function (url, body, headers, hooks) {
  try {
    var init = { 'method': 'POST', 'headers': headers, 'body': body, 'keepalive': true };
    Promise.resolve((hooks.fetch || fetch)(url, init)).catch(outboundIgnore);
  } catch (refused) {
    // No fetch, or over the browser's keepalive budget: the stored copy remains.
  }
};
