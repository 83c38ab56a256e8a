// A change stream (server-sent events) whose updates reach the page at most once per animation frame.
//
// Design note: at 200 changes/s, touching the DOM per event would re-layout the page 200 times a
// second. Events are only recorded when they arrive: changes go to a bounded buffer, counts overwrite
// one entry per segment; one requestAnimationFrame callback hands the batch to the view. A hidden tab
// gets no animation frames, so the buffer keeps only the newest `keep` changes.

export class ChangeStream {
  /**
   * url: a same-origin stream URL (the session cookie authenticates it).
   * onChanges(changes): new enter/exit changes, oldest first, each seq once.
   * onCounts(Map segment -> {count, asOf}), onReset(data), onState('connecting'|'live'|'reconnecting').
   * after: resume after this seq (the snapshot the view already shows).
   * probe(): an API call made before reconnecting by hand; a 401 there sends the page to sign-in
   * (an EventSource cannot read the status of an answer it refused).
   */
  constructor(url, { onChanges, onCounts, onReset, onState, probe, after = null, keep = 200 } = {}) {
    this.url = url;
    this.probe = probe;
    this.onChanges = onChanges;
    this.onCounts = onCounts;
    this.onReset = onReset;
    this.onState = onState || (() => {});
    this.keep = keep;
    this.lastSeq = after;
    this.pending = [];
    this.counts = new Map();
    this.frame = 0;
    this.retryTimer = 0;
    this.retries = 0;
    this.closed = false;
    this.source = null;
    this.received = 0;
    this.duplicates = 0;
  }

  start() {
    this.open(this.lastSeq);
    return this;
  }

  open(after) {
    if (this.closed) return;
    let url = this.url;
    if (after !== null && after !== undefined) url += (url.includes('?') ? '&' : '?') + 'after=' + after;
    const es = new EventSource(url);
    this.source = es;
    this.onState('connecting');
    es.onopen = () => {
      this.retries = 0;
      this.onState('live');
    };
    es.onerror = () => {
      if (this.closed) return;
      if (es.readyState === EventSource.CLOSED) {
        // The browser gives up on an answer that is not a stream (401, 5xx): reconnect from the last
        // seq ourselves, with a growing delay; a 401 also sends the page back to sign-in.
        this.onState('reconnecting');
        es.close();
        const delay = Math.min(30000, 1000 * 2 ** this.retries++);
        this.retryTimer = setTimeout(async () => {
          if (this.probe) {
            try {
              await this.probe();
            } catch {
              // A 401 has sent the page to sign-in (and closed this stream); otherwise try the stream again.
            }
          }
          this.open(this.lastSeq);
        }, delay);
      } else {
        // The browser reconnects by itself and sends Last-Event-ID.
        this.onState('reconnecting');
      }
    };
    if (this.onChanges) {
      const change = (ev) => this.change(ev);
      es.addEventListener('enter', change);
      es.addEventListener('exit', change);
    } else {
      // Counts only: still follow the seq, so a manual reconnect resumes where the stream was.
      const seen = (ev) => this.seen(ev);
      es.addEventListener('enter', seen);
      es.addEventListener('exit', seen);
    }
    es.addEventListener('count', (ev) => this.count(ev));
    es.addEventListener('reset', (ev) => this.reset(ev));
  }

  seen(ev) {
    const seq = Number(ev.lastEventId);
    if (Number.isFinite(seq) && (this.lastSeq === null || seq > this.lastSeq)) this.lastSeq = seq;
  }

  change(ev) {
    const seq = Number(ev.lastEventId);
    this.received++;
    // A resumed stream starts after Last-Event-ID; anything at or before the last seq seen is a repeat.
    if (this.lastSeq !== null && seq <= this.lastSeq) {
      this.duplicates++;
      return;
    }
    this.lastSeq = seq;
    let data;
    try {
      data = JSON.parse(ev.data);
    } catch {
      return;
    }
    this.pending.push(data);
    if (this.pending.length > this.keep * 2) this.pending.splice(0, this.pending.length - this.keep);
    this.schedule();
  }

  count(ev) {
    let data;
    try {
      data = JSON.parse(ev.data);
    } catch {
      return;
    }
    const prev = this.counts.get(data.segment);
    if (!prev || prev.asOf <= data.asOf) this.counts.set(data.segment, data);
    this.schedule();
  }

  reset(ev) {
    let data = {};
    try {
      data = JSON.parse(ev.data);
    } catch {
      /* keep {} */
    }
    if (typeof data.asOf === 'number') this.lastSeq = data.asOf;
    this.pending = [];
    if (this.onReset) this.onReset(data);
  }

  schedule() {
    if (!this.frame && !this.closed) this.frame = requestAnimationFrame(() => this.flush());
  }

  flush() {
    this.frame = 0;
    if (this.pending.length) {
      const batch = this.pending.length > this.keep ? this.pending.slice(-this.keep) : this.pending;
      this.pending = [];
      if (this.onChanges) this.onChanges(batch);
    }
    if (this.counts.size) {
      const counts = this.counts;
      this.counts = new Map();
      if (this.onCounts) this.onCounts(counts);
    }
  }

  close() {
    this.closed = true;
    if (this.frame) cancelAnimationFrame(this.frame);
    clearTimeout(this.retryTimer);
    if (this.source) this.source.close();
  }
}

/** A small element telling whether the stream is live. */
export function streamState(el) {
  const labels = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…' };
  return (state) => {
    el.textContent = labels[state] || state;
    el.className = `stream-state ${state}`;
  };
}
