// Type declarations for outbound-wasm. Hand-written; they describe js/outbound-api.js and the
// rules of docs/contract.md (see README.md for the full reference).

/** A user ID: a non-empty string, or a finite number (sent as its string form: 1 → "1"). */
type UserId = string | number;

/** Values inside properties and attributes are sent as JSON.stringify would send them. */
type JsonObject = { [key: string]: unknown };

declare namespace outbound {
  interface Options {
    /** Where requests go. Default "https://api.outbound.io/v2". */
    baseUrl?: string;
    /** Milliseconds before one HTTP attempt is abandoned. Default 10000. */
    timeout?: number;
    /** The largest request body the library will send, in bytes. Default 1048576 (1 MiB). */
    maxBodyBytes?: number;
    /** Attempts after the first, on a network failure, timeout, 5xx or 429 (0 to 10). Default 3. */
    retries?: number;
    /** Send track() calls through /track/batch. Default false; true means { maxEvents: 100, flushIntervalMs: 1000 }. */
    batch?: boolean | { maxEvents?: number; flushIntervalMs?: number };
    /** Browsers: keep undelivered calls in localStorage across reloads. Default true. */
    persist?: boolean;
    /** The most requests this client has in flight at once (1 to 100); later calls wait, in order. Default 6. */
    maxInFlight?: number;
    /**
     * Called with every final failure, whether or not the call's Promise is handled. Default: one
     * console.warn line with the message (never the key).
     */
    onError?: ((error: CallError) => void) | null;
  }

  /** identify()'s attributes: known names become top-level fields; any other key goes into `attributes`. */
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
    apnsTokens?: string | string[];
    apns?: string | string[];
    /** One GCM/FCM registration token or a list of them. */
    gcmTokens?: string | string[];
    gcm?: string | string[];
    groupId?: string | number;
    group_id?: string | number;
    groupAttributes?: JsonObject | null;
    group_attributes?: JsonObject | null;
    previousId?: UserId;
    previous_id?: UserId;
    attributes?: JsonObject | null;
    [other: string]: unknown;
  }

  /** One event of trackBatch(): the body of a /track request. */
  interface BatchEvent {
    user_id: UserId;
    event: string;
    properties?: JsonObject | null;
    /** UNIX seconds or a Date; default now. */
    timestamp?: number | Date;
  }

  /** What every rejected call carries (docs/contract.md, Errors). */
  interface CallError extends Error {
    /** true when the server answered with a failure status; false when nothing reached it or it never answered. */
    receivedCall: boolean;
    /** The HTTP status, when the server answered. */
    status?: number;
  }
}

/**
 * A client of the Outbound API. Every method returns a Promise that resolves with undefined once
 * the server accepted the call, and rejects with an {@link outbound.CallError} otherwise.
 *
 * @example
 * const ob = new outbound('YOUR_API_KEY');
 * await ob.identify('user-1', { email: 'ada@example.com', city: 'San Francisco' });
 * await ob.track('user-1', 'Signed Up', { plan: 'pro' });
 */
declare class outbound {
  /** @throws TypeError when apiKey is not a non-empty string or an option is invalid. */
  constructor(apiKey: string, options?: outbound.Options);

  /** Tells Outbound who a user is. */
  identify(userId: UserId, attributes?: outbound.Attributes | null): Promise<void>;
  /** Tells Outbound that previousId (an anonymous ID, say) is the same user as userId. */
  alias(userId: UserId, previousId: UserId): Promise<void>;
  /** Records that a user did something. `timestamp`: UNIX seconds or a Date; default now. */
  track(userId: UserId, event: string, properties?: JsonObject | null, timestamp?: number | Date | null): Promise<void>;
  /** Records 1 to 100 events in one request. */
  trackBatch(events: outbound.BatchEvent[]): Promise<void>;
  registerApnsToken(userId: UserId, token: string): Promise<void>;
  registerGcmToken(userId: UserId, token: string): Promise<void>;
  disableApnsToken(userId: UserId, token: string): Promise<void>;
  disableGcmToken(userId: UserId, token: string): Promise<void>;
  disableAllApnsTokens(userId: UserId): Promise<void>;
  disableAllGcmTokens(userId: UserId): Promise<void>;
  subscribeAll(userId: UserId): Promise<void>;
  unsubscribeAll(userId: UserId): Promise<void>;
  subscribeCampaigns(userId: UserId, campaignIds: Array<string | number>): Promise<void>;
  unsubscribeCampaigns(userId: UserId, campaignIds: Array<string | number>): Promise<void>;
  /** Resolves once every call made so far has settled (delivered, or failed for good). */
  flush(): Promise<void>;
  /** flush(), then every later call rejects; no timer is left behind. */
  close(): Promise<void>;
}

export = outbound;
