// Type declarations for outbound-wasm. Hand-written; they describe js/outbound-api.js and the
// rules of docs/contract.md (README.md is the full reference). One file for every entry:
// `import outbound, { Outbound, OutboundError } from 'outbound-wasm'`, `require('outbound-wasm')`,
// and, through js/browser.d.ts, the script tag's global `outbound`.

declare namespace outbound {
  /** A user ID: a non-empty string, or a finite number (sent as its string form: 1 → "1"). */
  type UserId = string | number;

  /**
   * track()'s properties, and the objects inside identify()'s attributes: any object, an
   * interface-typed value or a class instance included (its own enumerable properties are sent, as
   * JSON.stringify sends them). Arrays, Maps and boxed values are refused when the call is made.
   */
  // `any`, not `unknown`: an index signature of `unknown` refuses interface-typed values.
  type Properties = { [key: string]: any };

  /**
   * A timestamp: UNIX seconds (not milliseconds: a number above 10^11 is refused) or a Date, sent
   * as whole seconds; null or omitted means now.
   */
  type Timestamp = number | Date;

  interface Options {
    /**
     * Where requests go: `http://` or `https://` and a host; a trailing `/` is ignored.
     * Default `"https://api.outbound.io/v2"`.
     * @example new outbound(key, { baseUrl: 'https://api.outbound.io/v2' })
     */
    baseUrl?: string;
    /**
     * Milliseconds before one HTTP attempt is abandoned (1 to 3,600,000). Default 10000.
     * @example new outbound(key, { timeout: 5000 })
     */
    timeout?: number;
    /**
     * The largest request body the library sends, in bytes; a larger call is refused before
     * sending. Default 1048576 (1 MiB).
     * @example new outbound(key, { maxBodyBytes: 65536 })
     */
    maxBodyBytes?: number;
    /**
     * Attempts after the first, on a network failure, a timeout, a 5xx or a 429 (0 to 10; 0 turns
     * retrying off). Default 3.
     * @example new outbound(key, { retries: 0 })
     */
    retries?: number;
    /**
     * Sends track() calls through POST /track/batch. Default false; true means
     * `{ maxEvents: 100, flushIntervalMs: 1000 }`.
     * @example new outbound(key, { batch: { maxEvents: 50, flushIntervalMs: 500 } })
     */
    batch?: boolean | { maxEvents?: number; flushIntervalMs?: number };
    /**
     * Browsers: keeps undelivered calls in localStorage, so that a reload loses none. Default true.
     * @example new outbound(key, { persist: false })
     */
    persist?: boolean;
    /**
     * The most requests this client has in flight at once (1 to 100); later calls wait, in order.
     * Default 6.
     * @example new outbound(key, { maxInFlight: 2 })
     */
    maxInFlight?: number;
    /**
     * Called with every final failure, whether or not the call's Promise is handled. Default: one
     * console.warn line with the message (never the key).
     * @example new outbound(key, { onError: (error) => logger.warn(error.message, error.status) })
     */
    onError?: ((error: OutboundError) => void) | null;
    /**
     * Logs each request and its outcome with console (never the key). Default false.
     * @example new outbound(key, { debug: true })
     */
    debug?: boolean;
    /**
     * Calls are checked as usual and resolve, but nothing is sent or stored (tests, staging, a user
     * who did not consent or opted out). Default false.
     * @example new outbound(key, { disabled: process.env.NODE_ENV === 'test' })
     */
    disabled?: boolean;
    /**
     * The function every request is sent with, called as `fetch(url, init)`. Default: the
     * runtime's own (fetch in pages, workers and edge runtimes; node:http in Node).
     * @example new outbound(key, { fetch: (url, init) => fetch(url, { ...init, cache: 'no-store' }) })
     */
    fetch?(url: string, init: FetchInit): PromiseLike<FetchResponse>;
  }

  /** What a request made with {@link Options.fetch} is given: a POST of a JSON body. */
  interface FetchInit {
    method: 'POST';
    headers: Record<string, string>;
    /** The JSON body. */
    body: string;
    redirect?: 'follow';
    keepalive?: boolean;
    /** An AbortSignal, aborted when the attempt times out. */
    signal?: any;
  }

  /** What {@link Options.fetch} must resolve with: the parts of a fetch Response that are read. */
  interface FetchResponse {
    status: number;
    headers: { forEach(callback: (value: string, name: string) => void): void };
    redirected?: boolean;
    url?: string;
    /** A ReadableStream, read up to 4 KiB; without it, arrayBuffer() is. */
    body?: any;
    arrayBuffer(): PromiseLike<ArrayBuffer>;
  }

  /**
   * identify()'s attributes: these names become top-level fields, in either spelling (the wire
   * spelling wins); any other key goes into `attributes`. An interface or class of your own fits.
   */
  interface Attributes {
    firstName?: string;
    first_name?: string;
    lastName?: string;
    last_name?: string;
    email?: string;
    phoneNumber?: string;
    phone_number?: string;
    timezone?: string;
    /** One APNs device token or a list of them. */
    apnsTokens?: string | string[] | null;
    apns?: string | string[] | null;
    /** One GCM/FCM registration token or a list of them. */
    gcmTokens?: string | string[] | null;
    gcm?: string | string[] | null;
    groupId?: string | number;
    group_id?: string | number;
    groupAttributes?: Properties | null;
    group_attributes?: Properties | null;
    previousId?: UserId;
    previous_id?: UserId;
    attributes?: Properties | null;
    [other: string]: any;
  }

  /** One event of trackBatch(): the body of a /track request, its field names as on the wire. */
  interface BatchEvent {
    user_id: UserId;
    event: string;
    properties?: Properties | null;
    /**
     * UNIX seconds, a Date, or the ISO 8601 UTC string a Date becomes in JSON
     * (`"2023-11-14T22:13:20.000Z"`, events that went through JSON.stringify); null or omitted: now.
     */
    timestamp?: Timestamp | string | null;
  }

  /**
   * What every call's Promise rejects with (docs/contract.md, Errors), whatever went wrong: an
   * invalid argument, a failed delivery, a module that could not load, a client whose options
   * were refused, a call after close().
   * @example ob.track(id, 'Signed Up').catch((e) => { if (e instanceof OutboundError && e.receivedCall) console.warn(e.status); });
   */
  class OutboundError extends Error {
    constructor(message: string, receivedCall: boolean, status?: number);
    name: 'OutboundError';
    /** true when the server answered with a failure status; false when nothing reached it or no answer came. */
    receivedCall: boolean;
    /** The HTTP status, when the server answered. */
    status?: number;
  }

  /**
   * The Promise every method returns, and every Promise `.then`, `.catch` and `.finally` make of
   * it: a standard Promise (await, Promise.all) that also has the methods of outbound@1.3.0's
   * promises, so code written for it runs unchanged. `E` is what it rejects with.
   */
  interface OutboundPromise<T, E = any> extends Promise<T> {
    then<R1 = T, R2 = never>(
      onResolved?: ((value: T) => R1 | PromiseLike<R1>) | null,
      onRejected?: ((error: E) => R2 | PromiseLike<R2>) | null,
    ): OutboundPromise<R1 | R2>;
    catch<R = never>(onRejected?: ((error: E) => R | PromiseLike<R>) | null): OutboundPromise<T | R>;
    finally(onSettled?: (() => void) | null): OutboundPromise<T, E>;
    /**
     * `then(onResolved)`.
     * @example ob.track(id, 'Signed Up').success(() => console.log('sent'));
     */
    success<R = T>(onResolved: (value: T) => R | PromiseLike<R>): OutboundPromise<R>;
    /**
     * `then(undefined, onRejected)`: a new Promise, resolved with what onRejected returns.
     * @example ob.track(id, 'Signed Up').error((e) => console.warn(e.message));
     */
    error<R = never>(onRejected: (error: E) => R | PromiseLike<R>): OutboundPromise<T | R>;
    /**
     * The same as `error`.
     * @example ob.track(id, 'Signed Up').otherwise((e) => console.warn(e.message));
     */
    otherwise<R = never>(onRejected: (error: E) => R | PromiseLike<R>): OutboundPromise<T | R>;
    /**
     * Calls `callback()`, without arguments, however this settles; returns this same Promise.
     * @example ob.flush().ensure(() => process.exit());
     */
    ensure(callback: () => void): this;
    /**
     * Node's style: `callback(error)` on a rejection, `callback(undefined, value)` on success (a
     * value that is an array is spread). Returns a Promise of what callback returns.
     * @example ob.track(id, 'Signed Up').nodify((error) => done(error));
     */
    nodify<R = void>(callback: (error: E | undefined, value?: T) => R | PromiseLike<R>): OutboundPromise<R>;
  }

  /** What a method returns: resolved with undefined once the server accepted the call. */
  type Call = OutboundPromise<void, OutboundError>;

  /** The same class as the default export, for `import { Outbound } from 'outbound-wasm'`. */
  const Outbound: typeof outbound;
  type Outbound = outbound;
}

/**
 * A client of the Outbound API. Every method returns a Promise that resolves with undefined once
 * the server accepted the call, and rejects with an {@link outbound.OutboundError} otherwise; a call
 * made with invalid arguments sends nothing.
 *
 * @example
 * const ob = new outbound('YOUR_API_KEY');
 * await ob.identify('user-1', { email: 'ada@example.com', city: 'San Francisco' });
 * await ob.track('user-1', 'Signed Up', { plan: 'pro' });
 */
declare class outbound {
  /**
   * A client with its own key and options.
   * @throws TypeError (not an OutboundError) when apiKey is not a non-empty string of printable
   *   ASCII or an option is invalid. Before the module is ready (a page's first lines) only the
   *   key is checked here; an invalid option then rejects every call with an OutboundError.
   * @example const ob = new outbound(process.env.OUTBOUND_API_KEY!, { retries: 5 });
   */
  constructor(apiKey: string, options?: outbound.Options);

  /**
   * Tells Outbound who a user is: POST /identify.
   * @example ob.identify('user-1', { email: 'ada@example.com', firstName: 'Ada', plan: 'pro' });
   */
  identify(userId: outbound.UserId, attributes?: outbound.Attributes | null): outbound.Call;
  /**
   * Tells Outbound that previousId (an anonymous ID, say) is the same user as userId: POST /identify.
   * @example ob.alias('user-1', 'anonymous-7f3a');
   */
  alias(userId: outbound.UserId, previousId: outbound.UserId): outbound.Call;
  /**
   * Records that a user did something: POST /track. Properties default to `{}`.
   * @example ob.track('user-1', 'Signed Up', { plan: 'pro' }, new Date());
   */
  track(userId: outbound.UserId, event: string, properties?: outbound.Properties | null, timestamp?: outbound.Timestamp | null): outbound.Call;
  /**
   * Records 1 to 100 events in one request: POST /track/batch.
   * @example ob.trackBatch([{ user_id: 'user-1', event: 'Viewed Page', timestamp: '2023-11-14T22:13:20.000Z' }]);
   */
  trackBatch(events: readonly outbound.BatchEvent[]): outbound.Call;
  /**
   * Registers an APNs device token for push notifications: POST /apns/register.
   * @example ob.registerApnsToken('user-1', deviceToken);
   */
  registerApnsToken(userId: outbound.UserId, token: string): outbound.Call;
  /**
   * Registers a GCM/FCM registration token for push notifications: POST /gcm/register.
   * @example ob.registerGcmToken('user-1', registrationToken);
   */
  registerGcmToken(userId: outbound.UserId, token: string): outbound.Call;
  /**
   * Stops push notifications to one APNs device token: POST /apns/disable.
   * @example ob.disableApnsToken('user-1', deviceToken);
   */
  disableApnsToken(userId: outbound.UserId, token: string): outbound.Call;
  /**
   * Stops push notifications to one GCM/FCM token: POST /gcm/disable.
   * @example ob.disableGcmToken('user-1', registrationToken);
   */
  disableGcmToken(userId: outbound.UserId, token: string): outbound.Call;
  /**
   * Stops push notifications to all of a user's APNs tokens: POST /apns/disable with `all: true`.
   * @example ob.disableAllApnsTokens('user-1');
   */
  disableAllApnsTokens(userId: outbound.UserId): outbound.Call;
  /**
   * Stops push notifications to all of a user's GCM/FCM tokens: POST /gcm/disable with `all: true`.
   * @example ob.disableAllGcmTokens('user-1');
   */
  disableAllGcmTokens(userId: outbound.UserId): outbound.Call;
  /**
   * Subscribes a user to every campaign: POST /subscribe/all.
   * @example ob.subscribeAll('user-1');
   */
  subscribeAll(userId: outbound.UserId): outbound.Call;
  /**
   * Unsubscribes a user from every campaign: POST /unsubscribe/all.
   * @example ob.unsubscribeAll('user-1');
   */
  unsubscribeAll(userId: outbound.UserId): outbound.Call;
  /**
   * Subscribes a user to the campaigns named (a non-empty list): POST /subscribe/campaigns.
   * @example ob.subscribeCampaigns('user-1', [12, 'welcome-series']);
   */
  subscribeCampaigns(userId: outbound.UserId, campaignIds: ReadonlyArray<string | number>): outbound.Call;
  /**
   * Unsubscribes a user from the campaigns named (a non-empty list): POST /unsubscribe/campaigns.
   * @example ob.unsubscribeCampaigns('user-1', [12]);
   */
  unsubscribeCampaigns(userId: outbound.UserId, campaignIds: ReadonlyArray<string | number>): outbound.Call;
  /**
   * Resolves once every call made so far has settled (delivered, or failed for good).
   * @example await ob.flush();
   */
  flush(): outbound.Call;
  /**
   * flush(), then every later call rejects; no timer is left behind.
   * @example process.on('SIGTERM', () => ob.close().then(() => process.exit(0)));
   */
  close(): outbound.Call;
}

export = outbound;
