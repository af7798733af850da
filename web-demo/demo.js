// The demo page's own script. It only USES the library: `ob` is the client that index.html made on the
// line right after the library's <script src> tag. One table (METHODS) describes the 14 methods of
// the API (docs/contract.md) and drives the forms; each form shows the exact call it made and how
// its Promise settled, and a live panel shows what the local receiver recorded.
// Whatever a call, an error or the receiver hands back is data: it is rendered with textContent and
// createElement only, never as HTML.
'use strict';

(function () {
  // The seed example: a user in San Francisco who signs up, then uploads a picture. The story and the
  // forms' defaults both come from here.
  var SEED = {
    userId: 'user-sf-1',
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@example.com',
    phoneNumber: '+14155550123',
    timezone: 'America/Los_Angeles',
    otherAttributes: { city: 'San Francisco' },
    signedUp: { plan: 'Pro', referrer: 'demo page' },
    uploadedPicture: { sizeKb: 812, format: 'jpeg' }
  };

  var STORY = [
    ['identify', [SEED.userId, {
      firstName: SEED.firstName,
      lastName: SEED.lastName,
      email: SEED.email,
      attributes: SEED.otherAttributes
    }]],
    ['track', [SEED.userId, 'Signed Up', SEED.signedUp]],
    ['track', [SEED.userId, 'Uploaded Picture', SEED.uploadedPicture]]
  ];

  // How a field's text becomes an argument. The page checks nothing itself beyond JSON syntax: the
  // library's own validation answers everything else, which is what the demo is here to show.
  var KINDS = {
    // Passed exactly as typed, even "": an empty user ID gets the library's error, not the page's.
    text: function (raw) { return raw; },
    // Left out when empty (identify's attribute fields).
    optional: function (raw) { return raw === '' ? undefined : raw; },
    // UNIX seconds; left out when empty (then the library sends "now"). Not a number: NaN, which the
    // library rejects with its own message.
    seconds: function (raw) { return raw.trim() === '' ? undefined : Number(raw); },
    // Left out when empty; a syntax error is reported by the caller and nothing is sent.
    json: function (raw) { return raw.trim() === '' ? undefined : JSON.parse(raw); }
  };

  function pretty(value) { return JSON.stringify(value, null, 2); }

  var userIdField = { name: 'userId', kind: 'text', value: SEED.userId, hint: 'who the user is: your ID for them' };
  function tokenField(platform, value) {
    return { name: 'token', kind: 'text', value: value, hint: 'the ' + platform + ' device token' };
  }
  var APNS_TOKEN = 'ada-iphone-apns-token';
  var GCM_TOKEN = 'ada-android-fcm-token';
  var campaignIdsField = { name: 'campaignIds', kind: 'json', singleLine: true, value: '[12, "welcome-series"]',
    hint: 'a JSON array of campaign IDs (strings or numbers)' };

  var GROUPS = [
    { id: 'people', title: 'Who users are',
      text: 'Create or update a user, and link the IDs one person had before.' },
    { id: 'events', title: 'What they do',
      text: 'Record what users do. Outbound starts campaigns on these events ("signed up but no picture after 2 weeks").' },
    { id: 'push', title: 'Push notification tokens',
      text: 'Register the device tokens Outbound pushes to (APNs for iOS, GCM/FCM for Android), or stop using one or all of them.' },
    { id: 'subscriptions', title: 'Subscriptions',
      text: 'Opt a user in to or out of all messages, or particular campaigns.' }
  ];

  // The 14 methods of the API (docs/contract.md). An argument is one field, or (identify's
  // attributes) an object built from several fields, each one key of it.
  var METHODS = [
    { method: 'identify', path: '/identify', group: 'people', wide: true,
      text: 'Known attribute names (firstName, email…) become fields of their own; anything else goes under attributes.',
      args: [userIdField, { name: 'attributes', optional: true, fields: [
        { name: 'firstName', kind: 'optional', value: SEED.firstName },
        { name: 'lastName', kind: 'optional', value: SEED.lastName },
        { name: 'email', kind: 'optional', type: 'email', value: SEED.email },
        { name: 'phoneNumber', kind: 'optional', type: 'tel', value: SEED.phoneNumber },
        { name: 'timezone', kind: 'optional', value: SEED.timezone },
        { name: 'attributes', kind: 'json', value: pretty(SEED.otherAttributes),
          hint: 'a JSON object: anything else you know about the user', wide: true }
      ] }] },
    { method: 'alias', path: '/identify', group: 'people',
      text: 'Say that previousId (an anonymous visitor ID, say) and userId are one user.',
      args: [userIdField, { name: 'previousId', kind: 'text', value: 'anonymous-7f3a', hint: 'the ID the user had before' }] },
    { method: 'track', path: '/track', group: 'events', wide: true,
      text: 'Record that a user did something, with details as properties.',
      args: [userIdField,
        { name: 'event', kind: 'text', value: 'Signed Up', hint: 'what the user did' },
        { name: 'properties', kind: 'json', optional: true, value: pretty(SEED.signedUp), hint: 'a JSON object, or empty' },
        { name: 'timestamp', kind: 'seconds', optional: true, value: '', inputMode: 'numeric',
          placeholder: 'now', hint: 'UNIX seconds; empty means now' }] },
    { method: 'trackBatch', path: '/track/batch', group: 'events', wide: true,
      text: 'Record 1 to 100 events in one request. Each is checked and completed like a track call.',
      args: [{ name: 'events', kind: 'json', rows: 9, hint: 'a JSON array of {user_id, event, properties?, timestamp?}',
        value: pretty([
          { user_id: SEED.userId, event: 'Viewed Page', properties: { path: '/pricing' }, timestamp: 1700000000 },
          { user_id: 'user-sf-2', event: 'Signed Up', timestamp: 1700000060 }
        ]) }] },
    { method: 'registerApnsToken', path: '/apns/register', group: 'push',
      text: 'Push to this iOS device from now on.', args: [userIdField, tokenField('iOS (APNs)', APNS_TOKEN)] },
    { method: 'registerGcmToken', path: '/gcm/register', group: 'push',
      text: 'Push to this Android device from now on.', args: [userIdField, tokenField('Android (GCM/FCM)', GCM_TOKEN)] },
    { method: 'disableApnsToken', path: '/apns/disable', group: 'push',
      text: 'Stop pushing to one iOS device.', args: [userIdField, tokenField('iOS (APNs)', APNS_TOKEN)] },
    { method: 'disableGcmToken', path: '/gcm/disable', group: 'push',
      text: 'Stop pushing to one Android device.', args: [userIdField, tokenField('Android (GCM/FCM)', GCM_TOKEN)] },
    { method: 'disableAllApnsTokens', path: '/apns/disable', group: 'push',
      text: 'Stop pushing to all of the user\u2019s iOS devices.', args: [userIdField] },
    { method: 'disableAllGcmTokens', path: '/gcm/disable', group: 'push',
      text: 'Stop pushing to all of the user\u2019s Android devices.', args: [userIdField] },
    { method: 'subscribeAll', path: '/subscribe/all', group: 'subscriptions',
      text: 'Let Outbound message this user again.', args: [userIdField] },
    { method: 'unsubscribeAll', path: '/unsubscribe/all', group: 'subscriptions',
      text: 'Send this user no messages at all.', args: [userIdField] },
    { method: 'subscribeCampaigns', path: '/subscribe/campaigns', group: 'subscriptions',
      text: 'Subscribe the user to these campaigns.', args: [userIdField, campaignIdsField] },
    { method: 'unsubscribeCampaigns', path: '/unsubscribe/campaigns', group: 'subscriptions',
      text: 'Unsubscribe the user from these campaigns.', args: [userIdField, campaignIdsField] }
  ];

  // ---------------------------------------------------------------------------------------------
  // Small DOM helpers: text only.

  /** Makes an element; `children` are nodes or strings (strings become text nodes, never markup). */
  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === 'text') node.textContent = props[key];
      else if (key.indexOf('data-') === 0 || key.indexOf('aria-') === 0 || key === 'role') node.setAttribute(key, props[key]);
      else node[key] = props[key];
    });
    (children || []).forEach(function (child) { node.append(child); });
    return node;
  }

  function code(text) { return el('code', { text: text }); }

  /** A <dl> of [name, value] rows; each pair sits in a <div> so CSS can wrap the value under its name. */
  function definitionList(className, rows) {
    return el('dl', { className: className }, rows.map(function (row) {
      return el('div', {}, [el('dt', { text: row[0] }), el('dd', { text: row[1] })]);
    }));
  }

  // ---------------------------------------------------------------------------------------------
  // Showing a call as the JavaScript that made it: ob.track("user-sf-1", "Signed Up", { plan: "Pro" })

  var IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

  function literal(value) {
    if (value === undefined) return 'undefined';
    if (typeof value === 'number') return String(value); // keeps NaN visible as NaN
    if (Array.isArray(value)) return '[' + value.map(literal).join(', ') + ']';
    if (value !== null && typeof value === 'object') {
      var members = Object.keys(value).map(function (key) {
        return (IDENTIFIER.test(key) ? key : JSON.stringify(key)) + ': ' + literal(value[key]);
      });
      return members.length ? '{ ' + members.join(', ') + ' }' : '{}';
    }
    return JSON.stringify(value);
  }

  function callText(method, args) {
    return 'ob.' + method + '(' + args.map(literal).join(', ') + ')';
  }

  function signature(spec) {
    return spec.method + '(' + spec.args.map(function (arg) {
      return arg.name + (arg.optional ? '?' : '');
    }).join(', ') + ')';
  }

  // ---------------------------------------------------------------------------------------------
  // Outcomes: what a call did, in an aria-live region.

  function errorDetails(error) {
    var rows = [
      ['receivedCall', literal(error && error.receivedCall)],
      ['status', literal(error && error.status)],
      ['message', String(error && error.message !== undefined ? error.message : error)]
    ];
    return definitionList('error-fields', rows);
  }

  /**
   * Shows one state of a call in `outcome`: sending, resolved, rejected (with the Error's receivedCall,
   * status and message), threw, or not-sent (a JSON syntax error; the method was never called).
   */
  function render(outcome, state, detail) {
    outcome.dataset.state = state;
    outcome.replaceChildren();
    if (detail.call) outcome.append(el('code', { className: 'call-text', text: detail.call }));
    if (state === 'sending') {
      outcome.append(el('p', { className: 'verdict', text: '\u2026 sending (the Promise is pending)' }));
    } else if (state === 'resolved') {
      outcome.append(el('p', { className: 'verdict',
        text: '\u2713 Resolved with ' + literal(detail.value) + ': the receiver accepted the call.' }));
    } else if (state === 'rejected') {
      var name = detail.error instanceof Error ? detail.error.name : typeof detail.error;
      var article = /^[aeiou]/i.test(name) ? 'an ' : 'a ';
      outcome.append(el('p', { className: 'verdict', text: '\u2717 Rejected with ' + article + name + ':' }),
        errorDetails(detail.error));
    } else if (state === 'threw') {
      outcome.append(el('p', { className: 'verdict', text: '\u2717 Threw instead of returning a Promise:' }),
        errorDetails(detail.error));
    } else if (state === 'not-sent') {
      outcome.append(el('p', { className: 'verdict', text: '\u2717 Not sent: ' + detail.problem }),
        el('p', { className: 'note', text: 'ob.' + detail.method + '() was not called, so nothing went to the receiver.' }));
    }
  }

  // Counts the submissions an outcome area has shown, so a reader (or a test) can tell a new result
  // from the previous one when both say the same.
  function countAttempt(outcome) {
    outcome.dataset.attempt = String(Number(outcome.dataset.attempt || 0) + 1);
  }

  /** Calls ob[method](...args) and shows how its Promise settles in `outcome`. */
  function perform(method, args, outcome) {
    var call = callText(method, args);
    countAttempt(outcome);
    render(outcome, 'sending', { call: call });
    var promise;
    try {
      promise = ob[method].apply(ob, args);
    } catch (error) {
      // Not expected: every method returns a Promise, even for bad arguments. Shown, not hidden.
      render(outcome, 'threw', { call: call, error: error });
      return Promise.resolve();
    }
    return Promise.resolve(promise)
      .then(function (value) {
        render(outcome, 'resolved', { call: call, value: value });
      }, function (error) {
        render(outcome, 'rejected', { call: call, error: error });
      });
  }

  // ---------------------------------------------------------------------------------------------
  // The forms, built from METHODS

  function fieldsOf(arg) { return arg.fields || [arg]; }

  function buildField(spec, field) {
    var id = spec.method + '-' + field.name;
    var label = field.name + (field.kind === 'json' ? ' (JSON)' : '');
    var multiline = field.kind === 'json' && !field.singleLine;
    var input = el(multiline ? 'textarea' : 'input', { id: id, name: field.name, value: field.value, spellcheck: false });
    if (multiline) input.rows = field.rows || Math.min(Math.max(field.value.split('\n').length, 2), 6);
    else input.type = field.type || 'text';
    if (field.inputMode) input.inputMode = field.inputMode;
    if (field.placeholder) input.placeholder = field.placeholder;
    input.defaultValue = field.value; // so the form's reset() restores the example
    input.autocomplete = 'off';
    var nodes = [el('label', { htmlFor: id, text: label })];
    if (field.hint) {
      input.setAttribute('aria-describedby', id + '-hint');
      nodes.push(el('span', { id: id + '-hint', className: 'hint', text: field.hint }));
    }
    nodes.push(input);
    return el('div', { className: 'field' + (field.wide || multiline ? ' field-wide' : '') }, nodes);
  }

  function buildArgInputs(spec, arg) {
    if (!arg.fields) return buildField(spec, arg);
    return el('fieldset', { className: 'object-arg' }, [
      el('legend', {}, [code(arg.name), ' (an object; empty fields are left out)'])
    ].concat(arg.fields.map(function (field) { return buildField(spec, field); })));
  }

  /** Reads the form into the method's arguments: { args } or, on a JSON syntax error, { problem, input }. */
  function readArgs(spec, form) {
    var args = [];
    for (var i = 0; i < spec.args.length; i += 1) {
      var arg = spec.args[i];
      var object = arg.fields ? {} : null;
      var fields = fieldsOf(arg);
      for (var j = 0; j < fields.length; j += 1) {
        var field = fields[j];
        var input = form.querySelector('#' + spec.method + '-' + field.name);
        var value;
        try {
          value = KINDS[field.kind](input.value);
        } catch (error) {
          return { input: input, problem: 'the ' + field.name + ' field is not valid JSON. ' + error.message };
        }
        if (object) {
          if (value !== undefined) object[field.name] = value;
        } else {
          args.push(value);
        }
      }
      if (object) args.push(object);
    }
    while (args.length && args[args.length - 1] === undefined) args.pop(); // as a person would write it
    return { args: args };
  }

  function buildForm(spec) {
    var headingId = spec.method + '-heading';
    var outcome = el('div', { id: spec.method + '-outcome', className: 'outcome', role: 'status',
      'aria-live': 'polite', 'data-state': 'idle', 'data-attempt': '0' });
    var form = el('form', { className: 'method' + (spec.wide ? ' method-wide' : ''), noValidate: true,
      'data-method': spec.method, 'aria-labelledby': headingId }, [
      el('h4', { id: headingId }, [code('ob.' + signature(spec))]),
      el('p', { className: 'request' }, ['\u2192 ', code('POST /v2' + spec.path)]),
      el('p', { className: 'method-text', text: spec.text }),
      el('div', { className: 'fields' }, spec.args.map(function (arg) { return buildArgInputs(spec, arg); })),
      el('button', { type: 'submit', text: 'Send ' + spec.method }),
      outcome
    ]);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      form.querySelectorAll('[aria-invalid]').forEach(function (input) { input.removeAttribute('aria-invalid'); });
      var read = readArgs(spec, form);
      if (read.problem) {
        countAttempt(outcome);
        read.input.setAttribute('aria-invalid', 'true');
        render(outcome, 'not-sent', { method: spec.method, problem: read.problem });
        read.input.focus();
        return;
      }
      perform(spec.method, read.args, outcome);
    });
    return form;
  }

  var methodsRoot = document.getElementById('methods');
  GROUPS.forEach(function (group) {
    var headingId = 'group-' + group.id;
    methodsRoot.append(el('section', { className: 'group', 'aria-labelledby': headingId }, [
      el('h3', { id: headingId, text: group.title }),
      el('p', { className: 'group-text', text: group.text }),
      el('div', { className: 'group-forms' }, METHODS.filter(function (spec) {
        return spec.group === group.id;
      }).map(buildForm))
    ]));
  });

  // ---------------------------------------------------------------------------------------------
  // The story: the seed sequence, one call after the other.

  var storyButton = document.getElementById('story-button');
  var storyOutcome = document.getElementById('story-outcome');
  var storyRunning = false;

  storyButton.addEventListener('click', function () {
    if (storyRunning) return;
    storyRunning = true;
    storyOutcome.dataset.state = 'running';
    var steps = STORY.map(function () { return el('li', { className: 'outcome', 'data-state': 'idle' }); });
    storyOutcome.replaceChildren(el('ol', { className: 'story-steps' }, steps));
    STORY.reduce(function (previous, step, index) {
      return previous.then(function () { return perform(step[0], step[1], steps[index]); });
    }, Promise.resolve()).then(function () {
      storyRunning = false;
      storyOutcome.dataset.state = 'done';
    });
  });

  // ---------------------------------------------------------------------------------------------
  // The live panel: what the receiver recorded, pushed over /calls/stream, newest first.

  var list = document.getElementById('calls');
  var empty = document.getElementById('calls-empty');
  var liveStatus = document.getElementById('live-status');
  var lastSeq = 0;

  function setLiveStatus(state, text) {
    liveStatus.dataset.state = state;
    liveStatus.textContent = text;
  }

  function countText() {
    var count = list.children.length;
    return count === 1 ? '1 call shown' : count + ' calls shown';
  }

  function updateEmpty() { empty.hidden = list.children.length > 0; }

  function showCall(call) {
    if (call.seq <= lastSeq) return; // the same call can come from both the stream and a catch-up
    lastSeq = call.seq;
    var headers = Object.keys(call.headers || {});
    var time = new Date(call.receivedAt);
    var item = el('li', { className: 'call fresh', 'data-seq': String(call.seq) }, [
      el('div', { className: 'call-head' }, [
        el('span', { className: 'call-method', text: call.method }), ' ',
        el('code', { className: 'call-path', text: call.path }), ' ',
        el('span', { className: 'call-meta', text: '#' + call.seq + ' \u00b7 ' +
          (isNaN(time) ? String(call.receivedAt) : time.toLocaleTimeString()) })
      ]),
      definitionList('call-headers', headers.map(function (name) { return [name, String(call.headers[name])]; })),
      el('pre', { className: 'call-body', text: pretty(call.body) })
    ]);
    list.prepend(item);
    setTimeout(function () { item.classList.remove('fresh'); }, 1500);
    updateEmpty();
    if (liveStatus.dataset.state === 'live') setLiveStatus('live', 'Live \u00b7 ' + countText());
  }

  // On every (re)connect, fetch what arrived while the stream was down.
  function catchUp() {
    return fetch('/calls?since=' + lastSeq)
      .then(function (response) {
        if (!response.ok) throw new Error('GET /calls answered ' + response.status);
        return response.json();
      })
      .then(function (data) { data.calls.forEach(showCall); });
  }

  var stream = new EventSource('/calls/stream');
  stream.onopen = function () {
    setLiveStatus('live', 'Live \u00b7 ' + countText());
    catchUp().catch(function (error) { setLiveStatus('error', 'Could not read the recorded calls: ' + error.message); });
  };
  stream.onmessage = function (message) { showCall(JSON.parse(message.data)); };
  stream.onerror = function () {
    if (stream.readyState === EventSource.CLOSED) setLiveStatus('error', 'Disconnected from the receiver. Reload the page to reconnect.');
    else setLiveStatus('connecting', 'Reconnecting to the receiver\u2026');
  };

  document.getElementById('clear-button').addEventListener('click', function () {
    fetch('/calls', { method: 'DELETE' }).then(function (response) {
      if (!response.ok) throw new Error('DELETE /calls answered ' + response.status);
      list.replaceChildren();
      updateEmpty();
      setLiveStatus('live', 'Live \u00b7 cleared');
    }).catch(function (error) {
      setLiveStatus('error', 'Could not clear: ' + error.message);
    });
  });

  updateEmpty();
})();
