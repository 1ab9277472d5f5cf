// The live stream (/api/v1/stream) with resume: after a disconnect, a
// server restart or an overflow, it reconnects and asks for the events
// after the last sequence it handed over, so the page sees each event once
// and misses none, without a reload. The session cookie authenticates it
// (the chat widget's frame passes its visitor token as opts.query instead).

const MAX_BACKOFF_MS = 5000;

export class Stream {
  // topics: ["agent:ID", "queue:ID", "tenant:ID", "stats"]; on: {event(msg),
  // signal(msg), stats(data), status(connected: bool)}; opts: {query
  // (added to the URL: "visitor=TOKEN"), after (a sequence already seen:
  // resume after it)}
  constructor(topics, on, opts = {}) {
    this.topics = topics;
    this.on = on;
    this.query = opts.query ? `?${opts.query}` : '';
    this.last = opts.after ?? null; // the last sequence handed over
    this.backoff = 250;
    this.closed = false;
    this.open();
  }

  open() {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/stream${this.query}`;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      const msg = { subscribe: this.topics };
      if (this.last !== null) msg.after = this.last;
      ws.send(JSON.stringify(msg));
    };
    ws.onmessage = (e) => this.message(JSON.parse(e.data));
    ws.onclose = () => {
      this.on.status?.(false);
      if (this.closed) return;
      setTimeout(() => !this.closed && this.open(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    };
  }

  message(m) {
    switch (m.type) {
    case 'subscribed':
      this.backoff = 250;
      if (this.last === null) this.last = m.last;
      this.on.status?.(true);
      break;
    case 'event':
      if (this.last !== null && m.seq <= this.last) return; // seen
      this.last = m.seq;
      this.on.event?.(m);
      break;
    case 'stats':
      this.on.stats?.(m.data);
      break;
    case 'signal': // not logged, no sequence (contact.typing)
      this.on.signal?.(m);
      break;
    case 'overflow':
      break; // the server closes next; we resume after the last we handed over
    default:
      break;
    }
  }

  close() {
    this.closed = true;
    this.ws?.close();
  }
}
