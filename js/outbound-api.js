// The public class `outbound` (docs/contract.md, API), shared by the browser file and the Node entry. It loads
// the WebAssembly module, keeps calls made before the module is ready (in order) and forwards
// every call to the module (callApi of src/bindings/promises.js, over the embind class of
// src/bindings/outbound_class.cpp), which does all the work.
// Its API methods come from the C++ method table (src/core/methods.cpp): scripts/bundle.mjs reads
// the table from the build and writes it onto the module factory, as `createModule.methods`, so the
// methods exist before the module is ready.
// The error class every call rejects with, and the Promises every method returns, are made here and
// handed to the module (Module['OutboundError'], Module['OutboundPromise']: src/bindings/promises.js),
// so that a rejection is the same class whether the module, or this file, made it.

/**
 * Makes the `outbound` class over an Emscripten module factory.
 * @param {function(object): Promise} createModule the MODULARIZE factory of the build, carrying
 *   the method table as `createModule.methods`: [[name, parameter count], ...]
 * @param {{eager?: boolean, wasm?: function(): Promise}} [how] eager: start loading now, not at the
 *   first `new outbound()`; wasm: a Promise of the compiled WebAssembly.Module, instantiated here
 *   instead of by Emscripten's loader (js/browser-wasm.js)
 */
function defineOutbound(createModule, how) {
  /** What every call's Promise rejects with (docs/contract.md, Errors). */
  class OutboundError extends Error {
    constructor(message, receivedCall, status) {
      super(message);
      this.receivedCall = receivedCall;
      if (status) this.status = status;
    }
  }
  OutboundError.prototype.name = 'OutboundError';

  /**
   * The Promise of every method, and of what `.then` makes of it: a standard Promise that also
   * offers what the old outbound@1.3.0's D.js promises did, so code written for it runs unchanged
   * (README.md, "Moving from outbound@1.3.0").
   */
  class OutboundPromise extends Promise {
    /**
     * Promise's then. A Promise that only passes on this one's rejection (no onRejected: `.then(f)`,
     * `.success(f)`) is handled when that rejection is an OutboundError: onError has had it, and
     * code written for outbound@1.3.0, whose failures nobody heard of, must not end a Node process
     * with an unhandled rejection. What a callback throws stays unhandled, as with any Promise.
     */
    then(onResolved, onRejected) {
      const derived = super.then(onResolved, onRejected);
      if (typeof onRejected !== 'function') {
        super.then(undefined, (error) => { if (error instanceof OutboundError) super.then.call(derived, undefined, ignore); });
      }
      return derived;
    }
    success(onResolved) { return this.then(onResolved); }
    error(onRejected) { return this.then(undefined, onRejected); }
    /** Calls `callback()` however this settles, and returns this same Promise. */
    ensure(callback) {
      const always = () => { callback(); };
      this.then(always, always);
      return this;
    }
    /** Node's style: `callback(error)`, or `callback(undefined, value)` (an array's elements spread). */
    nodify(callback) {
      return this.then((value) => callback(undefined, ...(Array.isArray(value) ? value : [value])), callback);
    }
  }
  OutboundPromise.prototype.otherwise = OutboundPromise.prototype.error;

  var core = null;  // the WebAssembly module, once ready
  var loadError = null;
  var loading = false;
  var waiting = [];  // what was asked of the module before it was ready, in order

  function becomeReady(moduleObject) {
    if (core) return;
    core = moduleObject;
    waiting.splice(0).forEach(function (run) { run(); });
  }

  // Said without the "outbound: " that a warning adds, like every other rejection's message. A
  // loader's reason names the URL it tried and what would fix it (js/browser-wasm.js).
  function failToLoad(error) {
    if (core || loadError) return;
    loadError = new OutboundError('the WebAssembly module could not be loaded: ' + messageOf(error), false);
    waiting.splice(0).forEach(function (run) { run(); });
  }

  function load() {
    if (loading) return;
    loading = true;
    var moduleObject = { OutboundError: OutboundError, OutboundPromise: OutboundPromise };
    if (how && how.wasm) {
      moduleObject.instantiateWasm = function (imports, receiveInstance) {
        how.wasm().then(function (compiled) { return WebAssembly.instantiate(compiled, imports); })
          .then(function (instance) { receiveInstance(instance); }).catch(failToLoad);
        return {};  // the exports come later, through receiveInstance
      };
    }
    try {
      createModule(moduleObject);
      moduleObject.ready.then(function () { becomeReady(moduleObject); }, failToLoad);
      // The Node build instantiates synchronously: then the class is there already.
      if (moduleObject.outbound) becomeReady(moduleObject);
    } catch (error) {  // the loader failed at once: what waits, and what comes later, must still settle
      failToLoad(error);
    }
  }

  /**
   * Runs `use(core)` now if the module is ready, else once it is; a Promise either way. A failure
   * (the module did not load, `use` threw) rejects it as an OutboundError and is also reported to
   * `report`; as with the module's own Promises, a rejection nobody handles is not an unhandled
   * rejection.
   */
  function withCore(use, report) {
    if (core) return use(core);
    var promise = new OutboundPromise(function (resolve, reject) {
      function run() {
        try {
          if (loadError) throw loadError;
          resolve(use(core));
        } catch (thrown) {
          var error = thrown instanceof OutboundError ? thrown : new OutboundError(messageOf(thrown), false);
          reject(error);
          report(error);
        }
      }
      // The module may have failed before this call was made (the .wasm is fetched as the script
      // starts): then nothing more will come to run what waits.
      if (loadError) run();
      else waiting.push(run);
    });
    promise.catch(ignore);
    return promise;
  }

  function ignore() {}

  function messageOf(error) {
    return error && error.message ? error.message : String(error);
  }

  /** The caller's options.onError, or a one-line warning; never inside the caller's own call. */
  function reporterFor(options) {
    var onError;
    try {
      onError = options && typeof options.onError === 'function' ? options.onError : null;
    } catch (unreadable) {
      onError = null;  // the constructor reports the unreadable options
    }
    return function (error) {
      Promise.resolve().then(function () {
        if (onError) onError(error);
        else console.warn('outbound: ' + error.message);
      }).catch(ignore);
    };
  }

  /**
   * Adds one method per row of `table` to `prototype`, each passing exactly its row's number of
   * arguments (missing ones as undefined, extra ones dropped) to `call(instance, name, args)`.
   */
  function addApiMethods(prototype, table, call) {
    table.forEach(function (row) {
      var name = row[0];
      var count = row[1];
      var method = {
        [name](...given) {
          const args = new Array(count);
          for (let i = 0; i < count; i++) args[i] = given[i];
          return call(this, name, args);
        },
      }[name];
      Object.defineProperty(method, 'length', { value: count });
      Object.defineProperty(prototype, name, { value: method, writable: true, configurable: true });
    });
  }

  // An embind object owns C++ memory that JavaScript's collector cannot see. Its calls that the
  // core has not taken yet are handed over before it goes.
  var release = typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry(function (client) { core.releaseClient(client); })
    : null;

  class outbound {
    #client = null;
    #constructionError = null;
    #report = null;

    /**
     * @param {string} apiKey your Outbound API key
     * @param {object} [options] baseUrl, timeout, maxBodyBytes, retries, batch, persist, maxInFlight,
     *   onError, debug, disabled, fetch (README.md)
     */
    constructor(apiKey, options) {
      load();
      this.#report = reporterFor(options);
      if (core) {
        this.#adopt(new core.outbound(apiKey, options));
        return;
      }
      // Before the module is ready, only the key can be checked at once; option errors then
      // reject every call (as an OutboundError with the same message: withCore) instead of
      // throwing here.
      if (typeof apiKey !== 'string' || apiKey === '') {
        throw new TypeError('new outbound(): apiKey must be a non-empty string');
      }
      // Caught here, not in a .catch(): the calls queued behind this run in the same turn.
      withCore((ready) => {
        try {
          this.#adopt(new ready.outbound(apiKey, options));
        } catch (error) {
          this.#constructionError = error;
        }
      }, ignore);  // a module that failed to load is reported by every call instead
    }

    #adopt(client) {
      const problem = client.constructionError();
      if (problem) {
        client.delete();
        throw new TypeError(problem);
      }
      this.#client = client;
      if (release) release.register(this, client);
    }

    /** What `use(client)` returns once the module is ready, in the order the calls were made. */
    #whenReady(use) {
      return withCore(() => {
        if (!this.#client) throw this.#constructionError;
        return use(this.#client);
      }, this.#report);
    }

    #call(method, args) {
      // Once the client is made, straight to the module: a call allocates no closure.
      if (core && this.#client) return core.callApi(this.#client, method, args);
      return this.#whenReady((client) => core.callApi(client, method, args));
    }

    /** Resolves once every call made so far has settled (delivered, or failed for good). */
    flush() { return this.#whenReady((client) => core.flushClient(client, false)); }
    /** flush(), then every later call rejects; no timer is left behind. */
    close() { return this.#whenReady((client) => core.flushClient(client, true)); }

    // identify, track... (README.md): one method per row of the method table. A static field, not
    // a static block, so that the class needs no newer JavaScript than its private methods do.
    static #apiMethods = addApiMethods(this.prototype, createModule.methods,
      (instance, method, args) => instance.#call(method, args));

    // The named exports, on the class itself: require('outbound-wasm').OutboundError, the script
    // tag's outbound.OutboundError, and the ES modules' `export`s all read them from here.
    static Outbound = this;
    static OutboundError = OutboundError;
  }

  if (how && how.eager) load();
  return outbound;
}

if (typeof module === 'object' && module && module.exports) module.exports = defineOutbound;
